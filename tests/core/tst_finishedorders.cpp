#include "orderstreamservice.h"
#include "ssetestclient.h"
#include "testservice.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

// Streams of an order that reached a final stage (Completed, Failed,
// Cancelled), over real sockets with the SQLite journal in a temporary folder.
class tst_FinishedOrders : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void liveStreamClosedAfterFinalEvent();
    void failedOrderClosesStream();
    void lateStreamReplaysMissedThenCloses();
    void lateStreamGetsFinalEventOnly();
    void coveredLastEventIdIs204_data();
    void coveredLastEventIdIs204();
    void informationAfterFinalIsReplayed();
    void overrideReopensOrder();
    void optionOffKeepsStreamsOpen();

private:
    void startService(bool closeFinishedStreams = true);
    quint64 publish(const QByteArray &orderId, const QByteArray &body);
    quint64 publishStage(const QByteArray &orderId, const QByteArray &stage);
    // Publishes the default lifecycle's success path for orderId; returns the last id.
    quint64 publishToCompleted(const QByteArray &orderId);
    static QList<quint64> eventIds(const SseTestClient &client);
    static QString stageOf(const SseTestClient::Frame &frame);

    QTemporaryDir m_dir;
    std::unique_ptr<OrderStreamService> m_service;
    quint16 m_port = 0;
};

void tst_FinishedOrders::init()
{
    QVERIFY(m_dir.isValid());
}

void tst_FinishedOrders::cleanup()
{
    m_service.reset();
}

void tst_FinishedOrders::startService(bool closeFinishedStreams)
{
    ServerConfig config = testServerConfig(m_dir, 2);
    QString name = QLatin1String(QTest::currentTestFunction()) + QLatin1Char('-')
            + QLatin1String(QTest::currentDataTag());
    name.replace(QLatin1Char(' '), QLatin1Char('_'));
    config.journalPath = m_dir.filePath(name + QLatin1String(".db"));
    // Heartbeats show that a stream is still open.
    config.heartbeatIntervalMs = 100;
    config.closeFinishedStreams = closeFinishedStreams;
    QString error;
    QVERIFY2(startTestService(m_service, config, &error), qPrintable(error));
    m_port = m_service->port();
}

quint64 tst_FinishedOrders::publish(const QByteArray &orderId, const QByteArray &body)
{
    const HttpTestResponse response =
            sendHttpRequest(m_port, "POST", "/orders/" + orderId + "/events", body);
    if (response.status != 202) {
        qWarning() << "publish failed" << response.status << response.body;
        return 0;
    }
    return quint64(QJsonDocument::fromJson(response.body).object().value(QStringLiteral("id")).toInteger());
}

quint64 tst_FinishedOrders::publishStage(const QByteArray &orderId, const QByteArray &stage)
{
    return publish(orderId, R"({"status":")" + stage + R"(","stage":")" + stage
                           + R"(","message":"reached )" + stage + R"("})");
}

quint64 tst_FinishedOrders::publishToCompleted(const QByteArray &orderId)
{
    quint64 id = 0;
    for (const char *stage : {"Activating", "Provisioning", "Active", "Completed"}) {
        id = publishStage(orderId, stage);
        if (id == 0)
            return 0;
    }
    return id;
}

QList<quint64> tst_FinishedOrders::eventIds(const SseTestClient &client)
{
    QList<quint64> ids;
    for (const SseTestClient::Frame &frame : client.events())
        ids.append(frame.id.toULongLong());
    return ids;
}

QString tst_FinishedOrders::stageOf(const SseTestClient::Frame &frame)
{
    return QJsonDocument::fromJson(frame.data).object().value(QStringLiteral("stage")).toString();
}

void tst_FinishedOrders::liveStreamClosedAfterFinalEvent()
{
    startService();
    SseTestClient finishing;
    SseTestClient other;
    finishing.open(m_port, "/orders/A1/events");
    other.open(m_port, "/orders/B2/events");
    QTRY_COMPARE(m_service->snapshot(0, 0).connections, 2);

    QVERIFY(publishStage("A1", "Activating") > 0);
    QVERIFY(publishStage("B2", "Activating") > 0);
    QVERIFY(publishStage("A1", "Provisioning") > 0);
    QVERIFY(publishStage("A1", "Active") > 0);
    QTRY_COMPARE(finishing.events().size(), 3);
    QVERIFY(finishing.isConnected());

    const quint64 finalId = publishStage("A1", "Completed");
    QVERIFY(finalId > 0);
    QTRY_VERIFY(!finishing.isConnected());
    QCOMPARE(eventIds(finishing).size(), 4);
    QCOMPARE(eventIds(finishing).last(), finalId);
    QCOMPARE(stageOf(finishing.events().last()), QStringLiteral("Completed"));

    // The other order's stream stays open and keeps receiving.
    QTRY_COMPARE(m_service->snapshot(0, 0).connections, 1);
    QVERIFY(other.isConnected());
    const int heartbeats = other.heartbeatCount();
    QTRY_VERIFY(other.heartbeatCount() > heartbeats);
    QVERIFY(publishStage("B2", "Provisioning") > 0);
    QTRY_COMPARE(other.events().size(), 2);
}

void tst_FinishedOrders::failedOrderClosesStream()
{
    startService();
    SseTestClient client;
    client.open(m_port, "/orders/F1/events");
    QTRY_COMPARE(m_service->snapshot(0, 0).connections, 1);

    QVERIFY(publishStage("F1", "Activating") > 0);
    QVERIFY(publish("F1", R"({"status":"Failed","stage":"Failed","message":"SIM card rejected"})") > 0);
    QTRY_VERIFY(!client.isConnected());
    QCOMPARE(client.events().size(), 2);
    QCOMPARE(stageOf(client.events().last()), QStringLiteral("Failed"));
}

