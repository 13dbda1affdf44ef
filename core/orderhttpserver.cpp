#include "orderhttpserver.h"

#include "httperror.h"
#include "httpresponse.h"
#include "logging.h"
#include "orderhub.h"
#include "publishrequest.h"
#include "sseframe.h"
#include "streamengine.h"

#include <QHttpServerRequest>
#include <QJsonObject>
#include <QTcpServer>
#include <QTcpSocket>
#include <QUrl>

#include <fcntl.h>

namespace {

QByteArray buildStreamPreamble(int retryMs)
{
    // No Content-Length: the body lasts until the connection closes.
    QByteArray head = "HTTP/1.1 200 OK\r\n"
                      "Content-Type: text/event-stream\r\n"
                      "Cache-Control: no-cache\r\n"
                      "X-Accel-Buffering: no\r\n"
                      "\r\n";
    return head + SseFrame::encodeRetry(retryMs);
}

QString clientAddress(const QHostAddress &address)
{
    bool isMappedIpv4 = false;
    const quint32 ipv4 = address.toIPv4Address(&isMappedIpv4);
    return isMappedIpv4 ? QHostAddress(ipv4).toString() : address.toString();
}

// Splits a percent-encoded path into decoded segments. "/orders/A1/events"
// gives ["orders", "A1", "events"]; a trailing slash gives a trailing empty
// segment, so "/healthz/" matches no route.
QStringList pathSegments(const QUrl &url)
{
    const QString path = url.path(QUrl::FullyEncoded);
    QStringList segments = path.split(QLatin1Char('/'));
    if (!segments.isEmpty() && segments.front().isEmpty())
        segments.removeFirst();
    for (QString &segment : segments)
        segment = QUrl::fromPercentEncoding(segment.toLatin1());
    return segments;
}

QByteArray methodName(QHttpServerRequest::Method method)
{
    switch (method) {
    case QHttpServerRequest::Method::Get: return "GET";
    case QHttpServerRequest::Method::Put: return "PUT";
    case QHttpServerRequest::Method::Delete: return "DELETE";
    case QHttpServerRequest::Method::Post: return "POST";
    case QHttpServerRequest::Method::Head: return "HEAD";
    case QHttpServerRequest::Method::Options: return "OPTIONS";
    case QHttpServerRequest::Method::Patch: return "PATCH";
    case QHttpServerRequest::Method::Connect: return "CONNECT";
    case QHttpServerRequest::Method::Trace: return "TRACE";
    default: return "UNKNOWN";
    }
}

} // namespace

OrderHttpServer::OrderHttpServer(OrderHub &hub, StreamEngine &engine, const ServerConfig &config,
                                 QObject *parent)
    : QAbstractHttpServer(parent)
    , m_hub(hub)
    , m_engine(engine)
    , m_config(config)
    , m_streamPreamble(buildStreamPreamble(config.retryMs))
{
}

OrderHttpServer::~OrderHttpServer() = default;

quint16 OrderHttpServer::listenConfigured(QString *errorMessage)
{
    // QAbstractHttpServer::listen() makes a QTcpServer with Qt's default
    // backlog of 50, which overflows when thousands of browsers reconnect at
    // once. A server of our own takes the configured backlog.
    auto *tcpServer = new QTcpServer(this);
    tcpServer->setListenBacklogSize(m_config.listenBacklog);
    if (!tcpServer->listen(m_config.bindAddress, m_config.port)) {
        if (errorMessage) {
            *errorMessage = QStringLiteral("cannot listen on %1 port %2: %3")
                                    .arg(m_config.bindAddress.toString())
                                    .arg(m_config.port)
                                    .arg(tcpServer->errorString());
        }
        delete tcpServer;
        return 0;
    }

    bind(tcpServer);
    return tcpServer->serverPort();
}

bool OrderHttpServer::handleRequest(const QHttpServerRequest &request, QTcpSocket *socket)
{
    const QHttpServerRequest::Method method = request.method();
    const QStringList segments = pathSegments(request.url());
    qCDebug(lcHttp, "%s %ls from %ls", methodName(method).constData(),
            qUtf16Printable(request.url().path()), qUtf16Printable(clientAddress(request.remoteAddress())));

    if (segments == QStringList{QStringLiteral("healthz")}) {
        if (method != QHttpServerRequest::Method::Get) {
            reject(request, socket,
                   HttpError{405, QStringLiteral("method_not_allowed"),
                             QStringLiteral("%1 is not allowed on /healthz; use GET")
                                     .arg(QLatin1String(methodName(method)))});
            return true;
        }
        serveHealth(request, socket);
        return true;
    }

    if (segments.size() == 3 && segments[0] == QLatin1String("orders")
        && segments[2] == QLatin1String("events")) {
        const QString &orderId = segments[1];
        if (!isValidOrderId(orderId)) {
            reject(request, socket,
                   HttpError{400, QStringLiteral("invalid_order_id"),
                             QStringLiteral("order id must be 1 to 64 characters of letters, "
                                            "digits, '-' and '_'")});
            return true;
        }
        switch (method) {
        case QHttpServerRequest::Method::Get:
            serveStream(orderId, request, socket);
            return true;
        case QHttpServerRequest::Method::Post:
            servePublish(orderId, request, socket);
            return true;
        default:
            reject(request, socket,
                   HttpError{405, QStringLiteral("method_not_allowed"),
                             QStringLiteral("%1 is not allowed on /orders/{orderId}/events; "
                                            "use GET to subscribe or POST to publish")
                                     .arg(QLatin1String(methodName(method)))});
            return true;
        }
    }

    missingHandler(request, socket);
    return true;
}

