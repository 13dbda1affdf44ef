#include "eventjournal.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QRegularExpression>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QUuid>

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

using namespace std::chrono_literals;

// The journal against real SQLite files in a temporary folder. Appends come
// from this thread or from plain std::threads. Commit callbacks run on the
// journal's writer thread, and the tests wait for them with std::future.
class tst_EventJournal : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();

    void appendRoundTripsEveryField_data();
    void appendRoundTripsEveryField();
    void idsIncreaseAcrossReopen();
    void idsNotReusedAfterRetentionDeletesAll();
    void groupCommitFromFourThreads();
    void appendRejectedWhenQueueFull();
    void closeCommitsEveryPendingAppend();
    void commitFailureReportsError();
    void publisherAndOverrideRoundTrip();
    void repeatedIngestKeyStoredOnce();
    void summaryKeepsStageOfInformation();
    void openMigratesVersion1File();
    void failedMigrationLeavesFile();

    void readAfterServesOrResyncs_data();
    void readAfterServesOrResyncs();
    void orderSummariesAfterRetention();
    void retentionDeletesInChunks();
    void retentionRunsOnItsInterval();
    void queryFilters_data();
    void queryFilters();
    void readsFromPlainThreads();

    void openCreatesMissingFolder();
    void openRecoversCommitsFromWal();
    void openReportsIdentityAndSize();
    void openRejectsBadFile_data();
    void openRejectsBadFile();

private:
    QString journalPath() const { return m_dir->filePath(QStringLiteral("journal.db")); }

    std::unique_ptr<QTemporaryDir> m_dir;
};

Q_DECLARE_METATYPE(QList<quint64>)

namespace {

// How long a test waits for commit callbacks before it fails.
constexpr auto CallbackTimeout = 60s;

// A configuration without retention limits, so that a test decides when and
// what retention deletes.
JournalConfig configFor(const QString &path)
{
    JournalConfig config;
    config.path = path;
    config.maxEventsPerOrder = 0;
    config.maxAgeSeconds = 0;
    config.retentionIntervalMs = 0;
    return config;
}

OrderEvent makeEvent(const QString &orderId, const QString &status,
                     const QDateTime &time = QDateTime())
{
    OrderEvent event;
    event.orderId = orderId;
    event.type = QString::fromLatin1(OrderEventType::Update);
    event.status = status;
    event.stage = QStringLiteral("warehouse");
    event.message = QStringLiteral("status is ") + status;
    event.details = QJsonObject{{QStringLiteral("carrier"), QStringLiteral("DHL")}};
    event.time = time;
    event.source = QString::fromLatin1(OrderEventSource::Api);
    return event;
}

// Appends every event and waits for all callbacks. Returns the stored events
// in callback order, or fewer when an append is rejected, a commit fails or
// the wait times out.
QList<OrderEvent> appendAll(EventJournal &journal, const QList<OrderEvent> &events)
{
    struct Collected
    {
        std::mutex mutex;
        QList<OrderEvent> stored;
        int callbacks = 0;
        int expected = 0;
        std::promise<void> done;
    };
    auto collected = std::make_shared<Collected>();
    collected->expected = int(events.size());
    std::future<void> done = collected->done.get_future();
    if (events.isEmpty())
        return {};

    for (const OrderEvent &event : events) {
        const bool accepted = journal.append(
                event, [collected](const AppendResult &result) {
                    std::lock_guard lock(collected->mutex);
                    if (result.stored)
                        collected->stored.append(*result.stored);
                    if (++collected->callbacks == collected->expected)
                        collected->done.set_value();
                });
        if (!accepted)
            return {};
    }
    if (done.wait_for(CallbackTimeout) != std::future_status::ready)
        return {};
    std::lock_guard lock(collected->mutex);
    return collected->stored;
}

std::optional<OrderEvent> appendOne(EventJournal &journal, const OrderEvent &event)
{
    const QList<OrderEvent> stored = appendAll(journal, {event});
    if (stored.isEmpty())
        return std::nullopt;
    return stored.first();
}

// Appends every event and waits for all callbacks. Returns the results in
// append order, or fewer when an append is rejected or the wait times out.
QList<AppendResult> appendForResults(EventJournal &journal, const QList<OrderEvent> &events)
{
    struct Collected
    {
        std::mutex mutex;
        QList<AppendResult> results;
        int remaining = 0;
        std::promise<void> done;
    };
    auto collected = std::make_shared<Collected>();
    collected->results.resize(events.size());
    collected->remaining = int(events.size());
    std::future<void> done = collected->done.get_future();
    if (events.isEmpty())
        return {};

    for (qsizetype i = 0; i < events.size(); ++i) {
        const bool accepted = journal.append(events.at(i), [collected, i](const AppendResult &result) {
            std::lock_guard lock(collected->mutex);
            collected->results[i] = result;
            if (--collected->remaining == 0)
                collected->done.set_value();
        });
        if (!accepted)
            return {};
    }
    if (done.wait_for(CallbackTimeout) != std::future_status::ready)
        return {};
    std::lock_guard lock(collected->mutex);
    return collected->results;
}

OrderEvent makeIngestEvent(const QString &orderId, const QString &ingestKey)
{
    OrderEvent event = makeEvent(orderId, QStringLiteral("Activating"));
    event.source = QString::fromLatin1(OrderEventSource::Ingest);
    event.publisher = QStringLiteral("/event/Order_Status__e");
    event.ingestKey = ingestKey;
    return event;
}

QList<quint64> idsOf(const QList<OrderEvent> &events)
{
    QList<quint64> ids;
    for (const OrderEvent &event : events)
        ids.append(event.id);
    return ids;
}

QByteArray readFileBytes(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return file.readAll();
}

// Runs one statement on path through a connection of the test's own.
bool execOnFile(const QString &path, const QString &sql)
{
    const QString name = QStringLiteral("tst_eventjournal.edit");
    bool ok = false;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        db.setDatabaseName(path);
        ok = db.open();
        QSqlQuery query(db);
        ok = ok && query.exec(sql);
        if (!ok)
            qWarning("statement failed: %ls", qUtf16Printable(query.lastError().text()));
        query.finish();
        db.close();
    }
    QSqlDatabase::removeDatabase(name);
    return ok;
}

QStringList journalConnectionNames(const QString &role)
{
    QStringList names;
    const QString prefix = QStringLiteral("orderstream.journal.") + role;
    for (const QString &name : QSqlDatabase::connectionNames()) {
        if (name.startsWith(prefix))
            names.append(name);
    }
    return names;
}

// Times in whole milliseconds, the precision the journal stores.
QDateTime minutesAgo(int minutes)
{
    const qint64 nowMs = QDateTime::currentMSecsSinceEpoch();
    return QDateTime::fromMSecsSinceEpoch(nowMs - qint64(minutes) * 60 * 1000, Qt::UTC);
}

