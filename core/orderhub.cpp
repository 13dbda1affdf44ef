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

void OrderHub::setLifecycle(const Lifecycle &lifecycle)
{
    m_lifecycle = lifecycle;
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

std::optional<HttpError> OrderHub::publish(OrderEvent event, PublishCallback done)
{
    if (event.type.isEmpty())
        event.type = QLatin1String(OrderEventType::Update);

    // Errors returned to the caller are logged by it, where they are handled.
    auto resolved = resolveStage(event);
    if (const HttpError *error = std::get_if<HttpError>(&resolved))
        return *error;
    const LifecycleStage *stage = std::get<const LifecycleStage *>(resolved);

    // Checked before storing: an event that is stored must also be queued
    // for its subscribers, so a full engine rejects the publish up front.
    const HttpError busy{503, QStringLiteral("busy"),
                         QStringLiteral("the publish queues are full; retry the publish")};
    if (!m_engine.hasRoom()) {
        qCWarning(lcHub, "rejected event for order %ls: streaming queues are full",
                  qUtf16Printable(event.orderId));
        return busy;
    }

    std::lock_guard publishLock(m_publishMutex);
    const QString orderId = event.orderId;
    const quint64 ticket = m_nextTicket++;
    if (stage) {
        std::optional<HttpError> conflict;
        if (!event.lifecycleOverride) {
            std::lock_guard lock(m_mutex);
            conflict = checkTransitionLocked(event, *stage);
        }
        // A repeated upstream delivery of a stored event is not checked,
        // because the store reports it as a duplicate. The store is read
        // without m_mutex, which its delivery thread may need meanwhile.
        if (conflict && !event.ingestKey.isEmpty() && m_store.containsIngestKey(event.ingestKey))
            conflict.reset();
        if (conflict)
            return conflict;
        std::lock_guard lock(m_mutex);
        m_pendingStages[orderId].push_back(PendingStage{ticket, stage->name, event.ingestKey, 0});
    }

    auto committed = [this, orderId, ticket, tracked = stage != nullptr,
                      done = std::move(done)](const AppendResult &result) {
        if (tracked)
            finishPending(orderId, ticket, result);
        if (done)
            done(result);
    };
    if (!m_store.append(std::move(event), std::move(committed))) {
        const QString unavailable = m_store.unavailableReason();
        qCWarning(lcHub, "rejected event for order %ls: %ls", qUtf16Printable(orderId),
                  qUtf16Printable(unavailable.isEmpty() ? QStringLiteral("the store's queue is full")
                                                        : unavailable));
        if (stage)
            finishPending(orderId, ticket, AppendResult{});
        if (!unavailable.isEmpty()) {
            return HttpError{503, QStringLiteral("store_unavailable"),
                             QStringLiteral("%1; retry the publish").arg(unavailable)};
        }
        return busy;
    }
    return std::nullopt;
}

std::variant<const LifecycleStage *, HttpError> OrderHub::resolveStage(OrderEvent &event) const
{
    const LifecycleStage *stage = nullptr;
    if (!event.stage.trimmed().isEmpty()) {
        stage = m_lifecycle.findStage(event.stage);
        if (!stage) {
            QStringList names;
            for (const LifecycleStage &known : m_lifecycle.stages())
                names.append(known.name);
            return HttpError{400, QStringLiteral("unknown_stage"),
                             QStringLiteral("stage \"%1\" is not in the lifecycle, whose stages are "
                                            "%2; or leave \"stage\" out for an informational "
                                            "update")
                                     .arg(event.stage.left(64), names.join(QStringLiteral(", ")))};
        }
    } else {
        // A status such as "provisioned" names its stage; other text is information.
        stage = m_lifecycle.findStage(event.status);
    }

    event.stage = stage ? stage->name : QString();
    if (stage && stage->isFailure && event.message.trimmed().isEmpty()) {
        return HttpError{400, QStringLiteral("missing_field"),
                         QStringLiteral("\"message\" is missing: an event in stage %1 must give "
                                        "the reason")
                                 .arg(stage->name)};
    }
    return stage;
}

std::optional<HttpError> OrderHub::checkTransitionLocked(const OrderEvent &event,
                                                         const LifecycleStage &stage) const
{
    QString current;
    const auto pending = m_pendingStages.constFind(event.orderId);
    if (pending != m_pendingStages.cend() && !pending->empty()) {
        // A repeated upstream delivery of an event still in the store's queue
        // is not checked: the store reports it as a duplicate.
        for (const PendingStage &entry : *pending) {
            if (!event.ingestKey.isEmpty() && entry.ingestKey == event.ingestKey)
                return std::nullopt;
        }
        current = pending->back().stage;
    } else {
        current = m_orders.value(event.orderId).lastStage;
    }

    // NOTE: a stage that the lifecycle no longer contains (stored before the
    // lifecycle file changed) is not checked, so any stage may follow it.
    if (!current.isEmpty() && !m_lifecycle.findStage(current))
        return std::nullopt;
    if (m_lifecycle.isAllowed(current, stage.name))
        return std::nullopt;

    const QString message = current.isEmpty()
            ? QStringLiteral("order %1 has no stage yet; %2 cannot be its first stage (use %3)")
                      .arg(event.orderId, stage.name,
                           m_lifecycle.nextStages(QString()).join(QStringLiteral(" or ")))
            : QStringLiteral("order %1 is %2; %3 cannot follow it").arg(event.orderId, current, stage.name);
    return HttpError{409, QStringLiteral("lifecycle_conflict"), message};
}

void OrderHub::finishPending(const QString &orderId, quint64 ticket, const AppendResult &result)
{
    std::lock_guard lock(m_mutex);
    auto pending = m_pendingStages.find(orderId);
    if (pending == m_pendingStages.end())
        return;

    std::deque<PendingStage> &entries = pending.value();
    const auto entry = std::find_if(entries.begin(), entries.end(),
                                    [ticket](const PendingStage &e) { return e.ticket == ticket; });
    if (entry != entries.end()) {
        // A stored event counts until dispatch() has recorded its stage. A
        // failed or duplicate append stored nothing new.
        const bool stored = result.stored && !result.duplicate;
        if (stored && result.stored->id > m_orders.value(orderId).lastEventId)
            entry->storedId = result.stored->id;
        else
            entries.erase(entry);
    }
    if (entries.empty())
        m_pendingStages.erase(pending);
}

std::optional<quint64> OrderHub::finalEventId(const QString &orderId) const
{
    std::lock_guard lock(m_mutex);
    const auto it = m_orders.constFind(orderId);
    if (it == m_orders.cend() || !m_lifecycle.isFinal(it->lastStage))
        return std::nullopt;
    return it->lastStageEventId > 0 ? it->lastStageEventId : it->lastEventId;
}

void OrderHub::dispatch(const OrderEvent &event)
{
    bool finishesOrder = false;
    {
        std::lock_guard lock(m_mutex);
        if (event.id <= m_loadedThroughId)
            return;

        m_lastEventId = std::max(m_lastEventId, event.id);
        ++m_eventsPublished;
        ++m_eventsPublishedBySource[event.source];

        // The summary changes before the frame is queued, so a stream that
        // opens after the frame went out finds the order finished.
        OrderSummary &summary = m_orders[event.orderId];
        summary.orderId = event.orderId;
        summary.lastStatus = event.status;
        summary.lastMessage = event.message;
        if (!event.stage.isEmpty()) {
            summary.lastStage = event.stage;
            summary.lastStageEventId = event.id;
            finishesOrder = m_lifecycle.isFinal(event.stage);
        }
        summary.lastEventId = event.id;
        summary.lastEventTime = event.time;
        ++summary.eventCount;

        auto pending = m_pendingStages.find(event.orderId);
        if (pending != m_pendingStages.end()) {
            std::deque<PendingStage> &entries = pending.value();
            entries.erase(std::remove_if(entries.begin(), entries.end(),
                                         [&event](const PendingStage &entry) {
                                             return entry.storedId != 0 && entry.storedId <= event.id;
                                         }),
                          entries.end());
            if (entries.empty())
                m_pendingStages.erase(pending);
        }

        m_history.push_back(event);
        if (m_history.size() > m_historyCapacity)
            m_history.pop_front();
    }

    // Runs on the store's delivery thread, which delivers events in id order,
    // so frames reach every worker in id order. force: the event is stored,
    // so it must reach live subscribers even if the inboxes filled meanwhile.
    m_engine.publish(event.orderId, event.id, SseFrame::encodeEvent(event), true, finishesOrder);

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
