#include "orderstreamservice.h"
#include "ssetestclient.h"
#include "testservice.h"
#include "watchpage.h"

#include <QCryptographicHash>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

// The /watch/{orderId} route over HTTP: the page is served without a token,
// with a Content-Security-Policy that admits only its own script and style,
// and HEAD and bad requests get the usual responses.
// tests/browser/tst_watchpagebrowser.cpp runs the page in Chromium.
class tst_WatchPage : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void pageIsSelfContained();
    void policyListsInlineScriptHash();
    void getServesPageWithoutToken();
    void headSendsHeadOnly();
    void otherMethodsAreRejected();
    void invalidOrderIdIsRejected_data();
    void invalidOrderIdIsRejected();

private:
    QTemporaryDir m_dir;
    std::unique_ptr<OrderStreamService> m_service;
};

void tst_WatchPage::init()
{
    QVERIFY(m_dir.isValid());
    ServerConfig config = testServerConfig(m_dir, 1);
    config.authEnabled = true;
    for (int i = 0; i < 12; ++i) {
        const quint32 word = QRandomGenerator::system()->generate();
        config.jwt.hs256Secret.append(reinterpret_cast<const char *>(&word), sizeof word);
    }
    QString error;
    QVERIFY2(startTestService(m_service, config, &error), qPrintable(error));
}

void tst_WatchPage::cleanup()
{
    m_service.reset();
}

void tst_WatchPage::pageIsSelfContained()
{
    const QByteArray html = WatchPage::html();
    QVERIFY(html.startsWith("<!DOCTYPE html>"));
    // No script, style sheet, font or image from anywhere else.
    QVERIFY(!html.contains("://"));
    QVERIFY(!html.contains("src="));
    QVERIFY(!html.contains("<link"));
    QCOMPARE(html.count("<script>"), 1);
    QCOMPARE(html.count("<style>"), 1);
    // Inline event handlers and style attributes would be blocked by the policy.
    QVERIFY(!html.contains(" onclick="));
    QVERIFY(!html.contains(" style="));
}

void tst_WatchPage::policyListsInlineScriptHash()
{
    const QByteArray html = WatchPage::html();
    const qsizetype start = html.indexOf("<script>") + 8;
    const QByteArray script = html.mid(start, html.indexOf("</script>") - start);
    const QByteArray hash = QCryptographicHash::hash(script, QCryptographicHash::Sha256).toBase64();

    const QByteArray policy = WatchPage::contentSecurityPolicy();
    QVERIFY2(policy.startsWith("default-src 'self'; "), policy.constData());
    QVERIFY2(policy.contains(QByteArray("script-src 'sha256-" + hash + "'")), policy.constData());
    QVERIFY2(policy.contains("style-src 'sha256-"), policy.constData());
    QVERIFY(!policy.contains("unsafe"));
    QVERIFY(!policy.contains('*'));
}

void tst_WatchPage::getServesPageWithoutToken()
{
    // The server requires tokens for the API, but not for the page.
    QCOMPARE(sendHttpRequest(m_service->port(), "GET", "/orders/ORD-1").status, 401);

    const HttpTestResponse response = sendHttpRequest(m_service->port(), "GET", "/watch/ORD-1");
    QCOMPARE(response.status, 200);
    QCOMPARE(response.header("content-type"), QByteArray("text/html; charset=utf-8"));
    QCOMPARE(response.header("content-security-policy"), WatchPage::contentSecurityPolicy());
    QCOMPARE(response.header("referrer-policy"), QByteArray("no-referrer"));
    QCOMPARE(response.header("x-content-type-options"), QByteArray("nosniff"));
    QCOMPARE(response.body, WatchPage::html());

    // The same page for every order, with a token in the query or not.
    const HttpTestResponse withToken =
            sendHttpRequest(m_service->port(), "GET", "/watch/8015g000001AbCdAAK?access_token=x.y.z");
    QCOMPARE(withToken.status, 200);
    QCOMPARE(withToken.body, WatchPage::html());
}

void tst_WatchPage::headSendsHeadOnly()
{
    const HttpTestResponse response = sendHttpRequest(m_service->port(), "HEAD", "/watch/ORD-1");
    QCOMPARE(response.status, 200);
    QCOMPARE(response.header("content-length"), QByteArray::number(WatchPage::html().size()));
    QCOMPARE(response.header("content-security-policy"), WatchPage::contentSecurityPolicy());
    QCOMPARE(response.body, QByteArray());
}

void tst_WatchPage::otherMethodsAreRejected()
{
    const HttpTestResponse post = sendHttpRequest(m_service->port(), "POST", "/watch/ORD-1", "{}");
    QCOMPARE(post.status, 405);
    QCOMPARE(post.header("allow"), QByteArray("GET, HEAD, OPTIONS"));

    const HttpTestResponse options = sendHttpRequest(m_service->port(), "OPTIONS", "/watch/ORD-1");
    QCOMPARE(options.status, 204);
    QCOMPARE(options.header("allow"), QByteArray("GET, HEAD, OPTIONS"));
}

void tst_WatchPage::invalidOrderIdIsRejected_data()
{
    QTest::addColumn<QByteArray>("path");
    QTest::addColumn<int>("status");

    QTest::newRow("dot in id") << QByteArray("/watch/A.B") << 400;
    QTest::newRow("empty id") << QByteArray("/watch/") << 400;
    QTest::newRow("encoded slash") << QByteArray("/watch/A%2FB") << 400;
    QTest::newRow("extra segment") << QByteArray("/watch/A1/events") << 404;
}

void tst_WatchPage::invalidOrderIdIsRejected()
{
    QFETCH(QByteArray, path);
    QFETCH(int, status);

    const HttpTestResponse response = sendHttpRequest(m_service->port(), "GET", path);
    QCOMPARE(response.status, status);
    QVERIFY(!response.body.contains("<html"));
}

QTEST_GUILESS_MAIN(tst_WatchPage)
#include "tst_watchpage.moc"
