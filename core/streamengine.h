#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QHash>
#include <QString>

#include <atomic>
#include <memory>
#include <vector>

class StreamWorker;

struct StreamEngineConfig
{
    // Worker threads that own the streams; 0 means one per CPU core.
    int workers = 0;
    // Interval between heartbeat comments on every stream, in milliseconds.
    int heartbeatIntervalMs = 15000;
    // A stream whose unsent bytes would pass this bound is dropped as a slow consumer.
    qint64 maxUnsentBytes = 1024 * 1024;
    // Published frames each worker may hold before it has sent them; a publish
    // beyond this is rejected rather than queued without bound.
    int inboxCapacity = 65536;
};

// What a stream carried when it was accepted, kept for the console and the logs.
struct StreamInfo
{
    QString orderId;
    QString remoteAddress;
    quint16 remotePort = 0;
    QDateTime connectedAt;
};

// Totals since the engine started, read without locks.
struct StreamEngineCounters
{
    std::atomic<quint64> streamsOpened{0};
    std::atomic<quint64> streamsClosed{0};
    std::atomic<quint64> framesDelivered{0};
    std::atomic<quint64> heartbeatsSent{0};
    std::atomic<quint64> slowConsumersDropped{0};
    std::atomic<quint64> publishesRejected{0};
};

struct StreamEngineSnapshot
{
    int connections = 0;
    QHash<QString, int> subscribersPerOrder;
    quint64 streamsOpened = 0;
    quint64 streamsClosed = 0;
    quint64 framesDelivered = 0;
    quint64 heartbeatsSent = 0;
    quint64 slowConsumersDropped = 0;
    quint64 publishesRejected = 0;
};

// Holds every accepted SSE stream outside Qt's event loop.
//
// Qt's event dispatcher polls every socket notifier on each loop iteration, so
// one Qt thread slows down linearly with the number of open streams. The engine
// runs N worker threads, each with its own Asio io_context (epoll on Linux).
// A stream is adopted by exactly one worker, which alone reads, writes and
// closes its socket. Publishing hands one encoded, implicitly shared frame to
// every worker's bounded inbox; each worker drains its inbox in one pass and
// sends all pending frames to a subscriber with one sendmsg().
//
// All public functions are thread-safe.
class StreamEngine
{
public:
    explicit StreamEngine(const StreamEngineConfig &config);
    ~StreamEngine();

    StreamEngine(const StreamEngine &) = delete;
    StreamEngine &operator=(const StreamEngine &) = delete;

    void start();

    // Closes every stream after sending what is already queued for it, then
    // joins the worker threads. Safe to call more than once.
    void stop();

    // Takes ownership of the connected socket descriptor fd. The worker sends
    // preamble (the HTTP response head and the first SSE fields) before any
    // event. The descriptor is closed if the engine is stopped or stopping.
    void adopt(int fd, const StreamInfo &info, const QByteArray &preamble);

    // Queues frame for every subscriber of orderId on every worker. Returns
    // false, queuing nothing, when any worker's inbox is full.
    bool publish(const QString &orderId, const QByteArray &frame);

    StreamEngineSnapshot snapshot() const;

    int workerCount() const { return int(m_workers.size()); }

private:
    StreamEngineConfig m_config;
    StreamEngineCounters m_counters;
    std::vector<std::unique_ptr<StreamWorker>> m_workers;
    std::atomic<bool> m_running{false};
};
