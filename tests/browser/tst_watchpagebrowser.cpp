#include "browsertesthelpers.h"
#include "headlesschromium.h"
#include "jwtsigner.h"
#include "orderstreamservice.h"
#include "ssetestclient.h"

#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>
#include <QUrl>
#include <QUrlQuery>

#include <memory>

namespace {

// Bound on each wait for the page to load, connect or show an update. A
// reconnect takes the 300 ms retry interval plus Chromium's own scheduling.
constexpr int PageTimeoutMs = 30000;

// JavaScript that returns what the page shows as one JSON string.
const char PageStateExpression[] =
        "JSON.stringify(document.getElementById('connection') ? {"
        "connection: document.getElementById('connection').dataset.state,"
        "orderId: document.getElementById('order-id').textContent,"
        "status: document.getElementById('status').textContent,"
        "stage: document.getElementById('stage').textContent,"
        "message: document.getElementById('message').textContent,"
        "time: document.getElementById('time').dateTime,"
        "eventId: document.getElementById('order').dataset.eventId || '',"
        "failure: document.getElementById('order').dataset.failure,"
        "radius: getComputedStyle(document.getElementById('order')).borderTopLeftRadius,"
        "problem: document.getElementById('problem').hidden ? '' "
        ": document.getElementById('problem').textContent} : {})";


} // namespace

// The /watch/{orderId} page in a real headless Chromium: it connects with
// the token from its own URL, shows each published status, shows that it
// reconnects when the server restarts, and reports a missing token. The test
// reads the page's DOM through the DevTools protocol.
class tst_WatchPageBrowser : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();

    void pageShowsPublishedStatus();
    void pageWithoutTokenReportsError();

private:
    bool startService(quint16 port, QString *errorMessage);
    QByteArray signToken(const JwtTokenRequest &request);
    quint64 publish(const QString &orderId, const QByteArray &body);
    QString openWatchPage(const QString &orderId, const QByteArray &token, QString *errorMessage);
    QJsonObject readPage(const QString &sessionId);
    QString pageValue(const QString &sessionId, const char *name);

    std::unique_ptr<QTemporaryDir> m_journalDir;
    std::unique_ptr<HeadlessChromium> m_browser;
    std::unique_ptr<OrderStreamService> m_service;
    JwtConfig m_jwt;
    QByteArray m_publisherToken;
    QStringList m_tabs;
};

void tst_WatchPageBrowser::initTestCase()
{
    if (!QFileInfo(QLatin1String(HeadlessChromium::ExecutablePath)).isExecutable()) {
        QSKIP("Chromium is not installed at /usr/bin/chromium; "
              "scripts/install-deps.sh --tests installs it");
    }
}

void tst_WatchPageBrowser::init()
{
    m_journalDir = std::make_unique<QTemporaryDir>();
    QVERIFY2(m_journalDir->isValid(), qPrintable(m_journalDir->errorString()));

    m_jwt = JwtConfig();
    m_jwt.hs256Secret = makeHs256Secret();
    JwtTokenRequest publisher;
    publisher.subject = QStringLiteral("watch-page-publisher");
    publisher.scopes = {m_jwt.publishScope};
    m_publisherToken = signToken(publisher);
    QVERIFY(!m_publisherToken.isEmpty());

    QString error;
    QVERIFY2(startService(0, &error), qPrintable(error));
    m_browser = std::make_unique<HeadlessChromium>();
    QVERIFY2(m_browser->start(&error),
             qPrintable(error + QLatin1Char('\n') + QString::fromLocal8Bit(m_browser->output().right(4000))));
}

void tst_WatchPageBrowser::cleanup()
{
    if (QTest::currentTestFailed() && m_browser) {
        for (const QString &tab : std::as_const(m_tabs))
            qInfo("page of tab %ls: %s", qUtf16Printable(tab),
                  QJsonDocument(readPage(tab)).toJson(QJsonDocument::Compact).constData());
        qInfo("Chromium's output, last 4000 bytes:\n%s", m_browser->output().right(4000).constData());
    }

    m_browser.reset();
    m_service.reset();
    m_journalDir.reset();
    m_tabs.clear();
}

