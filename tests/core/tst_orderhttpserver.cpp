#include "orderstreamservice.h"
#include "ssetestclient.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

// The HTTP routes over real sockets on 127.0.0.1, with the whole service
// (HTTP thread and streaming workers) running as in production.
class tst_OrderHttpServer : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void streamHeadersAndRetry();
    void heartbeatOnIdleStream();
    void publishedEventArrives();
    void twoTabsBothReceive();
    void otherOrderDoesNotReceive();
    void disconnectRemovesSubscriber();
    void badRequests_data();
    void badRequests();
    void badRequestsLeaveStreamsWorking();
    void secondRequestOnStreamIsIgnored();
    void healthReportsCounts();
    void connectionCloseIsHonoured();
    void portInUseIsAnError();
    void corsPreflightAndAllowList();
    void corsHeadersOnStream();
    void streamCapsOverallAndPerAddress();

private:
    QTemporaryDir m_dir;
    std::unique_ptr<OrderStreamService> m_service;
    quint16 m_port = 0;

    QJsonObject publish(const QByteArray &orderId, const QByteArray &body, int expectedStatus = 202);
};

void tst_OrderHttpServer::init()
{
    QVERIFY(m_dir.isValid());
    ServerConfig config;
    config.journalPath = m_dir.filePath(QStringLiteral("journal-%1.db").arg(QLatin1String(QTest::currentTestFunction())));
    config.port = 0;
    config.heartbeatIntervalMs = 200;
    config.retryMs = 1500;
    config.corsOrigins = {QStringLiteral("http://shop.test:8000")};
    if (QByteArray(QTest::currentTestFunction()) == "streamCapsOverallAndPerAddress") {
        config.maxStreams = 3;
        config.maxStreamsPerAddress = 2;
    }
    config.streamWorkers = 2;
    m_service = std::make_unique<OrderStreamService>(config);
    QString error;
    QVERIFY2(m_service->start(&error), qPrintable(error));
    m_port = m_service->port();
    QVERIFY(m_port != 0);
}

void tst_OrderHttpServer::cleanup()
{
    m_service.reset();
}

QJsonObject tst_OrderHttpServer::publish(const QByteArray &orderId, const QByteArray &body,
                                         int expectedStatus)
{
    const HttpTestResponse response =
            sendHttpRequest(m_port, "POST", "/orders/" + orderId + "/events", body,
                            {"Content-Type: application/json"});
    if (response.status != expectedStatus)
        qWarning() << "unexpected response" << response.head << response.body;
    [&] { QCOMPARE(response.status, expectedStatus); }();
    return QJsonDocument::fromJson(response.body).object();
}

void tst_OrderHttpServer::streamHeadersAndRetry()
{
    SseTestClient client;
    client.open(m_port, "/orders/8015g000001AbCdAAK/events");
    QTRY_VERIFY(client.headComplete());

    QCOMPARE(client.statusCode(), 200);
    QCOMPARE(client.header("Content-Type"), QByteArray("text/event-stream"));
    QCOMPARE(client.header("Cache-Control"), QByteArray("no-cache"));
    QCOMPARE(client.header("X-Accel-Buffering"), QByteArray("no"));
    QVERIFY(client.header("Content-Length").isNull());
    QVERIFY(client.header("Transfer-Encoding").isNull());

    QTRY_VERIFY(!client.frames().isEmpty());
    QCOMPARE(client.frames().first().raw, QByteArray("retry: 1500\n\n"));
}

void tst_OrderHttpServer::heartbeatOnIdleStream()
{
    SseTestClient client;
    client.open(m_port, "/orders/A1/events");
    QTRY_VERIFY(client.heartbeatCount() >= 2);
    QVERIFY(client.events().isEmpty());
    QVERIFY(client.isConnected());
}

void tst_OrderHttpServer::publishedEventArrives()
{
    SseTestClient client;
    client.open(m_port, "/orders/A1/events");
    QTRY_COMPARE(m_service->snapshot(0, 0).connections, 1);

    const QJsonObject answer =
            publish("A1", R"({"status":"Activating","stage":"activating","message":"line one\nline two","details":{"sim":"8944"}})");
    const qint64 id = answer.value(QStringLiteral("id")).toInteger();
    QVERIFY(id > 0);
    QCOMPARE(answer.value(QStringLiteral("orderId")).toString(), QStringLiteral("A1"));

    QTRY_COMPARE(client.events().size(), 1);
    const SseTestClient::Frame frame = client.events().first();
    QCOMPARE(frame.id, QByteArray::number(id));
    QCOMPARE(frame.event, QByteArray("order.update"));
    const QJsonObject data = QJsonDocument::fromJson(frame.data).object();
    QCOMPARE(data.value(QStringLiteral("orderId")).toString(), QStringLiteral("A1"));
    QCOMPARE(data.value(QStringLiteral("status")).toString(), QStringLiteral("Activating"));
    QCOMPARE(data.value(QStringLiteral("message")).toString(), QStringLiteral("line one\nline two"));
    QCOMPARE(data.value(QStringLiteral("source")).toString(), QStringLiteral("api"));
    QCOMPARE(data.value(QStringLiteral("details")).toObject().value(QStringLiteral("sim")).toString(),
             QStringLiteral("8944"));

    const HubSnapshot snapshot = m_service->snapshot(0, 10);
    QCOMPARE(snapshot.eventsPublished, quint64(1));
    QCOMPARE(snapshot.events.size(), 1);
    QCOMPARE(snapshot.orders.size(), 1);
    QCOMPARE(snapshot.orders.first().lastStatus, QStringLiteral("Activating"));
    QCOMPARE(snapshot.orders.first().subscribers, 1);
}

