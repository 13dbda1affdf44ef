#include "rediseventstore.h"

#include "logging.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>
#include <chrono>

using namespace RedisReplyRead;

namespace {

// KEYS: last-id, feed, the order's stream, orders hash, stages hash.
// ARGV: event JSON, time in ms, events kept per order (0: all), feed length,
// order id, ingest key name ("" for none), ingest key lifetime in seconds,
// stage ("" for an update without one).
// Returns {1, id} for a stored event, {0, earlier id} for a repeated ingest key.
const char AppendScript[] = R"lua(
local ingest = ARGV[6]
if ingest ~= '' then
  local earlier = redis.call('GET', ingest)
  if earlier then return {0, tonumber(earlier)} end
end
local id = redis.call('INCR', KEYS[1])
local entry = id .. '-0'
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[4], entry, 'e', ARGV[1], 't', ARGV[2])
redis.call('XADD', KEYS[3], entry, 'e', ARGV[1], 't', ARGV[2])
local keep = tonumber(ARGV[3])
if keep > 0 then
  local excess = redis.call('XLEN', KEYS[3]) - keep
  if excess > 0 then
    for _, old in ipairs(redis.call('XRANGE', KEYS[3], '-', '+', 'COUNT', excess)) do
      redis.call('XDEL', KEYS[3], old[1])
    end
  end
end
redis.call('HSET', KEYS[4], ARGV[5], id .. ' ' .. ARGV[1])
if ARGV[8] ~= '' then redis.call('HSET', KEYS[5], ARGV[5], id .. ' ' .. ARGV[8]) end
if ingest ~= '' then redis.call('SET', ingest, id, 'EX', ARGV[7]) end
return {1, id}
)lua";

// KEYS: an order's stream. ARGV: cutoff time in ms, most entries to delete.
// Deletes the oldest entries older than the cutoff; returns how many.
const char TrimScript[] = R"lua(
local cutoff = tonumber(ARGV[1])
local budget = tonumber(ARGV[2])
local deleted = 0
while deleted < budget do
  local entries = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', math.min(100, budget - deleted))
  if #entries == 0 then break end
  local stop = false
  for _, entry in ipairs(entries) do
    local fields = entry[2]
    local time = nil
    for i = 1, #fields, 2 do
      if fields[i] == 't' then time = tonumber(fields[i + 1]) end
    end
    if time == nil or time >= cutoff then stop = true break end
    redis.call('XDEL', KEYS[1], entry[1])
    deleted = deleted + 1
  end
  if stop then break end
end
return deleted
)lua";

// KEYS: last-id, history-start. Raises the id counter to ARGV[1] when it is
// lower, which means Redis lost events, and records that the history Redis
// has starts after ARGV[1]. Returns the counter's value before.
const char RaiseIdScript[] = R"lua(
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if current < tonumber(ARGV[1]) then
  redis.call('SET', KEYS[1], ARGV[1])
  redis.call('SET', KEYS[2], ARGV[1])
end
return current
)lua";

QByteArray encodeEvent(const OrderEvent &event)
{
    QJsonObject json = event.toJson();
    json.remove(QLatin1String("id"));
    if (!event.publisher.isEmpty())
        json.insert(QLatin1String("publisher"), event.publisher);
    if (event.lifecycleOverride)
        json.insert(QLatin1String("override"), true);
    return QJsonDocument(json).toJson(QJsonDocument::Compact);
}

std::optional<OrderEvent> decodeEvent(quint64 id, const QByteArray &data)
{
    const QJsonDocument document = QJsonDocument::fromJson(data);
    if (!document.isObject())
        return std::nullopt;
    const QJsonObject json = document.object();
    OrderEvent event;
    event.id = id;
    event.orderId = json.value(QLatin1String("orderId")).toString();
    event.type = json.value(QLatin1String("type")).toString();
    event.status = json.value(QLatin1String("status")).toString();
    event.stage = json.value(QLatin1String("stage")).toString();
    event.message = json.value(QLatin1String("message")).toString();
    event.details = json.value(QLatin1String("details")).toObject();
    event.time = QDateTime::fromString(json.value(QLatin1String("time")).toString(),
                                       Qt::ISODateWithMs);
    event.source = json.value(QLatin1String("source")).toString();
    event.publisher = json.value(QLatin1String("publisher")).toString();
    event.lifecycleOverride = json.value(QLatin1String("override")).toBool();
    if (event.orderId.isEmpty())
        return std::nullopt;
    return event;
}

