#pragma once

#include "orderevent.h"

#include <QDateTime>
#include <QHash>
#include <QList>
#include <QString>

#include <deque>
#include <functional>
#include <mutex>
#include <optional>

class EventStore;
class StreamEngine;
struct HttpError;

// The hub's state of one order.
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
    // Events published per source ("api", "console", ...).
    QHash<QString, quint64> eventsPublishedBySource;
    quint64 framesDelivered = 0;
    quint64 heartbeatsSent = 0;
    quint64 streamsOpened = 0;
    quint64 slowConsumersDropped = 0;
    quint64 publishesRejected = 0;
    quint64 lastEventId = 0;
    // Filled by OrderStreamService from its reconnect tracker and journal.
    int reconnectsLastMinute = 0;
    quint64 reconnectsTotal = 0;
    bool reconnectStorm = false;
    qint64 journalSizeBytes = 0;
    // Every order with subscribers or with events, sorted by order id.
    QList<OrderSummary> orders;
    // Recent events newer than the id the caller passed, oldest first.
    QList<OrderEvent> events;
};

// Publishes events: stores each in the event store, and for every event the
// store delivers encodes its frame once and queues it for every subscriber. Keeps each order's last state and a
// bounded history of recent events for the console.
//
// Thread-safe: the HTTP thread and the console publish, the store's thread
// delivers events and completes publishes, the console reads snapshots.
class OrderHub
{
public:
    // Called on the store's thread once the event is stored, or with nullopt
    // and the reason when it was not.
    using PublishCallback = std::function<void(std::optional<OrderEvent> event, const QString &error)>;

    OrderHub(StreamEngine &engine, EventStore &store, int historyCapacity);

    OrderHub(const OrderHub &) = delete;
    OrderHub &operator=(const OrderHub &) = delete;

    // Loads the orders' last states and the newest events from the store,
    // then asks the store to deliver every event stored from now on.
    void loadFromStore();

    // Queues event for the store, which assigns its id and time, and runs done
    // once the event is stored. Returns false, and never calls done, when the
    // streaming queues or the store's queue are full, or the store is
    // unreachable; the caller responds with 503.
    bool publish(OrderEvent event, PublishCallback done);

    std::optional<OrderSummary> order(const QString &orderId) const;

    // Copies the counts, the orders and at most maxEvents of the newest events
    // with an id above eventsAfter.
    HubSnapshot snapshot(quint64 eventsAfter, int maxEvents) const;

private:
    // Queues a stored event's frame for its subscribers and records it.
    void dispatch(const OrderEvent &event);

    StreamEngine &m_engine;
    EventStore &m_store;
    const size_t m_historyCapacity;

    mutable std::mutex m_mutex;
    quint64 m_lastEventId = 0;
    // Events up to this id came from loadFromStore(); a shared store may
    // deliver some of them again, and dispatch() skips those.
    quint64 m_loadedThroughId = 0;
    quint64 m_eventsPublished = 0;
    QHash<QString, quint64> m_eventsPublishedBySource;
    // NOTE: every order in the store has an entry here, so memory grows with
    // the number of distinct orders that retention keeps.
    QHash<QString, OrderSummary> m_orders;
    std::deque<OrderEvent> m_history;
};
