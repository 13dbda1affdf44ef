#include "tokencommand.h"

#include "commandline.h"
#include "authsettings.h"
#include "jwtsigner.h"
#include "serverconfig.h"
#include "orderevent.h"

#include <QCommandLineParser>
#include <QCoreApplication>

#include <cstdio>

int runTokenCommand(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QCoreApplication::translate(
            "main",
            "Prints a JWT signed with the server's HS256 secret.\n"
            "Example: orderstream token --subject alice --orders 8015g000001AbCdAAK"));
    parser.addHelpOption();
    parser.addPositionalArgument(QStringLiteral("token"), QCoreApplication::translate("main", "The command."));
    const QCommandLineOption subject(
            QStringLiteral("subject"),
            QCoreApplication::translate("main", "The sub claim: who holds the token (required)."),
            QStringLiteral("subject"));
    const QCommandLineOption orders(
            QStringLiteral("orders"),
            QCoreApplication::translate("main", "Comma-separated order ids the holder may watch."),
            QStringLiteral("ids"));
    const QCommandLineOption staff(
            QStringLiteral("staff"),
            QCoreApplication::translate("main", "Grant the orders:read scope: watch every order."));
    const QCommandLineOption publisher(
            QStringLiteral("publisher"),
            QCoreApplication::translate("main", "Grant the orders:publish scope: publish events."));
    const QCommandLineOption lifetime(
            QStringLiteral("lifetime"),
            QCoreApplication::translate("main", "Seconds until the token expires (default 3600)."),
            QStringLiteral("seconds"), QStringLiteral("3600"));
    const QCommandLineOption secretFile(
            QStringLiteral("jwt-secret-file"),
            QCoreApplication::translate("main", "Sign with the secret in <file> (default: the "
                                                "server's default secret file)."),
            QStringLiteral("file"));
    parser.addOptions({subject, orders, staff, publisher, lifetime, secretFile});
    parser.process(arguments);

    auto fail = [](const QString &message) {
        std::fprintf(stderr, "orderstream token: %s\n", qPrintable(message));
        return 2;
    };

    if (!parser.isSet(subject))
        return fail(QCoreApplication::translate("main", "--subject is required"));
    bool ok = false;
    const qint64 seconds = parser.value(lifetime).toLongLong(&ok);
    if (!ok || seconds <= 0 || seconds > 365 * 24 * 3600)
        return fail(QCoreApplication::translate("main", "invalid --lifetime \"%1\"; expected "
                                                        "seconds from 1 to 31536000")
                            .arg(parser.value(lifetime)));


    DevelopmentTokenRequest request;
    request.subject = parser.value(subject);
    if (parser.isSet(orders))
        request.orders = parser.value(orders).split(QLatin1Char(','), Qt::SkipEmptyParts);
    for (const QString &orderId : std::as_const(request.orders)) {
        if (!isValidOrderId(orderId))
            return fail(QCoreApplication::translate("main", "invalid order id \"%1\" in --orders; "
                                                            "expected 1 to 64 letters, digits, "
                                                            "'-' or '_'")
                                .arg(orderId));
    }
    request.staff = parser.isSet(staff);
    request.publisher = parser.isSet(publisher);
    request.lifetime = std::chrono::seconds(seconds);
    if (parser.isSet(secretFile))
        request.secretFilePath = parser.value(secretFile);

    QString error;
    const QByteArray token = signDevelopmentToken(request, &error);
    if (token.isEmpty())
        return fail(error);
    std::printf("%s\n", token.constData());
    return 0;
}

QByteArray signDevelopmentToken(const DevelopmentTokenRequest &request, QString *errorMessage)
{
    // The saved settings give the claim and scope names and the issuer and
    // audience, so that the server accepts the token.
    ServerConfig config;
    const AuthSettings saved = AuthSettings::load();
    saved.applyTo(config);

    JwtTokenRequest claims;
    claims.subject = request.subject;
    claims.orders = request.orders;
    if (request.staff)
        claims.scopes.append(config.jwt.staffScope);
    if (request.publisher)
        claims.scopes.append(config.jwt.publishScope);
    claims.lifetime = request.lifetime;

    JwtConfig jwt = config.jwt;
    const QString secretPath = request.secretFilePath.isEmpty() ? saved.secretFilePath
                                                                : request.secretFilePath;
    if (!loadJwtKeys(secretPath, {}, jwt, errorMessage))
        return {};
    return JwtSigner(jwt).sign(claims, errorMessage);
}
