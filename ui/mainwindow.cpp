#include "mainwindow.h"

#include "eventsmodel.h"
#include "eventspanel.h"
#include "figurestrip.h"
#include "ordersmodel.h"
#include "orderspanel.h"
#include "orderstreamservice.h"
#include "publishpanel.h"
#include "snapshotpoller.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDateTime>
#include <QDockWidget>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QSettings>
#include <QStatusBar>
#include <QToolBar>

namespace {

// Bump when a change of docks or toolbars makes older saved states misleading.
constexpr int WindowStateVersion = 1;

namespace SettingsKey {
const QLatin1String Geometry("mainWindow/geometry");
const QLatin1String State("mainWindow/state");
const QLatin1String EventsLayout("mainWindow/eventsLayout");
const QLatin1String OrderSearch("filters/orderSearch");
const QLatin1String EventFilter("filters/eventOrderId");
} // namespace SettingsKey

QString formatUptime(qint64 seconds)
{
    const qint64 minutes = seconds / 60;
    const qint64 hours = minutes / 60;
    const qint64 days = hours / 24;
    if (days > 0)
        return MainWindow::tr("%1 d %2 h").arg(days).arg(hours % 24);
    if (hours > 0)
        return MainWindow::tr("%1 h %2 min").arg(hours).arg(minutes % 60);
    if (minutes > 0)
        return MainWindow::tr("%1 min %2 s").arg(minutes).arg(seconds % 60);
    return MainWindow::tr("%1 s").arg(seconds);
}

QString listenUrl(const QHostAddress &address, quint16 port)
{
    const QString host = address.protocol() == QAbstractSocket::IPv6Protocol
            ? QLatin1Char('[') + address.toString() + QLatin1Char(']')
            : address.toString();
    return QStringLiteral("http://%1:%2").arg(host).arg(port);
}

} // namespace

MainWindow::MainWindow(OrderStreamService *service, QWidget *parent)
    : QMainWindow(parent), m_service(service)
{
    Q_ASSERT(m_service);
    setWindowTitle(tr("OrderStream Console"));

    m_ordersModel = new OrdersModel(this);
    m_ordersModel->setObjectName(QStringLiteral("ordersModel"));
    m_eventsModel = new EventsModel(this);
    m_eventsModel->setObjectName(QStringLiteral("eventsModel"));
    m_poller = new SnapshotPoller(m_service, this);

    m_eventsPanel = new EventsPanel(m_eventsModel, this);
    setCentralWidget(m_eventsPanel);

    m_figures = new FigureStrip(this);
    m_figuresBar = new QToolBar(tr("Figures"), this);
    m_figuresBar->setObjectName(QStringLiteral("figuresToolBar"));
    m_figuresBar->setMovable(false);
    m_figuresBar->setFloatable(false);
    m_figuresBar->addWidget(m_figures);
    addToolBar(Qt::TopToolBarArea, m_figuresBar);

    createDocks();
    createMenus();
    createStatusBar();

    connect(m_poller, &SnapshotPoller::snapshotTaken, this, &MainWindow::applySnapshot);
    connect(m_poller, &SnapshotPoller::historyReset, this, &MainWindow::clearHistory);
    connect(m_ordersPanel, &OrdersPanel::orderFocused, this, &MainWindow::focusOrder);
    connect(m_eventsPanel, &EventsPanel::showAllOrdersRequested, m_ordersPanel,
            &OrdersPanel::clearOrderSelection);
    connect(m_service, &OrderStreamService::started, this, &MainWindow::updateServerState);
    connect(m_service, &OrderStreamService::stopped, this, &MainWindow::updateServerState);

    resize(1440, 900);
    m_dockWidthsPending = !restoreSettings();

    updateServerState();
    m_poller->start();
}

MainWindow::~MainWindow() = default;

void MainWindow::createDocks()
{
    m_ordersPanel = new OrdersPanel(m_ordersModel, this);
    m_ordersDock = addPanelDock(m_ordersPanel, tr("Orders"), QStringLiteral("ordersDock"),
                                Qt::LeftDockWidgetArea);

    m_publishPanel = new PublishPanel(m_service, m_ordersModel, this);
    m_publishDock = addPanelDock(m_publishPanel, tr("Publish"), QStringLiteral("publishDock"),
                                 Qt::RightDockWidgetArea);
}

QDockWidget *MainWindow::addPanelDock(QWidget *panel, const QString &title,
                                      const QString &objectName, Qt::DockWidgetArea area)
{
    auto *dock = new QDockWidget(title, this);
    dock->setObjectName(objectName);
    dock->setWidget(panel);
    addDockWidget(area, dock);
    return dock;
}

void MainWindow::createMenus()
{
    QMenu *fileMenu = menuBar()->addMenu(tr("&File"));
    QAction *quitAction = fileMenu->addAction(tr("&Quit"), this, &QWidget::close);
    quitAction->setShortcuts(QKeySequence::Quit);
    quitAction->setStatusTip(tr("Close the console and stop the server"));
    quitAction->setMenuRole(QAction::QuitRole);

    QMenu *ordersMenu = menuBar()->addMenu(tr("&Orders"));
    QAction *findAction = ordersMenu->addAction(tr("&Find Order"), this,
                                                &MainWindow::focusOrderSearch);
    findAction->setShortcuts(QKeySequence::Find);
    findAction->setStatusTip(tr("Search the orders by id"));
    QAction *showAllAction = ordersMenu->addAction(tr("Show &All Orders"), m_ordersPanel,
                                                   &OrdersPanel::clearOrderSelection);
    showAllAction->setStatusTip(tr("Clear the order selection and list the events of every order"));
    ordersMenu->addSeparator();
    ordersMenu->addAction(m_publishPanel->publishAction());

    QMenu *viewMenu = menuBar()->addMenu(tr("&View"));
    viewMenu->addAction(m_figuresBar->toggleViewAction());
    viewMenu->addAction(m_ordersDock->toggleViewAction());
    viewMenu->addAction(m_publishDock->toggleViewAction());

    QMenu *helpMenu = menuBar()->addMenu(tr("&Help"));
    QAction *aboutAction = helpMenu->addAction(tr("&About OrderStream"), this,
                                               &MainWindow::showAbout);
    aboutAction->setMenuRole(QAction::AboutRole);
    QAction *aboutQtAction = helpMenu->addAction(tr("About &Qt"), qApp, &QApplication::aboutQt);
    aboutQtAction->setMenuRole(QAction::AboutQtRole);
}

