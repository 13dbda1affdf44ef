#include "orderpagelink.h"

#include "jwtsigner.h"
#include "orderstreamservice.h"
#include "publishdraft.h"

#include <QCoreApplication>
#include <QHostAddress>
#include <QUrlQuery>

QUrl orderPageUrl(const OrderStreamService &service, const QString &orderId, QString *error)
{
    if (!service.isRunning()) {
        *error = QCoreApplication::translate("MainWindow", "The server is stopped.");
        return {};
    }
    const ServerConfig &config = service.config();

    // A server on every interface is reachable on loopback from this machine.
    QHostAddress host = config.bindAddress;
    if (host == QHostAddress::AnyIPv4 || host == QHostAddress::Any)
        host = QHostAddress(QHostAddress::LocalHost);
    else if (host == QHostAddress::AnyIPv6)
        host = QHostAddress(QHostAddress::LocalHostIPv6);

    QUrl url;
    url.setScheme(config.tlsCertificatePath.isEmpty() ? QStringLiteral("http")
                                                      : QStringLiteral("https"));
    url.setHost(host.toString());
    url.setPort(service.port());
    url.setPath(QStringLiteral("/watch/") + orderId);

    if (config.authEnabled) {
        JwtTokenRequest request;
        request.subject = PublishDraft::systemUserName();
        if (request.subject.isEmpty())
            request.subject = QStringLiteral("console");
        request.orders = {orderId};
        request.lifetime = std::chrono::hours(8);
        QString signError;
        const QByteArray token = JwtSigner(config.jwt).sign(request, &signError);
        if (token.isEmpty()) {
            *error = QCoreApplication::translate("MainWindow",
                                                 "No token for the page: %1. Add "
                                                 "?access_token=TOKEN to %2 yourself.")
                             .arg(signError, url.toString());
            return {};
        }
        QUrlQuery query;
        query.addQueryItem(QStringLiteral("access_token"), QString::fromLatin1(token));
        url.setQuery(query);
    }
    return url;
}
