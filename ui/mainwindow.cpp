#include "mainwindow.h"

#include "activitypanel.h"
#include "authsettingsdialog.h"
#include "clusterpanel.h"
#include "orderpagelink.h"
#include "connectionspanel.h"
#include "eventstore.h"
#include "eventsmodel.h"
#include "eventspanel.h"
#include "figurestrip.h"
#include "historypanel.h"
#include "lifecycle.h"
#include "logdock.h"
#include "ordersmodel.h"
#include "orderspanel.h"
#include "orderstreamservice.h"
#include "publishpanel.h"
#include "reconnectionspanel.h"
#include "simulatedialog.h"
#include "snapshotpoller.h"
#include "timelinedock.h"
#include "viewformat.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QCloseEvent>
#include <QDateTime>
#include <QDesktopServices>
#include <QDir>
#include <QDockWidget>
#include <QFrame>
#include <QHBoxLayout>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QSettings>
#include <QStatusBar>
#include <QStyle>
#include <QTabWidget>
#include <QToolBar>
#include <QToolButton>
#include <QVBoxLayout>

namespace {

// Bump when a change of docks or toolbars makes older saved states misleading.
constexpr int WindowStateVersion = 1;

namespace SettingsKey {
const QLatin1String Geometry("mainWindow/geometry");
const QLatin1String State("mainWindow/state");
const QLatin1String EventsLayout("mainWindow/eventsLayout");
const QLatin1String OrderSearch("filters/orderSearch");
const QLatin1String EventFilter("filters/eventOrderId");
const QLatin1String CentreTab("mainWindow/centreTab");
const QLatin1String HistoryOrderFilter("filters/historyOrderId");
const QLatin1String HistoryStatusFilter("filters/historyStatus");
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

    createCentreTabs();

    m_figures = new FigureStrip(this);
    m_figures->setObjectName(QStringLiteral("figureStrip"));
    m_figures->setReconnectStormThreshold(m_service->config().reconnectStormPerMinute);
    m_figuresBar = new QToolBar(tr("Figures"), this);
    m_figuresBar->setObjectName(QStringLiteral("figuresToolBar"));
    m_figuresBar->setMovable(false);
    m_figuresBar->setFloatable(false);
    m_figuresBar->addWidget(m_figures);
    addToolBar(Qt::TopToolBarArea, m_figuresBar);
    createToolsBar();
    createAuthBanner();

    createDocks();
    createMenus();
    createStatusBar();

    connect(m_poller, &SnapshotPoller::snapshotTaken, this, &MainWindow::applySnapshot);
    connect(m_poller, &SnapshotPoller::historyReset, this, &MainWindow::clearHistory);
    connect(m_ordersPanel, &OrdersPanel::orderFocused, this, &MainWindow::focusOrder);
    connect(m_eventsPanel, &EventsPanel::showAllOrdersRequested, m_ordersPanel,
            &OrdersPanel::clearOrderSelection);
    connect(m_connectionsPanel, &ConnectionsPanel::showAllOrdersRequested, m_ordersPanel,
            &OrdersPanel::clearOrderSelection);
    connect(m_reconnectionsPanel, &ReconnectionsPanel::showAllOrdersRequested, m_ordersPanel,
            &OrdersPanel::clearOrderSelection);
    connect(m_historyPanel, &HistoryPanel::historyExported, this,
            &MainWindow::showHistoryExported);
    connect(m_eventsPanel, &EventsPanel::republishRequested, this, &MainWindow::republish);
    connect(m_historyPanel, &HistoryPanel::republishRequested, this, &MainWindow::republish);
    connect(m_ordersModel, &QAbstractItemModel::rowsInserted, this, &MainWindow::updateOrdersHint);
    connect(m_ordersModel, &QAbstractItemModel::rowsRemoved, this, &MainWindow::updateOrdersHint);
    connect(m_ordersModel, &QAbstractItemModel::modelReset, this, &MainWindow::updateOrdersHint);
    connect(m_service, &OrderStreamService::started, this, &MainWindow::updateServerState);
    connect(m_service, &OrderStreamService::stopped, this, &MainWindow::updateServerState);

    resize(1440, 900);
    m_dockWidthsPending = !restoreSettings();
    // A saved layout must not hide the warning, nor show it with auth on.
    m_authBannerBar->setVisible(!m_service->config().authEnabled);

