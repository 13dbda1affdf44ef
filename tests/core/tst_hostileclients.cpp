#include "orderstreamservice.h"
#include "ssetestclient.h"
#include "testservice.h"

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <algorithm>
#include <memory>
#include <vector>

namespace {

// A client socket that collects everything the server sends and notes when
// the server closes the connection.
class RawClient : public QObject
{
public:
    explicit RawClient(const QHostAddress &source = {})
    {
        if (!source.isNull())
            m_socket.bind(source);
        connect(&m_socket, &QIODevice::readyRead, this,
                [this] { m_received += m_socket.readAll(); });
        connect(&m_socket, &QAbstractSocket::disconnected, this, [this] { m_closed = true; });
    }

    void connectTo(quint16 port) { m_socket.connectToHost(QHostAddress::LocalHost, port); }
    void send(const QByteArray &bytes) { m_socket.write(bytes); }

    QTcpSocket &socket() { return m_socket; }
    QByteArray received() const { return m_received; }
    bool closedByServer() const { return m_closed; }

    int status() const
    {
        if (!m_received.startsWith("HTTP/1.1 "))
            return 0;
        return m_received.mid(9, 3).toInt();
    }

    QJsonObject errorBody() const
    {
        const qsizetype end = m_received.indexOf("\r\n\r\n");
        return end < 0 ? QJsonObject() : QJsonDocument::fromJson(m_received.mid(end + 4)).object();
    }

private:
    QTcpSocket m_socket;
    QByteArray m_received;
    bool m_closed = false;
};

constexpr int MaxHeaderBytes = 4096;
constexpr int RequestTimeoutMs = 300;
constexpr int IdleTimeoutMs = 600;

} // namespace

// Broken and hostile clients against the whole service over real sockets on
// loopback: oversized and slow requests, invalid HTTP, floods of connections
// and a stream that never reads. Throughout, a healthy stream opened before
// each test must receive every acknowledged event, and the journal must hold
// every one of them.
class tst_HostileClients : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void oversizedHeadersGet431();
    void slowHeadersGet408();
    void endlessBodyGets408();
    void contentLengthOverLimitGets413();
    void chunkedBodyOverLimitGets413();
    void chunkedPublishIsAccepted();
    void invalidHttpGets400_data();
    void invalidHttpGets400();
    void pipelinedRequestsAreAnswered();
    void idleConnectionClosedSilently();
    void silentConnectionClosed();
    void connectionFloodIsCapped();
    void parallelRequestsAllAnswered();
    void streamThatNeverReadsIsDropped();
    void rejectionsAreCounted();

private:
    void publishAcknowledged(const QByteArray &status);
    void verifyHealthyStreamAndJournal();

    QTemporaryDir m_dir;
    ServerConfig m_config;
    std::unique_ptr<OrderStreamService> m_service;
    quint16 m_port = 0;
    std::unique_ptr<SseTestClient> m_healthy;
    QList<QByteArray> m_acknowledgedIds;
    int m_journalCount = 0;
};

void tst_HostileClients::init()
{
    QVERIFY(m_dir.isValid());
    m_config = testServerConfig(m_dir, 2);
    // Rows of a data-driven test each get a journal of their own.
    m_config.journalPath = m_dir.filePath(QStringLiteral("journal-%1.db").arg(++m_journalCount));
    m_config.maxHeaderBytes = MaxHeaderBytes;
    m_config.requestTimeoutMs = RequestTimeoutMs;
    m_config.idleTimeoutMs = IdleTimeoutMs;
    m_config.heartbeatIntervalMs = 100;
    if (QByteArray(QTest::currentTestFunction()) == "connectionFloodIsCapped")
        m_config.maxConnectionsPerAddress = 50;
    if (QByteArray(QTest::currentTestFunction()) == "streamThatNeverReadsIsDropped")
        m_config.maxUnsentBytes = 64 * 1024;
    QString error;
    QVERIFY2(startTestService(m_service, m_config, &error), qPrintable(error));
    m_port = m_service->port();

    // The healthy stream comes from its own address, so per-address caps
    // tested here never count it.
    m_acknowledgedIds.clear();
    m_healthy = std::make_unique<SseTestClient>();
    m_healthy->socket().bind(QHostAddress(QStringLiteral("127.0.0.3")));
    m_healthy->open(m_port, "/orders/HEALTHY/events");
    QTRY_COMPARE(m_service->snapshot(0, 0).connections, 1);
    publishAcknowledged("before");
}

