#pragma once

#include <QTimer>
#include <QWidget>

class OrdersModel;
class QLineEdit;
class QSortFilterProxyModel;
class QTableView;

// The Orders dock's content: a search field over a table of every order in
// the hub snapshot. Selecting a row focuses the rest of the console on that order.
class OrdersPanel : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(OrdersPanel)

public:
    // model must outlive the panel.
    explicit OrdersPanel(OrdersModel *model, QWidget *parent = nullptr);
    ~OrdersPanel() override;

    QString searchText() const;
    void setSearchText(const QString &text);

    // Moves the keyboard focus to the search field and selects its text.
    void focusSearch();
    void clearOrderSelection();

    QSortFilterProxyModel *proxyModel() const { return m_proxy; }

    // Returns a width that shows every column at its initial size.
    QSize sizeHint() const override;

Q_SIGNALS:
    // Emitted with the selected order's id, or an empty id when no order is
    // selected any more.
    void orderFocused(const QString &orderId);

private:
    void emitFocusedOrder();

    OrdersModel *const m_model;
    QSortFilterProxyModel *m_proxy = nullptr;
    QLineEdit *m_search = nullptr;
    QTableView *m_view = nullptr;
    QTimer m_searchDelay;
    // Repaints the ages in the "Last event" column, which change with the
    // clock rather than with the model.
    QTimer m_ageRefresh;
    QString m_focusedOrderId;
    // Sum of the initial column widths, for sizeHint().
    int m_columnsWidth = 0;
};