    updateServerState();
    m_poller->start();
}

MainWindow::~MainWindow() = default;

void MainWindow::createCentreTabs()
{
    m_eventsPanel = new EventsPanel(m_eventsModel, this);
    m_eventsPanel->setObjectName(QStringLiteral("eventsPanel"));
    m_connectionsPanel = new ConnectionsPanel(m_service, this);
    m_connectionsPanel->setObjectName(QStringLiteral("connectionsPanel"));
    m_reconnectionsPanel = new ReconnectionsPanel(m_service, this);
    m_reconnectionsPanel->setObjectName(QStringLiteral("reconnectionsPanel"));
    m_historyPanel = new HistoryPanel(m_service, this);
    m_historyPanel->setObjectName(QStringLiteral("historyPanel"));
    m_clusterPanel = new ClusterPanel(m_service, this);
    m_clusterPanel->setObjectName(QStringLiteral("clusterPanel"));

    // The order of the tabs matches CentreTab. The titles have no mnemonics
    // because those would clash with the menus' (Alt+H opens Help). Ctrl+1
    // to Ctrl+5 in the View menu switch tabs instead.
    m_centreTabs = new QTabWidget(this);
    m_centreTabs->setObjectName(QStringLiteral("centreTabs"));
    m_centreTabs->setDocumentMode(true);
    m_centreTabs->addTab(m_eventsPanel, tr("Events"));
    m_centreTabs->addTab(m_connectionsPanel, tr("Connections"));
    m_centreTabs->addTab(m_reconnectionsPanel, tr("Reconnections"));
    m_centreTabs->addTab(m_historyPanel, tr("History"));
    m_centreTabs->addTab(m_clusterPanel, tr("Cluster"));
    setCentralWidget(m_centreTabs);
}

void MainWindow::showCentreTab(CentreTab tab)
{
    m_centreTabs->setCurrentIndex(int(tab));
}

void MainWindow::createDocks()
{
    m_ordersPanel = new OrdersPanel(m_ordersModel, this);
    // The hint above the table leads a first-time user to Simulate.
    auto *ordersContent = new QWidget(this);
    auto *ordersLayout = new QVBoxLayout(ordersContent);
    ordersLayout->setContentsMargins(0, 0, 0, 0);
    ordersLayout->addWidget(createOrdersHint());
    ordersLayout->addWidget(m_ordersPanel, 1);
    m_ordersDock = addPanelDock(ordersContent, tr("Orders"), QStringLiteral("ordersDock"),
                                Qt::LeftDockWidgetArea);
    updateOrdersHint();

    // The service loads its lifecycle file in start(), which runs before the
    // window is created; the panels keep a copy.
    const Lifecycle &lifecycle = m_service->lifecycle();
    m_publishPanel = new PublishPanel(m_service, m_ordersModel, this);
    m_publishPanel->setLifecycle(lifecycle);
    m_publishPanel->addToolAction(m_simulateAction);
    m_publishDock = addPanelDock(m_publishPanel, tr("Publish"), QStringLiteral("publishDock"),
                                 Qt::RightDockWidgetArea);


    m_logDock = new LogDock(this);
    addDockWidget(Qt::BottomDockWidgetArea, m_logDock);

    // Tabbed with the Log, which stays in front, so the centre keeps its height.
    m_timelineDock = new TimelineDock(m_service, m_ordersModel, this);
    m_timelineDock->setLifecycle(lifecycle);
    addDockWidget(Qt::BottomDockWidgetArea, m_timelineDock);
    tabifyDockWidget(m_logDock, m_timelineDock);

    // Tabbed with the Log as well; the charts sit side by side in a wide dock.
    m_activityPanel = new ActivityPanel(this);
    m_activityPanel->setObjectName(QStringLiteral("activityPanel"));
    m_activityDock = addPanelDock(m_activityPanel, tr("Activity"), QStringLiteral("activityDock"),
                                  Qt::BottomDockWidgetArea);
    tabifyDockWidget(m_timelineDock, m_activityDock);
    m_logDock->raise();
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
    fileMenu->addAction(m_historyPanel->exportAction());
    fileMenu->addSeparator();
    QAction *settingsAction = fileMenu->addAction(tr("&Settings…"), this,
                                                  &MainWindow::showAuthSettings);
    settingsAction->setObjectName(QStringLiteral("authSettingsAction"));
    settingsAction->setShortcuts(QKeySequence::Preferences);
    settingsAction->setStatusTip(tr("Edit the authentication settings used at the next start"));
    settingsAction->setMenuRole(QAction::PreferencesRole);
    fileMenu->addSeparator();
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
    viewMenu->addAction(m_activityDock->toggleViewAction());
    viewMenu->addAction(m_logDock->toggleViewAction());
    viewMenu->addAction(m_timelineDock->toggleViewAction());
    viewMenu->addAction(m_toolsBar->toggleViewAction());
    viewMenu->addSeparator();
    addCentreTabActions(viewMenu);

    QMenu *toolsMenu = menuBar()->addMenu(tr("&Tools"));
    toolsMenu->addAction(m_simulateAction);
    toolsMenu->addAction(m_openPageAction);

    QMenu *helpMenu = menuBar()->addMenu(tr("&Help"));
    QAction *aboutAction = helpMenu->addAction(tr("&About OrderStream"), this,
                                               &MainWindow::showAbout);
    aboutAction->setMenuRole(QAction::AboutRole);
    QAction *aboutQtAction = helpMenu->addAction(tr("About &Qt"), qApp, &QApplication::aboutQt);
    aboutQtAction->setMenuRole(QAction::AboutQtRole);
}

void MainWindow::addCentreTabActions(QMenu *menu)
{
    struct TabAction
    {
        CentreTab tab;
        const char *objectName;
        QString text;
        QString statusTip;
        QKeySequence shortcut;
    };
    const TabAction tabActions[] = {
        {EventsTab, "showEventsTabAction", tr("Show E&vents"),
         tr("Show the live event history"), QKeySequence(Qt::CTRL | Qt::Key_1)},
        {ConnectionsTab, "showConnectionsTabAction", tr("Show C&onnections"),
         tr("Show the open streams"), QKeySequence(Qt::CTRL | Qt::Key_2)},
        {ReconnectionsTab, "showReconnectionsTabAction", tr("Show Reco&nnections"),
         tr("Show the clients that came back to a stream"), QKeySequence(Qt::CTRL | Qt::Key_3)},
        {HistoryTab, "showHistoryTabAction", tr("Show &History"),
         tr("Search and export the events in the journal"), QKeySequence(Qt::CTRL | Qt::Key_4)},
        {ClusterTab, "showClusterTabAction", tr("Show C&luster"),
         tr("Show where events are kept and the instances sharing them"),
         QKeySequence(Qt::CTRL | Qt::Key_5)},
    };

    auto *group = new QActionGroup(this);
    group->setExclusive(true);
    for (const TabAction &tabAction : tabActions) {
        QAction *action = menu->addAction(tabAction.text);
        action->setObjectName(QLatin1String(tabAction.objectName));
        action->setCheckable(true);
        action->setShortcut(tabAction.shortcut);
        action->setStatusTip(tabAction.statusTip);
        group->addAction(action);
        connect(action, &QAction::triggered, this,
                [this, tab = tabAction.tab] { showCentreTab(tab); });
    }

    const auto checkCurrentTab = [group](int index) {
        const QList<QAction *> actions = group->actions();
        if (index >= 0 && index < actions.size())
            actions.at(index)->setChecked(true);
    };
    connect(m_centreTabs, &QTabWidget::currentChanged, group, checkCurrentTab);
    checkCurrentTab(m_centreTabs->currentIndex());
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
    m_journalLabel = new QLabel(this);
    m_journalLabel->setObjectName(QStringLiteral("journalSize"));
    m_authLabel = new QLabel(this);
    m_authLabel->setObjectName(QStringLiteral("authMode"));

    const ServerConfig &config = m_service->config();
    if (config.authEnabled) {
        const QStringList algorithms = JwtVerifier(config.jwt).allowedAlgorithms();
        m_authLabel->setText(algorithms.isEmpty()
                                     ? tr("Auth: JWT (no valid key)")
                                     : tr("Auth: JWT (%1)").arg(algorithms.join(QLatin1String(", "))));
        m_authLabel->setToolTip(tr("Every route but /healthz and /metrics needs a valid token"));
    } else {
        m_authLabel->setText(tr("Auth: off"));
        m_authLabel->setToolTip(tr("Started with --no-auth: no route needs a token"));
    }

    statusBar()->addPermanentWidget(m_addressLabel);
    statusBar()->addPermanentWidget(m_stateLabel);
    statusBar()->addPermanentWidget(m_uptimeLabel);
    statusBar()->addPermanentWidget(m_journalLabel);
    statusBar()->addPermanentWidget(m_authLabel);
}

void MainWindow::createAuthBanner()
{
    // Styled like the reconnect-storm banner: a warning icon and words on
    // the palette's tooltip colors. It sits in a toolbar of its own below the
    // figures so that it spans the window and stays when the figures are
    // hidden. Its toggle is hidden, so the user cannot close the warning.
    auto *banner = new QFrame(this);
    banner->setObjectName(QStringLiteral("noAuthBanner"));
    banner->setFrameShape(QFrame::StyledPanel);
    banner->setBackgroundRole(QPalette::ToolTipBase);
    banner->setForegroundRole(QPalette::ToolTipText);
    banner->setAutoFillBackground(true);
    banner->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);

