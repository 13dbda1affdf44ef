#include "eventsmodel.h"

#include <QLocale>

#include <algorithm>

EventsModel::EventsModel(QObject *parent) : QAbstractTableModel(parent) { }

EventsModel::~EventsModel() = default;

int EventsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_events.size());
}

int EventsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant EventsModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};

    const OrderEvent &event = m_events.at(size_t(index.row()));
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

QVariant EventsModel::displayData(const OrderEvent &event, int column) const
{
    switch (column) {
    case Time: return event.time.toLocalTime().toString(QStringLiteral("HH:mm:ss.zzz"));
    case Id: return QString::number(event.id);
    case OrderId: return event.orderId;
    case Type: return event.type;
    case Status: return event.status;
    case Stage: return event.stage;
    // A table cell shows one line, and the tooltip keeps the line breaks.
    case Message: return QString(event.message).replace(QLatin1Char('\n'), QLatin1Char(' '));
    case Source: return event.source;
    default: return {};
    }
}

QVariant EventsModel::toolTipData(const OrderEvent &event, int column) const
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

QVariant EventsModel::rawData(const OrderEvent &event, int column)
{
    switch (column) {
    case Time: return event.time;
    case Id: return event.id;
    case OrderId: return event.orderId;
    case Type: return event.type;
    case Status: return event.status;
    case Stage: return event.stage;
    case Message: return event.message;
    case Source: return event.source;
    default: return {};
    }
}

QVariant EventsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);

    switch (section) {
    case Time: return tr("Time");
    case Id: return tr("Id");
    case OrderId: return tr("Order");
    case Type: return tr("Type");
    case Status: return tr("Status");
    case Stage: return tr("Stage");
    case Message: return tr("Message");
    case Source: return tr("Source");
    default: return {};
    }
}

void EventsModel::setMaxRows(int maxRows)
{
    m_maxRows = std::max(1, maxRows);
    removeOldest(int(m_events.size()) - m_maxRows);
}

void EventsModel::append(const QList<OrderEvent> &events)
{
    // Only the newest maxRows() of a large batch would survive the trim, so
    // the rest never become rows.
    const qsizetype skipped = std::max<qsizetype>(0, events.size() - m_maxRows);
    const qsizetype count = events.size() - skipped;
    if (count == 0)
        return;
    Q_ASSERT(m_events.empty() || events.at(skipped).id > m_events.back().id);

    // Removing first keeps the row count within maxRows() at every signal.
    removeOldest(int(m_events.size() + count) - m_maxRows);

    const int first = int(m_events.size());
    beginInsertRows({}, first, first + int(count) - 1);
    m_events.insert(m_events.end(), events.cbegin() + skipped, events.cend());
    endInsertRows();
}

void EventsModel::clear()
{
    if (m_events.empty())
        return;

    beginRemoveRows({}, 0, int(m_events.size()) - 1);
    m_events.clear();
    endRemoveRows();
}

void EventsModel::removeOldest(int count)
{
    count = std::min(count, int(m_events.size()));
    if (count <= 0)
        return;

    beginRemoveRows({}, 0, count - 1);
    m_events.erase(m_events.begin(), m_events.begin() + count);
    endRemoveRows();
}