// Order A: ids 1-10, recent. Order B: ids 11-13 two days old, 14-15 recent.
// Order C: ids 16-17, recent. Retention with 4 events per order and a maximum
// age of one hour then trims A through id 6 and B through id 13, and leaves C.
bool buildTrimmedJournal(EventJournal &journal)
{
    QList<OrderEvent> events;
    for (int i = 0; i < 10; ++i)
        events.append(makeEvent(QStringLiteral("A"), QStringLiteral("step-%1").arg(i)));
    for (int i = 0; i < 3; ++i)
        events.append(makeEvent(QStringLiteral("B"), QStringLiteral("old"), minutesAgo(2 * 24 * 60)));
    for (int i = 0; i < 2; ++i)
        events.append(makeEvent(QStringLiteral("B"), QStringLiteral("recent")));
    for (int i = 0; i < 2; ++i)
        events.append(makeEvent(QStringLiteral("C"), QStringLiteral("recent")));
    if (appendAll(journal, events).size() != events.size())
        return false;

    journal.setRetention(4, 3600);
    journal.runRetentionNow();
    return true;
}

} // namespace

void tst_EventJournal::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
}

void tst_EventJournal::appendRoundTripsEveryField_data()
{
    QTest::addColumn<QString>("status");
    QTest::addColumn<QString>("stage");
    QTest::addColumn<QString>("message");
    QTest::addColumn<QJsonObject>("details");
    QTest::addColumn<QString>("source");

    QTest::newRow("plain ascii text")
            << QStringLiteral("shipped") << QStringLiteral("carrier")
            << QStringLiteral("handed to the carrier")
            << QJsonObject{{QStringLiteral("tracking"), QStringLiteral("1Z999")}}
            << QStringLiteral("api");
    QTest::newRow("multi-line message")
            << QStringLiteral("delayed") << QStringLiteral("customs")
            << QStringLiteral("line one\nline two\r\n\tindented line\n") << QJsonObject()
            << QStringLiteral("console");
    QTest::newRow("non-ascii text")
            << QStringLiteral("zugestellt") << QStringLiteral("Übergabe")
            << QStringLiteral("Paket für Jürgen — 配達済み 🚚") << QJsonObject()
            << QStringLiteral("api");

    const QJsonObject address{{QStringLiteral("city"), QStringLiteral("Zürich")},
                              {QStringLiteral("lines"),
                               QJsonArray{QStringLiteral("Bahnhofstrasse 1"),
                                          QStringLiteral("8001")}}};
    const QJsonArray items{
            QJsonObject{{QStringLiteral("sku"), QStringLiteral("A-1")}, {QStringLiteral("qty"), 2}},
            QJsonObject{{QStringLiteral("sku"), QStringLiteral("B-7")},
                        {QStringLiteral("qty"), 1},
                        {QStringLiteral("gift"), true}}};
    QTest::newRow("nested details")
            << QStringLiteral("packed") << QStringLiteral("warehouse") << QStringLiteral("packed")
            << QJsonObject{{QStringLiteral("address"), address},
                           {QStringLiteral("items"), items},
                           {QStringLiteral("weightKg"), 1.25},
                           {QStringLiteral("note"), QJsonValue::Null}}
            << QStringLiteral("api");
    QTest::newRow("empty optional fields") << QStringLiteral("created") << QString() << QString()
                                           << QJsonObject() << QString();
}

void tst_EventJournal::appendRoundTripsEveryField()
{
    QFETCH(QString, status);
    QFETCH(QString, stage);
    QFETCH(QString, message);
    QFETCH(QJsonObject, details);
    QFETCH(QString, source);

    OrderEvent event;
    event.orderId = QStringLiteral("ORD-1");
    event.type = QString::fromLatin1(OrderEventType::Update);
    event.status = status;
    event.stage = stage;
    event.message = message;
    event.details = details;
    event.time = QDateTime::fromMSecsSinceEpoch(1700000000123, Qt::UTC);
    event.source = source;

    QList<OrderEvent> read;
    {
        EventJournal journal(configFor(journalPath()));
        QString error;
        QVERIFY2(journal.open(&error), qPrintable(error));
        const std::optional<OrderEvent> stored = appendOne(journal, event);
        QVERIFY(stored);
        QCOMPARE(stored->id, quint64(1));
        QCOMPARE(stored->message, message);
        QCOMPARE(journal.lastEventId(), quint64(1));
    }

    // A new journal on the same file reads what the first one committed.
    EventJournal journal(configFor(journalPath()));
    QString error;
    QVERIFY2(journal.open(&error), qPrintable(error));
    const ReplayResult replay = journal.readAfter(event.orderId, 0, 10);
    QVERIFY(!replay.resyncNeeded);
    QCOMPARE(replay.events.size(), 1);
    const OrderEvent &stored = replay.events.first();
    QCOMPARE(stored.id, quint64(1));
    QCOMPARE(stored.orderId, event.orderId);
    QCOMPARE(stored.type, event.type);
    QCOMPARE(stored.status, status);
    QCOMPARE(stored.stage, stage);
    QCOMPARE(stored.message, message);
    QCOMPARE(stored.details, details);
    QCOMPARE(stored.time, event.time);
    QCOMPARE(stored.time.timeSpec(), Qt::UTC);
    QCOMPARE(stored.source, source);

    const QList<OrderEvent> queried = journal.query(JournalQuery());
    QCOMPARE(queried.size(), 1);
    QCOMPARE(queried.first().message, message);
    QCOMPARE(queried.first().details, details);
}

void tst_EventJournal::idsIncreaseAcrossReopen()
{
    QByteArray firstJournalId;
    {
        EventJournal journal(configFor(journalPath()));
        QString error;
        QVERIFY2(journal.open(&error), qPrintable(error));
        const QList<OrderEvent> stored = appendAll(
                journal, {makeEvent(QStringLiteral("A"), QStringLiteral("created")),
                          makeEvent(QStringLiteral("B"), QStringLiteral("created")),
                          makeEvent(QStringLiteral("A"), QStringLiteral("paid"))});
        QCOMPARE(idsOf(stored), (QList<quint64>{1, 2, 3}));
        firstJournalId = journal.journalId();
    }

    EventJournal journal(configFor(journalPath()));
    QString error;
    QVERIFY2(journal.open(&error), qPrintable(error));
    QCOMPARE(journal.lastEventId(), quint64(3));
    QCOMPARE(journal.journalId(), firstJournalId);
    const std::optional<OrderEvent> next =
            appendOne(journal, makeEvent(QStringLiteral("B"), QStringLiteral("paid")));
    QVERIFY(next);
    QCOMPARE(next->id, quint64(4));
}

void tst_EventJournal::idsNotReusedAfterRetentionDeletesAll()
{
    {
        EventJournal journal(configFor(journalPath()));
        QString error;
        QVERIFY2(journal.open(&error), qPrintable(error));
        const QDateTime old = minutesAgo(3 * 24 * 60);
        const QList<OrderEvent> stored =
                appendAll(journal, {makeEvent(QStringLiteral("A"), QStringLiteral("created"), old),
                                    makeEvent(QStringLiteral("B"), QStringLiteral("created"), old),
                                    makeEvent(QStringLiteral("A"), QStringLiteral("paid"), old),
                                    makeEvent(QStringLiteral("B"), QStringLiteral("paid"), old),
                                    makeEvent(QStringLiteral("A"), QStringLiteral("sent"), old)});
        QCOMPARE(stored.size(), 5);

        journal.setRetention(0, 24 * 3600);
        journal.runRetentionNow();
        QVERIFY(journal.orderSummaries().isEmpty());
        QVERIFY(journal.query(JournalQuery()).isEmpty());
        QCOMPARE(journal.lastEventId(), quint64(5));
    }

    EventJournal journal(configFor(journalPath()));
    QString error;
    QVERIFY2(journal.open(&error), qPrintable(error));
    QCOMPARE(journal.lastEventId(), quint64(5));

    const ReplayResult replay = journal.readAfter(QStringLiteral("A"), 2, 10);
    QVERIFY(replay.resyncNeeded);
    QVERIFY(replay.events.isEmpty());
    QCOMPARE(replay.lastEventId, quint64(5));

    const std::optional<OrderEvent> next =
            appendOne(journal, makeEvent(QStringLiteral("C"), QStringLiteral("created")));
    QVERIFY(next);
    QCOMPARE(next->id, quint64(6));
}