bool tst_WatchPageBrowser::startService(quint16 port, QString *errorMessage)
{
    ServerConfig config;
    config.bindAddress = QHostAddress(QHostAddress::LocalHost);
    config.port = port;
    config.retryMs = 300;
    config.heartbeatIntervalMs = 0;
    config.streamWorkers = 1;
    config.journalPath = m_journalDir->filePath(QStringLiteral("journal.db"));
    config.authEnabled = true;
    config.jwt = m_jwt;
    m_service.reset();
    m_service = std::make_unique<OrderStreamService>(config);
    return m_service->start(errorMessage);
}

QByteArray tst_WatchPageBrowser::signToken(const JwtTokenRequest &request)
{
    return signTestToken(m_jwt, request);
}

quint64 tst_WatchPageBrowser::publish(const QString &orderId, const QByteArray &body)
{
    const HttpTestResponse response = sendHttpRequest(
            m_service->port(), "POST", "/orders/" + orderId.toUtf8() + "/events", body,
            {"Content-Type: application/json", "Authorization: Bearer " + m_publisherToken});
    if (response.status != 202) {
        qWarning() << "publish to order" << orderId << "failed:" << response.status << response.body;
        return 0;
    }
    return quint64(QJsonDocument::fromJson(response.body).object().value(QLatin1String("id")).toInteger());
}

// Opens the server's own watch page for orderId, with token in its
// access_token parameter unless token is empty.
QString tst_WatchPageBrowser::openWatchPage(const QString &orderId, const QByteArray &token,
                                     QString *errorMessage)
{
    QUrl url(QStringLiteral("http://127.0.0.1/watch/%1").arg(orderId));
    url.setPort(m_service->port());
    if (!token.isEmpty()) {
        QUrlQuery query;
        query.addQueryItem(QStringLiteral("access_token"), QString::fromLatin1(token));
        url.setQuery(query);
    }
    const QString tab = m_browser->openTab(url, errorMessage);
    if (!tab.isEmpty())
        m_tabs.append(tab);
    return tab;
}

QJsonObject tst_WatchPageBrowser::readPage(const QString &sessionId)
{
    QString error;
    const std::optional<QJsonValue> value =
            m_browser->evaluate(sessionId, QLatin1String(PageStateExpression), &error);
    if (!value)
        return {};
    return QJsonDocument::fromJson(value->toString().toUtf8()).object();
}

QString tst_WatchPageBrowser::pageValue(const QString &sessionId, const char *name)
{
    return readPage(sessionId).value(QLatin1String(name)).toString();
}

