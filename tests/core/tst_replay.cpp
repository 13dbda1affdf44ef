#include "eventjournal.h"
#include "orderstreamservice.h"
#include "ssetestclient.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include <memory>
#include <thread>

// Durable history and Last-Event-ID replay over real sockets, with the
// SQLite journal in a temporary folder.
class tst_Replay : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void reconnectReplaysMissedThenLive();
    void replayRacesPublishes();
    void lastEventIdFromQuery();
    void resyncWhenNewerThanStored();
    void resyncWhenTrimmedByRetention();
    void malformedLastEventIdStreamsAsAbsent_data();
    void malformedLastEventIdStreamsAsAbsent();
    void historySurvivesRestart();
    void orderStatusRoute();
    void reconnectIsRecorded();
    void stopClosesStreamsAndFlushes();

private:
    void startService(int maxEventsPerOrder = 1000);
    quint64 publish(const QByteArray &orderId, const QByteArray &status);
    static QList<quint64> eventIds(const SseTestClient &client);

    QTemporaryDir m_dir;
    std::unique_ptr<OrderStreamService> m_service;
    quint16 m_port = 0;
};

void tst_Replay::init()
{
    QVERIFY(m_dir.isValid());
}

void tst_Replay::cleanup()
{
    m_service.reset();
}

void tst_Replay::startService(int maxEventsPerOrder)
{
    ServerConfig config;
    QString name = QLatin1String(QTest::currentTestFunction()) + QLatin1Char('-')
            + QLatin1String(QTest::currentDataTag());
    name.replace(QLatin1Char(' '), QLatin1Char('_'));
    config.journalPath = m_dir.filePath(name + QLatin1String(".db"));
    config.port = 0;
    config.streamWorkers = 2;
    config.heartbeatIntervalMs = 0;
    config.maxEventsPerOrder = maxEventsPerOrder;
    m_service = std::make_unique<OrderStreamService>(config);
    QString error;
    QVERIFY2(m_service->start(&error), qPrintable(error));
    m_port = m_service->port();
}

quint64 tst_Replay::publish(const QByteArray &orderId, const QByteArray &status)
{
    const HttpTestResponse response = sendHttpRequest(
            m_port, "POST", "/orders/" + orderId + "/events", R"({"status":")" + status + R"("})");
    if (response.status != 202) {
        qWarning() << "publish failed" << response.status << response.body;
        return 0;
    }
    return quint64(QJsonDocument::fromJson(response.body).object().value(QStringLiteral("id")).toInteger());
}

QList<quint64> tst_Replay::eventIds(const SseTestClient &client)
{
    QList<quint64> ids;
    for (const SseTestClient::Frame &frame : client.events())
        ids.append(frame.id.toULongLong());
    return ids;
}

void tst_Replay::reconnectReplaysMissedThenLive()
{
    startService();
    auto first = std::make_unique<SseTestClient>();
    first->open(m_port, "/orders/A1/events");
    QTRY_COMPARE(m_service->snapshot(0, 0).connections, 1);
    for (int i = 1; i <= 3; ++i)
        QCOMPARE(publish("A1", "step"), quint64(i));
    QTRY_COMPARE(eventIds(*first), (QList<quint64>{1, 2, 3}));

    first.reset();
    QTRY_COMPARE(m_service->snapshot(0, 0).connections, 0);
    for (int i = 4; i <= 6; ++i)
        QCOMPARE(publish("A1", "away"), quint64(i));

    SseTestClient second;
    second.open(m_port, "/orders/A1/events", {"Last-Event-ID: 3"});
    QTRY_COMPARE(eventIds(second), (QList<quint64>{4, 5, 6}));
    QCOMPARE(second.events().first().event, QByteArray("order.update"));

    QCOMPARE(publish("A1", "live"), quint64(7));
    QTRY_COMPARE(eventIds(second), (QList<quint64>{4, 5, 6, 7}));
}

