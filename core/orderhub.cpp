#include "orderhub.h"

#include "eventstore.h"
#include "logging.h"
#include "sseframe.h"
#include "streamengine.h"

#include <algorithm>

OrderHub::OrderHub(StreamEngine &engine, EventStore &store, int historyCapacity)
    : m_engine(engine), m_store(store), m_historyCapacity(size_t(std::max(1, historyCapacity)))
{
}

void OrderHub::loadFromStore()
{
    const QList<OrderSummary> summaries = m_store.orderSummaries();
    JournalQuery newest;
    newest.limit = int(m_historyCapacity);
    const QList<OrderEvent> events = m_store.query(newest);

    {
        std::lock_guard lock(m_mutex);
        m_lastEventId = m_store.lastEventId();
        for (const OrderSummary &summary : summaries) {
            m_orders.insert(summary.orderId, summary);
            m_lastEventId = std::max(m_lastEventId, summary.lastEventId);
        }
        m_loadedThroughId = m_lastEventId;
        m_history.clear();
        for (auto it = events.crbegin(); it != events.crend(); ++it)
            m_history.push_back(*it);
        qCInfo(lcHub, "loaded %lld orders from %ls; last event id %llu",
               qlonglong(summaries.size()), qUtf16Printable(m_store.location()), m_lastEventId);
    }
    m_store.startDelivery([this](const OrderEvent &event) { dispatch(event); });
}

bool OrderHub::publish(OrderEvent event, PublishCallback done)
{
    if (event.type.isEmpty())
        event.type = QLatin1String(OrderEventType::Update);

    // Checked before storing: an event that is stored must also be queued
    // for its subscribers, so a full engine rejects the publish up front.
    if (!m_engine.hasRoom()) {
        qCWarning(lcHub, "rejected event for order %ls: streaming queues are full",
                  qUtf16Printable(event.orderId));
        return false;
    }

    const QString orderId = event.orderId;
    const bool queued = m_store.append(std::move(event), std::move(done));
    if (!queued) {
        qCWarning(lcHub, "rejected event for order %ls: the store's queue is full or it is unreachable",
                  qUtf16Printable(orderId));
    }
    return queued;
}

void OrderHub::dispatch(const OrderEvent &event)
{
    {
        std::lock_guard lock(m_mutex);
        if (event.id <= m_loadedThroughId)
            return;
    }
    // Runs on the store's delivery thread, which delivers events in id order,
    // so frames reach every worker in id order. force: the event is stored,
    // so it must reach live subscribers even if the inboxes filled meanwhile.
    m_engine.publish(event.orderId, event.id, SseFrame::encodeEvent(event), true);

    std::lock_guard lock(m_mutex);
    m_lastEventId = std::max(m_lastEventId, event.id);
    ++m_eventsPublished;
    ++m_eventsPublishedBySource[event.source];

    OrderSummary &summary = m_orders[event.orderId];
    summary.orderId = event.orderId;
    summary.lastStatus = event.status;
    summary.lastStage = event.stage;
    summary.lastEventId = event.id;
    summary.lastEventTime = event.time;
    ++summary.eventCount;

    m_history.push_back(event);
    if (m_history.size() > m_historyCapacity)
        m_history.pop_front();

    qCDebug(lcHub, "published event %llu for order %ls: %ls", event.id,
            qUtf16Printable(event.orderId), qUtf16Printable(event.status));
}

std::optional<OrderSummary> OrderHub::order(const QString &orderId) const
{
    std::lock_guard lock(m_mutex);
    const auto it = m_orders.constFind(orderId);
    if (it == m_orders.cend())
        return std::nullopt;
    return it.value();
}

HubSnapshot OrderHub::snapshot(quint64 eventsAfter, int maxEvents) const
{
    const StreamEngineSnapshot streams = m_engine.snapshot();

    HubSnapshot snapshot;
    snapshot.connections = streams.connections;
    snapshot.ordersWatched = int(streams.subscribersPerOrder.size());
    snapshot.framesDelivered = streams.framesDelivered;
    snapshot.heartbeatsSent = streams.heartbeatsSent;
    snapshot.streamsOpened = streams.streamsOpened;
    snapshot.slowConsumersDropped = streams.slowConsumersDropped;
    snapshot.publishesRejected = streams.publishesRejected;

    QHash<QString, OrderSummary> orders;
    {
        std::lock_guard lock(m_mutex);
        snapshot.eventsPublished = m_eventsPublished;
        snapshot.eventsPublishedBySource = m_eventsPublishedBySource;
        snapshot.lastEventId = m_lastEventId;
        orders = m_orders;

        // History is in id order: find the first event after eventsAfter.
        auto first = std::upper_bound(
                m_history.cbegin(), m_history.cend(), eventsAfter,
                [](quint64 id, const OrderEvent &event) { return id < event.id; });
        const auto available = std::distance(first, m_history.cend());
        if (available > maxEvents)
            first += available - std::max(0, maxEvents);
        for (auto it = first; it != m_history.cend(); ++it)
            snapshot.events.append(*it);
    }

    for (auto it = streams.subscribersPerOrder.cbegin(); it != streams.subscribersPerOrder.cend();
         ++it) {
        OrderSummary &summary = orders[it.key()];
        summary.orderId = it.key();
        summary.subscribers = it.value();
    }

    snapshot.orders = orders.values();
    std::sort(snapshot.orders.begin(), snapshot.orders.end(),
              [](const OrderSummary &a, const OrderSummary &b) { return a.orderId < b.orderId; });
    return snapshot;
}
