#include "eventstore.h"
#include "jwtsigner.h"
#include "orderstreamservice.h"
#include "ssetestclient.h"
#include "testservice.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

namespace {

const QByteArray IngestPath = "/ingest/platform-events";

// A Platform Event as the Streaming API delivers it to a CometD subscriber.
QJsonObject platformEvent(const QString &orderId, const QString &stage, qint64 replayId)
{
    QJsonObject payload;
    payload.insert(QStringLiteral("Order_Id__c"), orderId);
    payload.insert(QStringLiteral("Status__c"), stage);
    payload.insert(QStringLiteral("Stage__c"), stage);
    payload.insert(QStringLiteral("Message__c"), QStringLiteral("%1 from Salesforce").arg(stage));
    payload.insert(QStringLiteral("CreatedDate"), QStringLiteral("2026-12-04T10:00:00.000Z"));
    payload.insert(QStringLiteral("CreatedById"), QStringLiteral("0055g00000AbCdEAAV"));

    QJsonObject data;
    data.insert(QStringLiteral("schema"), QStringLiteral("dffQ2QLzDNHqwB8_sHMxdA"));
    data.insert(QStringLiteral("payload"), payload);
    data.insert(QStringLiteral("event"), QJsonObject{{QStringLiteral("replayId"), replayId}});

    QJsonObject message;
    message.insert(QStringLiteral("channel"), QStringLiteral("/event/Order_Status__e"));
    message.insert(QStringLiteral("data"), data);
    return message;
}

QByteArray toBody(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

QByteArray toBody(const QJsonArray &array)
{
    return QJsonDocument(array).toJson(QJsonDocument::Compact);
}

QJsonObject jsonOf(const HttpTestResponse &response)
{
    return QJsonDocument::fromJson(response.body).object();
}

// Returns message without the member at path (keys separated by '.').
QJsonObject withoutMember(QJsonObject message, const QStringList &path)
{
    if (path.size() == 1) {
        message.remove(path.first());
        return message;
    }
    message.insert(path.first(), withoutMember(message.value(path.first()).toObject(), path.mid(1)));
    return message;
}

} // namespace

// POST /ingest/platform-events end to end: real sockets, the SQLite journal
// in a temporary folder, and live streams.
class tst_Ingest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void deliveredEventReachesStream();
    void replayedDeliveryStoredOnce();
    void duplicateSurvivesRestart();
    void missingFieldIs400_data();
    void missingFieldIs400();
    void lifecycleConflictIs409();
    void batchReportsEachMessage();
    void configuredFieldNames();
    void publisherScopeRequired();

private:
    void startService(const ServerConfig &config);
    QList<OrderEvent> storedEvents(const QString &orderId) const;

    QTemporaryDir m_dir;
    std::unique_ptr<OrderStreamService> m_service;
    quint16 m_port = 0;
};

void tst_Ingest::init()
{
    QVERIFY(m_dir.isValid());
}

void tst_Ingest::cleanup()
{
    m_service.reset();
}

void tst_Ingest::startService(const ServerConfig &config)
{
    QString error;
    QVERIFY2(startTestService(m_service, config, &error), qPrintable(error));
    m_port = m_service->port();
}

QList<OrderEvent> tst_Ingest::storedEvents(const QString &orderId) const
{
    JournalQuery query;
    query.orderId = orderId;
    return m_service->store()->query(query);
}