void tst_Replay::replayRacesPublishes()
{
    startService();
    for (int i = 0; i < 20; ++i)
        publish("A1", "before");
    const quint64 resumeFrom = 10;

    // Publishes run on another thread while the stream reconnects, so some
    // land before the replay is read, some during it, some after.
    const int racing = 150;
    QList<quint64> racingIds;
    std::thread publisher([&] {
        for (int i = 0; i < racing; ++i)
            racingIds.append(publish("A1", "racing"));
    });

    SseTestClient client;
    client.open(m_port, "/orders/A1/events", {"Last-Event-ID: " + QByteArray::number(resumeFrom)});
    publisher.join();
    QVERIFY(!racingIds.contains(0));

    QList<quint64> expected;
    for (quint64 id = resumeFrom + 1; id <= 20 + racing; ++id)
        expected.append(id);
    QTRY_COMPARE_WITH_TIMEOUT(eventIds(client).size(), expected.size(), 20000);
    QCOMPARE(eventIds(client), expected);
}

void tst_Replay::lastEventIdFromQuery()
{
    startService();
    for (int i = 0; i < 4; ++i)
        publish("A1", "step");

    SseTestClient client;
    client.open(m_port, "/orders/A1/events?lastEventId=2");
    QTRY_COMPARE(eventIds(client), (QList<quint64>{3, 4}));
}

void tst_Replay::resyncWhenNewerThanStored()
{
    startService();
    publish("A1", "step");
    publish("A1", "step");

    // An id from a journal that was since wiped is higher than anything stored.
    SseTestClient client;
    client.open(m_port, "/orders/A1/events", {"Last-Event-ID: 500"});
    QTRY_COMPARE(client.events().size(), 1);
    const SseTestClient::Frame resync = client.events().first();
    QCOMPARE(resync.event, QByteArray("order.resync"));
    QCOMPARE(resync.id, QByteArray("2"));
    const QJsonObject data = QJsonDocument::fromJson(resync.data).object();
    QCOMPARE(data.value(QStringLiteral("orderId")).toString(), QStringLiteral("A1"));
    QCOMPARE(data.value(QStringLiteral("lastEventId")).toInteger(), 500);
    QVERIFY(!data.value(QStringLiteral("reason")).toString().isEmpty());

    QCOMPARE(publish("A1", "after"), quint64(3));
    QTRY_COMPARE(eventIds(client), (QList<quint64>{2, 3}));
}

void tst_Replay::resyncWhenTrimmedByRetention()
{
    startService(3);
    for (int i = 0; i < 10; ++i)
        publish("A1", "step");
    m_service->store()->runRetentionNow();

    // Events 2 to 7 are gone; a client that saw 1 cannot be replayed.
    SseTestClient trimmed;
    trimmed.open(m_port, "/orders/A1/events", {"Last-Event-ID: 1"});
    QTRY_COMPARE(trimmed.events().size(), 1);
    QCOMPARE(trimmed.events().first().event, QByteArray("order.resync"));

    // A client within the kept window replays normally.
    SseTestClient kept;
    kept.open(m_port, "/orders/A1/events", {"Last-Event-ID: 8"});
    QTRY_COMPARE(eventIds(kept), (QList<quint64>{9, 10}));
}

void tst_Replay::malformedLastEventIdStreamsAsAbsent_data()
{
    QTest::addColumn<QByteArray>("header");
    QTest::newRow("letters") << QByteArray("Last-Event-ID: abc");
    QTest::newRow("negative") << QByteArray("Last-Event-ID: -4");
    QTest::newRow("too large") << QByteArray("Last-Event-ID: 99999999999999999999999");
    QTest::newRow("decimal point") << QByteArray("Last-Event-ID: 3.5");
}

void tst_Replay::malformedLastEventIdStreamsAsAbsent()
{
    QFETCH(QByteArray, header);
    startService();
    publish("A1", "stored");

    SseTestClient client;
    client.open(m_port, "/orders/A1/events", {header});
    QTRY_VERIFY(client.headComplete());
    QCOMPARE(client.statusCode(), 200);
    QTRY_COMPARE(m_service->snapshot(0, 0).connections, 1);
    QCOMPARE(publish("A1", "live"), quint64(2));
    // As if absent: no replay of event 1, only the live event.
    QTRY_COMPARE(eventIds(client), (QList<quint64>{2}));
}

