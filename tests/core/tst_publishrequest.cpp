#include "publishrequest.h"

#include <QTest>

class tst_PublishRequest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void validBody();
    void overrideFlag_data();
    void overrideFlag();
    void eventJsonOptionalMembers();
    void invalidBody_data();
    void invalidBody();
};

void tst_PublishRequest::validBody()
{
    const QByteArray body = R"({"status":"Activating","stage":"activating","message":"go",
                               "details":{"step":1,"nested":{"ok":true}}})";
    const auto parsed = parsePublishBody(QStringLiteral("A1"), body);
    QVERIFY(std::holds_alternative<OrderEvent>(parsed));
    const OrderEvent &event = std::get<OrderEvent>(parsed);
    QCOMPARE(event.orderId, QStringLiteral("A1"));
    QCOMPARE(event.status, QStringLiteral("Activating"));
    QCOMPARE(event.stage, QStringLiteral("activating"));
    QCOMPARE(event.message, QStringLiteral("go"));
    QCOMPARE(event.details.value(QStringLiteral("step")).toInt(), 1);
    QCOMPARE(event.id, quint64(0));
    QVERIFY(!event.lifecycleOverride);
    QVERIFY(event.source.isEmpty());

    const auto simulated = parsePublishBody(QStringLiteral("A1"),
                                            R"({"status":"Activating","source":"simulator"})");
    QVERIFY(std::holds_alternative<OrderEvent>(simulated));
    QCOMPARE(std::get<OrderEvent>(simulated).source, QStringLiteral("simulator"));
}

void tst_PublishRequest::overrideFlag_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<bool>("lifecycleOverride");

    QTest::newRow("true") << QByteArray(R"({"status":"Active","override":true})") << true;
    QTest::newRow("false") << QByteArray(R"({"status":"Active","override":false})") << false;
    QTest::newRow("null") << QByteArray(R"({"status":"Active","override":null})") << false;
}

void tst_PublishRequest::overrideFlag()
{
    QFETCH(QByteArray, body);
    QFETCH(bool, lifecycleOverride);

    const auto parsed = parsePublishBody(QStringLiteral("A1"), body);
    QVERIFY(std::holds_alternative<OrderEvent>(parsed));
    QCOMPARE(std::get<OrderEvent>(parsed).lifecycleOverride, lifecycleOverride);
}

void tst_PublishRequest::eventJsonOptionalMembers()
{
    OrderEvent event;
    event.orderId = QStringLiteral("A1");
    event.status = QStringLiteral("Active");
    QVERIFY(!event.toJson().contains(QLatin1String("publisher")));
    QVERIFY(!event.toJson().contains(QLatin1String("override")));

    event.publisher = QStringLiteral("fulfilment");
    event.lifecycleOverride = true;
    event.ingestKey = QStringLiteral("/event/Order_Status__e:7");
    const QJsonObject json = event.toJson();
    QCOMPARE(json.value(QLatin1String("publisher")).toString(), QStringLiteral("fulfilment"));
    QCOMPARE(json.value(QLatin1String("override")), QJsonValue(true));
    // The ingest key identifies the upstream delivery and stays on the server.
    QVERIFY(!json.contains(QLatin1String("ingestKey")));
}

void tst_PublishRequest::invalidBody_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("code");
    QTest::addColumn<QString>("messagePart");

    QTest::newRow("empty") << QByteArray() << 400 << "invalid_json" << "empty";
    QTest::newRow("not JSON") << QByteArray("status=done") << 400 << "invalid_json" << "offset";
    QTest::newRow("truncated") << QByteArray(R"({"status":)") << 400 << "invalid_json" << "offset";
    QTest::newRow("array") << QByteArray(R"(["status"])") << 400 << "invalid_json" << "JSON object";
    QTest::newRow("missing status") << QByteArray(R"({"stage":"x"})") << 400 << "missing_field"
                                    << "\"status\"";
    QTest::newRow("null status") << QByteArray(R"({"status":null})") << 400 << "missing_field"
                                 << "\"status\"";
    QTest::newRow("numeric status") << QByteArray(R"({"status":3})") << 400 << "invalid_field"
                                    << "\"status\"";
    QTest::newRow("blank status") << QByteArray(R"({"status":"  "})") << 400 << "invalid_field"
                                  << "\"status\"";
    QTest::newRow("numeric stage") << QByteArray(R"({"status":"a","stage":1})") << 400
                                   << "invalid_field" << "\"stage\"";
    QTest::newRow("array message") << QByteArray(R"({"status":"a","message":[]})") << 400
                                   << "invalid_field" << "\"message\"";
    QTest::newRow("string override") << QByteArray(R"({"status":"a","override":"yes"})") << 400
                                     << "invalid_field" << "\"override\"";
    QTest::newRow("server's source") << QByteArray(R"({"status":"a","source":"console"})") << 400
                                     << "invalid_field" << "\"source\"";
    QTest::newRow("numeric source") << QByteArray(R"({"status":"a","source":1})") << 400
                                    << "invalid_field" << "\"source\"";
    QTest::newRow("string details") << QByteArray(R"({"status":"a","details":"x"})") << 400
                                    << "invalid_field" << "\"details\"";
    QTest::newRow("oversize") << QByteArray(R"({"status":"a","message":")")
                    + QByteArray(MaxPublishBodyBytes, 'x') + QByteArray(R"("})")
                              << 413 << "body_too_large" << "limit";
}

void tst_PublishRequest::invalidBody()
{
    QFETCH(QByteArray, body);
    QFETCH(int, status);
    QFETCH(QString, code);
    QFETCH(QString, messagePart);

    const auto parsed = parsePublishBody(QStringLiteral("A1"), body);
    QVERIFY(std::holds_alternative<HttpError>(parsed));
    const HttpError &error = std::get<HttpError>(parsed);
    QCOMPARE(error.status, status);
    QCOMPARE(error.code, code);
    QVERIFY2(error.message.contains(messagePart), qPrintable(error.message));
}

QTEST_GUILESS_MAIN(tst_PublishRequest)
#include "tst_publishrequest.moc"
