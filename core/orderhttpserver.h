#pragma once

#include "serverconfig.h"

#include <QAbstractHttpServer>
#include <QByteArray>

class OrderHub;
class StreamEngine;
struct HttpError;

// The HTTP front of OrderStream, on Qt HTTP Server.
//
// Routes:
//   GET  /orders/{orderId}/events   SSE stream of the order's events
//   POST /orders/{orderId}/events   publish an event (JSON body), 202 with its id
//   GET  /healthz                   liveness and live counts
//
// Every request passes through handleRequest(), the one place where
// authentication and limits apply. Qt parses the request and sends error
// answers; an accepted stream leaves Qt: its descriptor is duplicated, the
// QTcpSocket is aborted (which closes only Qt's descriptor) and the streaming
// engine adopts the duplicate and writes the response head itself.
//
// Lives on the server thread.
class OrderHttpServer : public QAbstractHttpServer
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(OrderHttpServer)

public:
    OrderHttpServer(OrderHub &hub, StreamEngine &engine, const ServerConfig &config,
                    QObject *parent = nullptr);
    ~OrderHttpServer() override;

    // Listens on the configured address and port with the configured backlog.
    // Returns the bound port, or 0 with errorMessage set.
    quint16 listenConfigured(QString *errorMessage);

protected:
    bool handleRequest(const QHttpServerRequest &request, QTcpSocket *socket) override;
    void missingHandler(const QHttpServerRequest &request, QTcpSocket *socket) override;

private:
    void serveHealth(const QHttpServerRequest &request, QTcpSocket *socket);
    void serveStream(const QString &orderId, const QHttpServerRequest &request,
                     QTcpSocket *socket);
    void servePublish(const QString &orderId, const QHttpServerRequest &request,
                      QTcpSocket *socket);
    void reject(const QHttpServerRequest &request, QTcpSocket *socket, const HttpError &error);

    OrderHub &m_hub;
    StreamEngine &m_engine;
    const ServerConfig m_config;
    const QByteArray m_streamPreamble;
};