void tst_EventJournal::groupCommitFromFourThreads()
{
    constexpr int ThreadCount = 4;
    constexpr int PerThread = 2500;
    constexpr int Total = ThreadCount * PerThread;
    const QString orderId = QStringLiteral("GROUP-1");

    EventJournal journal(configFor(journalPath()));
    QString error;
    QVERIFY2(journal.open(&error), qPrintable(error));

    struct Committed
    {
        quint64 id;
        int thread;
        int sequence;
    };
    std::mutex mutex;
    std::vector<Committed> committed;
    int failures = 0;
    std::promise<void> allCommitted;
    std::future<void> allCommittedFuture = allCommitted.get_future();
    std::atomic<int> rejected{0};

    std::vector<std::thread> threads;
    for (int t = 0; t < ThreadCount; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < PerThread; ++i) {
                OrderEvent event = makeEvent(orderId, QStringLiteral("update"));
                event.details = QJsonObject{{QStringLiteral("thread"), t},
                                            {QStringLiteral("sequence"), i}};
                const bool accepted = journal.append(
                        event, [&](const AppendResult &result) {
                            const std::optional<OrderEvent> &stored = result.stored;
                            std::lock_guard lock(mutex);
                            if (stored) {
                                committed.push_back(
                                        {stored->id,
                                         stored->details.value(QStringLiteral("thread")).toInt(),
                                         stored->details.value(QStringLiteral("sequence"))
                                                 .toInt()});
                            } else {
                                ++failures;
                            }
                            if (int(committed.size()) + failures == Total)
                                allCommitted.set_value();
                        });
                if (!accepted)
                    rejected.fetch_add(1);
            }
        });
    }
    for (std::thread &thread : threads)
        thread.join();
    QCOMPARE(rejected.load(), 0);
    QVERIFY(allCommittedFuture.wait_for(CallbackTimeout) == std::future_status::ready);

    std::lock_guard lock(mutex);
    QCOMPARE(failures, 0);
    QCOMPARE(int(committed.size()), Total);

    // Ids are 1..Total in callback order, and each thread's events keep the
    // order in which that thread appended them.
    std::set<std::pair<int, int>> seen;
    std::vector<int> lastSequence(ThreadCount, -1);
    for (size_t i = 0; i < committed.size(); ++i) {
        const Committed &entry = committed[i];
        QCOMPARE(entry.id, quint64(i + 1));
        QVERIFY(seen.insert({entry.thread, entry.sequence}).second);
        QVERIFY(entry.sequence > lastSequence[size_t(entry.thread)]);
        lastSequence[size_t(entry.thread)] = entry.sequence;
    }
    QCOMPARE(int(seen.size()), Total);

    const ReplayResult replay = journal.readAfter(orderId, 0, Total + 10);
    QVERIFY(!replay.resyncNeeded);
    QVERIFY(!replay.truncated);
    QCOMPARE(replay.lastEventId, quint64(Total));
    QCOMPARE(replay.events.size(), Total);
    for (int i = 0; i < Total; ++i)
        QCOMPARE(replay.events.at(i).id, committed[size_t(i)].id);
}

void tst_EventJournal::appendRejectedWhenQueueFull()
{
    JournalConfig config = configFor(journalPath());
    config.maxPendingAppends = 8;
    EventJournal journal(config);
    QString error;
    QVERIFY2(journal.open(&error), qPrintable(error));

    // The first callback blocks the writer thread, so later appends stay queued.
    std::promise<void> writerHeld;
    std::promise<void> releaseWriter;
    std::shared_future<void> release = releaseWriter.get_future().share();
    std::atomic<int> callbacks{0};
    QVERIFY(journal.append(makeEvent(QStringLiteral("Q"), QStringLiteral("first")),
                           [&](const AppendResult &) {
                               callbacks.fetch_add(1);
                               writerHeld.set_value();
                               release.wait_for(CallbackTimeout);
                           }));
    QVERIFY(writerHeld.get_future().wait_for(CallbackTimeout) == std::future_status::ready);

    const auto countCallback = [&](const AppendResult &) {
        callbacks.fetch_add(1);
    };
    for (int i = 0; i < config.maxPendingAppends; ++i) {
        QVERIFY2(journal.append(makeEvent(QStringLiteral("Q"), QStringLiteral("queued")),
                                countCallback),
                 qPrintable(QStringLiteral("append %1 was rejected").arg(i)));
    }
    QVERIFY(!journal.append(makeEvent(QStringLiteral("Q"), QStringLiteral("rejected")),
                            countCallback));

    releaseWriter.set_value();
    journal.close();
    QCOMPARE(callbacks.load(), 1 + config.maxPendingAppends);

    QVERIFY2(journal.open(&error), qPrintable(error));
    const ReplayResult replay = journal.readAfter(QStringLiteral("Q"), 0, 100);
    QCOMPARE(replay.events.size(), 1 + config.maxPendingAppends);
    for (const OrderEvent &event : replay.events)
        QVERIFY(event.status != QStringLiteral("rejected"));
    QCOMPARE(replay.events.last().id, quint64(1 + config.maxPendingAppends));
}

void tst_EventJournal::closeCommitsEveryPendingAppend()
{
    constexpr int Count = 2000;
    EventJournal journal(configFor(journalPath()));
    QString error;
    QVERIFY2(journal.open(&error), qPrintable(error));

    std::atomic<int> stored{0};
    for (int i = 0; i < Count; ++i) {
        QVERIFY(journal.append(makeEvent(QStringLiteral("C-%1").arg(i % 7), QStringLiteral("x")),
                               [&](const AppendResult &result) {
                                   if (result.stored)
                                       stored.fetch_add(1);
                               }));
    }
    journal.close();
    QCOMPARE(stored.load(), Count);
    QVERIFY(!journal.isOpen());

    journal.close();
    bool calledAfterClose = false;
    QVERIFY(!journal.append(makeEvent(QStringLiteral("C-0"), QStringLiteral("late")),
                            [&](const AppendResult &) {
                                calledAfterClose = true;
                            }));
    QVERIFY(!calledAfterClose);
    QVERIFY(journal.readAfter(QStringLiteral("C-0"), 0, 10).resyncNeeded);
    QVERIFY(journal.query(JournalQuery()).isEmpty());

    // The last connection to close checkpoints the WAL into the database.
    QVERIFY(!QFile::exists(journalPath() + QStringLiteral("-wal")));

    QVERIFY2(journal.open(&error), qPrintable(error));
    QCOMPARE(journal.lastEventId(), quint64(Count));
}

