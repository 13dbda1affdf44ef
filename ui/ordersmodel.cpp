#include "ordersmodel.h"

#include <QLocale>

#include <algorithm>

namespace {

bool summariesEqual(const OrderSummary &a, const OrderSummary &b)
{
    return a.subscribers == b.subscribers && a.lastEventId == b.lastEventId
            && a.eventCount == b.eventCount && a.lastStatus == b.lastStatus
            && a.lastStage == b.lastStage && a.lastEventTime == b.lastEventTime;
}

} // namespace

OrdersModel::OrdersModel(QObject *parent) : QAbstractTableModel(parent) { }

OrdersModel::~OrdersModel() = default;

int OrdersModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_orders.size());
}

int OrdersModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant OrdersModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};

    const OrderSummary &order = m_orders.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        return displayData(order, index.column());
    case Qt::ToolTipRole:
        return toolTipData(order, index.column());
    case RawValueRole:
        return rawData(order, index.column());
    case Qt::TextAlignmentRole:
        if (index.column() == Subscribers)
            return int(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    default:
        return {};
    }
}

QVariant OrdersModel::displayData(const OrderSummary &order, int column) const
{
    const QLocale locale;
    switch (column) {
    case OrderId: return order.orderId;
    case Subscribers: return locale.toString(order.subscribers);
    case LastStatus: return order.lastStatus;
    case LastStage: return order.lastStage;
    // RelativeTimeDelegate renders the age. The local time is the fallback
    // for views without that delegate.
    case LastEventTime:
        if (!order.lastEventTime.isValid())
            return {};
        return order.lastEventTime.toLocalTime();
    default: return {};
    }
}

QVariant OrdersModel::toolTipData(const OrderSummary &order, int column) const
{
    if (column != LastEventTime)
        return {};
    if (!order.lastEventTime.isValid())
        return tr("No event published for this order yet");

    const QLocale locale;
    return tr("Last event %1 at %2 (%3 UTC). Events for this order: %4.")
            .arg(QString::number(order.lastEventId),
                 locale.toString(order.lastEventTime.toLocalTime(), QLocale::LongFormat),
                 order.lastEventTime.toUTC().toString(Qt::ISODateWithMs),
                 locale.toString(order.eventCount));
}

QVariant OrdersModel::rawData(const OrderSummary &order, int column)
{
    switch (column) {
    case OrderId: return order.orderId;
    case Subscribers: return order.subscribers;
    case LastStatus: return order.lastStatus;
    case LastStage: return order.lastStage;
    case LastEventTime: return order.lastEventTime;
    default: return {};
    }
}

QVariant OrdersModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);

    switch (section) {
    case OrderId: return tr("Order");
    case Subscribers: return tr("Subscribers");
    case LastStatus: return tr("Last status");
    case LastStage: return tr("Stage");
    case LastEventTime: return tr("Last event");
    default: return {};
    }
}

int OrdersModel::rowOfOrder(const QString &orderId) const
{
    const auto it = std::lower_bound(
            m_orders.cbegin(), m_orders.cend(), orderId,
            [](const OrderSummary &order, const QString &id) { return order.orderId < id; });
    if (it == m_orders.cend() || it->orderId != orderId)
        return -1;
    return int(std::distance(m_orders.cbegin(), it));
}

void OrdersModel::update(const QList<OrderSummary> &orders)
{
    Q_ASSERT(std::is_sorted(orders.cbegin(), orders.cend(),
                            [](const OrderSummary &a, const OrderSummary &b) {
                                return a.orderId < b.orderId;
                            }));

    // Both lists are sorted by order id, so one merge pass finds every
    // insertion, removal and change. Runs of adjacent inserted, removed or
    // changed rows are reported with one signal each.
    int row = 0;
    auto incoming = orders.cbegin();
    int changedFirst = -1;
    int changedLast = -1;
    const auto flushChanged = [&] {
        if (changedFirst >= 0)
            emitRowsChanged(changedFirst, changedLast);
        changedFirst = changedLast = -1;
    };

    while (row < m_orders.size() || incoming != orders.cend()) {
        if (incoming == orders.cend()) {
            flushChanged();
            removeOrders(row, int(m_orders.size()) - row);
            break;
        }

        if (row == m_orders.size() || incoming->orderId < m_orders.at(row).orderId) {
            // New orders up to the next existing one go in as one block.
            auto last = incoming;
            while (last != orders.cend()
                   && (row == m_orders.size() || last->orderId < m_orders.at(row).orderId))
                ++last;
            flushChanged();
            insertOrders(row, incoming, last);
            row += int(std::distance(incoming, last));
            incoming = last;
            continue;
        }

        if (m_orders.at(row).orderId < incoming->orderId) {
            // Existing orders missing from the snapshot go out as one block.
            int count = 0;
            while (row + count < m_orders.size()
                   && m_orders.at(row + count).orderId < incoming->orderId)
                ++count;
            flushChanged();
            removeOrders(row, count);
            continue;
        }

        if (!summariesEqual(m_orders.at(row), *incoming)) {
            m_orders[row] = *incoming;
            if (changedFirst < 0)
                changedFirst = row;
            changedLast = row;
        } else {
            flushChanged();
        }
        ++row;
        ++incoming;
    }
    flushChanged();
}

void OrdersModel::insertOrders(int row, QList<OrderSummary>::const_iterator first,
                               QList<OrderSummary>::const_iterator last)
{
    const int count = int(std::distance(first, last));
    if (count == 0)
        return;

    beginInsertRows({}, row, row + count - 1);
    m_orders.insert(row, count, OrderSummary());
    std::copy(first, last, m_orders.begin() + row);
    endInsertRows();
}

void OrdersModel::removeOrders(int row, int count)
{
    if (count <= 0)
        return;

    beginRemoveRows({}, row, row + count - 1);
    m_orders.remove(row, count);
    endRemoveRows();
}

void OrdersModel::emitRowsChanged(int firstRow, int lastRow)
{
    Q_EMIT dataChanged(index(firstRow, 0), index(lastRow, ColumnCount - 1));
}
