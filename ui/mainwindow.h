#pragma once

#include <QMainWindow>

class ActivityPanel;
class ConnectionsPanel;
class EventsModel;
class EventsPanel;
class FigureStrip;
class ClusterPanel;
class HistoryPanel;
class LogDock;
class OrderStreamService;
class OrdersModel;
class OrdersPanel;
class PublishPanel;
class QDockWidget;
class QLabel;
class QMenu;
class QTabWidget;
class QToolBar;
class ReconnectionsPanel;
class SimulateDialog;
class SnapshotPoller;
class TimelineDock;
struct HubSnapshot;
struct OrderEvent;

// The operations console: live figures, the Orders dock, the centre tabs
// (live events, open connections, reconnections, journal history), the
// Publish dock and the Log dock, fed from one snapshot of the service per
// tick. A banner warns while authentication is off. The
// Connections tab lists streams on its own slower timer, and History reads
// the journal when the user searches.
//
// The window reads the service and publishes through it, but never starts or
// stops it. Geometry, dock layout and filters persist in QSettings.
class MainWindow : public QMainWindow
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MainWindow)

public:
    // service must outlive the window.
    explicit MainWindow(OrderStreamService *service, QWidget *parent = nullptr);
    ~MainWindow() override;

    // The centre tabs, in order.
    enum CentreTab { EventsTab, ConnectionsTab, ReconnectionsTab, HistoryTab, ClusterTab };
    Q_ENUM(CentreTab)

    void showCentreTab(CentreTab tab);
    // Returns the no-authentication banner's text, or an empty string when
    // authentication is on and the banner is hidden.
    QString authBannerText() const;

protected:
    void showEvent(QShowEvent *event) override;
    void closeEvent(QCloseEvent *event) override;

private:
    void createCentreTabs();
    void createDocks();
    void createMenus();
    void addCentreTabActions(QMenu *menu);
    void createStatusBar();
    void createAuthBanner();
    void createToolsBar();
    void showAuthSettings();
    QDockWidget *addPanelDock(QWidget *panel, const QString &title, const QString &objectName,
                              Qt::DockWidgetArea area);

    void applySnapshot(const HubSnapshot &snapshot);
    void clearHistory();
    void focusOrder(const QString &orderId);
    void focusOrderSearch();
    // Opens GET /watch/{orderId} of the focused order in the default browser.
    void openOrderPage();
    void updateServerState();
    void updateUptime();
    void updateJournalSize(qint64 sizeBytes);
    void showHistoryExported(const QString &fileName, int eventCount);
    void showAbout();
    QWidget *createOrdersHint();
    void updateOrdersHint();
    void showSimulateDialog();
    void republish(const OrderEvent &event);

    // Restores the saved layout and filters. Returns false when no dock
    // layout was saved, or it was saved by an incompatible version.
    bool restoreSettings();
    void saveSettings() const;

    OrderStreamService *const m_service;
    OrdersModel *m_ordersModel = nullptr;
    EventsModel *m_eventsModel = nullptr;
    SnapshotPoller *m_poller = nullptr;

    FigureStrip *m_figures = nullptr;
    QToolBar *m_figuresBar = nullptr;
    OrdersPanel *m_ordersPanel = nullptr;
    QDockWidget *m_ordersDock = nullptr;
    QTabWidget *m_centreTabs = nullptr;
    EventsPanel *m_eventsPanel = nullptr;
    ConnectionsPanel *m_connectionsPanel = nullptr;
    ReconnectionsPanel *m_reconnectionsPanel = nullptr;
    HistoryPanel *m_historyPanel = nullptr;
    ClusterPanel *m_clusterPanel = nullptr;
    PublishPanel *m_publishPanel = nullptr;
    QDockWidget *m_publishDock = nullptr;
    ActivityPanel *m_activityPanel = nullptr;
    QDockWidget *m_activityDock = nullptr;
    LogDock *m_logDock = nullptr;
    TimelineDock *m_timelineDock = nullptr;
    QWidget *m_ordersHint = nullptr;
    QAction *m_simulateAction = nullptr;
    QAction *m_openPageAction = nullptr;
    QString m_focusedOrderId;
    QToolBar *m_toolsBar = nullptr;
    SimulateDialog *m_simulateDialog = nullptr;
    QToolBar *m_authBannerBar = nullptr;
    QLabel *m_authBannerText = nullptr;

    QLabel *m_addressLabel = nullptr;
    QLabel *m_stateLabel = nullptr;
    QLabel *m_uptimeLabel = nullptr;
    QLabel *m_journalLabel = nullptr;
    QLabel *m_authLabel = nullptr;
    // Set until the first show sizes the docks of a window without a saved layout.
    bool m_dockWidthsPending = false;
};
