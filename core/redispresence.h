#pragma once

#include "redisconnection.h"

#include <QDateTime>
#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QString>

#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

// One instance as it announced itself in Redis.
struct ClusterInstance
{
    QString instanceId;
    // The address clients connect to, as host:port.
    QString address;
    QString version;
    QDateTime startedAt;
    QDateTime announcedAt;
    int connections = 0;
    // Open streams per order on that instance.
    QHash<QString, int> subscribersPerOrder;
    bool isSelf = false;
};

// The state an instance announces to the others.
struct PresenceAnnouncement
{
    int connections = 0;
    QHash<QString, int> subscribersPerOrder;
};

// Announces this instance in Redis and reads the other instances'
// announcements.
//
// Every interval a thread writes P:instance:ID (P is the key prefix) with a
// time to live of ttlMs, then reads every P:instance:* key. An instance that
// stops withdraws its key; one that dies disappears when its key expires.
class RedisPresence
{
public:
    struct Config
    {
        RedisUrl url;
        QString keyPrefix = QStringLiteral("orderstream");
        QString instanceId;
        QString address;
        QString version;
        int intervalMs = 2000;
        int ttlMs = 10000;
        int timeoutMs = 2000;
        // Orders listed per instance; the ones with the most subscribers.
        int maxOrdersAnnounced = 500;
    };

    // source runs on the presence thread and must be thread-safe.
    RedisPresence(Config config, std::function<PresenceAnnouncement()> source);
    ~RedisPresence();

    RedisPresence(const RedisPresence &) = delete;
    RedisPresence &operator=(const RedisPresence &) = delete;

    void start();
    // Stops the thread. With withdraw, deletes this instance's key first, so
    // the others see it gone at once instead of after the time to live.
    void stop(bool withdraw = true);

    // The instances seen in the last read, this one included, sorted by id.
    // Thread-safe.
    QList<ClusterInstance> instances() const;
    const Config &config() const { return m_config; }

private:
    void run();
    QByteArray instanceKey(const QString &instanceId) const;

    const Config m_config;
    const std::function<PresenceAnnouncement()> m_source;
    const QDateTime m_startedAt;
    std::thread m_thread;

    mutable std::mutex m_mutex;
    std::condition_variable m_wake;
    bool m_running = false;
    bool m_withdraw = true;
    QList<ClusterInstance> m_instances;
};