    auto *icon = new QLabel(banner);
    const int iconSize = style()->pixelMetric(QStyle::PM_SmallIconSize, nullptr, this);
    icon->setPixmap(style()->standardIcon(QStyle::SP_MessageBoxWarning, nullptr, this)
                            .pixmap(iconSize, iconSize));
    m_authBannerText = new QLabel(banner);
    m_authBannerText->setObjectName(QStringLiteral("noAuthText"));
    m_authBannerText->setForegroundRole(QPalette::ToolTipText);
    m_authBannerText->setTextFormat(Qt::PlainText);
    m_authBannerText->setWordWrap(true);
    QFont bold = m_authBannerText->font();
    bold.setBold(true);
    m_authBannerText->setFont(bold);

    auto *layout = new QHBoxLayout(banner);
    layout->addWidget(icon);
    layout->addWidget(m_authBannerText, 1);

    m_authBannerBar = new QToolBar(tr("Authentication Warning"), this);
    m_authBannerBar->setObjectName(QStringLiteral("noAuthBannerToolBar"));
    m_authBannerBar->setMovable(false);
    m_authBannerBar->setFloatable(false);
    m_authBannerBar->toggleViewAction()->setVisible(false);
    m_authBannerBar->addWidget(banner);
    addToolBarBreak(Qt::TopToolBarArea);
    addToolBar(Qt::TopToolBarArea, m_authBannerBar);
    m_authBannerBar->setVisible(!m_service->config().authEnabled);
}

