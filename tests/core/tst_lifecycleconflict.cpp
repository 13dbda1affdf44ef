#include "eventstore.h"
#include "jwtsigner.h"
#include "orderstreamservice.h"
#include "ssetestclient.h"
#include "testservice.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

// The lifecycle check on every publish path: the HTTP API (409), the
// console's publishAsync(), and a lifecycle read from a file at start.
class tst_LifecycleConflict : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void forbiddenTransitionIs409();
    void invalidStageIs400_data();
    void invalidStageIs400();
    void overrideShownInResponseStreamAndHistory();
    void publisherIsTokenSubject();
    void consolePublishGetsConflict();
    void lifecycleFileApplies();
    void invalidLifecycleFileStopsStart();

private:
    void startService(const ServerConfig &config);
    HttpTestResponse publish(const QByteArray &orderId, const QByteArray &body,
                             const QList<QByteArray> &headers = {});
    QList<OrderEvent> storedEvents(const QString &orderId) const;
    QString writeFile(const QString &name, const QByteArray &content) const;

    QTemporaryDir m_dir;
    std::unique_ptr<OrderStreamService> m_service;
    quint16 m_port = 0;
};

namespace {

QJsonObject jsonOf(const QByteArray &body)
{
    return QJsonDocument::fromJson(body).object();
}

} // namespace

void tst_LifecycleConflict::init()
{
    QVERIFY(m_dir.isValid());
}

void tst_LifecycleConflict::cleanup()
{
    m_service.reset();
}

void tst_LifecycleConflict::startService(const ServerConfig &config)
{
    QString error;
    QVERIFY2(startTestService(m_service, config, &error), qPrintable(error));
    m_port = m_service->port();
}

HttpTestResponse tst_LifecycleConflict::publish(const QByteArray &orderId, const QByteArray &body,
                                                const QList<QByteArray> &headers)
{
    return sendHttpRequest(m_port, "POST", "/orders/" + orderId + "/events", body, headers);
}

QList<OrderEvent> tst_LifecycleConflict::storedEvents(const QString &orderId) const
{
    JournalQuery query;
    query.orderId = orderId;
    return m_service->store()->query(query);
}

QString tst_LifecycleConflict::writeFile(const QString &name, const QByteArray &content) const
{
    const QString path = m_dir.filePath(name);
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(content) != content.size())
        qWarning("cannot write %ls", qUtf16Printable(path));
    return path;
}

void tst_LifecycleConflict::forbiddenTransitionIs409()
{
    startService(testServerConfig(m_dir, 1));
    SseTestClient client;
    client.open(m_port, "/orders/A1/events");
    QTRY_COMPARE(m_service->snapshot(0, 0).connections, 1);

    QCOMPARE(publish("A1", R"({"status":"Activating"})").status, 202);
    const HttpTestResponse conflict = publish("A1", R"({"status":"Done","stage":"Completed"})");
    QCOMPARE(conflict.status, 409);
    QCOMPARE(jsonOf(conflict.body).value(QStringLiteral("error")).toString(),
             QStringLiteral("lifecycle_conflict"));
    QCOMPARE(jsonOf(conflict.body).value(QStringLiteral("message")).toString(),
             QStringLiteral("order A1 is Activating; Completed cannot follow it"));

    // Nothing of the rejected publish is stored or sent.
    QCOMPARE(publish("A1", R"({"status":"Provisioning"})").status, 202);
    QTRY_COMPARE(client.events().size(), 2);
    QCOMPARE(storedEvents(QStringLiteral("A1")).size(), 2);
    const QJsonObject order = jsonOf(sendHttpRequest(m_port, "GET", "/orders/A1").body);
    QCOMPARE(order.value(QStringLiteral("stage")).toString(), QStringLiteral("Provisioning"));
}

void tst_LifecycleConflict::invalidStageIs400_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("code");

    QTest::newRow("unknown stage") << QByteArray(R"({"status":"Shipped","stage":"Shipped"})")
                                   << "unknown_stage";
    QTest::newRow("failed without reason") << QByteArray(R"({"status":"Failed"})") << "missing_field";
    QTest::newRow("string override") << QByteArray(R"({"status":"Draft","override":"yes"})")
                                     << "invalid_field";
}

void tst_LifecycleConflict::invalidStageIs400()
{
    QFETCH(QByteArray, body);
    QFETCH(QString, code);

    startService(testServerConfig(m_dir, 1));
    const HttpTestResponse response = publish("A2", body);
    QCOMPARE(response.status, 400);
    QCOMPARE(jsonOf(response.body).value(QStringLiteral("error")).toString(), code);
    QVERIFY(storedEvents(QStringLiteral("A2")).isEmpty());
}

void tst_LifecycleConflict::overrideShownInResponseStreamAndHistory()
{
    startService(testServerConfig(m_dir, 1));
    SseTestClient client;
    client.open(m_port, "/orders/A3/events");
    QTRY_COMPARE(m_service->snapshot(0, 0).connections, 1);

    const HttpTestResponse plain = publish("A3", R"({"status":"Activating"})");
    QCOMPARE(plain.status, 202);
    QVERIFY(!jsonOf(plain.body).contains(QStringLiteral("override")));
    const HttpTestResponse forced =
            publish("A3", R"({"status":"Active","message":"fixed by hand","override":true})");
    QCOMPARE(forced.status, 202);
    QCOMPARE(jsonOf(forced.body).value(QStringLiteral("override")), QJsonValue(true));

    QTRY_COMPARE(client.events().size(), 2);
    const QJsonObject first = jsonOf(client.events().at(0).data);
    const QJsonObject second = jsonOf(client.events().at(1).data);
    QVERIFY(!first.contains(QStringLiteral("override")));
    QCOMPARE(second.value(QStringLiteral("override")), QJsonValue(true));
    QCOMPARE(second.value(QStringLiteral("stage")).toString(), QStringLiteral("Active"));

    const QList<OrderEvent> history = storedEvents(QStringLiteral("A3"));
    QCOMPARE(history.size(), 2);
    QVERIFY(history.at(0).lifecycleOverride);
    QVERIFY(!history.at(1).lifecycleOverride);
    QCOMPARE(history.at(0).toJson().value(QStringLiteral("override")), QJsonValue(true));
}

