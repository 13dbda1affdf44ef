#include "historymodel.h"

#include <QLocale>
#include <algorithm>

HistoryModel::HistoryModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

HistoryModel::~HistoryModel() = default;

int HistoryModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_events.size());
}

int HistoryModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant HistoryModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};

    const OrderEvent &event = m_events.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        return displayData(event, index.column());
    case Qt::ToolTipRole:
        return toolTipData(event, index.column());
    case RawValueRole:
        return rawData(event, index.column());
    case Qt::TextAlignmentRole:
        if (index.column() == Id)
            return int(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    default:
        return {};
    }
}

QVariant HistoryModel::displayData(const OrderEvent &event, int column) const
{
    switch (column) {
    // The journal spans days, so the date is part of the cell.
    case Time:
        return event.time.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
    case Id:
        return QString::number(event.id);
    case OrderId:
        return event.orderId;
    case Type:
        return event.type;
    case Status:
        return event.status;
    case Stage:
        return event.stage;
    // A table cell shows one line, and the tooltip keeps the line breaks.
    case Message:
        return QString(event.message).replace(QLatin1Char('\n'), QLatin1Char(' '));
    case Source:
        return event.source;
    default:
        return {};
    }
}

QVariant HistoryModel::toolTipData(const OrderEvent &event, int column) const
{
    switch (column) {
    case Time:
        return tr("%1 (%2 UTC)")
            .arg(QLocale().toString(event.time.toLocalTime(), QLocale::LongFormat),
                event.time.toUTC().toString(Qt::ISODateWithMs));
    case Message:
        return event.message.isEmpty() ? QVariant() : QVariant(event.message);
    default:
        return {};
    }
}

QVariant HistoryModel::rawData(const OrderEvent &event, int column)
{
    switch (column) {
    case Time:
        return event.time;
    case Id:
        return event.id;
    case OrderId:
        return event.orderId;
    case Type:
        return event.type;
    case Status:
        return event.status;
    case Stage:
        return event.stage;
    case Message:
        return event.message;
    case Source:
        return event.source;
    default:
        return {};
    }
}

QVariant HistoryModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);

    switch (section) {
    case Time:
        return tr("Time");
    case Id:
        return tr("Id");
    case OrderId:
        return tr("Order");
    case Type:
        return tr("Type");
    case Status:
        return tr("Status");
    case Stage:
        return tr("Stage");
    case Message:
        return tr("Message");
    case Source:
        return tr("Source");
    default:
        return {};
    }
}

void HistoryModel::setMaxRows(int maxRows)
{
    m_maxRows = std::max(1, maxRows);
    const int excess = int(m_events.size()) - m_maxRows;
    if (excess <= 0)
        return;

    // The oldest rows are at the bottom.
    beginRemoveRows({}, m_maxRows, int(m_events.size()) - 1);
    m_events.resize(m_maxRows);
    endRemoveRows();
}

void HistoryModel::setEvents(const QList<OrderEvent> &events)
{
    clear();
    appendOlder(events);
}

int HistoryModel::appendOlder(const QList<OrderEvent> &events)
{
    const int count = std::min(int(events.size()), m_maxRows - int(m_events.size()));
    if (count <= 0)
        return 0;
    Q_ASSERT(m_events.isEmpty() || events.constFirst().id < m_events.constLast().id);

    const int first = int(m_events.size());
    beginInsertRows({}, first, first + count - 1);
    m_events.append(events.mid(0, count));
    endInsertRows();
    return count;
}

void HistoryModel::clear()
{
    if (m_events.isEmpty())
        return;

    beginRemoveRows({}, 0, int(m_events.size()) - 1);
    m_events.clear();
    endRemoveRows();
}