void MainWindow::createStatusBar()
{
    m_addressLabel = new QLabel(this);
    m_addressLabel->setObjectName(QStringLiteral("listenAddress"));
    m_addressLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_stateLabel = new QLabel(this);
    m_stateLabel->setObjectName(QStringLiteral("serverState"));
    m_uptimeLabel = new QLabel(this);
    m_uptimeLabel->setObjectName(QStringLiteral("uptime"));

    statusBar()->addPermanentWidget(m_addressLabel);
    statusBar()->addPermanentWidget(m_stateLabel);
    statusBar()->addPermanentWidget(m_uptimeLabel);
}

void MainWindow::applySnapshot(const HubSnapshot &snapshot)
{
    m_ordersModel->update(snapshot.orders);
    m_eventsModel->append(snapshot.events);
    m_figures->showSnapshot(snapshot);
    m_eventsPanel->setEventsSkipped(m_poller->eventsSkipped());
    m_publishPanel->setLastEventId(snapshot.lastEventId);
    updateUptime();
}

void MainWindow::clearHistory()
{
    m_eventsModel->clear();
    m_figures->resetRate();
}

void MainWindow::focusOrder(const QString &orderId)
{
    m_eventsPanel->setFocusedOrderId(orderId);
    if (!orderId.isEmpty())
        m_publishPanel->setOrderId(orderId);
}

void MainWindow::focusOrderSearch()
{
    m_ordersDock->show();
    m_ordersDock->raise();
    m_ordersPanel->focusSearch();
}

void MainWindow::updateServerState()
{
    if (m_service->isRunning()) {
        m_addressLabel->setText(listenUrl(m_service->config().bindAddress, m_service->port()));
        m_stateLabel->setText(tr("Server running"));
    } else {
        m_addressLabel->setText(tr("Not listening"));
        m_stateLabel->setText(tr("Server stopped"));
    }
    updateUptime();
}

void MainWindow::updateUptime()
{
    if (!m_service->isRunning()) {
        m_uptimeLabel->clear();
        m_uptimeLabel->setToolTip({});
        return;
    }

    const QDateTime startedAt = m_service->startedAt();
    const qint64 seconds = qMax<qint64>(0, startedAt.secsTo(QDateTime::currentDateTimeUtc()));
    m_uptimeLabel->setText(tr("Uptime %1").arg(formatUptime(seconds)));
    m_uptimeLabel->setToolTip(
            tr("Started %1").arg(QLocale().toString(startedAt.toLocalTime(), QLocale::LongFormat)));
}

void MainWindow::showAbout()
{
    QMessageBox::about(
            this, tr("About OrderStream"),
            tr("<h3>OrderStream %1</h3>"
               "<p>A Server-Sent Events server for order status updates, with this console "
               "to watch its streams and publish events.</p>"
               "<p>Built with Qt %2.</p>")
                    .arg(QCoreApplication::applicationVersion().toHtmlEscaped(),
                         QLatin1String(QT_VERSION_STR)));
}

bool MainWindow::restoreSettings()
{
    const QSettings settings;
    restoreGeometry(settings.value(SettingsKey::Geometry).toByteArray());
    const bool stateRestored =
            restoreState(settings.value(SettingsKey::State).toByteArray(), WindowStateVersion);
    m_eventsPanel->restoreLayout(settings.value(SettingsKey::EventsLayout).toByteArray());
    m_ordersPanel->setSearchText(settings.value(SettingsKey::OrderSearch).toString());
    m_eventsPanel->setFilterText(settings.value(SettingsKey::EventFilter).toString());
    return stateRestored;
}

void MainWindow::saveSettings() const
{
    QSettings settings;
    settings.setValue(SettingsKey::Geometry, saveGeometry());
    settings.setValue(SettingsKey::State, saveState(WindowStateVersion));
    settings.setValue(SettingsKey::EventsLayout, m_eventsPanel->saveLayout());
    settings.setValue(SettingsKey::OrderSearch, m_ordersPanel->searchText());
    settings.setValue(SettingsKey::EventFilter, m_eventsPanel->filterText());
}

void MainWindow::showEvent(QShowEvent *event)
{
    QMainWindow::showEvent(event);
    if (!m_dockWidthsPending)
        return;

    // Without a saved layout, the Orders dock gets the width of its columns
    // and the Publish dock a fixed share, both capped so that the event
    // history keeps at least 40% of the window.
    m_dockWidthsPending = false;
    const int ordersWidth = qMin(m_ordersPanel->sizeHint().width(), width() * 36 / 100);
    const int publishWidth = qMin(360, width() * 24 / 100);
    resizeDocks({m_ordersDock, m_publishDock}, {ordersWidth, publishWidth}, Qt::Horizontal);
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    saveSettings();
    QMainWindow::closeEvent(event);
}
