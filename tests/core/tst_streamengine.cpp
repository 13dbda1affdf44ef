#include "sseframe.h"
#include "ssetestclient.h"
#include "streamengine.h"

#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <QTimer>

#include <fcntl.h>

#include <future>
#include <memory>
#include <vector>

// The streaming engine on its own: streams are accepted by a QTcpServer in
// the test, handed over exactly as the HTTP server does (duplicate the
// descriptor, abort the QTcpSocket), and fed by publish() from this thread.
class tst_StreamEngine : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void handoffKeepsEveryByteInOrder();
    void slowConsumerIsDropped();
    void heartbeatsReachEveryIdleStream();
    void clientCloseRemovesStream();
    void stopClosesEveryStream();
    void publishRejectedWhenInboxFull();
    void replayThenLiveWithoutGapOrDuplicate();
    void resyncFrameStartsStream();
    void expiredTokenClosesStream();

private:
    // Connects a client to m_listener and hands the accepted socket to engine.
    SseTestClient *openStream(StreamEngine &engine, const QString &orderId,
                              qint64 clientReadBufferSize = 0,
                              std::optional<quint64> lastEventId = std::nullopt,
                              qint64 expiresAtMs = 0);

    QTcpServer m_listener;
    std::vector<std::unique_ptr<SseTestClient>> m_clients;
};

namespace {

const QByteArray Preamble = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\n"
                            "retry: 1000\n\n";

QByteArray frameFor(int sequence, int padding = 0)
{
    return "id: " + QByteArray::number(sequence) + "\nevent: order.update\ndata: {\"n\":"
            + QByteArray::number(sequence) + ",\"pad\":\"" + QByteArray(padding, 'p') + "\"}\n\n";
}

StreamEngineConfig smallConfig()
{
    StreamEngineConfig config;
    config.workers = 2;
    config.heartbeatIntervalMs = 0;
    return config;
}

} // namespace

void tst_StreamEngine::init()
{
    QVERIFY(m_listener.listen(QHostAddress::LocalHost, 0));
}

void tst_StreamEngine::cleanup()
{
    m_clients.clear();
    m_listener.close();
}

SseTestClient *tst_StreamEngine::openStream(StreamEngine &engine, const QString &orderId,
                                            qint64 clientReadBufferSize,
                                            std::optional<quint64> lastEventId,
                                            qint64 expiresAtMs)
{
    auto client = std::make_unique<SseTestClient>();
    if (clientReadBufferSize > 0)
        client->socket().setReadBufferSize(clientReadBufferSize);
    client->open(m_listener.serverPort(), "/orders/" + orderId.toLatin1() + "/events");

    if (!m_listener.hasPendingConnections() && !m_listener.waitForNewConnection(5000))
        return nullptr;
    QTcpSocket *accepted = m_listener.nextPendingConnection();
    const int fd = ::fcntl(int(accepted->socketDescriptor()), F_DUPFD_CLOEXEC, 0);
    accepted->abort();
    delete accepted;

    StreamInfo info;
    info.orderId = orderId;
    info.remoteAddress = QStringLiteral("127.0.0.1");
    info.connectedAt = QDateTime::currentDateTimeUtc();
    info.lastEventId = lastEventId;
    info.expiresAtMs = expiresAtMs;
    engine.adopt(fd, info, Preamble);

    m_clients.push_back(std::move(client));
    return m_clients.back().get();
}