void tst_Replay::historySurvivesRestart()
{
    startService();
    for (int i = 0; i < 3; ++i)
        publish("A1", "before restart");
    m_service->stop();

    QString error;
    QVERIFY2(m_service->start(&error), qPrintable(error));
    m_port = m_service->port();
    for (int i = 0; i < 3; ++i)
        QCOMPARE(publish("A1", "after restart"), quint64(4 + i));

    SseTestClient client;
    client.open(m_port, "/orders/A1/events", {"Last-Event-ID: 0"});
    QTRY_COMPARE(eventIds(client), (QList<quint64>{1, 2, 3, 4, 5, 6}));
    QCOMPARE(m_service->snapshot(0, 100).orders.first().eventCount, quint64(6));
}

void tst_Replay::orderStatusRoute()
{
    startService();
    QCOMPARE(sendHttpRequest(m_port, "GET", "/orders/A1").status, 404);
    publish("A1", "Activating");
    // The lifecycle lets Cancelled, but not Completed, follow Activating.
    publish("A1", "Cancelled");

    const HttpTestResponse response = sendHttpRequest(m_port, "GET", "/orders/A1");
    QCOMPARE(response.status, 200);
    const QJsonObject order = QJsonDocument::fromJson(response.body).object();
    QCOMPARE(order.value(QStringLiteral("status")).toString(), QStringLiteral("Cancelled"));
    QCOMPARE(order.value(QStringLiteral("stage")).toString(), QStringLiteral("Cancelled"));
    QCOMPARE(order.value(QStringLiteral("lastEventId")).toInteger(), 2);

    QCOMPARE(sendHttpRequest(m_port, "GET", "/orders/bad.id").status, 400);
    QCOMPARE(sendHttpRequest(m_port, "POST", "/orders/A1", "{}").status, 405);
}

void tst_Replay::reconnectIsRecorded()
{
    startService();
    auto first = std::make_unique<SseTestClient>();
    first->open(m_port, "/orders/A1/events");
    QTRY_COMPARE(m_service->snapshot(0, 0).connections, 1);
    publish("A1", "seen");
    QTRY_COMPARE(first->events().size(), 1);
    first.reset();
    QTRY_COMPARE(m_service->snapshot(0, 0).connections, 0);
    publish("A1", "missed");
    publish("A1", "missed");

    SseTestClient second;
    second.open(m_port, "/orders/A1/events", {"Last-Event-ID: 1"});
    QTRY_COMPARE(second.events().size(), 2);
    QTRY_COMPARE(m_service->reconnects(0, 10).size(), 1);
    const ReconnectRecord record = m_service->reconnects(0, 10).first();
    QCOMPARE(record.orderId, QStringLiteral("A1"));
    QCOMPARE(record.remoteAddress, QStringLiteral("127.0.0.1"));
    QCOMPARE(record.resumedFromId, std::optional<quint64>(1));
    QCOMPARE(record.eventsReplayed, 2);
    QCOMPARE(record.eventsMissed, 2);
    QVERIFY(record.awayMs.has_value());
    QVERIFY(!record.resync);
    QCOMPARE(m_service->snapshot(0, 0).reconnectsLastMinute, 1);

    // The same client coming back without Last-Event-ID is a reconnect too.
    second.close();
    QTRY_COMPARE(m_service->snapshot(0, 0).connections, 0);
    publish("A1", "missed again");
    SseTestClient third;
    third.open(m_port, "/orders/A1/events");
    QTRY_COMPARE(m_service->reconnects(0, 10).size(), 2);
    const ReconnectRecord plain = m_service->reconnects(0, 10).last();
    QVERIFY(!plain.resumedFromId.has_value());
    QCOMPARE(plain.eventsMissed, 1);

    const QList<StreamConnection> connections = m_service->connections(10);
    QCOMPARE(connections.size(), 1);
    QCOMPARE(connections.first().info.orderId, QStringLiteral("A1"));
}

void tst_Replay::stopClosesStreamsAndFlushes()
{
    startService();
    SseTestClient client;
    client.open(m_port, "/orders/A1/events");
    QTRY_COMPARE(m_service->snapshot(0, 0).connections, 1);
    publish("A1", "last words");

    m_service->stop();
    QTRY_VERIFY(!client.isConnected());
    QCOMPARE(eventIds(client), (QList<quint64>{1}));
}

QTEST_GUILESS_MAIN(tst_Replay)
#include "tst_replay.moc"
