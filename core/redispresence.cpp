#include "redispresence.h"

#include "logging.h"

#include <QJsonDocument>

#include <algorithm>
#include <chrono>

using namespace RedisReplyRead;

namespace {

QByteArray encodeAnnouncement(const RedisPresence::Config &config, const QDateTime &startedAt,
                              const PresenceAnnouncement &announcement, int maxOrders)
{
    QList<std::pair<QString, int>> orders;
    orders.reserve(announcement.subscribersPerOrder.size());
    for (auto it = announcement.subscribersPerOrder.cbegin();
         it != announcement.subscribersPerOrder.cend(); ++it) {
        orders.append({it.key(), it.value()});
    }
    std::sort(orders.begin(), orders.end(), [](const auto &a, const auto &b) {
        return a.second != b.second ? a.second > b.second : a.first < b.first;
    });
    QJsonObject subscribers;
    for (qsizetype i = 0; i < orders.size() && i < maxOrders; ++i)
        subscribers.insert(orders[i].first, orders[i].second);

    QJsonObject json;
    json.insert(QLatin1String("id"), config.instanceId);
    json.insert(QLatin1String("address"), config.address);
    json.insert(QLatin1String("version"), config.version);
    json.insert(QLatin1String("startedAt"), startedAt.toString(Qt::ISODateWithMs));
    json.insert(QLatin1String("announcedAt"),
                QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs));
    json.insert(QLatin1String("connections"), announcement.connections);
    json.insert(QLatin1String("subscribers"), subscribers);
    return QJsonDocument(json).toJson(QJsonDocument::Compact);
}

std::optional<ClusterInstance> decodeAnnouncement(const QByteArray &data)
{
    const QJsonDocument document = QJsonDocument::fromJson(data);
    if (!document.isObject())
        return std::nullopt;
    const QJsonObject json = document.object();
    ClusterInstance instance;
    instance.instanceId = json.value(QLatin1String("id")).toString();
    if (instance.instanceId.isEmpty())
        return std::nullopt;
    instance.address = json.value(QLatin1String("address")).toString();
    instance.version = json.value(QLatin1String("version")).toString();
    instance.startedAt = QDateTime::fromString(json.value(QLatin1String("startedAt")).toString(),
                                               Qt::ISODateWithMs);
    instance.announcedAt = QDateTime::fromString(
            json.value(QLatin1String("announcedAt")).toString(), Qt::ISODateWithMs);
    instance.connections = json.value(QLatin1String("connections")).toInt();
    const QJsonObject subscribers = json.value(QLatin1String("subscribers")).toObject();
    for (auto it = subscribers.constBegin(); it != subscribers.constEnd(); ++it)
        instance.subscribersPerOrder.insert(it.key(), it.value().toInt());
    return instance;
}

} // namespace

RedisPresence::RedisPresence(Config config, std::function<PresenceAnnouncement()> source)
    : m_config(std::move(config)),
      m_source(std::move(source)),
      m_startedAt(QDateTime::currentDateTimeUtc())
{
}

RedisPresence::~RedisPresence()
{
    stop();
}

QByteArray RedisPresence::instanceKey(const QString &instanceId) const
{
    return m_config.keyPrefix.toUtf8() + ":instance:" + instanceId.toUtf8();
}

void RedisPresence::start()
{
    std::lock_guard lock(m_mutex);
    if (m_running)
        return;
    m_running = true;
    m_withdraw = true;
    m_thread = std::thread([this] { run(); });
}

void RedisPresence::stop(bool withdraw)
{
    {
        std::lock_guard lock(m_mutex);
        if (!m_running)
            return;
        m_running = false;
        m_withdraw = withdraw;
    }
    m_wake.notify_all();
    if (m_thread.joinable())
        m_thread.join();
}

QList<ClusterInstance> RedisPresence::instances() const
{
    std::lock_guard lock(m_mutex);
    return m_instances;
}

void RedisPresence::run()
{
    RedisConnection connection(m_config.url, m_config.timeoutMs);
    const QByteArray ownKey = instanceKey(m_config.instanceId);
    const QByteArray pattern = m_config.keyPrefix.toUtf8() + ":instance:*";
    bool reported = false;

    for (;;) {
        QString error;
        const QByteArray announcement = encodeAnnouncement(m_config, m_startedAt, m_source(),
                                                           m_config.maxOrdersAnnounced);
        const RedisReplyPtr set = connection.command(
                {"SET", ownKey, announcement, "PX", QByteArray::number(m_config.ttlMs)}, &error);

        QList<ClusterInstance> seen;
        if (set && !isError(set.get())) {
            reported = false;
            QList<QByteArray> keys;
            QByteArray cursor = "0";
            do {
                const RedisReplyPtr scan = connection.command(
                        {"SCAN", cursor, "MATCH", pattern, "COUNT", "100"}, &error);
                const QList<const redisReply *> parts = elements(scan.get());
                if (parts.size() != 2)
                    break;
                cursor = string(parts[0]);
                for (const redisReply *key : elements(parts[1]))
                    keys.append(string(key));
            } while (cursor != "0");

            if (!keys.isEmpty()) {
                QList<QByteArray> command{"MGET"};
                command.append(keys);
                const RedisReplyPtr values = connection.command(command, &error);
                for (const redisReply *value : elements(values.get())) {
                    if (std::optional<ClusterInstance> instance = decodeAnnouncement(string(value))) {
                        instance->isSelf = instance->instanceId == m_config.instanceId;
                        seen.append(std::move(*instance));
                    }
                }
            }
            std::sort(seen.begin(), seen.end(), [](const auto &a, const auto &b) {
                return a.instanceId < b.instanceId;
            });
            std::lock_guard lock(m_mutex);
            m_instances = std::move(seen);
        } else {
            // Without Redis the other instances' state is unknown.
            {
                std::lock_guard lock(m_mutex);
                m_instances.clear();
            }
            if (!reported) {
                reported = true;
                qCWarning(lcService, "cannot announce this instance in Redis: %ls",
                          qUtf16Printable(set ? QString::fromUtf8(string(set.get())) : error));
            }
        }

        std::unique_lock lock(m_mutex);
        if (m_wake.wait_for(lock, std::chrono::milliseconds(m_config.intervalMs),
                            [this] { return !m_running; })) {
            const bool withdraw = m_withdraw;
            lock.unlock();
            if (withdraw)
                connection.command({"DEL", ownKey}, &error);
            return;
        }
    }
}
