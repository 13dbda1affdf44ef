#include "connectionsmodel.h"
#include "connectionspanel.h"
#include "csvreader.h"
#include "eventstore.h"
#include "figurestrip.h"
#include "historymodel.h"
#include "historypanel.h"
#include "mainwindow.h"
#include "ordersmodel.h"
#include "orderstreamservice.h"
#include "reconnectionsmodel.h"
#include "snapshotpoller.h"
#include "ssetestclient.h"
#include "testservice.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QCheckBox>
#include <QDateTimeEdit>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QMessageBox>
#include <QPushButton>
#include <QRegularExpression>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <functional>
#include <memory>
#include <vector>

// The Connections, Reconnections and History tabs, the storm banner and the
// journal status against a real service on 127.0.0.1, driven by real SSE
// clients and HTTP publishes.
class tst_ConsoleTabs : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();

    void connectionsListLiveStream();
    void connectionsRefreshOnlyWhileVisible();
    void reconnectShowsReplayedCount();
    void reconnectStormShowsBanner();
    void selectedOrderFiltersTabs();
    void historyAfterRestart();
    void historyFiltersValidateInput();
    void historyLoadsOlderPages();
    void historyExportRoundTrip();
    void historyExportToUnwritablePath();
    void statusBarShowsJournal();
    void viewMenuSwitchesTabs();
    void centreTabIsRestored();

private:
    template<typename T> T *child(const char *objectName) const;
    QString cell(const char *tableName, int row, int column) const;
    // Publishes with HTTP POST and returns the event id, or 0 on failure.
    quint64 post(const QByteArray &orderId, const QJsonObject &body);
    quint64 post(const QByteArray &orderId, const QString &status);
    // Runs trigger, accepts the message box it opens and returns its text,
    // or an empty string when it opened none.
    QString acceptMessageBox(const std::function<void()> &trigger);
    // Opens a stream of orderId, closes it after one event, publishes
    // eventsWhileAway more and resumes with Last-Event-ID. Returns the
    // resumed client, or null after a failed check.
    std::unique_ptr<SseTestClient> reconnect(
        const QByteArray &orderId, int eventsWhileAway, quint64 *resumedFromId);
    HistoryPanel *historyPanel() const;
    // Waits for more snapshot ticks than fit in one Connections refresh
    // interval, so that a refresh timer running while hidden would have fired.
    void waitLongerThanConnectionsRefresh();
    void watchModels();

    QTemporaryDir m_dir;
    std::unique_ptr<OrderStreamService> m_service;
    std::unique_ptr<MainWindow> m_window;
    std::vector<std::unique_ptr<QAbstractItemModelTester>> m_testers;
};

