#include "eventjournal.h"

#include "logging.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QJsonDocument>
#include <QLockFile>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QUrl>
#include <QUuid>

#include <pthread.h>

#include <algorithm>
#include <chrono>
#include <future>
#include <iterator>
#include <limits>
#include <unordered_map>
#include <utility>
#include <vector>

namespace {

// Rows deleted per retention transaction, so that a pass delays a waiting
// batch of appends by one small transaction at a time.
constexpr int RetentionChunkRows = 1000;
// Orders counted per retention step when looking for orders over the limit.
constexpr int RetentionOrdersPerScan = 256;

// The column order that eventFromQuery() reads.
const QLatin1String EventColumns(
        "id, order_id, type, status, stage, message, details, time_ms, source, publisher, "
        "lifecycle_override, ingest_key");

// Every SQLite database file starts with these 16 bytes.
const QByteArray SqliteHeader("SQLite format 3\0", 16);

std::atomic<quint64> g_connectionSerial{0};

QString uniqueConnectionName(QLatin1String role)
{
    return QStringLiteral("orderstream.journal.%1.%2").arg(role).arg(++g_connectionSerial);
}

bool execSql(QSqlDatabase &db, const QString &sql, QString *error)
{
    QSqlQuery query(db);
    if (query.exec(sql))
        return true;
    *error = query.lastError().text();
    return false;
}

bool execPrepared(QSqlQuery &query, QString *error)
{
    if (query.exec())
        return true;
    *error = query.lastError().text();
    return false;
}

// Binds a null QString as '' so that it satisfies a NOT NULL column.
QVariant notNullText(const QString &text)
{
    return text.isNull() ? QVariant(QStringLiteral("")) : QVariant(text);
}

OrderEvent eventFromQuery(const QSqlQuery &query)
{
    OrderEvent event;
    event.id = query.value(0).toULongLong();
    event.orderId = query.value(1).toString();
    event.type = query.value(2).toString();
    event.status = query.value(3).toString();
    event.stage = query.value(4).toString();
    event.message = query.value(5).toString();
    event.details = QJsonDocument::fromJson(query.value(6).toString().toUtf8()).object();
    event.time = QDateTime::fromMSecsSinceEpoch(query.value(7).toLongLong(), Qt::UTC);
    event.source = query.value(8).toString();
    event.publisher = query.value(9).toString();
    event.lifecycleOverride = query.value(10).toInt() != 0;
    event.ingestKey = query.value(11).toString();
    return event;
}

// The first and last id assigned to one batch.
struct IdRange
{
    quint64 first = 0;
    quint64 last = 0;
};

// One retention pass in progress. The writer runs it one bounded step at a
// time, between batches of appends.
struct RetentionPass
{
    enum class Phase { DeleteOld, FindOrdersOverLimit, TrimOrders };

