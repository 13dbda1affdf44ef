#include "eventstore.h"
#include "browsertesthelpers.h"
#include "headlesschromium.h"
#include "jwtsigner.h"
#include "orderstreamservice.h"
#include "pageserver.h"
#include "ssetestclient.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QUrl>
#include <QUrlQuery>

#include <functional>
#include <memory>

namespace {

// Bound on each wait for the browser to connect or to show an event. A
// reconnect takes the 300 ms retry interval plus Chromium's own scheduling.
constexpr int DeliveryTimeoutMs = 30000;

// EventSource.readyState while a connection is being established or re-established.
constexpr int EventSourceConnecting = 0;

// JavaScript that returns everything the page recorded as one JSON string,
// so that a single DevTools round trip reads it.
const char PageStateExpression[] =
        "JSON.stringify({received: window.received, opens: window.opens, "
        "errors: window.errors, readyState: window.source ? window.source.readyState : -1})";

// What one tab's page recorded so far. loaded stays false until the page's
// script has run.
struct PageState
{
    QByteArray json;
    bool loaded = false;
    int readyState = -1;
    int opens = 0;
    int errors = 0;
    QList<quint64> updateIds;
    QStringList updateStatuses;
    QList<quint64> resyncIds;
};



QList<quint64> idRange(quint64 first, quint64 last)
{
    QList<quint64> ids;
    for (quint64 id = first; id <= last; ++id)
        ids.append(id);
    return ids;
}

} // namespace

// OrderStream's streams in a real browser: a headless Chromium loads a page
// from another origin that follows an order with EventSource, and the test
// reads what the page received through the DevTools protocol. The test only
// opens tabs and reads page state. Chromium reconnects and sends
// Last-Event-ID on its own. Authentication is on, as by default on the
// command line: the page's stream URL carries a customer's token in the
// access_token parameter, because EventSource cannot set headers.
class tst_Browser : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();

    void reconnectAfterServerRestart();
    void twoTabsReceiveEveryEvent();
    void floodOfBadRequestsLeavesStreamAlone();

private:
    bool startService(quint16 port, QString *errorMessage,
                      const std::function<void(ServerConfig &)> &adjust = {});
    QByteArray signToken(const JwtTokenRequest &request);
    quint64 publish(const QString &orderId, const QString &status);
    QString openOrderTab(const QString &orderId, const JwtTokenRequest &viewer,
                         QString *errorMessage);
    PageState readPage(const QString &sessionId);

    QByteArray m_pageHtml;
    std::unique_ptr<QTemporaryDir> m_journalDir;
    std::unique_ptr<PageServer> m_pages;
    std::unique_ptr<HeadlessChromium> m_browser;
    std::unique_ptr<OrderStreamService> m_service;
    // Token settings shared by every service start of one test function, so
    // that a restarted service accepts the tokens issued before the restart.
    JwtConfig m_jwt;
    QByteArray m_publisherToken;
    // DevTools session ids of the open tabs, for the failure report.
    QStringList m_tabs;
    // The last page read error, so that polling logs each distinct one once.
    QString m_lastReadError;
};

void tst_Browser::initTestCase()
{
    if (!QFileInfo(QLatin1String(HeadlessChromium::ExecutablePath)).isExecutable()) {
        QSKIP("Chromium is not installed at /usr/bin/chromium; "
              "scripts/install-deps.sh --tests installs it");
    }

    QFile page(QStringLiteral(":/browser/orderpage.html"));
    QVERIFY2(page.open(QIODevice::ReadOnly), qPrintable(page.errorString()));
    m_pageHtml = page.readAll();
}

