#pragma once

#include <QElapsedTimer>
#include <QTimer>
#include <QWidget>

class ConnectionsModel;
class FocusedOrderFilterModel;
class OrderFocusBar;
class OrderStreamService;
class QTableView;

// The Connections tab: every open stream with its client, order and what it
// was sent.
//
// Listing the streams queries every streaming worker on its own thread, which
// takes up to a few milliseconds with thousands of streams. So the panel lists
// them on a RefreshIntervalMs timer that runs only while the panel is visible,
// and when shown only if the last listing is older than that.
class ConnectionsPanel : public QWidget {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ConnectionsPanel)

public:
    static constexpr int RefreshIntervalMs = 1000;
    // Maximum number of streams listed. The summary label shows when more are open.
    static constexpr int MaxConnections = 5000;

    // service must outlive the panel.
    explicit ConnectionsPanel(OrderStreamService *service, QWidget *parent = nullptr);
    ~ConnectionsPanel() override;

    ConnectionsModel *model() const { return m_model; }
    FocusedOrderFilterModel *proxyModel() const { return m_proxy; }
    QTableView *tableView() const { return m_view; }

    // Shows only the streams of orderId, or of every order when orderId is empty.
    void setFocusedOrderId(const QString &orderId);

    // Lists the open streams now, whether or not the panel is visible.
    void refresh();

Q_SIGNALS:
    // The user asked to see the streams of every order again.
    void showAllOrdersRequested();

protected:
    void showEvent(QShowEvent *event) override;
    void hideEvent(QHideEvent *event) override;

private:
    void updateSummary(int listed);

    OrderStreamService *const m_service;
    ConnectionsModel *m_model = nullptr;
    FocusedOrderFilterModel *m_proxy = nullptr;
    QTableView *m_view = nullptr;
    OrderFocusBar *m_focusBar = nullptr;
    QTimer m_refreshTimer;
    // Time since the last refresh, invalid before the first one.
    QElapsedTimer m_sinceRefresh;
};