// The event id of a stream entry id "N-0"; 0 when it has another form.
quint64 eventIdOfEntry(const QByteArray &entryId)
{
    const qsizetype dash = entryId.indexOf('-');
    bool ok = false;
    const quint64 id = entryId.left(dash < 0 ? entryId.size() : dash).toULongLong(&ok);
    return ok ? id : 0;
}

QByteArray entryIdOf(quint64 eventId)
{
    return QByteArray::number(eventId) + "-0";
}

// The event of one stream entry ([id, [field, value, ...]]).
std::optional<OrderEvent> eventOfEntry(const redisReply *entry)
{
    const QList<const redisReply *> parts = elements(entry);
    if (parts.size() != 2)
        return std::nullopt;
    const quint64 id = eventIdOfEntry(string(parts[0]));
    const QList<const redisReply *> fields = elements(parts[1]);
    for (qsizetype i = 0; i + 1 < fields.size(); i += 2) {
        if (string(fields[i]) == "e")
            return decodeEvent(id, string(fields[i + 1]));
    }
    return std::nullopt;
}

// The summary of an order from its values in the orders hash ("ID JSON" of
// the newest event) and the stages hash ("ID STAGE" of the newest event with
// a stage, or nil).
OrderSummary summaryFromHashValues(const QString &orderId, const QByteArray &last,
                                   const QByteArray &stage)
{
    OrderSummary summary;
    summary.orderId = orderId;
    const qsizetype space = last.indexOf(' ');
    if (space < 0)
        return summary;
    const quint64 id = last.left(space).toULongLong();
    if (const std::optional<OrderEvent> event = decodeEvent(id, last.mid(space + 1))) {
        summary.lastStatus = event->status;
        summary.lastMessage = event->message;
        summary.lastEventId = id;
        summary.lastEventTime = event->time;
    }
    const qsizetype stageSpace = stage.indexOf(' ');
    if (stageSpace > 0) {
        summary.lastStageEventId = stage.left(stageSpace).toULongLong();
        summary.lastStage = QString::fromUtf8(stage.mid(stageSpace + 1));
    }
    return summary;
}

} // namespace

RedisEventStore::RedisEventStore(RedisStoreConfig config)
    : m_config(std::move(config)), m_prefix(m_config.keyPrefix.toUtf8())
{
}

RedisEventStore::~RedisEventStore()
{
    close();
}

QByteArray RedisEventStore::key(const QByteArray &name) const
{
    return m_prefix + ':' + name;
}

QString RedisEventStore::location() const
{
    return QStringLiteral("redis://%1 (keys %2:*)")
            .arg(m_config.url.displayName(), m_config.keyPrefix);
}

template<typename Work>
auto RedisEventStore::withReadConnection(Work work)
        -> decltype(work(std::declval<RedisConnection &>()))
{
    std::lock_guard lock(m_readMutex);
    if (!m_readConnection) {
        m_readConnection = std::make_unique<RedisConnection>(m_config.url, m_config.timeoutMs);
        m_readConnection->setRetryReadsOnStaleConnection(true);
    }
    return work(*m_readConnection);
}