void tst_WatchPageBrowser::pageShowsPublishedStatus()
{
    const QString orderId = QStringLiteral("ORD-1");
    JwtTokenRequest customer;
    customer.subject = QStringLiteral("customer-ord-1");
    customer.orders = {orderId};
    const QByteArray token = signToken(customer);
    const quint16 port = m_service->port();

    QString error;
    const QString tab = openWatchPage(orderId, token, &error);
    QVERIFY2(!tab.isEmpty(), qPrintable(error));
    QTRY_COMPARE_WITH_TIMEOUT(pageValue(tab, "connection"), QStringLiteral("live"), PageTimeoutMs);
    QCOMPARE(pageValue(tab, "orderId"), orderId);
    QCOMPARE(pageValue(tab, "status"), QStringLiteral("No update yet"));
    QCOMPARE(pageValue(tab, "problem"), QString());
    // The Content-Security-Policy lets the inline style apply, as the script.
    QCOMPARE(pageValue(tab, "radius"), QStringLiteral("8px"));
    QTRY_COMPARE_WITH_TIMEOUT(m_service->snapshot(0, 0).connections, 1, PageTimeoutMs);

    QCOMPARE(publish(orderId, R"({"status":"Activating","stage":"Activating","message":"Provisioning started"})"),
             quint64(1));
    QTRY_COMPARE_WITH_TIMEOUT(pageValue(tab, "status"), QStringLiteral("Activating"), PageTimeoutMs);
    QJsonObject page = readPage(tab);
    QCOMPARE(page.value(QLatin1String("stage")).toString(), QStringLiteral("Activating"));
    QCOMPARE(page.value(QLatin1String("message")).toString(), QStringLiteral("Provisioning started"));
    QCOMPARE(page.value(QLatin1String("eventId")).toString(), QStringLiteral("1"));
    QCOMPARE(page.value(QLatin1String("failure")).toString(), QStringLiteral("false"));
    QVERIFY(!page.value(QLatin1String("time")).toString().isEmpty());

    QCOMPARE(publish(orderId, R"({"status":"Provisioning","stage":"Provisioning"})"), quint64(2));
    QTRY_COMPARE_WITH_TIMEOUT(pageValue(tab, "eventId"), QStringLiteral("2"), PageTimeoutMs);
    QCOMPARE(pageValue(tab, "status"), QStringLiteral("Provisioning"));

    // A restart on the same port and journal: the page shows that it
    // reconnects, then goes live again and shows what was published meanwhile.
    m_service->stop();
    QTRY_COMPARE_WITH_TIMEOUT(pageValue(tab, "connection"), QStringLiteral("reconnecting"),
                              PageTimeoutMs);
    QVERIFY2(startService(port, &error), qPrintable(error));
    QCOMPARE(publish(orderId, R"({"status":"provisioned","stage":"Active"})"), quint64(3));
    QTRY_COMPARE_WITH_TIMEOUT(pageValue(tab, "connection"), QStringLiteral("live"), PageTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(pageValue(tab, "eventId"), QStringLiteral("3"), PageTimeoutMs);
    page = readPage(tab);
    QCOMPARE(page.value(QLatin1String("status")).toString(), QStringLiteral("provisioned"));
    QCOMPARE(page.value(QLatin1String("stage")).toString(), QStringLiteral("Active"));
    QCOMPARE(page.value(QLatin1String("problem")).toString(), QString());

    // A final failure: shown as a failure, and the page stops listening.
    QCOMPARE(publish(orderId, R"({"status":"Failed","stage":"Failed","message":"payment declined"})"),
             quint64(4));
    QTRY_COMPARE_WITH_TIMEOUT(pageValue(tab, "connection"), QStringLiteral("finished"), PageTimeoutMs);
    page = readPage(tab);
    QCOMPARE(page.value(QLatin1String("eventId")).toString(), QStringLiteral("4"));
    QCOMPARE(page.value(QLatin1String("failure")).toString(), QStringLiteral("true"));
    QCOMPARE(page.value(QLatin1String("message")).toString(), QStringLiteral("payment declined"));
    QTRY_COMPARE_WITH_TIMEOUT(m_service->snapshot(0, 0).connections, 0, PageTimeoutMs);
}

void tst_WatchPageBrowser::pageWithoutTokenReportsError()
{
    // The page loads without a token; its stream and fetch are rejected, so
    // EventSource stops and the page shows the server's message.
    QString error;
    const QString tab = openWatchPage(QStringLiteral("ORD-2"), {}, &error);
    QVERIFY2(!tab.isEmpty(), qPrintable(error));
    QTRY_COMPARE_WITH_TIMEOUT(pageValue(tab, "connection"), QStringLiteral("finished"), PageTimeoutMs);
    QTRY_VERIFY_WITH_TIMEOUT(pageValue(tab, "problem").contains(QLatin1String("bearer token is required")),
                             PageTimeoutMs);
    QCOMPARE(m_service->snapshot(0, 0).connections, 0);
}

QTEST_GUILESS_MAIN(tst_WatchPageBrowser)
#include "tst_watchpagebrowser.moc"
