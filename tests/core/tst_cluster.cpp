#include "eventstore.h"
#include "orderstreamservice.h"
#include "rediseventstore.h"
#include "redispresence.h"
#include "redistestserver.h"
#include "ssetestclient.h"
#include "testservice.h"

#include <QDir>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include <atomic>
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
    void redisThatLostItsDataResyncs();
    void presenceAppearsAndExpires();
    void ingestAndLifecycleAcrossInstances();
    void retentionTrimsAndReplayResyncs();
    void historyQueryPagesNewestFirst();
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
    // on the instance treats Redis as unreachable. No publish is acknowledged.
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

void tst_Cluster::redisThatLostItsDataResyncs()
{
    const auto a = startInstance(QStringLiteral("a"));
    QVERIFY(a);
    const quint64 first = publish(a->port(), "ORD-L", "one");
    const quint64 second = publish(a->port(), "ORD-L", "two");
    QVERIFY(first > 0 && second > first);
    QTRY_COMPARE(a->snapshot(0, 0).lastEventId, second);

    // Redis comes back on the same port without its append-only file.
    const quint16 port = m_redis->port();
    m_redis->stop();
    const QString dataDir = m_dir.filePath(QLatin1String(QTest::currentTestFunction()));
    QVERIFY(QDir(dataDir).removeRecursively());
    QVERIFY(QDir().mkpath(dataDir));
    QString error;
    QVERIFY2(m_redis->start(&error, port), qPrintable(error));

    // Ids keep increasing, and a client that saw the first event learns that
    // what followed it is gone.
    quint64 third = 0;
    QVERIFY(QTest::qWaitFor([&] { return (third = publish(a->port(), "ORD-L", "three")) > 0; },
                            15000));
    QVERIFY2(third > second, qPrintable(QStringLiteral("%1 after %2").arg(third).arg(second)));
    const ReplayResult behind = a->store()->readAfter(QStringLiteral("ORD-L"), first, 10);
    QVERIFY(behind.resyncNeeded);
    QVERIFY2(behind.resyncReason.contains(QLatin1String("Redis lost the events")),
             qPrintable(behind.resyncReason));
    const ReplayResult current = a->store()->readAfter(QStringLiteral("ORD-L"), second, 10);
    QVERIFY(!current.resyncNeeded);
    QCOMPARE(current.events.size(), 1);
    QCOMPARE(current.events.first().id, third);
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

void tst_Cluster::ingestAndLifecycleAcrossInstances()
{
    const auto a = startInstance(QStringLiteral("a"));
    const auto b = startInstance(QStringLiteral("b"));
    QVERIFY(a && b);

    // An upstream retry that lands on the other instance adds no second event.
    const QByteArray delivery = R"({"channel":"/event/Order_Status__e","data":{"schema":"x",)"
                                R"("payload":{"Order_Id__c":"ORD-IN","Status__c":"Activating",)"
                                R"("Stage__c":"Activating"},"event":{"replayId":77}}})";
    const HttpTestResponse first = sendHttpRequest(a->port(), "POST", "/ingest/platform-events",
                                                   delivery);
    QCOMPARE(first.status, 202);
    const qint64 id = QJsonDocument::fromJson(first.body).object().value(QLatin1String("id")).toInteger();
    const HttpTestResponse again = sendHttpRequest(b->port(), "POST", "/ingest/platform-events",
                                                   delivery);
    QCOMPARE(again.status, 200);
    const QJsonObject duplicate = QJsonDocument::fromJson(again.body).object();
    QVERIFY(duplicate.value(QLatin1String("duplicate")).toBool());
    QCOMPARE(duplicate.value(QLatin1String("id")).toInteger(), id);
    QCOMPARE(a->store()->readAfter(QStringLiteral("ORD-IN"), 0, 10).events.size(), 1);

    // A stage stored through one instance is the base of the check on another,
    // also one started later, which loads it from Redis.
    const HttpTestResponse cancelled = sendHttpRequest(
            a->port(), "POST", "/orders/ORD-IN/events", R"({"status":"Cancelled"})");
    QCOMPARE(cancelled.status, 202);
    QTRY_COMPARE(b->snapshot(0, 0).lastEventId,
                 quint64(QJsonDocument::fromJson(cancelled.body).object().value(QLatin1String("id")).toInteger()));
    QCOMPARE(sendHttpRequest(b->port(), "POST", "/orders/ORD-IN/events",
                             R"({"status":"Activating"})").status, 409);
    const auto c = startInstance(QStringLiteral("c"));
    QVERIFY(c);
    QCOMPARE(sendHttpRequest(c->port(), "POST", "/orders/ORD-IN/events",
                             R"({"status":"Provisioning"})").status, 409);
    const HttpTestResponse order = sendHttpRequest(c->port(), "GET", "/orders/ORD-IN");
    QCOMPARE(order.status, 200);
    QCOMPARE(QJsonDocument::fromJson(order.body).object().value(QLatin1String("stage")).toString(),
             QStringLiteral("Cancelled"));
}

void tst_Cluster::retentionTrimsAndReplayResyncs()
{
    RedisStoreConfig config;
    QString error;
    config.url = *RedisUrl::parse(m_redis->url(), &error);
    config.maxEventsPerOrder = 3;
    config.maxAgeSeconds = 0;
    RedisEventStore store(config);
    QVERIFY2(store.open(&error), qPrintable(error));

    QList<quint64> ids;
    for (int i = 0; i < 5; ++i) {
        OrderEvent event;
        event.orderId = QStringLiteral("ORD-R");
        event.type = QLatin1String(OrderEventType::Update);
        event.status = QString::number(i);
        // The callback runs on the store's writer thread.
        std::atomic<quint64> storedId{0};
        std::atomic<bool> done{false};
        QVERIFY(store.append(event, [&](const AppendResult &result) {
            storedId = result.stored ? result.stored->id : 0;
            done = true;
        }));
        QTRY_VERIFY(done.load());
        ids.append(storedId.load());
    }
    QCOMPARE(ids.size(), 5);

    // The two oldest were trimmed: a client that saw the first misses the second.
    const ReplayResult behind = store.readAfter(QStringLiteral("ORD-R"), ids[0], 100);
    QVERIFY(behind.resyncNeeded);
    QVERIFY2(behind.resyncReason.contains(QLatin1String("trimmed by retention")),
             qPrintable(behind.resyncReason));

    // One that saw the second misses nothing that was trimmed.
    const ReplayResult current = store.readAfter(QStringLiteral("ORD-R"), ids[1], 100);
    QVERIFY(!current.resyncNeeded);
    QCOMPARE(current.events.size(), 3);
    QCOMPARE(current.events.first().id, ids[2]);
    QCOMPARE(current.lastEventId, ids[4]);

    // A limit smaller than what was missed truncates.
    const ReplayResult limited = store.readAfter(QStringLiteral("ORD-R"), ids[1], 2);
    QVERIFY(limited.truncated);
    QCOMPARE(limited.events.size(), 2);

    // An id above every assigned one resyncs, as after a wiped store.
    const ReplayResult ahead = store.readAfter(QStringLiteral("ORD-R"), ids[4] + 10, 100);
    QVERIFY(ahead.resyncNeeded);
    QVERIFY2(ahead.resyncReason.contains(QLatin1String("newer than anything stored")),
             qPrintable(ahead.resyncReason));

    const std::optional<OrderSummary> summary = store.orderSummary(QStringLiteral("ORD-R"));
    QVERIFY(summary);
    QCOMPARE(summary->lastEventId, ids[4]);
    QCOMPARE(summary->lastStatus, QStringLiteral("4"));
    QCOMPARE(summary->eventCount, quint64(3));
    store.close();
}

void tst_Cluster::historyQueryPagesNewestFirst()
{
    RedisStoreConfig config;
    QString error;
    config.url = *RedisUrl::parse(m_redis->url(), &error);
    RedisEventStore store(config);
    QVERIFY2(store.open(&error), qPrintable(error));

    std::atomic<int> stored{0};
    for (int i = 0; i < 1200; ++i) {
        OrderEvent event;
        event.orderId = i % 2 ? QStringLiteral("ORD-ODD") : QStringLiteral("ORD-EVEN");
        event.type = QLatin1String(OrderEventType::Update);
        event.status = i % 100 == 0 ? QStringLiteral("Failed") : QStringLiteral("Active");
        QVERIFY(store.append(event, [&](const AppendResult &result) {
            stored += result.stored ? 1 : 0;
        }));
    }
    QTRY_COMPARE(stored.load(), 1200);

    JournalQuery failed;
    failed.status = QStringLiteral("failed");
    failed.limit = 100;
    const QList<OrderEvent> failures = store.query(failed);
    QCOMPARE(failures.size(), 12);
    QVERIFY(failures.first().id > failures.last().id);

    JournalQuery page;
    page.orderId = QStringLiteral("ORD-ODD");
    page.limit = 250;
    const QList<OrderEvent> first = store.query(page);
    QCOMPARE(first.size(), 250);
    page.beforeId = first.last().id;
    const QList<OrderEvent> second = store.query(page);
    QCOMPARE(second.size(), 250);
    QVERIFY(second.first().id < first.last().id);
    for (const OrderEvent &event : second)
        QCOMPARE(event.orderId, QStringLiteral("ORD-ODD"));

    const QList<OrderSummary> orders = store.orderSummaries();
    QCOMPARE(orders.size(), 2);
    QCOMPARE(orders[0].orderId, QStringLiteral("ORD-EVEN"));
    QCOMPARE(orders[0].eventCount, quint64(600));
    store.close();
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
