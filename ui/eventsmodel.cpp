#include "eventsmodel.h"

#include <algorithm>

EventsModel::EventsModel(QObject *parent)
    : OrderEventTableModel(QStringLiteral("HH:mm:ss.zzz"), parent)
{
}

EventsModel::~EventsModel() = default;

int EventsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_events.size());
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