void OrderHttpServer::missingHandler(const QHttpServerRequest &request, QTcpSocket *socket)
{
    reject(request, socket,
           HttpError{404, QStringLiteral("not_found"),
                     QStringLiteral("no route for %1 %2")
                             .arg(QLatin1String(methodName(request.method())),
                                  request.url().path())});
}

void OrderHttpServer::reject(const QHttpServerRequest &request, QTcpSocket *socket,
                             const HttpError &error)
{
    qCInfo(lcHttp, "%d %s %ls from %ls: %ls", error.status,
           methodName(request.method()).constData(), qUtf16Printable(request.url().path()),
           qUtf16Printable(clientAddress(request.remoteAddress())),
           qUtf16Printable(error.message));

    HttpHeaders headers;
    if (error.status == 405)
        headers.append(qMakePair(QByteArray("Allow"),
                                 QByteArray(request.url().path() == QLatin1String("/healthz")
                                                    ? "GET"
                                                    : "GET, POST")));
    if (error.status == 503)
        headers.append(qMakePair(QByteArray("Retry-After"), QByteArray("1")));
    HttpResponse::writeError(socket, request, error, headers);
}

void OrderHttpServer::serveHealth(const QHttpServerRequest &request, QTcpSocket *socket)
{
    const HubSnapshot snapshot = m_hub.snapshot(std::numeric_limits<quint64>::max(), 0);
    QJsonObject body;
    body.insert(QLatin1String("status"), QLatin1String("ok"));
    body.insert(QLatin1String("connections"), snapshot.connections);
    body.insert(QLatin1String("ordersWatched"), snapshot.ordersWatched);
    body.insert(QLatin1String("eventsPublished"), qint64(snapshot.eventsPublished));
    body.insert(QLatin1String("streamWorkers"), m_engine.workerCount());
    HttpResponse::writeJson(socket, request, 200, body);
}

void OrderHttpServer::serveStream(const QString &orderId, const QHttpServerRequest &request,
                                  QTcpSocket *socket)
{
    // F_DUPFD_CLOEXEC keeps the duplicate out of child processes, which would
    // otherwise hold the connection open after the stream is closed.
    const int fd = ::fcntl(int(socket->socketDescriptor()), F_DUPFD_CLOEXEC, 0);
    if (fd < 0) {
        reject(request, socket,
               HttpError{503, QStringLiteral("unavailable"),
                         QStringLiteral("cannot take over the connection: %1")
                                 .arg(QString::fromLocal8Bit(strerror(errno)))});
        return;
    }

    StreamInfo info;
    info.orderId = orderId;
    info.remoteAddress = clientAddress(socket->peerAddress());
    info.remotePort = socket->peerPort();
    info.connectedAt = QDateTime::currentDateTimeUtc();

    // abort() closes Qt's descriptor without a FIN and drops Qt's buffers;
    // QHttpServer then deletes the unconnected socket after this handler.
    // Nothing may be written through Qt before this point.
    socket->abort();
    m_engine.adopt(fd, info, m_streamPreamble);

    qCDebug(lcHttp, "stream of order %ls from %ls:%u handed to the streaming engine",
            qUtf16Printable(orderId), qUtf16Printable(info.remoteAddress), info.remotePort);
}

void OrderHttpServer::servePublish(const QString &orderId, const QHttpServerRequest &request,
                                   QTcpSocket *socket)
{
    std::variant<OrderEvent, HttpError> parsed = parsePublishBody(orderId, request.body());
    if (const HttpError *error = std::get_if<HttpError>(&parsed)) {
        reject(request, socket, *error);
        return;
    }

    OrderEvent event = std::get<OrderEvent>(std::move(parsed));
    event.source = QLatin1String(OrderEventSource::Api);
    const std::optional<OrderEvent> published = m_hub.publish(std::move(event));
    if (!published) {
        reject(request, socket,
               HttpError{503, QStringLiteral("busy"),
                         QStringLiteral("streaming queues are full; retry the publish")});
        return;
    }

    QJsonObject body;
    body.insert(QLatin1String("id"), qint64(published->id));
    body.insert(QLatin1String("orderId"), orderId);
    HttpResponse::writeJson(socket, request, 202, body);
}