void tst_StreamEngine::handoffKeepsEveryByteInOrder()
{
    StreamEngine engine(smallConfig());
    engine.start();

    QList<SseTestClient *> clients;
    for (int i = 0; i < 4; ++i) {
        SseTestClient *client = openStream(engine, QStringLiteral("A1"));
        QVERIFY(client);
        clients.append(client);
    }
    QTRY_COMPARE(engine.snapshot().connections, 4);
    QCOMPARE(engine.snapshot().subscribersPerOrder.value(QStringLiteral("A1")), 4);

    const int count = 5000;
    QByteArray expected = "retry: 1000\n\n";
    for (int i = 1; i <= count; ++i) {
        const QByteArray frame = frameFor(i, i % 97);
        expected += frame;
        QVERIFY(engine.publish(QStringLiteral("A1"), quint64(i), frame));
    }

    for (SseTestClient *client : clients) {
        QTRY_COMPARE_WITH_TIMEOUT(client->body().size(), expected.size(), 20000);
        QCOMPARE(client->body(), expected);
        QCOMPARE(client->statusCode(), 200);
    }
    QCOMPARE(engine.snapshot().framesDelivered, quint64(4 * count));
}

void tst_StreamEngine::slowConsumerIsDropped()
{
    StreamEngineConfig config = smallConfig();
    config.maxUnsentBytes = 64 * 1024;
    StreamEngine engine(config);
    engine.start();

    SseTestClient *reader = openStream(engine, QStringLiteral("A1"));
    // A read buffer of one byte makes QTcpSocket stop reading from the kernel,
    // like a browser tab that hangs: the server's unsent bytes then grow.
    SseTestClient *stalled = openStream(engine, QStringLiteral("A1"), 1);
    QVERIFY(reader);
    QVERIFY(stalled);
    QTRY_COMPARE(engine.snapshot().connections, 2);

    // Publish 8 KiB frames until the stalled stream passes the bound, at most
    // 4,000 frames (32 MiB, more than loopback socket buffers can hold). The
    // reader runs on this thread too, so a frame is published only while it
    // is at most 2 frames behind: 24 KiB fit the smallest socket buffers, and
    // only the stalled stream falls behind.
    int published = 0;
    QTimer publisher;
    connect(&publisher, &QTimer::timeout, this, [&] {
        if (published >= 4000 || engine.snapshot().slowConsumersDropped > 0) {
            publisher.stop();
            return;
        }
        if (published - reader->events().size() <= 2) {
            ++published;
            QVERIFY(engine.publish(QStringLiteral("A1"), quint64(published), frameFor(published, 8192)));
        }
    });
    publisher.start(0);

    QTRY_COMPARE_WITH_TIMEOUT(engine.snapshot().slowConsumersDropped, quint64(1), 30000);
    QTRY_COMPARE(engine.snapshot().connections, 1);
    QTRY_VERIFY(!publisher.isActive());

    // The healthy stream received every frame, in order.
    QTRY_COMPARE_WITH_TIMEOUT(reader->events().size(), published, 20000);
    QCOMPARE(reader->events().last().id, QByteArray::number(published));
    QVERIFY(reader->isConnected());

    stalled->socket().setReadBufferSize(0);
    QTRY_VERIFY(!stalled->isConnected());
}

void tst_StreamEngine::heartbeatsReachEveryIdleStream()
{
    StreamEngineConfig config = smallConfig();
    config.heartbeatIntervalMs = 100;
    StreamEngine engine(config);
    engine.start();

    QList<SseTestClient *> clients;
    for (int i = 0; i < 20; ++i) {
        SseTestClient *client = openStream(engine, QStringLiteral("order-%1").arg(i % 3));
        QVERIFY(client);
        clients.append(client);
    }
    QTRY_COMPARE(engine.snapshot().connections, 20);

    for (SseTestClient *client : clients)
        QTRY_VERIFY(client->heartbeatCount() >= 2);
    QVERIFY(engine.snapshot().heartbeatsSent >= 40);
}

