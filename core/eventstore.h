#pragma once

#include "orderevent.h"
#include "orderhub.h"

#include <QByteArray>
#include <QDateTime>
#include <QList>
#include <QString>

#include <functional>
#include <mutex>
#include <optional>

// Stored events of one order after a given id, for a reconnecting client.
struct ReplayResult
{
    // At most the requested limit, in id order.
    QList<OrderEvent> events;
    // True when events cannot be the complete history after the requested id.
    // events still contains what is stored after it.
    bool resyncNeeded = false;
    QString resyncReason;
    // The highest id the store had assigned when the read ran.
    quint64 lastEventId = 0;
    // True when more events than the limit were stored after the requested id.
    bool truncated = false;
};

// The outcome of EventStore::append().
struct AppendResult
{
    // The stored event with its id and time. For a duplicate, the event that
    // was stored earlier with the same ingest key. Empty when the append failed.
    std::optional<OrderEvent> stored;
    // True when an event with the same ingest key was already stored: nothing
    // new was stored or delivered.
    bool duplicate = false;
    // The reason the append failed; empty on success.
    QString error;
    // True when the append failed because the store was unreachable, so a
    // retry may succeed. The HTTP layer responds with 503 instead of 500.
    bool unavailable = false;
};

// Filters for the console's history. Empty or invalid fields do not filter.
struct JournalQuery
{
    QString orderId;
    // Compared ignoring ASCII case.
    QString status;
    // Time range [from, to).
    QDateTime from;
    QDateTime to;
    // Only events with a lower id, for paging backwards. 0 does not filter.
    quint64 beforeId = 0;
    int limit = 500;
};

// The storage of published events: the SQLite journal of one instance, or a
// Redis server that several instances share.
//
// A store assigns each event its id, increasing and never reused, keeps it
// for replay and hands every stored event to the delivery handler, in id
// order, on a thread of its own. With a shared store that includes events
// that other instances stored.
//
// All functions are thread-safe.
class EventStore
{
public:
    // Called once per appended event, when the store has kept it, found its
    // ingest key already stored (a duplicate), or could not keep it. An event
    // is delivered before its callback runs only when the store is local; a
    // shared store delivers once the event comes back from it.
    using CommitCallback = std::function<void(const AppendResult &result)>;
    using DeliveryHandler = std::function<void(const OrderEvent &event)>;

    EventStore() = default;
    virtual ~EventStore() = default;

    EventStore(const EventStore &) = delete;
    EventStore &operator=(const EventStore &) = delete;

    // Returns false with errorMessage set when the store cannot be used.
    virtual bool open(QString *errorMessage) = 0;
    // Completes what was appended, runs its callbacks and closes. Safe to call
    // more than once.
    virtual void close() = 0;
    virtual bool isOpen() const = 0;

    // Starts handing stored events to handler: every event stored after
    // open(), including those stored before this call. Call once, after open().
    void startDelivery(DeliveryHandler handler);

    // Queues event; the store assigns its id and, when event.time is
    // invalid, its time. Returns false, and never calls committed, when the
    // store is closed or its queue is full. An event with a non-empty
    // ingestKey that is already stored is not stored again: the check and the
    // insert are one atomic step, and committed receives a duplicate result
    // with the earlier event.
    virtual bool append(OrderEvent event, CommitCallback committed) = 0;

    // Returns whether an event with this ingest key is stored; false when
    // the read fails or the store cannot tell. OrderHub calls it only when a
    // delivery's stage conflicts, so that a repeated delivery gets its
    // duplicate result instead of 409. Only append() decides what is a duplicate.
    virtual bool containsIngestKey(const QString &ingestKey)
    {
        Q_UNUSED(ingestKey);
        return false;
    }

    // Returns why the store cannot take appends now (a server it cannot
    // reach), or an empty string when it can.
    virtual QString unavailableReason() const { return {}; }

    // Returns at most limit events of orderId with an id above afterId. Sets
    // resyncNeeded when the stored history cannot be complete after afterId.
    virtual ReplayResult readAfter(const QString &orderId, quint64 afterId, int limit) = 0;
    // Returns at most q.limit matching events, newest first.
    virtual QList<OrderEvent> query(const JournalQuery &q) = 0;
    // Every order with stored events, sorted by order id; subscribers is 0.
    virtual QList<OrderSummary> orderSummaries() = 0;
    virtual std::optional<OrderSummary> orderSummary(const QString &orderId) = 0;

    // The highest id assigned so far that this instance has seen.
    virtual quint64 lastEventId() const = 0;
    // Bytes the store occupies: the database files, or Redis's used memory.
    virtual qint64 sizeBytes() const = 0;
    // The file or server, for messages and the console.
    virtual QString location() const = 0;

    // Applies to retention passes that start after this call.
    virtual void setRetention(int maxEventsPerOrder, qint64 maxAgeSeconds) = 0;
    // Blocks until a retention pass that started after this call has finished.
    virtual void runRetentionNow() = 0;

protected:
    // Runs at the end of startDelivery().
    virtual void deliveryStarted() {}
    // Hands event to the delivery handler; does nothing before startDelivery().
    void deliver(const OrderEvent &event) const;
    bool isDelivering() const;

private:
    mutable std::mutex m_deliveryMutex;
    DeliveryHandler m_deliveryHandler;
};
