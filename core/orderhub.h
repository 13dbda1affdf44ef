#pragma once

#include "orderevent.h"

#include <QDateTime>
#include <QHash>
#include <QList>
#include <QString>

#include <deque>
#include <mutex>
#include <optional>

class StreamEngine;

// What the hub knows about one order.
struct OrderSummary
{
    QString orderId;
    int subscribers = 0;
    QString lastStatus;
    QString lastStage;
    quint64 lastEventId = 0;
    QDateTime lastEventTime;
    quint64 eventCount = 0;
};

// A consistent copy of the hub's state for the console and for /healthz.
struct HubSnapshot
{
    int connections = 0;
    int ordersWatched = 0;
    quint64 eventsPublished = 0;
    quint64 framesDelivered = 0;
    quint64 heartbeatsSent = 0;
    quint64 streamsOpened = 0;
    quint64 slowConsumersDropped = 0;
    quint64 publishesRejected = 0;
    quint64 lastEventId = 0;
    // Every order with subscribers or with events, sorted by order id.
    QList<OrderSummary> orders;
    // Recent events newer than the id the caller passed, oldest first.
    QList<OrderEvent> events;
};

// Assigns event ids, keeps each order's last state and a bounded history of
// recent events, and hands encoded frames to the streaming engine.
//
// Thread-safe: the HTTP thread publishes, the console reads snapshots.
class OrderHub
{
public:
    OrderHub(StreamEngine &engine, int historyCapacity);

    OrderHub(const OrderHub &) = delete;
    OrderHub &operator=(const OrderHub &) = delete;

    // Assigns the next id and, when event.time is invalid, the current time,
    // encodes the frame once and queues it for every subscriber of the order.
    // Returns the published event, or nullopt when the streaming engine's
    // inboxes are full; a rejected publish consumes no id.
    std::optional<OrderEvent> publish(OrderEvent event);

    std::optional<OrderSummary> order(const QString &orderId) const;

    // Copies the counts, the orders and at most maxEvents of the newest events
    // with an id above eventsAfter.
    HubSnapshot snapshot(quint64 eventsAfter, int maxEvents) const;

private:
    StreamEngine &m_engine;
    const size_t m_historyCapacity;

    mutable std::mutex m_mutex;
    quint64 m_lastEventId = 0;
    quint64 m_eventsPublished = 0;
    // NOTE: orders are kept for the life of the process; a busy server with
    // millions of distinct orders grows this map without bound.
    QHash<QString, OrderSummary> m_orders;
    std::deque<OrderEvent> m_history;
};
