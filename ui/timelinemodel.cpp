#include "timelinemodel.h"

#include <QApplication>
#include <QColor>
#include <QLocale>
#include <QPalette>
#include <QStyle>

#include <algorithm>

namespace {

// A red that keeps its contrast on the palette's base colour: dark on a
// light background, light on a dark one.
QColor failureColor()
{
    const QPalette palette = QApplication::palette();
    return palette.color(QPalette::Base).lightness() < 128 ? QColor(0xff, 0x8a, 0x80)
                                                           : QColor(0xb3, 0x26, 0x1e);
}

} // namespace

TimelineModel::TimelineModel(QObject *parent) : QAbstractTableModel(parent) { }

TimelineModel::~TimelineModel() = default;

int TimelineModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_events.size());
}

int TimelineModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant TimelineModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};

    const OrderEvent &event = this->event(index.row());
    switch (role) {
    case Qt::DisplayRole:
        return displayData(event, index.column());
    case Qt::ToolTipRole:
        return toolTipData(event, index.column());
    case RawValueRole:
        return rawData(event, index.column());
    case FailureRole:
        return isFailure(event);
    case OverrideRole:
        return event.lifecycleOverride;
    case Qt::ForegroundRole:
        if (isFailure(event))
            return failureColor();
        return {};
    case Qt::DecorationRole:
        if (index.column() == Stage && isFailure(event))
            return QApplication::style()->standardIcon(QStyle::SP_MessageBoxCritical);
        if (index.column() == Notes && event.lifecycleOverride)
            return QApplication::style()->standardIcon(QStyle::SP_MessageBoxWarning);
        return {};
    case Qt::TextAlignmentRole:
        if (index.column() == Id)
            return int(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    default:
        return {};
    }
}

QVariant TimelineModel::displayData(const OrderEvent &event, int column) const
{
    switch (column) {
    case Time: return event.time.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
    case Stage: return event.stage;
    case Status: return event.status;
    // A table cell shows one line, and the tooltip keeps the line breaks.
    case Message: return QString(event.message).replace(QLatin1Char('\n'), QLatin1Char(' '));
    case Source: return event.source;
    case Publisher: return event.publisher;
    case Notes: return notes(event);
    case Id: return QString::number(event.id);
    default: return {};
    }
}

QVariant TimelineModel::toolTipData(const OrderEvent &event, int column) const
{
    switch (column) {
    case Time:
        return tr("%1 (%2 UTC)")
                .arg(QLocale().toString(event.time.toLocalTime(), QLocale::LongFormat),
                     event.time.toUTC().toString(Qt::ISODateWithMs));
    case Stage:
        if (isFailure(event))
            return tr("%1 is the lifecycle's failure stage").arg(event.stage);
        return {};
    case Message:
        return event.message.isEmpty() ? QVariant() : QVariant(event.message);
    case Notes:
        if (event.lifecycleOverride)
            return tr("Published as an override of the lifecycle's transition rules");
        return {};
    default:
        return {};
    }
}

QVariant TimelineModel::rawData(const OrderEvent &event, int column)
{
    switch (column) {
    case Time: return event.time;
    case Stage: return event.stage;
    case Status: return event.status;
    case Message: return event.message;
    case Source: return event.source;
    case Publisher: return event.publisher;
    case Notes: return event.lifecycleOverride;
    case Id: return event.id;
    default: return {};
    }
}

QVariant TimelineModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);

    switch (section) {
    case Time: return tr("Time");
    case Stage: return tr("Stage");
    case Status: return tr("Status");
    case Message: return tr("Message");
    case Source: return tr("Source");
    case Publisher: return tr("Publisher");
    case Notes: return tr("Notes");
    case Id: return tr("Id");
    default: return {};
    }
}

QString TimelineModel::notes(const OrderEvent &event) const
{
    QStringList notes;
    if (isFailure(event))
        notes.append(tr("failure"));
    if (event.lifecycleOverride)
        notes.append(tr("override"));
    return notes.join(QLatin1String(", "));
}

bool TimelineModel::isFailure(const OrderEvent &event) const
{
    const LifecycleStage *stage = m_lifecycle.findStage(event.stage);
    return stage && stage->isFailure;
}

void TimelineModel::setLifecycle(const Lifecycle &lifecycle)
{
    m_lifecycle = lifecycle;
    if (!m_events.empty())
        Q_EMIT dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1));
}

void TimelineModel::setEvents(const QString &orderId, const QList<OrderEvent> &events)
{
    QList<OrderEvent> orderEvents;
    for (const OrderEvent &event : events) {
        if (event.orderId == orderId)
            orderEvents.append(event);
    }
    if (orderEvents.size() > m_maxRows)
        orderEvents.remove(0, orderEvents.size() - m_maxRows);

    // A new order or a fresh read replaces every row, so the model resets.
    // Live events arrive through appendEvents().
    beginResetModel();
    m_orderId = orderId;
    m_events.assign(orderEvents.cbegin(), orderEvents.cend());
    endResetModel();
}

int TimelineModel::appendEvents(const QList<OrderEvent> &events)
{
    QList<OrderEvent> added;
    quint64 lastId = lastEventId();
    for (const OrderEvent &event : events) {
        if (event.orderId != m_orderId || event.id <= lastId)
            continue;
        added.append(event);
        lastId = event.id;
    }
    if (added.size() > m_maxRows)
        added.remove(0, added.size() - m_maxRows);
    if (added.isEmpty())
        return 0;

    // Removing first keeps the row count within maxRows() at every signal.
    removeOldest(int(m_events.size() + added.size()) - m_maxRows);

    const int first = int(m_events.size());
    beginInsertRows({}, first, first + int(added.size()) - 1);
    m_events.insert(m_events.end(), added.cbegin(), added.cend());
    endInsertRows();
    return int(added.size());
}

void TimelineModel::clear()
{
    if (m_events.empty())
        return;

    beginRemoveRows({}, 0, int(m_events.size()) - 1);
    m_events.clear();
    endRemoveRows();
}

void TimelineModel::setMaxRows(int maxRows)
{
    m_maxRows = std::max(1, maxRows);
    removeOldest(int(m_events.size()) - m_maxRows);
}

void TimelineModel::removeOldest(int count)
{
    count = std::min(count, int(m_events.size()));
    if (count <= 0)
        return;

    beginRemoveRows({}, 0, count - 1);
    m_events.erase(m_events.begin(), m_events.begin() + count);
    endRemoveRows();
}