bool RedisEventStore::open(QString *errorMessage)
{
    std::lock_guard lifecycle(m_lifecycleMutex);
    if (isOpen())
        return true;

    // Checked once here so a wrong URL or a stopped server stops the start.
    RedisConnection probe(m_config.url, m_config.timeoutMs);
    QString error;
    const RedisReplyPtr lastId = probe.command({"GET", key("last-id")}, &error);
    if (!lastId || isError(lastId.get())) {
        if (errorMessage) {
            *errorMessage = lastId ? tr("Redis at %1 answered an error: %2")
                                             .arg(m_config.url.displayName(),
                                                  QString::fromUtf8(string(lastId.get())))
                                   : error;
        }
        return false;
    }
    const quint64 last = quint64(integer(lastId.get()).value_or(0));

    {
        std::lock_guard lock(m_mutex);
        m_open = true;
        m_stopping = false;
        m_delivering = false;
        m_pending.clear();
        m_maxEventsPerOrder = m_config.maxEventsPerOrder;
        m_maxAgeSeconds = m_config.maxAgeSeconds;
        m_feedPosition = last;
    }
    m_lastEventId.store(last);
    m_writerUp.store(true);
    m_readerUp.store(true);
    m_outageSinceMs.store(0);
    m_writerThread = std::thread([this] { runWriter(); });
    m_readerThread = std::thread([this] { runReader(); });
    qCInfo(lcJournal, "using Redis at %ls, key prefix %ls; last event id %llu",
           qUtf16Printable(m_config.url.displayName()), qUtf16Printable(m_config.keyPrefix), last);
    return true;
}

void RedisEventStore::close()
{
    std::lock_guard lifecycle(m_lifecycleMutex);
    {
        std::lock_guard lock(m_mutex);
        if (!m_open)
            return;
        m_open = false;
        m_stopping = true;
    }
    m_wake.notify_all();
    if (m_writerThread.joinable())
        m_writerThread.join();
    if (m_readerThread.joinable())
        m_readerThread.join();
    std::lock_guard lock(m_readMutex);
    m_readConnection.reset();
}

bool RedisEventStore::isOpen() const
{
    std::lock_guard lock(m_mutex);
    return m_open;
}

bool RedisEventStore::isReachable() const
{
    return m_writerUp.load() && m_readerUp.load();
}

void RedisEventStore::deliveryStarted()
{
    {
        std::lock_guard lock(m_mutex);
        m_delivering = true;
    }
    m_wake.notify_all();
}

bool RedisEventStore::append(OrderEvent event, CommitCallback committed)
{
    // An unreachable Redis fails fast, so the publisher gets 503 at once.
    if (!m_writerUp.load())
        return false;
    {
        std::lock_guard lock(m_mutex);
        if (!m_open || m_stopping || int(m_pending.size()) >= m_config.maxPendingAppends)
            return false;
        m_pending.push_back(PendingAppend{std::move(event), std::move(committed)});
    }
    m_wake.notify_all();
    return true;
}

void RedisEventStore::raiseLastEventId(quint64 id)
{
    quint64 current = m_lastEventId.load();
    while (current < id && !m_lastEventId.compare_exchange_weak(current, id)) {
    }
}

quint64 RedisEventStore::lastEventId() const
{
    return m_lastEventId.load();
}

qint64 RedisEventStore::sizeBytes() const
{
    return m_sizeBytes.load();
}

void RedisEventStore::setRetention(int maxEventsPerOrder, qint64 maxAgeSeconds)
{
    std::lock_guard lock(m_mutex);
    m_maxEventsPerOrder = maxEventsPerOrder;
    m_maxAgeSeconds = maxAgeSeconds;
}

bool RedisEventStore::containsIngestKey(const QString &ingestKey)
{
    return withReadConnection([&](RedisConnection &connection) {
        QString error;
        const RedisReplyPtr reply = connection.command(
                {"EXISTS", key(QByteArray("ingest:") + ingestKey.toUtf8())}, &error);
        return integer(reply.get()).value_or(0) == 1;
    });
}

QString RedisEventStore::unavailableReason() const
{
    if (m_writerUp.load())
        return {};
    return tr("Redis at %1 is unreachable").arg(m_config.url.displayName());
}

void RedisEventStore::runRetentionNow()
{
    std::unique_lock lock(m_mutex);
    if (!m_open)
        return;
    const quint64 ticket = ++m_retentionRequested;
    m_wake.notify_all();
    m_retentionDone.wait(lock, [&] { return m_retentionFinished >= ticket || !m_open; });
}

bool RedisEventStore::waitForRetry(int ms)
{
    std::unique_lock lock(m_mutex);
    return !m_wake.wait_for(lock, std::chrono::milliseconds(ms), [this] { return m_stopping; });
}