    bool active = false;
    Phase phase = Phase::DeleteOld;
    // The highest runRetentionNow() ticket issued before the pass started.
    quint64 ticket = 0;
    int maxEventsPerOrder = 0;
    qint64 maxAgeSeconds = 0;
    // Events with time_ms below this are deleted when maxAgeSeconds > 0.
    qint64 cutoffMs = 0;
    // Orders are counted in order_id order, starting after this one once
    // scanStarted is set. The first scan also covers an empty order id.
    QString scanAfterOrderId;
    bool scanStarted = false;
    bool scanFinished = false;
    // Orders over the limit, each with the newest id to delete.
    std::deque<std::pair<QString, quint64>> ordersToTrim;
    qint64 removedByAge = 0;
    qint64 removedByCount = 0;
    QElapsedTimer timer;
};

// Deletes the rows (id, order_id) that selectSql returns and raises
// order_trim.trimmed_through of their orders, in one transaction.
bool deleteSelectedEvents(QSqlDatabase &db, const QString &selectSql,
                          const QVariantList &selectValues, qint64 *removed, QString *error)
{
    *removed = 0;
    if (!execSql(db, QStringLiteral("BEGIN IMMEDIATE"), error))
        return false;

    std::vector<qint64> ids;
    QHash<QString, qint64> highestIdPerOrder;
    bool ok = true;
    {
        QSqlQuery select(db);
        select.setForwardOnly(true);
        ok = select.prepare(selectSql);
        for (int i = 0; ok && i < selectValues.size(); ++i)
            select.bindValue(i, selectValues.at(i));
        ok = ok && execPrepared(select, error);
        while (ok && select.next()) {
            const qint64 id = select.value(0).toLongLong();
            const QString orderId = select.value(1).toString();
            ids.push_back(id);
            qint64 &highest = highestIdPerOrder[orderId];
            highest = std::max(highest, id);
        }
        if (!ok && error->isEmpty())
            *error = select.lastError().text();
    }

    if (ok && !ids.empty()) {
        QSqlQuery deleteEvent(db);
        ok = deleteEvent.prepare(QStringLiteral("DELETE FROM events WHERE id = ?"));
        for (size_t i = 0; ok && i < ids.size(); ++i) {
            deleteEvent.bindValue(0, ids[i]);
            ok = execPrepared(deleteEvent, error);
        }

        QSqlQuery raiseTrim(db);
        ok = ok
                && raiseTrim.prepare(QStringLiteral(
                        "INSERT INTO order_trim(order_id, trimmed_through) VALUES(?, ?) "
                        "ON CONFLICT(order_id) DO UPDATE SET "
                        "trimmed_through = max(trimmed_through, excluded.trimmed_through)"));
        for (auto it = highestIdPerOrder.cbegin(); ok && it != highestIdPerOrder.cend(); ++it) {
            raiseTrim.bindValue(0, it.key());
            raiseTrim.bindValue(1, it.value());
            ok = execPrepared(raiseTrim, error);
        }
        if (!ok && error->isEmpty())
            *error = deleteEvent.lastError().text() + raiseTrim.lastError().text();
    }

    ok = ok && execSql(db, QStringLiteral("COMMIT"), error);
    if (!ok) {
        QString ignored;
        execSql(db, QStringLiteral("ROLLBACK"), &ignored);
        return false;
    }
    *removed = qint64(ids.size());
    return true;
}

// The open() checks that run before the file is opened for writing.
// Returns an empty string when the file may be opened, or the reason it may not.
QString checkExistingFile(const QString &path)
{
    QFile file(path);
    if (!file.exists() || file.size() == 0)
        return {};

    if (!file.open(QIODevice::ReadOnly)) {
        return EventJournal::tr("journal file %1 cannot be read: %2. Check its permissions.")
                .arg(path, file.errorString());
    }
    const QByteArray header = file.read(100);
    file.close();
    if (header.size() < 100 || !header.startsWith(SqliteHeader)) {
        return EventJournal::tr("journal file %1 is not an SQLite database. Move it away or "
                                "set another journal path; the file was left unchanged.")
                .arg(path);
    }

    // A read-only connection cannot write to the file, not even the
    // checkpoint that a read-write connection runs when it closes. Without a
    // WAL to read, immutable=1 also keeps SQLite from creating the -wal and
    // -shm files next to a file that may be rejected. A WAL with content
    // contains commits that a crash left unmerged, so then the check reads it.
    const QFileInfo wal(path + QStringLiteral("-wal"));
    const bool walHasContent = wal.exists() && wal.size() > 0;
    const QString connectionName = uniqueConnectionName(QLatin1String("check"));
    QString problem;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), connectionName);
        if (walHasContent) {
            db.setDatabaseName(path);
            db.setConnectOptions(QStringLiteral("QSQLITE_OPEN_READONLY"));
        } else {
            QUrl uri = QUrl::fromLocalFile(QFileInfo(path).absoluteFilePath());
            uri.setQuery(QStringLiteral("immutable=1"));
            db.setDatabaseName(uri.toString(QUrl::FullyEncoded));
            db.setConnectOptions(QStringLiteral("QSQLITE_OPEN_READONLY;QSQLITE_OPEN_URI"));
        }
        problem = [&]() -> QString {
            if (!db.open()) {
                return EventJournal::tr("journal file %1 cannot be opened: %2.")
                        .arg(path, db.lastError().text());
            }

            QSqlQuery query(db);
            if (!query.exec(QStringLiteral("PRAGMA quick_check"))) {
                return EventJournal::tr("journal file %1 is corrupt or not a database (%2). "
                                        "Restore it from a backup, or move it away to start "
                                        "a new journal; the file was left unchanged.")
                        .arg(path, query.lastError().text());
            }
            // quick_check returns "ok" or up to 100 rows of findings, and a row may
            // span several lines. The message keeps the first three lines.
            QStringList findings;
            while (query.next() && findings.size() < 3) {
                const QStringList lines = query.value(0).toString().split(
                        QLatin1Char('\n'), Qt::SkipEmptyParts);
                findings.append(lines.mid(0, 3 - findings.size()));
            }
            if (findings != QStringList{QStringLiteral("ok")}) {
                return EventJournal::tr("journal file %1 is corrupt: PRAGMA quick_check "
                                        "reported \"%2\". Restore it from a backup, or move "
                                        "it away to start a new journal; the file was left "
                                        "unchanged.")
                        .arg(path, findings.join(QStringLiteral("; ")));
            }

            const QStringList tables = db.tables(QSql::Tables);
            if (tables.isEmpty())
                return {};
            if (!tables.contains(QStringLiteral("meta"))) {
                return EventJournal::tr("%1 is an SQLite database but not an OrderStream "
                                        "journal (it has no meta table). Set another journal "
                                        "path; the file was left unchanged.")
                        .arg(path);
            }
            if (!query.exec(QStringLiteral(
                        "SELECT value FROM meta WHERE key = 'schema_version'"))) {
                return EventJournal::tr("journal file %1 cannot be read: %2.")
                        .arg(path, query.lastError().text());
            }
            bool isNumber = false;
            const int version = query.next() ? query.value(0).toInt(&isNumber) : 0;
            if (!isNumber) {
                return EventJournal::tr("journal file %1 has no valid schema_version in its "
                                        "meta table. Set another journal path; the file was "
                                        "left unchanged.")
                        .arg(path);
            }
            if (version > EventJournal::SchemaVersion) {
                return EventJournal::tr("journal file %1 has schema version %2, which is newer "
                                        "than version %3 that this build of OrderStream "
                                        "reads. Run a newer OrderStream, or set another "
                                        "journal path; the file was left unchanged.")
                        .arg(path)
                        .arg(version)
                        .arg(EventJournal::SchemaVersion);
            }
            if (version < 1) {
                return EventJournal::tr("journal file %1 has an invalid schema version %2. Set "
                                        "another journal path; the file was left unchanged.")
                        .arg(path)
                        .arg(version);
            }
            return {};
        }();
        db.close();
    }
    QSqlDatabase::removeDatabase(connectionName);
    return problem;
}

const QStringList &schemaStatements()
{
    static const QStringList statements = {
        QStringLiteral("CREATE TABLE IF NOT EXISTS events("
                       "id INTEGER PRIMARY KEY, order_id TEXT NOT NULL, type TEXT NOT NULL, "
                       "status TEXT NOT NULL, stage TEXT, message TEXT, details TEXT NOT NULL, "
                       "time_ms INTEGER NOT NULL, source TEXT, publisher TEXT, "
                       "lifecycle_override INTEGER NOT NULL DEFAULT 0, ingest_key TEXT)"),
        QStringLiteral("CREATE INDEX IF NOT EXISTS events_by_order ON events(order_id, id)"),
        QStringLiteral("CREATE INDEX IF NOT EXISTS events_by_time ON events(time_ms)"),
        QStringLiteral("CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT)"),
        QStringLiteral("CREATE TABLE IF NOT EXISTS order_trim("
                       "order_id TEXT PRIMARY KEY, trimmed_through INTEGER NOT NULL)"),
    };
    return statements;
}

// Statements that bring a version 1 events table to version 2, run in the
// transaction that creates the schema.
const QStringList &migrationToVersion2()
{
    static const QStringList statements = {
        QStringLiteral("ALTER TABLE events ADD COLUMN publisher TEXT"),
        QStringLiteral("ALTER TABLE events ADD COLUMN lifecycle_override INTEGER NOT NULL DEFAULT 0"),
        QStringLiteral("ALTER TABLE events ADD COLUMN ingest_key TEXT"),
        QStringLiteral("UPDATE meta SET value = '2' WHERE key = 'schema_version'"),
    };
    return statements;
}

