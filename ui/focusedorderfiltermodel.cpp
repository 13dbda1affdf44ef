#include "focusedorderfiltermodel.h"

FocusedOrderFilterModel::FocusedOrderFilterModel(int orderIdColumn, QObject *parent)
    : QSortFilterProxyModel(parent)
    , m_orderIdColumn(orderIdColumn)
{
    setSortRole(Qt::UserRole);
    setDynamicSortFilter(true);
}

FocusedOrderFilterModel::~FocusedOrderFilterModel() = default;

void FocusedOrderFilterModel::setFocusedOrderId(const QString &orderId)
{
    if (orderId == m_focusedOrderId)
        return;

    m_focusedOrderId = orderId;
    invalidateRowsFilter();
}

bool FocusedOrderFilterModel::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    if (m_focusedOrderId.isEmpty())
        return true;

    const QModelIndex index = sourceModel()->index(sourceRow, m_orderIdColumn, sourceParent);
    return index.data(Qt::UserRole).toString() == m_focusedOrderId;
}
