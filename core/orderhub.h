#pragma once

#include "httperror.h"
#include "lifecycle.h"
#include "orderevent.h"

#include <QDateTime>
#include <QHash>
#include <QList>
#include <QString>

#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <variant>

class EventStore;
class StreamEngine;
struct AppendResult;

// The hub's state of one order.
struct OrderSummary
{
    QString orderId;
    int subscribers = 0;
    QString lastStatus;
    QString lastMessage;
    // The stage of the newest event that has one: an update without a stage
    // leaves the order in its stage.
    QString lastStage;
    // The id of the event that set lastStage; 0 when the order has no stage.
    quint64 lastStageEventId = 0;
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
    // Called on the store's thread once the event is stored, found to be a
    // duplicate, or not stored (see AppendResult in eventstore.h).
    using PublishCallback = std::function<void(const AppendResult &result)>;

    OrderHub(StreamEngine &engine, EventStore &store, int historyCapacity);

    OrderHub(const OrderHub &) = delete;
    OrderHub &operator=(const OrderHub &) = delete;

    // Loads the orders' last states and the newest events from the store,
    // then starts the store's delivery of every event stored from now on.
    void loadFromStore();

    // Sets the lifecycle that publish() checks. Call before loadFromStore().
    void setLifecycle(const Lifecycle &lifecycle);
    const Lifecycle &lifecycle() const { return m_lifecycle; }

    // Checks event against the lifecycle, queues it for the store, which
    // assigns its id and time, and runs done once the store has kept it.
    //
    // The stage is set to the lifecycle's name for it. An empty stage is
    // filled from a status that names a stage or alias. It stays empty for
    // an informational update, which no check applies to. The check runs
    // against the order's stage including publishes accepted but not stored
    // yet, so quick publishes are checked in the order they arrive. A
    // publish whose store fails no longer counts.
    //
    // Returns nullopt when queued. Otherwise returns the error to respond
    // with, and never calls done: 400 for a stage the lifecycle does not
    // know or a failure stage without a message, 409 lifecycle_conflict for
    // a transition the lifecycle forbids (unless event.lifecycleOverride),
    // 503 when the streaming queues or the store's queue are full or the
    // store is unreachable.
    std::optional<HttpError> publish(OrderEvent event, PublishCallback done);

    // Returns the id of the event that brought orderId to its final stage,
    // or nullopt when the order is not in a final stage.
    std::optional<quint64> finalEventId(const QString &orderId) const;

    std::optional<OrderSummary> order(const QString &orderId) const;

    // Copies the counts, the orders and at most maxEvents of the newest events
    // with an id above eventsAfter.
    HubSnapshot snapshot(quint64 eventsAfter, int maxEvents) const;

private:
    // A publish that passed the lifecycle check and is not stored yet.
    struct PendingStage
    {
        quint64 ticket = 0;
        QString stage;
        QString ingestKey;
        // Set once the store has committed the event, until dispatch() records it.
        quint64 storedId = 0;
    };

    // Queues a stored event's frame for its subscribers and records it.
    void dispatch(const OrderEvent &event);
    // Resolves event's stage from the lifecycle. Returns the stage, nullptr
    // for an informational update, or an error.
    std::variant<const LifecycleStage *, HttpError> resolveStage(OrderEvent &event) const;
    // Returns the 409 error when stage may not follow the order's current
    // stage. The caller holds m_mutex.
    std::optional<HttpError> checkTransitionLocked(const OrderEvent &event,
                                                   const LifecycleStage &stage) const;
    void finishPending(const QString &orderId, quint64 ticket, const AppendResult &result);

    StreamEngine &m_engine;
    EventStore &m_store;
    const size_t m_historyCapacity;
    Lifecycle m_lifecycle = Lifecycle::defaultLifecycle();

    // Serializes publish(): the lifecycle check and the append to the store
    // happen in one step, so the store receives an order's events in the
    // order they were checked. Never held while the store runs a callback.
    std::mutex m_publishMutex;
    quint64 m_nextTicket = 1;

    mutable std::mutex m_mutex;
    // Publishes accepted per order, oldest first; guarded by m_mutex.
    QHash<QString, std::deque<PendingStage>> m_pendingStages;
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
