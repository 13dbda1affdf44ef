#pragma once

#include "orderhub.h"

#include <QAbstractTableModel>
#include <QList>

// One row per order in the latest hub snapshot, kept sorted by order id like
// the snapshot itself. update() merges a new snapshot with inserts, removals
// and dataChanged for the rows that differ, so views keep their selection and
// scroll position between ticks.
class OrdersModel : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(OrdersModel)

public:
    enum Column { OrderId, Subscribers, LastStatus, LastStage, LastEventTime, ColumnCount };
    Q_ENUM(Column)

    enum Role {
        // The unformatted value of a cell: QString, int or QDateTime (UTC).
        RawValueRole = Qt::UserRole,
    };

    explicit OrdersModel(QObject *parent = nullptr);
    ~OrdersModel() override;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

    // Merges orders, which must be sorted by order id as HubSnapshot::orders is.
    void update(const QList<OrderSummary> &orders);

    const OrderSummary &order(int row) const { return m_orders.at(row); }
    // Returns the row of orderId, or -1 when the snapshot did not list it.
    int rowOfOrder(const QString &orderId) const;

private:
    QVariant displayData(const OrderSummary &order, int column) const;
    QVariant toolTipData(const OrderSummary &order, int column) const;
    static QVariant rawData(const OrderSummary &order, int column);

    void insertOrders(int row, QList<OrderSummary>::const_iterator first,
                      QList<OrderSummary>::const_iterator last);
    void removeOrders(int row, int count);
    void emitRowsChanged(int firstRow, int lastRow);

    QList<OrderSummary> m_orders;
};
