#include "eventsmodel.h"
#include "fulfilmentsimulator.h"
#include "historypanel.h"
#include "mainwindow.h"
#include "orderstreamservice.h"
#include "simulatedialog.h"
#include "testservice.h"
#include "timelinedock.h"
#include "timelinemodel.h"

#include <QAction>
#include <QDockWidget>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

// The window's lifecycle tools together: re-publish from the Events and
// History tabs, Simulate from its shortcut and the Orders hint, and the
// timeline following the selected order.
class tst_ConsoleLifecycle : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();

    void republishFromEvents();
    void republishFromHistory();
    void simulateFromShortcut();
    void timelineFollowsSelectedOrder();

private:
    template<typename T>
    T *child(const char *objectName) const;
    void publishStages(const QString &orderId, const QStringList &stages);
    void checkPublishForm(const QString &orderId, const QString &stage, const QString &message);

    QTemporaryDir m_dir;
    std::unique_ptr<OrderStreamService> m_service;
    std::unique_ptr<MainWindow> m_window;
};

void tst_ConsoleLifecycle::initTestCase()
{
    // Keeps the saved window layout of this test away from the user's.
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("OrderStreamTests"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_ui_consolelifecycle"));
}

void tst_ConsoleLifecycle::init()
{
    QSettings().clear();
    QVERIFY(m_dir.isValid());
    QString error;
    QVERIFY2(startTestService(m_service, testServerConfig(m_dir, 1), &error), qPrintable(error));
    m_window = std::make_unique<MainWindow>(m_service.get());
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
}

void tst_ConsoleLifecycle::cleanup()
{
    m_window.reset();
    m_service.reset();
}

template<typename T>
T *tst_ConsoleLifecycle::child(const char *objectName) const
{
    T *widget = m_window->findChild<T *>(QLatin1String(objectName));
    if (!widget)
        qWarning("no %s named %s in the window", T::staticMetaObject.className(), objectName);
    return widget;
}

void tst_ConsoleLifecycle::publishStages(const QString &orderId, const QStringList &stages)
{
    QSignalSpy published(m_service.get(), &OrderStreamService::published);
    for (const QString &stage : stages) {
        OrderEvent event;
        event.orderId = orderId;
        event.status = stage;
        event.stage = stage;
        event.message = QStringLiteral("%1 by the back end").arg(stage);
        event.details.insert(QLatin1String("step"), stage);
        event.source = QLatin1String(OrderEventSource::Api);
        m_service->publishAsync(event);
    }
    QTRY_COMPARE(published.size(), stages.size());
}

void tst_ConsoleLifecycle::checkPublishForm(const QString &orderId, const QString &stage,
                                            const QString &message)
{
    QCOMPARE(child<QLineEdit>("publishOrderId")->text(), orderId);
    QCOMPARE(child<QLineEdit>("publishStatus")->text(), stage);
    QCOMPARE(child<QLineEdit>("publishStage")->text(), stage);
    QCOMPARE(child<QLineEdit>("publishMessage")->text(), message);
    QVERIFY2(child<QPlainTextEdit>("publishDetails")->toPlainText().contains(
                     QStringLiteral("\"step\": \"%1\"").arg(stage)),
             qPrintable(child<QPlainTextEdit>("publishDetails")->toPlainText()));
    QVERIFY(child<QDockWidget>("publishDock")->isVisible());
}

void tst_ConsoleLifecycle::republishFromEvents()
{
    publishStages(QStringLiteral("ORD-R1"), {QStringLiteral("Activating"),
                                             QStringLiteral("Provisioning")});
    auto *table = child<QTableView>("eventsTable");
    QTRY_COMPARE(table->model()->rowCount(), 2);
    auto *action = child<QAction>("eventsRepublishAction");
    QVERIFY(!action->isEnabled());

    table->selectRow(0);
    QVERIFY(action->isEnabled());
    QVERIFY(table->actions().contains(action));
    action->trigger();

    checkPublishForm(QStringLiteral("ORD-R1"), QStringLiteral("Activating"),
                     QStringLiteral("Activating by the back end"));
}

void tst_ConsoleLifecycle::republishFromHistory()
{
    publishStages(QStringLiteral("ORD-R2"), {QStringLiteral("Draft"), QStringLiteral("Activating"),
                                             QStringLiteral("Cancelled")});
    m_window->showCentreTab(MainWindow::HistoryTab);
    auto *history = child<HistoryPanel>("historyPanel");
    QVERIFY(history->search());
    QTableView *table = history->tableView();
    QCOMPARE(table->model()->rowCount(), 3);

    // Newest first: row 0 is the cancellation.
    table->selectRow(0);
    child<QAction>("historyRepublishAction")->trigger();

    checkPublishForm(QStringLiteral("ORD-R2"), QStringLiteral("Cancelled"),
                     QStringLiteral("Cancelled by the back end"));
}

void tst_ConsoleLifecycle::simulateFromShortcut()
{
    QWidget *hint = child<QWidget>("ordersEmptyHint");
    QVERIFY(hint->isVisible());
    QVERIFY(!m_window->findChild<SimulateDialog *>());

    QTest::keyClick(m_window.get(), Qt::Key_S, Qt::ControlModifier | Qt::ShiftModifier);
    auto *dialog = m_window->findChild<SimulateDialog *>();
    QVERIFY(dialog);
    QTRY_VERIFY(dialog->isVisible());

    SimulationSettings settings;
    settings.orderCount = 3;
    settings.minDelayMs = 0;
    settings.maxDelayMs = 0;
    settings.failureRate = 0.0;
    settings.seed = 7;
    dialog->setSettings(settings);
    QSignalSpy finished(dialog, &SimulateDialog::runFinished);
    QVERIFY(dialog->start());
    QVERIFY(finished.wait(10000));
    QCOMPARE(dialog->finishedOrders(), 3);

    QTRY_COMPARE(child<QTableView>("ordersTable")->model()->rowCount(), 3);
    QTRY_VERIFY(hint->isHidden());
}

void tst_ConsoleLifecycle::timelineFollowsSelectedOrder()
{
    publishStages(QStringLiteral("ORD-T1"), {QStringLiteral("Activating"),
                                             QStringLiteral("Failed")});
    publishStages(QStringLiteral("ORD-T2"), {QStringLiteral("Draft")});
    auto *ordersTable = child<QTableView>("ordersTable");
    QTRY_COMPARE(ordersTable->model()->rowCount(), 2);

    auto *dock = child<TimelineDock>("timelineDock");
    QSignalSpy loaded(dock, &TimelineDock::loaded);
    ordersTable->selectRow(0);
    QVERIFY(loaded.wait(5000));
    QCOMPARE(dock->orderId(), QStringLiteral("ORD-T1"));
    QCOMPARE(dock->model()->rowCount(), 2);
    QVERIFY(dock->model()->index(1, TimelineModel::Stage).data(TimelineModel::FailureRole).toBool());

    // A live event of the order shown is appended by the snapshot tick.
    publishStages(QStringLiteral("ORD-T2"), {QStringLiteral("Activating")});
    ordersTable->selectRow(1);
    QVERIFY(loaded.wait(5000));
    QCOMPARE(dock->orderId(), QStringLiteral("ORD-T2"));
    QCOMPARE(dock->model()->rowCount(), 2);
    publishStages(QStringLiteral("ORD-T2"), {QStringLiteral("Provisioning")});
    QTRY_COMPARE(dock->model()->rowCount(), 3);
    QCOMPARE(dock->model()->index(2, TimelineModel::Stage).data().toString(),
             QStringLiteral("Provisioning"));
}

QTEST_MAIN(tst_ConsoleLifecycle)
#include "tst_consolelifecycle.moc"
