#pragma once

#include <QSortFilterProxyModel>

// Filters an EventsModel by order id and sorts on its raw values.
//
// Two filters apply together: the text typed in the events filter field
// (case-insensitive substring of the order id) and the order focused in the
// Orders dock (exact order id). An empty value turns its filter off.
class EventFilterModel : public QSortFilterProxyModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(EventFilterModel)

public:
    explicit EventFilterModel(QObject *parent = nullptr);
    ~EventFilterModel() override;

    QString orderIdText() const { return m_orderIdText; }
    void setOrderIdText(const QString &text);

    QString focusedOrderId() const { return m_focusedOrderId; }
    void setFocusedOrderId(const QString &orderId);

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    QString m_orderIdText;
    QString m_focusedOrderId;
};
