#include "redisconnection.h"

#include <QUrl>

#include <hiredis/hiredis.h>

#include <vector>

std::optional<RedisUrl> RedisUrl::parse(const QString &text, QString *error)
{
    const QUrl url(text, QUrl::StrictMode);
    if (!url.isValid() || url.scheme() != QLatin1String("redis") || url.host().isEmpty()) {
        *error = QStringLiteral("\"%1\" is not a Redis URL; expected redis://host[:port][/database]")
                         .arg(text);
        return std::nullopt;
    }
    RedisUrl result;
    result.host = url.host();
    const int port = url.port(6379);
    if (port < 1 || port > 65535) {
        *error = QStringLiteral("\"%1\": the port must be 1-65535").arg(text);
        return std::nullopt;
    }
    result.port = quint16(port);
    result.username = url.userName(QUrl::FullyDecoded).toUtf8();
    result.password = url.password(QUrl::FullyDecoded).toUtf8();
    const QString path = url.path();
    if (!path.isEmpty() && path != QLatin1String("/")) {
        bool ok = false;
        result.database = path.mid(1).toInt(&ok);
        if (!ok || result.database < 0) {
            *error = QStringLiteral("\"%1\": the database must be a number, as in redis://host/0")
                             .arg(text);
            return std::nullopt;
        }
    }
    if (url.hasQuery() || url.hasFragment()) {
        *error = QStringLiteral("\"%1\": query and fragment are not supported").arg(text);
        return std::nullopt;
    }
    return result;
}

QString RedisUrl::displayName() const
{
    const bool ipv6 = host.contains(QLatin1Char(':'));
    return QStringLiteral("%1%2%3:%4/%5")
            .arg(ipv6 ? QStringLiteral("[") : QString(), host, ipv6 ? QStringLiteral("]") : QString())
            .arg(port)
            .arg(database);
}

void RedisReplyDeleter::operator()(redisReply *reply) const
{
    freeReplyObject(reply);
}

namespace RedisReplyRead {

bool isError(const redisReply *reply)
{
    return reply && reply->type == REDIS_REPLY_ERROR;
}

bool isNil(const redisReply *reply)
{
    return !reply || reply->type == REDIS_REPLY_NIL;
}

QByteArray string(const redisReply *reply)
{
    if (!reply)
        return {};
    switch (reply->type) {
    case REDIS_REPLY_STRING:
    case REDIS_REPLY_STATUS:
    case REDIS_REPLY_ERROR:
        return QByteArray(reply->str, qsizetype(reply->len));
    case REDIS_REPLY_INTEGER:
        return QByteArray::number(reply->integer);
    default:
        return {};
    }
}

std::optional<long long> integer(const redisReply *reply)
{
    if (!reply)
        return std::nullopt;
    if (reply->type == REDIS_REPLY_INTEGER)
        return reply->integer;
    if (reply->type == REDIS_REPLY_STRING) {
        bool ok = false;
        const long long value = QByteArray(reply->str, qsizetype(reply->len)).toLongLong(&ok);
        if (ok)
            return value;
    }
    return std::nullopt;
}

QList<const redisReply *> elements(const redisReply *reply)
{
    QList<const redisReply *> result;
    if (!reply || reply->type != REDIS_REPLY_ARRAY)
        return result;
    result.reserve(qsizetype(reply->elements));
    for (size_t i = 0; i < reply->elements; ++i)
        result.append(reply->element[i]);
    return result;
}

} // namespace RedisReplyRead

RedisConnection::RedisConnection(RedisUrl url, int timeoutMs)
    : m_url(std::move(url)), m_timeoutMs(timeoutMs)
{
}

RedisConnection::~RedisConnection()
{
    disconnect();
}

void RedisConnection::disconnect()
{
    if (m_context) {
        redisFree(m_context);
        m_context = nullptr;
    }
}

