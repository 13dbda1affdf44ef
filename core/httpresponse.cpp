#include "httpresponse.h"

#include "httperror.h"

#include <QHttpServerRequest>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpSocket>

namespace HttpResponse {

QByteArray reasonPhrase(int status)
{
    switch (status) {
    case 200: return "OK";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 413: return "Payload Too Large";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return "Unknown";
    }
}

bool wantsClose(const QHttpServerRequest &request)
{
    return request.value("connection").trimmed().compare("close", Qt::CaseInsensitive) == 0;
}

namespace {

void writeResponse(QTcpSocket *socket, bool closeAfter, int status, const QByteArray &contentType,
                   const QByteArray &body, const HttpHeaders &extraHeaders)
{
    QByteArray head = "HTTP/1.1 " + QByteArray::number(status) + ' ' + reasonPhrase(status) + "\r\n";
    if (!contentType.isEmpty())
        head += "Content-Type: " + contentType + "\r\n";
    if (status != 204)
        head += "Content-Length: " + QByteArray::number(body.size()) + "\r\n";
    head += "Cache-Control: no-store\r\n";
    for (const auto &header : extraHeaders)
        head += header.first + ": " + header.second + "\r\n";
    if (closeAfter)
        head += "Connection: close\r\n";
    head += "\r\n";

    socket->write(head + body);
    if (closeAfter)
        socket->disconnectFromHost();
}

} // namespace

void write(QTcpSocket *socket, const QHttpServerRequest &request, int status,
           const QByteArray &contentType, const QByteArray &body, const HttpHeaders &extraHeaders)
{
    writeResponse(socket, wantsClose(request), status, contentType, body, extraHeaders);
}

void writeLater(QTcpSocket *socket, bool closeAfter, int status, const QJsonObject &body,
                const HttpHeaders &extraHeaders)
{
    writeResponse(socket, closeAfter, status, "application/json",
                  QJsonDocument(body).toJson(QJsonDocument::Compact), extraHeaders);
}

void writeJson(QTcpSocket *socket, const QHttpServerRequest &request, int status,
               const QJsonObject &body, const HttpHeaders &extraHeaders)
{
    write(socket, request, status, "application/json",
          QJsonDocument(body).toJson(QJsonDocument::Compact), extraHeaders);
}

void writeError(QTcpSocket *socket, const QHttpServerRequest &request, const HttpError &error,
                const HttpHeaders &extraHeaders)
{
    writeJson(socket, request, error.status, error.toJson(), extraHeaders);
}

} // namespace HttpResponse