void tst_StreamEngine::clientCloseRemovesStream()
{
    StreamEngine engine(smallConfig());
    engine.start();

    SseTestClient *first = openStream(engine, QStringLiteral("A1"));
    SseTestClient *second = openStream(engine, QStringLiteral("B2"));
    QVERIFY(first);
    QVERIFY(second);
    QTRY_COMPARE(engine.snapshot().connections, 2);

    first->close();
    QTRY_COMPARE(engine.snapshot().connections, 1);
    StreamEngineSnapshot snapshot = engine.snapshot();
    QVERIFY(!snapshot.subscribersPerOrder.contains(QStringLiteral("A1")));
    QCOMPARE(snapshot.subscribersPerOrder.value(QStringLiteral("B2")), 1);

    // A publish to an order whose only stream left goes nowhere and breaks nothing.
    QVERIFY(engine.publish(QStringLiteral("A1"), 1, frameFor(1)));
    QVERIFY(engine.publish(QStringLiteral("B2"), 2, frameFor(2)));
    QTRY_COMPARE(second->events().size(), 1);

    second->close();
    QTRY_COMPARE(engine.snapshot().connections, 0);
    QVERIFY(engine.snapshot().subscribersPerOrder.isEmpty());
    QCOMPARE(engine.snapshot().streamsClosed, quint64(2));
}

void tst_StreamEngine::stopClosesEveryStream()
{
    StreamEngine engine(smallConfig());
    engine.start();

    QList<SseTestClient *> clients;
    for (int i = 0; i < 10; ++i) {
        SseTestClient *client = openStream(engine, QStringLiteral("A1"));
        QVERIFY(client);
        clients.append(client);
    }
    QTRY_COMPARE(engine.snapshot().connections, 10);
    // Each client has sent its request before the server closes: a request
    // written after the close would get RST, which may discard the frames
    // the client has not read yet.
    for (SseTestClient *client : clients)
        QTRY_VERIFY(client->headComplete());
    QVERIFY(engine.publish(QStringLiteral("A1"), 1, frameFor(1)));

    engine.stop();
    QCOMPARE(engine.snapshot().connections, 0);
    for (SseTestClient *client : clients) {
        QTRY_VERIFY(!client->isConnected());
        // The frame queued before stop() was sent before the close.
        QCOMPARE(client->events().size(), 1);
    }

    // Streams handed over after stop() are closed at once.
    SseTestClient *late = openStream(engine, QStringLiteral("A1"));
    QVERIFY(late);
    QTRY_VERIFY(!late->isConnected());
    QVERIFY(late->body().isEmpty());
}

void tst_StreamEngine::publishRejectedWhenInboxFull()
{
    StreamEngineConfig config = smallConfig();
    config.inboxCapacity = 3;
    // Not started: nothing drains the inboxes, so they fill deterministically.
    StreamEngine engine(config);

    QVERIFY(engine.publish(QStringLiteral("A1"), 1, frameFor(1)));
    QVERIFY(engine.publish(QStringLiteral("A1"), 2, frameFor(2)));
    QVERIFY(engine.publish(QStringLiteral("A1"), 3, frameFor(3)));
    QVERIFY(!engine.publish(QStringLiteral("A1"), 4, frameFor(4)));
    QCOMPARE(engine.snapshot().publishesRejected, quint64(1));
}