void tst_EventJournal::commitFailureReportsError()
{
    JournalConfig config = configFor(journalPath());
    config.busyTimeoutMs = 50;
    EventJournal journal(config);
    QString error;
    QVERIFY2(journal.open(&error), qPrintable(error));
    journal.runRetentionNow();

    // A second connection holding the write lock, as an operator's sqlite3
    // shell in a write transaction would, makes the writer's BEGIN time out.
    const QString lockerName = QStringLiteral("tst_eventjournal.locker");
    {
        QSqlDatabase locker = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), lockerName);
        locker.setDatabaseName(journalPath());
        QVERIFY(locker.open());
        QSqlQuery begin(locker);
        QVERIFY2(begin.exec(QStringLiteral("BEGIN IMMEDIATE")), qPrintable(begin.lastError().text()));
    }

    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral(
                                               "^commit of events 1 to 1 to journal .* failed")));
    auto result = std::make_shared<std::promise<std::pair<bool, QString>>>();
    std::future<std::pair<bool, QString>> failed = result->get_future();
    QVERIFY(journal.append(makeEvent(QStringLiteral("F"), QStringLiteral("lost")),
                           [result](const AppendResult &appended) {
                               result->set_value({appended.stored.has_value(), appended.error});
                           }));
    QVERIFY(failed.wait_for(CallbackTimeout) == std::future_status::ready);
    const auto [wasStored, message] = failed.get();
    QVERIFY(!wasStored);
    QVERIFY2(message.contains(QStringLiteral("locked")), qPrintable(message));

    {
        QSqlDatabase locker = QSqlDatabase::database(lockerName, false);
        QSqlQuery rollback(locker);
        QVERIFY(rollback.exec(QStringLiteral("ROLLBACK")));
        rollback.finish();
        locker.close();
    }
    QSqlDatabase::removeDatabase(lockerName);

    // Id 1 belonged to the failed batch and is not assigned again.
    const std::optional<OrderEvent> next =
            appendOne(journal, makeEvent(QStringLiteral("F"), QStringLiteral("kept")));
    QVERIFY(next);
    QCOMPARE(next->id, quint64(2));
    QCOMPARE(idsOf(journal.readAfter(QStringLiteral("F"), 0, 10).events), QList<quint64>{2});
    journal.close();

    QVERIFY2(journal.open(&error), qPrintable(error));
    QCOMPARE(journal.lastEventId(), quint64(2));
}

void tst_EventJournal::publisherAndOverrideRoundTrip()
{
    OrderEvent event = makeEvent(QStringLiteral("P"), QStringLiteral("Active"));
    event.publisher = QStringLiteral("fulfilment");
    event.lifecycleOverride = true;
    {
        EventJournal journal(configFor(journalPath()));
        QString error;
        QVERIFY2(journal.open(&error), qPrintable(error));
        QVERIFY(appendOne(journal, event));
        QVERIFY(appendOne(journal, makeEvent(QStringLiteral("P"), QStringLiteral("plain"))));
    }

    EventJournal journal(configFor(journalPath()));
    QString error;
    QVERIFY2(journal.open(&error), qPrintable(error));
    const ReplayResult replay = journal.readAfter(QStringLiteral("P"), 0, 10);
    QCOMPARE(replay.events.size(), 2);
    QCOMPARE(replay.events.at(0).publisher, QStringLiteral("fulfilment"));
    QVERIFY(replay.events.at(0).lifecycleOverride);
    QVERIFY(replay.events.at(0).ingestKey.isEmpty());
    QVERIFY(replay.events.at(1).publisher.isEmpty());
    QVERIFY(!replay.events.at(1).lifecycleOverride);
}

void tst_EventJournal::repeatedIngestKeyStoredOnce()
{
    {
        EventJournal journal(configFor(journalPath()));
        QString error;
        QVERIFY2(journal.open(&error), qPrintable(error));
        QVERIFY(!journal.containsIngestKey(QStringLiteral("/event/Order_Status__e:1")));

        // The second append repeats the first one's key in the same batch.
        const QList<AppendResult> results = appendForResults(
                journal, {makeIngestEvent(QStringLiteral("I"), QStringLiteral("/event/Order_Status__e:1")),
                          makeIngestEvent(QStringLiteral("I"), QStringLiteral("/event/Order_Status__e:1")),
                          makeEvent(QStringLiteral("I"), QStringLiteral("no key")),
                          makeEvent(QStringLiteral("I"), QStringLiteral("no key either")),
                          makeIngestEvent(QStringLiteral("I"), QStringLiteral("/event/Order_Status__e:2"))});
        QCOMPARE(results.size(), 5);
        QVERIFY(results.at(0).stored);
        QVERIFY(!results.at(0).duplicate);
        QCOMPARE(results.at(0).stored->id, quint64(1));
        QVERIFY(results.at(1).stored);
        QVERIFY(results.at(1).duplicate);
        QCOMPARE(results.at(1).stored->id, quint64(1));
        QVERIFY(results.at(1).error.isEmpty());
        // A duplicate takes no id.
        QCOMPARE(results.at(2).stored->id, quint64(2));
        QCOMPARE(results.at(3).stored->id, quint64(3));
        QCOMPARE(results.at(4).stored->id, quint64(4));
        QCOMPARE(journal.lastEventId(), quint64(4));
        QVERIFY(journal.containsIngestKey(QStringLiteral("/event/Order_Status__e:1")));
    }

    // After a restart the key is still known, and the duplicate is reported
    // with the event stored first.
    EventJournal journal(configFor(journalPath()));
    QString error;
    QVERIFY2(journal.open(&error), qPrintable(error));
    const QList<AppendResult> again = appendForResults(
            journal, {makeIngestEvent(QStringLiteral("I"), QStringLiteral("/event/Order_Status__e:2")),
                      makeEvent(QStringLiteral("I"), QStringLiteral("after"))});
    QCOMPARE(again.size(), 2);
    QVERIFY(again.at(0).duplicate);
    QCOMPARE(again.at(0).stored->id, quint64(4));
    QCOMPARE(again.at(0).stored->ingestKey, QStringLiteral("/event/Order_Status__e:2"));
    QCOMPARE(again.at(1).stored->id, quint64(5));

    const ReplayResult replay = journal.readAfter(QStringLiteral("I"), 0, 10);
    QCOMPARE(idsOf(replay.events), (QList<quint64>{1, 2, 3, 4, 5}));
}