void tst_OrderHttpServer::twoTabsBothReceive()
{
    SseTestClient first;
    SseTestClient second;
    first.open(m_port, "/orders/A1/events");
    second.open(m_port, "/orders/A1/events");
    QTRY_COMPARE(m_service->snapshot(0, 0).connections, 2);
    QCOMPARE(m_service->snapshot(0, 0).ordersWatched, 1);

    for (int i = 0; i < 5; ++i)
        publish("A1", R"({"status":"step"})");

    QTRY_COMPARE(first.events().size(), 5);
    QTRY_COMPARE(second.events().size(), 5);
    for (int i = 0; i < 5; ++i)
        QCOMPARE(first.events().at(i).id, second.events().at(i).id);
}

void tst_OrderHttpServer::otherOrderDoesNotReceive()
{
    SseTestClient watcher;
    SseTestClient other;
    watcher.open(m_port, "/orders/A1/events");
    other.open(m_port, "/orders/B2/events");
    QTRY_COMPARE(m_service->snapshot(0, 0).ordersWatched, 2);

    publish("A1", R"({"status":"for A1"})");
    publish("B2", R"({"status":"for B2"})");

    QTRY_COMPARE(watcher.events().size(), 1);
    QTRY_COMPARE(other.events().size(), 1);
    QVERIFY(watcher.events().first().data.contains("for A1"));
    QVERIFY(other.events().first().data.contains("for B2"));

    // A third event for A1 proves B2's stream got nothing in between.
    publish("A1", R"({"status":"again"})");
    QTRY_COMPARE(watcher.events().size(), 2);
    QCOMPARE(other.events().size(), 1);
}

void tst_OrderHttpServer::disconnectRemovesSubscriber()
{
    auto first = std::make_unique<SseTestClient>();
    SseTestClient second;
    first->open(m_port, "/orders/A1/events");
    second.open(m_port, "/orders/A1/events");
    QTRY_COMPARE(m_service->snapshot(0, 0).connections, 2);

    first->close();
    QTRY_COMPARE(m_service->snapshot(0, 0).connections, 1);
    HubSnapshot snapshot = m_service->snapshot(0, 0);
    QCOMPARE(snapshot.orders.size(), 1);
    QCOMPARE(snapshot.orders.first().subscribers, 1);

    second.close();
    QTRY_COMPARE(m_service->snapshot(0, 0).connections, 0);
    snapshot = m_service->snapshot(0, 0);
    QCOMPARE(snapshot.ordersWatched, 0);
    QVERIFY(snapshot.orders.isEmpty());
}

void tst_OrderHttpServer::badRequests_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QByteArray>("path");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("code");

    const QByteArray longId(65, 'x');
    QTest::newRow("id too long") << QByteArray("GET") << "/orders/" + longId + "/events"
                                 << QByteArray() << 400 << "invalid_order_id";
    QTest::newRow("id with dot") << QByteArray("GET") << QByteArray("/orders/a.b/events")
                                 << QByteArray() << 400 << "invalid_order_id";
    QTest::newRow("id with encoded slash") << QByteArray("GET") << QByteArray("/orders/a%2Fb/events")
                                           << QByteArray() << 400 << "invalid_order_id";
    QTest::newRow("id with encoded space") << QByteArray("POST") << QByteArray("/orders/a%20b/events")
                                           << QByteArray(R"({"status":"x"})") << 400
                                           << "invalid_order_id";
    QTest::newRow("bad JSON") << QByteArray("POST") << QByteArray("/orders/A1/events")
                              << QByteArray("{status:") << 400 << "invalid_json";
    QTest::newRow("missing status") << QByteArray("POST") << QByteArray("/orders/A1/events")
                                    << QByteArray(R"({"message":"x"})") << 400 << "missing_field";
    QTest::newRow("details not object") << QByteArray("POST") << QByteArray("/orders/A1/events")
                                        << QByteArray(R"({"status":"x","details":[1]})") << 400
                                        << "invalid_field";
    QTest::newRow("oversize body") << QByteArray("POST") << QByteArray("/orders/A1/events")
                                   << QByteArray(70 * 1024, ' ') << 413 << "body_too_large";
    QTest::newRow("unknown route") << QByteArray("GET") << QByteArray("/nothing") << QByteArray()
                                   << 404 << "not_found";
    QTest::newRow("trailing slash") << QByteArray("GET") << QByteArray("/orders/A1/events/")
                                    << QByteArray() << 404 << "not_found";
    QTest::newRow("wrong method") << QByteArray("DELETE") << QByteArray("/orders/A1/events")
                                  << QByteArray() << 405 << "method_not_allowed";
}

