#include "orderstreamservice.h"
#include "ssetestclient.h"
#include "testservice.h"

#include <QTemporaryDir>
#include <QTest>

// Client addresses behind a reverse proxy: X-Forwarded-For counts only in
// requests from a trusted proxy. The addresses in the headers are
// documentation addresses; every request goes to the server on loopback.
class tst_TrustedProxy : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void headerIgnoredWithoutTrustedProxy();
    void clientIsRightmostUntrustedHop_data();
    void clientIsRightmostUntrustedHop();
    void limitsApplyPerForwardedClient();

private:
    void start(const QList<QPair<QHostAddress, int>> &trustedProxies,
               int maxStreamsPerAddress = 0);
    QString streamAddress(const QByteArray &forwardedFor);

    QTemporaryDir m_dir;
    std::unique_ptr<OrderStreamService> m_service;
    std::vector<std::unique_ptr<SseTestClient>> m_clients;
};

void tst_TrustedProxy::init()
{
    QVERIFY(m_dir.isValid());
}

void tst_TrustedProxy::cleanup()
{
    m_clients.clear();
    m_service.reset();
}

void tst_TrustedProxy::start(const QList<QPair<QHostAddress, int>> &trustedProxies,
                             int maxStreamsPerAddress)
{
    ServerConfig config = testServerConfig(m_dir, 1);
    config.trustedProxies = trustedProxies;
    config.maxStreamsPerAddress = maxStreamsPerAddress;
    QString error;
    QVERIFY2(startTestService(m_service, config, &error), qPrintable(error));
}

// Opens a stream with the header and returns the client address the server recorded.
QString tst_TrustedProxy::streamAddress(const QByteArray &forwardedFor)
{
    auto client = std::make_unique<SseTestClient>();
    client->open(m_service->port(), "/orders/P1/events", {"X-Forwarded-For: " + forwardedFor});
    if (!QTest::qWaitFor([&] { return client->headComplete(); }, 5000))
        return QStringLiteral("no response");
    m_clients.push_back(std::move(client));
    QString address;
    const bool listed = QTest::qWaitFor([&] {
        const QList<StreamConnection> connections = m_service->connections(100);
        for (const StreamConnection &connection : connections) {
            if (connection.info.remotePort == m_clients.back()->socket().localPort())
                address = connection.info.remoteAddress;
        }
        return !address.isEmpty();
    });
    return listed ? address : QStringLiteral("not listed");
}

void tst_TrustedProxy::headerIgnoredWithoutTrustedProxy()
{
    start({});
    QCOMPARE(streamAddress("203.0.113.7"), QStringLiteral("127.0.0.1"));

    // A proxy elsewhere is not this peer.
    cleanup();
    start({QHostAddress::parseSubnet(QStringLiteral("10.0.0.0/8"))});
    QCOMPARE(streamAddress("203.0.113.7"), QStringLiteral("127.0.0.1"));
}

void tst_TrustedProxy::clientIsRightmostUntrustedHop_data()
{
    QTest::addColumn<QByteArray>("forwardedFor");
    QTest::addColumn<QString>("client");

    QTest::newRow("one hop") << QByteArray("203.0.113.7") << QStringLiteral("203.0.113.7");
    QTest::newRow("forged left entry")
            << QByteArray("198.51.100.1, 203.0.113.7") << QStringLiteral("203.0.113.7");
    QTest::newRow("trusted hop skipped")
            << QByteArray("203.0.113.9, 127.0.0.5") << QStringLiteral("203.0.113.9");
    QTest::newRow("IPv6 client") << QByteArray("2001:db8::7") << QStringLiteral("2001:db8::7");
    QTest::newRow("not an address") << QByteArray("unknown") << QStringLiteral("127.0.0.1");
    QTest::newRow("only trusted hops") << QByteArray("127.0.0.2") << QStringLiteral("127.0.0.1");
}

void tst_TrustedProxy::clientIsRightmostUntrustedHop()
{
    QFETCH(QByteArray, forwardedFor);
    QFETCH(QString, client);
    start({QHostAddress::parseSubnet(QStringLiteral("127.0.0.0/8"))});
    QCOMPARE(streamAddress(forwardedFor), client);
}

void tst_TrustedProxy::limitsApplyPerForwardedClient()
{
    start({QHostAddress::parseSubnet(QStringLiteral("127.0.0.1/32"))}, 1);

    QCOMPARE(streamAddress("203.0.113.7"), QStringLiteral("203.0.113.7"));
    // A second stream of the same client is over the per-address cap...
    const HttpTestResponse second = sendHttpRequest(m_service->port(), "GET", "/orders/P1/events",
                                                    {}, {"X-Forwarded-For: 203.0.113.7"});
    QCOMPARE(second.status, 429);
    // ...while another client behind the same proxy still gets its stream.
    QCOMPARE(streamAddress("203.0.113.8"), QStringLiteral("203.0.113.8"));
}

QTEST_GUILESS_MAIN(tst_TrustedProxy)
#include "tst_trustedproxy.moc"