void tst_Ingest::deliveredEventReachesStream()
{
    startService(testServerConfig(m_dir, 2));
    SseTestClient client;
    client.open(m_port, "/orders/8015g000001AbCdAAK/events");
    QTRY_COMPARE(m_service->snapshot(0, 0).connections, 1);

    const HttpTestResponse response = sendHttpRequest(
            m_port, "POST", IngestPath,
            toBody(platformEvent(QStringLiteral("8015g000001AbCdAAK"), QStringLiteral("Activating"), 1234)),
            {"Content-Type: application/json"});
    QCOMPARE(response.status, 202);
    const qint64 id = jsonOf(response).value(QStringLiteral("id")).toInteger();
    QVERIFY(id > 0);
    QCOMPARE(jsonOf(response).value(QStringLiteral("orderId")).toString(),
             QStringLiteral("8015g000001AbCdAAK"));

    QTRY_COMPARE(client.events().size(), 1);
    const SseTestClient::Frame frame = client.events().first();
    QCOMPARE(frame.id, QByteArray::number(id));
    QCOMPARE(frame.event, QByteArray("order.update"));
    const QJsonObject data = QJsonDocument::fromJson(frame.data).object();
    QCOMPARE(data.value(QStringLiteral("status")).toString(), QStringLiteral("Activating"));
    QCOMPARE(data.value(QStringLiteral("stage")).toString(), QStringLiteral("Activating"));
    QCOMPARE(data.value(QStringLiteral("message")).toString(), QStringLiteral("Activating from Salesforce"));
    QCOMPARE(data.value(QStringLiteral("source")).toString(), QStringLiteral("ingest"));
    QCOMPARE(data.value(QStringLiteral("publisher")).toString(), QStringLiteral("/event/Order_Status__e"));
    QCOMPARE(data.value(QStringLiteral("details")).toObject().value(QStringLiteral("replayId")).toInteger(),
             1234);
    QVERIFY(!data.contains(QStringLiteral("override")));

    const QList<OrderEvent> stored = storedEvents(QStringLiteral("8015g000001AbCdAAK"));
    QCOMPARE(stored.size(), 1);
    QCOMPARE(stored.first().publisher, QStringLiteral("/event/Order_Status__e"));
    QCOMPARE(stored.first().ingestKey, QStringLiteral("/event/Order_Status__e:1234"));
    QCOMPARE(stored.first().source, QStringLiteral("ingest"));
}

void tst_Ingest::replayedDeliveryStoredOnce()
{
    startService(testServerConfig(m_dir, 2));
    SseTestClient client;
    client.open(m_port, "/orders/ORD-1/events");
    QTRY_COMPARE(m_service->snapshot(0, 0).connections, 1);

    const QByteArray body = toBody(platformEvent(QStringLiteral("ORD-1"), QStringLiteral("Activating"), 77));
    const HttpTestResponse first = sendHttpRequest(m_port, "POST", IngestPath, body);
    QCOMPARE(first.status, 202);
    const qint64 id = jsonOf(first).value(QStringLiteral("id")).toInteger();

    const HttpTestResponse second = sendHttpRequest(m_port, "POST", IngestPath, body);
    QCOMPARE(second.status, 200);
    QCOMPARE(jsonOf(second).value(QStringLiteral("duplicate")), QJsonValue(true));
    QCOMPARE(jsonOf(second).value(QStringLiteral("id")).toInteger(), id);

    // A later event proves that the duplicate sent no frame before it.
    const HttpTestResponse next = sendHttpRequest(
            m_port, "POST", IngestPath,
            toBody(platformEvent(QStringLiteral("ORD-1"), QStringLiteral("Provisioning"), 78)));
    QCOMPARE(next.status, 202);
    QTRY_COMPARE(client.events().size(), 2);
    QCOMPARE(client.events().at(0).id, QByteArray::number(id));
    QCOMPARE(client.events().at(1).id,
             QByteArray::number(jsonOf(next).value(QStringLiteral("id")).toInteger()));

    QCOMPARE(storedEvents(QStringLiteral("ORD-1")).size(), 2);
    QCOMPARE(m_service->snapshot(0, 0).eventsPublished, quint64(2));
}

void tst_Ingest::duplicateSurvivesRestart()
{
    const ServerConfig config = testServerConfig(m_dir, 1);
    const QByteArray body = toBody(platformEvent(QStringLiteral("ORD-2"), QStringLiteral("Draft"), 5));
    startService(config);
    const HttpTestResponse first = sendHttpRequest(m_port, "POST", IngestPath, body);
    QCOMPARE(first.status, 202);
    m_service.reset();

    startService(config);
    const HttpTestResponse again = sendHttpRequest(m_port, "POST", IngestPath, body);
    QCOMPARE(again.status, 200);
    QCOMPARE(jsonOf(again).value(QStringLiteral("id")), jsonOf(first).value(QStringLiteral("id")));
    QCOMPARE(storedEvents(QStringLiteral("ORD-2")).size(), 1);
}

