#pragma once

#include "lifecycle.h"
#include "orderevent.h"

#include <QDockWidget>
#include <QList>
#include <QTimer>

class OrderStreamService;
class OrdersModel;
class QLabel;
class QLineEdit;
class QTableView;
class QThread;
class TimelineModel;

// The Order Timeline dock: the stages of one order over time, read from the
// service's store and then extended by the live events of each snapshot.
//
// The store is read on a short-lived thread of its own, so the GUI thread
// does not wait for a slow read (only the destructor waits for it to end). Live events that arrive during the read are
// kept and merged by id once it is in.
class TimelineDock : public QDockWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TimelineDock)

public:
    // Most events read from the store for one order, the newest ones.
    static constexpr int MaxStoredEvents = 1000;

    // service and orders must outlive the dock; orders completes order ids.
    TimelineDock(OrderStreamService *service, OrdersModel *orders, QWidget *parent = nullptr);
    // Waits for a store read that is still running.
    ~TimelineDock() override;

    TimelineModel *model() const { return m_model; }
    QTableView *tableView() const { return m_view; }
    QString orderId() const;
    // True while the store read for the current order runs.
    bool isLoading() const { return m_loading; }

    void setLifecycle(const Lifecycle &lifecycle);
    // Shows the timeline of orderId, reading it from the store. An empty id
    // keeps the current order, so clearing the window's focus does not
    // empty the timeline.
    void setOrderId(const QString &orderId);
    // Reads the current order from the store again.
    void reload();
    // Adds the events of the current order among events, oldest first, as
    // each snapshot delivers them.
    void appendLiveEvents(const QList<OrderEvent> &events);

Q_SIGNALS:
    // The store read for orderId is in and the rows show it.
    void loaded(const QString &orderId);

private:
    void applyTypedOrderId();
    void startRead(const QString &orderId);
    void finishRead(quint64 generation, const QString &orderId, const QList<OrderEvent> &events);
    void showMessage(const QString &text);
    void showRowSummary();

    OrderStreamService *const m_service;
    TimelineModel *m_model = nullptr;
    QLineEdit *m_orderEdit = nullptr;
    QLabel *m_message = nullptr;
    QTableView *m_view = nullptr;
    QTimer m_typingDelay;
    // Counts reads, so that the result of a read for an order the user has
    // since left is dropped.
    quint64 m_generation = 0;
    bool m_loading = false;
    // Set when the read returned MaxStoredEvents, so older events may exist.
    bool m_readWasFull = false;
    // Live events of the current order that arrived while its read ran.
    QList<OrderEvent> m_liveDuringRead;
    // Read threads not yet finished; the destructor waits for them.
    QList<QThread *> m_readThreads;
};
