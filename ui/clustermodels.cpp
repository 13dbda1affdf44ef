#include "clustermodels.h"

#include "viewformat.h"

#include <QFont>
#include <QLocale>
#include <QMap>

#include <algorithm>

namespace {

// Merges next into rows, both sorted by key, through the callbacks, which
// emit the row signals, so views keep selection and scroll position.
template<typename Row, typename Key, typename Same, typename Remove, typename Insert,
    typename Replace>
void mergeSorted(const QList<Row> &rows, QList<Row> next, Key key, Same same, Remove remove,
    Insert insert, Replace replace)
{
    qsizetype row = 0;
    qsizetype from = 0;
    while (row < rows.size() || from < next.size()) {
        if (from == next.size() || (row < rows.size() && key(rows[row]) < key(next[from]))) {
            remove(int(row));
        } else if (row == rows.size() || key(next[from]) < key(rows[row])) {
            insert(int(row++), std::move(next[from++]));
        } else {
            if (!same(rows[row], next[from]))
                replace(int(row), std::move(next[from]));
            ++row;
            ++from;
        }
    }
}

QVariant alignNumbers(int column, std::initializer_list<int> numberColumns)
{
    if (std::find(numberColumns.begin(), numberColumns.end(), column) != numberColumns.end())
        return int(Qt::AlignRight | Qt::AlignVCenter);
    return {};
}

} // namespace

ClusterInstancesModel::ClusterInstancesModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

int ClusterInstancesModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int ClusterInstancesModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ClusterInstancesModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const ClusterInstance &instance = m_rows.at(index.row());
    if (role == Qt::TextAlignmentRole)
        return alignNumbers(index.column(), {Connections, OrdersWatched});
    if (role == Qt::FontRole && index.column() == Instance && instance.isSelf) {
        QFont font;
        font.setBold(true);
        return font;
    }
    if (role == Qt::ToolTipRole && index.column() == Instance && instance.isSelf)
        return tr("This instance");
    if (role != Qt::DisplayRole)
        return {};

    switch (index.column()) {
    case Instance:
        return instance.isSelf ? tr("%1 (this one)").arg(instance.instanceId) : instance.instanceId;
    case Address:
        return instance.address;
    case Version:
        return instance.version.isEmpty() ? ViewFormat::missingValue() : instance.version;
    case Connections:
        return QLocale().toString(instance.connections);
    case OrdersWatched:
        return QLocale().toString(instance.subscribersPerOrder.size());
    case Started:
        return QLocale().toString(instance.startedAt.toLocalTime(), QLocale::ShortFormat);
    case LastSeen:
        return instance.announcedAt.toLocalTime().time().toString(Qt::ISODate);
    default:
        return {};
    }
}

QVariant ClusterInstancesModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case Instance:
        return tr("Instance");
    case Address:
        return tr("Address");
    case Version:
        return tr("Version");
    case Connections:
        return tr("Streams");
    case OrdersWatched:
        return tr("Orders watched");
    case Started:
        return tr("Started");
    case LastSeen:
        return tr("Last announced");
    default:
        return {};
    }
}

void ClusterInstancesModel::update(QList<ClusterInstance> instances)
{
    std::sort(instances.begin(), instances.end(),
              [](const auto &a, const auto &b) { return a.instanceId < b.instanceId; });
    mergeSorted(m_rows, std::move(instances), [](const ClusterInstance &i) { return i.instanceId; }, [](const ClusterInstance &a, const ClusterInstance &b) {
            return a.address == b.address && a.version == b.version
                && a.connections == b.connections && a.startedAt == b.startedAt
                && a.announcedAt == b.announcedAt && a.isSelf == b.isSelf
                && a.subscribersPerOrder == b.subscribersPerOrder;
        },
        [this](int row) {
            beginRemoveRows({}, row, row);
            m_rows.removeAt(row);
            endRemoveRows();
        },
        [this](int row, ClusterInstance value) {
            beginInsertRows({}, row, row);
            m_rows.insert(row, std::move(value));
            endInsertRows();
        },
        [this](int row, ClusterInstance value) {
            m_rows[row] = std::move(value);
            Q_EMIT dataChanged(index(row, 0), index(row, ColumnCount - 1));
        });
}

ClusterOrdersModel::ClusterOrdersModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

int ClusterOrdersModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int ClusterOrdersModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ClusterOrdersModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const ClusterOrder &order = m_rows.at(index.row());
    if (role == Qt::TextAlignmentRole)
        return alignNumbers(index.column(), {Subscribers});
    if (role != Qt::DisplayRole)
        return {};
    switch (index.column()) {
    case OrderId:
        return order.orderId;
    case Subscribers:
        return QLocale().toString(order.subscribers);
    case Instances: {
        QStringList parts;
        for (const auto &[instanceId, count] : order.perInstance)
            parts.append(tr("%1: %2").arg(instanceId, QLocale().toString(count)));
        return parts.join(QLatin1String(", "));
    }
    default:
        return {};
    }
}

QVariant ClusterOrdersModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case OrderId:
        return tr("Order");
    case Subscribers:
        return tr("Subscribers in the cluster");
    case Instances:
        return tr("Per instance");
    default:
        return {};
    }
}

QList<ClusterOrder> ClusterOrdersModel::totals(const QList<ClusterInstance> &instances)
{
    QMap<QString, ClusterOrder> orders;
    for (const ClusterInstance &instance : instances) {
        for (auto it = instance.subscribersPerOrder.cbegin();
             it != instance.subscribersPerOrder.cend(); ++it) {
            ClusterOrder &order = orders[it.key()];
            order.orderId = it.key();
            order.subscribers += it.value();
            order.perInstance.append({instance.instanceId, it.value()});
        }
    }
    QList<ClusterOrder> result = orders.values();
    for (ClusterOrder &order : result)
        std::sort(order.perInstance.begin(), order.perInstance.end());
    return result;
}

void ClusterOrdersModel::update(QList<ClusterOrder> orders)
{
    std::sort(orders.begin(), orders.end(),
              [](const auto &a, const auto &b) { return a.orderId < b.orderId; });
    mergeSorted(m_rows, std::move(orders), [](const ClusterOrder &o) { return o.orderId; }, [](const ClusterOrder &a, const ClusterOrder &b) {
            return a.subscribers == b.subscribers && a.perInstance == b.perInstance;
        },
        [this](int row) {
            beginRemoveRows({}, row, row);
            m_rows.removeAt(row);
            endRemoveRows();
        },
        [this](int row, ClusterOrder value) {
            beginInsertRows({}, row, row);
            m_rows.insert(row, std::move(value));
            endInsertRows();
        },
        [this](int row, ClusterOrder value) {
            m_rows[row] = std::move(value);
            Q_EMIT dataChanged(index(row, 0), index(row, ColumnCount - 1));
        });
}
