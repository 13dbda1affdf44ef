#include "historymodel.h"

#include <algorithm>

// The journal spans days, so the date is part of the Time cells.
HistoryModel::HistoryModel(QObject *parent)
    : OrderEventTableModel(QStringLiteral("yyyy-MM-dd HH:mm:ss"), parent)
{
}

HistoryModel::~HistoryModel() = default;

int HistoryModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_events.size());
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
