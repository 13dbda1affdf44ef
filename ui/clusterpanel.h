#pragma once

#include <QTimer>
#include <QWidget>

class ClusterInstancesModel;
class ClusterOrdersModel;
class OrderStreamService;
class QLabel;
class QTableView;

// The Cluster tab: where events are kept, whether Redis is reachable, the
// instances that share it, and each order's subscribers across all of them.
// Refreshes once a second while visible.
class ClusterPanel : public QWidget {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ClusterPanel)

public:
    static constexpr int RefreshIntervalMs = 1000;

    // service must outlive the panel.
    explicit ClusterPanel(OrderStreamService *service, QWidget *parent = nullptr);
    ~ClusterPanel() override;

    ClusterInstancesModel *instancesModel() const { return m_instances; }
    ClusterOrdersModel *ordersModel() const { return m_orders; }
    QLabel *statusLabel() const { return m_status; }

    // Reads the store's state and the instances now, visible or not.
    void refresh();

protected:
    void showEvent(QShowEvent *event) override;
    void hideEvent(QHideEvent *event) override;

private:
    OrderStreamService *const m_service;
    ClusterInstancesModel *m_instances = nullptr;
    ClusterOrdersModel *m_orders = nullptr;
    QLabel *m_status = nullptr;
    QTableView *m_instancesView = nullptr;
    QTableView *m_ordersView = nullptr;
    QTimer m_refreshTimer;
};
