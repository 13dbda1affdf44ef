#include "orderhttpserver.h"

#include "connectionguard.h"
#include "guardedtcpserver.h"
#include "httperror.h"
#include "httpmetrics.h"
#include "httpresponse.h"
#include "logging.h"
#include "eventstore.h"
#include "orderhub.h"
#include "platformevent.h"
#include "publishrequest.h"
#include "reconnecttracker.h"
#include "sseframe.h"
#include "streamadmission.h"
#include "streamengine.h"
#include "tlsrelay.h"
#include "watchpage.h"

#include <QHttpServerRequest>
#include <QJsonArray>
#include <QJsonObject>
#include <QPointer>
#include <QSslSocket>
#include <QUrlQuery>
#include <QTcpServer>
#include <QTcpSocket>
#include <QUrl>

#include <fcntl.h>

#include <algorithm>

namespace {

QByteArray buildStreamPreamble(int retryMs, const HttpHeaders &extraHeaders = {})
{
    // No Content-Length: the body lasts until the connection closes.
    QByteArray head = "HTTP/1.1 200 OK\r\n"
                      "Content-Type: text/event-stream\r\n"
                      "Cache-Control: no-cache\r\n"
                      "X-Accel-Buffering: no\r\n";
    for (const auto &header : extraHeaders)
        head += header.first + ": " + header.second + "\r\n";
    head += "\r\n";
    return head + SseFrame::encodeRetry(retryMs);
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

HttpError invalidOrderId()
{
    return HttpError{400, QStringLiteral("invalid_order_id"),
                     QStringLiteral("order id must be 1 to 64 characters of letters, digits, "
                                    "'-' and '_'")};
}

// Reads Last-Event-ID from the header or, for EventSource polyfills that
// cannot set headers, from the lastEventId query parameter. A value that is
// not a decimal event id is logged and treated as absent.
std::optional<quint64> readLastEventId(const QHttpServerRequest &request, const QString &client)
{
    QByteArray text = request.value("last-event-id").trimmed();
    if (text.isEmpty())
        text = request.query().queryItemValue(QStringLiteral("lastEventId")).toUtf8().trimmed();
    if (text.isEmpty())
        return std::nullopt;

    bool ok = false;
    const quint64 id = text.toULongLong(&ok);
    const bool digitsOnly = std::all_of(text.cbegin(), text.cend(),
                                        [](char c) { return c >= '0' && c <= '9'; });
    if (!ok || !digitsOnly) {
        qCInfo(lcHttp, "ignored malformed Last-Event-ID \"%s\" from %ls",
               text.left(32).toPercentEncoding().constData(), qUtf16Printable(client));
        return std::nullopt;
    }
    return id;
}

PlatformEventFields ingestFields(const ServerConfig &config)
{
    PlatformEventFields fields;
    fields.orderId = config.ingestOrderIdField;
    fields.status = config.ingestStatusField;
    fields.stage = config.ingestStageField;
    fields.message = config.ingestMessageField;
    return fields;
}

// The response body of a stored publish: 202 with the new id, or 200 for a
// repeated ingest delivery with the id stored the first time.
QJsonObject storedBody(const AppendResult &result)
{
    QJsonObject body;
    body.insert(QLatin1String("id"), qint64(result.stored->id));
    body.insert(QLatin1String("orderId"), result.stored->orderId);
    if (result.duplicate)
        body.insert(QLatin1String("duplicate"), true);
    if (result.stored->lifecycleOverride)
        body.insert(QLatin1String("override"), true);
    return body;
}

int storedStatus(const AppendResult &result)
{
    if (!result.stored)
        return result.unavailable ? 503 : 500;
    return result.duplicate ? 200 : 202;
}

// headers, plus Retry-After for a 503, which a publisher may retry.
HttpHeaders withRetryAfter(HttpHeaders headers, int status)
{
    if (status == 503)
        headers.append(qMakePair(QByteArray("Retry-After"), QByteArray("1")));
    return headers;
}

void logIngestDuplicate(const AppendResult &result)
{
    if (!result.duplicate)
        return;
    qCInfo(lcHttp, "ingest: delivery %ls of order %ls was stored before as event %llu",
           qUtf16Printable(result.stored->ingestKey), qUtf16Printable(result.stored->orderId),
           result.stored->id);
}

HttpError storeFailure(const AppendResult &result)
{
    if (result.unavailable) {
        return HttpError{503, QStringLiteral("store_unavailable"),
                         QStringLiteral("%1; retry the publish").arg(result.error)};
    }
    return HttpError{500, QStringLiteral("journal_failed"),
                     QStringLiteral("the event was not stored: %1").arg(result.error)};
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

OrderHttpServer::OrderHttpServer(OrderHub &hub, StreamEngine &engine, ReconnectTracker &reconnects,
                                 HttpMetrics &metrics, StreamAdmission &admission,
                                 const ServerConfig &config, QObject *parent)
    : QAbstractHttpServer(parent)
    , m_hub(hub)
    , m_engine(engine)
    , m_reconnects(reconnects)
    , m_metrics(metrics)
    , m_admission(admission)
    , m_config(config)
    , m_verifier(config.jwt)
    , m_authLimiter(config.authFailuresPerMinute)
    , m_streamPreamble(buildStreamPreamble(config.retryMs))
    , m_ingestFields(ingestFields(config))
{
}

OrderHttpServer::~OrderHttpServer() = default;

quint16 OrderHttpServer::listenConfigured(QString *errorMessage)
{
    // QAbstractHttpServer::listen() makes a QTcpServer with Qt's default
    // backlog of 50, which overflows when thousands of browsers reconnect at
    // once. A server of our own takes the configured backlog, and guards
    // every connection with the request limits.
    ConnectionLimits limits;
    limits.maxHeaderBytes = m_config.maxHeaderBytes;
    limits.maxBodyBytes = MaxPublishBodyBytes;
    limits.requestTimeoutMs = m_config.requestTimeoutMs;
    limits.idleTimeoutMs = m_config.idleTimeoutMs;

    QSslConfiguration tls;
    const bool tlsWanted = !m_config.tlsCertificatePath.isEmpty() || !m_config.tlsKeyPath.isEmpty();
    if (tlsWanted) {
        QString tlsError = QStringLiteral("HTTPS needs both a certificate and a private key");
        if (m_config.tlsCertificatePath.isEmpty() || m_config.tlsKeyPath.isEmpty()
            || !GuardedTcpServer::loadTlsConfiguration(m_config.tlsCertificatePath,
                                                       m_config.tlsKeyPath, &tls, &tlsError)) {
            if (errorMessage)
                *errorMessage = tlsError;
            return 0;
        }
    }

    auto *tcpServer = new GuardedTcpServer(limits, m_config.maxConnectionsPerAddress, m_metrics,
                                           this);
    if (tlsWanted)
        tcpServer->setTlsConfiguration(tls);
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

void OrderHttpServer::stopListening()
{
    const QList<QTcpServer *> listeners = servers();
    for (QTcpServer *listener : listeners)
        listener->close();
}

bool OrderHttpServer::handleRequest(const QHttpServerRequest &request, QTcpSocket *socket)
{
    const QHttpServerRequest::Method method = request.method();
    const QStringList segments = pathSegments(request.url());
    qCDebug(lcHttp, "%s %ls from %ls", methodName(method).constData(),
            qUtf16Printable(request.url().path()), qUtf16Printable(clientOf(request, request.remoteAddress())));

    // Every response to this request, errors included, carries these headers.
    m_corsHeaders = corsHeaders(request);

    const RouteMatch match = matchRoute(segments);
    m_route = match.route;
    if (match.route == Route::None) {
        missingHandler(request, socket);
        return true;
    }
    const bool hasOrderId = match.route == Route::Order || match.route == Route::Events;
    if ((hasOrderId || match.route == Route::Watch) && !isValidOrderId(match.orderId)) {
        reject(request, socket, invalidOrderId());
        return true;
    }
    if (method == QHttpServerRequest::Method::Options) {
        servePreflight(match.route, request, socket);
        return true;
    }

    std::optional<JwtClaims> claims;
    if (hasOrderId || match.route == Route::Ingest) {
        claims = authorize(match, request, socket);
        if (!claims)
            return true;
    }

    switch (match.route) {
    case Route::Health:
        if (method == QHttpServerRequest::Method::Get)
            serveHealth(request, socket);
        else
            rejectMethod(match.route, request, socket);
        return true;
    case Route::Metrics:
        if (method == QHttpServerRequest::Method::Get)
            serveMetrics(request, socket);
        else
            rejectMethod(match.route, request, socket);
        return true;
    case Route::Watch:
        if (method == QHttpServerRequest::Method::Get || method == QHttpServerRequest::Method::Head)
            serveWatchPage(request, socket);
        else
            rejectMethod(match.route, request, socket);
        return true;
    case Route::Order:
        if (method == QHttpServerRequest::Method::Get)
            serveOrder(match.orderId, request, socket);
        else
            rejectMethod(match.route, request, socket);
        return true;
    case Route::Events:
        if (method == QHttpServerRequest::Method::Get)
            serveStream(match.orderId, *claims, request, socket);
        else if (method == QHttpServerRequest::Method::Post)
            servePublish(match.orderId, *claims, request, socket);
        else
            rejectMethod(match.route, request, socket);
        return true;
    case Route::Ingest:
        if (method == QHttpServerRequest::Method::Post)
            serveIngest(request, socket);
        else
            rejectMethod(match.route, request, socket);
        return true;
    case Route::None:
        break;
    }
    return true;
}

OrderHttpServer::RouteMatch OrderHttpServer::matchRoute(const QStringList &segments)
{
    if (segments == QStringList{QStringLiteral("healthz")})
        return {Route::Health, {}};
    if (segments == QStringList{QStringLiteral("metrics")})
        return {Route::Metrics, {}};
    if (segments == QStringList{QStringLiteral("ingest"), QStringLiteral("platform-events")})
        return {Route::Ingest, {}};
    if (segments.size() == 2 && segments[0] == QLatin1String("orders"))
        return {Route::Order, segments[1]};
    if (segments.size() == 3 && segments[0] == QLatin1String("orders")
        && segments[2] == QLatin1String("events"))
        return {Route::Events, segments[1]};
    if (segments.size() == 2 && segments[0] == QLatin1String("watch"))
        return {Route::Watch, segments[1]};
    return {Route::None, {}};
}

QByteArray OrderHttpServer::allowedMethods(Route route)
{
    if (route == Route::Events)
        return QByteArray("GET, POST, OPTIONS");
    if (route == Route::Ingest)
        return QByteArray("POST, OPTIONS");
    if (route == Route::Watch)
        return QByteArray("GET, HEAD, OPTIONS");
    return QByteArray("GET, OPTIONS");
}

QString OrderHttpServer::routeLabel(Route route)
{
    switch (route) {
    case Route::Health: return QStringLiteral("/healthz");
    case Route::Metrics: return QStringLiteral("/metrics");
    case Route::Order: return QStringLiteral("/orders/{orderId}");
    case Route::Events: return QStringLiteral("/orders/{orderId}/events");
    case Route::Ingest: return QStringLiteral("/ingest/platform-events");
    case Route::Watch: return QStringLiteral("/watch/{orderId}");
    case Route::None: break;
    }
    return QStringLiteral("other");
}

void OrderHttpServer::writeJson(const QHttpServerRequest &request, QTcpSocket *socket, int status,
                                const QJsonObject &body)
{
    m_metrics.count(routeLabel(m_route), status);
    HttpResponse::writeJson(socket, request, status, body, m_corsHeaders);
}

HttpHeaders OrderHttpServer::corsHeaders(const QHttpServerRequest &request) const
{
    const QByteArray origin = request.value("origin");
    if (origin.isEmpty() || !m_config.corsOrigins.contains(QString::fromLatin1(origin)))
        return {};
    return {
        qMakePair(QByteArray("Access-Control-Allow-Origin"), origin),
        qMakePair(QByteArray("Access-Control-Allow-Credentials"), QByteArray("true")),
        qMakePair(QByteArray("Vary"), QByteArray("Origin")),
    };
}

QByteArray OrderHttpServer::findToken(const QHttpServerRequest &request) const
{
    const QByteArray authorization = request.value("authorization").trimmed();
    if (authorization.size() > 7 && authorization.left(7).compare("Bearer ", Qt::CaseInsensitive) == 0)
        return authorization.mid(7).trimmed();

    const QByteArray cookieName = m_config.tokenCookieName.toUtf8();
    const QList<QByteArray> cookies = request.value("cookie").split(';');
    for (const QByteArray &cookie : cookies) {
        const qsizetype equals = cookie.indexOf('=');
        if (equals > 0 && cookie.left(equals).trimmed() == cookieName)
            return cookie.mid(equals + 1).trimmed();
    }

    return request.query().queryItemValue(QStringLiteral("access_token"), QUrl::FullyDecoded).toUtf8();
}

std::optional<JwtClaims> OrderHttpServer::authorize(const RouteMatch &match,
                                                    const QHttpServerRequest &request,
                                                    QTcpSocket *socket)
{
    if (!m_config.authEnabled)
        return JwtClaims{};

    const QString client = clientOf(request, request.remoteAddress());
    const qint64 nowMs = QDateTime::currentMSecsSinceEpoch();
    if (const int wait = m_authLimiter.secondsBlocked(client, nowMs); wait > 0) {
        m_metrics.countAuthFailure(QStringLiteral("rate_limited"));
        reject(request, socket,
               HttpError{429, QStringLiteral("too_many_failures"),
                         QStringLiteral("too many failed authentications from this address; "
                                        "retry in %1 s").arg(wait)},
               {qMakePair(QByteArray("Retry-After"), QByteArray::number(wait))});
        return std::nullopt;
    }

    // The token is never logged, wherever it came from.
    const QByteArray token = findToken(request);
    if (token.isEmpty()) {
        m_authLimiter.recordFailure(client, nowMs);
        m_metrics.countAuthFailure(QStringLiteral("missing_token"));
        reject(request, socket,
               HttpError{401, QStringLiteral("missing_token"),
                         QStringLiteral("a bearer token is required: send it in the "
                                        "Authorization header, the %1 cookie or the "
                                        "access_token query parameter")
                                 .arg(m_config.tokenCookieName)},
               {qMakePair(QByteArray("WWW-Authenticate"), QByteArray("Bearer realm=\"orderstream\""))});
        return std::nullopt;
    }

    const JwtVerification verification = m_verifier.verify(token);
    if (const JwtError *error = std::get_if<JwtError>(&verification)) {
        m_authLimiter.recordFailure(client, nowMs);
        m_metrics.countAuthFailure(QStringLiteral("invalid_token"));
        QByteArray challenge = "Bearer realm=\"orderstream\", error=\"invalid_token\", "
                               "error_description=\"";
        challenge += error->message.toUtf8().replace('"', '\'') + '"';
        reject(request, socket,
               HttpError{401, QStringLiteral("invalid_token"),
                         QStringLiteral("%1: %2").arg(error->codeName(), error->message)},
               {qMakePair(QByteArray("WWW-Authenticate"), challenge)});
        return std::nullopt;
    }

    const JwtClaims &claims = std::get<JwtClaims>(verification);
    const bool publishing = match.route == Route::Ingest
            || (match.route == Route::Events && request.method() == QHttpServerRequest::Method::Post);
    const bool allowed = publishing ? mayPublish(claims) : mayWatch(claims, match.orderId);
    if (!allowed) {
        m_metrics.countAuthFailure(QStringLiteral("forbidden"));
        reject(request, socket,
               HttpError{403, QStringLiteral("forbidden"),
                         publishing ? QStringLiteral("the token lacks the %1 scope needed to publish")
                                              .arg(m_config.jwt.publishScope)
                                    : QStringLiteral("the token does not grant access to order %1")
                                              .arg(match.orderId)});
        return std::nullopt;
    }
    return claims;
}

void OrderHttpServer::servePreflight(Route route, const QHttpServerRequest &request,
                                     QTcpSocket *socket)
{
    // An origin outside the allow-list gets a response without CORS headers,
    // which makes the browser refuse the actual request.
    HttpHeaders headers = m_corsHeaders;
    headers.append(qMakePair(QByteArray("Allow"), allowedMethods(route)));
    if (!m_corsHeaders.isEmpty()) {
        headers.append(qMakePair(QByteArray("Access-Control-Allow-Methods"), allowedMethods(route)));
        headers.append(qMakePair(QByteArray("Access-Control-Allow-Headers"),
                                 QByteArray("Authorization, Content-Type, Last-Event-ID, Cache-Control")));
        headers.append(qMakePair(QByteArray("Access-Control-Max-Age"), QByteArray("600")));
    }
    m_metrics.count(routeLabel(route), 204);
    HttpResponse::write(socket, request, 204, {}, {}, headers);
}

void OrderHttpServer::rejectMethod(Route route, const QHttpServerRequest &request,
                                   QTcpSocket *socket)
{
    reject(request, socket,
           HttpError{405, QStringLiteral("method_not_allowed"),
                     QStringLiteral("%1 is not allowed on %2; allowed: %3")
                             .arg(QLatin1String(methodName(request.method())), request.url().path(),
                                  QLatin1String(allowedMethods(route)))});
}

void OrderHttpServer::missingHandler(const QHttpServerRequest &request, QTcpSocket *socket)
{
    reject(request, socket,
           HttpError{404, QStringLiteral("not_found"),
                     QStringLiteral("no route for %1 %2")
                             .arg(QLatin1String(methodName(request.method())),
                                  request.url().path())});
}

QString OrderHttpServer::clientOf(const QHttpServerRequest &request, const QHostAddress &peer) const
{
    const auto isTrustedProxy = [this](const QHostAddress &address) {
        for (const QPair<QHostAddress, int> &subnet : m_config.trustedProxies) {
            if (address.isInSubnet(subnet))
                return true;
        }
        return false;
    };
    // A dual-stack socket reports IPv4 peers as mapped IPv6 addresses.
    const QHostAddress plainPeer(GuardedTcpServer::clientAddress(peer));
    if (m_config.trustedProxies.isEmpty() || !isTrustedProxy(plainPeer))
        return plainPeer.toString();

    // Each proxy appends the address it received the request from, so the
    // rightmost entry that is not a trusted proxy is the client. Entries to
    // its left come from the client and may be forged.
    const QList<QByteArray> hops = request.value("x-forwarded-for").split(',');
    for (auto it = hops.crbegin(); it != hops.crend(); ++it) {
        const QHostAddress hop(QString::fromLatin1(it->trimmed()));
        if (hop.isNull())
            break;
        if (!isTrustedProxy(hop))
            return GuardedTcpServer::clientAddress(hop);
    }
    return plainPeer.toString();
}

void OrderHttpServer::reject(const QHttpServerRequest &request, QTcpSocket *socket,
                             const HttpError &error, const HttpHeaders &extraHeaders)
{
    qCInfo(lcHttp, "%d %s %ls from %ls: %ls", error.status,
           methodName(request.method()).constData(), qUtf16Printable(request.url().path()),
           qUtf16Printable(clientOf(request, request.remoteAddress())),
           qUtf16Printable(error.message));

    HttpHeaders headers = m_corsHeaders + extraHeaders;
    if (error.status == 405) {
        const RouteMatch match = matchRoute(pathSegments(request.url()));
        headers.append(qMakePair(QByteArray("Allow"), allowedMethods(match.route)));
    }
    if (error.status == 503)
        headers.append(qMakePair(QByteArray("Retry-After"), QByteArray("1")));
    m_metrics.count(routeLabel(m_route), error.status);
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
    writeJson(request, socket, 200, body);
}

void OrderHttpServer::serveMetrics(const QHttpServerRequest &request, QTcpSocket *socket)
{
    const QByteArray text = m_metricsSource ? m_metricsSource() : QByteArray();
    m_metrics.count(routeLabel(Route::Metrics), 200);
    HttpResponse::write(socket, request, 200, "text/plain; version=0.0.4; charset=utf-8", text,
                        m_corsHeaders);
}

void OrderHttpServer::serveStream(const QString &orderId, const JwtClaims &claims,
                                  const QHttpServerRequest &request, QTcpSocket *socket)
{
    const QString client = clientOf(request, socket->peerAddress());
    StreamInfo info;
    info.orderId = orderId;
    info.remoteAddress = client;
    info.remotePort = socket->peerPort();
    info.lastEventId = readLastEventId(request, info.remoteAddress);
    info.subject = claims.subject;
    if (m_config.closeFinishedStreams && serveFinishedOrder(info, request, socket))
        return;

    switch (m_admission.admit(client)) {
    case StreamAdmission::Decision::Admitted:
        break;
    case StreamAdmission::Decision::ServerFull:
        reject(request, socket,
               HttpError{503, QStringLiteral("too_many_streams"),
                         QStringLiteral("the server holds its maximum of %1 streams; retry later")
                                 .arg(m_admission.maxStreams())});
        return;
    case StreamAdmission::Decision::AddressFull:
        reject(request, socket,
               HttpError{429, QStringLiteral("too_many_streams"),
                         QStringLiteral("this address holds its maximum of %1 streams; close one "
                                        "first").arg(m_admission.maxStreamsPerAddress())},
               {qMakePair(QByteArray("Retry-After"), QByteArray("5"))});
        return;
    }

    QString takeOverError;
    const int fd = takeOverConnection(socket, &takeOverError);
    if (fd < 0) {
        m_admission.release(client);
        reject(request, socket,
               HttpError{503, QStringLiteral("unavailable"),
                         QStringLiteral("cannot take over the connection: %1").arg(takeOverError)});
        return;
    }

    info.connectedAt = QDateTime::currentDateTimeUtc();
    // The verifier accepts a token until exp plus the leeway, so the stream
    // lasts as long. Closing it earlier would make the browser reconnect in a
    // loop with a token that is still accepted.
    if (claims.expiresAt)
        info.expiresAtMs = claims.expiresAt->toMSecsSinceEpoch() + qint64(m_config.jwt.leewaySeconds) * 1000;
    if (!info.lastEventId || info.replaysFinalEvent)
        m_reconnects.streamOpened(info);

    releaseFromQt(socket);
    m_metrics.count(routeLabel(Route::Events), 200);
    m_engine.adopt(fd, info, m_corsHeaders.isEmpty() ? m_streamPreamble
                                                     : buildStreamPreamble(m_config.retryMs,
                                                                           m_corsHeaders));

    qCDebug(lcHttp, "stream of order %ls from %ls:%u handed to the streaming engine",
            qUtf16Printable(orderId), qUtf16Printable(info.remoteAddress), info.remotePort);
}

bool OrderHttpServer::serveFinishedOrder(StreamInfo &info, const QHttpServerRequest &request,
                                         QTcpSocket *socket)
{
    const std::optional<quint64> finalId = m_hub.finalEventId(info.orderId);
    if (!finalId)
        return false;

    const std::optional<OrderSummary> order = m_hub.order(info.orderId);
    const quint64 lastId = order ? std::max(order->lastEventId, *finalId) : *finalId;
    if (info.lastEventId && *info.lastEventId >= lastId) {
        // The client has every event of an order that ends here. 204 makes
        // a browser's EventSource stop reconnecting.
        qCDebug(lcHttp, "order %ls is finished and %ls:%u has event %llu: 204",
                qUtf16Printable(info.orderId), qUtf16Printable(info.remoteAddress),
                info.remotePort, *info.lastEventId);
        m_metrics.count(routeLabel(Route::Events), 204);
        HttpResponse::write(socket, request, 204, {}, {}, m_corsHeaders);
        return true;
    }
    if (!info.lastEventId) {
        info.lastEventId = *finalId - 1;
        info.replaysFinalEvent = true;
    }
    return false;
}

int OrderHttpServer::takeOverConnection(QTcpSocket *socket, QString *errorMessage)
{
    // A TLS session cannot leave its QSslSocket, so the engine writes to a
    // relay that encrypts on this thread.
    if (auto *tls = qobject_cast<QSslSocket *>(socket))
        return TlsRelay::start(tls, errorMessage);

    // F_DUPFD_CLOEXEC keeps the duplicate out of child processes, which would
    // otherwise hold the connection open after the stream is closed.
    const int fd = ::fcntl(int(socket->socketDescriptor()), F_DUPFD_CLOEXEC, 0);
    if (fd < 0)
        *errorMessage = QString::fromLocal8Bit(strerror(errno));
    return fd;
}

void OrderHttpServer::releaseFromQt(QTcpSocket *socket)
{
    // A stream is never subject to the request limits.
    if (ConnectionGuard *guard = ConnectionGuard::find(socket))
        guard->detach();

    if (qobject_cast<QSslSocket *>(socket)) {
        // The relay owns the socket's input from now on; Qt's parser must not
        // read the stream's input as further requests.
        disconnect(socket, &QIODevice::readyRead, this, nullptr);
        return;
    }

    // abort() closes Qt's descriptor without a FIN and drops Qt's buffers;
    // QHttpServer then deletes the unconnected socket after this handler.
    // Nothing may be written through Qt before this point.
    socket->abort();
}

void OrderHttpServer::servePublish(const QString &orderId, const JwtClaims &claims,
                                   const QHttpServerRequest &request, QTcpSocket *socket)
{
    std::variant<OrderEvent, HttpError> parsed = parsePublishBody(orderId, request.body());
    if (const HttpError *error = std::get_if<HttpError>(&parsed)) {
        reject(request, socket, *error);
        return;
    }

    OrderEvent event = std::get<OrderEvent>(std::move(parsed));
    if (event.source.isEmpty())
        event.source = QLatin1String(OrderEventSource::Api);
    event.publisher = claims.subject;

    // The response waits for the journal's commit. The callback runs on the
    // journal's writer thread; the socket is touched only on this thread, and
    // only if it still exists.
    // NOTE: a client that pipelines a request after this publish may get an
    // error response to that request before the 202 of this one.
    publishAndRespond(std::move(event), Route::Events, request, socket);
}

void OrderHttpServer::publishAndRespond(OrderEvent event, Route route,
                                        const QHttpServerRequest &request, QTcpSocket *socket)
{
    QPointer<QTcpSocket> target(socket);
    const bool closeAfter = HttpResponse::wantsClose(request);
    const HttpHeaders headers = m_corsHeaders;
    const std::optional<HttpError> rejected = m_hub.publish(
            std::move(event),
            [this, route, target, closeAfter, headers](const AppendResult &result) {
                QMetaObject::invokeMethod(this, [this, route, target, closeAfter, headers, result] {
                    logIngestDuplicate(result);
                    const int status = storedStatus(result);
                    m_metrics.count(routeLabel(route), status);
                    if (!target)
                        return;
                    const QJsonObject body =
                            result.stored ? storedBody(result) : storeFailure(result).toJson();
                    HttpResponse::writeLater(target, closeAfter, status, body,
                                             withRetryAfter(headers, status));
                });
            });
    if (rejected)
        reject(request, socket, *rejected);
}

void OrderHttpServer::serveIngest(const QHttpServerRequest &request, QTcpSocket *socket)
{
    auto parsed = parsePlatformEvents(request.body(), m_ingestFields);
    if (const HttpError *error = std::get_if<HttpError>(&parsed)) {
        reject(request, socket, *error);
        return;
    }
    PlatformEventBatch batch = std::get<PlatformEventBatch>(std::move(parsed));
    if (!batch.isArray) {
        // A single message gets the responses of a publish: 202, 200 for a
        // repeated delivery, or the error itself.
        publishAndRespond(std::move(batch.events.first()), Route::Ingest, request, socket);
        return;
    }

    // A CometD batch gets 200 with one result per message, each with its own
    // status. Callbacks hand their result to this thread, so the state below
    // is touched only here.
    struct IngestResponse
    {
        QPointer<QTcpSocket> target;
        bool closeAfter = false;
        HttpHeaders headers;
        QList<QJsonObject> results;
        QList<int> statuses;
        qsizetype remaining = 0;
    };
    auto response = std::make_shared<IngestResponse>();
    response->target = socket;
    response->closeAfter = HttpResponse::wantsClose(request);
    response->headers = m_corsHeaders;
    response->results.resize(batch.events.size());
    response->statuses.resize(batch.events.size());
    response->remaining = batch.events.size();

    const auto finish = [this](const std::shared_ptr<IngestResponse> &response, qsizetype index,
                               int status, QJsonObject body) {
        m_metrics.count(routeLabel(Route::Ingest), status);
        response->statuses[index] = status;
        response->results[index] = std::move(body);
        if (--response->remaining > 0 || !response->target)
            return;

        QJsonArray results;
        for (qsizetype i = 0; i < response->results.size(); ++i) {
            QJsonObject result = response->results.at(i);
            result.insert(QLatin1String("status"), response->statuses.at(i));
            results.append(result);
        }
        HttpResponse::writeLater(response->target, response->closeAfter, 200,
                                 QJsonObject{{QLatin1String("results"), results}},
                                 response->headers);
    };

    // The messages are published in array order, so the lifecycle checks each
    // against the stages of the ones before it.
    for (qsizetype index = 0; index < batch.events.size(); ++index) {
        OrderEvent &event = batch.events[index];
        const QString orderId = event.orderId;
        const QString ingestKey = event.ingestKey;
        const std::optional<HttpError> rejected = m_hub.publish(
                std::move(event), [this, response, index, finish](const AppendResult &result) {
                    QMetaObject::invokeMethod(this, [response, index, finish, result] {
                        logIngestDuplicate(result);
                        finish(response, index, storedStatus(result),
                               result.stored ? storedBody(result) : storeFailure(result).toJson());
                    });
                });
        if (rejected) {
            qCInfo(lcHttp, "ingest: rejected delivery %ls of order %ls: %d %ls",
                   qUtf16Printable(ingestKey), qUtf16Printable(orderId), rejected->status,
                   qUtf16Printable(rejected->message));
            QMetaObject::invokeMethod(this, [response, index, finish, error = *rejected] {
                finish(response, index, error.status, error.toJson());
            }, Qt::QueuedConnection);
        }
    }
}

void OrderHttpServer::serveOrder(const QString &orderId, const QHttpServerRequest &request,
                                 QTcpSocket *socket)
{
    const std::optional<OrderSummary> order = m_hub.order(orderId);
    if (!order || order->lastEventId == 0) {
        reject(request, socket,
               HttpError{404, QStringLiteral("unknown_order"),
                         QStringLiteral("no events are stored for order %1").arg(orderId)});
        return;
    }

    QJsonObject body;
    body.insert(QLatin1String("orderId"), order->orderId);
    body.insert(QLatin1String("status"), order->lastStatus);
    body.insert(QLatin1String("stage"), order->lastStage);
    body.insert(QLatin1String("message"), order->lastMessage);
    body.insert(QLatin1String("lastEventId"), qint64(order->lastEventId));
    body.insert(QLatin1String("lastEventTime"),
                order->lastEventTime.toUTC().toString(Qt::ISODateWithMs));
    body.insert(QLatin1String("eventCount"), qint64(order->eventCount));
    // The watch page stops listening at a final stage and shows a failure in red.
    const LifecycleStage *stage = m_hub.lifecycle().findStage(order->lastStage);
    body.insert(QLatin1String("final"), stage && stage->isFinal);
    body.insert(QLatin1String("failure"), stage && stage->isFailure);
    writeJson(request, socket, 200, body);
}

void OrderHttpServer::serveWatchPage(const QHttpServerRequest &request, QTcpSocket *socket)
{
    // The page's URL may carry a token, so no Referer may pass it on.
    HttpHeaders headers = m_corsHeaders;
    headers.append(qMakePair(QByteArray("Content-Security-Policy"),
                             WatchPage::contentSecurityPolicy()));
    headers.append(qMakePair(QByteArray("Referrer-Policy"), QByteArray("no-referrer")));
    headers.append(qMakePair(QByteArray("X-Content-Type-Options"), QByteArray("nosniff")));
    m_metrics.count(routeLabel(Route::Watch), 200);

    const QByteArray page = WatchPage::html();
    if (request.method() != QHttpServerRequest::Method::Head) {
        HttpResponse::write(socket, request, 200, "text/html; charset=utf-8", page, headers);
        return;
    }
    // HEAD gets the head of the GET response, whose Content-Length is the
    // page's, so HttpResponse, which sends the body it counts, cannot write it.
    QByteArray head = "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
                      "Content-Length: " + QByteArray::number(page.size()) + "\r\n"
                      "Cache-Control: no-store\r\n";
    for (const auto &header : std::as_const(headers))
        head += header.first + ": " + header.second + "\r\n";
    const bool closeAfter = HttpResponse::wantsClose(request);
    if (closeAfter)
        head += "Connection: close\r\n";
    socket->write(head + "\r\n");
    if (closeAfter)
        socket->disconnectFromHost();
}