void tst_EventJournal::summaryKeepsStageOfInformation()
{
    EventJournal journal(configFor(journalPath()));
    QString error;
    QVERIFY2(journal.open(&error), qPrintable(error));
    OrderEvent staged = makeEvent(QStringLiteral("S"), QStringLiteral("Active"));
    staged.stage = QStringLiteral("Active");
    OrderEvent information = makeEvent(QStringLiteral("S"), QStringLiteral("Technician booked"));
    information.stage.clear();
    OrderEvent unstaged = makeEvent(QStringLiteral("U"), QStringLiteral("Hello"));
    unstaged.stage.clear();
    QCOMPARE(appendAll(journal, {staged, information, unstaged}).size(), 3);

    const QList<OrderSummary> summaries = journal.orderSummaries();
    QCOMPARE(summaries.size(), 2);
    QCOMPARE(summaries.at(0).orderId, QStringLiteral("S"));
    QCOMPARE(summaries.at(0).lastStatus, QStringLiteral("Technician booked"));
    QCOMPARE(summaries.at(0).lastStage, QStringLiteral("Active"));
    QCOMPARE(summaries.at(0).lastStageEventId, quint64(1));
    QCOMPARE(summaries.at(0).lastEventId, quint64(2));
    QCOMPARE(summaries.at(1).orderId, QStringLiteral("U"));
    QVERIFY(summaries.at(1).lastStage.isEmpty());
    QCOMPARE(summaries.at(1).lastStageEventId, quint64(0));
}

void tst_EventJournal::openMigratesVersion1File()
{
    // A journal as version 1 of the schema wrote it, with two events.
    const QString path = journalPath();
    const QStringList version1 = {
        QStringLiteral("CREATE TABLE events(id INTEGER PRIMARY KEY, order_id TEXT NOT NULL, "
                       "type TEXT NOT NULL, status TEXT NOT NULL, stage TEXT, message TEXT, "
                       "details TEXT NOT NULL, time_ms INTEGER NOT NULL, source TEXT)"),
        QStringLiteral("CREATE INDEX events_by_order ON events(order_id, id)"),
        QStringLiteral("CREATE INDEX events_by_time ON events(time_ms)"),
        QStringLiteral("CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT)"),
        QStringLiteral("CREATE TABLE order_trim(order_id TEXT PRIMARY KEY, "
                       "trimmed_through INTEGER NOT NULL)"),
        QStringLiteral("INSERT INTO meta(key, value) VALUES ('schema_version', '1'), "
                       "('journal_id', 'c0ffee00-0000-4000-8000-000000000001'), "
                       "('last_event_id', '2')"),
        QStringLiteral("INSERT INTO events VALUES (1, 'M', 'order.update', 'Activating', "
                       "'Activating', 'started', '{}', 1700000000000, 'api')"),
        QStringLiteral("INSERT INTO events VALUES (2, 'M', 'order.update', 'Provisioning', "
                       "'Provisioning', 'ordered', '{}', 1700000001000, 'console')"),
    };
    for (const QString &statement : version1)
        QVERIFY2(execOnFile(path, statement), qPrintable(statement));

    {
        EventJournal journal(configFor(path));
        QString error;
        QVERIFY2(journal.open(&error), qPrintable(error));
        QCOMPARE(journal.lastEventId(), quint64(2));
        QCOMPARE(journal.journalId(), QByteArray("c0ffee00-0000-4000-8000-000000000001"));

        const ReplayResult replay = journal.readAfter(QStringLiteral("M"), 0, 10);
        QCOMPARE(idsOf(replay.events), (QList<quint64>{1, 2}));
        QCOMPARE(replay.events.at(1).status, QStringLiteral("Provisioning"));
        QCOMPARE(replay.events.at(1).source, QStringLiteral("console"));
        QVERIFY(replay.events.at(1).publisher.isEmpty());
        QVERIFY(!replay.events.at(1).lifecycleOverride);

        const QList<AppendResult> results = appendForResults(
                journal, {makeIngestEvent(QStringLiteral("M"), QStringLiteral("/event/Order_Status__e:9")),
                          makeIngestEvent(QStringLiteral("M"), QStringLiteral("/event/Order_Status__e:9"))});
        QCOMPARE(results.size(), 2);
        QCOMPARE(results.at(0).stored->id, quint64(3));
        QVERIFY(results.at(1).duplicate);
    }

    // The file now records version 2, and opens again without migrating.
    const QString name = QStringLiteral("tst_eventjournal.version");
    QString version;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        db.setDatabaseName(path);
        QVERIFY(db.open());
        QSqlQuery query(db);
        QVERIFY(query.exec(QStringLiteral("SELECT value FROM meta WHERE key = 'schema_version'")));
        QVERIFY(query.next());
        version = query.value(0).toString();
        query.finish();
        db.close();
    }
    QSqlDatabase::removeDatabase(name);
    QCOMPARE(version, QString::number(EventJournal::SchemaVersion));

    EventJournal journal(configFor(path));
    QString error;
    QVERIFY2(journal.open(&error), qPrintable(error));
    QCOMPARE(journal.readAfter(QStringLiteral("M"), 0, 10).events.size(), 3);
    QCOMPARE(journal.readAfter(QStringLiteral("M"), 0, 10).events.last().publisher,
             QStringLiteral("/event/Order_Status__e"));
}

void tst_EventJournal::failedMigrationLeavesFile()
{
    // A version 1 file whose events table already has a publisher column, so
    // the migration's first ALTER TABLE fails.
    const QString path = journalPath();
    const QStringList version1 = {
        QStringLiteral("CREATE TABLE events(id INTEGER PRIMARY KEY, order_id TEXT NOT NULL, "
                       "type TEXT NOT NULL, status TEXT NOT NULL, stage TEXT, message TEXT, "
                       "details TEXT NOT NULL, time_ms INTEGER NOT NULL, source TEXT, publisher TEXT)"),
        QStringLiteral("CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT)"),
        QStringLiteral("INSERT INTO meta(key, value) VALUES ('schema_version', '1'), "
                       "('journal_id', 'c0ffee00-0000-4000-8000-000000000002'), "
                       "('last_event_id', '1')"),
        QStringLiteral("INSERT INTO events VALUES (1, 'M', 'order.update', 'Activating', "
                       "'Activating', 'started', '{}', 1700000000000, 'api', NULL)"),
    };
    for (const QString &statement : version1)
        QVERIFY2(execOnFile(path, statement), qPrintable(statement));

    EventJournal journal(configFor(path));
    QString error;
    QVERIFY(!journal.open(&error));
    QVERIFY2(error.contains(path), qPrintable(error));
    QVERIFY2(error.contains(QStringLiteral("duplicate column name: publisher")), qPrintable(error));

    // The transaction rolled back: still version 1, with its event.
    const QString name = QStringLiteral("tst_eventjournal.rollback");
    int versionOneRows = 0;
    int events = 0;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        db.setDatabaseName(path);
        QVERIFY(db.open());
        QSqlQuery query(db);
        QVERIFY(query.exec(QStringLiteral("SELECT COUNT(*) FROM meta WHERE key = 'schema_version' "
                                          "AND value = '1'")));
        QVERIFY(query.next());
        versionOneRows = query.value(0).toInt();
        QVERIFY(query.exec(QStringLiteral("SELECT COUNT(*) FROM events")));
        QVERIFY(query.next());
        events = query.value(0).toInt();
        QVERIFY(!db.tables().contains(QStringLiteral("order_trim")));
        query.finish();
        db.close();
    }
    QSqlDatabase::removeDatabase(name);
    QCOMPARE(versionOneRows, 1);
    QCOMPARE(events, 1);
}

