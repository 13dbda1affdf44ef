#include "eventstore.h"
#include "fulfilmentsimulator.h"
#include "lifecycle.h"
#include "ordersmodel.h"
#include "orderstreamservice.h"
#include "simulatedialog.h"
#include "testservice.h"
#include "timelinedock.h"
#include "timelinemodel.h"

#include <QAbstractItemModelTester>
#include <QDoubleSpinBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <memory>

// The Simulate dialog and the Order Timeline dock against a real service:
// simulated orders are stored, and the timeline shows one of them stage by
// stage, with its failure marked.
class tst_SimulateDialog : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void seededRunFinishesEveryOrder();
    void invalidSettingsShowReason();
    void stopEndsRun();
    void timelineShowsSimulatedFailure();
    void timelineAppendsLiveEvents();

private:
    SimulationSettings fastSettings(int orders, double failureRate) const;
    // Returns the stored events of orderId, oldest first.
    QList<OrderEvent> storedEvents(const QString &orderId) const;

    QTemporaryDir m_dir;
    std::unique_ptr<OrderStreamService> m_service;
};

void tst_SimulateDialog::init()
{
    QVERIFY(m_dir.isValid());
    QString error;
    QVERIFY2(startTestService(m_service, testServerConfig(m_dir, 1), &error), qPrintable(error));
}

void tst_SimulateDialog::cleanup()
{
    m_service.reset();
}

SimulationSettings tst_SimulateDialog::fastSettings(int orders, double failureRate) const
{
    SimulationSettings settings;
    settings.orderCount = orders;
    settings.minDelayMs = 0;
    settings.maxDelayMs = 0;
    settings.failureRate = failureRate;
    settings.seed = 42;
    return settings;
}

QList<OrderEvent> tst_SimulateDialog::storedEvents(const QString &orderId) const
{
    JournalQuery query;
    query.orderId = orderId;
    query.limit = 100;
    QList<OrderEvent> events = m_service->store()->query(query);
    std::reverse(events.begin(), events.end());
    return events;
}

void tst_SimulateDialog::seededRunFinishesEveryOrder()
{
    SimulateDialog dialog(m_service.get(), Lifecycle::defaultLifecycle());
    dialog.setSettings(fastSettings(8, 0.25));
    QCOMPARE(dialog.findChild<QSpinBox *>(QStringLiteral("simulateSeed"))->value(), 42);
    QCOMPARE(dialog.findChild<QDoubleSpinBox *>(QStringLiteral("simulateFailureRate"))->value(),
             25.0);
    QSignalSpy finished(&dialog, &SimulateDialog::runFinished);
    QSignalSpy published(m_service.get(), &OrderStreamService::published);

    dialog.findChild<QPushButton *>(QStringLiteral("simulateStartButton"))->click();

    QVERIFY(finished.wait(10000));
    QCOMPARE(finished.constFirst().constFirst().toBool(), false);
    QCOMPARE(dialog.finishedOrders(), 8);
    QCOMPARE(dialog.failedOrders(), 2);
    QCOMPARE(dialog.failedPublishes(), 0);
    const QString status = dialog.findChild<QLabel *>(QStringLiteral("simulateStatus"))->text();
    QVERIFY2(status.contains(QStringLiteral("8 of 8 orders finished, 2 failed")),
             qPrintable(status));

    // Every order's last stored event is final.
    const Lifecycle lifecycle = Lifecycle::defaultLifecycle();
    QTRY_VERIFY(!published.isEmpty());
    for (int number = 1; number <= 8; ++number) {
        const QString orderId = QStringLiteral("SIM-%1").arg(number, 4, 10, QLatin1Char('0'));
        QTRY_VERIFY2(!storedEvents(orderId).isEmpty()
                             && lifecycle.isFinal(storedEvents(orderId).constLast().stage),
                     qPrintable(orderId));
        QCOMPARE(storedEvents(orderId).constFirst().source,
                 QLatin1String(OrderEventSource::Simulator));
    }
    QVERIFY(dialog.findChild<QPushButton *>(QStringLiteral("simulateStartButton"))->isEnabled());
}

void tst_SimulateDialog::invalidSettingsShowReason()
{
    SimulateDialog dialog(m_service.get(), Lifecycle::defaultLifecycle());
    SimulationSettings settings = fastSettings(3, 0.0);
    settings.orderId = QStringLiteral("ORD/1");
    dialog.setSettings(settings);

    QVERIFY(!dialog.start());

    const QString status = dialog.findChild<QLabel *>(QStringLiteral("simulateStatus"))->text();
    QVERIFY2(status.contains(QStringLiteral("ORD/1")), qPrintable(status));
    QVERIFY(!dialog.isRunning());

    m_service->stop();
    dialog.setSettings(fastSettings(3, 0.0));
    QVERIFY(!dialog.start());
    QVERIFY(!dialog.findChild<QPushButton *>(QStringLiteral("simulateStartButton"))->isEnabled());
}

