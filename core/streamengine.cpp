#include "streamengine.h"

#include "logging.h"
#include "streamworker.h"

#include <QThread>

#include <algorithm>
#include <mutex>

StreamEngine::StreamEngine(const StreamEngineConfig &config) : m_config(config)
{
    if (m_config.workers <= 0)
        m_config.workers = std::max(1, QThread::idealThreadCount());
    m_config.inboxCapacity = std::max(1, m_config.inboxCapacity);

    for (int i = 0; i < m_config.workers; ++i)
        m_workers.push_back(std::make_unique<StreamWorker>(i, m_config, m_counters));
}

StreamEngine::~StreamEngine()
{
    stop();
}

void StreamEngine::start()
{
    if (m_running.exchange(true))
        return;
    for (const auto &worker : m_workers)
        worker->start();
    qCInfo(lcStream, "streaming engine started with %d worker threads", workerCount());
}

void StreamEngine::stop()
{
    if (!m_running.exchange(false))
        return;
    for (const auto &worker : m_workers)
        worker->stop();
    qCInfo(lcStream, "streaming engine stopped");
}

void StreamEngine::adopt(int fd, const StreamInfo &info, const QByteArray &preamble)
{
    auto owned = std::make_shared<UniqueFd>(fd);
    if (!m_running.load())
        return;

    // The worker with the fewest streams takes the new one.
    StreamWorker *target = m_workers.front().get();
    for (const auto &worker : m_workers) {
        if (worker->connectionCount() < target->connectionCount())
            target = worker.get();
    }
    target->adopt(std::move(owned), info, preamble);
}

bool StreamEngine::publish(const QString &orderId, const QByteArray &frame)
{
    // Workers are locked in index order, so concurrent publishes cannot
    // deadlock, and each worker's inbox receives frames in publish order.
    std::vector<std::unique_lock<std::mutex>> locks;
    locks.reserve(m_workers.size());
    for (const auto &worker : m_workers)
        locks.emplace_back(worker->inboxMutex());

    for (const auto &worker : m_workers) {
        if (!worker->inboxHasRoomLocked()) {
            m_counters.publishesRejected.fetch_add(1, std::memory_order_relaxed);
            return false;
        }
    }
    for (const auto &worker : m_workers)
        worker->queueLocked(orderId, frame);
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