void tst_HostileClients::cleanup()
{
    m_healthy.reset();
    m_service.reset();
}

void tst_HostileClients::publishAcknowledged(const QByteArray &status)
{
    const HttpTestResponse response =
            sendHttpRequest(m_port, "POST", "/orders/HEALTHY/events",
                            R"({"status":")" + status + R"("})", {"Content-Type: application/json"},
                            QHostAddress(QStringLiteral("127.0.0.4")));
    QCOMPARE(response.status, 202);
    const QJsonObject answer = QJsonDocument::fromJson(response.body).object();
    const qint64 id = answer.value(QStringLiteral("id")).toInteger();
    QVERIFY(id > 0);
    m_acknowledgedIds.append(QByteArray::number(id));
}

// Publishes once more, then checks that the healthy stream is still open
// and received every acknowledged event in order, and that a client resuming
// from id 0 on a restarted service gets the same events from the journal.
void tst_HostileClients::verifyHealthyStreamAndJournal()
{
    publishAcknowledged("after");
    QTRY_COMPARE(m_healthy->events().size(), m_acknowledgedIds.size());
    QList<QByteArray> streamed;
    for (const SseTestClient::Frame &frame : m_healthy->events())
        streamed.append(frame.id);
    QCOMPARE(streamed, m_acknowledgedIds);
    QVERIFY(m_healthy->isConnected());

    m_healthy.reset();
    m_service.reset();
    // The replay may be larger than a test's bound on unsent bytes.
    ServerConfig restarted = m_config;
    restarted.maxUnsentBytes = 64 * 1024 * 1024;
    QString error;
    QVERIFY2(startTestService(m_service, restarted, &error), qPrintable(error));
    SseTestClient resumed;
    resumed.open(m_service->port(), "/orders/HEALTHY/events", {"Last-Event-ID: 0"});
    QTRY_COMPARE(resumed.events().size(), m_acknowledgedIds.size());
    QList<QByteArray> replayed;
    for (const SseTestClient::Frame &frame : resumed.events())
        replayed.append(frame.id);
    QCOMPARE(replayed, m_acknowledgedIds);
}

void tst_HostileClients::oversizedHeadersGet431()
{
    RawClient client;
    client.connectTo(m_port);
    client.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: "
                + QByteArray(MaxHeaderBytes * 4, 'a') + "\r\n\r\n");

    QTRY_VERIFY(client.closedByServer());
    QCOMPARE(client.status(), 431);
    QCOMPARE(client.errorBody().value(QStringLiteral("error")).toString(),
             QStringLiteral("headers_too_large"));
    QVERIFY(client.received().contains("Connection: close\r\n"));
    verifyHealthyStreamAndJournal();
}

void tst_HostileClients::slowHeadersGet408()
{
    // One byte every 50 ms: a head of this size would take seconds.
    const QByteArray head = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "
                            + QByteArray(200, 's') + "\r\n\r\n";
    RawClient client;
    client.connectTo(m_port);
    qsizetype sent = 0;
    QTimer drip;
    connect(&drip, &QTimer::timeout, &client, [&] {
        if (sent < head.size() && client.socket().state() == QAbstractSocket::ConnectedState)
            client.send(head.mid(sent++, 1));
    });
    QElapsedTimer elapsed;
    elapsed.start();
    drip.start(50);

    QTRY_VERIFY_WITH_TIMEOUT(client.closedByServer(), 5000);
    drip.stop();
    QCOMPARE(client.status(), 408);
    QCOMPARE(client.errorBody().value(QStringLiteral("error")).toString(),
             QStringLiteral("request_timeout"));
    QVERIFY2(elapsed.elapsed() >= RequestTimeoutMs - 50,
             qPrintable(QString::number(elapsed.elapsed())));
    QVERIFY(sent < head.size());
    verifyHealthyStreamAndJournal();
}

