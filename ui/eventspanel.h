#pragma once

#include <QTimer>
#include <QWidget>

class EventDetailsPane;
class EventFilterModel;
class EventTableView;
class EventsModel;
class QAction;
class QLabel;
class QLineEdit;
class QPushButton;
class QSplitter;
struct OrderEvent;

// The console's central area: the live event history with its order id
// filter, and the details of the selected event below it.
class EventsPanel : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(EventsPanel)

public:
    // model must outlive the panel.
    explicit EventsPanel(EventsModel *model, QWidget *parent = nullptr);
    ~EventsPanel() override;

    EventFilterModel *proxyModel() const { return m_proxy; }
    EventTableView *tableView() const { return m_view; }
    // Loads the selected event into the Publish panel; in the table's context menu.
    QAction *republishAction() const { return m_republishAction; }

    QString filterText() const;
    void setFilterText(const QString &text);

    // Shows only the events of orderId, or of every order when orderId is empty.
    void setFocusedOrderId(const QString &orderId);
    void setEventsSkipped(quint64 count);

    QByteArray saveLayout() const;
    void restoreLayout(const QByteArray &state);

Q_SIGNALS:
    // The user asked to see the events of every order again.
    void showAllOrdersRequested();
    // The user asked to publish event again, after editing it.
    void republishRequested(const OrderEvent &event);

private:
    QWidget *createFilterBar();
    void showCurrentEvent();
    void requestRepublish();

    EventsModel *const m_model;
    EventFilterModel *m_proxy = nullptr;
    QLineEdit *m_filter = nullptr;
    QLabel *m_focusLabel = nullptr;
    QPushButton *m_showAllButton = nullptr;
    QLabel *m_skippedLabel = nullptr;
    QLabel *m_pausedLabel = nullptr;
    QPushButton *m_newestButton = nullptr;
    EventTableView *m_view = nullptr;
    EventDetailsPane *m_details = nullptr;
    QSplitter *m_splitter = nullptr;
    QAction *m_republishAction = nullptr;
    QTimer m_filterDelay;
};
