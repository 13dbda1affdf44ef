#include "eventsmodel.h"
#include "eventtableview.h"
#include "mainwindow.h"
#include "ordersmodel.h"
#include "orderstreamservice.h"
#include "ssetestclient.h"
#include "testservice.h"

#include <QAbstractItemModelTester>
#include <QDockWidget>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollBar>
#include <QSettings>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

#include <memory>
#include <vector>

// The console against a real service on 127.0.0.1: real SSE clients, real
// publishes, and the window read the way a user reads it.
class tst_MainWindow : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();

    void publishReachesStreamAndHistory();
    void invalidDetailsDisablePublish();
    void missingFieldsDisablePublish();
    void selectingOrderFiltersHistory();
    void eventFilterMatchesOrderIds();
    void autoScrollPausesWhenScrolledUp();
    void autoScrollFollowsDescendingSort();
    void findOrderFocusesSearch();
    void statusBarShowsServerState();
    void dockLayoutIsRestored();

private:
    template<typename T>
    T *child(const char *objectName) const;
    QString figure(const char *objectName) const;
    // Returns the display text of column in the row of the orders table that
    // lists orderId, or a null string when no row does.
    QString ordersTableCell(const QString &orderId, int column) const;
    bool eventsTableHasStatus(const QString &orderId, const QString &status) const;
    void fillPublishPanel(const QString &orderId, const QString &status,
                          const QString &details = {});
    void publishDirectly(const QString &orderId, const QString &status);
    void watchModels();

    QTemporaryDir m_dir;
    std::unique_ptr<OrderStreamService> m_service;
    std::unique_ptr<MainWindow> m_window;
    std::vector<std::unique_ptr<QAbstractItemModelTester>> m_testers;
};