QString MainWindow::authBannerText() const
{
    return m_authBannerBar->isHidden() ? QString() : m_authBannerText->text();
}

void MainWindow::showAuthSettings()
{
    auto *dialog = new AuthSettingsDialog(this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this] {
        statusBar()->showMessage(tr("Authentication settings saved; they apply the next time "
                                    "the server starts"),
                                 10000);
    });
    dialog->open();
}

void MainWindow::applySnapshot(const HubSnapshot &snapshot)
{
    m_ordersModel->update(snapshot.orders);
    m_eventsModel->append(snapshot.events);
    m_figures->showSnapshot(snapshot);
    m_activityPanel->showSnapshot(snapshot);
    m_eventsPanel->setEventsSkipped(m_poller->eventsSkipped());
    m_publishPanel->setLastEventId(snapshot.lastEventId);
    m_timelineDock->appendLiveEvents(snapshot.events);
    m_reconnectionsPanel->refresh();
    updateUptime();
    updateJournalSize(snapshot.journalSizeBytes);
}

void MainWindow::clearHistory()
{
    m_eventsModel->clear();
    m_figures->resetRate();
}

void MainWindow::focusOrder(const QString &orderId)
{
    m_eventsPanel->setFocusedOrderId(orderId);
    m_connectionsPanel->setFocusedOrderId(orderId);
    m_reconnectionsPanel->setFocusedOrderId(orderId);
    m_historyPanel->setFocusedOrderId(orderId);
    if (!orderId.isEmpty())
        m_publishPanel->setOrderId(orderId);
    m_timelineDock->setOrderId(orderId);
    m_focusedOrderId = orderId;
    if (m_openPageAction)
        m_openPageAction->setEnabled(!orderId.isEmpty());
}

void MainWindow::openOrderPage()
{
    QString error;
    const QUrl url = orderPageUrl(*m_service, m_focusedOrderId, &error);
    if (url.isEmpty() || !QDesktopServices::openUrl(url)) {
        statusBar()->showMessage(error.isEmpty() ? tr("No browser opened %1").arg(url.toString(QUrl::RemoveQuery))
                                                 : error,
                                 10000);
    }
}

