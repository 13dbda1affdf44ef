#include "jwtsigner.h"
#include "orderstreamservice.h"
#include "ssetestclient.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

// Authentication and access over real sockets. Valid tokens are made with
// JwtSigner, whose output the fixture script checked byte for byte against
// the npm package jsonwebtoken. The rejected tokens come from that package
// directly (tests/core/fixtures/jwt/tokens.json).
class tst_Auth : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void missingTokenIs401();
    void fixtureTokensAreRejected();
    void accessByClaims_data();
    void accessByClaims();
    void tokenSources_data();
    void tokenSources();
    void queryTokenIsNeverLogged();
    void subjectIsShownOnConnection();
    void expiryClosesLiveStream();
    void failuresAreRateLimitedPerAddress();
    void failuresAreCounted();
    void healthNeedsNoToken();

private:
    QByteArray sign(const QString &subject, const QStringList &orders, const QStringList &scopes,
                    int lifetimeSeconds = 3600) const;

    QTemporaryDir m_dir;
    ServerConfig m_config;
    std::unique_ptr<OrderStreamService> m_service;
    quint16 m_port = 0;
};

namespace {

QByteArray fixture(const QString &name)
{
    QFile file(QStringLiteral(ORDERSTREAM_JWT_FIXTURES_DIR) + QLatin1Char('/') + name);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

} // namespace

void tst_Auth::init()
{
    QVERIFY(m_dir.isValid());
    m_config = ServerConfig();
    m_config.port = 0;
    m_config.heartbeatIntervalMs = 0;
    m_config.journalPath = m_dir.filePath(QLatin1String(QTest::currentTestFunction()) + QLatin1String(".db"));
    m_config.authEnabled = true;
    m_config.jwt.hs256Secret = fixture(QStringLiteral("hs256-secret.txt")).trimmed();
    QVERIFY(!m_config.jwt.hs256Secret.isEmpty());
    m_config.jwt.leewaySeconds = 1;
    m_config.authFailuresPerMinute = 1000;
    if (QByteArray(QTest::currentTestFunction()) == "failuresAreRateLimitedPerAddress")
        m_config.authFailuresPerMinute = 3;

    m_service = std::make_unique<OrderStreamService>(m_config);
    QString error;
    QVERIFY2(m_service->start(&error), qPrintable(error));
    m_port = m_service->port();
}

void tst_Auth::cleanup()
{
    m_service.reset();
}

QByteArray tst_Auth::sign(const QString &subject, const QStringList &orders,
                          const QStringList &scopes, int lifetimeSeconds) const
{
    JwtTokenRequest request;
    request.subject = subject;
    request.orders = orders;
    request.scopes = scopes;
    request.lifetime = std::chrono::seconds(lifetimeSeconds);
    QString error;
    const QByteArray token = JwtSigner(m_config.jwt).sign(request, &error);
    if (token.isEmpty())
        qWarning("signing failed: %s", qPrintable(error));
    return token;
}

void tst_Auth::missingTokenIs401()
{
    const HttpTestResponse stream = sendHttpRequest(m_port, "GET", "/orders/A1/events");
    QCOMPARE(stream.status, 401);
    QVERIFY(stream.header("WWW-Authenticate").startsWith("Bearer"));
    QCOMPARE(QJsonDocument::fromJson(stream.body).object().value(QStringLiteral("error")).toString(),
             QStringLiteral("missing_token"));

    QCOMPARE(sendHttpRequest(m_port, "POST", "/orders/A1/events", R"({"status":"x"})").status, 401);
    QCOMPARE(sendHttpRequest(m_port, "GET", "/orders/A1").status, 401);
    QCOMPARE(m_service->snapshot(0, 0).eventsPublished, quint64(0));
}

void tst_Auth::fixtureTokensAreRejected()
{
    // Every fixture token is either invalid or expired by now, because they
    // were made for a fixed time in the past. Over a socket each must get 401,
    // never a stream, and the error must not repeat the token.
    const QJsonObject fixtures = QJsonDocument::fromJson(fixture(QStringLiteral("tokens.json"))).object();
    const QJsonArray tokens = fixtures.value(QStringLiteral("tokens")).toArray();
    int checked = 0;
    for (const QJsonValue &value : tokens) {
        const QJsonObject row = value.toObject();
        if (row.value(QStringLiteral("config")).toString() != QLatin1String("hs256"))
            continue;
        const QByteArray token = row.value(QStringLiteral("token")).toString().toUtf8();
        const HttpTestResponse response =
                sendHttpRequest(m_port, "GET", "/orders/A1/events", {}, {"Authorization: Bearer " + token});
        QVERIFY2(response.status == 401, qPrintable(row.value(QStringLiteral("name")).toString()));
        if (token.size() > 8)
            QVERIFY(!response.body.contains(token));
        ++checked;
    }
    QVERIFY(checked >= 30);
    QCOMPARE(m_service->snapshot(0, 0).connections, 0);
}

void tst_Auth::accessByClaims_data()
{
    QTest::addColumn<QStringList>("orders");
    QTest::addColumn<QStringList>("scopes");
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QByteArray>("path");
    QTest::addColumn<int>("status");

    const QStringList own{QStringLiteral("A1")};
    const QStringList none;
    const QStringList staff{QStringLiteral("orders:read")};
    const QStringList publisher{QStringLiteral("orders:publish")};
    QTest::newRow("own order streams") << own << none << QByteArray("GET") << QByteArray("/orders/A1/events") << 200;
    QTest::newRow("other order is 403") << own << none << QByteArray("GET") << QByteArray("/orders/B2/events") << 403;
    QTest::newRow("own order status") << own << none << QByteArray("GET") << QByteArray("/orders/A1") << 404;
    QTest::newRow("other order status") << own << none << QByteArray("GET") << QByteArray("/orders/B2") << 403;
    QTest::newRow("staff streams any order") << none << staff << QByteArray("GET") << QByteArray("/orders/B2/events") << 200;
    QTest::newRow("customer cannot publish") << own << none << QByteArray("POST") << QByteArray("/orders/A1/events") << 403;
    QTest::newRow("staff cannot publish") << none << staff << QByteArray("POST") << QByteArray("/orders/A1/events") << 403;
    QTest::newRow("publisher publishes") << none << publisher << QByteArray("POST") << QByteArray("/orders/A1/events") << 202;
}

void tst_Auth::accessByClaims()
{
    QFETCH(QStringList, orders);
    QFETCH(QStringList, scopes);
    QFETCH(QByteArray, method);
    QFETCH(QByteArray, path);
    QFETCH(int, status);

    const QByteArray header = "Authorization: Bearer " + sign(QStringLiteral("user-1"), orders, scopes);
    if (status == 200) {
        SseTestClient client;
        client.open(m_port, path, {header});
        QTRY_VERIFY(client.headComplete());
        QCOMPARE(client.statusCode(), 200);
        return;
    }
    const QByteArray body = method == "POST" ? QByteArray(R"({"status":"x"})") : QByteArray();
    const HttpTestResponse response = sendHttpRequest(m_port, method, path, body, {header});
    QCOMPARE(response.status, status);
    if (status == 403) {
        QCOMPARE(QJsonDocument::fromJson(response.body).object().value(QStringLiteral("error")).toString(),
                 QStringLiteral("forbidden"));
    }
}

void tst_Auth::tokenSources_data()
{
    QTest::addColumn<QByteArray>("pathSuffix");
    QTest::addColumn<QByteArray>("header");
    QTest::newRow("authorization header") << QByteArray() << QByteArray("Authorization: Bearer %1");
    QTest::newRow("cookie") << QByteArray() << QByteArray("Cookie: theme=dark; orderstream_token=%1; x=y");
    QTest::newRow("query parameter") << QByteArray("?access_token=%1") << QByteArray();
}

void tst_Auth::tokenSources()
{
    QFETCH(QByteArray, pathSuffix);
    QFETCH(QByteArray, header);
    const QByteArray token = sign(QStringLiteral("user-1"), {QStringLiteral("A1")}, {});

    SseTestClient client;
    QList<QByteArray> headers;
    if (!header.isEmpty())
        headers.append(QByteArray(header).replace("%1", token));
    client.open(m_port, "/orders/A1/events" + QByteArray(pathSuffix).replace("%1", token), headers);
    QTRY_VERIFY(client.headComplete());
    QCOMPARE(client.statusCode(), 200);
}

namespace {
QByteArray capturedLog;
void captureMessage(QtMsgType, const QMessageLogContext &, const QString &message)
{
    capturedLog += message.toUtf8() + '\n';
}
} // namespace

void tst_Auth::queryTokenIsNeverLogged()
{
    const QByteArray token = sign(QStringLiteral("user-1"), {QStringLiteral("A1")}, {});
    const QByteArray badToken = token.left(token.size() - 4) + "AAAA";
    QLoggingCategory::setFilterRules(QStringLiteral("orderstream.*.debug=true"));
    capturedLog.clear();
    const QtMessageHandler previous = qInstallMessageHandler(captureMessage);

    SseTestClient client;
    client.open(m_port, "/orders/A1/events?access_token=" + token + "&lastEventId=abc");
    QTRY_VERIFY(client.headComplete());
    QCOMPARE(client.statusCode(), 200);
    QCOMPARE(sendHttpRequest(m_port, "GET", "/orders/A1/events?access_token=" + badToken).status, 401);
    client.close();
    QTRY_COMPARE(m_service->snapshot(0, 0).connections, 0);

    qInstallMessageHandler(previous);
    QLoggingCategory::setFilterRules(QString());
    QVERIFY(!capturedLog.isEmpty());
    QVERIFY(!capturedLog.contains(token));
    QVERIFY(!capturedLog.contains(badToken));
    QVERIFY(!capturedLog.contains(token.split('.').last()));
}

void tst_Auth::subjectIsShownOnConnection()
{
    SseTestClient client;
    client.open(m_port, "/orders/A1/events",
                {"Authorization: Bearer " + sign(QStringLiteral("customer-42"), {QStringLiteral("A1")}, {})});
    QTRY_COMPARE(m_service->snapshot(0, 0).connections, 1);
    const QList<StreamConnection> connections = m_service->connections(10);
    QCOMPARE(connections.size(), 1);
    QCOMPARE(connections.first().info.subject, QStringLiteral("customer-42"));
    QVERIFY(connections.first().info.expiresAtMs > 0);
}

void tst_Auth::expiryClosesLiveStream()
{
    SseTestClient client;
    client.open(m_port, "/orders/A1/events",
                {"Authorization: Bearer " + sign(QStringLiteral("user-1"), {QStringLiteral("A1")}, {}, 1)});
    QTRY_VERIFY(client.headComplete());
    QCOMPARE(client.statusCode(), 200);
    QTRY_VERIFY_WITH_TIMEOUT(!client.isConnected(), 10000);
    QVERIFY(client.body().contains(": token expired"));
}

void tst_Auth::failuresAreRateLimitedPerAddress()
{
    const QByteArray bad = "Authorization: Bearer not.a.token";
    const QHostAddress guesser(QStringLiteral("127.0.0.2"));
    for (int i = 0; i < 3; ++i)
        QCOMPARE(sendHttpRequest(m_port, "GET", "/orders/A1", {}, {bad}, guesser).status, 401);

    const HttpTestResponse limited = sendHttpRequest(m_port, "GET", "/orders/A1", {}, {bad}, guesser);
    QCOMPARE(limited.status, 429);
    QVERIFY(limited.header("Retry-After").toInt() > 0);
    // Even a good token waits: the address is slowed down, not the token.
    const QByteArray good = "Authorization: Bearer " + sign(QStringLiteral("u"), {QStringLiteral("A1")}, {});
    QCOMPARE(sendHttpRequest(m_port, "GET", "/orders/A1", {}, {good}, guesser).status, 429);

    // Another address is not affected.
    QCOMPARE(sendHttpRequest(m_port, "GET", "/orders/A1", {}, {good}, QHostAddress(QStringLiteral("127.0.0.3"))).status, 404);
}

void tst_Auth::failuresAreCounted()
{
    QCOMPARE(sendHttpRequest(m_port, "GET", "/orders/A1/events").status, 401);
    QCOMPARE(sendHttpRequest(m_port, "GET", "/orders/A1/events", {}, {"Authorization: Bearer x.y.z"}).status, 401);
    QCOMPARE(sendHttpRequest(m_port, "GET", "/orders/B2",
                             {}, {"Authorization: Bearer " + sign(QStringLiteral("u"), {QStringLiteral("A1")}, {})})
                     .status,
             403);
    const QByteArray metrics = m_service->metricsText();
    QVERIFY(metrics.contains("orderstream_auth_failures_total{reason=\"missing_token\"} 1\n"));
    QVERIFY(metrics.contains("orderstream_auth_failures_total{reason=\"invalid_token\"} 1\n"));
    QVERIFY(metrics.contains("orderstream_auth_failures_total{reason=\"forbidden\"} 1\n"));
}

void tst_Auth::healthNeedsNoToken()
{
    QCOMPARE(sendHttpRequest(m_port, "GET", "/healthz").status, 200);
    QCOMPARE(sendHttpRequest(m_port, "GET", "/metrics").status, 200);
    // A preflight carries no credentials, so it gets a response without a token.
    QCOMPARE(sendHttpRequest(m_port, "OPTIONS", "/orders/A1/events").status, 204);
}

QTEST_GUILESS_MAIN(tst_Auth)
#include "tst_auth.moc"
