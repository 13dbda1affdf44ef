#pragma once

#include <QSortFilterProxyModel>

// Shows only the rows of the order focused in the Orders dock, and sorts on
// the source model's raw values (Qt::UserRole). The Connections and
// Reconnections tables use it, each passing its order id column.
class FocusedOrderFilterModel : public QSortFilterProxyModel {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(FocusedOrderFilterModel)

public:
    // orderIdColumn is the source column whose Qt::UserRole value is the order id.
    explicit FocusedOrderFilterModel(int orderIdColumn, QObject *parent = nullptr);
    ~FocusedOrderFilterModel() override;

    QString focusedOrderId() const { return m_focusedOrderId; }
    // Shows only the rows of orderId, or every row when orderId is empty.
    void setFocusedOrderId(const QString &orderId);

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    const int m_orderIdColumn;
    QString m_focusedOrderId;
};
