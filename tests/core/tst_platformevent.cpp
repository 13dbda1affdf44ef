#include "platformevent.h"
#include "publishrequest.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

namespace {

// A Platform Event as the Streaming API delivers it to a CometD subscriber.
const char deliveredMessage[] = R"({
    "channel": "/event/Order_Status__e",
    "data": {
        "schema": "dffQ2QLzDNHqwB8_sHMxdA",
        "payload": {
            "Order_Id__c": "8015g000001AbCdAAK",
            "Status__c": "Activating",
            "Stage__c": "Activating",
            "Message__c": "Provisioning started",
            "CreatedDate": "2026-12-04T10:00:00.000Z",
            "CreatedById": "0055g00000AbCdEAAV"
        },
        "event": {"replayId": 1234}
    }
})";

QJsonObject deliveredObject()
{
    return QJsonDocument::fromJson(deliveredMessage).object();
}

QByteArray toBody(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

// Returns the delivered message with the member at path (keys separated by
// '.') replaced by value, or removed when value is undefined.
QJsonObject changed(QJsonObject object, const QStringList &path, const QJsonValue &value)
{
    const QString key = path.first();
    if (path.size() == 1) {
        if (value.isUndefined())
            object.remove(key);
        else
            object.insert(key, value);
        return object;
    }
    object.insert(key, changed(object.value(key).toObject(), path.mid(1), value));
    return object;
}

QByteArray changedBody(const char *path, const QJsonValue &value)
{
    return toBody(changed(deliveredObject(), QString::fromLatin1(path).split(QLatin1Char('.')), value));
}

// The error's message, for a failed check's output; empty when parsing succeeded.
QString errorMessage(const std::variant<PlatformEventBatch, HttpError> &parsed)
{
    const auto *error = std::get_if<HttpError>(&parsed);
    return error ? error->message : QString();
}

} // namespace

class tst_PlatformEvent : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void deliveredMessageMaps();
    void nullOptionalFieldsAccepted();
    void overrideFieldIgnored();
    void configuredFieldNames();
    void arrayMapsEachMessage();
    void invalidMessage_data();
    void invalidMessage();
};

void tst_PlatformEvent::deliveredMessageMaps()
{
    const auto parsed = parsePlatformEvents(deliveredMessage, PlatformEventFields());
    QVERIFY2(std::holds_alternative<PlatformEventBatch>(parsed),
             qPrintable(errorMessage(parsed)));
    const PlatformEventBatch &batch = std::get<PlatformEventBatch>(parsed);
    QVERIFY(!batch.isArray);
    QCOMPARE(batch.events.size(), 1);

    const OrderEvent &event = batch.events.first();
    QCOMPARE(event.orderId, QStringLiteral("8015g000001AbCdAAK"));
    QCOMPARE(event.type, QStringLiteral("order.update"));
    QCOMPARE(event.status, QStringLiteral("Activating"));
    QCOMPARE(event.stage, QStringLiteral("Activating"));
    QCOMPARE(event.message, QStringLiteral("Provisioning started"));
    QCOMPARE(event.source, QStringLiteral("ingest"));
    QCOMPARE(event.publisher, QStringLiteral("/event/Order_Status__e"));
    QCOMPARE(event.ingestKey, QStringLiteral("/event/Order_Status__e:1234"));
    QCOMPARE(event.details.value(QLatin1String("replayId")).toInteger(), 1234);
    QCOMPARE(event.details.value(QLatin1String("createdDate")).toString(),
             QStringLiteral("2026-12-04T10:00:00.000Z"));
    // The creator's user id stays upstream: details reach customers' browsers.
    QVERIFY(!event.details.contains(QLatin1String("createdById")));
    QVERIFY(!event.lifecycleOverride);
    QCOMPARE(event.id, quint64(0));
    QVERIFY(!event.time.isValid());
}

void tst_PlatformEvent::nullOptionalFieldsAccepted()
{
    QJsonObject message = changed(deliveredObject(), {QStringLiteral("data"), QStringLiteral("payload"),
                                                      QStringLiteral("Stage__c")},
                                  QJsonValue::Null);
    message = changed(message, {QStringLiteral("data"), QStringLiteral("payload"), QStringLiteral("Message__c")},
                      QJsonValue::Undefined);

    const auto parsed = parsePlatformEvents(toBody(message), PlatformEventFields());
    QVERIFY(std::holds_alternative<PlatformEventBatch>(parsed));
    const OrderEvent &event = std::get<PlatformEventBatch>(parsed).events.first();
    QCOMPARE(event.status, QStringLiteral("Activating"));
    QVERIFY(event.stage.isEmpty());
    QVERIFY(event.message.isEmpty());
}