void tst_OrderHttpServer::badRequests()
{
    QFETCH(QByteArray, method);
    QFETCH(QByteArray, path);
    QFETCH(QByteArray, body);
    QFETCH(int, status);
    QFETCH(QString, code);

    const HttpTestResponse response = sendHttpRequest(m_port, method, path, body);
    QCOMPARE(response.status, status);
    QCOMPARE(response.header("Content-Type"), QByteArray("application/json"));
    const QJsonObject error = QJsonDocument::fromJson(response.body).object();
    QCOMPARE(error.value(QStringLiteral("error")).toString(), code);
    QVERIFY(!error.value(QStringLiteral("message")).toString().isEmpty());
    QCOMPARE(m_service->snapshot(0, 0).eventsPublished, quint64(0));
}

void tst_OrderHttpServer::badRequestsLeaveStreamsWorking()
{
    SseTestClient client;
    client.open(m_port, "/orders/A1/events");
    QTRY_COMPARE(m_service->snapshot(0, 0).connections, 1);

    QCOMPARE(sendHttpRequest(m_port, "POST", "/orders/A1/events", "not json").status, 400);
    QCOMPARE(sendHttpRequest(m_port, "GET", "/orders/bad.id/events").status, 400);
    QCOMPARE(sendHttpRequest(m_port, "POST", "/orders/A1/events", QByteArray(100 * 1024, 'x')).status,
             413);
    QCOMPARE(sendHttpRequest(m_port, "GET", "/unknown").status, 404);

    publish("A1", R"({"status":"still here"})");
    QTRY_COMPARE(client.events().size(), 1);
    QVERIFY(client.isConnected());
    QCOMPARE(m_service->snapshot(0, 0).connections, 1);
}