void tst_MainWindow::initTestCase()
{
    // Keeps the saved window layout of this test away from the user's.
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("OrderStreamTests"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_ui_mainwindow"));
}

void tst_MainWindow::init()
{
    QSettings().clear();

    QVERIFY(m_dir.isValid());
    QString error;
    QVERIFY2(startTestService(m_service, testServerConfig(m_dir, 2), &error), qPrintable(error));

    m_window = std::make_unique<MainWindow>(m_service.get());
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
    watchModels();
}

void tst_MainWindow::cleanup()
{
    m_testers.clear();
    m_window.reset();
    m_service.reset();
}

template<typename T>
T *tst_MainWindow::child(const char *objectName) const
{
    T *widget = m_window->findChild<T *>(QLatin1String(objectName));
    if (!widget)
        qWarning("no %s named %s in the window", T::staticMetaObject.className(), objectName);
    return widget;
}

QString tst_MainWindow::figure(const char *objectName) const
{
    const auto *label = child<QLabel>(objectName);
    return label ? label->text() : QString();
}

QString tst_MainWindow::ordersTableCell(const QString &orderId, int column) const
{
    const QAbstractItemModel *model = child<QTableView>("ordersTable")->model();
    for (int row = 0; row < model->rowCount(); ++row) {
        if (model->index(row, OrdersModel::OrderId).data().toString() == orderId)
            return model->index(row, column).data().toString();
    }
    return {};
}

bool tst_MainWindow::eventsTableHasStatus(const QString &orderId, const QString &status) const
{
    const QAbstractItemModel *model = child<QTableView>("eventsTable")->model();
    for (int row = 0; row < model->rowCount(); ++row) {
        if (model->index(row, EventsModel::OrderId).data().toString() == orderId
            && model->index(row, EventsModel::Status).data().toString() == status)
            return true;
    }
    return false;
}

void tst_MainWindow::fillPublishPanel(const QString &orderId, const QString &status,
                                      const QString &details)
{
    child<QLineEdit>("publishOrderId")->setText(orderId);
    child<QLineEdit>("publishStatus")->setText(status);
    child<QPlainTextEdit>("publishDetails")->setPlainText(details);
}

void tst_MainWindow::publishDirectly(const QString &orderId, const QString &status)
{
    OrderEvent event;
    event.orderId = orderId;
    event.status = status;
    event.source = QLatin1String(OrderEventSource::Api);
    m_service->publishAsync(event);
}

void tst_MainWindow::watchModels()
{
    const QList<QAbstractItemModel *> models{
        m_window->findChild<OrdersModel *>(),
        m_window->findChild<EventsModel *>(),
        child<QTableView>("ordersTable")->model(),
        child<QTableView>("eventsTable")->model(),
    };
    for (QAbstractItemModel *model : models) {
        QVERIFY(model);
        m_testers.push_back(std::make_unique<QAbstractItemModelTester>(
                model, QAbstractItemModelTester::FailureReportingMode::QtTest));
    }
}

void tst_MainWindow::publishReachesStreamAndHistory()
{
    const QString orderId = QStringLiteral("ORD-1001");
    QTRY_COMPARE(figure("openStreamsFigure"), QStringLiteral("0"));

    SseTestClient client;
    client.open(m_service->port(), "/orders/" + orderId.toLatin1() + "/events");
    QTRY_COMPARE(figure("openStreamsFigure"), QStringLiteral("1"));
    QTRY_COMPARE(figure("ordersWatchedFigure"), QStringLiteral("1"));
    QTRY_COMPARE(ordersTableCell(orderId, OrdersModel::Subscribers), QStringLiteral("1"));

    fillPublishPanel(orderId, QStringLiteral("Activating"), QStringLiteral("{\"plan\": \"fiber-500\"}"));
    child<QLineEdit>("publishStage")->setText(QStringLiteral("activating"));
    auto *publishButton = child<QPushButton>("publishButton");
    QVERIFY(publishButton->isEnabled());
    QVERIFY2(child<QPlainTextEdit>("publishPreview")->toPlainText().contains(
                     QStringLiteral("event: order.update")),
             "the preview shows the frame");
    QTest::mouseClick(publishButton, Qt::LeftButton);

    QTRY_COMPARE(client.events().size(), 1);
    const SseTestClient::Frame frame = client.events().constFirst();
    QCOMPARE(frame.event, QByteArray("order.update"));
    const QJsonObject data = QJsonDocument::fromJson(frame.data).object();
    QCOMPARE(data.value(QLatin1String("status")).toString(), QStringLiteral("Activating"));
    // The hub stores the lifecycle's name for the stage.
    QCOMPARE(data.value(QLatin1String("stage")).toString(), QStringLiteral("Activating"));
    QCOMPARE(data.value(QLatin1String("source")).toString(), QStringLiteral("console"));
    QCOMPARE(data.value(QLatin1String("details")).toObject().value(QLatin1String("plan")).toString(),
             QStringLiteral("fiber-500"));

    QTRY_VERIFY(eventsTableHasStatus(orderId, QStringLiteral("Activating")));
    QTRY_COMPARE(ordersTableCell(orderId, OrdersModel::LastStatus), QStringLiteral("Activating"));
    QTRY_COMPARE(figure("eventsPublishedFigure"), QStringLiteral("1"));
    QTRY_COMPARE(figure("eventsPerMinuteFigure"), QStringLiteral("1"));
    QTRY_COMPARE(figure("framesDeliveredFigure"), QStringLiteral("1"));
    const QString result = child<QLabel>("publishResult")->text();
    QVERIFY2(result.contains(QStringLiteral("Published event %1").arg(QString::fromLatin1(frame.id))),
             qPrintable(result));

    // The details pane shows the selected event's exact frame.
    auto *eventsTable = child<EventTableView>("eventsTable");
    eventsTable->selectRow(0);
    QCOMPARE(child<QPlainTextEdit>("eventFrame")->toPlainText().toUtf8(), frame.raw);

    client.close();
    QTRY_COMPARE(figure("openStreamsFigure"), QStringLiteral("0"));
    QTRY_COMPARE(ordersTableCell(orderId, OrdersModel::Subscribers), QStringLiteral("0"));
}

void tst_MainWindow::invalidDetailsDisablePublish()
{
    auto *publishButton = child<QPushButton>("publishButton");
    auto *detailsError = child<QLabel>("publishDetailsError");
    fillPublishPanel(QStringLiteral("ORD-2002"), QStringLiteral("In progress"), QStringLiteral("{}"));
    QVERIFY(publishButton->isEnabled());
    QVERIFY(detailsError->isHidden());

    child<QPlainTextEdit>("publishDetails")->setPlainText(QStringLiteral("{\n  \"plan\": fiber\n}"));

    QVERIFY(!publishButton->isEnabled());
    QVERIFY(!m_window->findChild<QAction *>(QStringLiteral("publishAction"))->isEnabled());
    QVERIFY(!detailsError->isHidden());
    QVERIFY2(detailsError->text().contains(QStringLiteral("line 2, column")),
             qPrintable(detailsError->text()));
    QCOMPARE(child<QLabel>("publishReason")->text(), detailsError->text());
    QVERIFY(child<QPlainTextEdit>("publishPreview")->toPlainText().isEmpty());

    child<QPlainTextEdit>("publishDetails")->setPlainText(QStringLiteral("[1, 2]"));
    QVERIFY(!publishButton->isEnabled());
    QVERIFY2(detailsError->text().contains(QStringLiteral("JSON object")),
             qPrintable(detailsError->text()));

    // Ctrl+Return does nothing while the draft is invalid.
    QSignalSpy publishedSpy(m_service.get(), &OrderStreamService::published);
    QTest::keyClick(child<QPlainTextEdit>("publishDetails"), Qt::Key_Return, Qt::ControlModifier);
    QVERIFY(!publishedSpy.wait(300));

    child<QPlainTextEdit>("publishDetails")->setPlainText(QStringLiteral("{\"plan\": \"fiber\"}"));
    QVERIFY(publishButton->isEnabled());
    QVERIFY(detailsError->isHidden());
    QVERIFY(child<QLabel>("publishReason")->text().isEmpty());
}

void tst_MainWindow::missingFieldsDisablePublish()
{
    auto *publishButton = child<QPushButton>("publishButton");
    auto *reason = child<QLabel>("publishReason");
    QVERIFY(!publishButton->isEnabled());
    QVERIFY2(reason->text().contains(QStringLiteral("Order id")), qPrintable(reason->text()));

    fillPublishPanel(QStringLiteral("bad id!"), QStringLiteral("In progress"));
    QVERIFY(!publishButton->isEnabled());
    QVERIFY2(reason->text().contains(QStringLiteral("letters, digits")), qPrintable(reason->text()));

    fillPublishPanel(QStringLiteral("ORD-3003"), QStringLiteral("  "));
    QVERIFY(!publishButton->isEnabled());
    QVERIFY2(reason->text().contains(QStringLiteral("Status")), qPrintable(reason->text()));

    // Ctrl+Return publishes from anywhere in the panel once the draft is valid.
    fillPublishPanel(QStringLiteral("ORD-3003"), QStringLiteral("Activating"));
    QVERIFY(publishButton->isEnabled());
    QSignalSpy publishedSpy(m_service.get(), &OrderStreamService::published);
    QTest::keyClick(child<QPlainTextEdit>("publishDetails"), Qt::Key_Return, Qt::ControlModifier);
    QVERIFY(publishedSpy.wait());
    QTRY_VERIFY(eventsTableHasStatus(QStringLiteral("ORD-3003"), QStringLiteral("Activating")));
}

void tst_MainWindow::selectingOrderFiltersHistory()
{
    publishDirectly(QStringLiteral("ORD-A"), QStringLiteral("Activating"));
    publishDirectly(QStringLiteral("ORD-B"), QStringLiteral("Activating"));
    publishDirectly(QStringLiteral("ORD-A"), QStringLiteral("Provisioning"));
    auto *eventsTable = child<QTableView>("eventsTable");
    QTRY_COMPARE(eventsTable->model()->rowCount(), 3);

    auto *ordersTable = child<QTableView>("ordersTable");
    QTRY_COMPARE(ordersTable->model()->rowCount(), 2);
    ordersTable->selectRow(1);
    QCOMPARE(ordersTable->model()->index(1, OrdersModel::OrderId).data().toString(),
             QStringLiteral("ORD-B"));

    QCOMPARE(eventsTable->model()->rowCount(), 1);
    QCOMPARE(eventsTable->model()->index(0, EventsModel::OrderId).data().toString(),
             QStringLiteral("ORD-B"));
    QCOMPARE(child<QLineEdit>("publishOrderId")->text(), QStringLiteral("ORD-B"));
    auto *showAll = child<QPushButton>("showAllOrdersButton");
    QVERIFY(!showAll->isHidden());

    // New events of other orders stay hidden while an order is selected.
    publishDirectly(QStringLiteral("ORD-A"), QStringLiteral("Delayed"));
    QTRY_COMPARE(child<OrdersModel>("ordersModel")->order(0).lastStatus, QStringLiteral("Delayed"));
    QCOMPARE(eventsTable->model()->rowCount(), 1);

    QTest::mouseClick(showAll, Qt::LeftButton);
    QVERIFY(ordersTable->selectionModel()->selectedRows().isEmpty());
    QCOMPARE(eventsTable->model()->rowCount(), 4);
    QVERIFY(showAll->isHidden());
}

void tst_MainWindow::eventFilterMatchesOrderIds()
{
    publishDirectly(QStringLiteral("ORD-10"), QStringLiteral("In progress"));
    publishDirectly(QStringLiteral("ORD-11"), QStringLiteral("In progress"));
    publishDirectly(QStringLiteral("X-20"), QStringLiteral("In progress"));
    auto *eventsTable = child<QTableView>("eventsTable");
    QTRY_COMPARE(eventsTable->model()->rowCount(), 3);

    QTest::keyClicks(child<QLineEdit>("eventFilter"), QStringLiteral("ord-1"));
    // The filter applies after a short pause in typing.
    QCOMPARE(eventsTable->model()->rowCount(), 3);
    QTRY_COMPARE(eventsTable->model()->rowCount(), 2);

    child<QLineEdit>("eventFilter")->clear();
    QTRY_COMPARE(eventsTable->model()->rowCount(), 3);

    QTest::keyClicks(child<QLineEdit>("orderSearch"), QStringLiteral("X-"));
    auto *ordersTable = child<QTableView>("ordersTable");
    QTRY_COMPARE(ordersTable->model()->rowCount(), 1);
    QCOMPARE(ordersTable->model()->index(0, OrdersModel::OrderId).data().toString(),
             QStringLiteral("X-20"));
}

void tst_MainWindow::autoScrollPausesWhenScrolledUp()
{
    // Enough rows to scroll in the default window size, bounded for speed.
    constexpr int Batch = 150;
    auto *eventsTable = child<EventTableView>("eventsTable");
    QScrollBar *scrollBar = eventsTable->verticalScrollBar();
    for (int i = 0; i < Batch; ++i)
        publishDirectly(QStringLiteral("ORD-%1").arg(i % 7), QStringLiteral("In progress"));
    QTRY_COMPARE(eventsTable->model()->rowCount(), Batch);
    QVERIFY(scrollBar->maximum() > 0);
    QTRY_COMPARE(scrollBar->value(), scrollBar->maximum());
    QVERIFY(eventsTable->isFollowingNewest());
    QVERIFY(child<QLabel>("autoScrollPaused")->isHidden());

    scrollBar->setValue(0);
    QVERIFY(!eventsTable->isFollowingNewest());
    QVERIFY(!child<QLabel>("autoScrollPaused")->isHidden());

    for (int i = 0; i < Batch; ++i)
        publishDirectly(QStringLiteral("ORD-%1").arg(i % 7), QStringLiteral("In progress"));
    QTRY_COMPARE(eventsTable->model()->rowCount(), 2 * Batch);
    QCOMPARE(scrollBar->value(), 0);

    QTest::mouseClick(child<QPushButton>("scrollToNewestButton"), Qt::LeftButton);
    QCOMPARE(scrollBar->value(), scrollBar->maximum());
    QVERIFY(eventsTable->isFollowingNewest());
    QVERIFY(child<QLabel>("autoScrollPaused")->isHidden());
}

void tst_MainWindow::autoScrollFollowsDescendingSort()
{
    constexpr int Batch = 150;
    auto *eventsTable = child<EventTableView>("eventsTable");
    QScrollBar *scrollBar = eventsTable->verticalScrollBar();
    eventsTable->sortByColumn(EventsModel::Id, Qt::DescendingOrder);
    for (int i = 0; i < Batch; ++i)
        publishDirectly(QStringLiteral("ORD-%1").arg(i % 7), QStringLiteral("In progress"));
    QTRY_COMPARE(eventsTable->model()->rowCount(), Batch);
    QVERIFY(scrollBar->maximum() > 0);
    QCOMPARE(scrollBar->value(), 0);
    QVERIFY(eventsTable->isFollowingNewest());

    // At the bottom, the oldest events are in view, so following pauses.
    scrollBar->setValue(scrollBar->maximum());
    QVERIFY(!eventsTable->isFollowingNewest());

    // Sorting oldest first puts the view at the newest end again.
    eventsTable->sortByColumn(EventsModel::Id, Qt::AscendingOrder);
    QVERIFY(eventsTable->isFollowingNewest());
}

void tst_MainWindow::findOrderFocusesSearch()
{
    m_window->activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(m_window.get()));
    child<QLineEdit>("publishStatus")->setFocus();

    QTest::keyClick(m_window.get(), Qt::Key_F, Qt::ControlModifier);

    QTRY_COMPARE(QApplication::focusWidget(), child<QLineEdit>("orderSearch"));
}