void tst_EventJournal::readAfterServesOrResyncs_data()
{
    QTest::addColumn<QString>("orderId");
    QTest::addColumn<quint64>("afterId");
    QTest::addColumn<int>("limit");
    QTest::addColumn<QList<quint64>>("expectedIds");
    QTest::addColumn<bool>("resyncNeeded");
    QTest::addColumn<bool>("truncated");

    QTest::newRow("events after an id") << QStringLiteral("C") << quint64(16) << 10
                                        << QList<quint64>{17} << false << false;
    QTest::newRow("order never trimmed from the start")
            << QStringLiteral("C") << quint64(0) << 10 << QList<quint64>{16, 17} << false << false;
    QTest::newRow("nothing after the last event")
            << QStringLiteral("C") << quint64(17) << 10 << QList<quint64>{} << false << false;
    QTest::newRow("newer than the last event id")
            << QStringLiteral("C") << quint64(100) << 10 << QList<quint64>{} << true << false;
    QTest::newRow("below the trim by count")
            << QStringLiteral("A") << quint64(3) << 10 << QList<quint64>{7, 8, 9, 10} << true
            << false;
    QTest::newRow("at the trim by count")
            << QStringLiteral("A") << quint64(6) << 10 << QList<quint64>{7, 8, 9, 10} << false
            << false;
    QTest::newRow("below the trim by age")
            << QStringLiteral("B") << quint64(12) << 10 << QList<quint64>{14, 15} << true << false;
    QTest::newRow("at the trim by age")
            << QStringLiteral("B") << quint64(13) << 10 << QList<quint64>{14, 15} << false << false;
    QTest::newRow("limit truncates") << QStringLiteral("A") << quint64(6) << 2
                                     << QList<quint64>{7, 8} << false << true;
    QTest::newRow("unknown order") << QStringLiteral("Z") << quint64(5) << 10 << QList<quint64>{}
                                   << false << false;
}

void tst_EventJournal::readAfterServesOrResyncs()
{
    QFETCH(QString, orderId);
    QFETCH(quint64, afterId);
    QFETCH(int, limit);
    QFETCH(QList<quint64>, expectedIds);
    QFETCH(bool, resyncNeeded);
    QFETCH(bool, truncated);

    EventJournal journal(configFor(journalPath()));
    QString error;
    QVERIFY2(journal.open(&error), qPrintable(error));
    QVERIFY(buildTrimmedJournal(journal));

    const ReplayResult replay = journal.readAfter(orderId, afterId, limit);
    QCOMPARE(idsOf(replay.events), expectedIds);
    QCOMPARE(replay.resyncNeeded, resyncNeeded);
    QCOMPARE(replay.resyncReason.isEmpty(), !resyncNeeded);
    QCOMPARE(replay.truncated, truncated);
    QCOMPARE(replay.lastEventId, quint64(17));
    for (const OrderEvent &event : replay.events)
        QCOMPARE(event.orderId, orderId);
}

void tst_EventJournal::orderSummariesAfterRetention()
{
    EventJournal journal(configFor(journalPath()));
    QString error;
    QVERIFY2(journal.open(&error), qPrintable(error));
    QVERIFY(buildTrimmedJournal(journal));

    const QList<OrderSummary> summaries = journal.orderSummaries();
    QCOMPARE(summaries.size(), 3);
    QCOMPARE(summaries.at(0).orderId, QStringLiteral("A"));
    QCOMPARE(summaries.at(0).eventCount, quint64(4));
    QCOMPARE(summaries.at(0).lastEventId, quint64(10));
    QCOMPARE(summaries.at(0).lastStatus, QStringLiteral("step-9"));
    QCOMPARE(summaries.at(0).lastStage, QStringLiteral("warehouse"));
    QVERIFY(summaries.at(0).lastEventTime.isValid());
    QCOMPARE(summaries.at(0).subscribers, 0);
    QCOMPARE(summaries.at(1).orderId, QStringLiteral("B"));
    QCOMPARE(summaries.at(1).eventCount, quint64(2));
    QCOMPARE(summaries.at(1).lastEventId, quint64(15));
    QCOMPARE(summaries.at(2).orderId, QStringLiteral("C"));
    QCOMPARE(summaries.at(2).eventCount, quint64(2));
    QCOMPARE(summaries.at(2).lastEventId, quint64(17));

    const std::optional<OrderSummary> b = journal.orderSummary(QStringLiteral("B"));
    QVERIFY(b);
    QCOMPARE(b->lastStatus, QStringLiteral("recent"));
    QCOMPARE(b->eventCount, quint64(2));
    QVERIFY(!journal.orderSummary(QStringLiteral("missing")));
}

void tst_EventJournal::retentionDeletesInChunks()
{
    // More events than one retention transaction deletes.
    constexpr int Count = 2500;
    constexpr int Keep = 100;
    EventJournal journal(configFor(journalPath()));
    QString error;
    QVERIFY2(journal.open(&error), qPrintable(error));

    // Retention counts a few hundred orders per step, so "ZZZ" is reached
    // only after the 300 orders "S-000" to "S-299" that sort before it.
    QList<OrderEvent> events;
    for (int i = 0; i < Count; ++i)
        events.append(makeEvent(QStringLiteral("BIG"), QStringLiteral("tick")));
    for (int i = 0; i < 300; ++i) {
        const QString orderId = QStringLiteral("S-%1").arg(i, 3, 10, QLatin1Char('0'));
        events.append(makeEvent(orderId, QStringLiteral("tick")));
        events.append(makeEvent(orderId, QStringLiteral("tock")));
    }
    for (int i = 0; i < Keep + 50; ++i)
        events.append(makeEvent(QStringLiteral("ZZZ"), QStringLiteral("tick")));
    QCOMPARE(appendAll(journal, events).size(), events.size());

    journal.setRetention(Keep, 0);
    journal.runRetentionNow();

    const std::optional<OrderSummary> big = journal.orderSummary(QStringLiteral("BIG"));
    QVERIFY(big);
    QCOMPARE(big->eventCount, quint64(Keep));
    QCOMPARE(big->lastEventId, quint64(Count));
    QVERIFY(journal.readAfter(QStringLiteral("BIG"), Count - Keep - 1, 10).resyncNeeded);
    const ReplayResult newest = journal.readAfter(QStringLiteral("BIG"), Count - Keep, Count);
    QVERIFY(!newest.resyncNeeded);
    QCOMPARE(newest.events.size(), Keep);
    QCOMPARE(newest.events.first().id, quint64(Count - Keep + 1));
    QCOMPARE(journal.orderSummary(QStringLiteral("S-000"))->eventCount, quint64(2));
    QCOMPARE(journal.orderSummary(QStringLiteral("S-299"))->eventCount, quint64(2));
    QCOMPARE(journal.orderSummary(QStringLiteral("ZZZ"))->eventCount, quint64(Keep));
    QCOMPARE(journal.orderSummaries().size(), 302);
}

void tst_EventJournal::retentionRunsOnItsInterval()
{
    JournalConfig config = configFor(journalPath());
    config.maxAgeSeconds = 3600;
    config.retentionIntervalMs = 50;
    EventJournal journal(config);
    QString error;
    QVERIFY2(journal.open(&error), qPrintable(error));

    const QList<OrderEvent> stored = appendAll(
            journal, {makeEvent(QStringLiteral("OLD"), QStringLiteral("x"), minutesAgo(120)),
                      makeEvent(QStringLiteral("NEW"), QStringLiteral("x"))});
    QCOMPARE(stored.size(), 2);

    QTRY_VERIFY_WITH_TIMEOUT(!journal.orderSummary(QStringLiteral("OLD")), 10000);
    QVERIFY(journal.orderSummary(QStringLiteral("NEW")));
}

