#pragma once

#include "redispresence.h"

#include <QAbstractTableModel>
#include <QList>

// One row per instance announced in Redis, sorted by instance id. update()
// merges a new listing with inserts, removals and dataChanged, so views keep
// their selection between refreshes.
class ClusterInstancesModel : public QAbstractTableModel {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ClusterInstancesModel)

public:
    enum Column { Instance, Address, Version, Connections, OrdersWatched, Started, LastSeen, ColumnCount };
    Q_ENUM(Column)

    explicit ClusterInstancesModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(
        int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    void update(QList<ClusterInstance> instances);
    const ClusterInstance &instance(int row) const { return m_rows.at(row); }

private:
    QList<ClusterInstance> m_rows;
};

// Subscribers of one order across the cluster.
struct ClusterOrder {
    QString orderId;
    int subscribers = 0;
    // Subscribers per instance id, for the breakdown column.
    QList<std::pair<QString, int>> perInstance;
};

// One row per order with subscribers on any instance, sorted by order id.
class ClusterOrdersModel : public QAbstractTableModel {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ClusterOrdersModel)

public:
    enum Column { OrderId, Subscribers, Instances, ColumnCount };
    Q_ENUM(Column)

    explicit ClusterOrdersModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(
        int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // Adds up the instances' subscribers per order.
    static QList<ClusterOrder> totals(const QList<ClusterInstance> &instances);
    void update(QList<ClusterOrder> orders);
    const ClusterOrder &order(int row) const { return m_rows.at(row); }

private:
    QList<ClusterOrder> m_rows;
};
