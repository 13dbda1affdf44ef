#pragma once

#include "eventstore.h"
#include "redisconnection.h"

#include <QCoreApplication>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

struct RedisStoreConfig
{
    RedisUrl url;
    // Every key starts with this and a colon, so several clusters can share one Redis.
    QString keyPrefix = QStringLiteral("orderstream");
    // Retention, as in JournalConfig: 0 turns a limit off.
    int maxEventsPerOrder = 1000;
    qint64 maxAgeSeconds = 7 * 24 * 3600;
    int retentionIntervalMs = 60000;
    int maxPendingAppends = 65536;
    // Appends sent to Redis in one pipeline.
    int maxBatch = 512;
    // Maximum wait for one reply from Redis, in milliseconds.
    int timeoutMs = 2000;
    // Entries kept in the feed that every instance reads live events from.
    // An instance that falls further behind misses them live; replay still has them.
    int feedMaxLength = 100000;
};

// Events kept in Redis and shared by every instance that uses the same Redis
// and key prefix.
//
// Keys (P is the key prefix):
//   P:last-id          the highest event id assigned, cluster-wide (INCR)
//   P:feed             a stream of every event; each instance reads it and
//                      delivers to its own subscribers
//   P:events:ORDER     a stream per order, what replay reads; entry id "N-0"
//                      for event id N, so XRANGE by event id works and Redis
//                      records the highest deleted id (max-deleted-entry-id)
//   P:orders           a hash of each order's newest event
//   P:stages           a hash of each order's newest event that has a stage
//   P:history-start    set when Redis had lost events: the id through which
//                      the history is gone, so older Last-Event-IDs resync
//   P:ingest:KEY       upstream deliveries already applied, expiring with retention
//
// One Lua script assigns the id and writes the feed, the order's stream and
// its summary, so an event is either stored everywhere or nowhere. Ids
// increase across restarts of Redis: on every connection the writer raises
// P:last-id to the highest id this instance has seen.
//
// A writer thread sends appends in pipelines and runs retention; a reader
// thread blocks on the feed and delivers events in id order. When Redis is
// unreachable, append() returns false (the HTTP layer answers 503), appends
// in flight fail, and both threads reconnect with backoff. Reads from other
// threads share one connection.
class RedisEventStore : public EventStore
{
    Q_DECLARE_TR_FUNCTIONS(RedisEventStore)

public:
    explicit RedisEventStore(RedisStoreConfig config);
    ~RedisEventStore() override;

    bool open(QString *errorMessage) override;
    void close() override;
    bool isOpen() const override;
    bool append(OrderEvent event, CommitCallback committed) override;
    ReplayResult readAfter(const QString &orderId, quint64 afterId, int limit) override;
    QList<OrderEvent> query(const JournalQuery &q) override;
    QList<OrderSummary> orderSummaries() override;
    std::optional<OrderSummary> orderSummary(const QString &orderId) override;
    quint64 lastEventId() const override;
    qint64 sizeBytes() const override;
    QString location() const override;
    void setRetention(int maxEventsPerOrder, qint64 maxAgeSeconds) override;
    bool containsIngestKey(const QString &ingestKey) override;
    QString unavailableReason() const override;
    void runRetentionNow() override;

    // True while both the writer and the reader reach Redis.
    bool isReachable() const;
    // Outages since open(), counting the current one.
    quint64 outagesTotal() const { return m_outages.load(); }
    // Start of the current outage, in milliseconds since the epoch; 0 while reachable.
    qint64 outageSinceMs() const { return m_outageSinceMs.load(); }

    const RedisStoreConfig &config() const { return m_config; }
    // Key name with the prefix.
    QByteArray key(const QByteArray &name) const;

protected:
    void deliveryStarted() override;

private:
    struct PendingAppend
    {
        OrderEvent event;
        CommitCallback committed;
    };

    void runWriter();
    void runReader();
    bool prepareWriter(RedisConnection &connection, QString *error);
    void sendBatch(RedisConnection &connection, std::deque<PendingAppend> &batch);
    void failBatch(std::deque<PendingAppend> &batch, const QString &error);
    void runRetention(RedisConnection &connection);
    void refreshSize(RedisConnection &connection);
    void setLinkState(std::atomic<bool> &link, bool up, const QString &error);
    void raiseLastEventId(quint64 id);
    // Sleeps up to ms unless close() wakes it; returns false when closing.
    bool waitForRetry(int ms);

    template<typename Work>
    auto withReadConnection(Work work) -> decltype(work(std::declval<RedisConnection &>()));

    const RedisStoreConfig m_config;
    const QByteArray m_prefix;

    std::mutex m_lifecycleMutex;
    std::thread m_writerThread;
    std::thread m_readerThread;

    mutable std::mutex m_mutex;
    std::condition_variable m_wake;
    std::condition_variable m_retentionDone;
    std::deque<PendingAppend> m_pending;
    bool m_open = false;
    bool m_stopping = false;
    bool m_delivering = false;
    int m_maxEventsPerOrder = 0;
    qint64 m_maxAgeSeconds = 0;
    quint64 m_retentionRequested = 0;
    quint64 m_retentionFinished = 0;
    // Event id after which the reader continues in the feed.
    quint64 m_feedPosition = 0;

    std::mutex m_readMutex;
    std::unique_ptr<RedisConnection> m_readConnection;

    std::atomic<quint64> m_lastEventId{0};
    std::atomic<qint64> m_sizeBytes{0};
    std::atomic<bool> m_writerUp{false};
    std::atomic<bool> m_readerUp{false};
    std::atomic<quint64> m_outages{0};
    std::atomic<qint64> m_outageSinceMs{0};
    QByteArray m_appendScriptSha;
    QByteArray m_trimScriptSha;
};