void tst_EventJournal::queryFilters_data()
{
    QTest::addColumn<QString>("orderId");
    QTest::addColumn<QString>("status");
    QTest::addColumn<int>("fromMinute");
    QTest::addColumn<int>("toMinute");
    QTest::addColumn<quint64>("beforeId");
    QTest::addColumn<int>("limit");
    QTest::addColumn<QList<quint64>>("expectedIds");

    // Minute -1 leaves that end of the time range open.
    QTest::newRow("all events newest first")
            << QString() << QString() << -1 << -1 << quint64(0) << 500
            << QList<quint64>{6, 5, 4, 3, 2, 1};
    QTest::newRow("by order") << QStringLiteral("A") << QString() << -1 << -1 << quint64(0) << 500
                              << QList<quint64>{5, 3, 1};
    QTest::newRow("by status ignoring case") << QString() << QStringLiteral("shipped") << -1 << -1
                                             << quint64(0) << 500 << QList<quint64>{6, 4, 3};
    QTest::newRow("by order and status") << QStringLiteral("A") << QStringLiteral("SHIPPED") << -1
                                         << -1 << quint64(0) << 500 << QList<quint64>{3};
    QTest::newRow("by time range, end excluded")
            << QString() << QString() << 1 << 4 << quint64(0) << 500 << QList<quint64>{4, 3, 2};
    QTest::newRow("from a time on") << QString() << QString() << 4 << -1 << quint64(0) << 500
                                    << QList<quint64>{6, 5};
    QTest::newRow("paging with beforeId")
            << QString() << QString() << -1 << -1 << quint64(4) << 2 << QList<quint64>{3, 2};
    QTest::newRow("limit keeps the newest")
            << QString() << QString() << -1 << -1 << quint64(0) << 3 << QList<quint64>{6, 5, 4};
    QTest::newRow("unknown order") << QStringLiteral("Z") << QString() << -1 << -1 << quint64(0)
                                   << 500 << QList<quint64>{};
    QTest::newRow("zero limit") << QString() << QString() << -1 << -1 << quint64(0) << 0
                                << QList<quint64>{};
}

void tst_EventJournal::queryFilters()
{
    QFETCH(QString, orderId);
    QFETCH(QString, status);
    QFETCH(int, fromMinute);
    QFETCH(int, toMinute);
    QFETCH(quint64, beforeId);
    QFETCH(int, limit);
    QFETCH(QList<quint64>, expectedIds);

    EventJournal journal(configFor(journalPath()));
    QString error;
    QVERIFY2(journal.open(&error), qPrintable(error));

    const QDateTime start = minutesAgo(60);
    const auto at = [&start](int minute) { return start.addSecs(qint64(minute) * 60); };
    const QList<OrderEvent> stored = appendAll(
            journal, {makeEvent(QStringLiteral("A"), QStringLiteral("created"), at(0)),
                      makeEvent(QStringLiteral("B"), QStringLiteral("created"), at(1)),
                      makeEvent(QStringLiteral("A"), QStringLiteral("Shipped"), at(2)),
                      makeEvent(QStringLiteral("C"), QStringLiteral("shipped"), at(3)),
                      makeEvent(QStringLiteral("A"), QStringLiteral("delivered"), at(4)),
                      makeEvent(QStringLiteral("B"), QStringLiteral("SHIPPED"), at(5))});
    QCOMPARE(idsOf(stored), (QList<quint64>{1, 2, 3, 4, 5, 6}));

    JournalQuery query;
    query.orderId = orderId;
    query.status = status;
    if (fromMinute >= 0)
        query.from = at(fromMinute);
    if (toMinute >= 0)
        query.to = at(toMinute);
    query.beforeId = beforeId;
    query.limit = limit;
    QCOMPARE(idsOf(journal.query(query)), expectedIds);
}

void tst_EventJournal::readsFromPlainThreads()
{
    constexpr int ThreadCount = 4;
    constexpr int ReadsPerThread = 25;
    EventJournal journal(configFor(journalPath()));
    QString error;
    QVERIFY2(journal.open(&error), qPrintable(error));

    QList<OrderEvent> events;
    for (int i = 0; i < 100; ++i)
        events.append(makeEvent(QStringLiteral("R-%1").arg(i % ThreadCount), QStringLiteral("x")));
    QCOMPARE(appendAll(journal, events).size(), 100);

    // Each thread reads while this thread keeps appending.
    std::atomic<int> wrongReads{0};
    std::vector<std::thread> readers;
    for (int t = 0; t < ThreadCount; ++t) {
        readers.emplace_back([&journal, &wrongReads, t] {
            const QString orderId = QStringLiteral("R-%1").arg(t);
            for (int i = 0; i < ReadsPerThread; ++i) {
                const ReplayResult replay = journal.readAfter(orderId, 0, 1000);
                const bool ok = !replay.resyncNeeded && replay.events.size() >= 25
                        && journal.orderSummary(orderId).has_value();
                if (!ok)
                    wrongReads.fetch_add(1);
            }
        });
    }
    QList<OrderEvent> more;
    for (int i = 0; i < 200; ++i)
        more.append(makeEvent(QStringLiteral("R-%1").arg(i % ThreadCount), QStringLiteral("y")));
    QCOMPARE(appendAll(journal, more).size(), 200);
    for (std::thread &reader : readers)
        reader.join();
    QCOMPARE(wrongReads.load(), 0);

    // Threads that ended took their read connections with them.
    QVERIFY(journalConnectionNames(QStringLiteral("reader")).isEmpty());
    QCOMPARE(journal.readAfter(QStringLiteral("R-0"), 0, 1000).events.size(), 75);
    QCOMPARE(journalConnectionNames(QStringLiteral("reader")).size(), 1);

    // close() removes the connection of a thread that is still running, and
    // that thread's reads return nothing afterwards.
    std::promise<void> readDone;
    std::promise<void> closed;
    std::shared_future<void> closedFuture = closed.get_future().share();
    std::atomic<bool> readAfterCloseEmpty{false};
    std::thread lingering([&] {
        journal.readAfter(QStringLiteral("R-1"), 0, 10);
        readDone.set_value();
        closedFuture.wait_for(CallbackTimeout);
        const ReplayResult replay = journal.readAfter(QStringLiteral("R-1"), 0, 10);
        readAfterCloseEmpty = replay.events.isEmpty() && replay.resyncNeeded;
    });
    QVERIFY(readDone.get_future().wait_for(CallbackTimeout) == std::future_status::ready);
    QCOMPARE(journalConnectionNames(QStringLiteral("reader")).size(), 2);

    journal.close();
    QVERIFY(journalConnectionNames(QString()).isEmpty());
    closed.set_value();
    lingering.join();
    QVERIFY(readAfterCloseEmpty.load());
    QVERIFY(journalConnectionNames(QString()).isEmpty());
}