void RedisEventStore::setLinkState(std::atomic<bool> &link, bool up, const QString &error)
{
    const bool wasReachable = isReachable();
    if (link.exchange(up) == up)
        return;
    const bool reachable = isReachable();
    if (wasReachable && !reachable) {
        m_outages.fetch_add(1);
        m_outageSinceMs.store(QDateTime::currentMSecsSinceEpoch());
        qCWarning(lcJournal, "lost Redis at %ls: %ls; publishes get 503 and open streams stay "
                             "open until it is back",
                  qUtf16Printable(m_config.url.displayName()), qUtf16Printable(error));
    } else if (!wasReachable && reachable) {
        const qint64 since = m_outageSinceMs.exchange(0);
        qCInfo(lcJournal, "Redis at %ls is reachable again after %.1f s",
               qUtf16Printable(m_config.url.displayName()),
               since ? double(QDateTime::currentMSecsSinceEpoch() - since) / 1000.0 : 0.0);
    }
}

// --- Writer ------------------------------------------------------------------

bool RedisEventStore::prepareWriter(RedisConnection &connection, QString *error)
{
    if (connection.isConnected() && !m_appendScriptSha.isEmpty())
        return true;
    const std::vector<RedisReplyPtr> replies = connection.pipeline(
            {{"SCRIPT", "LOAD", QByteArray(AppendScript)},
             {"SCRIPT", "LOAD", QByteArray(TrimScript)},
             {"EVAL", QByteArray(RaiseIdScript), "2", key("last-id"), key("history-start"),
              QByteArray::number(m_lastEventId.load())}},
            error);
    if (replies.empty())
        return false;
    for (const RedisReplyPtr &reply : replies) {
        if (isError(reply.get())) {
            *error = QString::fromUtf8(string(reply.get()));
            connection.disconnect();
            return false;
        }
    }
    m_appendScriptSha = string(replies[0].get());
    m_trimScriptSha = string(replies[1].get());
    const quint64 found = quint64(integer(replies[2].get()).value_or(0));
    if (found < m_lastEventId.load()) {
        qCCritical(lcJournal, "Redis at %ls has lost events: its last event id is %llu, but this "
                              "instance has seen %llu; clients that saw those events get "
                              "order.resync. Turn on Redis's append-only file.",
                   qUtf16Printable(m_config.url.displayName()), found, m_lastEventId.load());
    }
    return true;
}

void RedisEventStore::runWriter()
{
    RedisConnection connection(m_config.url, m_config.timeoutMs);
    int backoffMs = 100;
    auto nextRetention = std::chrono::steady_clock::now();
    auto nextSizeRefresh = std::chrono::steady_clock::now();

    for (;;) {
        std::deque<PendingAppend> batch;
        bool retentionDue = false;
        quint64 retentionTicket = 0;
        bool stopping = false;
        {
            std::unique_lock lock(m_mutex);
            const auto wakeAt = std::min(nextRetention, nextSizeRefresh);
            m_wake.wait_until(lock, wakeAt, [this] {
                return m_stopping || !m_pending.empty()
                        || m_retentionRequested > m_retentionFinished;
            });
            stopping = m_stopping;
            while (!m_pending.empty() && int(batch.size()) < m_config.maxBatch) {
                batch.push_back(std::move(m_pending.front()));
                m_pending.pop_front();
            }
            retentionTicket = m_retentionRequested;
            retentionDue = retentionTicket > m_retentionFinished
                    || (m_config.retentionIntervalMs > 0
                        && std::chrono::steady_clock::now() >= nextRetention);
        }

        QString error;
        if (!prepareWriter(connection, &error)) {
            m_appendScriptSha.clear();
            setLinkState(m_writerUp, false, error);
            failBatch(batch, error);
            if (stopping) {
                std::unique_lock lock(m_mutex);
                std::deque<PendingAppend> rest;
                rest.swap(m_pending);
                lock.unlock();
                failBatch(rest, error);
                break;
            }
            if (retentionDue) {
                std::lock_guard lock(m_mutex);
                m_retentionFinished = retentionTicket;
                m_retentionDone.notify_all();
            }
            waitForRetry(backoffMs);
            backoffMs = std::min(backoffMs * 2, 5000);
            continue;
        }
        backoffMs = 100;
        setLinkState(m_writerUp, true, QString());

        if (!batch.empty())
            sendBatch(connection, batch);

        const auto now = std::chrono::steady_clock::now();
        if (retentionDue) {
            runRetention(connection);
            nextRetention = now + std::chrono::milliseconds(std::max(1000, m_config.retentionIntervalMs));
            std::lock_guard lock(m_mutex);
            m_retentionFinished = std::max(m_retentionFinished, retentionTicket);
            m_retentionDone.notify_all();
        }
        if (now >= nextSizeRefresh) {
            refreshSize(connection);
            nextSizeRefresh = now + std::chrono::seconds(5);
        }

        if (stopping) {
            std::lock_guard lock(m_mutex);
            if (m_pending.empty())
                break;
        }
    }
    std::lock_guard lock(m_mutex);
    m_retentionFinished = m_retentionRequested;
    m_retentionDone.notify_all();
}

