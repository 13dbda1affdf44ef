#include "streamengine.h"

#include "logging.h"
#include "streamworker.h"

#include <QThread>

#include <asio/post.hpp>

#include <algorithm>
#include <chrono>
#include <future>
#include <mutex>

StreamEngine::StreamEngine(const StreamEngineConfig &config) : m_config(config)
{
    if (m_config.workers <= 0)
        m_config.workers = std::max(1, QThread::idealThreadCount());
    m_config.inboxCapacity = std::max(1, m_config.inboxCapacity);

    for (int i = 0; i < m_config.workers; ++i)
        m_workers.push_back(std::make_unique<StreamWorker>(i, *this));
}

StreamEngine::~StreamEngine()
{
    stop();
}

void StreamEngine::start()
{
    if (m_running.exchange(true))
        return;
    m_replayStopping = false;
    m_replayThread = std::thread([this] { runReplayThread(); });
    for (const auto &worker : m_workers)
        worker->start();
    qCInfo(lcStream, "streaming engine started with %d worker threads", workerCount());
}

void StreamEngine::stop()
{
    if (!m_running.exchange(false))
        return;
    {
        std::lock_guard lock(m_replayMutex);
        m_replayStopping = true;
    }
    m_replayWake.notify_all();
    m_replayThread.join();
    for (const auto &worker : m_workers)
        worker->stop();
    qCInfo(lcStream, "streaming engine stopped");
}

void StreamEngine::adopt(int fd, StreamInfo info, const QByteArray &preamble)
{
    auto owned = std::make_shared<UniqueFd>(fd);
    if (!m_running.load())
        return;
    info.connectionId = m_nextConnectionId.fetch_add(1, std::memory_order_relaxed);

    // The worker with the fewest streams takes the new one.
    StreamWorker *target = m_workers.front().get();
    for (const auto &worker : m_workers) {
        if (worker->connectionCount() < target->connectionCount())
            target = worker.get();
    }
    target->adopt(std::move(owned), info, preamble);
}

bool StreamEngine::hasRoom() const
{
    for (const auto &worker : m_workers) {
        std::lock_guard lock(worker->inboxMutex());
        if (!worker->inboxHasRoomLocked())
            return false;
    }
    return true;
}

bool StreamEngine::publish(const QString &orderId, quint64 eventId, const QByteArray &frame,
                           bool force, bool finishesOrder)
{
    // Workers are locked in index order, so concurrent publishes cannot
    // deadlock, and each worker's inbox receives frames in publish order.
    std::vector<std::unique_lock<std::mutex>> locks;
    locks.reserve(m_workers.size());
    for (const auto &worker : m_workers)
        locks.emplace_back(worker->inboxMutex());

    for (const auto &worker : m_workers) {
        if (!force && !worker->inboxHasRoomLocked()) {
            m_counters.publishesRejected.fetch_add(1, std::memory_order_relaxed);
            return false;
        }
    }
    for (const auto &worker : m_workers)
        worker->queueLocked(orderId, eventId, frame, finishesOrder);
    return true;
}

StreamEngineSnapshot StreamEngine::snapshot() const
{
    StreamEngineSnapshot snapshot;
    for (const auto &worker : m_workers) {
        snapshot.connections += worker->connectionCount();
        worker->addSubscriberCounts(snapshot.subscribersPerOrder);
    }
    snapshot.streamsOpened = m_counters.streamsOpened.load();
    snapshot.streamsClosed = m_counters.streamsClosed.load();
    snapshot.framesDelivered = m_counters.framesDelivered.load();
    snapshot.heartbeatsSent = m_counters.heartbeatsSent.load();
    snapshot.slowConsumersDropped = m_counters.slowConsumersDropped.load();
    snapshot.publishesRejected = m_counters.publishesRejected.load();
    return snapshot;
}

QList<StreamConnection> StreamEngine::connections(int limit) const
{
    QList<StreamConnection> result;
    if (!m_running.load())
        return result;

    for (const auto &worker : m_workers) {
        const int remaining = limit - int(result.size());
        if (remaining <= 0)
            break;
        auto promise = std::make_shared<std::promise<QList<StreamConnection>>>();
        std::future<QList<StreamConnection>> future = promise->get_future();
        worker->post([worker = worker.get(), promise, remaining] {
            promise->set_value(worker->listConnections(remaining));
        });
        // A worker that is stopping never runs the task; do not wait forever.
        if (future.wait_for(std::chrono::seconds(1)) == std::future_status::ready)
            result += future.get();
    }
    return result;
}

void StreamEngine::requestReplay(StreamWorker *worker, quint64 connectionId, QString orderId,
                                 quint64 afterId)
{
    {
        std::lock_guard lock(m_replayMutex);
        m_replayJobs.push_back(ReplayJob{worker, connectionId, std::move(orderId), afterId});
    }
    m_replayWake.notify_one();
}

void StreamEngine::runReplayThread()
{
    pthread_setname_np(pthread_self(), "os-replay");
    for (;;) {
        std::vector<ReplayJob> jobs;
        {
            std::unique_lock lock(m_replayMutex);
            m_replayWake.wait(lock, [this] { return m_replayStopping || !m_replayJobs.empty(); });
            if (m_replayStopping)
                return;
            jobs.swap(m_replayJobs);
        }

        for (ReplayJob &job : jobs) {
            ReplayFrames frames;
            if (m_replaySource) {
                frames = m_replaySource(job.orderId, job.afterId);
            } else {
                frames.resync = true;
                frames.resyncReason = QStringLiteral("no event history is kept");
            }
            job.worker->post([worker = job.worker, id = job.connectionId,
                              frames = std::move(frames)]() mutable {
                worker->finishReplay(id, std::move(frames));
            });
        }
    }
}