void tst_Ingest::missingFieldIs400_data()
{
    QTest::addColumn<QStringList>("path");
    QTest::addColumn<QString>("message");

    QTest::newRow("channel") << QStringList{QStringLiteral("channel")} << "channel is missing";
    QTest::newRow("data") << QStringList{QStringLiteral("data")} << "data is missing";
    QTest::newRow("event") << QStringList{QStringLiteral("data"), QStringLiteral("event")}
                           << "data.event is missing";
    QTest::newRow("replayId")
            << QStringList{QStringLiteral("data"), QStringLiteral("event"), QStringLiteral("replayId")}
            << "data.event.replayId is missing";
    QTest::newRow("payload") << QStringList{QStringLiteral("data"), QStringLiteral("payload")}
                             << "data.payload is missing";
    QTest::newRow("order id")
            << QStringList{QStringLiteral("data"), QStringLiteral("payload"), QStringLiteral("Order_Id__c")}
            << "data.payload.Order_Id__c is missing";
    QTest::newRow("status")
            << QStringList{QStringLiteral("data"), QStringLiteral("payload"), QStringLiteral("Status__c")}
            << "data.payload.Status__c is missing";
}

void tst_Ingest::missingFieldIs400()
{
    QFETCH(QStringList, path);
    QFETCH(QString, message);

    startService(testServerConfig(m_dir, 1));
    const QJsonObject event = withoutMember(platformEvent(QStringLiteral("ORD-3"), QStringLiteral("Draft"), 9),
                                            path);
    const HttpTestResponse response = sendHttpRequest(m_port, "POST", IngestPath, toBody(event));
    QCOMPARE(response.status, 400);
    QCOMPARE(jsonOf(response).value(QStringLiteral("error")).toString(), QStringLiteral("missing_field"));
    QCOMPARE(jsonOf(response).value(QStringLiteral("message")).toString(), message);
    QVERIFY(storedEvents(QStringLiteral("ORD-3")).isEmpty());
}

void tst_Ingest::lifecycleConflictIs409()
{
    startService(testServerConfig(m_dir, 1));
    QCOMPARE(sendHttpRequest(m_port, "POST", IngestPath,
                             toBody(platformEvent(QStringLiteral("ORD-4"), QStringLiteral("Activating"), 1)))
                     .status,
             202);

    // Active cannot follow Activating, and an upstream override field changes nothing.
    QJsonObject skipping = platformEvent(QStringLiteral("ORD-4"), QStringLiteral("Active"), 2);
    skipping.insert(QStringLiteral("override"), true);
    const HttpTestResponse conflict = sendHttpRequest(m_port, "POST", IngestPath, toBody(skipping));
    QCOMPARE(conflict.status, 409);
    QCOMPARE(jsonOf(conflict).value(QStringLiteral("error")).toString(),
             QStringLiteral("lifecycle_conflict"));
    QCOMPARE(jsonOf(conflict).value(QStringLiteral("message")).toString(),
             QStringLiteral("order ORD-4 is Activating; Active cannot follow it"));
    QCOMPARE(storedEvents(QStringLiteral("ORD-4")).size(), 1);
}

void tst_Ingest::batchReportsEachMessage()
{
    startService(testServerConfig(m_dir, 1));
    SseTestClient client;
    client.open(m_port, "/orders/ORD-5/events");
    QTRY_COMPARE(m_service->snapshot(0, 0).connections, 1);

    // A CometD batch: two stages in order, a repeated delivery and a conflict.
    QJsonArray batch;
    batch.append(platformEvent(QStringLiteral("ORD-5"), QStringLiteral("Activating"), 10));
    batch.append(platformEvent(QStringLiteral("ORD-5"), QStringLiteral("Provisioning"), 11));
    batch.append(platformEvent(QStringLiteral("ORD-5"), QStringLiteral("Provisioning"), 11));
    batch.append(platformEvent(QStringLiteral("ORD-5"), QStringLiteral("Draft"), 12));
    const HttpTestResponse response = sendHttpRequest(m_port, "POST", IngestPath, toBody(batch));
    QCOMPARE(response.status, 200);

    const QJsonArray results = jsonOf(response).value(QStringLiteral("results")).toArray();
    QCOMPARE(results.size(), 4);
    QCOMPARE(results.at(0).toObject().value(QStringLiteral("status")).toInt(), 202);
    QCOMPARE(results.at(1).toObject().value(QStringLiteral("status")).toInt(), 202);
    QCOMPARE(results.at(2).toObject().value(QStringLiteral("status")).toInt(), 200);
    QCOMPARE(results.at(2).toObject().value(QStringLiteral("duplicate")), QJsonValue(true));
    QCOMPARE(results.at(2).toObject().value(QStringLiteral("id")),
             results.at(1).toObject().value(QStringLiteral("id")));
    QCOMPARE(results.at(3).toObject().value(QStringLiteral("status")).toInt(), 409);
    QCOMPARE(results.at(3).toObject().value(QStringLiteral("error")).toString(),
             QStringLiteral("lifecycle_conflict"));

    QTRY_COMPARE(client.events().size(), 2);
    QCOMPARE(storedEvents(QStringLiteral("ORD-5")).size(), 2);

    // One bad message rejects the whole batch before anything is stored.
    QJsonArray bad;
    bad.append(platformEvent(QStringLiteral("ORD-6"), QStringLiteral("Draft"), 20));
    bad.append(withoutMember(platformEvent(QStringLiteral("ORD-6"), QStringLiteral("Activating"), 21),
                             {QStringLiteral("channel")}));
    const HttpTestResponse rejected = sendHttpRequest(m_port, "POST", IngestPath, toBody(bad));
    QCOMPARE(rejected.status, 400);
    QCOMPARE(jsonOf(rejected).value(QStringLiteral("message")).toString(),
             QStringLiteral("[1].channel is missing"));
    QVERIFY(storedEvents(QStringLiteral("ORD-6")).isEmpty());
}

