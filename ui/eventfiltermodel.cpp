#include "eventfiltermodel.h"

#include "eventsmodel.h"

EventFilterModel::EventFilterModel(QObject *parent) : QSortFilterProxyModel(parent)
{
    setSortRole(EventsModel::RawValueRole);
    setDynamicSortFilter(true);
}

EventFilterModel::~EventFilterModel() = default;

void EventFilterModel::setOrderIdText(const QString &text)
{
    const QString trimmed = text.trimmed();
    if (trimmed == m_orderIdText)
        return;

    m_orderIdText = trimmed;
    invalidateRowsFilter();
}

void EventFilterModel::setFocusedOrderId(const QString &orderId)
{
    if (orderId == m_focusedOrderId)
        return;

    m_focusedOrderId = orderId;
    invalidateRowsFilter();
}

bool EventFilterModel::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    if (m_orderIdText.isEmpty() && m_focusedOrderId.isEmpty())
        return true;

    const QModelIndex index = sourceModel()->index(sourceRow, EventsModel::OrderId, sourceParent);
    const QString orderId = index.data(EventsModel::RawValueRole).toString();
    if (!m_focusedOrderId.isEmpty() && orderId != m_focusedOrderId)
        return false;
    return orderId.contains(m_orderIdText, Qt::CaseInsensitive);
}
