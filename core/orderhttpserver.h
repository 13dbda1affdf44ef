#pragma once

#include "authfailurelimiter.h"
#include "httpresponse.h"
#include "jwtverifier.h"
#include "platformevent.h"
#include "serverconfig.h"

#include <QAbstractHttpServer>
#include <QByteArray>

#include <functional>

class HttpMetrics;
class OrderHub;
class ReconnectTracker;
class StreamAdmission;
class StreamEngine;
struct HttpError;
struct StreamInfo;

// The HTTP front of OrderStream, on Qt HTTP Server.
//
// Routes:
//   GET  /orders/{orderId}/events   SSE stream of the order's events; with
//                                   Last-Event-ID, the missed ones first
//   POST /orders/{orderId}/events   publish an event (JSON body); 202 with its
//                                   id once the journal has stored it, 409
//                                   when the lifecycle forbids its stage
//   POST /ingest/platform-events    publish Salesforce Platform Events (a
//                                   CometD message or an array of them)
//   GET  /orders/{orderId}          the order's last known status
//   GET  /watch/{orderId}           an HTML page with the order's live status
//   GET  /healthz                   liveness and live counts
//   GET  /metrics                   Prometheus text format
//   OPTIONS on each of them         CORS preflight
//
// Every request passes through handleRequest(), the one place where CORS,
// authentication and limits apply. Qt parses the request and sends error
// responses. An accepted stream leaves Qt: its descriptor is duplicated, the
// QTcpSocket is aborted (which closes only Qt's descriptor), and the streaming
// engine adopts the duplicate and writes the response head itself.
//
// Lives on the server thread.
class OrderHttpServer : public QAbstractHttpServer
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(OrderHttpServer)

public:
    OrderHttpServer(OrderHub &hub, StreamEngine &engine, ReconnectTracker &reconnects,
                    HttpMetrics &metrics, StreamAdmission &admission, const ServerConfig &config,
                    QObject *parent = nullptr);

    // The body of GET /metrics; called on the server thread.
    void setMetricsSource(std::function<QByteArray()> source) { m_metricsSource = std::move(source); }
    ~OrderHttpServer() override;

    // Listens on the configured address and port with the configured backlog,
    // over TLS when a certificate and key are configured. Returns the bound
    // port, or 0 with errorMessage set, also when the certificate or key
    // cannot be used.
    quint16 listenConfigured(QString *errorMessage);

    // Closes the listening sockets; requests in progress still get responses.
    void stopListening();

protected:
    bool handleRequest(const QHttpServerRequest &request, QTcpSocket *socket) override;
    void missingHandler(const QHttpServerRequest &request, QTcpSocket *socket) override;

private:
    enum class Route { None, Health, Metrics, Order, Events, Ingest, Watch };
    struct RouteMatch
    {
        Route route;
        QString orderId;
    };

    static RouteMatch matchRoute(const QStringList &segments);
    static QByteArray allowedMethods(Route route);
    static QString routeLabel(Route route);
    void writeJson(const QHttpServerRequest &request, QTcpSocket *socket, int status,
                   const QJsonObject &body);
    // CORS headers for an allowed Origin; empty for others and for requests
    // without Origin.
    HttpHeaders corsHeaders(const QHttpServerRequest &request) const;

    // Checks the request's token and its access to the route. Returns the
    // claims, or nullopt after responding with 401, 403 or 429. With authentication
    // off it returns empty claims.
    std::optional<JwtClaims> authorize(const RouteMatch &match, const QHttpServerRequest &request,
                                       QTcpSocket *socket);
    // Reads the token from the Authorization header, the token cookie or the
    // access_token query parameter, in that order.
    QByteArray findToken(const QHttpServerRequest &request) const;

    void servePreflight(Route route, const QHttpServerRequest &request, QTcpSocket *socket);
    void rejectMethod(Route route, const QHttpServerRequest &request, QTcpSocket *socket);
    void serveMetrics(const QHttpServerRequest &request, QTcpSocket *socket);
    void serveHealth(const QHttpServerRequest &request, QTcpSocket *socket);
    void serveStream(const QString &orderId, const JwtClaims &claims,
                     const QHttpServerRequest &request, QTcpSocket *socket);
    // Returns a descriptor of the connection for the streaming engine: a
    // duplicate of a plain socket, or the engine's end of a TLS relay.
    // Returns -1 with errorMessage set on failure.
    int takeOverConnection(QTcpSocket *socket, QString *errorMessage);
    // Ends Qt's and the connection guard's part in a connection that became
    // a stream.
    void releaseFromQt(QTcpSocket *socket);
    // Publishes event and, once the store has replied, responds with 202, 200
    // for a repeated ingest delivery, 503 or 500; or rejects it at once.
    void publishAndRespond(OrderEvent event, Route route, const QHttpServerRequest &request,
                           QTcpSocket *socket);
    void servePublish(const QString &orderId, const JwtClaims &claims,
                      const QHttpServerRequest &request, QTcpSocket *socket);
    void serveIngest(const QHttpServerRequest &request, QTcpSocket *socket);
    // Responds 204 to a stream of a finished order whose Last-Event-ID
    // covers every stored event, and returns true. Otherwise returns false,
    // and when the client sent no Last-Event-ID, sets info.lastEventId so
    // that the stream replays the final event. The caller has checked
    // closeFinishedStreams.
    bool serveFinishedOrder(StreamInfo &info, const QHttpServerRequest &request,
                            QTcpSocket *socket);
    // The /watch/{orderId} page; it needs no token.
    void serveWatchPage(const QHttpServerRequest &request, QTcpSocket *socket);
    void serveOrder(const QString &orderId, const QHttpServerRequest &request,
                    QTcpSocket *socket);
    // The client's address: peer, or the client that a trusted proxy at peer
    // names in X-Forwarded-For.
    QString clientOf(const QHttpServerRequest &request, const QHostAddress &peer) const;
    void reject(const QHttpServerRequest &request, QTcpSocket *socket, const HttpError &error,
                const HttpHeaders &extraHeaders = {});

    OrderHub &m_hub;
    StreamEngine &m_engine;
    ReconnectTracker &m_reconnects;
    HttpMetrics &m_metrics;
    StreamAdmission &m_admission;
    std::function<QByteArray()> m_metricsSource;
    const ServerConfig m_config;
    const JwtVerifier m_verifier;
    AuthFailureLimiter m_authLimiter;
    const QByteArray m_streamPreamble;
    const PlatformEventFields m_ingestFields;
    // Headers for every response to the request being handled, and its route.
    HttpHeaders m_corsHeaders;
    Route m_route = Route::None;
};
