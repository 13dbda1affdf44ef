#pragma once

#include "reconnecttracker.h"

#include <QAbstractTableModel>
#include <deque>

// Recent reconnects, oldest first. append() adds each tick's new records as
// one block of rows and drops the oldest rows beyond maxRows(), so memory
// stays bounded during a reconnect storm.
class ReconnectionsModel : public QAbstractTableModel {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ReconnectionsModel)

public:
    enum Column {
        Time,
        OrderId,
        Client,
        TimeAway,
        ResumedFrom,
        Missed,
        Replayed,
        Resync,
        ColumnCount
    };
    Q_ENUM(Column)

    enum Role {
        // The unformatted value of a cell: QString, QDateTime (UTC), qint64
        // milliseconds, quint64, int or bool. TimeAway and ResumedFrom are
        // invalid when unknown, and Missed is -1 when unknown.
        RawValueRole = Qt::UserRole,
    };

    static constexpr int DefaultMaxRows = 2000;

    explicit ReconnectionsModel(QObject *parent = nullptr);
    ~ReconnectionsModel() override;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(
        int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    int maxRows() const { return m_maxRows; }
    // Sets the row limit (at least 1) and drops the oldest rows beyond it.
    void setMaxRows(int maxRows);

    // Appends records, oldest first.
    void append(const QList<ReconnectRecord> &records);
    void clear();

    const ReconnectRecord &record(int row) const { return m_records.at(size_t(row)); }

private:
    QVariant displayData(const ReconnectRecord &record, int column) const;
    QVariant toolTipData(const ReconnectRecord &record, int column) const;
    static QVariant rawData(const ReconnectRecord &record, int column);
    void removeOldest(int count);

    std::deque<ReconnectRecord> m_records;
    int m_maxRows = DefaultMaxRows;
};