void tst_MainWindow::statusBarShowsServerState()
{
    QCOMPARE(child<QLabel>("listenAddress")->text(),
             QStringLiteral("http://127.0.0.1:%1").arg(m_service->port()));
    QCOMPARE(child<QLabel>("serverState")->text(), QStringLiteral("Server running"));
    QTRY_VERIFY(child<QLabel>("uptime")->text().startsWith(QStringLiteral("Uptime ")));

    fillPublishPanel(QStringLiteral("ORD-4004"), QStringLiteral("In progress"));
    QVERIFY(child<QPushButton>("publishButton")->isEnabled());

    m_service->stop();
    QCOMPARE(child<QLabel>("serverState")->text(), QStringLiteral("Server stopped"));
    QCOMPARE(child<QLabel>("listenAddress")->text(), QStringLiteral("Not listening"));
    QVERIFY(!child<QPushButton>("publishButton")->isEnabled());
    QCOMPARE(child<QLabel>("publishReason")->text(), QStringLiteral("The server is not running."));
}

void tst_MainWindow::dockLayoutIsRestored()
{
    auto *publishDock = child<QDockWidget>("publishDock");
    QVERIFY(publishDock->isVisible());
    publishDock->toggleViewAction()->trigger();
    QVERIFY(!publishDock->isVisible());
    child<QLineEdit>("orderSearch")->setText(QStringLiteral("ORD-9"));
    QVERIFY(m_window->close());

    m_testers.clear();
    m_window = std::make_unique<MainWindow>(m_service.get());
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));

    QVERIFY(!child<QDockWidget>("publishDock")->isVisible());
    QVERIFY(child<QDockWidget>("ordersDock")->isVisible());
    QCOMPARE(child<QLineEdit>("orderSearch")->text(), QStringLiteral("ORD-9"));
}

QTEST_MAIN(tst_MainWindow)
#include "tst_mainwindow.moc"