void tst_ConsoleTabs::initTestCase()
{
    // Keeps the saved window layout of this test away from the user's.
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("OrderStreamTests"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_ui_consoletabs"));
}

void tst_ConsoleTabs::init()
{
    QSettings().clear();

    QVERIFY(m_dir.isValid());
    const QLatin1String testName(QTest::currentTestFunction());
    ServerConfig config = testServerConfig(m_dir, 2);
    // One reconnect a minute is a storm for the banner test only.
    if (testName == QLatin1String("reconnectStormShowsBanner"))
        config.reconnectStormPerMinute = 1;
    QString error;
    QVERIFY2(startTestService(m_service, config, &error), qPrintable(error));

    m_window = std::make_unique<MainWindow>(m_service.get());
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
    watchModels();
}

void tst_ConsoleTabs::cleanup()
{
    m_testers.clear();
    m_window.reset();
    m_service.reset();
}

template<typename T> T *tst_ConsoleTabs::child(const char *objectName) const
{
    T *object = m_window->findChild<T *>(QLatin1String(objectName));
    if (!object)
        qWarning("no %s named %s in the window", T::staticMetaObject.className(), objectName);
    return object;
}

QString tst_ConsoleTabs::cell(const char *tableName, int row, int column) const
{
    const QAbstractItemModel *model = child<QTableView>(tableName)->model();
    if (row >= model->rowCount())
        return {};
    return model->index(row, column).data().toString();
}

quint64 tst_ConsoleTabs::post(const QByteArray &orderId, const QJsonObject &body)
{
    const HttpTestResponse response
        = sendHttpRequest(m_service->port(), "POST", "/orders/" + orderId + "/events",
            QJsonDocument(body).toJson(QJsonDocument::Compact), {"Content-Type: application/json"});
    if (response.status != 202) {
        qWarning() << "publish to" << orderId << "failed:" << response.status << response.body;
        return 0;
    }
    return quint64(
        QJsonDocument::fromJson(response.body).object().value(QLatin1String("id")).toInteger());
}

quint64 tst_ConsoleTabs::post(const QByteArray &orderId, const QString &status)
{
    return post(orderId, QJsonObject {{QStringLiteral("status"), status}});
}

QString tst_ConsoleTabs::acceptMessageBox(const std::function<void()> &trigger)
{
    // The timer runs inside the message box's own event loop.
    QString text;
    QTimer closer;
    closer.setInterval(10);
    connect(&closer, &QTimer::timeout, this, [&text] {
        if (auto *box = qobject_cast<QMessageBox *>(QApplication::activeModalWidget())) {
            text = box->text();
            box->accept();
        }
    });
    closer.start();
    trigger();
    closer.stop();
    return text;
}

std::unique_ptr<SseTestClient> tst_ConsoleTabs::reconnect(
    const QByteArray &orderId, int eventsWhileAway, quint64 *resumedFromId)
{
    const QByteArray path = "/orders/" + orderId + "/events";
    const int streamsBefore = m_service->snapshot(0, 0).connections;

    SseTestClient first;
    first.open(m_service->port(), path);
    [&] { QTRY_COMPARE(m_service->snapshot(0, 0).connections, streamsBefore + 1); }();
    const quint64 firstId = post(orderId, QStringLiteral("Received"));
    [&] { QTRY_COMPARE(first.events().size(), 1); }();
    if (QTest::currentTestFailed() || firstId == 0)
        return nullptr;
    *resumedFromId = first.events().constLast().id.toULongLong();

    first.close();
    [&] { QTRY_COMPARE(m_service->snapshot(0, 0).connections, streamsBefore); }();
    for (int i = 0; i < eventsWhileAway; ++i) {
        if (post(orderId, QStringLiteral("Shipped")) == 0)
            return nullptr;
    }

    auto resumed = std::make_unique<SseTestClient>();
    resumed->open(
        m_service->port(), path, {"Last-Event-ID: " + QByteArray::number(*resumedFromId)});
    [&] { QTRY_COMPARE(resumed->events().size(), eventsWhileAway); }();
    [&] { QTRY_COMPARE(m_service->snapshot(0, 0).connections, streamsBefore + 1); }();
    if (QTest::currentTestFailed())
        return nullptr;
    return resumed;
}

HistoryPanel *tst_ConsoleTabs::historyPanel() const
{
    return child<HistoryPanel>("historyPanel");
}

void tst_ConsoleTabs::waitLongerThanConnectionsRefresh()
{
    auto *poller = m_window->findChild<SnapshotPoller *>();
    QVERIFY(poller);
    QSignalSpy ticks(poller, &SnapshotPoller::snapshotTaken);
    const int ticksPerRefresh = ConnectionsPanel::RefreshIntervalMs / SnapshotPoller::IntervalMs;
    QTRY_VERIFY(ticks.count() > ticksPerRefresh + 1);
}

void tst_ConsoleTabs::watchModels()
{
    const QList<QAbstractItemModel *> models {
        child<QAbstractItemModel>("connectionsModel"),
        child<QAbstractItemModel>("connectionsProxy"),
        child<QAbstractItemModel>("reconnectionsModel"),
        child<QAbstractItemModel>("reconnectionsProxy"),
        child<QAbstractItemModel>("historyModel"),
    };
    for (QAbstractItemModel *model : models) {
        QVERIFY(model);
        m_testers.push_back(std::make_unique<QAbstractItemModelTester>(
            model, QAbstractItemModelTester::FailureReportingMode::QtTest));
    }
}

void tst_ConsoleTabs::connectionsListLiveStream()
{
    m_window->showCentreTab(MainWindow::ConnectionsTab);
    SseTestClient client;
    client.open(m_service->port(), "/orders/A1/events");
    QTRY_COMPARE(m_service->snapshot(0, 0).connections, 1);
    QVERIFY(post("A1", QStringLiteral("Received")) > 0);
    const quint64 lastId = post("A1", QStringLiteral("Packed"));
    QVERIFY(lastId > 0);
    QTRY_COMPARE(client.events().size(), 2);

    auto *table = child<QTableView>("connectionsTable");
    QTRY_COMPARE(table->model()->rowCount(), 1);
    QTRY_COMPARE(cell("connectionsTable", 0, ConnectionsModel::EventsSent), QStringLiteral("2"));
    QCOMPARE(cell("connectionsTable", 0, ConnectionsModel::Client),
        QStringLiteral("127.0.0.1:%1").arg(client.socket().localPort()));
    QCOMPARE(cell("connectionsTable", 0, ConnectionsModel::OrderId), QStringLiteral("A1"));
    QCOMPARE(cell("connectionsTable", 0, ConnectionsModel::Subject), QStringLiteral("\u2014"));
    QCOMPARE(cell("connectionsTable", 0, ConnectionsModel::LastSentId), QString::number(lastId));
    QCOMPARE(cell("connectionsTable", 0, ConnectionsModel::ResumedFrom), QStringLiteral("\u2014"));
    QCOMPARE(child<QLabel>("connectionsSummary")->text(), QStringLiteral("1 open stream"));

    // While the tab is visible, the listing follows the stream.
    QVERIFY(post("A1", QStringLiteral("Shipped")) > 0);
    QTRY_COMPARE(cell("connectionsTable", 0, ConnectionsModel::EventsSent), QStringLiteral("3"));

    client.close();
    QTRY_COMPARE(table->model()->rowCount(), 0);
    QCOMPARE(child<QLabel>("connectionsSummary")->text(), QStringLiteral("0 open streams"));
}

void tst_ConsoleTabs::connectionsRefreshOnlyWhileVisible()
{
    auto *connectionsModel = child<ConnectionsModel>("connectionsModel");
    SseTestClient client;
    client.open(m_service->port(), "/orders/B7/events");
    QTRY_COMPARE(m_service->snapshot(0, 0).connections, 1);
    QTRY_COMPARE(child<QLabel>("openStreamsFigure")->text(), QStringLiteral("1"));
    waitLongerThanConnectionsRefresh();
    QCOMPARE(connectionsModel->rowCount(), 0);

    // Showing the tab lists the streams at once.
    m_window->showCentreTab(MainWindow::ConnectionsTab);
    QCOMPARE(connectionsModel->rowCount(), 1);
    QCOMPARE(connectionsModel->connection(0).info.orderId, QStringLiteral("B7"));

    // Hidden again, it keeps its last listing.
    m_window->showCentreTab(MainWindow::EventsTab);
    client.close();
    QTRY_COMPARE(child<QLabel>("openStreamsFigure")->text(), QStringLiteral("0"));
    waitLongerThanConnectionsRefresh();
    QCOMPARE(connectionsModel->rowCount(), 1);

    m_window->showCentreTab(MainWindow::ConnectionsTab);
    QTRY_COMPARE(connectionsModel->rowCount(), 0);
}

void tst_ConsoleTabs::reconnectShowsReplayedCount()
{
    quint64 resumedFromId = 0;
    const std::unique_ptr<SseTestClient> resumed = reconnect("A1", 2, &resumedFromId);
    QVERIFY(resumed);

    auto *table = child<QTableView>("reconnectionsTable");
    QTRY_COMPARE(table->model()->rowCount(), 1);
    QCOMPARE(cell("reconnectionsTable", 0, ReconnectionsModel::OrderId), QStringLiteral("A1"));
    QCOMPARE(
        cell("reconnectionsTable", 0, ReconnectionsModel::Client), QStringLiteral("127.0.0.1"));
    QCOMPARE(cell("reconnectionsTable", 0, ReconnectionsModel::ResumedFrom),
        QString::number(resumedFromId));
    QCOMPARE(cell("reconnectionsTable", 0, ReconnectionsModel::Replayed), QStringLiteral("2"));
    QCOMPARE(cell("reconnectionsTable", 0, ReconnectionsModel::Missed), QStringLiteral("2"));
    QCOMPARE(cell("reconnectionsTable", 0, ReconnectionsModel::Resync), QStringLiteral("No"));
    // The first stream closed moments before, inside the reconnect window.
    QVERIFY(
        cell("reconnectionsTable", 0, ReconnectionsModel::TimeAway) != QStringLiteral("\u2014"));
    QTRY_COMPARE(child<QLabel>("reconnectsPerMinuteFigure")->text(), QStringLiteral("1"));

    // The resumed stream shows in the Connections tab with its Last-Event-ID.
    m_window->showCentreTab(MainWindow::ConnectionsTab);
    QTRY_COMPARE(child<QTableView>("connectionsTable")->model()->rowCount(), 1);
    QCOMPARE(
        cell("connectionsTable", 0, ConnectionsModel::ResumedFrom), QString::number(resumedFromId));
    QCOMPARE(cell("connectionsTable", 0, ConnectionsModel::EventsSent), QStringLiteral("2"));

    // A second reconnect adds a row above the first without repeating it.
    quint64 secondFromId = 0;
    const std::unique_ptr<SseTestClient> again = reconnect("A2", 1, &secondFromId);
    QVERIFY(again);
    QTRY_COMPARE(table->model()->rowCount(), 2);
    QCOMPARE(cell("reconnectionsTable", 0, ReconnectionsModel::OrderId), QStringLiteral("A2"));
    QCOMPARE(cell("reconnectionsTable", 0, ReconnectionsModel::Replayed), QStringLiteral("1"));
    QCOMPARE(cell("reconnectionsTable", 1, ReconnectionsModel::OrderId), QStringLiteral("A1"));
}

void tst_ConsoleTabs::reconnectStormShowsBanner()
{
    auto *banner = child<QWidget>("reconnectStormBanner");
    QTRY_COMPARE(child<QLabel>("openStreamsFigure")->text(), QStringLiteral("0"));
    QVERIFY(!banner->isVisible());

    quint64 resumedFromId = 0;
    const std::unique_ptr<SseTestClient> resumed = reconnect("S1", 0, &resumedFromId);
    QVERIFY(resumed);

    QTRY_VERIFY(banner->isVisible());
    QCOMPARE(child<FigureStrip>("figureStrip")->stormBannerText(),
        QStringLiteral("Reconnect storm: 1 reconnects in the last minute (threshold 1)"));
    QCOMPARE(child<QLabel>("reconnectStormText")->text(),
        child<FigureStrip>("figureStrip")->stormBannerText());
}

void tst_ConsoleTabs::selectedOrderFiltersTabs()
{
    quint64 resumedFromId = 0;
    const std::unique_ptr<SseTestClient> resumedA = reconnect("A1", 1, &resumedFromId);
    QVERIFY(resumedA);
    const std::unique_ptr<SseTestClient> resumedB = reconnect("B2", 1, &resumedFromId);
    QVERIFY(resumedB);
    m_window->showCentreTab(MainWindow::ConnectionsTab);
    auto *connections = child<QTableView>("connectionsTable");
    auto *reconnections = child<QTableView>("reconnectionsTable");
    QTRY_COMPARE(connections->model()->rowCount(), 2);
    QTRY_COMPARE(reconnections->model()->rowCount(), 2);

    auto *ordersTable = child<QTableView>("ordersTable");
    QTRY_COMPARE(ordersTable->model()->rowCount(), 2);
    QCOMPARE(ordersTable->model()->index(1, OrdersModel::OrderId).data().toString(),
        QStringLiteral("B2"));
    ordersTable->selectRow(1);

    QCOMPARE(connections->model()->rowCount(), 1);
    QCOMPARE(cell("connectionsTable", 0, ConnectionsModel::OrderId), QStringLiteral("B2"));
    QCOMPARE(reconnections->model()->rowCount(), 1);
    QCOMPARE(cell("reconnectionsTable", 0, ReconnectionsModel::OrderId), QStringLiteral("B2"));
    QCOMPARE(child<QLabel>("connectionsFocus")->text(), QStringLiteral("Only order B2"));
    QCOMPARE(historyPanel()->orderFilterText(), QStringLiteral("B2"));

    // The History tab searches the focused order when it is shown.
    m_window->showCentreTab(MainWindow::HistoryTab);
    auto *historyModel = child<HistoryModel>("historyModel");
    QCOMPARE(historyModel->rowCount(), 2);
    for (const OrderEvent &event : historyModel->events())
        QCOMPARE(event.orderId, QStringLiteral("B2"));

    // Show All in the Connections tab clears the selection everywhere.
    m_window->showCentreTab(MainWindow::ConnectionsTab);
    auto *showAll = child<QPushButton>("connectionsShowAllButton");
    QVERIFY(showAll->isVisible());
    QTest::mouseClick(showAll, Qt::LeftButton);
    QVERIFY(ordersTable->selectionModel()->selectedRows().isEmpty());
    QCOMPARE(connections->model()->rowCount(), 2);
    QCOMPARE(reconnections->model()->rowCount(), 2);
    QVERIFY(historyPanel()->orderFilterText().isEmpty());
}

void tst_ConsoleTabs::historyAfterRestart()
{
    const quint64 received = post("A1", QStringLiteral("Received"));
    const quint64 shipped = post("A1", QStringLiteral("Shipped"));
    const quint64 other = post("B2", QStringLiteral("Received"));
    QVERIFY(received > 0 && shipped > received && other > shipped);
    auto *historyModel = child<HistoryModel>("historyModel");
    auto *message = child<QLabel>("historyMessage");

    // The first showing searches with empty filters.
    m_window->showCentreTab(MainWindow::HistoryTab);
    QCOMPARE(historyModel->rowCount(), 3);
    QCOMPARE(historyModel->event(0).id, other);
    QCOMPARE(message->text(), QStringLiteral("Showing all 3 matching events, newest first."));

    // A stopped server closes the journal. The rows stay, and searches report why they fail.
    m_service->stop();
    QVERIFY(m_service->store());
    QVERIFY(!m_service->store()->isOpen());
    QVERIFY2(message->text().startsWith(
                 QStringLiteral("The journal is closed; start the server to read history.")),
        qPrintable(message->text()));
    QCOMPARE(historyModel->rowCount(), 3);
    QVERIFY(!historyPanel()->search());
    QVERIFY2(message->text().startsWith(
                 QStringLiteral("The journal is closed; start the server to read history.")),
        qPrintable(message->text()));
    QCOMPARE(historyModel->rowCount(), 3);

    QString error;
    QVERIFY2(m_service->start(&error), qPrintable(error));
    // The visible tab searches again once the journal is open.
    QCOMPARE(historyModel->rowCount(), 3);

    historyPanel()->setFilterTexts(QStringLiteral("A1"), QString());
    QVERIFY(historyPanel()->search());
    QCOMPARE(historyModel->rowCount(), 2);
    QCOMPARE(historyModel->event(0).id, shipped);
    QCOMPARE(historyModel->event(1).id, received);

    // Status compares ignoring letter case.
    historyPanel()->setFilterTexts(QStringLiteral("A1"), QStringLiteral("shipped"));
    QVERIFY(historyPanel()->search());
    QCOMPARE(historyModel->rowCount(), 1);
    QCOMPARE(historyModel->event(0).status, QStringLiteral("Shipped"));

    // A range that starts after every event finds none.
    auto *fromEnabled = child<QCheckBox>("historyFromEnabled");
    auto *from = child<QDateTimeEdit>("historyFrom");
    auto *toEnabled = child<QCheckBox>("historyToEnabled");
    auto *to = child<QDateTimeEdit>("historyTo");
    historyPanel()->setFilterTexts(QString(), QString());
    fromEnabled->setChecked(true);
    from->setDateTime(QDateTime::currentDateTime().addSecs(120));
    QVERIFY(historyPanel()->search());
    QCOMPARE(historyModel->rowCount(), 0);
    QCOMPARE(message->text(), QStringLiteral("No stored event matches these filters."));

    // A range around now finds them all, and "To" is exclusive.
    from->setDateTime(QDateTime::currentDateTime().addSecs(-600));
    toEnabled->setChecked(true);
    to->setDateTime(QDateTime::currentDateTime().addSecs(120));
    QVERIFY(historyPanel()->search());
    QCOMPARE(historyModel->rowCount(), 3);
    to->setDateTime(QDateTime::currentDateTime().addSecs(-300));
    QVERIFY(historyPanel()->search());
    QCOMPARE(historyModel->rowCount(), 0);
}

void tst_ConsoleTabs::historyFiltersValidateInput()
{
    QVERIFY(post("A1", QStringLiteral("Received")) > 0);
    m_window->showCentreTab(MainWindow::HistoryTab);
    auto *historyModel = child<HistoryModel>("historyModel");
    auto *message = child<QLabel>("historyMessage");
    QCOMPARE(historyModel->rowCount(), 1);

    historyPanel()->setFilterTexts(QStringLiteral("bad id!"), QString());
    QVERIFY(!historyPanel()->search());
    QVERIFY2(message->text().contains(QStringLiteral("\"bad id!\" is invalid")),
        qPrintable(message->text()));
    QCOMPARE(historyModel->rowCount(), 1);

    historyPanel()->setFilterTexts(QString(), QString());
    auto *from = child<QDateTimeEdit>("historyFrom");
    auto *to = child<QDateTimeEdit>("historyTo");
    child<QCheckBox>("historyFromEnabled")->setChecked(true);
    child<QCheckBox>("historyToEnabled")->setChecked(true);
    QVERIFY(from->isEnabled());
    from->setDateTime(QDateTime::currentDateTime());
    to->setDateTime(from->dateTime());
    QVERIFY(!historyPanel()->search());
    QVERIFY2(
        message->text().contains(QStringLiteral("must be before")), qPrintable(message->text()));
    QCOMPARE(historyModel->rowCount(), 1);
}

void tst_ConsoleTabs::historyLoadsOlderPages()
{
    constexpr int Events = 7;
    for (int i = 0; i < Events; ++i)
        QVERIFY(post("P1", QStringLiteral("Step %1").arg(i)) > 0);
    historyPanel()->setPageSize(3);
    auto *historyModel = child<HistoryModel>("historyModel");
    auto *loadOlder = child<QPushButton>("historyLoadOlderButton");

    m_window->showCentreTab(MainWindow::HistoryTab);
    QCOMPARE(historyModel->rowCount(), 3);
    QVERIFY(loadOlder->isEnabled());

    QTest::mouseClick(loadOlder, Qt::LeftButton);
    QCOMPARE(historyModel->rowCount(), 6);
    QVERIFY(loadOlder->isEnabled());
    QTest::mouseClick(loadOlder, Qt::LeftButton);
    QCOMPARE(historyModel->rowCount(), Events);
    QVERIFY(!loadOlder->isEnabled());
    QCOMPARE(child<QLabel>("historyMessage")->text(),
        QStringLiteral("Showing all 7 matching events, newest first."));

    for (int row = 1; row < historyModel->rowCount(); ++row)
        QVERIFY(historyModel->event(row).id < historyModel->event(row - 1).id);
    QCOMPARE(historyModel->event(Events - 1).status, QStringLiteral("Step 0"));
}

void tst_ConsoleTabs::historyExportRoundTrip()
{
    const QString awkwardMessage = QStringLiteral("Delayed, \"fragile\" parcel\nsecond line");
    QJsonObject body {{QStringLiteral("status"), QStringLiteral("Delayed")},
        {QStringLiteral("stage"), QStringLiteral("Activating")},
        {QStringLiteral("message"), awkwardMessage},
        {QStringLiteral("details"),
            QJsonObject {{QStringLiteral("note"), QStringLiteral("a,b \"c\"")}}}};
    QVERIFY(post("E1", body) > 0);
    QVERIFY(post("E2", QStringLiteral("Received")) > 0);
    m_window->showCentreTab(MainWindow::HistoryTab);
    auto *historyModel = child<HistoryModel>("historyModel");
    QCOMPARE(historyModel->rowCount(), 2);
    QVERIFY(child<QAction>("exportHistoryAction")->isEnabled());
    const QList<OrderEvent> shown = historyModel->events();
    QCOMPARE(shown.at(1).message, awkwardMessage);

    QTemporaryDir exportDir;
    QVERIFY(exportDir.isValid());
    const QString csvPath = exportDir.filePath(QStringLiteral("history.csv"));
    QVERIFY(historyPanel()->exportToFile(csvPath, EventExport::Format::Csv));
    QVERIFY2(m_window->statusBar()->currentMessage().contains(QStringLiteral("Exported 2 events")),
        qPrintable(m_window->statusBar()->currentMessage()));

    QFile csvFile(csvPath);
    QVERIFY(csvFile.open(QIODevice::ReadOnly));
    const std::optional<QList<QStringList>> records = readCsv(csvFile.readAll());
    QVERIFY2(records, "the export is not valid RFC 4180 CSV");
    QCOMPARE(records->size(), shown.size() + 1);
    for (qsizetype i = 0; i < shown.size(); ++i) {
        const QStringList &record = records->at(i + 1);
        QCOMPARE(record.size(), 9);
        QCOMPARE(record.at(0), QString::number(shown.at(i).id));
        QCOMPARE(QDateTime::fromString(record.at(1), Qt::ISODateWithMs), shown.at(i).time);
        QCOMPARE(record.at(2), shown.at(i).orderId);
        QCOMPARE(record.at(4), shown.at(i).status);
        QCOMPARE(record.at(6), shown.at(i).message);
        QCOMPARE(QJsonDocument::fromJson(record.at(7).toUtf8()).object(), shown.at(i).details);
    }
    QCOMPARE(records->at(2).at(6), awkwardMessage);

    const QString jsonPath = exportDir.filePath(QStringLiteral("history.json"));
    QVERIFY(historyPanel()->exportToFile(jsonPath, EventExport::Format::Json));
    QFile jsonFile(jsonPath);
    QVERIFY(jsonFile.open(QIODevice::ReadOnly));
    const QJsonArray array = QJsonDocument::fromJson(jsonFile.readAll()).array();
    QCOMPARE(array.size(), shown.size());
    for (qsizetype i = 0; i < shown.size(); ++i)
        QCOMPARE(array.at(i).toObject(), shown.at(i).toJson());
    QCOMPARE(array.at(1).toObject().value(QLatin1String("message")).toString(), awkwardMessage);
}

void tst_ConsoleTabs::historyExportToUnwritablePath()
{
    QVERIFY(post("E1", QStringLiteral("Received")) > 0);
    m_window->showCentreTab(MainWindow::HistoryTab);
    QCOMPARE(child<HistoryModel>("historyModel")->rowCount(), 1);

    QTemporaryDir exportDir;
    QVERIFY(exportDir.isValid());
    const QString blocker = exportDir.filePath(QStringLiteral("plain-file"));
    QFile blockerFile(blocker);
    QVERIFY(blockerFile.open(QIODevice::WriteOnly));
    blockerFile.close();
    const QString path = blocker + QStringLiteral("/history.csv");

    bool exported = true;
    const QString boxText = acceptMessageBox(
        [&] { exported = historyPanel()->exportToFile(path, EventExport::Format::Csv); });

    QVERIFY(!exported);
    QVERIFY2(boxText.contains(QDir::toNativeSeparators(path)), qPrintable(boxText));
    // The reason follows the file name.
    const QString reason = boxText.section(QStringLiteral("\": "), 1);
    QVERIFY2(!reason.trimmed().isEmpty(), qPrintable(boxText));
    QVERIFY(!QFileInfo::exists(path));
    QCOMPARE(QDir(exportDir.path()).entryList(QDir::AllEntries | QDir::NoDotAndDotDot),
        QStringList {QStringLiteral("plain-file")});
}

void tst_ConsoleTabs::statusBarShowsJournal()
{
    QVERIFY(post("J1", QStringLiteral("Received")) > 0);
    auto *label = child<QLabel>("journalSize");
    const QRegularExpression sizeText(QStringLiteral("^Journal \\d+(\\.\\d)? (bytes|kB|MB|GB)$"));
    QTRY_VERIFY2(sizeText.match(label->text()).hasMatch(), qPrintable(label->text()));
    const QString path = QDir::toNativeSeparators(m_service->journalPath());
    QVERIFY2(label->toolTip().contains(path), qPrintable(label->toolTip()));

    m_service->stop();
    QTRY_VERIFY2(label->toolTip().contains(QStringLiteral("closed")), qPrintable(label->toolTip()));
    QVERIFY(sizeText.match(label->text()).hasMatch());
}

void tst_ConsoleTabs::viewMenuSwitchesTabs()
{
    m_window->activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(m_window.get()));
    auto *tabs = child<QTabWidget>("centreTabs");
    QCOMPARE(tabs->currentIndex(), int(MainWindow::EventsTab));

    QTest::keyClick(m_window.get(), Qt::Key_2, Qt::ControlModifier);
    QCOMPARE(tabs->currentIndex(), int(MainWindow::ConnectionsTab));
    QTest::keyClick(m_window.get(), Qt::Key_3, Qt::ControlModifier);
    QCOMPARE(tabs->currentIndex(), int(MainWindow::ReconnectionsTab));
    QTest::keyClick(m_window.get(), Qt::Key_4, Qt::ControlModifier);
    QCOMPARE(tabs->currentIndex(), int(MainWindow::HistoryTab));
    QVERIFY(child<QAction>("showHistoryTabAction")->isChecked());

    // Ctrl+F still finds orders from the History tab's own fields.
    child<QLineEdit>("historyOrderFilter")->setFocus();
    QTest::keyClick(m_window.get(), Qt::Key_F, Qt::ControlModifier);
    QTRY_COMPARE(QApplication::focusWidget(), child<QLineEdit>("orderSearch"));

    QTest::keyClick(m_window.get(), Qt::Key_1, Qt::ControlModifier);
    QCOMPARE(tabs->currentIndex(), int(MainWindow::EventsTab));

    QStringList viewTexts;
    for (QAction *menuAction : m_window->menuBar()->actions()) {
        if (menuAction->text() == QStringLiteral("&View")) {
            for (QAction *action : menuAction->menu()->actions())
                viewTexts.append(action->text());
        }
    }
    QVERIFY2(
        viewTexts.contains(QStringLiteral("Show C&onnections")), qPrintable(viewTexts.join(u'|')));
    QVERIFY2(viewTexts.contains(QStringLiteral("Show Reco&nnections")),
        qPrintable(viewTexts.join(u'|')));
    QVERIFY2(viewTexts.contains(QStringLiteral("Show &History")), qPrintable(viewTexts.join(u'|')));
}

void tst_ConsoleTabs::centreTabIsRestored()
{
    m_window->showCentreTab(MainWindow::ReconnectionsTab);
    historyPanel()->setFilterTexts(QStringLiteral("R9"), QStringLiteral("Active"));
    QVERIFY(m_window->close());

    m_testers.clear();
    m_window = std::make_unique<MainWindow>(m_service.get());
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));

    QCOMPARE(child<QTabWidget>("centreTabs")->currentIndex(), int(MainWindow::ReconnectionsTab));
    QCOMPARE(historyPanel()->orderFilterText(), QStringLiteral("R9"));
    QCOMPARE(historyPanel()->statusFilterText(), QStringLiteral("Active"));
}

QTEST_MAIN(tst_ConsoleTabs)
#include "tst_consoletabs.moc"