void tst_Browser::init()
{
    m_journalDir = std::make_unique<QTemporaryDir>();
    QVERIFY2(m_journalDir->isValid(), qPrintable(m_journalDir->errorString()));

    m_jwt = JwtConfig();
    m_jwt.hs256Secret = makeHs256Secret();
    JwtTokenRequest publisher;
    publisher.subject = QStringLiteral("browser-test-publisher");
    publisher.scopes = {m_jwt.publishScope};
    m_publisherToken = signToken(publisher);
    QVERIFY(!m_publisherToken.isEmpty());

    QString error;
    m_pages = std::make_unique<PageServer>(m_pageHtml);
    QVERIFY2(m_pages->listen(&error), qPrintable(error));

    m_browser = std::make_unique<HeadlessChromium>();
    QVERIFY2(m_browser->start(&error),
             qPrintable(error + QLatin1Char('\n')
                        + QString::fromLocal8Bit(withoutDbusErrors(m_browser->output()).right(4000))));
}

void tst_Browser::cleanup()
{
    if (QTest::currentTestFailed() && m_browser) {
        for (const QString &tab : std::as_const(m_tabs))
            qInfo("page state of tab %ls: %s", qUtf16Printable(tab), readPage(tab).json.constData());
        const QByteArray output = withoutDbusErrors(m_browser->output());
        qInfo("Chromium's output, last 4000 bytes without D-Bus errors:\n%s",
              output.right(4000).constData());
    }

    // The browser goes first, so that no reconnect attempt reaches a
    // stopping service. The journal folder goes last.
    m_browser.reset();
    m_service.reset();
    m_pages.reset();
    m_journalDir.reset();
    m_tabs.clear();
    m_lastReadError.clear();
}

bool tst_Browser::startService(quint16 port, QString *errorMessage,
                               const std::function<void(ServerConfig &)> &adjust)
{
    ServerConfig config;
    config.bindAddress = QHostAddress(QHostAddress::LocalHost);
    config.port = port;
    config.retryMs = 300;
    config.heartbeatIntervalMs = 0;
    config.streamWorkers = 2;
    config.journalPath = m_journalDir->filePath(QStringLiteral("journal.db"));
    config.corsOrigins = {m_pages->origin()};
    config.authEnabled = true;
    config.jwt = m_jwt;
    if (adjust)
        adjust(config);
    m_service = std::make_unique<OrderStreamService>(config);
    return m_service->start(errorMessage);
}

QByteArray tst_Browser::signToken(const JwtTokenRequest &request)
{
    return signTestToken(m_jwt, request);
}

quint64 tst_Browser::publish(const QString &orderId, const QString &status)
{
    QJsonObject body;
    body.insert(QLatin1String("status"), status);
    const HttpTestResponse response = sendHttpRequest(
            m_service->port(), "POST", "/orders/" + orderId.toUtf8() + "/events",
            QJsonDocument(body).toJson(QJsonDocument::Compact),
            {"Content-Type: application/json", "Authorization: Bearer " + m_publisherToken});
    if (response.status != 202) {
        qWarning() << "publish to order" << orderId << "failed:" << response.status << response.body;
        return 0;
    }
    return quint64(QJsonDocument::fromJson(response.body).object().value(QLatin1String("id")).toInteger());
}

// Opens the order page in a new tab, following the order's stream on the
// running service with a token signed for viewer. Returns the tab's session
// id, or an empty string with errorMessage set.
QString tst_Browser::openOrderTab(const QString &orderId, const JwtTokenRequest &viewer,
                                  QString *errorMessage)
{
    const QByteArray token = signToken(viewer);
    if (token.isEmpty()) {
        *errorMessage = QStringLiteral("signing a token for %1 failed").arg(viewer.subject);
        return {};
    }

    QUrl streamUrl(QStringLiteral("http://127.0.0.1/orders/%1/events").arg(orderId));
    streamUrl.setPort(m_service->port());
    QUrlQuery streamQuery;
    streamQuery.addQueryItem(QStringLiteral("access_token"), QString::fromLatin1(token));
    streamUrl.setQuery(streamQuery);

    QUrlQuery pageQuery;
    pageQuery.addQueryItem(QStringLiteral("stream"), streamUrl.toString(QUrl::FullyEncoded));
    QUrl url(m_pages->origin() + QLatin1Char('/'));
    url.setQuery(pageQuery);

    const QString tab = m_browser->openTab(url, errorMessage);
    if (!tab.isEmpty())
        m_tabs.append(tab);
    return tab;
}

