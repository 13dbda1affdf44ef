#include "snapshotpoller.h"

#include "orderstreamservice.h"

SnapshotPoller::SnapshotPoller(OrderStreamService *service, QObject *parent)
    : QObject(parent), m_service(service)
{
    Q_ASSERT(m_service);
    m_timer.setInterval(IntervalMs);
    connect(&m_timer, &QTimer::timeout, this, &SnapshotPoller::poll);
}

SnapshotPoller::~SnapshotPoller() = default;

void SnapshotPoller::start()
{
    poll();
    m_timer.start();
}

void SnapshotPoller::poll()
{
    HubSnapshot snapshot = m_service->snapshot(m_lastSeenEventId, MaxEventsPerSnapshot);
    if (snapshot.lastEventId < m_lastSeenEventId) {
        m_lastSeenEventId = 0;
        Q_EMIT historyReset();
        snapshot = m_service->snapshot(m_lastSeenEventId, MaxEventsPerSnapshot);
    }

    // The hub reads its newest id and the events under one lock, so the
    // newest event returned, if any, has id snapshot.lastEventId.
    const quint64 firstReturned =
            snapshot.events.isEmpty() ? snapshot.lastEventId + 1 : snapshot.events.constFirst().id;
    m_eventsSkipped += firstReturned - m_lastSeenEventId - 1;
    m_lastSeenEventId = snapshot.lastEventId;

    m_latest = std::move(snapshot);
    Q_EMIT snapshotTaken(m_latest);
}
