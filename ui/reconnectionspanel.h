#pragma once

#include <QWidget>

class FocusedOrderFilterModel;
class OrderFocusBar;
class OrderStreamService;
class QTableView;
class ReconnectionsModel;

// The Reconnections tab: clients that came back to an order's stream, how
// long they were away and what the server replayed to them. Newest first.
class ReconnectionsPanel : public QWidget {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ReconnectionsPanel)

public:
    // Records read from the service per refresh at most.
    static constexpr int MaxRecordsPerRefresh = 1000;

    // service must outlive the panel.
    explicit ReconnectionsPanel(OrderStreamService *service, QWidget *parent = nullptr);
    ~ReconnectionsPanel() override;

    ReconnectionsModel *model() const { return m_model; }
    FocusedOrderFilterModel *proxyModel() const { return m_proxy; }
    QTableView *tableView() const { return m_view; }

    // Shows only the reconnects to orderId, or to every order when orderId is empty.
    void setFocusedOrderId(const QString &orderId);

    // Appends the reconnects recorded since the last refresh. The window
    // calls it on every snapshot tick.
    void refresh();

Q_SIGNALS:
    // The user asked to see the reconnects of every order again.
    void showAllOrdersRequested();

private:
    void updateSummary();

    OrderStreamService *const m_service;
    ReconnectionsModel *m_model = nullptr;
    FocusedOrderFilterModel *m_proxy = nullptr;
    QTableView *m_view = nullptr;
    OrderFocusBar *m_focusBar = nullptr;
    // Sequence of the newest record read. A restarted service numbers its
    // records from 1 again, so this goes back to 0 on OrderStreamService::started.
    quint64 m_lastSequence = 0;
    // Records the panel never read because the service had dropped them or
    // the per-refresh limit cut them off.
    quint64 m_recordsSkipped = 0;
};
