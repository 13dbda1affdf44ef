#include "orderhub.h"

#include "logging.h"
#include "sseframe.h"
#include "streamengine.h"

#include <algorithm>

OrderHub::OrderHub(StreamEngine &engine, int historyCapacity)
    : m_engine(engine), m_historyCapacity(size_t(std::max(1, historyCapacity)))
{
}

std::optional<OrderEvent> OrderHub::publish(OrderEvent event)
{
    if (event.type.isEmpty())
        event.type = QLatin1String(OrderEventType::Update);
    if (!event.time.isValid())
        event.time = QDateTime::currentDateTimeUtc();

    // The lock spans id assignment and queuing, so frames reach every worker
    // in id order.
    std::lock_guard lock(m_mutex);
    event.id = m_lastEventId + 1;
    const QByteArray frame = SseFrame::encodeEvent(event);
    if (!m_engine.publish(event.orderId, event.id, frame)) {
        qCWarning(lcHub, "rejected event for order %ls: streaming queues are full",
                  qUtf16Printable(event.orderId));
        return std::nullopt;
    }
    m_lastEventId = event.id;
    ++m_eventsPublished;

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
    return event;
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