// Makes the writer's lookup of an ingest key fast, and rejects a second row
// with the same key should one get past that lookup. Events without a key
// are not indexed.
const QLatin1String IngestKeyIndex("CREATE UNIQUE INDEX IF NOT EXISTS events_by_ingest_key "
                                   "ON events(ingest_key) WHERE ingest_key IS NOT NULL");

// Reads one value of the meta table into value, a null QVariant when the key
// is missing. Returns false with error set when the statement fails.
bool readMeta(QSqlDatabase &db, const QString &key, QVariant *value, QString *error)
{
    QSqlQuery query(db);
    query.prepare(QStringLiteral("SELECT value FROM meta WHERE key = ?"));
    query.bindValue(0, key);
    if (!execPrepared(query, error))
        return false;
    *value = query.next() ? query.value(0) : QVariant();
    return true;
}

} // namespace

// Read connections of one open journal, one per thread that has read.
class EventJournal::ReaderRegistry
{
public:
    ReaderRegistry(const QString &path, int busyTimeoutMs)
        : m_path(path), m_busyTimeoutMs(busyTimeoutMs)
    {
    }

    // Returns the calling thread's connection and whether this call created it.
    std::pair<QSqlDatabase, bool> connectionForCurrentThread()
    {
        const std::thread::id thread = std::this_thread::get_id();
        QString name;
        {
            std::lock_guard lock(m_mutex);
            const auto found = m_connections.find(thread);
            if (found != m_connections.end())
                return {QSqlDatabase::database(found->second, false), false};
            name = uniqueConnectionName(QLatin1String("reader"));
            m_connections.emplace(thread, name);
        }

        // Only this thread uses the entry just added, so the rest runs unlocked.
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        db.setDatabaseName(m_path);
        db.setConnectOptions(QStringLiteral("QSQLITE_OPEN_READONLY;QSQLITE_BUSY_TIMEOUT=%1")
                                     .arg(m_busyTimeoutMs));
        return {db, true};
    }

    // Removes the connection of a thread that is ending, on that thread.
    void releaseThread(std::thread::id thread)
    {
        QString name;
        {
            std::lock_guard lock(m_mutex);
            const auto found = m_connections.find(thread);
            if (found == m_connections.end())
                return;
            name = found->second;
            m_connections.erase(found);
        }
        QSqlDatabase::removeDatabase(name);
    }

    // Removes every connection. The caller ensures that no read is running.
    // NOTE: the connection of a thread that is still alive is removed from the
    // calling thread, although Qt documents a connection as usable only on the
    // thread that created it. Qt 6.4's removeDatabase() has no thread check,
    // and the SQLite driver it deletes posts no events and starts no timers.
    void removeAll()
    {
        std::unordered_map<std::thread::id, QString> connections;
        {
            std::lock_guard lock(m_mutex);
            connections.swap(m_connections);
        }
        for (const auto &[thread, name] : connections)
            QSqlDatabase::removeDatabase(name);
    }

private:
    const QString m_path;
    const int m_busyTimeoutMs;
    std::mutex m_mutex;
    std::unordered_map<std::thread::id, QString> m_connections;
};

namespace {

// Removes the read connections a thread created when the thread ends, so that
// short-lived threads do not leave connections behind until close().
struct ThreadReadConnections
{
    ~ThreadReadConnections()
    {
        for (const auto &[registry, release] : releases) {
            if (!registry.expired())
                release();
        }
    }

    void add(std::weak_ptr<void> registry, std::function<void()> release)
    {
        const auto expired = [](const auto &entry) { return entry.first.expired(); };
        releases.erase(std::remove_if(releases.begin(), releases.end(), expired), releases.end());
        releases.emplace_back(std::move(registry), std::move(release));
    }

    std::vector<std::pair<std::weak_ptr<void>, std::function<void()>>> releases;
};

thread_local ThreadReadConnections t_readConnections;

} // namespace

// State that only the writer thread touches.
struct EventJournal::WriterState
{
    QString connectionName;
    std::unique_ptr<QLockFile> lockFile;
    std::unique_ptr<QSqlQuery> insertEvent;
    std::unique_ptr<QSqlQuery> findIngestKey;
    std::unique_ptr<QSqlQuery> updateLastEventId;
    quint64 nextId = 1;
    RetentionPass retention;
    // The first pass runs right after open(), later ones every retentionIntervalMs.
    bool firstRetentionDue = true;
    std::chrono::steady_clock::time_point nextRetention;
};

EventJournal::EventJournal(const JournalConfig &config)
    : m_config(config)
    , m_maxEventsPerOrder(config.maxEventsPerOrder)
    , m_maxAgeSeconds(config.maxAgeSeconds)
{
}

EventJournal::~EventJournal()
{
    close();
}

bool EventJournal::open(QString *errorMessage)
{
    std::lock_guard lifecycle(m_lifecycleMutex);
    if (m_writerThread.joinable()) {
        if (errorMessage)
            *errorMessage = tr("journal file %1 is already open").arg(m_config.path);
        return false;
    }

    {
        std::lock_guard lock(m_mutex);
        m_pending.clear();
        m_stopRequested = false;
        m_writerDrained = false;
        m_readersClosed = false;
    }

    auto openResult = std::make_shared<std::promise<QString>>();
    std::future<QString> openError = openResult->get_future();
    m_writerThread = std::thread([this, openResult] { runWriter(openResult); });
    const QString error = openError.get();
    if (!error.isEmpty()) {
        m_writerThread.join();
        if (errorMessage)
            *errorMessage = error;
        return false;
    }

    {
        std::unique_lock gate(m_readGate);
        m_readers = std::make_shared<ReaderRegistry>(m_config.path, m_config.busyTimeoutMs);
    }
    QByteArray journalId;
    {
        std::lock_guard lock(m_mutex);
        m_acceptingAppends = true;
        journalId = m_journalId;
    }
    qCInfo(lcJournal, "opened journal %ls: journal id %s, last event id %llu, synchronous=%s",
           qUtf16Printable(m_config.path), journalId.constData(), m_lastEventId.load(),
           m_config.syncFull ? "FULL" : "NORMAL");
    return true;
}

