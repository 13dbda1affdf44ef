#pragma once

#include "eventstore.h"

#include <QByteArray>
#include <QCoreApplication>
#include <QDateTime>
#include <QList>
#include <QString>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <thread>

class QSqlDatabase;

struct JournalConfig
{
    // The SQLite database file. Its folder is created when missing.
    QString path;
    // Maximum number of events kept per order. Retention deletes older ones, and 0 keeps all.
    int maxEventsPerOrder = 1000;
    // Retention deletes events whose time is older than this. 0 keeps every event.
    qint64 maxAgeSeconds = 7 * 24 * 3600;
    // Interval between retention passes, in milliseconds. 0 or less runs a pass
    // only after open() and on runRetentionNow().
    int retentionIntervalMs = 60000;
    // Maximum number of events waiting for the writer thread. append() rejects more.
    int maxPendingAppends = 65536;
    // Maximum number of events committed in one transaction.
    int maxBatch = 4096;
    // false sets PRAGMA synchronous=NORMAL, true sets FULL. The EventJournal
    // class comment describes the durability of each.
    bool syncFull = false;
    // How long a statement waits for a lock held by another connection to the
    // same file (for example an operator's sqlite3 shell) before it fails, in milliseconds.
    int busyTimeoutMs = 5000;
};

// Durable, append-only store of published events in an SQLite database.
//
// Appends are queued and committed by one writer thread that the journal owns.
// Each pass of the writer commits everything waiting (up to maxBatch events)
// in a single transaction, so many appends share one commit. Retention runs
// on the same thread in chunks between batches.
//
// Durability: the database runs in WAL mode. With synchronous=NORMAL (the
// default) a committed transaction survives a crash of the process, but a
// power loss or an operating system crash may lose the last commits, because
// SQLite syncs the WAL to disk only at checkpoints. With syncFull it syncs the
// WAL on every commit, which survives power loss and costs one fsync per
// batch. (SQLite documentation of PRAGMA synchronous, SQLite 3.40.)
//
// Ids start at 1, increase by one per event and are never reused. The highest
// id ever assigned is stored in the database, so deleting events does not
// lower it. The ids of a batch whose commit failed are skipped for the rest
// of the process. They reach the database with the next successful commit, so
// a restart before that may assign them again. This is harmless, because the
// callbacks of a failed batch receive no event, so no client received those ids.
//
// Reads use one read-only SQLite connection per calling thread, because Qt
// 6.4 ties each QSqlDatabase connection to the thread that created it. A
// connection is removed when its thread ends or when the journal closes.
//
// All public functions are thread-safe. A lock file next to the database
// keeps a second process (or a second EventJournal) from opening the same file.
class EventJournal : public EventStore
{
    Q_DECLARE_TR_FUNCTIONS(EventJournal)

public:
    // Commit callbacks run on the writer thread, one at a time, in id order,
    // each after the event's delivery. A failed commit reaches the callbacks
    // of its batch with an AppendResult that has no event and an error
    // message. An append whose ingest key is already stored gets a
    // duplicate result with the earlier event, and nothing is delivered.

    // The version of the schema this build creates and reads. open() migrates
    // a version 1 file in place: version 2 adds the publisher,
    // lifecycle_override and ingest_key columns.
    static constexpr int SchemaVersion = 2;

    explicit EventJournal(const JournalConfig &config);
    ~EventJournal() override;

    Q_DISABLE_COPY_MOVE(EventJournal)

    // Opens or creates the database and starts the writer thread. Returns
    // false with errorMessage set when the file is not an SQLite database, is
    // corrupt, cannot be written, has a newer schema, or is in use. A file
    // that fails these checks is left unchanged.
    bool open(QString *errorMessage) override;

    // Commits every appended event, runs its callback, stops the writer thread
    // and closes every connection. Safe to call more than once. Must not be
    // called from a commit callback.
    void close() override;

    bool isOpen() const override;

    // Queues event for the writer thread, which assigns its id and, when
    // event.time is invalid, the current time. Returns false, queuing nothing
    // and never calling committed, when the journal is not open or
    // maxPendingAppends events are waiting.
    bool append(OrderEvent event, CommitCallback committed) override;

