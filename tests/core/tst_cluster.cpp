#include "eventstore.h"
#include "orderstreamservice.h"
#include "redispresence.h"
#include "redistestserver.h"
#include "ssetestclient.h"
#include "testservice.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

// Several instances sharing one real redis-server that the test starts on
// a free loopback port.
class tst_Cluster : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void publishOnOneReachesSubscribersOfAnother();
    void replayAcrossInstances();
    void idsKeepIncreasingAcrossInstances();
    void outageKeepsStreamsAndAnswers503();
    void presenceAppearsAndExpires();
    void badRedisUrlStopsTheStart();
    void unreachableRedisStopsTheStart();

private:
    std::unique_ptr<OrderStreamService> startInstance(const QString &name);
    static quint64 publish(quint16 port, const QByteArray &orderId, const QByteArray &status,
                           int *statusCode = nullptr);
    static QList<quint64> eventIds(const SseTestClient &client);

    QTemporaryDir m_dir;
    std::unique_ptr<RedisTestServer> m_redis;
};

void tst_Cluster::init()
{
    QVERIFY(m_dir.isValid());
    const QString dataDir = m_dir.filePath(QLatin1String(QTest::currentTestFunction()));
    QVERIFY(QDir().mkpath(dataDir));
    m_redis = std::make_unique<RedisTestServer>(dataDir);
    QString error;
    QVERIFY2(m_redis->start(&error), qPrintable(error));
}

void tst_Cluster::cleanup()
{
    m_redis.reset();
}

std::unique_ptr<OrderStreamService> tst_Cluster::startInstance(const QString &name)
{
    ServerConfig config = testServerConfig(m_dir, 1);
    config.redisUrl = m_redis->url();
    config.instanceId = name;
    config.heartbeatIntervalMs = 100;
    config.presenceIntervalMs = 100;
    config.presenceTtlMs = 1000;
    auto service = std::make_unique<OrderStreamService>(config);
    QString error;
    if (!service->start(&error)) {
        qWarning("instance %s did not start: %s", qPrintable(name), qPrintable(error));
        return nullptr;
    }
    return service;
}

quint64 tst_Cluster::publish(quint16 port, const QByteArray &orderId, const QByteArray &status,
                             int *statusCode)
{
    const HttpTestResponse response = sendHttpRequest(
            port, "POST", "/orders/" + orderId + "/events", R"({"status":")" + status + R"("})");
    if (statusCode)
        *statusCode = response.status;
    if (response.status != 202)
        return 0;
    return quint64(
            QJsonDocument::fromJson(response.body).object().value(QLatin1String("id")).toInteger());
}

QList<quint64> tst_Cluster::eventIds(const SseTestClient &client)
{
    QList<quint64> ids;
    for (const SseTestClient::Frame &frame : client.events())
        ids.append(frame.id.toULongLong());
    return ids;
}

void tst_Cluster::publishOnOneReachesSubscribersOfAnother()
{
    const auto a = startInstance(QStringLiteral("a"));
    const auto b = startInstance(QStringLiteral("b"));
    QVERIFY(a && b);

    SseTestClient onA;
    onA.open(a->port(), "/orders/ORD-1/events");
    QTRY_VERIFY(onA.headComplete());
    QCOMPARE(onA.statusCode(), 200);

    const quint64 id = publish(b->port(), "ORD-1", "Activating");
    QVERIFY(id > 0);
    QTRY_COMPARE(onA.events().size(), 1);
    QCOMPARE(onA.events().first().id.toULongLong(), id);
    const QJsonObject data = QJsonDocument::fromJson(onA.events().first().data).object();
    QCOMPARE(data.value(QLatin1String("status")).toString(), QStringLiteral("Activating"));
    QCOMPARE(data.value(QLatin1String("orderId")).toString(), QStringLiteral("ORD-1"));

    // Both instances know the order's state, whichever stored it.
    QTRY_COMPARE(a->snapshot(0, 10).lastEventId, id);
    const HttpTestResponse order = sendHttpRequest(a->port(), "GET", "/orders/ORD-1");
    QCOMPARE(order.status, 200);
    QCOMPARE(QJsonDocument::fromJson(order.body).object().value(QLatin1String("status")).toString(),
             QStringLiteral("Activating"));
}

void tst_Cluster::replayAcrossInstances()
{
    const auto a = startInstance(QStringLiteral("a"));
    const auto b = startInstance(QStringLiteral("b"));
    QVERIFY(a && b);

    QList<quint64> published;
    for (const QByteArray status : {"one", "two", "three", "four"})
        published.append(publish(a->port(), "ORD-7", status));
    QVERIFY(!published.contains(0));
    publish(a->port(), "ORD-OTHER", "not this one");

    // A browser that saw "one" on instance A comes back to instance B.
    SseTestClient onB;
    onB.open(b->port(), "/orders/ORD-7/events", {"Last-Event-ID: " + QByteArray::number(published[0])});
    QTRY_COMPARE(eventIds(onB), published.mid(1));

    // Then it is live on B for events published on A.
    const quint64 live = publish(a->port(), "ORD-7", "five");
    QTRY_COMPARE(eventIds(onB), published.mid(1) << live);
}

void tst_Cluster::idsKeepIncreasingAcrossInstances()
{
    const auto a = startInstance(QStringLiteral("a"));
    const auto b = startInstance(QStringLiteral("b"));
    QVERIFY(a && b);

    quint64 previous = 0;
    for (int i = 0; i < 20; ++i) {
        const quint64 id = publish((i % 2 ? a : b)->port(), "ORD-2", QByteArray::number(i));
        QVERIFY2(id > previous, qPrintable(QStringLiteral("id %1 after %2").arg(id).arg(previous)));
        previous = id;
    }
}

