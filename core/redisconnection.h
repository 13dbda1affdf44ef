#pragma once

#include <QByteArray>
#include <QList>
#include <QString>

#include <memory>
#include <optional>

struct redisContext;
struct redisReply;

// The address of a Redis server: redis://[[user]:password@]host[:port][/database].
struct RedisUrl
{
    QString host;
    quint16 port = 6379;
    QByteArray username;
    QByteArray password;
    int database = 0;

    // Returns nullopt with error set when url is not a redis:// URL.
    static std::optional<RedisUrl> parse(const QString &url, QString *error);
    // host:port/database, without credentials, for messages.
    QString displayName() const;
};

struct RedisReplyDeleter
{
    void operator()(redisReply *reply) const;
};
using RedisReplyPtr = std::unique_ptr<redisReply, RedisReplyDeleter>;

// Readers of hiredis replies; each returns an empty value for a reply of another type.
namespace RedisReplyRead {
bool isError(const redisReply *reply);
bool isNil(const redisReply *reply);
QByteArray string(const redisReply *reply);
std::optional<long long> integer(const redisReply *reply);
// The elements of an array reply; empty for other types.
QList<const redisReply *> elements(const redisReply *reply);
}

// One synchronous connection to Redis through hiredis, for a single thread.
// Every call blocks for at most the timeout. After an I/O error or a timeout
// the connection is closed, and the next call reconnects.
class RedisConnection
{
public:
    RedisConnection(RedisUrl url, int timeoutMs);
    ~RedisConnection();

    RedisConnection(const RedisConnection &) = delete;
    RedisConnection &operator=(const RedisConnection &) = delete;

    // Connects, authenticates and selects the database when not connected.
    bool ensureConnected(QString *error);
    bool isConnected() const { return m_context != nullptr; }
    void disconnect();

    // Sends one command. Returns nullptr with error set when the command
    // could not be sent or got no reply; an error reply is returned as a reply.
    RedisReplyPtr command(const QList<QByteArray> &arguments, QString *error);
    // Sends every command before reading the first reply. Returns one reply
    // per command, or an empty list with error set after an I/O error.
    std::vector<RedisReplyPtr> pipeline(const QList<QList<QByteArray>> &commands, QString *error);

    const RedisUrl &url() const { return m_url; }

    // For connections that send only reads: a command that fails on a
    // connection made before the call (the server restarted or closed an
    // idle connection) is sent once more on a new connection.
    void setRetryReadsOnStaleConnection(bool retry) { m_retryStale = retry; }

private:
    std::vector<RedisReplyPtr> sendPipeline(const QList<QList<QByteArray>> &commands,
                                            QString *error);
    bool append(const QList<QByteArray> &arguments);
    QString takeContextError();

    const RedisUrl m_url;
    const int m_timeoutMs;
    redisContext *m_context = nullptr;
    bool m_retryStale = false;
};