void EventJournal::close()
{
    if (isWriterThread()) {
        qCWarning(lcJournal, "close() called from a commit callback of journal %ls; ignored",
                  qUtf16Printable(m_config.path));
        return;
    }

    std::lock_guard lifecycle(m_lifecycleMutex);
    if (!m_writerThread.joinable())
        return;

    // The writer commits what is queued and waits until the read connections
    // are gone, so that its own close is the last one. SQLite then
    // checkpoints the WAL into the database and deletes the WAL file.
    {
        std::unique_lock lock(m_mutex);
        m_acceptingAppends = false;
        m_stopRequested = true;
        m_writerWake.notify_all();
        m_writerStateChanged.wait(lock, [this] { return m_writerDrained; });
    }
    {
        std::unique_lock gate(m_readGate);
        if (m_readers)
            m_readers->removeAll();
        m_readers.reset();
    }
    {
        std::lock_guard lock(m_mutex);
        m_readersClosed = true;
        m_writerWake.notify_all();
    }
    m_writerThread.join();

    qCInfo(lcJournal, "closed journal %ls at event id %llu", qUtf16Printable(m_config.path),
           m_lastEventId.load());
}

bool EventJournal::isOpen() const
{
    std::lock_guard lock(m_mutex);
    return m_acceptingAppends;
}

bool EventJournal::append(OrderEvent event, CommitCallback committed)
{
    {
        std::lock_guard lock(m_mutex);
        if (!m_acceptingAppends)
            return false;
        if (m_pending.size() >= size_t(std::max(1, m_config.maxPendingAppends)))
            return false;

        if (!event.time.isValid())
            event.time = QDateTime::currentDateTimeUtc();
        m_pending.push_back(PendingAppend{std::move(event), std::move(committed)});
    }
    m_writerWake.notify_all();
    return true;
}

quint64 EventJournal::lastEventId() const
{
    return m_lastEventId.load();
}

qint64 EventJournal::fileSizeBytes() const
{
    const QFileInfo database(m_config.path);
    const QFileInfo wal(m_config.path + QStringLiteral("-wal"));
    return (database.exists() ? database.size() : 0) + (wal.exists() ? wal.size() : 0);
}

QString EventJournal::path() const
{
    return m_config.path;
}

QByteArray EventJournal::journalId() const
{
    std::lock_guard lock(m_mutex);
    return m_journalId;
}

void EventJournal::setRetention(int maxEventsPerOrder, qint64 maxAgeSeconds)
{
    std::lock_guard lock(m_mutex);
    m_maxEventsPerOrder = maxEventsPerOrder;
    m_maxAgeSeconds = maxAgeSeconds;
}

void EventJournal::runRetentionNow()
{
    if (isWriterThread()) {
        qCWarning(lcJournal, "runRetentionNow() called from a commit callback of journal %ls; "
                             "ignored", qUtf16Printable(m_config.path));
        return;
    }

    std::unique_lock lock(m_mutex);
    if (!m_writerRunning || m_stopRequested)
        return;
    const quint64 ticket = ++m_retentionTicketsIssued;
    m_writerWake.notify_all();
    m_writerStateChanged.wait(lock, [this, ticket] {
        return m_retentionTicketsFinished >= ticket || !m_writerRunning || m_stopRequested;
    });
}

bool EventJournal::isWriterThread() const
{
    return m_writerThreadId.load() == std::this_thread::get_id();
}

// --- Writer thread -----------------------------------------------------------

void EventJournal::runWriter(std::shared_ptr<std::promise<QString>> openResult)
{
    pthread_setname_np(pthread_self(), "os-journal");
    m_writerThreadId.store(std::this_thread::get_id());

    WriterState writer;
    QString error;
    if (!openDatabase(writer, &error)) {
        closeDatabase(writer);
        m_writerThreadId.store(std::thread::id());
        openResult->set_value(error);
        return;
    }
    {
        std::lock_guard lock(m_mutex);
        m_writerRunning = true;
    }
    openResult->set_value(QString());

    const bool periodicRetention = m_config.retentionIntervalMs > 0;
    const auto retentionDue = [&] {
        return writer.firstRetentionDue
                || (periodicRetention && std::chrono::steady_clock::now() >= writer.nextRetention);
    };

    for (;;) {
        std::deque<PendingAppend> batch;
        bool stopping = false;
        {
            std::unique_lock lock(m_mutex);
            const auto hasWork = [&] {
                return !m_pending.empty() || m_stopRequested || writer.retention.active
                        || m_retentionTicketsIssued > writer.retention.ticket || retentionDue();
            };
            if (periodicRetention)
                m_writerWake.wait_until(lock, writer.nextRetention, hasWork);
            else
                m_writerWake.wait(lock, hasWork);

            const size_t take = std::min(m_pending.size(), size_t(std::max(1, m_config.maxBatch)));
            std::move(m_pending.begin(), m_pending.begin() + take, std::back_inserter(batch));
            m_pending.erase(m_pending.begin(), m_pending.begin() + take);

            stopping = m_stopRequested;
            if (stopping && m_pending.empty() && batch.empty())
                break;

            const bool requested = m_retentionTicketsIssued > writer.retention.ticket;
            if (!stopping && !writer.retention.active && (requested || retentionDue()))
                startRetentionPass(writer, m_retentionTicketsIssued);
        }

        if (!batch.empty())
            commitBatch(writer, batch);
        if (!stopping && writer.retention.active)
            runRetentionStep(writer);
    }

    // Every appended event is committed and its callback has run. The read
    // connections go first so that this connection closes last.
    {
        std::unique_lock lock(m_mutex);
        m_writerDrained = true;
        m_writerStateChanged.notify_all();
        m_writerWake.wait(lock, [this] { return m_readersClosed; });
        m_writerRunning = false;
    }
    closeDatabase(writer);
    m_writerThreadId.store(std::thread::id());
}

