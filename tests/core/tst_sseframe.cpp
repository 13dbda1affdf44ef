#include "orderevent.h"
#include "sseframe.h"

#include <QJsonDocument>
#include <QTest>

class tst_SseFrame : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void exactBytes();
    void textIsEscapedOnOneDataLine_data();
    void textIsEscapedOnOneDataLine();
    void emptyDetailsStayAnObject();
    void commentSplitsLines();
    void retryField();
    void orderIdValidation_data();
    void orderIdValidation();
};

namespace {

OrderEvent sampleEvent()
{
    OrderEvent event;
    event.id = 42;
    event.orderId = QStringLiteral("8015g000001AbCdAAK");
    event.type = QLatin1String(OrderEventType::Update);
    event.status = QStringLiteral("Activating");
    event.stage = QStringLiteral("activating");
    event.message = QStringLiteral("Provisioning started");
    event.time = QDateTime(QDate(2026, 12, 4), QTime(20, 0, 1, 250), Qt::UTC);
    event.source = QLatin1String(OrderEventSource::Api);
    return event;
}

QByteArray dataLine(const QByteArray &frame)
{
    const QList<QByteArray> lines = frame.split('\n');
    for (const QByteArray &line : lines) {
        if (line.startsWith("data: "))
            return line.mid(6);
    }
    return {};
}

} // namespace

void tst_SseFrame::exactBytes()
{
    const QByteArray expected =
            "id: 42\n"
            "event: order.update\n"
            "data: {\"details\":{},\"id\":42,\"message\":\"Provisioning started\","
            "\"orderId\":\"8015g000001AbCdAAK\",\"source\":\"api\",\"stage\":\"activating\","
            "\"status\":\"Activating\",\"time\":\"2026-12-04T20:00:01.250Z\","
            "\"type\":\"order.update\"}\n"
            "\n";
    QCOMPARE(SseFrame::encodeEvent(sampleEvent()), expected);
}

void tst_SseFrame::textIsEscapedOnOneDataLine_data()
{
    QTest::addColumn<QString>("message");

    QTest::newRow("multi-line message") << QStringLiteral("first line\nsecond line\nthird");
    QTest::newRow("CR and LF") << QStringLiteral("a\r\nb\rc");
    QTest::newRow("blank line inside") << QStringLiteral("before\n\nafter");
    QTest::newRow("non-ASCII") << QStringLiteral("Bestellung für Zoë: 完了 ✓");
    QTest::newRow("SSE field look-alike") << QStringLiteral("\nid: 999\nevent: fake\n\n");
    QTest::newRow("empty") << QString();
}

void tst_SseFrame::textIsEscapedOnOneDataLine()
{
    QFETCH(QString, message);

    OrderEvent event = sampleEvent();
    event.message = message;
    event.details.insert(QStringLiteral("note"), message);
    const QByteArray frame = SseFrame::encodeEvent(event);

    // Exactly one blank line, at the end, and exactly one data line.
    QVERIFY(frame.endsWith("\n\n"));
    QCOMPARE(frame.count("\n\n"), 1);
    QCOMPARE(frame.count("\ndata: "), 1);
    QVERIFY(!frame.contains('\r'));

    const QJsonDocument document = QJsonDocument::fromJson(dataLine(frame));
    QVERIFY(document.isObject());
    QCOMPARE(document.object().value(QStringLiteral("message")).toString(), message);
    QCOMPARE(document.object().value(QStringLiteral("details")).toObject().value(QStringLiteral("note")).toString(),
             message);
}

void tst_SseFrame::emptyDetailsStayAnObject()
{
    const QByteArray frame = SseFrame::encodeEvent(sampleEvent());
    const QJsonDocument document = QJsonDocument::fromJson(dataLine(frame));
    QVERIFY(document.object().value(QStringLiteral("details")).isObject());
    QVERIFY(document.object().value(QStringLiteral("details")).toObject().isEmpty());
}

void tst_SseFrame::commentSplitsLines()
{
    QCOMPARE(SseFrame::encodeComment(u"heartbeat"), QByteArray(": heartbeat\n\n"));
    QCOMPARE(SseFrame::encodeComment(u"one\r\ntwo\nthree"),
             QByteArray(": one\n: two\n: three\n\n"));
    QCOMPARE(SseFrame::encodeComment(u"bare\rcarriage"), QByteArray(": bare carriage\n\n"));
    QCOMPARE(SseFrame::heartbeat(), QByteArray(": heartbeat\n\n"));
}

void tst_SseFrame::retryField()
{
    QCOMPARE(SseFrame::encodeRetry(3000), QByteArray("retry: 3000\n\n"));
    QCOMPARE(SseFrame::encodeRetry(0), QByteArray("retry: 0\n\n"));
}

void tst_SseFrame::orderIdValidation_data()
{
    QTest::addColumn<QString>("id");
    QTest::addColumn<bool>("valid");

    QTest::newRow("Salesforce 18") << QStringLiteral("8015g000001AbCdAAK") << true;
    QTest::newRow("Salesforce 15") << QStringLiteral("8015g000001AbCd") << true;
    QTest::newRow("dash and underscore") << QStringLiteral("order-1_a") << true;
    QTest::newRow("one character") << QStringLiteral("A") << true;
    QTest::newRow("64 characters") << QString(64, QLatin1Char('x')) << true;
    QTest::newRow("65 characters") << QString(65, QLatin1Char('x')) << false;
    QTest::newRow("empty") << QString() << false;
    QTest::newRow("slash") << QStringLiteral("a/b") << false;
    QTest::newRow("space") << QStringLiteral("a b") << false;
    QTest::newRow("dot") << QStringLiteral("a.b") << false;
    QTest::newRow("non-ASCII letter") << QStringLiteral("caf\u00e9") << false;
    QTest::newRow("question mark") << QStringLiteral("a?b") << false;
}

void tst_SseFrame::orderIdValidation()
{
    QFETCH(QString, id);
    QFETCH(bool, valid);
    QCOMPARE(isValidOrderId(id), valid);
}

QTEST_GUILESS_MAIN(tst_SseFrame)
#include "tst_sseframe.moc"