void RedisEventStore::failBatch(std::deque<PendingAppend> &batch, const QString &error)
{
    AppendResult failure;
    failure.error = tr("Redis is unreachable, so the event was not stored: %1").arg(error);
    failure.unavailable = true;
    for (PendingAppend &pending : batch) {
        if (pending.committed)
            pending.committed(failure);
    }
    batch.clear();
}

void RedisEventStore::sendBatch(RedisConnection &connection, std::deque<PendingAppend> &batch)
{
    qint64 ingestSeconds;
    int keep;
    {
        std::lock_guard lock(m_mutex);
        keep = m_maxEventsPerOrder;
        ingestSeconds = m_maxAgeSeconds > 0 ? m_maxAgeSeconds : 7 * 24 * 3600;
    }

    QList<QList<QByteArray>> commands;
    commands.reserve(qsizetype(batch.size()));
    for (PendingAppend &pending : batch) {
        OrderEvent &event = pending.event;
        if (!event.time.isValid())
            event.time = QDateTime::currentDateTimeUtc();
        commands.append({"EVALSHA", m_appendScriptSha, "5", key("last-id"), key("feed"),
                         key(QByteArray("events:") + event.orderId.toUtf8()), key("orders"),
                         key("stages"),
                         encodeEvent(event), QByteArray::number(event.time.toMSecsSinceEpoch()),
                         QByteArray::number(keep), QByteArray::number(m_config.feedMaxLength),
                         event.orderId.toUtf8(),
                         event.ingestKey.isEmpty() ? QByteArray()
                                                   : key(QByteArray("ingest:") + event.ingestKey.toUtf8()),
                         QByteArray::number(ingestSeconds), event.stage.toUtf8()});
    }

    QString error;
    const std::vector<RedisReplyPtr> replies = connection.pipeline(commands, &error);
    if (replies.empty()) {
        // Redis may have stored some of these before the connection broke.
        // Their publishers get an error and may retry, which can store an
        // event twice, but no acknowledged event is missing.
        m_appendScriptSha.clear();
        setLinkState(m_writerUp, false, error);
        failBatch(batch, error);
        return;
    }

    for (size_t i = 0; i < batch.size(); ++i) {
        PendingAppend &pending = batch[i];
        const redisReply *reply = replies[i].get();
        const QList<const redisReply *> result = elements(reply);
        if (isError(reply) || result.size() != 2) {
            const QString message = QString::fromUtf8(string(reply));
            if (message.startsWith(QLatin1String("NOSCRIPT")))
                m_appendScriptSha.clear();
            qCWarning(lcJournal, "Redis did not store an event of order %ls: %ls",
                      qUtf16Printable(pending.event.orderId), qUtf16Printable(message));
            if (pending.committed) {
                AppendResult failure;
                failure.error = tr("Redis did not store the event: %1").arg(message);
                pending.committed(failure);
            }
            continue;
        }
        const bool stored = integer(result[0]).value_or(0) == 1;
        const quint64 id = quint64(integer(result[1]).value_or(0));
        if (!stored) {
            // A repeated ingest key: the script returns the earlier event's id.
            // NOTE: only the id, order id and ingest key of the earlier event
            // are known here; its other fields are those of the repeated one.
            if (pending.committed) {
                AppendResult duplicate;
                pending.event.id = id;
                duplicate.stored = std::move(pending.event);
                duplicate.duplicate = true;
                pending.committed(duplicate);
            }
            continue;
        }
        pending.event.id = id;
        raiseLastEventId(id);
        if (pending.committed) {
            AppendResult result;
            result.stored = std::move(pending.event);
            pending.committed(result);
        }
    }
    batch.clear();
}