bool EventJournal::openDatabase(WriterState &writer, QString *errorMessage)
{
    const QString &path = m_config.path;
    if (path.isEmpty()) {
        *errorMessage = tr("no journal path is set");
        return false;
    }

    const QFileInfo info(path);
    if (!QDir().mkpath(info.absolutePath())) {
        *errorMessage = tr("cannot create folder %1 for journal file %2. Check that every part "
                           "of the path is a folder you can write to.")
                                .arg(info.absolutePath(), path);
        return false;
    }
    if (info.isDir()) {
        *errorMessage = tr("journal path %1 is a folder. Set the journal path to a file name.")
                                .arg(path);
        return false;
    }

    // A second writer would assign the same ids, so only one journal may
    // have the file open. A lock left by a process that has ended is taken over.
    writer.lockFile = std::make_unique<QLockFile>(path + QStringLiteral(".lock"));
    writer.lockFile->setStaleLockTime(0);
    if (!writer.lockFile->tryLock(0)) {
        qint64 pid = 0;
        QString host;
        QString application;
        if (writer.lockFile->error() == QLockFile::LockFailedError
            && writer.lockFile->getLockInfo(&pid, &host, &application)) {
            *errorMessage = tr("journal file %1 is in use by process %2 (%3) on %4. Stop that "
                               "process, or set another journal path.")
                                    .arg(path)
                                    .arg(pid)
                                    .arg(application, host);
        } else {
            *errorMessage = tr("cannot create lock file %1.lock for journal file %2. Check that "
                               "the folder is writable.")
                                    .arg(path, path);
        }
        writer.lockFile.reset();
        return false;
    }

    const QString problem = checkExistingFile(path);
    if (!problem.isEmpty()) {
        *errorMessage = problem;
        return false;
    }

    writer.connectionName = uniqueConnectionName(QLatin1String("writer"));
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), writer.connectionName);
    db.setDatabaseName(path);
    db.setConnectOptions(
            QStringLiteral("QSQLITE_BUSY_TIMEOUT=%1").arg(std::max(0, m_config.busyTimeoutMs)));
    if (!db.open()) {
        *errorMessage = tr("cannot open journal file %1: %2. Check the permissions of the file "
                           "and its folder.")
                                .arg(path, db.lastError().text());
        return false;
    }

    QString error;
    const auto failed = [&](const char *step) {
        *errorMessage = tr("cannot write journal file %1 (%2): %3. Check the permissions of "
                           "the file and its folder, and the free disk space.")
                                .arg(path, QLatin1String(step), error);
        return false;
    };

    QSqlQuery pragma(db);
    if (!pragma.exec(QStringLiteral("PRAGMA journal_mode=WAL")) || !pragma.next()) {
        error = pragma.lastError().text();
        return failed("journal_mode=WAL");
    }
    if (pragma.value(0).toString().compare(QLatin1String("wal"), Qt::CaseInsensitive) != 0) {
        error = tr("SQLite kept journal mode %1").arg(pragma.value(0).toString());
        return failed("journal_mode=WAL");
    }
    pragma.finish();
    const QString synchronous = m_config.syncFull ? QStringLiteral("PRAGMA synchronous=FULL")
                                                  : QStringLiteral("PRAGMA synchronous=NORMAL");
    if (!execSql(db, synchronous, &error))
        return failed("synchronous");

    if (!execSql(db, QStringLiteral("BEGIN IMMEDIATE"), &error))
        return failed("schema");
    bool ok = true;
    for (const QString &statement : schemaStatements())
        ok = ok && execSql(db, statement, &error);
    if (ok) {
        // checkExistingFile() has rejected newer and invalid versions, so
        // an existing file here is at version 1 or 2.
        QVariant version;
        ok = readMeta(db, QStringLiteral("schema_version"), &version, &error);
        if (ok && version.isValid() && version.toInt() == 1) {
            qCInfo(lcJournal, "migrating journal %ls from schema version 1 to %d",
                   qUtf16Printable(path), SchemaVersion);
            for (const QString &statement : migrationToVersion2())
                ok = ok && execSql(db, statement, &error);
        }
    }
    ok = ok && execSql(db, IngestKeyIndex, &error);
    if (ok) {
        QSqlQuery seed(db);
        seed.prepare(QStringLiteral("INSERT OR IGNORE INTO meta(key, value) VALUES "
                                    "('schema_version', ?), ('journal_id', ?), "
                                    "('last_event_id', '0')"));
        seed.bindValue(0, QString::number(SchemaVersion));
        seed.bindValue(1, QUuid::createUuid().toString(QUuid::WithoutBraces));
        ok = execPrepared(seed, &error);
    }
    ok = ok && execSql(db, QStringLiteral("COMMIT"), &error);
    if (!ok) {
        QString ignored;
        execSql(db, QStringLiteral("ROLLBACK"), &ignored);
        return failed("schema");
    }

    // meta.last_event_id is authoritative. MAX(id) only guards against a
    // meta row that was edited by hand to a lower value.
    QVariant journalId;
    QVariant storedLastId;
    if (!readMeta(db, QStringLiteral("journal_id"), &journalId, &error)
        || !readMeta(db, QStringLiteral("last_event_id"), &storedLastId, &error))
        return failed("read meta");
    QSqlQuery maxId(db);
    if (!maxId.exec(QStringLiteral("SELECT COALESCE(MAX(id), 0) FROM events")) || !maxId.next()) {
        error = maxId.lastError().text();
        return failed("read meta");
    }
    const quint64 lastId = std::max(storedLastId.toULongLong(), maxId.value(0).toULongLong());
    maxId.finish();

    writer.insertEvent = std::make_unique<QSqlQuery>(db);
    writer.findIngestKey = std::make_unique<QSqlQuery>(db);
    writer.updateLastEventId = std::make_unique<QSqlQuery>(db);
    if (!writer.insertEvent->prepare(
                QStringLiteral("INSERT INTO events(%1) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
                        .arg(EventColumns))
        || !writer.findIngestKey->prepare(
                QStringLiteral("SELECT %1 FROM events WHERE ingest_key = ?").arg(EventColumns))
        || !writer.updateLastEventId->prepare(
                QStringLiteral("UPDATE meta SET value = ? WHERE key = 'last_event_id'"))) {
        error = writer.insertEvent->lastError().text() + writer.findIngestKey->lastError().text()
                + writer.updateLastEventId->lastError().text();
        return failed("prepare");
    }

    writer.nextId = lastId + 1;
    m_lastEventId.store(lastId);
    std::lock_guard lock(m_mutex);
    m_journalId = journalId.toByteArray();
    return true;
}

void EventJournal::closeDatabase(WriterState &writer)
{
    writer.insertEvent.reset();
    writer.findIngestKey.reset();
    writer.updateLastEventId.reset();
    if (!writer.connectionName.isEmpty()) {
        {
            QSqlDatabase db = QSqlDatabase::database(writer.connectionName, false);
            db.close();
        }
        QSqlDatabase::removeDatabase(writer.connectionName);
        writer.connectionName.clear();
    }
    if (writer.lockFile)
        writer.lockFile->unlock();
    writer.lockFile.reset();
}