    bool containsIngestKey(const QString &ingestKey) override;

    // Returns at most limit events of orderId with an id above afterId. Sets
    // resyncNeeded when afterId is above the last assigned id, when retention
    // deleted events of the order after afterId, or when the read fails.
    ReplayResult readAfter(const QString &orderId, quint64 afterId, int limit) override;

    // Returns at most q.limit matching events, newest first. A limit of 0 or
    // less returns none.
    QList<OrderEvent> query(const JournalQuery &q) override;

    // Returns every order with stored events, sorted by order id. subscribers
    // is 0. lastStage is the stage of the newest event that has one.
    QList<OrderSummary> orderSummaries() override;
    std::optional<OrderSummary> orderSummary(const QString &orderId) override;

    // The highest id committed so far, or loaded from the database by open().
    quint64 lastEventId() const override;
    // Size of the database file plus its WAL file, in bytes.
    qint64 fileSizeBytes() const;
    QString path() const;
    qint64 sizeBytes() const override { return fileSizeBytes(); }
    QString location() const override { return path(); }
    // UUID created with the database, as text without braces. Empty before open().
    QByteArray journalId() const;

    // Applies to retention passes that start after this call.
    void setRetention(int maxEventsPerOrder, qint64 maxAgeSeconds) override;
    // Blocks until a retention pass that started after this call has finished.
    // Returns at once when the journal is not open. Must not be called from a
    // commit callback.
    void runRetentionNow() override;

private:
    struct PendingAppend
    {
        OrderEvent event;
        CommitCallback committed;
    };
    struct WriterState;
    class ReaderRegistry;

    void runWriter(std::shared_ptr<std::promise<QString>> openResult);
    bool openDatabase(WriterState &writer, QString *errorMessage);
    void closeDatabase(WriterState &writer);
    void commitBatch(WriterState &writer, std::deque<PendingAppend> &batch);
    void startRetentionPass(WriterState &writer, quint64 ticket);
    void runRetentionStep(WriterState &writer);
    void finishRetentionPass(WriterState &writer, const QString &error);

    // Returns this thread's read connection, creating it on first use, or an
    // invalid one when the journal is not open. The caller must have locked m_readGate.
    QSqlDatabase readConnection();
    // Runs work in one read transaction on this thread's connection. Returns
    // false with error set, after logging it, when work or the transaction fails.
    bool runRead(const std::function<bool(QSqlDatabase &db, QString *error)> &work,
                 QString *error);
    // Returns the summaries of every order, or of orderId alone when it is not empty.
    QList<OrderSummary> readOrderSummaries(const QString &orderId);
    bool isWriterThread() const;

    const JournalConfig m_config;

    // Serializes open() and close().
    std::mutex m_lifecycleMutex;
    std::thread m_writerThread;
    std::atomic<std::thread::id> m_writerThreadId;

    // Guards the queue, the retention settings and tickets, and the flags below.
    mutable std::mutex m_mutex;
    // The writer thread waits on this for appends, retention requests, the
    // stop request and, while stopping, for m_readersClosed.
    std::condition_variable m_writerWake;
    // runRetentionNow() and close() wait on this for finished passes and m_writerDrained.
    std::condition_variable m_writerStateChanged;
    std::deque<PendingAppend> m_pending;
    bool m_acceptingAppends = false;
    bool m_stopRequested = false;
    bool m_writerRunning = false;
    // Set by the writer once a stop was requested and every callback has run.
    bool m_writerDrained = false;
    // Set by close() once the read connections are removed.
    bool m_readersClosed = false;
    int m_maxEventsPerOrder = 0;
    qint64 m_maxAgeSeconds = 0;
    // runRetentionNow() takes the next ticket, and the writer records the
    // highest ticket whose pass has finished.
    quint64 m_retentionTicketsIssued = 0;
    quint64 m_retentionTicketsFinished = 0;
    QByteArray m_journalId;

    std::atomic<quint64> m_lastEventId{0};

    // Reads lock this shared. close() locks it exclusively while it removes
    // the read connections, so no read runs on a removed connection.
    std::shared_mutex m_readGate;
    std::shared_ptr<ReaderRegistry> m_readers;
};