PageState tst_Browser::readPage(const QString &sessionId)
{
    PageState state;
    QString error;
    const std::optional<QJsonValue> value =
            m_browser->evaluate(sessionId, QLatin1String(PageStateExpression), &error);
    if (!value) {
        if (error != m_lastReadError)
            qWarning("reading the page state failed: %ls", qUtf16Printable(error));
        m_lastReadError = error;
        return state;
    }

    state.json = value->toString().toUtf8();
    const QJsonObject page = QJsonDocument::fromJson(state.json).object();
    state.loaded = page.contains(QLatin1String("received"));
    state.readyState = page.value(QLatin1String("readyState")).toInt(-1);
    state.opens = page.value(QLatin1String("opens")).toInt();
    state.errors = page.value(QLatin1String("errors")).toInt();
    const QJsonArray received = page.value(QLatin1String("received")).toArray();
    for (const QJsonValue &entry : received) {
        const QJsonObject event = entry.toObject();
        const quint64 id = event.value(QLatin1String("lastEventId")).toString().toULongLong();
        if (event.value(QLatin1String("type")).toString() == QLatin1String("order.resync")) {
            state.resyncIds.append(id);
            continue;
        }
        state.updateIds.append(id);
        state.updateStatuses.append(
                event.value(QLatin1String("data")).toObject().value(QLatin1String("status")).toString());
    }
    return state;
}

void tst_Browser::reconnectAfterServerRestart()
{
    const QString orderId = QStringLiteral("A1");
    JwtTokenRequest customer;
    customer.subject = QStringLiteral("customer-a1");
    customer.orders = {orderId};
    const QStringList statuses = {
        QStringLiteral("placed"),     QStringLiteral("paid"),
        QStringLiteral("packed"),     QStringLiteral("shipped"),
        QStringLiteral("in transit"), QStringLiteral("out for delivery"),
        QStringLiteral("delivered"),
    };
    QString error;
    QVERIFY2(startService(0, &error), qPrintable(error));
    const quint16 apiPort = m_service->port();

    const QString tab = openOrderTab(orderId, customer, &error);
    QVERIFY2(!tab.isEmpty(), qPrintable(error));
    QTRY_VERIFY_WITH_TIMEOUT(readPage(tab).loaded, DeliveryTimeoutMs);
    // The first connection carries no Last-Event-ID, so events published
    // before it opens would never reach the page.
    QTRY_COMPARE_WITH_TIMEOUT(m_service->snapshot(0, 0).connections, 1, DeliveryTimeoutMs);

    for (int i = 0; i < 3; ++i)
        QCOMPARE(publish(orderId, statuses[i]), quint64(i + 1));
    QTRY_COMPARE_WITH_TIMEOUT(readPage(tab).updateIds, idRange(1, 3), DeliveryTimeoutMs);

    // Stopping ends the stream with a FIN. EventSource reports an error and
    // stays CONNECTING, retrying every 300 ms while nothing listens.
    m_service->stop();
    QTRY_VERIFY_WITH_TIMEOUT(readPage(tab).errors >= 1, DeliveryTimeoutMs);
    QCOMPARE(readPage(tab).readyState, EventSourceConnecting);

    // The same port and journal: ids continue at 4, and Chromium's next
    // attempt finds the server. Publishing right away lets some events land
    // before Chromium is back, so they reach it through the replay.
    m_service.reset();
    QVERIFY2(startService(apiPort, &error), qPrintable(error));
    for (int i = 3; i < 6; ++i)
        QCOMPARE(publish(orderId, statuses[i]), quint64(i + 1));
    QTRY_COMPARE_WITH_TIMEOUT(readPage(tab).updateIds, idRange(1, 6), DeliveryTimeoutMs);

    QTRY_COMPARE_WITH_TIMEOUT(m_service->reconnects(0, 10).size(), 1, DeliveryTimeoutMs);
    const ReconnectRecord resumed = m_service->reconnects(0, 10).first();
    QCOMPARE(resumed.orderId, orderId);
    // The subject comes from the token, which Chromium sent again because
    // the URL it reconnects to is the one the page gave EventSource.
    QCOMPARE(resumed.subject, customer.subject);
    QCOMPARE(resumed.resumedFromId, std::optional<quint64>(3));
    QVERIFY(!resumed.resync);
    qDebug("Chromium resumed after id 3, and the replay carried %d of events 4 to 6",
           resumed.eventsReplayed);

    // A duplicate still on its way would arrive before the next event on the
    // same stream, so seeing 7 straight after 6 shows that none is pending.
    QCOMPARE(publish(orderId, statuses[6]), quint64(7));
    QTRY_COMPARE_WITH_TIMEOUT(readPage(tab).updateIds, idRange(1, 7), DeliveryTimeoutMs);

    const PageState page = readPage(tab);
    QCOMPARE(page.updateStatuses, statuses);
    QCOMPARE(page.resyncIds, QList<quint64>());
    QCOMPARE(page.opens, 2);
}