void tst_Cluster::outageKeepsStreamsAndAnswers503()
{
    const auto a = startInstance(QStringLiteral("a"));
    QVERIFY(a);

    SseTestClient stream;
    stream.open(a->port(), "/orders/ORD-9/events");
    QTRY_VERIFY(stream.headComplete());
    QList<quint64> acknowledged{publish(a->port(), "ORD-9", "before")};
    QVERIFY(acknowledged.first() > 0);
    QTRY_COMPARE(stream.events().size(), 1);

    const quint16 redisPort = m_redis->port();
    m_redis->stop();

    // The first publish after the stop may still be sent and fail; from then
    // on the instance knows Redis is gone. No publish is acknowledged.
    QVERIFY(QTest::qWaitFor([&] {
        int status = 0;
        publish(a->port(), "ORD-9", "during", &status);
        return status == 503;
    }));
    QVERIFY(!a->storeStatus().reachable);
    QTRY_VERIFY(a->metricsText().contains("orderstream_redis_up 0"));

    // The stream stays open and keeps getting heartbeats.
    const int heartbeats = stream.heartbeatCount();
    QTRY_VERIFY(stream.heartbeatCount() > heartbeats + 2);
    QVERIFY(stream.isConnected());

    QString error;
    QVERIFY2(m_redis->start(&error, redisPort), qPrintable(error));
    QTRY_VERIFY_WITH_TIMEOUT(a->storeStatus().reachable, 15000);

    quint64 after = 0;
    QVERIFY(QTest::qWaitFor([&] { return (after = publish(a->port(), "ORD-9", "after")) > 0; },
                            15000));
    acknowledged.append(after);
    QTRY_COMPARE(eventIds(stream), acknowledged);
    QVERIFY(a->storeStatus().outages >= 1);

    // Everything acknowledged is stored, and nothing else.
    const ReplayResult stored = a->store()->readAfter(QStringLiteral("ORD-9"), 0, 100);
    QList<quint64> storedIds;
    QStringList statuses;
    for (const OrderEvent &event : stored.events) {
        storedIds.append(event.id);
        statuses.append(event.status);
    }
    QCOMPARE(storedIds, acknowledged);
    QCOMPARE(statuses, QStringList({QStringLiteral("before"), QStringLiteral("after")}));
}

void tst_Cluster::presenceAppearsAndExpires()
{
    const auto a = startInstance(QStringLiteral("a"));
    QVERIFY(a);

    SseTestClient stream;
    stream.open(a->port(), "/orders/ORD-5/events");
    QTRY_VERIFY(stream.headComplete());

    // Another instance that dies without withdrawing its announcement.
    RedisPresence::Config config;
    QString error;
    config.url = *RedisUrl::parse(m_redis->url(), &error);
    config.instanceId = QStringLiteral("ghost");
    config.address = QStringLiteral("127.0.0.1:1");
    config.intervalMs = 100;
    config.ttlMs = 500;
    RedisPresence ghost(config, [] { return PresenceAnnouncement{3, {{QStringLiteral("ORD-5"), 3}}}; });
    ghost.start();

    const auto instanceIds = [&a] {
        QStringList ids;
        for (const ClusterInstance &instance : a->clusterInstances())
            ids.append(instance.instanceId);
        return ids;
    };
    QTRY_COMPARE(instanceIds(), QStringList({QStringLiteral("a"), QStringLiteral("ghost")}));
    const QList<ClusterInstance> instances = a->clusterInstances();
    QVERIFY(instances[0].isSelf);
    QTRY_COMPARE(a->clusterInstances().value(0).subscribersPerOrder.value(QStringLiteral("ORD-5")), 1);
    QCOMPARE(instances[1].connections, 3);
    QCOMPARE(instances[1].subscribersPerOrder.value(QStringLiteral("ORD-5")), 3);

    ghost.stop(false);
    QTRY_COMPARE(instanceIds(), QStringList({QStringLiteral("a")}));

    // An instance that stops withdraws at once.
    auto b = startInstance(QStringLiteral("b"));
    QVERIFY(b);
    QTRY_COMPARE(instanceIds(), QStringList({QStringLiteral("a"), QStringLiteral("b")}));
    b->stop();
    QTRY_COMPARE_WITH_TIMEOUT(instanceIds(), QStringList({QStringLiteral("a")}), 400);
}

void tst_Cluster::badRedisUrlStopsTheStart()
{
    ServerConfig config = testServerConfig(m_dir, 1);
    config.redisUrl = QStringLiteral("http://127.0.0.1:6379");
    OrderStreamService service(config);
    QString error;
    QVERIFY(!service.start(&error));
    QVERIFY2(error.contains(QLatin1String("not a Redis URL")), qPrintable(error));
}

void tst_Cluster::unreachableRedisStopsTheStart()
{
    const quint16 port = m_redis->port();
    m_redis->stop();
    ServerConfig config = testServerConfig(m_dir, 1);
    config.redisUrl = QStringLiteral("redis://127.0.0.1:%1").arg(port);
    OrderStreamService service(config);
    QString error;
    QVERIFY(!service.start(&error));
    QVERIFY2(error.contains(QStringLiteral("cannot connect to Redis at 127.0.0.1:%1").arg(port)),
             qPrintable(error));
}

QTEST_GUILESS_MAIN(tst_Cluster)
#include "tst_cluster.moc"
