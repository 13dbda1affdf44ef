#pragma once

#include "logmodel.h"

#include <QSortFilterProxyModel>

// Hides log rows below a minimum severity and rows whose category and
// message both lack the filter text (case-insensitive).
class LogFilterModel : public QSortFilterProxyModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LogFilterModel)

public:
    explicit LogFilterModel(QObject *parent = nullptr);
    ~LogFilterModel() override;

    void setMinimumSeverity(LogModel::Severity severity);
    LogModel::Severity minimumSeverity() const { return m_minimumSeverity; }
    void setFilterText(const QString &text);
    QString filterText() const { return m_filterText; }

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    LogModel::Severity m_minimumSeverity = LogModel::DebugSeverity;
    QString m_filterText;
};