void tst_HostileClients::endlessBodyGets408()
{
    RawClient client;
    client.connectTo(m_port);
    client.send("POST /orders/A1/events HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"status\":");

    QTRY_VERIFY_WITH_TIMEOUT(client.closedByServer(), 5000);
    QCOMPARE(client.status(), 408);
    QCOMPARE(m_service->snapshot(0, 0).orders.size(), 1);
    verifyHealthyStreamAndJournal();
}

void tst_HostileClients::contentLengthOverLimitGets413()
{
    // Only the head is sent: the 413 must not wait for the body.
    RawClient client;
    client.connectTo(m_port);
    client.send("POST /orders/A1/events HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                "Content-Type: application/json\r\nContent-Length: 104857600\r\n\r\n");

    QTRY_VERIFY(client.closedByServer());
    QCOMPARE(client.status(), 413);
    QCOMPARE(client.errorBody().value(QStringLiteral("error")).toString(),
             QStringLiteral("body_too_large"));
    verifyHealthyStreamAndJournal();
}

void tst_HostileClients::chunkedBodyOverLimitGets413()
{
    RawClient client;
    client.connectTo(m_port);
    const QByteArray chunk(40 * 1024, 'x');
    QByteArray request = "POST /orders/A1/events HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                         "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
    for (int i = 0; i < 3; ++i)
        request += QByteArray::number(chunk.size(), 16) + "\r\n" + chunk + "\r\n";
    client.send(request);

    QTRY_VERIFY(client.closedByServer());
    QCOMPARE(client.status(), 413);
    verifyHealthyStreamAndJournal();
}

void tst_HostileClients::chunkedPublishIsAccepted()
{
    // The guard frames a valid chunked body exactly as Qt's parser does, so
    // the publish succeeds and the connection stays usable.
    RawClient client;
    client.connectTo(m_port);
    client.send("POST /orders/HEALTHY/events HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                "a;note=first\r\n{\"status\":\r\n8\r\n\"chunked\r\n2\r\n\"}\r\n0\r\n\r\n");
    QTRY_COMPARE(client.status(), 202);
    const QJsonObject answer = client.errorBody();
    m_acknowledgedIds.append(QByteArray::number(answer.value(QStringLiteral("id")).toInteger()));

    client.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    QTRY_COMPARE(client.received().count("HTTP/1.1 "), 2);
    QVERIFY(client.received().contains("HTTP/1.1 200 OK"));
    QVERIFY(!client.closedByServer());
    verifyHealthyStreamAndJournal();
}

void tst_HostileClients::invalidHttpGets400_data()
{
    QTest::addColumn<QByteArray>("request");

    QTest::newRow("not HTTP") << QByteArray("HELLO THERE\r\n\r\n");
    QTest::newRow("NUL in request line")
            << QByteArray("GET /heal\0thz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", 44);
    QTest::newRow("NUL in header")
            << QByteArray("GET /healthz HTTP/1.1\r\nHost: 127.0\0.0.1\r\n\r\n", 44);
    QTest::newRow("unknown version") << QByteArray("GET /healthz HTTP/9.9\r\n\r\n");
    QTest::newRow("header without colon")
            << QByteArray("GET /healthz HTTP/1.1\r\nHost 127.0.0.1\r\n\r\n");
    QTest::newRow("folded header")
            << QByteArray("GET /healthz HTTP/1.1\r\nHost: a\r\n  folded\r\n\r\n");
    QTest::newRow("invalid Content-Length")
            << QByteArray("POST /orders/A1/events HTTP/1.1\r\nContent-Length: 12abc\r\n\r\n");
    QTest::newRow("two Content-Length values")
            << QByteArray("POST /orders/A1/events HTTP/1.1\r\nContent-Length: 2\r\n"
                          "Content-Length: 3\r\n\r\n{}");
    QTest::newRow("Content-Length and chunked")
            << QByteArray("POST /orders/A1/events HTTP/1.1\r\nContent-Length: 2\r\n"
                          "Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n");
    QTest::newRow("gzip transfer coding")
            << QByteArray("POST /orders/A1/events HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n");
    QTest::newRow("bad chunk size")
            << QByteArray("POST /orders/A1/events HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                          "zz\r\n");
    QTest::newRow("only whitespace") << QByteArray(MaxHeaderBytes + 10, '\n');
}

void tst_HostileClients::invalidHttpGets400()
{
    QFETCH(QByteArray, request);

    RawClient client;
    client.connectTo(m_port);
    client.send(request);

    QTRY_VERIFY(client.closedByServer());
    QCOMPARE(client.status(), 400);
    QCOMPARE(client.errorBody().value(QStringLiteral("error")).toString(),
             QStringLiteral("invalid_request"));
    QVERIFY(!client.errorBody().value(QStringLiteral("message")).toString().isEmpty());
    verifyHealthyStreamAndJournal();
}

void tst_HostileClients::pipelinedRequestsAreAnswered()
{
    // Three requests in one write, the last one oversized: the first two get
    // their responses in order before the 431.
    // NOTE: a publish pipelined before a rejected request loses its 202,
    // because the 202 waits for the journal and the rejection closes the
    // connection first. The event is stored all the same.
    RawClient client;
    client.connectTo(m_port);
    client.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                "GET /orders/HEALTHY HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                "GET /healthz HTTP/1.1\r\nX-Padding: " + QByteArray(MaxHeaderBytes, 'p')
                + "\r\n\r\n");

    QTRY_VERIFY(client.closedByServer());
    const QByteArray received = client.received();
    QCOMPARE(received.count("HTTP/1.1 "), 3);
    QVERIFY2(received.startsWith("HTTP/1.1 200"), received.constData());
    const qsizetype order = received.indexOf("HTTP/1.1 200", 1);
    const qsizetype tooLarge = received.indexOf("HTTP/1.1 431");
    QVERIFY2(order > 0, received.constData());
    QVERIFY2(received.indexOf("\"orderId\":\"HEALTHY\"") > order, received.constData());
    QVERIFY2(tooLarge > order, received.constData());
    verifyHealthyStreamAndJournal();
}

void tst_HostileClients::idleConnectionClosedSilently()
{
    RawClient client;
    client.connectTo(m_port);
    client.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    QTRY_VERIFY(client.status() == 200);
    const QByteArray response = client.received();
    QElapsedTimer elapsed;
    elapsed.start();

    QTRY_VERIFY_WITH_TIMEOUT(client.closedByServer(), 5000);
    QVERIFY2(elapsed.elapsed() >= IdleTimeoutMs - 100,
             qPrintable(QString::number(elapsed.elapsed())));
    QCOMPARE(client.received(), response);
    // The stream outlived both timeouts.
    QVERIFY(m_healthy->isConnected());
    verifyHealthyStreamAndJournal();
}

void tst_HostileClients::silentConnectionClosed()
{
    RawClient client;
    client.connectTo(m_port);
    QTRY_VERIFY(client.socket().state() == QAbstractSocket::ConnectedState);

    QTRY_VERIFY_WITH_TIMEOUT(client.closedByServer(), 5000);
    QVERIFY(client.received().isEmpty());
    verifyHealthyStreamAndJournal();
}

void tst_HostileClients::connectionFloodIsCapped()
{
    // 500 connections from one address that send nothing: the first 50 are
    // kept until the request timeout, the other 450 get 429 at once.
    constexpr int Attempts = 500;
    std::vector<std::unique_ptr<RawClient>> clients;
    clients.reserve(Attempts);
    for (int i = 0; i < Attempts; ++i) {
        clients.push_back(std::make_unique<RawClient>(QHostAddress(QStringLiteral("127.0.0.2"))));
        clients.back()->connectTo(m_port);
    }

    const auto countStatus = [&clients](int status) {
        return int(std::count_if(clients.cbegin(), clients.cend(), [status](const auto &client) {
            return client->status() == status;
        }));
    };
    QTRY_COMPARE_WITH_TIMEOUT(countStatus(429), Attempts - 50, 20000);
    const auto rejected = std::find_if(clients.cbegin(), clients.cend(),
                                       [](const auto &client) { return client->status() == 429; });
    QCOMPARE((*rejected)->errorBody().value(QStringLiteral("error")).toString(),
             QStringLiteral("too_many_connections"));

    // Another address is not affected, and the kept connections are closed
    // by the request timeout without a response.
    const QHostAddress otherAddress(QStringLiteral("127.0.0.5"));
    QCOMPARE(sendHttpRequest(m_port, "GET", "/healthz", {}, {}, otherAddress).status, 200);
    const auto allClosed = [&clients] {
        return std::all_of(clients.cbegin(), clients.cend(),
                           [](const auto &client) { return client->closedByServer(); });
    };
    QTRY_VERIFY_WITH_TIMEOUT(allClosed(), 20000);
    QCOMPARE(countStatus(0), 50);
    verifyHealthyStreamAndJournal();
}

void tst_HostileClients::parallelRequestsAllAnswered()
{
    // 500 requests at once without a cap: every one gets its 200, and the
    // guards of all of them leave the stream alone.
    constexpr int Attempts = 500;
    std::vector<std::unique_ptr<RawClient>> clients;
    clients.reserve(Attempts);
    for (int i = 0; i < Attempts; ++i) {
        clients.push_back(std::make_unique<RawClient>(QHostAddress(QStringLiteral("127.0.0.2"))));
        clients.back()->connectTo(m_port);
        clients.back()->send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                             "Connection: close\r\n\r\n");
    }

    const auto countOk = [&clients] {
        return int(std::count_if(clients.cbegin(), clients.cend(), [](const auto &client) {
            return client->closedByServer() && client->status() == 200;
        }));
    };
    QTRY_COMPARE_WITH_TIMEOUT(countOk(), Attempts, 30000);
    verifyHealthyStreamAndJournal();
}

void tst_HostileClients::streamThatNeverReadsIsDropped()
{
    // A stream client with a tiny receive buffer that never reads.
    QTcpSocket stalled;
    stalled.setSocketOption(QAbstractSocket::ReceiveBufferSizeSocketOption, 4096);
    stalled.setReadBufferSize(1024);
    stalled.bind(QHostAddress(QStringLiteral("127.0.0.6")));
    stalled.connectToHost(QHostAddress::LocalHost, m_port);
    stalled.write("GET /orders/HEALTHY/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    QTRY_COMPARE(m_service->snapshot(0, 0).connections, 2);

    // Events of about 60 KiB each until the engine drops the stalled stream;
    // bounded, so a server that never drops it fails the test.
    const QByteArray padding(60 * 1024, 'p');
    int published = 0;
    while (m_service->snapshot(0, 0).connections > 1 && published < 400) {
        publishAcknowledged(padding);
        ++published;
        QTest::qWait(0);
    }
    QTRY_COMPARE(m_service->snapshot(0, 0).connections, 1);
    verifyHealthyStreamAndJournal();
}

void tst_HostileClients::rejectionsAreCounted()
{
    RawClient tooLarge;
    tooLarge.connectTo(m_port);
    tooLarge.send("GET /healthz HTTP/1.1\r\nX-Padding: " + QByteArray(MaxHeaderBytes, 'a')
                  + "\r\n\r\n");
    RawClient invalid;
    invalid.connectTo(m_port);
    invalid.send("NONSENSE\r\n\r\n");
    QTRY_VERIFY(tooLarge.closedByServer() && invalid.closedByServer());

    const QByteArray metrics = sendHttpRequest(m_port, "GET", "/metrics").body;
    QVERIFY2(metrics.contains("orderstream_http_rejected_total{reason=\"headers_too_large\"} 1\n"),
             metrics.constData());
    QVERIFY2(metrics.contains("orderstream_http_rejected_total{reason=\"invalid_request\"} 1\n"),
             metrics.constData());
    verifyHealthyStreamAndJournal();
}

QTEST_GUILESS_MAIN(tst_HostileClients)
#include "tst_hostileclients.moc"
