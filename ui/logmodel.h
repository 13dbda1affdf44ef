#pragma once

#include "logsink.h"

#include <QAbstractTableModel>

#include <deque>

// Log messages in the order they were logged, at most capacity() rows. When
// a batch would pass the capacity, the oldest rows are removed first.
class LogModel : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LogModel)

public:
    enum Column { TimeColumn, LevelColumn, CategoryColumn, MessageColumn, ColumnCount };
    Q_ENUM(Column)

    enum Role {
        // Severity of the row as an int, in every column.
        SeverityRole = Qt::UserRole,
        // Milliseconds since the epoch in the time column.
        TimeMsRole,
    };

    // Message levels in increasing order, unlike QtMsgType.
    enum Severity { DebugSeverity, InfoSeverity, WarningSeverity, CriticalSeverity, FatalSeverity };
    Q_ENUM(Severity)

    static constexpr qsizetype DefaultCapacity = 5000;

    explicit LogModel(QObject *parent = nullptr, qsizetype capacity = DefaultCapacity);
    ~LogModel() override;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

    void append(const QList<LogEntry> &entries);
    void clear();

    qsizetype capacity() const { return m_capacity; }
    // Rows removed to stay within capacity() since construction.
    quint64 removedCount() const { return m_removed; }
    const LogEntry &entry(int row) const { return m_entries.at(size_t(row)); }

    static Severity severity(QtMsgType type);
    static QString severityName(Severity severity);

private:
    const qsizetype m_capacity;
    std::deque<LogEntry> m_entries;
    quint64 m_removed = 0;
};
