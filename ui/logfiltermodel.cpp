#include "logfiltermodel.h"

LogFilterModel::LogFilterModel(QObject *parent) : QSortFilterProxyModel(parent) { }

LogFilterModel::~LogFilterModel() = default;

void LogFilterModel::setMinimumSeverity(LogModel::Severity severity)
{
    if (severity == m_minimumSeverity)
        return;
    m_minimumSeverity = severity;
    invalidateRowsFilter();
}

void LogFilterModel::setFilterText(const QString &text)
{
    const QString trimmed = text.trimmed();
    if (trimmed == m_filterText)
        return;
    m_filterText = trimmed;
    invalidateRowsFilter();
}

bool LogFilterModel::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    const QAbstractItemModel *source = sourceModel();
    const QModelIndex levelIndex = source->index(sourceRow, LogModel::LevelColumn, sourceParent);
    if (levelIndex.data(LogModel::SeverityRole).toInt() < int(m_minimumSeverity))
        return false;
    if (m_filterText.isEmpty())
        return true;

    for (const int column : {int(LogModel::CategoryColumn), int(LogModel::MessageColumn)}) {
        const QString text = source->index(sourceRow, column, sourceParent).data().toString();
        if (text.contains(m_filterText, Qt::CaseInsensitive))
            return true;
    }
    return false;
}
