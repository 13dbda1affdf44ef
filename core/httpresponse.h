#pragma once

#include <QByteArray>
#include <QList>
#include <QPair>

class QHttpServerRequest;
class QJsonObject;
class QTcpSocket;
struct HttpError;

using HttpHeaders = QList<QPair<QByteArray, QByteArray>>;

// Writers of complete HTTP/1.1 responses on a socket owned by QHttpServer.
//
// Qt HTTP Server 6.4 ignores "Connection: close"; these writers honour it by
// closing the connection once the response is written.
namespace HttpResponse {

QByteArray reasonPhrase(int status);

// True when the request asked to close the connection after the response.
bool wantsClose(const QHttpServerRequest &request);

// Writes a response on a connection whose request object is gone, as for an
// response sent after the handler returned.
void writeLater(QTcpSocket *socket, bool closeAfter, int status, const QJsonObject &body,
                const HttpHeaders &extraHeaders = {});

void write(QTcpSocket *socket, const QHttpServerRequest &request, int status,
           const QByteArray &contentType, const QByteArray &body,
           const HttpHeaders &extraHeaders = {});

void writeJson(QTcpSocket *socket, const QHttpServerRequest &request, int status,
               const QJsonObject &body, const HttpHeaders &extraHeaders = {});

void writeError(QTcpSocket *socket, const QHttpServerRequest &request, const HttpError &error,
                const HttpHeaders &extraHeaders = {});

} // namespace HttpResponse
