#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QHash>
#include <QString>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <functional>
#include <memory>
#include <optional>
#include <utility>
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
    // When true, a stream closes once it has written its order's final event
    // (a publish or replay marked as finishing the order). When false, such
    // streams stay open.
    bool closeFinishedStreams = true;
};

// The details of a stream when it was accepted, kept for the console and the logs.
struct StreamInfo
{
    // Unique per process, for the console's connection rows.
    quint64 connectionId = 0;
    QString orderId;
    QString remoteAddress;
    quint16 remotePort = 0;
    QDateTime connectedAt;
    // The Last-Event-ID the client sent; the stream first replays what it missed.
    std::optional<quint64> lastEventId;
    // Set when the client sent no Last-Event-ID but its order is finished:
    // lastEventId then points just before the final event, which the stream
    // replays before it closes. Such a replay is not a resume.
    bool replaysFinalEvent = false;
    // The JWT subject, once authentication is on.
    QString subject;
    // When the stream's token expires, in milliseconds since the epoch; the
    // worker then closes the stream with a final comment. 0: never.
    qint64 expiresAtMs = 0;
};

// The frames a resuming stream is sent before live events: the stored events
// after its Last-Event-ID, or a single order.resync frame when the history
// cannot serve that id.
struct ReplayFrames
{
    // (event id, encoded frame), in id order.
    std::vector<std::pair<quint64, QByteArray>> frames;
    bool resync = false;
    QString resyncReason;
    // Live events with an id at or below this were covered by the replay.
    quint64 coveredThroughId = 0;
    // True when the order reached a final stage in an event at or below
    // coveredThroughId: the stream closes after sending the replay.
    bool finished = false;
};

// Reads the replay for a stream. Called on the engine's replay thread, never on
// a worker, so that a slow read delays only resuming streams.
using ReplaySource = std::function<ReplayFrames(const QString &orderId, quint64 afterId)>;

// A live stream as the console lists it.
struct StreamConnection
{
    StreamInfo info;
    quint64 eventsSent = 0;
    quint64 lastSentId = 0;
    int worker = 0;
};

// Callbacks from worker threads; they must be thread-safe and quick.
struct StreamObserver
{
    // A stream with a Last-Event-ID finished its replay (not called for
    // StreamInfo::replaysFinalEvent).
    std::function<void(const StreamInfo &, const ReplayFrames &)> resumed;
    // A stream closed; lastSentId is the id of the last event it was sent.
    std::function<void(const StreamInfo &, quint64 lastSentId, const char *reason)> closed;
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
// every worker's bounded inbox. Each worker drains its inbox in one pass and
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

    // Both must be set before start().
    void setReplaySource(ReplaySource source) { m_replaySource = std::move(source); }
    void setObserver(StreamObserver observer) { m_observer = std::move(observer); }

    // Takes ownership of the connected socket descriptor fd. The worker sends
    // preamble (the HTTP response head and the first SSE fields) before any
    // event. When info.lastEventId is set, the stream subscribes first, then
    // replays from the replay source, then sends the live events it held
    // meanwhile that the replay did not cover: no gap and no duplicate.
    // The descriptor is closed if the engine is stopped or stopping.
    void adopt(int fd, StreamInfo info, const QByteArray &preamble);

    // Returns true when every worker's inbox has room for one more frame.
    bool hasRoom() const;

    // Queues frame for every subscriber of orderId on every worker. Returns
    // false, queuing nothing, when any worker's inbox is full, unless force
    // is set: a frame already stored in the journal is queued regardless, and
    // the bound then holds only approximately. finishesOrder marks the event
    // that brought the order to a final stage: with closeFinishedStreams on,
    // each subscriber closes once the frame is written.
    bool publish(const QString &orderId, quint64 eventId, const QByteArray &frame,
                 bool force = false, bool finishesOrder = false);

    StreamEngineSnapshot snapshot() const;

    // Lists at most limit open streams, asking each worker on its own thread.
    QList<StreamConnection> connections(int limit) const;

    int workerCount() const { return int(m_workers.size()); }

private:
    friend class StreamWorker;

    // Runs the replay source for a stream on the replay thread and hands the
    // result back to the stream's worker.
    void requestReplay(StreamWorker *worker, quint64 connectionId, QString orderId,
                       quint64 afterId);
    void runReplayThread();

    StreamEngineConfig m_config;
    StreamEngineCounters m_counters;
    ReplaySource m_replaySource;
    StreamObserver m_observer;
    std::vector<std::unique_ptr<StreamWorker>> m_workers;
    std::atomic<bool> m_running{false};
    std::atomic<quint64> m_nextConnectionId{1};

    struct ReplayJob
    {
        StreamWorker *worker;
        quint64 connectionId;
        QString orderId;
        quint64 afterId;
    };
    std::mutex m_replayMutex;
    std::condition_variable m_replayWake;
    std::vector<ReplayJob> m_replayJobs;
    bool m_replayStopping = false;
    std::thread m_replayThread;
};