void tst_Ingest::configuredFieldNames()
{
    ServerConfig config = testServerConfig(m_dir, 1);
    config.ingestOrderIdField = QStringLiteral("OrderNumber__c");
    config.ingestStatusField = QStringLiteral("State__c");
    config.ingestStageField = QStringLiteral("Phase__c");
    config.ingestMessageField = QStringLiteral("Note__c");
    startService(config);

    const QByteArray body = R"({"channel":"/event/Fulfilment__e",
        "data":{"payload":{"OrderNumber__c":"ORD-7","State__c":"Activating",
                           "Phase__c":"Activating","Note__c":"Line ordered"},
                "event":{"replayId":3}}})";
    QCOMPARE(sendHttpRequest(m_port, "POST", IngestPath, body).status, 202);
    const QList<OrderEvent> stored = storedEvents(QStringLiteral("ORD-7"));
    QCOMPARE(stored.size(), 1);
    QCOMPARE(stored.first().message, QStringLiteral("Line ordered"));

    const HttpTestResponse defaults = sendHttpRequest(
            m_port, "POST", IngestPath, toBody(platformEvent(QStringLiteral("ORD-8"), QStringLiteral("Draft"), 4)));
    QCOMPARE(defaults.status, 400);
    QCOMPARE(jsonOf(defaults).value(QStringLiteral("message")).toString(),
             QStringLiteral("data.payload.OrderNumber__c is missing"));
}

void tst_Ingest::publisherScopeRequired()
{
    ServerConfig config = testServerConfig(m_dir, 1);
    config.authEnabled = true;
    config.jwt.hs256Secret = "a test secret of thirty-two bytes or more";
    startService(config);

    const auto sign = [&config](const QStringList &scopes) {
        JwtTokenRequest request;
        request.subject = QStringLiteral("salesforce");
        request.scopes = scopes;
        request.orders = {QStringLiteral("ORD-9")};
        QString error;
        return JwtSigner(config.jwt).sign(request, &error);
    };
    const QByteArray body = toBody(platformEvent(QStringLiteral("ORD-9"), QStringLiteral("Draft"), 1));

    QCOMPARE(sendHttpRequest(m_port, "POST", IngestPath, body).status, 401);
    const QByteArray reader = sign({QStringLiteral("orders:read")});
    QVERIFY(!reader.isEmpty());
    QCOMPARE(sendHttpRequest(m_port, "POST", IngestPath, body, {"Authorization: Bearer " + reader}).status,
             403);
    QVERIFY(storedEvents(QStringLiteral("ORD-9")).isEmpty());

    const QByteArray publisher = sign({config.jwt.publishScope});
    QCOMPARE(sendHttpRequest(m_port, "POST", IngestPath, body, {"Authorization: Bearer " + publisher}).status,
             202);
    QCOMPARE(storedEvents(QStringLiteral("ORD-9")).size(), 1);
}

QTEST_GUILESS_MAIN(tst_Ingest)
#include "tst_ingest.moc"