void MainWindow::createToolsBar()
{
    m_simulateAction = new QAction(tr("&Simulate Orders\u2026"), this);
    m_simulateAction->setObjectName(QStringLiteral("simulateAction"));
    m_simulateAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_S));
    m_simulateAction->setStatusTip(tr("Drive simulated orders through the lifecycle"));
    m_simulateAction->setToolTip(
            tr("Simulate orders (%1)")
                    .arg(m_simulateAction->shortcut().toString(QKeySequence::NativeText)));
    connect(m_simulateAction, &QAction::triggered, this, &MainWindow::showSimulateDialog);

    m_toolsBar = new QToolBar(tr("Tools"), this);
    m_toolsBar->setObjectName(QStringLiteral("toolsToolBar"));
    m_toolsBar->setToolButtonStyle(Qt::ToolButtonTextOnly);
    m_toolsBar->addAction(m_simulateAction);

    m_openPageAction = new QAction(tr("Open Order &Page in Browser"), this);
    m_openPageAction->setObjectName(QStringLiteral("openOrderPageAction"));
    m_openPageAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O));
    m_openPageAction->setStatusTip(
            tr("Show the selected order's live status page, as a customer sees it"));
    m_openPageAction->setEnabled(false);
    connect(m_openPageAction, &QAction::triggered, this, &MainWindow::openOrderPage);
    m_toolsBar->addAction(m_openPageAction);
    addToolBar(Qt::TopToolBarArea, m_toolsBar);
}

QWidget *MainWindow::createOrdersHint()
{
    m_ordersHint = new QFrame(this);
    m_ordersHint->setObjectName(QStringLiteral("ordersEmptyHint"));
    auto *text = new QLabel(tr("No orders yet."), m_ordersHint);
    text->setWordWrap(true);
    auto *button = new QToolButton(m_ordersHint);
    button->setObjectName(QStringLiteral("ordersSimulateButton"));
    button->setDefaultAction(m_simulateAction);

    auto *layout = new QHBoxLayout(m_ordersHint);
    layout->addWidget(text, 1);
    layout->addWidget(button);
    return m_ordersHint;
}

void MainWindow::updateOrdersHint()
{
    m_ordersHint->setVisible(m_ordersModel->rowCount() == 0);
}

void MainWindow::showSimulateDialog()
{
    if (!m_simulateDialog)
        m_simulateDialog = new SimulateDialog(m_service, m_service->lifecycle(), this);
    m_simulateDialog->show();
    m_simulateDialog->raise();
    m_simulateDialog->activateWindow();
}

void MainWindow::republish(const OrderEvent &event)
{
    m_publishDock->show();
    m_publishDock->raise();
    m_publishPanel->loadEvent(event);
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
    updateJournalSize(m_poller->latest().journalSizeBytes);

    // Before the first start, the configured port is shown in place of the bound one.
    const quint16 port = m_service->isRunning() ? m_service->port() : m_service->config().port;
    m_authBannerText->setText(tr("Authentication is off: anyone who can reach %1 can watch and "
                                 "publish every order.")
                                      .arg(listenUrl(m_service->config().bindAddress, port)));
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

void MainWindow::updateJournalSize(qint64 sizeBytes)
{
    const QString path = QDir::toNativeSeparators(m_service->journalPath());
    const EventStore *journal = m_service->store();
    if (!journal) {
        m_journalLabel->setText(tr("Journal not open"));
        m_journalLabel->setToolTip(tr("Journal file: %1").arg(path));
        return;
    }

    const OrderStreamService::StoreStatus store = m_service->storeStatus();
    if (store.shared) {
        m_journalLabel->setText(store.reachable
                                        ? tr("Redis %1").arg(ViewFormat::dataSize(sizeBytes))
                                        : tr("Redis unreachable"));
        m_journalLabel->setToolTip(tr("Events are kept in %1").arg(store.location));
        return;
    }
    m_journalLabel->setText(tr("Journal %1").arg(ViewFormat::dataSize(sizeBytes)));
    m_journalLabel->setToolTip(journal->isOpen()
                                       ? tr("Journal file: %1").arg(path)
                                       : tr("Journal file: %1 (closed while the server is stopped)")
                                                 .arg(path));
}

void MainWindow::showHistoryExported(const QString &fileName, int eventCount)
{
    statusBar()->showMessage(tr("Exported %1 events to %2")
                                     .arg(QLocale().toString(eventCount),
                                          QDir::toNativeSeparators(fileName)),
                             10000);
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
    m_historyPanel->setFilterTexts(settings.value(SettingsKey::HistoryOrderFilter).toString(),
                                   settings.value(SettingsKey::HistoryStatusFilter).toString());
    const int centreTab = settings.value(SettingsKey::CentreTab, int(EventsTab)).toInt();
    if (centreTab >= 0 && centreTab < m_centreTabs->count())
        m_centreTabs->setCurrentIndex(centreTab);
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
    settings.setValue(SettingsKey::CentreTab, m_centreTabs->currentIndex());
    settings.setValue(SettingsKey::HistoryOrderFilter, m_historyPanel->orderFilterText());
    settings.setValue(SettingsKey::HistoryStatusFilter, m_historyPanel->statusFilterText());
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