void tst_SimulateDialog::stopEndsRun()
{
    SimulateDialog dialog(m_service.get(), Lifecycle::defaultLifecycle());
    SimulationSettings settings = fastSettings(5, 0.0);
    settings.minDelayMs = 60000;
    settings.maxDelayMs = 60000;
    dialog.setSettings(settings);
    QSignalSpy finished(&dialog, &SimulateDialog::runFinished);

    QVERIFY(dialog.start());
    QVERIFY(dialog.isRunning());
    QVERIFY(dialog.findChild<QPushButton *>(QStringLiteral("simulateStopButton"))->isEnabled());
    dialog.findChild<QPushButton *>(QStringLiteral("simulateStopButton"))->click();

    QTRY_COMPARE(finished.size(), 1);
    QCOMPARE(finished.constFirst().constFirst().toBool(), true);
    QVERIFY(!dialog.isRunning());
    QVERIFY(dialog.findChild<QLabel *>(QStringLiteral("simulateStatus"))->text().startsWith(
            QStringLiteral("Stopped.")));
}

void tst_SimulateDialog::timelineShowsSimulatedFailure()
{
    // One run of several orders with a seed: collect a failed one from the
    // simulator's own report, then read its timeline from the store.
    SimulateDialog dialog(m_service.get(), Lifecycle::defaultLifecycle());
    dialog.setSettings(fastSettings(6, 0.5));
    QSignalSpy finished(&dialog, &SimulateDialog::runFinished);
    QVERIFY(dialog.start());
    auto *simulator = dialog.findChild<FulfilmentSimulator *>();
    QVERIFY(simulator);
    QString failedOrderId;
    connect(simulator, &FulfilmentSimulator::orderFinished, this,
            [&failedOrderId](const QString &orderId, const QString &, bool failed) {
                if (failed && failedOrderId.isEmpty())
                    failedOrderId = orderId;
            });
    QVERIFY(finished.wait(10000));
    QVERIFY(!failedOrderId.isEmpty());
    QTRY_VERIFY(!storedEvents(failedOrderId).isEmpty()
                && storedEvents(failedOrderId).constLast().stage == QStringLiteral("Failed"));
    const QList<OrderEvent> stored = storedEvents(failedOrderId);

    OrdersModel orders;
    TimelineDock dock(m_service.get(), &orders);
    QAbstractItemModelTester tester(dock.model(),
                                    QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy loaded(&dock, &TimelineDock::loaded);
    dock.setOrderId(failedOrderId);
    QVERIFY(loaded.wait(5000));

    const TimelineModel *model = dock.model();
    QCOMPARE(model->rowCount(), int(stored.size()));
    for (int row = 0; row < model->rowCount(); ++row) {
        QCOMPARE(model->event(row).id, stored.at(row).id);
        QCOMPARE(model->index(row, TimelineModel::Stage).data().toString(), stored.at(row).stage);
        if (row > 0)
            QVERIFY(model->event(row).id > model->event(row - 1).id);
    }
    const int last = model->rowCount() - 1;
    QVERIFY(model->index(last, TimelineModel::Stage).data(TimelineModel::FailureRole).toBool());
    QCOMPARE(model->index(last, TimelineModel::Notes).data().toString(), QStringLiteral("failure"));
    QVERIFY(!model->index(last, TimelineModel::Message).data().toString().isEmpty());
    QCOMPARE(model->index(last, TimelineModel::Source).data().toString(),
             QStringLiteral("simulator"));
    QCOMPARE(model->index(last, TimelineModel::Publisher).data().toString(),
             QStringLiteral("simulator"));
    for (int row = 0; row < last; ++row)
        QVERIFY(!model->index(row, TimelineModel::Stage).data(TimelineModel::FailureRole).toBool());
    const QString message =
            dock.findChild<QLabel *>(QStringLiteral("timelineMessage"))->text();
    QVERIFY2(message.contains(failedOrderId), qPrintable(message));
}

void tst_SimulateDialog::timelineAppendsLiveEvents()
{
    const QString orderId = QStringLiteral("ORD-LIVE");
    OrdersModel orders;
    TimelineDock dock(m_service.get(), &orders);
    QAbstractItemModelTester tester(dock.model(),
                                    QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy loaded(&dock, &TimelineDock::loaded);
    dock.setOrderId(orderId);
    QVERIFY(loaded.wait(5000));
    QCOMPARE(dock.model()->rowCount(), 0);

    QSignalSpy published(m_service.get(), &OrderStreamService::published);
    OrderEvent event;
    event.orderId = orderId;
    event.status = QStringLiteral("Activating");
    event.stage = QStringLiteral("Activating");
    event.source = QLatin1String(OrderEventSource::Api);
    m_service->publishAsync(event);
    QVERIFY(published.wait(5000));
    const OrderEvent stored = published.constFirst().constFirst().value<OrderEvent>();

    // A snapshot delivers it, and a second delivery adds nothing.
    dock.appendLiveEvents({stored});
    dock.appendLiveEvents({stored});
    QCOMPARE(dock.model()->rowCount(), 1);
    QCOMPARE(dock.model()->event(0).id, stored.id);

    // Typing an invalid id keeps the shown order and shows why.
    auto *edit = dock.findChild<QLineEdit *>(QStringLiteral("timelineOrderId"));
    edit->setText(QStringLiteral("bad id"));
    QTest::keyClick(edit, Qt::Key_Return);
    QCOMPARE(dock.orderId(), orderId);
    QVERIFY(dock.findChild<QLabel *>(QStringLiteral("timelineMessage"))
                    ->text()
                    .contains(QStringLiteral("invalid")));
}

QTEST_MAIN(tst_SimulateDialog)
#include "tst_simulatedialog.moc"
