#include "orderstreamservice.h"
#include "prometheusformat.h"
#include "ssetestclient.h"

#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

// GET /metrics after a known sequence of requests: exact values, and every
// line in the Prometheus text exposition format.
class tst_Metrics : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void countersAfterKnownSequence();
    void everyLineFollowsTextFormat();
    void labelValuesAreEscaped();

private:
    static QHash<QByteArray, double> parseSamples(const QByteArray &text);
};

QHash<QByteArray, double> tst_Metrics::parseSamples(const QByteArray &text)
{
    QHash<QByteArray, double> samples;
    const QList<QByteArray> lines = text.split('\n');
    for (const QByteArray &line : lines) {
        if (line.isEmpty() || line.startsWith('#'))
            continue;
        const qsizetype space = line.lastIndexOf(' ');
        samples.insert(line.left(space), line.mid(space + 1).toDouble());
    }
    return samples;
}

void tst_Metrics::countersAfterKnownSequence()
{
    QTemporaryDir dir;
    ServerConfig config;
    config.port = 0;
    config.heartbeatIntervalMs = 0;
    config.journalPath = dir.filePath(QStringLiteral("journal.db"));
    OrderStreamService service(config);
    QString error;
    QVERIFY2(service.start(&error), qPrintable(error));
    const quint16 port = service.port();

    SseTestClient first;
    SseTestClient second;
    first.open(port, "/orders/A1/events");
    second.open(port, "/orders/A1/events");
    QTRY_COMPARE(service.snapshot(0, 0).connections, 2);
    for (int i = 0; i < 3; ++i)
        QCOMPARE(sendHttpRequest(port, "POST", "/orders/A1/events", R"({"status":"s"})").status, 202);
    QCOMPARE(sendHttpRequest(port, "POST", "/orders/A1/events", "bad").status, 400);
    QCOMPARE(sendHttpRequest(port, "GET", "/nowhere").status, 404);
    QCOMPARE(sendHttpRequest(port, "GET", "/healthz").status, 200);
    QTRY_COMPARE(first.events().size(), 3);
    QTRY_COMPARE(second.events().size(), 3);

    const HttpTestResponse response = sendHttpRequest(port, "GET", "/metrics");
    QCOMPARE(response.status, 200);
    QVERIFY(response.header("Content-Type").startsWith("text/plain; version=0.0.4"));
    const QHash<QByteArray, double> samples = parseSamples(response.body);

    QCOMPARE(samples.value("orderstream_streams_open"), 2.0);
    QCOMPARE(samples.value("orderstream_streams_opened_total"), 2.0);
    QCOMPARE(samples.value("orderstream_orders_watched"), 1.0);
    QCOMPARE(samples.value("orderstream_events_published_total{source=\"api\"}"), 3.0);
    QCOMPARE(samples.value("orderstream_events_delivered_total"), 6.0);
    QCOMPARE(samples.value("orderstream_last_event_id"), 3.0);
    QCOMPARE(samples.value("orderstream_reconnects_total"), 0.0);
    QCOMPARE(samples.value("orderstream_http_requests_total{route=\"/orders/{orderId}/events\",status=\"200\"}"), 2.0);
    QCOMPARE(samples.value("orderstream_http_requests_total{route=\"/orders/{orderId}/events\",status=\"202\"}"), 3.0);
    QCOMPARE(samples.value("orderstream_http_requests_total{route=\"/orders/{orderId}/events\",status=\"400\"}"), 1.0);
    QCOMPARE(samples.value("orderstream_http_requests_total{route=\"other\",status=\"404\"}"), 1.0);
    QCOMPARE(samples.value("orderstream_http_requests_total{route=\"/healthz\",status=\"200\"}"), 1.0);
    QVERIFY(samples.value("orderstream_journal_size_bytes") > 0);
}

void tst_Metrics::everyLineFollowsTextFormat()
{
    QTemporaryDir dir;
    ServerConfig config;
    config.port = 0;
    config.journalPath = dir.filePath(QStringLiteral("journal.db"));
    OrderStreamService service(config);
    QString error;
    QVERIFY2(service.start(&error), qPrintable(error));
    QCOMPARE(sendHttpRequest(service.port(), "POST", "/orders/A1/events", R"({"status":"s"})").status, 202);
    const QByteArray text = service.metricsText();

    // A strict grammar of the text format, version 0.0.4: HELP and TYPE
    // lines, then samples "name{label="value",...} number".
    static const QRegularExpression help(QStringLiteral("^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) .+$"));
    static const QRegularExpression type(
            QStringLiteral("^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$"));
    static const QRegularExpression sample(QStringLiteral(
            "^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[a-zA-Z_][a-zA-Z0-9_]*=\"(\\\\.|[^\"\\\\])*\""
            "(,[a-zA-Z_][a-zA-Z0-9_]*=\"(\\\\.|[^\"\\\\])*\")*\\})? -?[0-9]+(\\.[0-9]+)?(e[+-]?[0-9]+)?$"));

    QVERIFY(text.endsWith('\n'));
    QString family;
    QString familyType;
    QSet<QString> seenFamilies;
    const QList<QByteArray> lines = text.chopped(1).split('\n');
    for (const QByteArray &raw : lines) {
        const QString line = QString::fromUtf8(raw);
        if (const auto match = help.match(line); match.hasMatch()) {
            family = match.captured(1);
            QVERIFY2(!seenFamilies.contains(family), qPrintable(line));
            seenFamilies.insert(family);
            continue;
        }
        if (const auto match = type.match(line); match.hasMatch()) {
            QCOMPARE(match.captured(1), family);
            familyType = match.captured(2);
            continue;
        }
        const auto match = sample.match(line);
        QVERIFY2(match.hasMatch(), qPrintable(line));
        QCOMPARE(match.captured(1), family);
        if (familyType == QLatin1String("counter"))
            QVERIFY2(family.endsWith(QLatin1String("_total")), qPrintable(family));
    }
    QVERIFY(seenFamilies.size() >= 12);
}

void tst_Metrics::labelValuesAreEscaped()
{
    QCOMPARE(PrometheusFormat::escapeLabelValue(QStringLiteral("a\"b\\c\nd")),
             QByteArray("a\\\"b\\\\c\\nd"));
}

QTEST_GUILESS_MAIN(tst_Metrics)
#include "tst_metrics.moc"