void tst_LifecycleConflict::publisherIsTokenSubject()
{
    ServerConfig config = testServerConfig(m_dir, 1);
    config.authEnabled = true;
    config.jwt.hs256Secret = "a test secret of thirty-two bytes or more";
    startService(config);

    JwtTokenRequest request;
    request.subject = QStringLiteral("fulfilment");
    request.scopes = {config.jwt.publishScope, QStringLiteral("orders:read")};
    request.orders = {QStringLiteral("A4")};
    QString error;
    const QByteArray token = JwtSigner(config.jwt).sign(request, &error);
    QVERIFY2(!token.isEmpty(), qPrintable(error));

    QCOMPARE(publish("A4", R"({"status":"Draft"})", {"Authorization: Bearer " + token}).status, 202);
    const QList<OrderEvent> history = storedEvents(QStringLiteral("A4"));
    QCOMPARE(history.size(), 1);
    QCOMPARE(history.first().publisher, QStringLiteral("fulfilment"));
    QCOMPARE(history.first().toJson().value(QStringLiteral("publisher")).toString(),
             QStringLiteral("fulfilment"));
}

void tst_LifecycleConflict::consolePublishGetsConflict()
{
    startService(testServerConfig(m_dir, 1));
    QSignalSpy published(m_service.get(), &OrderStreamService::published);
    QSignalSpy failed(m_service.get(), &OrderStreamService::publishFailed);

    OrderEvent event;
    event.orderId = QStringLiteral("A5");
    event.status = QStringLiteral("Activating");
    event.source = QString::fromLatin1(OrderEventSource::Console);
    m_service->publishAsync(event);
    QTRY_COMPARE(published.size(), 1);

    event.status = QStringLiteral("Completed");
    m_service->publishAsync(event);
    QTRY_COMPARE(failed.size(), 1);
    QCOMPARE(failed.first().at(0).toString(), QStringLiteral("A5"));
    QCOMPARE(failed.first().at(1).toString(),
             QStringLiteral("order A5 is Activating; Completed cannot follow it"));

    event.lifecycleOverride = true;
    m_service->publishAsync(event);
    QTRY_COMPARE(published.size(), 2);
    QVERIFY(published.last().at(0).value<OrderEvent>().lifecycleOverride);
    QCOMPARE(failed.size(), 1);
}

void tst_LifecycleConflict::lifecycleFileApplies()
{
    ServerConfig config = testServerConfig(m_dir, 1);
    config.lifecyclePath = writeFile(QStringLiteral("lifecycle.json"), R"({
        "stages": [{"name": "Received"}, {"name": "Shipped", "aliases": ["dispatched"]},
                   {"name": "Delivered", "final": true}],
        "initial": ["Received"],
        "transitions": {"Received": ["Shipped"], "Shipped": ["Delivered"]}})");
    startService(config);

    QCOMPARE(publish("A6", R"({"status":"Received"})").status, 202);
    const HttpTestResponse skipped = publish("A6", R"({"status":"Delivered"})");
    QCOMPARE(skipped.status, 409);
    QCOMPARE(jsonOf(skipped.body).value(QStringLiteral("message")).toString(),
             QStringLiteral("order A6 is Received; Delivered cannot follow it"));
    QCOMPARE(publish("A6", R"({"status":"dispatched"})").status, 202);
    // The default lifecycle's stages are plain text under this one.
    QCOMPARE(publish("A6", R"({"status":"Activating"})").status, 202);
    QCOMPARE(storedEvents(QStringLiteral("A6")).first().stage, QString());
    QCOMPARE(storedEvents(QStringLiteral("A6")).at(1).stage, QStringLiteral("Shipped"));
}

void tst_LifecycleConflict::invalidLifecycleFileStopsStart()
{
    ServerConfig config = testServerConfig(m_dir, 1);
    config.lifecyclePath = writeFile(QStringLiteral("broken.json"),
                                     R"({"stages":[{"name":"A","final":true}],"initial":["B"],
                                        "transitions":{}})");
    m_service = std::make_unique<OrderStreamService>(config);
    QString error;
    QVERIFY(!m_service->start(&error));
    QVERIFY2(error.contains(config.lifecyclePath), qPrintable(error));
    QVERIFY2(error.contains(QStringLiteral("\"initial\" names unknown stage \"B\"")), qPrintable(error));
    QVERIFY(!m_service->isRunning());
    // The start stopped before the journal was created.
    QVERIFY(!QFile::exists(config.journalPath));

    config.lifecyclePath = m_dir.filePath(QStringLiteral("missing.json"));
    m_service = std::make_unique<OrderStreamService>(config);
    QVERIFY(!m_service->start(&error));
    QVERIFY2(error.startsWith(QStringLiteral("failed to read lifecycle file ") + config.lifecyclePath),
             qPrintable(error));
}

QTEST_GUILESS_MAIN(tst_LifecycleConflict)
#include "tst_lifecycleconflict.moc"