void RedisEventStore::runRetention(RedisConnection &connection)
{
    qint64 maxAgeSeconds;
    {
        std::lock_guard lock(m_mutex);
        maxAgeSeconds = m_maxAgeSeconds;
    }
    if (maxAgeSeconds <= 0 || m_trimScriptSha.isEmpty())
        return;
    const QByteArray cutoff
            = QByteArray::number(QDateTime::currentMSecsSinceEpoch() - maxAgeSeconds * 1000);

    QString error;
    QByteArray cursor = "0";
    long long deleted = 0;
    do {
        const RedisReplyPtr scan
                = connection.command({"HSCAN", key("orders"), cursor, "COUNT", "200"}, &error);
        const QList<const redisReply *> parts = elements(scan.get());
        if (parts.size() != 2)
            break;
        cursor = string(parts[0]);
        const QList<const redisReply *> fields = elements(parts[1]);
        QList<QList<QByteArray>> trims;
        for (qsizetype i = 0; i + 1 < fields.size(); i += 2) {
            trims.append({"EVALSHA", m_trimScriptSha, "1", key(QByteArray("events:") + string(fields[i])),
                          cutoff, "1000"});
        }
        for (const RedisReplyPtr &reply : connection.pipeline(trims, &error))
            deleted += integer(reply.get()).value_or(0);
    } while (cursor != "0" && connection.isConnected());

    if (deleted > 0)
        qCInfo(lcJournal, "retention deleted %lld events older than %lld s from Redis", deleted,
               qlonglong(maxAgeSeconds));
}

void RedisEventStore::refreshSize(RedisConnection &connection)
{
    QString error;
    const RedisReplyPtr info = connection.command({"INFO", "memory"}, &error);
    const QByteArray text = string(info.get());
    const qsizetype at = text.indexOf("used_memory:");
    if (at < 0)
        return;
    const qsizetype end = text.indexOf('\r', at);
    m_sizeBytes.store(text.mid(at + 12, end - at - 12).toLongLong());
}

// --- Reader ------------------------------------------------------------------

void RedisEventStore::runReader()
{
    // XREAD blocks for at most BlockMs, so close() waits no longer than that.
    constexpr int BlockMs = 500;
    RedisConnection connection(m_config.url, m_config.timeoutMs + BlockMs);
    int backoffMs = 100;

    for (;;) {
        quint64 position;
        {
            std::unique_lock lock(m_mutex);
            m_wake.wait(lock, [this] { return m_stopping || m_delivering; });
            if (m_stopping)
                return;
            position = m_feedPosition;
        }

        QString error;
        const RedisReplyPtr reply = connection.command(
                {"XREAD", "COUNT", "1000", "BLOCK", QByteArray::number(BlockMs), "STREAMS",
                 key("feed"), entryIdOf(position)},
                &error);
        if (!reply || isError(reply.get())) {
            setLinkState(m_readerUp, false, reply ? QString::fromUtf8(string(reply.get())) : error);
            if (reply)
                connection.disconnect();
            if (!waitForRetry(backoffMs))
                return;
            backoffMs = std::min(backoffMs * 2, 5000);
            continue;
        }
        backoffMs = 100;
        setLinkState(m_readerUp, true, QString());

        // Nil after the block time: nothing new.
        const QList<const redisReply *> streams = elements(reply.get());
        if (streams.isEmpty())
            continue;
        const QList<const redisReply *> stream = elements(streams.first());
        if (stream.size() != 2)
            continue;
        for (const redisReply *entry : elements(stream[1])) {
            const QList<const redisReply *> parts = elements(entry);
            const quint64 id = parts.isEmpty() ? 0 : eventIdOfEntry(string(parts[0]));
            if (id == 0)
                continue;
            if (id > position + 1 && position != 0) {
                qCDebug(lcJournal, "feed skipped from %llu to %llu (ids of failed appends or "
                                   "trimmed feed)",
                        position, id);
            }
            position = id;
            raiseLastEventId(id);
            if (const std::optional<OrderEvent> event = eventOfEntry(entry))
                deliver(*event);
            else
                qCWarning(lcJournal, "Redis feed entry %llu is not an event; skipped", id);
        }
        std::lock_guard lock(m_mutex);
        m_feedPosition = position;
    }
}