QString RedisConnection::takeContextError()
{
    QString message = m_context && m_context->errstr[0]
            ? QString::fromLocal8Bit(m_context->errstr)
            : QStringLiteral("connection failed");
    if (m_context && m_context->err == REDIS_ERR_EOF)
        message = QStringLiteral("the server closed the connection");
    else if (m_context && m_context->err == REDIS_ERR_IO && message.contains(QLatin1String("temporarily unavailable")))
        message = QStringLiteral("no reply within %1 ms").arg(m_timeoutMs);
    disconnect();
    return message;
}

bool RedisConnection::ensureConnected(QString *error)
{
    if (m_context)
        return true;

    const timeval timeout{m_timeoutMs / 1000, (m_timeoutMs % 1000) * 1000};
    m_context = redisConnectWithTimeout(m_url.host.toUtf8().constData(), m_url.port, timeout);
    if (!m_context || m_context->err) {
        *error = QStringLiteral("cannot connect to Redis at %1: %2")
                         .arg(m_url.displayName(), takeContextError());
        return false;
    }
    redisSetTimeout(m_context, timeout);
    redisEnableKeepAlive(m_context);

    QList<QList<QByteArray>> setup;
    if (!m_url.password.isEmpty()) {
        if (m_url.username.isEmpty())
            setup.append({QByteArrayLiteral("AUTH"), m_url.password});
        else
            setup.append({QByteArrayLiteral("AUTH"), m_url.username, m_url.password});
    }
    if (m_url.database != 0)
        setup.append({QByteArrayLiteral("SELECT"), QByteArray::number(m_url.database)});
    if (setup.isEmpty())
        return true;

    QString pipelineError;
    const std::vector<RedisReplyPtr> replies = pipeline(setup, &pipelineError);
    if (replies.empty()) {
        *error = QStringLiteral("cannot connect to Redis at %1: %2")
                         .arg(m_url.displayName(), pipelineError);
        return false;
    }
    for (const RedisReplyPtr &reply : replies) {
        if (RedisReplyRead::isError(reply.get())) {
            *error = QStringLiteral("Redis at %1 refused the connection: %2")
                             .arg(m_url.displayName(),
                                  QString::fromUtf8(RedisReplyRead::string(reply.get())));
            disconnect();
            return false;
        }
    }
    return true;
}

bool RedisConnection::append(const QList<QByteArray> &arguments)
{
    std::vector<const char *> argv;
    std::vector<size_t> lengths;
    argv.reserve(size_t(arguments.size()));
    lengths.reserve(size_t(arguments.size()));
    for (const QByteArray &argument : arguments) {
        argv.push_back(argument.constData());
        lengths.push_back(size_t(argument.size()));
    }
    return redisAppendCommandArgv(m_context, int(argv.size()), argv.data(), lengths.data())
            == REDIS_OK;
}

RedisReplyPtr RedisConnection::command(const QList<QByteArray> &arguments, QString *error)
{
    std::vector<RedisReplyPtr> replies = pipeline({arguments}, error);
    if (replies.empty())
        return nullptr;
    return std::move(replies.front());
}

std::vector<RedisReplyPtr> RedisConnection::pipeline(const QList<QList<QByteArray>> &commands,
                                                     QString *error)
{
    const bool wasConnected = isConnected();
    std::vector<RedisReplyPtr> replies = sendPipeline(commands, error);
    if (replies.empty() && wasConnected && m_retryStale && !commands.isEmpty())
        replies = sendPipeline(commands, error);
    return replies;
}

std::vector<RedisReplyPtr> RedisConnection::sendPipeline(const QList<QList<QByteArray>> &commands,
                                                         QString *error)
{
    std::vector<RedisReplyPtr> replies;
    if (!ensureConnected(error))
        return replies;

    for (const QList<QByteArray> &arguments : commands) {
        if (!append(arguments)) {
            *error = takeContextError();
            return replies;
        }
    }
    replies.reserve(size_t(commands.size()));
    for (qsizetype i = 0; i < commands.size(); ++i) {
        void *reply = nullptr;
        if (redisGetReply(m_context, &reply) != REDIS_OK || !reply) {
            *error = takeContextError();
            replies.clear();
            return replies;
        }
        replies.emplace_back(static_cast<redisReply *>(reply));
    }
    return replies;
}