void tst_FinishedOrders::lateStreamReplaysMissedThenCloses()
{
    startService();
    const quint64 finalId = publishToCompleted("A1");
    QCOMPARE(finalId, quint64(4));

    SseTestClient client;
    client.open(m_port, "/orders/A1/events", {"Last-Event-ID: 2"});
    QTRY_VERIFY(client.headComplete());
    QTRY_VERIFY(!client.isConnected());
    QCOMPARE(client.statusCode(), 200);
    QCOMPARE(eventIds(client), (QList<quint64>{3, 4}));
    QCOMPARE(stageOf(client.events().last()), QStringLiteral("Completed"));
    QTRY_COMPARE(m_service->snapshot(0, 0).connections, 0);
}

void tst_FinishedOrders::lateStreamGetsFinalEventOnly()
{
    startService();
    QVERIFY(publishStage("B2", "Activating") > 0);
    const quint64 finalId = publishToCompleted("A1");
    QVERIFY(finalId > 0);
    QVERIFY(publishStage("B2", "Provisioning") > 0);

    SseTestClient client;
    client.open(m_port, "/orders/A1/events");
    QTRY_VERIFY(client.headComplete());
    QTRY_VERIFY(!client.isConnected());
    QCOMPARE(client.statusCode(), 200);
    QCOMPARE(eventIds(client), QList<quint64>{finalId});
    QCOMPARE(stageOf(client.events().first()), QStringLiteral("Completed"));
}

void tst_FinishedOrders::coveredLastEventIdIs204_data()
{
    QTest::addColumn<QByteArray>("path");
    QTest::addColumn<QList<QByteArray>>("headers");

    QTest::newRow("header") << QByteArray("/orders/A1/events") << QList<QByteArray>{"Last-Event-ID: 4"};
    QTest::newRow("query") << QByteArray("/orders/A1/events?lastEventId=4") << QList<QByteArray>{};
    QTest::newRow("header above final") << QByteArray("/orders/A1/events")
                                        << QList<QByteArray>{"Last-Event-ID: 9"};
}

void tst_FinishedOrders::coveredLastEventIdIs204()
{
    QFETCH(QByteArray, path);
    QFETCH(QList<QByteArray>, headers);

    startService();
    QCOMPARE(publishToCompleted("A1"), quint64(4));

    const HttpTestResponse response = sendHttpRequest(m_port, "GET", path, {}, headers);
    QCOMPARE(response.status, 204);
    QVERIFY(response.body.isEmpty());
    QCOMPARE(m_service->snapshot(0, 0).streamsOpened, quint64(0));
}

void tst_FinishedOrders::informationAfterFinalIsReplayed()
{
    startService();
    QCOMPARE(publishToCompleted("A1"), quint64(4));
    // An update whose status matches no stage is information and may follow a final stage.
    const quint64 noteId = publish("A1", R"({"status":"Invoice sent"})");
    QCOMPARE(noteId, quint64(5));

    SseTestClient fromFinal;
    fromFinal.open(m_port, "/orders/A1/events", {"Last-Event-ID: 4"});
    QTRY_VERIFY(fromFinal.headComplete());
    QTRY_VERIFY(!fromFinal.isConnected());
    QCOMPARE(eventIds(fromFinal), QList<quint64>{noteId});

    QCOMPARE(sendHttpRequest(m_port, "GET", "/orders/A1/events", {}, {"Last-Event-ID: 5"}).status, 204);
}

void tst_FinishedOrders::overrideReopensOrder()
{
    startService();
    QCOMPARE(publishToCompleted("A1"), quint64(4));
    const quint64 reopenedId =
            publish("A1", R"({"status":"Active","stage":"Active","message":"reopened","override":true})");
    QCOMPARE(reopenedId, quint64(5));

    SseTestClient client;
    client.open(m_port, "/orders/A1/events", {"Last-Event-ID: 5"});
    QTRY_COMPARE(m_service->snapshot(0, 0).connections, 1);
    const int heartbeats = client.heartbeatCount();
    QTRY_VERIFY(client.heartbeatCount() > heartbeats);
    QVERIFY(client.isConnected());
    QCOMPARE(client.events().size(), 0);
}

void tst_FinishedOrders::optionOffKeepsStreamsOpen()
{
    startService(false);
    SseTestClient live;
    live.open(m_port, "/orders/A1/events");
    QTRY_COMPARE(m_service->snapshot(0, 0).connections, 1);
    QCOMPARE(publishToCompleted("A1"), quint64(4));
    QTRY_COMPARE(live.events().size(), 4);

    // Still open: heartbeats keep arriving after the final event.
    const int heartbeats = live.heartbeatCount();
    QTRY_VERIFY(live.heartbeatCount() > heartbeats);
    QVERIFY(live.isConnected());

    // A late stream is an ordinary stream: no replay without Last-Event-ID,
    // and a covered Last-Event-ID gets 200 and stays open.
    SseTestClient late;
    late.open(m_port, "/orders/A1/events", {"Last-Event-ID: 4"});
    QTRY_COMPARE(m_service->snapshot(0, 0).connections, 2);
    QTRY_VERIFY(late.heartbeatCount() > 0);
    QCOMPARE(late.statusCode(), 200);
    QVERIFY(late.events().isEmpty());
    QVERIFY(late.isConnected());
}

QTEST_GUILESS_MAIN(tst_FinishedOrders)
#include "tst_finishedorders.moc"