// --- Reads -------------------------------------------------------------------

ReplayResult RedisEventStore::readAfter(const QString &orderId, quint64 afterId, int limit)
{
    ReplayResult result;
    const QByteArray streamKey = key(QByteArray("events:") + orderId.toUtf8());
    QString error;
    const std::vector<RedisReplyPtr> replies = withReadConnection([&](RedisConnection &connection) {
        return connection.pipeline(
                {{"MULTI"},
                 {"GET", key("last-id")},
                 {"GET", key("history-start")},
                 {"XINFO", "STREAM", streamKey},
                 {"XRANGE", streamKey, "(" + entryIdOf(afterId), "+", "COUNT",
                  QByteArray::number(std::max(0, limit) + 1)},
                 {"EXEC"}},
                &error);
    });
    const QList<const redisReply *> results
            = replies.size() == 6 ? elements(replies[5].get()) : QList<const redisReply *>();
    if (results.size() != 4) {
        result.resyncNeeded = true;
        result.resyncReason = tr("Redis could not be read: %1")
                                      .arg(error.isEmpty() && replies.size() == 6
                                                   ? QString::fromUtf8(string(replies[5].get()))
                                                   : error);
        result.lastEventId = m_lastEventId.load();
        return result;
    }

    result.lastEventId = quint64(integer(results[0]).value_or(0));
    raiseLastEventId(result.lastEventId);
    const quint64 historyStart = quint64(integer(results[1]).value_or(0));
    quint64 maxDeleted = 0;
    const QList<const redisReply *> info = elements(results[2]);
    for (qsizetype i = 0; i + 1 < info.size(); i += 2) {
        if (string(info[i]) == "max-deleted-entry-id")
            maxDeleted = eventIdOfEntry(string(info[i + 1]));
    }
    for (const redisReply *entry : elements(results[3])) {
        if (result.events.size() >= limit) {
            result.truncated = true;
            break;
        }
        if (std::optional<OrderEvent> event = eventOfEntry(entry))
            result.events.append(std::move(*event));
    }

    if (afterId > result.lastEventId) {
        result.resyncNeeded = true;
        result.resyncReason = tr("event id %1 is newer than anything stored in Redis "
                                 "(last event id %2)")
                                      .arg(afterId)
                                      .arg(result.lastEventId);
    } else if (afterId < historyStart) {
        result.resyncNeeded = true;
        result.resyncReason = tr("Redis lost the events through id %1, so events after id %2 "
                                 "may be missing")
                                      .arg(historyStart)
                                      .arg(afterId);
    } else if (afterId < maxDeleted) {
        result.resyncNeeded = true;
        result.resyncReason = tr("events of order %1 after id %2 were trimmed by retention "
                                 "(through id %3)")
                                      .arg(orderId)
                                      .arg(afterId)
                                      .arg(maxDeleted);
    }
    return result;
}

