#include "pageserver.h"

#include <QTcpSocket>

namespace {

// Bound on a buffered request head. Browsers send this server a few hundred
// bytes, because it sets no cookies.
constexpr qsizetype MaxRequestHeadBytes = 64 * 1024;

QByteArray buildResponse(const QByteArray &status, const QByteArray &contentType,
                         const QByteArray &body)
{
    return "HTTP/1.1 " + status + "\r\n"
           "Content-Type: " + contentType + "\r\n"
           "Content-Length: " + QByteArray::number(body.size()) + "\r\n"
           "Cache-Control: no-store\r\n"
           "Connection: close\r\n"
           "\r\n" + body;
}

} // namespace

PageServer::PageServer(const QByteArray &html, QObject *parent) : QObject(parent), m_html(html)
{
    connect(&m_server, &QTcpServer::newConnection, this, &PageServer::acceptConnections);
}

bool PageServer::listen(QString *errorMessage)
{
    if (m_server.listen(QHostAddress::LocalHost, 0))
        return true;
    *errorMessage = QStringLiteral("the page server cannot listen on 127.0.0.1: %1")
                            .arg(m_server.errorString());
    return false;
}

QString PageServer::origin() const
{
    return QStringLiteral("http://127.0.0.1:%1").arg(port());
}

void PageServer::acceptConnections()
{
    while (QTcpSocket *socket = m_server.nextPendingConnection()) {
        connect(socket, &QTcpSocket::readyRead, this, [this, socket] { readRequest(socket); });
        connect(socket, &QTcpSocket::disconnected, this, [this, socket] {
            m_requests.remove(socket);
            socket->deleteLater();
        });
    }
}

void PageServer::readRequest(QTcpSocket *socket)
{
    QByteArray &request = m_requests[socket];
    request += socket->readAll();
    if (request.size() > MaxRequestHeadBytes) {
        socket->abort();
        return;
    }
    // Respond only after the whole head has arrived, because closing a
    // connection with request bytes still unread sends a reset, not a FIN.
    if (!request.contains("\r\n\r\n"))
        return;

    const QList<QByteArray> requestLine = request.left(request.indexOf("\r\n")).split(' ');
    const QByteArray target = requestLine.size() == 3 ? requestLine[1] : QByteArray();
    const qsizetype queryStart = target.indexOf('?');
    const QByteArray path = queryStart < 0 ? target : target.left(queryStart);
    if (requestLine.value(0) == "GET" && path == "/")
        socket->write(buildResponse("200 OK", "text/html; charset=utf-8", m_html));
    else
        socket->write(buildResponse("404 Not Found", "text/plain; charset=utf-8", "not found\n"));
    socket->disconnectFromHost();
}