void tst_PlatformEvent::overrideFieldIgnored()
{
    QJsonObject message = changed(deliveredObject(), {QStringLiteral("override")}, true);
    message = changed(message, {QStringLiteral("data"), QStringLiteral("payload"), QStringLiteral("override")},
                      true);

    const auto parsed = parsePlatformEvents(toBody(message), PlatformEventFields());
    QVERIFY(std::holds_alternative<PlatformEventBatch>(parsed));
    QVERIFY(!std::get<PlatformEventBatch>(parsed).events.first().lifecycleOverride);
}

void tst_PlatformEvent::configuredFieldNames()
{
    const QByteArray body = R"({"channel":"/event/Fulfilment__e",
        "data":{"payload":{"OrderNumber__c":"ORD-7","State__c":"provisioned",
                           "Phase__c":"Active","Note__c":"Line is up"},
                "event":{"replayId":9}}})";
    PlatformEventFields fields;
    fields.orderId = QStringLiteral("OrderNumber__c");
    fields.status = QStringLiteral("State__c");
    fields.stage = QStringLiteral("Phase__c");
    fields.message = QStringLiteral("Note__c");

    const auto parsed = parsePlatformEvents(body, fields);
    QVERIFY2(std::holds_alternative<PlatformEventBatch>(parsed),
             qPrintable(errorMessage(parsed)));
    const OrderEvent &event = std::get<PlatformEventBatch>(parsed).events.first();
    QCOMPARE(event.orderId, QStringLiteral("ORD-7"));
    QCOMPARE(event.status, QStringLiteral("provisioned"));
    QCOMPARE(event.stage, QStringLiteral("Active"));
    QCOMPARE(event.message, QStringLiteral("Line is up"));
    QCOMPARE(event.ingestKey, QStringLiteral("/event/Fulfilment__e:9"));
    QVERIFY(!event.details.contains(QLatin1String("createdDate")));

    // The default names no longer apply.
    const auto withDefaults = parsePlatformEvents(deliveredMessage, fields);
    QVERIFY(std::holds_alternative<HttpError>(withDefaults));
    QCOMPARE(std::get<HttpError>(withDefaults).message,
             QStringLiteral("data.payload.OrderNumber__c is missing"));
}

void tst_PlatformEvent::arrayMapsEachMessage()
{
    QJsonArray messages;
    messages.append(deliveredObject());
    messages.append(changed(deliveredObject(), {QStringLiteral("data"), QStringLiteral("event"),
                                                QStringLiteral("replayId")},
                            1235));
    const QByteArray body = QJsonDocument(messages).toJson(QJsonDocument::Compact);

    const auto parsed = parsePlatformEvents(body, PlatformEventFields());
    QVERIFY(std::holds_alternative<PlatformEventBatch>(parsed));
    const PlatformEventBatch &batch = std::get<PlatformEventBatch>(parsed);
    QVERIFY(batch.isArray);
    QCOMPARE(batch.events.size(), 2);
    QCOMPARE(batch.events.at(0).ingestKey, QStringLiteral("/event/Order_Status__e:1234"));
    QCOMPARE(batch.events.at(1).ingestKey, QStringLiteral("/event/Order_Status__e:1235"));
}