void tst_OrderHttpServer::secondRequestOnStreamIsIgnored()
{
    SseTestClient client;
    client.open(m_port, "/orders/A1/events");
    QTRY_COMPARE(m_service->snapshot(0, 0).connections, 1);
    QTRY_VERIFY(!client.frames().isEmpty());

    // A request written into an open stream must neither get an HTTP response
    // inside the event stream nor subscribe the socket a second time.
    client.socket().write("GET /orders/A1/events HTTP/1.1\r\nHost: x\r\n\r\n"
                          "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    publish("A1", R"({"status":"once"})");
    QTRY_COMPARE(client.events().size(), 1);
    publish("A1", R"({"status":"twice"})");
    QTRY_COMPARE(client.events().size(), 2);

    QCOMPARE(m_service->snapshot(0, 0).connections, 1);
    QVERIFY(!client.body().contains("HTTP/1.1"));
    QCOMPARE(client.events().size(), 2);
}

void tst_OrderHttpServer::healthReportsCounts()
{
    SseTestClient client;
    client.open(m_port, "/orders/A1/events");
    QTRY_COMPARE(m_service->snapshot(0, 0).connections, 1);

    const HttpTestResponse response = sendHttpRequest(m_port, "GET", "/healthz");
    QCOMPARE(response.status, 200);
    const QJsonObject health = QJsonDocument::fromJson(response.body).object();
    QCOMPARE(health.value(QStringLiteral("status")).toString(), QStringLiteral("ok"));
    QCOMPARE(health.value(QStringLiteral("connections")).toInt(), 1);
    QCOMPARE(health.value(QStringLiteral("streamWorkers")).toInt(), 2);
}

void tst_OrderHttpServer::connectionCloseIsHonoured()
{
    // sendHttpRequest() sends "Connection: close" and waits for the server to
    // close; a server that kept the connection open would leave no status.
    const HttpTestResponse response = sendHttpRequest(m_port, "GET", "/healthz");
    QCOMPARE(response.status, 200);
    QCOMPARE(response.header("Connection"), QByteArray("close"));
}

void tst_OrderHttpServer::portInUseIsAnError()
{
    ServerConfig config;
    config.port = m_port;
    config.journalPath = m_dir.filePath(QStringLiteral("second.db"));
    OrderStreamService second(config);
    QString error;
    QVERIFY(!second.start(&error));
    QVERIFY2(error.contains(QString::number(m_port)), qPrintable(error));
    QVERIFY(!second.isRunning());
}

void tst_OrderHttpServer::corsPreflightAndAllowList()
{
    const HttpTestResponse allowed = sendHttpRequest(
            m_port, "OPTIONS", "/orders/A1/events", {},
            {"Origin: http://shop.test:8000", "Access-Control-Request-Method: POST"});
    QCOMPARE(allowed.status, 204);
    QCOMPARE(allowed.header("Access-Control-Allow-Origin"), QByteArray("http://shop.test:8000"));
    QCOMPARE(allowed.header("Access-Control-Allow-Credentials"), QByteArray("true"));
    QVERIFY(allowed.header("Access-Control-Allow-Methods").contains("POST"));
    QVERIFY(allowed.header("Access-Control-Allow-Headers").contains("Last-Event-ID"));

    const HttpTestResponse other = sendHttpRequest(
            m_port, "OPTIONS", "/orders/A1/events", {},
            {"Origin: http://evil.test", "Access-Control-Request-Method: POST"});
    QCOMPARE(other.status, 204);
    QVERIFY(other.header("Access-Control-Allow-Origin").isNull());
    QVERIFY(other.header("Access-Control-Allow-Methods").isNull());

    // Errors carry the headers too, so a page can read why it failed.
    const HttpTestResponse error = sendHttpRequest(m_port, "POST", "/orders/A1/events", "nope",
                                                   {"Origin: http://shop.test:8000"});
    QCOMPARE(error.status, 400);
    QCOMPARE(error.header("Access-Control-Allow-Origin"), QByteArray("http://shop.test:8000"));

    const HttpTestResponse published = sendHttpRequest(
            m_port, "POST", "/orders/A1/events", R"({"status":"x"})", {"Origin: http://shop.test:8000"});
    QCOMPARE(published.status, 202);
    QCOMPARE(published.header("Access-Control-Allow-Origin"), QByteArray("http://shop.test:8000"));

    const HttpTestResponse noOrigin = sendHttpRequest(m_port, "GET", "/healthz");
    QVERIFY(noOrigin.header("Access-Control-Allow-Origin").isNull());
}

void tst_OrderHttpServer::corsHeadersOnStream()
{
    SseTestClient allowed;
    allowed.open(m_port, "/orders/A1/events", {"Origin: http://shop.test:8000"});
    QTRY_VERIFY(allowed.headComplete());
    QCOMPARE(allowed.header("Access-Control-Allow-Origin"), QByteArray("http://shop.test:8000"));
    QCOMPARE(allowed.header("Content-Type"), QByteArray("text/event-stream"));

    SseTestClient other;
    other.open(m_port, "/orders/A1/events", {"Origin: http://evil.test"});
    QTRY_VERIFY(other.headComplete());
    QVERIFY(other.header("Access-Control-Allow-Origin").isNull());
}

namespace {

// Opens a stream from a chosen loopback source address and waits for the head.
std::unique_ptr<SseTestClient> openFrom(const QHostAddress &source, quint16 port)
{
    auto client = std::make_unique<SseTestClient>();
    client->socket().bind(source);
    client->open(port, "/orders/A1/events");
    return client;
}

} // namespace

void tst_OrderHttpServer::streamCapsOverallAndPerAddress()
{
    const QHostAddress first(QStringLiteral("127.0.0.2"));
    const QHostAddress second(QStringLiteral("127.0.0.3"));
    auto a1 = openFrom(first, m_port);
    auto a2 = openFrom(first, m_port);
    QTRY_COMPARE(m_service->snapshot(0, 0).connections, 2);

    // A third stream from the same address passes the per-address cap.
    auto a3 = openFrom(first, m_port);
    QTRY_VERIFY(a3->headComplete());
    QCOMPARE(a3->statusCode(), 429);

    auto b1 = openFrom(second, m_port);
    QTRY_COMPARE(m_service->snapshot(0, 0).connections, 3);

    // The server has 3 streams open, its cap.
    auto b2 = openFrom(second, m_port);
    QTRY_VERIFY(b2->headComplete());
    QCOMPARE(b2->statusCode(), 503);

    // A closed stream frees its place.
    a1->close();
    QTRY_COMPARE(m_service->snapshot(0, 0).connections, 2);
    auto a4 = openFrom(first, m_port);
    QTRY_VERIFY(a4->headComplete());
    QCOMPARE(a4->statusCode(), 200);
}

QTEST_GUILESS_MAIN(tst_OrderHttpServer)
#include "tst_orderhttpserver.moc"
