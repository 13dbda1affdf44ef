#pragma once

#include "orderhub.h"

#include <QObject>
#include <QTimer>

class OrderStreamService;

// Reads the service's hub snapshot on a GUI-thread timer and hands it to the
// console's models and figures.
//
// Each snapshot carries only the events after the newest one already seen,
// at most MaxEventsPerSnapshot of them, so a tick costs the same whether the
// server publishes ten events per second or ten thousand.
class SnapshotPoller : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SnapshotPoller)

public:
    static constexpr int IntervalMs = 250;
    static constexpr int MaxEventsPerSnapshot = 1000;

    explicit SnapshotPoller(OrderStreamService *service, QObject *parent = nullptr);
    ~SnapshotPoller() override;

    // Takes the first snapshot now, then one every IntervalMs.
    void start();

    // Takes a snapshot now, outside the timer.
    void poll();

    const HubSnapshot &latest() const { return m_latest; }
    quint64 lastSeenEventId() const { return m_lastSeenEventId; }
    // Events never handed on: more than MaxEventsPerSnapshot arrived between
    // two ticks, or the hub's history dropped them before a tick read them.
    quint64 eventsSkipped() const { return m_eventsSkipped; }

Q_SIGNALS:
    void snapshotTaken(const HubSnapshot &snapshot);
    // The hub's newest id went backwards because the service was started
    // again with a new hub. Events seen so far belong to the old hub, and the
    // next snapshot starts from the new hub's first event.
    void historyReset();

private:
    OrderStreamService *const m_service;
    QTimer m_timer;
    HubSnapshot m_latest;
    quint64 m_lastSeenEventId = 0;
    quint64 m_eventsSkipped = 0;
};