void tst_PlatformEvent::invalidMessage_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("code");
    QTest::addColumn<QString>("message");

    QTest::newRow("empty body") << QByteArray() << 400 << "invalid_json"
                                << "request body is empty; expected a CometD message or an array of them";
    QTest::newRow("not JSON") << QByteArray("replayId=1") << 400 << "invalid_json"
                              << "body is not valid JSON: illegal value at offset 1";
    QTest::newRow("string body") << QByteArray(R"("event")") << 400 << "invalid_json"
                                 << "body is not valid JSON: illegal value at offset 1";
    QTest::newRow("empty array") << QByteArray("[]") << 400 << "invalid_json"
                                 << "the array of messages is empty";
    QTest::newRow("oversize") << QByteArray(MaxPublishBodyBytes + 1, ' ') << 413 << "body_too_large"
                              << QStringLiteral("request body is %1 bytes; the limit is %2 bytes")
                                         .arg(MaxPublishBodyBytes + 1)
                                         .arg(MaxPublishBodyBytes);
    QTest::newRow("no channel") << changedBody("channel", QJsonValue::Undefined) << 400
                                << "missing_field" << "channel is missing";
    QTest::newRow("empty channel") << changedBody("channel", QString()) << 400 << "invalid_field"
                                   << "channel must be a non-empty string";
    QTest::newRow("no data") << changedBody("data", QJsonValue::Undefined) << 400 << "missing_field"
                             << "data is missing";
    QTest::newRow("data not object") << changedBody("data", 3) << 400 << "invalid_field"
                                     << "data must be a JSON object";
    QTest::newRow("no event") << changedBody("data.event", QJsonValue::Undefined) << 400
                              << "missing_field" << "data.event is missing";
    QTest::newRow("no replayId") << changedBody("data.event.replayId", QJsonValue::Undefined) << 400
                                 << "missing_field" << "data.event.replayId is missing";
    QTest::newRow("string replayId") << changedBody("data.event.replayId", QStringLiteral("1234")) << 400
                                     << "invalid_field"
                                     << "data.event.replayId must be a non-negative integer";
    QTest::newRow("fractional replayId") << changedBody("data.event.replayId", 12.5) << 400
                                         << "invalid_field"
                                         << "data.event.replayId must be a non-negative integer";
    QTest::newRow("negative replayId") << changedBody("data.event.replayId", -2) << 400
                                       << "invalid_field"
                                       << "data.event.replayId must be a non-negative integer";
    QTest::newRow("no payload") << changedBody("data.payload", QJsonValue::Undefined) << 400
                                << "missing_field" << "data.payload is missing";
    QTest::newRow("no order id") << changedBody("data.payload.Order_Id__c", QJsonValue::Undefined)
                                 << 400 << "missing_field" << "data.payload.Order_Id__c is missing";
    QTest::newRow("null order id") << changedBody("data.payload.Order_Id__c", QJsonValue::Null) << 400
                                   << "missing_field" << "data.payload.Order_Id__c is missing";
    QTest::newRow("invalid order id") << changedBody("data.payload.Order_Id__c", QStringLiteral("ORD 1")) << 400
                                      << "invalid_field"
                                      << "data.payload.Order_Id__c \"ORD 1\" is not a valid order id: "
                                         "use 1 to 64 letters, digits, '-' or '_'";
    QTest::newRow("no status") << changedBody("data.payload.Status__c", QJsonValue::Undefined) << 400
                               << "missing_field" << "data.payload.Status__c is missing";
    QTest::newRow("blank status") << changedBody("data.payload.Status__c", QStringLiteral(" ")) << 400
                                  << "missing_field" << "data.payload.Status__c is missing";
    QTest::newRow("numeric stage") << changedBody("data.payload.Stage__c", 2) << 400 << "invalid_field"
                                   << "data.payload.Stage__c must be a string";
    QTest::newRow("object message") << changedBody("data.payload.Message__c", QJsonObject()) << 400
                                    << "invalid_field" << "data.payload.Message__c must be a string";

    QJsonArray withBadSecond;
    withBadSecond.append(deliveredObject());
    withBadSecond.append(changed(deliveredObject(), {QStringLiteral("data"), QStringLiteral("event")},
                                 QJsonObject()));
    QTest::newRow("array with bad second message")
            << QJsonDocument(withBadSecond).toJson() << 400 << "missing_field"
            << "[1].data.event.replayId is missing";
    QTest::newRow("array of strings") << QByteArray(R"(["a"])") << 400 << "invalid_json"
                                      << "[0] must be a JSON object";
}

void tst_PlatformEvent::invalidMessage()
{
    QFETCH(QByteArray, body);
    QFETCH(int, status);
    QFETCH(QString, code);
    QFETCH(QString, message);

    const auto parsed = parsePlatformEvents(body, PlatformEventFields());
    QVERIFY(std::holds_alternative<HttpError>(parsed));
    const HttpError &error = std::get<HttpError>(parsed);
    QCOMPARE(error.message, message);
    QCOMPARE(error.status, status);
    QCOMPARE(error.code, code);
}

QTEST_GUILESS_MAIN(tst_PlatformEvent)
#include "tst_platformevent.moc"
