#include "jwtverifier.h"
#include "orderpagelink.h"
#include "orderstreamservice.h"
#include "ssetestclient.h"
#include "testservice.h"

#include <QTemporaryDir>
#include <QTest>
#include <QUrlQuery>

// The console's link to an order's live page, against a real server.
class tst_OrderPageLink : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void linkWithoutAuthentication();
    void linkCarriesTokenForThatOrderOnly();
    void stoppedServerHasNoLink();
};

void tst_OrderPageLink::linkWithoutAuthentication()
{
    QTemporaryDir dir;
    std::unique_ptr<OrderStreamService> service;
    QString error;
    QVERIFY2(startTestService(service, testServerConfig(dir, 1), &error), qPrintable(error));

    const QUrl url = orderPageUrl(*service, QStringLiteral("ORD-7"), &error);
    QCOMPARE(url.toString(),
             QStringLiteral("http://127.0.0.1:%1/watch/ORD-7").arg(service->port()));
    const HttpTestResponse page = sendHttpRequest(service->port(), "GET", url.path().toUtf8());
    QCOMPARE(page.status, 200);
    QVERIFY(page.header("Content-Type").startsWith("text/html"));
}

void tst_OrderPageLink::linkCarriesTokenForThatOrderOnly()
{
    QTemporaryDir dir;
    ServerConfig config = testServerConfig(dir, 1);
    config.authEnabled = true;
    config.jwt.hs256Secret = QByteArray(48, 'k');
    std::unique_ptr<OrderStreamService> service;
    QString error;
    QVERIFY2(startTestService(service, config, &error), qPrintable(error));

    const QUrl url = orderPageUrl(*service, QStringLiteral("ORD-7"), &error);
    QVERIFY2(url.isValid() && !url.isEmpty(), qPrintable(error));
    const QString token = QUrlQuery(url).queryItemValue(QStringLiteral("access_token"));
    QVERIFY(!token.isEmpty());

    const JwtVerification verified = JwtVerifier(config.jwt).verify(token.toLatin1());
    QVERIFY(std::holds_alternative<JwtClaims>(verified));
    const JwtClaims claims = std::get<JwtClaims>(verified);
    QCOMPARE(claims.orders, QStringList{QStringLiteral("ORD-7")});
    QVERIFY(!claims.staff);
    QVERIFY(!claims.publisher);

    // The token opens this order's stream and no other.
    SseTestClient own;
    own.open(service->port(), "/orders/ORD-7/events?access_token=" + token.toLatin1());
    QTRY_VERIFY(own.headComplete());
    QCOMPARE(own.statusCode(), 200);
    const HttpTestResponse other = sendHttpRequest(
            service->port(), "GET", "/orders/ORD-8/events?access_token=" + token.toLatin1());
    QCOMPARE(other.status, 403);
}

void tst_OrderPageLink::stoppedServerHasNoLink()
{
    QTemporaryDir dir;
    std::unique_ptr<OrderStreamService> service;
    QString error;
    QVERIFY2(startTestService(service, testServerConfig(dir, 1), &error), qPrintable(error));
    service->stop();
    QVERIFY(orderPageUrl(*service, QStringLiteral("ORD-7"), &error).isEmpty());
    QCOMPARE(error, QStringLiteral("The server is stopped."));
}

QTEST_GUILESS_MAIN(tst_OrderPageLink)
#include "tst_orderpagelink.moc"