void tst_StreamEngine::replayThenLiveWithoutGapOrDuplicate()
{
    // The replay source blocks until the test has published live events, so
    // live events 5 to 7 arrive while the stored 4 to 6 are being read.
    std::promise<void> sourceEntered;
    std::promise<void> releaseSource;
    std::shared_future<void> release = releaseSource.get_future().share();
    quint64 requestedAfter = 0;

    StreamEngine engine(smallConfig());
    engine.setReplaySource([&](const QString &, quint64 afterId) {
        requestedAfter = afterId;
        sourceEntered.set_value();
        release.wait();
        ReplayFrames replay;
        for (quint64 id = afterId + 1; id <= 6; ++id)
            replay.frames.emplace_back(id, frameFor(int(id)));
        replay.coveredThroughId = 6;
        return replay;
    });
    std::atomic<int> resumedCount{0};
    StreamObserver observer;
    observer.resumed = [&](const StreamInfo &, const ReplayFrames &) { ++resumedCount; };
    engine.setObserver(observer);
    engine.start();

    SseTestClient *client = openStream(engine, QStringLiteral("A1"), 0, 3);
    QVERIFY(client);
    QTRY_COMPARE(engine.snapshot().connections, 1);
    QCOMPARE(sourceEntered.get_future().wait_for(std::chrono::seconds(10)),
             std::future_status::ready);
    QCOMPARE(requestedAfter, quint64(3));

    for (int id = 5; id <= 7; ++id)
        QVERIFY(engine.publish(QStringLiteral("A1"), quint64(id), frameFor(id)));
    // Held, not sent, until the replay is in.
    QTRY_VERIFY(client->headComplete());
    QVERIFY(client->events().isEmpty());

    releaseSource.set_value();
    QTRY_COMPARE(client->events().size(), 4);
    QList<QByteArray> ids;
    for (const SseTestClient::Frame &frame : client->events())
        ids.append(frame.id);
    QCOMPARE(ids, (QList<QByteArray>{"4", "5", "6", "7"}));
    QTRY_COMPARE(resumedCount.load(), 1);

    QVERIFY(engine.publish(QStringLiteral("A1"), 8, frameFor(8)));
    QTRY_COMPARE(client->events().size(), 5);
    QCOMPARE(client->events().last().id, QByteArray("8"));
    QCOMPARE(engine.connections(10).first().eventsSent, quint64(5));
    QCOMPARE(engine.connections(10).first().lastSentId, quint64(8));
}

void tst_StreamEngine::resyncFrameStartsStream()
{
    StreamEngine engine(smallConfig());
    engine.setReplaySource([](const QString &, quint64) {
        ReplayFrames replay;
        replay.resync = true;
        replay.frames.emplace_back(10, QByteArray("id: 10\nevent: order.resync\ndata: {}\n\n"));
        replay.coveredThroughId = 10;
        return replay;
    });
    engine.start();

    SseTestClient *client = openStream(engine, QStringLiteral("A1"), 0, 999);
    QVERIFY(client);
    QTRY_COMPARE(client->events().size(), 1);
    QCOMPARE(client->events().first().event, QByteArray("order.resync"));

    // Events the resync covered are not sent again; later ones are.
    QVERIFY(engine.publish(QStringLiteral("A1"), 9, frameFor(9)));
    QVERIFY(engine.publish(QStringLiteral("A1"), 11, frameFor(11)));
    QTRY_COMPARE(client->events().size(), 2);
    QCOMPARE(client->events().last().id, QByteArray("11"));
}

void tst_StreamEngine::expiredTokenClosesStream()
{
    StreamEngine engine(smallConfig());
    engine.start();

    const qint64 nowMs = QDateTime::currentMSecsSinceEpoch();
    // Far enough ahead that all three streams are adopted first, even on a
    // loaded machine.
    SseTestClient *expiring = openStream(engine, QStringLiteral("A1"), 0, std::nullopt, nowMs + 2000);
    SseTestClient *later = openStream(engine, QStringLiteral("A1"), 0, std::nullopt, nowMs + 3600000);
    SseTestClient *never = openStream(engine, QStringLiteral("A1"));
    QVERIFY(expiring);
    QVERIFY(later);
    QVERIFY(never);
    QTRY_COMPARE(engine.snapshot().connections, 3);

    QTRY_VERIFY_WITH_TIMEOUT(!expiring->isConnected(), 15000);
    QVERIFY(expiring->body().endsWith(": token expired; reconnect with a fresh token\n\n"));
    QCOMPARE(engine.snapshot().connections, 2);

    QVERIFY(engine.publish(QStringLiteral("A1"), 1, frameFor(1)));
    QTRY_COMPARE(later->events().size(), 1);
    QTRY_COMPARE(never->events().size(), 1);
    QVERIFY(later->isConnected());
}

QTEST_GUILESS_MAIN(tst_StreamEngine)
#include "tst_streamengine.moc"