QList<OrderEvent> RedisEventStore::query(const JournalQuery &q)
{
    QList<OrderEvent> events;
    if (q.limit <= 0)
        return events;
    const QByteArray streamKey = q.orderId.isEmpty() ? key("feed")
                                                     : key(QByteArray("events:") + q.orderId.toUtf8());
    QByteArray end = q.beforeId > 0 ? "(" + entryIdOf(q.beforeId) : QByteArray("+");
    // Reads newest first in chunks; a filter that matches little stops after
    // MaxChunks reads instead of scanning the whole history.
    constexpr int ChunkSize = 500;
    constexpr int MaxChunks = 40;

    withReadConnection([&](RedisConnection &connection) {
        for (int chunk = 0; chunk < MaxChunks && events.size() < q.limit; ++chunk) {
            QString error;
            const RedisReplyPtr reply = connection.command(
                    {"XREVRANGE", streamKey, end, "-", "COUNT", QByteArray::number(ChunkSize)},
                    &error);
            if (!reply || isError(reply.get())) {
                qCWarning(lcJournal, "history read from Redis failed: %ls",
                          qUtf16Printable(reply ? QString::fromUtf8(string(reply.get())) : error));
                return;
            }
            const QList<const redisReply *> entries = elements(reply.get());
            for (const redisReply *entry : entries) {
                std::optional<OrderEvent> event = eventOfEntry(entry);
                if (!event)
                    continue;
                end = "(" + entryIdOf(event->id);
                if (!q.status.isEmpty() && event->status.compare(q.status, Qt::CaseInsensitive) != 0)
                    continue;
                if (q.from.isValid() && event->time < q.from)
                    continue;
                if (q.to.isValid() && event->time >= q.to)
                    continue;
                events.append(std::move(*event));
                if (events.size() >= q.limit)
                    return;
            }
            if (entries.size() < ChunkSize)
                return;
        }
    });
    return events;
}

QList<OrderSummary> RedisEventStore::orderSummaries()
{
    QList<OrderSummary> summaries;
    withReadConnection([&](RedisConnection &connection) {
        QString error;
        const std::vector<RedisReplyPtr> all = connection.pipeline(
                {{"HGETALL", key("orders")}, {"HGETALL", key("stages")}}, &error);
        if (all.size() != 2)
            return;
        QHash<QByteArray, QByteArray> stages;
        const QList<const redisReply *> stageFields = elements(all[1].get());
        for (qsizetype i = 0; i + 1 < stageFields.size(); i += 2)
            stages.insert(string(stageFields[i]), string(stageFields[i + 1]));
        const QList<const redisReply *> fields = elements(all[0].get());
        QList<QList<QByteArray>> lengths;
        for (qsizetype i = 0; i + 1 < fields.size(); i += 2) {
            const QByteArray orderId = string(fields[i]);
            summaries.append(summaryFromHashValues(QString::fromUtf8(orderId),
                                                   string(fields[i + 1]), stages.value(orderId)));
            lengths.append({"XLEN", key(QByteArray("events:") + orderId)});
        }
        const std::vector<RedisReplyPtr> counts = connection.pipeline(lengths, &error);
        for (size_t i = 0; i < counts.size() && qsizetype(i) < summaries.size(); ++i)
            summaries[qsizetype(i)].eventCount = quint64(integer(counts[i].get()).value_or(0));
    });
    std::sort(summaries.begin(), summaries.end(),
              [](const OrderSummary &a, const OrderSummary &b) { return a.orderId < b.orderId; });
    return summaries;
}

std::optional<OrderSummary> RedisEventStore::orderSummary(const QString &orderId)
{
    return withReadConnection([&](RedisConnection &connection) -> std::optional<OrderSummary> {
        QString error;
        const std::vector<RedisReplyPtr> replies = connection.pipeline(
                {{"HGET", key("orders"), orderId.toUtf8()},
                 {"XLEN", key(QByteArray("events:") + orderId.toUtf8())},
                 {"HGET", key("stages"), orderId.toUtf8()}},
                &error);
        if (replies.size() != 3 || isNil(replies[0].get()) || isError(replies[0].get()))
            return std::nullopt;
        OrderSummary summary = summaryFromHashValues(orderId, string(replies[0].get()),
                                                     string(replies[2].get()));
        summary.eventCount = quint64(integer(replies[1].get()).value_or(0));
        return summary;
    });
}
