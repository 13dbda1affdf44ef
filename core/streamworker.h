#pragma once

#include "streamengine.h"

#include <QByteArray>
#include <QHash>
#include <QString>

#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/post.hpp>
#include <asio/steady_timer.hpp>
#include <asio/system_timer.hpp>

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

class StreamSession;

// Owns a socket descriptor until it is adopted by a session or closed.
class UniqueFd
{
public:
    explicit UniqueFd(int fd) : m_fd(fd) { }
    ~UniqueFd();
    UniqueFd(const UniqueFd &) = delete;
    UniqueFd &operator=(const UniqueFd &) = delete;

    int release()
    {
        const int fd = m_fd;
        m_fd = -1;
        return fd;
    }

private:
    int m_fd;
};

// One streaming thread: an Asio io_context, the sessions it adopted and the
// subscriber sets of those sessions. Everything except the inbox, the adopt
// queue and the snapshot counts is touched only on the worker's own thread.
class StreamWorker
{
public:
    StreamWorker(int index, StreamEngine &engine);
    ~StreamWorker();

    StreamWorker(const StreamWorker &) = delete;
    StreamWorker &operator=(const StreamWorker &) = delete;

    void start();
    void stop();

    // Thread-safe. Ownership of fd passes to the worker.
    void adopt(std::shared_ptr<UniqueFd> fd, const StreamInfo &info, const QByteArray &preamble);

    // Thread-safe: runs task on the worker's thread.
    template<typename Task>
    void post(Task &&task)
    {
        asio::post(m_io, std::forward<Task>(task));
    }

    // The engine locks every worker's inbox mutex before it checks for room and
    // queues, so that a publish reaches all workers or none.
    std::mutex &inboxMutex() { return m_inboxMutex; }
    bool inboxHasRoomLocked() const;
    void queueLocked(const QString &orderId, quint64 eventId, const QByteArray &frame,
                     bool finishesOrder);

    // Thread-safe.
    int connectionCount() const { return m_connectionCount.load(std::memory_order_relaxed); }
    void addSubscriberCounts(QHash<QString, int> &counts) const;

    // Worker thread only.
    void finishReplay(quint64 connectionId, ReplayFrames frames);
    QList<StreamConnection> listConnections(int limit) const;
    void removeSession(StreamSession *session, const char *reason);
    void markDirty(StreamSession *session);
    const StreamEngineConfig &config() const { return m_config; }
    StreamEngineCounters &counters() { return m_counters; }
    int index() const { return m_index; }

private:
    struct InboxItem
    {
        QString orderId;
        quint64 eventId;
        QByteArray frame;
        bool finishesOrder;
    };

    void addSession(asio::ip::tcp::socket socket, const StreamInfo &info,
                    const QByteArray &preamble);
    void drainInbox();
    void flushDirty();
    void scheduleHeartbeat();
    void sendHeartbeats();
    void scheduleExpiry();
    void closeExpiredStreams();
    void closeAll();
    void lingerUntilClientsClose(const std::vector<std::shared_ptr<StreamSession>> &sessions);

    const int m_index;
    StreamEngine &m_engine;
    const StreamEngineConfig m_config;
    StreamEngineCounters &m_counters;

    asio::io_context m_io;
    asio::executor_work_guard<asio::io_context::executor_type> m_work;
    asio::steady_timer m_heartbeatTimer;
    // Fires at the earliest token expiry of the worker's streams.
    asio::system_timer m_expiryTimer;
    std::thread m_thread;
    std::atomic<bool> m_stopping{false};

    std::mutex m_inboxMutex;
    std::vector<InboxItem> m_inbox;
    bool m_drainPosted = false;

    // Worker thread only.
    std::unordered_map<quint64, std::shared_ptr<StreamSession>> m_sessions;
    QHash<QString, std::vector<StreamSession *>> m_subscribers;
    std::vector<std::shared_ptr<StreamSession>> m_dirty;
    // (expiry in ms since the epoch, connection id), earliest first.
    std::multimap<qint64, quint64> m_expiries;

    mutable std::mutex m_countsMutex;
    QHash<QString, int> m_subscriberCounts;
    std::atomic<int> m_connectionCount{0};
};