void EventJournal::commitBatch(WriterState &writer, std::deque<PendingAppend> &batch)
{
    QSqlDatabase db = QSqlDatabase::database(writer.connectionName, false);
    const IdRange ids{writer.nextId, writer.nextId + batch.size() - 1};
    // The ids of a failed batch are skipped too, as the class comment explains.
    writer.nextId = ids.last + 1;

    QString error;
    bool ok = execSql(db, QStringLiteral("BEGIN IMMEDIATE"), &error);
    QSqlQuery &insert = *writer.insertEvent;
    QSqlQuery &findIngestKey = *writer.findIngestKey;
    // For each append, the event stored earlier with the same ingest key. The
    // lookup runs in the batch's transaction, which holds SQLite's write
    // lock, so no other insert can come between it and this batch's inserts.
    std::vector<std::optional<OrderEvent>> duplicates(batch.size());
    quint64 id = ids.first;
    for (size_t i = 0; i < batch.size() && ok; ++i) {
        OrderEvent &event = batch[i].event;
        if (!event.ingestKey.isEmpty()) {
            findIngestKey.bindValue(0, event.ingestKey);
            ok = execPrepared(findIngestKey, &error);
            if (ok && findIngestKey.next())
                duplicates[i] = eventFromQuery(findIngestKey);
            findIngestKey.finish();
            if (!ok || duplicates[i])
                continue;
        }
        event.id = id++;
        insert.bindValue(0, qint64(event.id));
        insert.bindValue(1, notNullText(event.orderId));
        insert.bindValue(2, notNullText(event.type));
        insert.bindValue(3, notNullText(event.status));
        insert.bindValue(4, event.stage);
        insert.bindValue(5, event.message);
        insert.bindValue(6, QString::fromUtf8(
                                    QJsonDocument(event.details).toJson(QJsonDocument::Compact)));
        insert.bindValue(7, event.time.toMSecsSinceEpoch());
        insert.bindValue(8, event.source);
        insert.bindValue(9, event.publisher.isEmpty() ? QVariant() : QVariant(event.publisher));
        insert.bindValue(10, event.lifecycleOverride ? 1 : 0);
        insert.bindValue(11, event.ingestKey.isEmpty() ? QVariant() : QVariant(event.ingestKey));
        ok = execPrepared(insert, &error);
    }
    // Duplicates take no id, so the batch may use fewer than it reserved.
    const bool inserted = id > ids.first;
    if (ok && inserted) {
        writer.updateLastEventId->bindValue(0, QString::number(id - 1));
        ok = execPrepared(*writer.updateLastEventId, &error);
    }
    ok = ok && execSql(db, QStringLiteral("COMMIT"), &error);

    if (!ok) {
        QString ignored;
        execSql(db, QStringLiteral("ROLLBACK"), &ignored);
        qCWarning(lcJournal, "commit of events %llu to %llu to journal %ls failed: %ls", ids.first,
                  ids.last, qUtf16Printable(m_config.path), qUtf16Printable(error));
        AppendResult failure;
        failure.error = tr("the journal could not store the event: %1").arg(error);
        for (PendingAppend &pending : batch) {
            if (pending.committed)
                pending.committed(failure);
        }
        return;
    }

    writer.nextId = id;
    if (inserted)
        m_lastEventId.store(id - 1);
    for (size_t i = 0; i < batch.size(); ++i) {
        PendingAppend &pending = batch[i];
        AppendResult result;
        if (duplicates[i]) {
            qCDebug(lcJournal, "event for order %ls with ingest key %ls is a duplicate of event %llu",
                    qUtf16Printable(pending.event.orderId), qUtf16Printable(pending.event.ingestKey),
                    duplicates[i]->id);
            result.stored = std::move(duplicates[i]);
            result.duplicate = true;
        } else {
            deliver(pending.event);
            result.stored = std::move(pending.event);
        }
        if (pending.committed)
            pending.committed(result);
    }
}

// --- Retention ---------------------------------------------------------------

void EventJournal::startRetentionPass(WriterState &writer, quint64 ticket)
{
    RetentionPass &pass = writer.retention;
    pass = RetentionPass();
    pass.active = true;
    pass.ticket = ticket;
    pass.maxEventsPerOrder = m_maxEventsPerOrder;
    pass.maxAgeSeconds = m_maxAgeSeconds;
    pass.timer.start();

    // An age reaching back before 1970 deletes nothing. Clamping it avoids an overflow.
    const qint64 nowMs = QDateTime::currentMSecsSinceEpoch();
    const qint64 maxAgeSeconds = std::min(pass.maxAgeSeconds, nowMs / 1000);
    pass.cutoffMs = nowMs - maxAgeSeconds * 1000;

    writer.firstRetentionDue = false;
    writer.nextRetention = std::chrono::steady_clock::now()
            + std::chrono::milliseconds(std::max(0, m_config.retentionIntervalMs));
}