void tst_EventJournal::openCreatesMissingFolder()
{
    const QString path = m_dir->filePath(QStringLiteral("data/journals/orders.db"));
    EventJournal journal(configFor(path));
    QString error;
    QVERIFY2(journal.open(&error), qPrintable(error));
    QVERIFY(QFile::exists(path));
    QVERIFY(appendOne(journal, makeEvent(QStringLiteral("A"), QStringLiteral("created"))));
}

void tst_EventJournal::openRecoversCommitsFromWal()
{
    // Copies of the files taken while the journal is open look like the files
    // a killed process leaves, with the commits still in the WAL.
    const QString crashedPath = m_dir->filePath(QStringLiteral("crashed/journal.db"));
    QVERIFY(QDir().mkpath(QFileInfo(crashedPath).absolutePath()));
    {
        EventJournal journal(configFor(journalPath()));
        QString error;
        QVERIFY2(journal.open(&error), qPrintable(error));
        QList<OrderEvent> events;
        for (int i = 0; i < 50; ++i)
            events.append(makeEvent(QStringLiteral("W"), QStringLiteral("x")));
        QCOMPARE(appendAll(journal, events).size(), 50);

        QVERIFY(QFileInfo(journalPath() + QStringLiteral("-wal")).size() > 0);
        QVERIFY(QFile::copy(journalPath(), crashedPath));
        QVERIFY(QFile::copy(journalPath() + QStringLiteral("-wal"),
                            crashedPath + QStringLiteral("-wal")));
    }

    EventJournal journal(configFor(crashedPath));
    QString error;
    QVERIFY2(journal.open(&error), qPrintable(error));
    QCOMPARE(journal.lastEventId(), quint64(50));
    QCOMPARE(journal.readAfter(QStringLiteral("W"), 0, 100).events.size(), 50);
    const std::optional<OrderEvent> next =
            appendOne(journal, makeEvent(QStringLiteral("W"), QStringLiteral("after")));
    QVERIFY(next);
    QCOMPARE(next->id, quint64(51));
}

void tst_EventJournal::openReportsIdentityAndSize()
{
    EventJournal journal(configFor(journalPath()));
    QVERIFY(journal.journalId().isEmpty());
    QCOMPARE(journal.path(), journalPath());
    QString error;
    QVERIFY2(journal.open(&error), qPrintable(error));
    QVERIFY(journal.isOpen());

    const QByteArray journalId = journal.journalId();
    QCOMPARE(journalId.size(), 36);
    QVERIFY(!QUuid::fromString(QLatin1String(journalId)).isNull());
    QVERIFY(appendOne(journal, makeEvent(QStringLiteral("A"), QStringLiteral("created"))));
    QVERIFY(journal.fileSizeBytes() > 0);

    // A second journal on the same file is rejected while the first is open.
    EventJournal second(configFor(journalPath()));
    QVERIFY(!second.open(&error));
    QVERIFY2(error.contains(journalPath()), qPrintable(error));
    QVERIFY2(error.contains(QStringLiteral("in use")), qPrintable(error));
}

void tst_EventJournal::openRejectsBadFile_data()
{
    QTest::addColumn<QString>("scenario");
    QTest::addColumn<QString>("expectedText");

    QTest::newRow("random bytes") << QStringLiteral("random") << QStringLiteral("not an SQLite");
    QTest::newRow("corrupt pages") << QStringLiteral("corrupt") << QStringLiteral("corrupt");
    QTest::newRow("folder is a regular file")
            << QStringLiteral("folderIsFile") << QStringLiteral("cannot create folder");
    QTest::newRow("newer schema version")
            << QStringLiteral("newerSchema") << QStringLiteral("newer");
    QTest::newRow("database of another program")
            << QStringLiteral("otherDatabase") << QStringLiteral("not an OrderStream journal");
}

void tst_EventJournal::openRejectsBadFile()
{
    QFETCH(QString, scenario);
    QFETCH(QString, expectedText);

    QString path = journalPath();
    // The file whose bytes must be unchanged after the failed open().
    QString guardedFile = path;

    if (scenario == QStringLiteral("random")) {
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        QByteArray bytes(64 * 1024, Qt::Uninitialized);
        quint32 state = 12345;
        for (char &byte : bytes) {
            state = state * 1103515245u + 12345u;
            byte = char(state >> 24);
        }
        file.write(bytes);
    } else if (scenario == QStringLiteral("corrupt")) {
        {
            EventJournal journal(configFor(path));
            QString error;
            QVERIFY2(journal.open(&error), qPrintable(error));
            QList<OrderEvent> events;
            for (int i = 0; i < 2000; ++i) {
                OrderEvent event = makeEvent(QStringLiteral("K-%1").arg(i % 50), QStringLiteral("x"));
                event.message = QString(200, QLatin1Char('m'));
                events.append(event);
            }
            QCOMPARE(appendAll(journal, events).size(), 2000);
        }
        QVERIFY(!QFile::exists(path + QStringLiteral("-wal")));

        // Overwrite three whole pages in the middle of the file.
        constexpr qint64 PageSize = 4096;
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadWrite));
        QVERIFY(file.size() > 20 * PageSize);
        QVERIFY(file.seek(file.size() / 2 / PageSize * PageSize));
        file.write(QByteArray(3 * PageSize, char(0xA5)));
    } else if (scenario == QStringLiteral("folderIsFile")) {
        guardedFile = m_dir->filePath(QStringLiteral("afile"));
        QFile file(guardedFile);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("a regular file, not a folder\n");
        path = guardedFile + QStringLiteral("/journal.db");
    } else if (scenario == QStringLiteral("newerSchema")) {
        {
            EventJournal journal(configFor(path));
            QString error;
            QVERIFY2(journal.open(&error), qPrintable(error));
            QVERIFY(appendOne(journal, makeEvent(QStringLiteral("A"), QStringLiteral("created"))));
        }
        QVERIFY(execOnFile(path, QStringLiteral("UPDATE meta SET value = '%1' "
                                                "WHERE key = 'schema_version'")
                                         .arg(EventJournal::SchemaVersion + 1)));
    } else if (scenario == QStringLiteral("otherDatabase")) {
        QVERIFY(execOnFile(path, QStringLiteral("CREATE TABLE customers(id INTEGER PRIMARY KEY)")));
    } else {
        QFAIL("unknown scenario");
    }

    const QByteArray before = readFileBytes(guardedFile);
    QVERIFY(!before.isEmpty());

    EventJournal journal(configFor(path));
    QString error;
    QVERIFY(!journal.open(&error));
    QVERIFY2(error.contains(path), qPrintable(error));
    QVERIFY2(error.contains(expectedText), qPrintable(error));
    QVERIFY(!journal.isOpen());
    QVERIFY(!journal.append(makeEvent(QStringLiteral("A"), QStringLiteral("x")), {}));
    journal.close();

    QVERIFY(readFileBytes(guardedFile) == before);
    QVERIFY(journalConnectionNames(QString()).isEmpty());
    for (const char *suffix : {"-wal", "-shm", ".lock"}) {
        const QString sideFile = path + QLatin1String(suffix);
        QVERIFY2(!QFile::exists(sideFile), qPrintable(sideFile));
    }
}

QTEST_GUILESS_MAIN(tst_EventJournal)
#include "tst_eventjournal.moc"
