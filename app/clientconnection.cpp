#include "clientconnection.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkReply>
#include <QNetworkRequest>

namespace {

// A publish or order request that gets no response within this time fails.
constexpr int RequestTimeoutMs = 30000;

} // namespace

QUrl ClientConnection::url(const QString &path) const
{
    QUrl result = server;
    QString base = server.path();
    while (base.endsWith(QLatin1Char('/')))
        base.chop(1);
    result.setPath(base + path);
    return result;
}

QByteArray ClientConnection::token(QString *errorMessage) const
{
    if (!fixedToken.isEmpty())
        return fixedToken;
    return signDevelopmentToken(signing, errorMessage);
}

QNetworkRequest makeClientRequest(const QUrl &url, const QByteArray &token)
{
    QNetworkRequest request(url);
    request.setTransferTimeout(RequestTimeoutMs);
    // Plain HTTP/1.1, as the server speaks it.
    request.setAttribute(QNetworkRequest::Http2AllowedAttribute, false);
    if (!token.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + token);
    return request;
}

int httpStatus(const QNetworkReply *reply)
{
    return reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
}

QString describeFailure(QNetworkReply *reply, const QByteArray &body)
{
    const int status = httpStatus(reply);
    if (status == 0)
        return ClientCommands::tr("cannot connect to %1: %2")
                .arg(reply->url().toString(QUrl::RemoveQuery), reply->errorString());

    const QJsonObject error = QJsonDocument::fromJson(body).object();
    const QString message = error.value(QLatin1String("message")).toString();
    const QString reason = reply->attribute(QNetworkRequest::HttpReasonPhraseAttribute).toString();
    if (message.isEmpty())
        return ClientCommands::tr("HTTP %1 %2 from %3")
                .arg(status)
                .arg(reason, reply->url().toString(QUrl::RemoveQuery));
    return ClientCommands::tr("HTTP %1 %2: %3").arg(status).arg(reason, message);
}