void EventJournal::runRetentionStep(WriterState &writer)
{
    using Phase = RetentionPass::Phase;
    RetentionPass &pass = writer.retention;
    QSqlDatabase db = QSqlDatabase::database(writer.connectionName, false);
    QString error;
    qint64 removed = 0;

    switch (pass.phase) {
    case Phase::DeleteOld:
        if (pass.maxAgeSeconds <= 0) {
            pass.phase = Phase::FindOrdersOverLimit;
            return;
        }
        if (!deleteSelectedEvents(db,
                                  QStringLiteral("SELECT id, order_id FROM events WHERE time_ms < ? "
                                                 "ORDER BY time_ms LIMIT ?"),
                                  {pass.cutoffMs, RetentionChunkRows}, &removed, &error)) {
            finishRetentionPass(writer, error);
            return;
        }
        pass.removedByAge += removed;
        if (removed < RetentionChunkRows)
            pass.phase = Phase::FindOrdersOverLimit;
        return;

    case Phase::FindOrdersOverLimit: {
        if (pass.maxEventsPerOrder <= 0 || pass.scanFinished) {
            finishRetentionPass(writer, QString());
            return;
        }
        QSqlQuery counts(db);
        counts.setForwardOnly(true);
        counts.prepare(QStringLiteral("SELECT order_id, COUNT(*) FROM events WHERE order_id %1 ? "
                                      "GROUP BY order_id ORDER BY order_id LIMIT ?")
                               .arg(pass.scanStarted ? QLatin1String(">") : QLatin1String(">=")));
        counts.bindValue(0, notNullText(pass.scanAfterOrderId));
        counts.bindValue(1, RetentionOrdersPerScan);
        pass.scanStarted = true;
        if (!execPrepared(counts, &error)) {
            finishRetentionPass(writer, error);
            return;
        }
        QStringList overLimit;
        int scanned = 0;
        while (counts.next()) {
            ++scanned;
            pass.scanAfterOrderId = counts.value(0).toString();
            if (counts.value(1).toLongLong() > pass.maxEventsPerOrder)
                overLimit.append(pass.scanAfterOrderId);
        }
        counts.finish();
        pass.scanFinished = scanned < RetentionOrdersPerScan;

        // The newest id to delete is the one just past the newest maxEventsPerOrder.
        QSqlQuery newestToDelete(db);
        newestToDelete.setForwardOnly(true);
        newestToDelete.prepare(QStringLiteral("SELECT id FROM events WHERE order_id = ? "
                                              "ORDER BY id DESC LIMIT 1 OFFSET ?"));
        for (const QString &orderId : std::as_const(overLimit)) {
            newestToDelete.bindValue(0, orderId);
            newestToDelete.bindValue(1, pass.maxEventsPerOrder);
            if (!execPrepared(newestToDelete, &error)) {
                finishRetentionPass(writer, error);
                return;
            }
            if (newestToDelete.next())
                pass.ordersToTrim.emplace_back(orderId, newestToDelete.value(0).toULongLong());
            newestToDelete.finish();
        }
        if (!pass.ordersToTrim.empty())
            pass.phase = Phase::TrimOrders;
        else if (pass.scanFinished)
            finishRetentionPass(writer, QString());
        return;
    }

    case Phase::TrimOrders: {
        const auto &[orderId, throughId] = pass.ordersToTrim.front();
        if (!deleteSelectedEvents(db,
                                  QStringLiteral("SELECT id, order_id FROM events WHERE "
                                                 "order_id = ? AND id <= ? ORDER BY id LIMIT ?"),
                                  {orderId, qint64(throughId), RetentionChunkRows}, &removed,
                                  &error)) {
            finishRetentionPass(writer, error);
            return;
        }
        pass.removedByCount += removed;
        if (removed < RetentionChunkRows)
            pass.ordersToTrim.pop_front();
        if (pass.ordersToTrim.empty())
            pass.phase = Phase::FindOrdersOverLimit;
        return;
    }
    }
}

void EventJournal::finishRetentionPass(WriterState &writer, const QString &error)
{
    RetentionPass &pass = writer.retention;
    const qint64 removed = pass.removedByAge + pass.removedByCount;
    if (!error.isEmpty()) {
        qCWarning(lcJournal, "retention pass on journal %ls failed after removing %lld events: %ls",
                  qUtf16Printable(m_config.path), removed, qUtf16Printable(error));
    } else if (removed > 0) {
        qCInfo(lcJournal, "retention removed %lld events from journal %ls in %lld ms: %lld older "
                          "than %lld s, %lld beyond %d per order",
               removed, qUtf16Printable(m_config.path), pass.timer.elapsed(), pass.removedByAge,
               pass.maxAgeSeconds, pass.removedByCount, pass.maxEventsPerOrder);
    } else {
        qCDebug(lcJournal, "retention found nothing to remove in journal %ls",
                qUtf16Printable(m_config.path));
    }

    pass.active = false;
    std::lock_guard lock(m_mutex);
    m_retentionTicketsFinished = std::max(m_retentionTicketsFinished, pass.ticket);
    m_writerStateChanged.notify_all();
}

// --- Reads -------------------------------------------------------------------

QSqlDatabase EventJournal::readConnection()
{
    const std::shared_ptr<ReaderRegistry> readers = m_readers;
    if (!readers)
        return {};

    auto [db, created] = readers->connectionForCurrentThread();
    if (created) {
        const std::weak_ptr<ReaderRegistry> weakReaders = readers;
        const std::thread::id thread = std::this_thread::get_id();
        t_readConnections.add(weakReaders, [weakReaders, thread] {
            if (const auto alive = weakReaders.lock())
                alive->releaseThread(thread);
        });
    }
    return db;
}

bool EventJournal::runRead(const std::function<bool(QSqlDatabase &db, QString *error)> &work,
                           QString *error)
{
    std::shared_lock gate(m_readGate);
    QSqlDatabase db = readConnection();
    if (!db.isValid()) {
        *error = tr("the journal is not open");
        return false;
    }
    if (!db.isOpen() && !db.open()) {
        *error = db.lastError().text();
        qCWarning(lcJournal, "cannot open a read connection to journal %ls: %ls",
                  qUtf16Printable(m_config.path), qUtf16Printable(*error));
        return false;
    }

    // One read transaction gives every statement of work the same snapshot.
    if (!execSql(db, QStringLiteral("BEGIN"), error)) {
        qCWarning(lcJournal, "read from journal %ls failed: %ls", qUtf16Printable(m_config.path),
                  qUtf16Printable(*error));
        return false;
    }
    const bool ok = work(db, error);
    QString ignored;
    execSql(db, QStringLiteral("ROLLBACK"), &ignored);
    if (!ok) {
        qCWarning(lcJournal, "read from journal %ls failed: %ls", qUtf16Printable(m_config.path),
                  qUtf16Printable(*error));
    }
    return ok;
}