void tst_Browser::twoTabsReceiveEveryEvent()
{
    const QString orderId = QStringLiteral("B2");
    const QStringList statuses = {
        QStringLiteral("placed"),
        QStringLiteral("packed"),
        QStringLiteral("shipped"),
        QStringLiteral("delivered"),
    };
    // The customer's token lists the order, and the staff token's scope
    // grants every order.
    JwtTokenRequest customer;
    customer.subject = QStringLiteral("customer-b2");
    customer.orders = {orderId};
    JwtTokenRequest staff;
    staff.subject = QStringLiteral("support-agent");
    staff.scopes = {m_jwt.staffScope};
    QString error;
    QVERIFY2(startService(0, &error), qPrintable(error));

    const QString firstTab = openOrderTab(orderId, customer, &error);
    QVERIFY2(!firstTab.isEmpty(), qPrintable(error));
    const QString secondTab = openOrderTab(orderId, staff, &error);
    QVERIFY2(!secondTab.isEmpty(), qPrintable(error));
    QTRY_VERIFY_WITH_TIMEOUT(readPage(firstTab).loaded, DeliveryTimeoutMs);
    QTRY_VERIFY_WITH_TIMEOUT(readPage(secondTab).loaded, DeliveryTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(m_service->snapshot(0, 0).connections, 2, DeliveryTimeoutMs);

    for (int i = 0; i < 3; ++i)
        QCOMPARE(publish(orderId, statuses[i]), quint64(i + 1));
    QTRY_COMPARE_WITH_TIMEOUT(readPage(firstTab).updateIds, idRange(1, 3), DeliveryTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(readPage(secondTab).updateIds, idRange(1, 3), DeliveryTimeoutMs);

    // A late duplicate of 1 to 3 would arrive before event 4.
    QCOMPARE(publish(orderId, statuses[3]), quint64(4));
    QTRY_COMPARE_WITH_TIMEOUT(readPage(firstTab).updateIds, idRange(1, 4), DeliveryTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(readPage(secondTab).updateIds, idRange(1, 4), DeliveryTimeoutMs);

    for (const QString &tab : {firstTab, secondTab}) {
        const PageState page = readPage(tab);
        QCOMPARE(page.updateStatuses, statuses);
        QCOMPARE(page.resyncIds, QList<quint64>());
        QCOMPARE(page.opens, 1);
        QCOMPARE(page.errors, 0);
    }
    QCOMPARE(m_service->snapshot(0, 0).connections, 2);
}

void tst_Browser::floodOfBadRequestsLeavesStreamAlone()
{
    const QString orderId = QStringLiteral("F1");
    JwtTokenRequest customer;
    customer.subject = QStringLiteral("customer-f1");
    customer.orders = {orderId};
    QString error;
    QVERIFY2(startService(0, &error, [](ServerConfig &config) {
                 config.maxHeaderBytes = 2048;
                 config.requestTimeoutMs = 500;
             }),
             qPrintable(error));

    const QString tab = openOrderTab(orderId, customer, &error);
    QVERIFY2(!tab.isEmpty(), qPrintable(error));
    QTRY_VERIFY_WITH_TIMEOUT(readPage(tab).loaded, DeliveryTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(m_service->snapshot(0, 0).connections, 1, DeliveryTimeoutMs);
    QCOMPARE(publish(orderId, QStringLiteral("before")), quint64(1));
    QTRY_COMPARE_WITH_TIMEOUT(readPage(tab).updateIds, idRange(1, 1), DeliveryTimeoutMs);

    // 250 connections, 50 of each kind, none with a token: headers over the
    // limit, a NUL byte in the request line, a body over 64 KiB, no HTTP at
    // all, and a request that never completes. The server responds to or drops
    // every one of them.
    const QList<QByteArray> kinds = {
        "GET /orders/F1/events HTTP/1.1\r\nHost: x\r\nX-Big: " + QByteArray(4096, 'a') + "\r\n\r\n",
        QByteArray("GE\0T /orders/F1/events HTTP/1.1\r\nHost: x\r\n\r\n", 40),
        "POST /orders/F1/events HTTP/1.1\r\nHost: x\r\nContent-Length: 999999999\r\n\r\n",
        "\x16\x03\x01 this is not HTTP\r\n\r\n",
        "GET /orders/F1/events HTTP/1.1\r\nHost: x\r\n",
    };
    std::vector<std::unique_ptr<QTcpSocket>> flood;
    int closed = 0;
    for (int i = 0; i < 250; ++i) {
        auto socket = std::make_unique<QTcpSocket>();
        const QByteArray payload = kinds[i % kinds.size()];
        QTcpSocket *raw = socket.get();
        connect(raw, &QTcpSocket::connected, raw, [raw, payload] { raw->write(payload); });
        connect(raw, &QTcpSocket::readyRead, raw, [raw] { raw->readAll(); });
        connect(raw, &QTcpSocket::disconnected, this, [&closed] { ++closed; });
        raw->connectToHost(QHostAddress::LocalHost, m_service->port());
        flood.push_back(std::move(socket));
    }
    QTRY_COMPARE_WITH_TIMEOUT(closed, 250, 20000);

    // The stream was never touched: one open, no error, every event in order.
    for (quint64 id = 2; id <= 4; ++id)
        QCOMPARE(publish(orderId, QStringLiteral("after %1").arg(id)), id);
    QTRY_COMPARE_WITH_TIMEOUT(readPage(tab).updateIds, idRange(1, 4), DeliveryTimeoutMs);
    const PageState page = readPage(tab);
    QCOMPARE(page.opens, 1);
    QCOMPARE(page.errors, 0);
    QCOMPARE(m_service->snapshot(0, 0).connections, 1);
    QCOMPARE(m_service->store()->readAfter(orderId, 0, 10).events.size(), 4);
    const QByteArray metrics = m_service->metricsText();
    for (const QByteArray &line : {
                 QByteArray(R"(orderstream_http_rejected_total{reason="headers_too_large"} 50)"),
                 QByteArray(R"(orderstream_http_rejected_total{reason="invalid_request"} 100)"),
                 QByteArray(R"(orderstream_http_rejected_total{reason="body_too_large"} 50)"),
                 QByteArray(R"(orderstream_http_rejected_total{reason="request_timeout"} 50)")}) {
        QVERIFY2(metrics.contains(line), line.constData());
    }
}

QTEST_GUILESS_MAIN(tst_Browser)
#include "tst_browser.moc"
