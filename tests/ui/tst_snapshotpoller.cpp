#include "orderstreamservice.h"
#include "snapshotpoller.h"
#include "testservice.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

// The poller against a real service, publishing through its hub.
class tst_SnapshotPoller : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void handsOnOnlyNewEvents();
    void countsEventsBeyondBatch();
    void restartedServiceContinuesIds();

private:
    void publish(int count, const QString &orderId);

    QTemporaryDir m_dir;
    std::unique_ptr<OrderStreamService> m_service;
};

void tst_SnapshotPoller::init()
{
    QVERIFY(m_dir.isValid());
    QString error;
    QVERIFY2(startTestService(m_service, testServerConfig(m_dir, 1), &error), qPrintable(error));
}

void tst_SnapshotPoller::cleanup()
{
    m_service.reset();
}

void tst_SnapshotPoller::publish(int count, const QString &orderId)
{
    const quint64 target = m_service->snapshot(0, 0).lastEventId + quint64(count);
    for (int i = 0; i < count; ++i) {
        OrderEvent event;
        event.orderId = orderId;
        event.status = QStringLiteral("In progress");
        m_service->publishAsync(event);
    }
    QTRY_COMPARE(m_service->snapshot(0, 0).lastEventId, target);
}

void tst_SnapshotPoller::handsOnOnlyNewEvents()
{
    SnapshotPoller poller(m_service.get());
    QSignalSpy snapshotSpy(&poller, &SnapshotPoller::snapshotTaken);
    publish(3, QStringLiteral("ORD-1"));

    poller.poll();
    QCOMPARE(snapshotSpy.count(), 1);
    QCOMPARE(poller.latest().events.size(), 3);
    QCOMPARE(poller.lastSeenEventId(), quint64(3));

    poller.poll();
    QVERIFY(poller.latest().events.isEmpty());
    QCOMPARE(poller.latest().eventsPublished, quint64(3));

    publish(2, QStringLiteral("ORD-2"));
    poller.poll();
    QCOMPARE(poller.latest().events.size(), 2);
    QCOMPARE(poller.latest().events.constFirst().id, quint64(4));
    QCOMPARE(poller.latest().orders.size(), 2);
    QCOMPARE(poller.eventsSkipped(), quint64(0));
}

void tst_SnapshotPoller::countsEventsBeyondBatch()
{
    SnapshotPoller poller(m_service.get());
    const int published = SnapshotPoller::MaxEventsPerSnapshot + 250;
    publish(published, QStringLiteral("ORD-1"));

    poller.poll();

    QCOMPARE(poller.latest().events.size(), SnapshotPoller::MaxEventsPerSnapshot);
    QCOMPARE(poller.latest().events.constLast().id, quint64(published));
    QCOMPARE(poller.eventsSkipped(), quint64(250));
    QCOMPARE(poller.lastSeenEventId(), quint64(published));
}

void tst_SnapshotPoller::restartedServiceContinuesIds()
{
    SnapshotPoller poller(m_service.get());
    QSignalSpy resetSpy(&poller, &SnapshotPoller::historyReset);
    publish(5, QStringLiteral("ORD-1"));
    poller.poll();
    QCOMPARE(poller.lastSeenEventId(), quint64(5));

    // The journal keeps ids increasing across a restart, so the poller goes
    // on from where it was instead of starting its history again.
    m_service->stop();
    QString error;
    QVERIFY2(m_service->start(&error), qPrintable(error));
    publish(2, QStringLiteral("ORD-2"));
    poller.poll();

    QCOMPARE(resetSpy.count(), 0);
    QCOMPARE(poller.lastSeenEventId(), quint64(7));
    QCOMPARE(poller.latest().events.size(), 2);
    QCOMPARE(poller.eventsSkipped(), quint64(0));
}

QTEST_GUILESS_MAIN(tst_SnapshotPoller)
#include "tst_snapshotpoller.moc"