ReplayResult EventJournal::readAfter(const QString &orderId, quint64 afterId, int limit)
{
    ReplayResult result;
    const int maxEvents = std::max(0, limit);
    QString error;
    const bool ok = runRead(
            [&](QSqlDatabase &db, QString *readError) {
                QVariant lastId;
                if (!readMeta(db, QStringLiteral("last_event_id"), &lastId, readError))
                    return false;
                result.lastEventId = lastId.toULongLong();

                QSqlQuery trim(db);
                trim.prepare(QStringLiteral(
                        "SELECT trimmed_through FROM order_trim WHERE order_id = ?"));
                trim.bindValue(0, orderId);
                if (!execPrepared(trim, readError))
                    return false;
                const quint64 trimmedThrough = trim.next() ? trim.value(0).toULongLong() : 0;

                QSqlQuery events(db);
                events.setForwardOnly(true);
                events.prepare(QStringLiteral("SELECT %1 FROM events WHERE order_id = ? AND id > ? "
                                              "ORDER BY id LIMIT ?")
                                       .arg(EventColumns));
                events.bindValue(0, orderId);
                events.bindValue(1, qint64(std::min<quint64>(
                                            afterId, std::numeric_limits<qint64>::max())));
                events.bindValue(2, qint64(maxEvents) + 1);
                if (!execPrepared(events, readError))
                    return false;
                while (events.next()) {
                    if (result.events.size() == maxEvents) {
                        result.truncated = true;
                        break;
                    }
                    result.events.append(eventFromQuery(events));
                }

                if (afterId > result.lastEventId) {
                    result.resyncNeeded = true;
                    result.resyncReason =
                            tr("event id %1 is newer than anything stored in the journal "
                               "(last event id %2)")
                                    .arg(afterId)
                                    .arg(result.lastEventId);
                } else if (afterId < trimmedThrough) {
                    result.resyncNeeded = true;
                    result.resyncReason = tr("events of order %1 after id %2 were trimmed by "
                                             "retention (through id %3)")
                                                  .arg(orderId)
                                                  .arg(afterId)
                                                  .arg(trimmedThrough);
                }
                return true;
            },
            &error);

    if (!ok) {
        // The caller cannot serve afterId, so the result requests a resync.
        result = ReplayResult();
        result.lastEventId = lastEventId();
        result.resyncNeeded = true;
        result.resyncReason = tr("the journal could not be read: %1").arg(error);
    }
    return result;
}

bool EventJournal::containsIngestKey(const QString &ingestKey)
{
    bool found = false;
    QString error;
    runRead(
            [&](QSqlDatabase &db, QString *readError) {
                QSqlQuery select(db);
                select.prepare(QStringLiteral("SELECT 1 FROM events WHERE ingest_key = ? LIMIT 1"));
                select.bindValue(0, ingestKey);
                if (!execPrepared(select, readError))
                    return false;
                found = select.next();
                return true;
            },
            &error);
    return found;
}

QList<OrderEvent> EventJournal::query(const JournalQuery &q)
{
    QList<OrderEvent> events;
    if (q.limit <= 0)
        return events;

    QStringList conditions;
    QVariantList values;
    if (!q.orderId.isEmpty()) {
        conditions.append(QStringLiteral("order_id = ?"));
        values.append(q.orderId);
    }
    if (!q.status.isEmpty()) {
        // NOTE: SQLite's NOCASE folds ASCII letters only.
        conditions.append(QStringLiteral("status = ? COLLATE NOCASE"));
        values.append(q.status);
    }
    if (q.from.isValid()) {
        conditions.append(QStringLiteral("time_ms >= ?"));
        values.append(q.from.toMSecsSinceEpoch());
    }
    if (q.to.isValid()) {
        conditions.append(QStringLiteral("time_ms < ?"));
        values.append(q.to.toMSecsSinceEpoch());
    }
    if (q.beforeId > 0) {
        conditions.append(QStringLiteral("id < ?"));
        values.append(qint64(std::min<quint64>(q.beforeId, std::numeric_limits<qint64>::max())));
    }
    values.append(q.limit);

    QString sql = QStringLiteral("SELECT %1 FROM events").arg(EventColumns);
    if (!conditions.isEmpty())
        sql += QStringLiteral(" WHERE ") + conditions.join(QStringLiteral(" AND "));
    sql += QStringLiteral(" ORDER BY id DESC LIMIT ?");

    QString error;
    runRead(
            [&](QSqlDatabase &db, QString *readError) {
                QSqlQuery select(db);
                select.setForwardOnly(true);
                select.prepare(sql);
                for (int i = 0; i < values.size(); ++i)
                    select.bindValue(i, values.at(i));
                if (!execPrepared(select, readError))
                    return false;
                while (select.next())
                    events.append(eventFromQuery(select));
                return true;
            },
            &error);
    return events;
}

QList<OrderSummary> EventJournal::orderSummaries()
{
    return readOrderSummaries(QString());
}

std::optional<OrderSummary> EventJournal::orderSummary(const QString &orderId)
{
    if (orderId.isEmpty())
        return std::nullopt;
    const QList<OrderSummary> summaries = readOrderSummaries(orderId);
    if (summaries.isEmpty())
        return std::nullopt;
    return summaries.first();
}

QList<OrderSummary> EventJournal::readOrderSummaries(const QString &orderId)
{
    // Each order's newest event, and its newest event with a stage, are found
    // through the (order_id, id) index. An update without a stage leaves the
    // order in its stage.
    const QString sql = QStringLiteral(
            "SELECT e.order_id, e.status, s.stage, e.id, e.time_ms, c.event_count, s.id, e.message "
            "FROM (SELECT order_id, MAX(id) AS last_id, COUNT(*) AS event_count FROM events %1"
            "GROUP BY order_id) AS c JOIN events AS e ON e.id = c.last_id "
            "LEFT JOIN events AS s ON s.id = (SELECT id FROM events WHERE order_id = c.order_id "
            "AND stage <> '' ORDER BY id DESC LIMIT 1) ORDER BY e.order_id")
                                .arg(orderId.isEmpty() ? QString()
                                                       : QStringLiteral("WHERE order_id = ? "));

    QList<OrderSummary> summaries;
    QString error;
    runRead(
            [&](QSqlDatabase &db, QString *readError) {
                QSqlQuery select(db);
                select.setForwardOnly(true);
                select.prepare(sql);
                if (!orderId.isEmpty())
                    select.bindValue(0, orderId);
                if (!execPrepared(select, readError))
                    return false;
                while (select.next()) {
                    OrderSummary summary;
                    summary.orderId = select.value(0).toString();
                    summary.lastStatus = select.value(1).toString();
                    summary.lastStage = select.value(2).toString();
                    summary.lastEventId = select.value(3).toULongLong();
                    summary.lastEventTime =
                            QDateTime::fromMSecsSinceEpoch(select.value(4).toLongLong(), Qt::UTC);
                    summary.eventCount = select.value(5).toULongLong();
                    summary.lastStageEventId = select.value(6).toULongLong();
                    summary.lastMessage = select.value(7).toString();
                    summaries.append(summary);
                }
                return true;
            },
            &error);
    return summaries;
}
