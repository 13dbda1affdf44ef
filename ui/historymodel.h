#pragma once

#include "orderevent.h"

#include <QAbstractTableModel>
#include <QList>

// Events read from the journal, newest first, as the History tab pages them:
// setEvents() shows the first page of a query and appendOlder() adds each
// older page below it, up to maxRows().
class HistoryModel : public QAbstractTableModel {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HistoryModel)

public:
    enum Column { Time, Id, OrderId, Type, Status, Stage, Message, Source, ColumnCount };
    Q_ENUM(Column)

    enum Role {
        // The unformatted value of a cell: QString, quint64 or QDateTime (UTC).
        RawValueRole = Qt::UserRole,
    };

    static constexpr int DefaultMaxRows = 20000;

    explicit HistoryModel(QObject *parent = nullptr);
    ~HistoryModel() override;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(
        int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    int maxRows() const { return m_maxRows; }
    // Sets the row limit (at least 1) and drops the oldest rows beyond it.
    void setMaxRows(int maxRows);
    bool isFull() const { return m_events.size() >= m_maxRows; }

    // Replaces the rows with events, which must be newest first. Keeps at
    // most maxRows() of them.
    void setEvents(const QList<OrderEvent> &events);
    // Appends older events below the rows, newest first, with ids below the
    // last row's. Returns how many were added, which is fewer than given
    // when maxRows() is reached.
    int appendOlder(const QList<OrderEvent> &events);
    void clear();

    const QList<OrderEvent> &events() const { return m_events; }
    const OrderEvent &event(int row) const { return m_events.at(row); }
    // Returns the id of the oldest row, or 0 when the model is empty.
    quint64 oldestEventId() const { return m_events.isEmpty() ? 0 : m_events.constLast().id; }

private:
    QVariant displayData(const OrderEvent &event, int column) const;
    QVariant toolTipData(const OrderEvent &event, int column) const;
    static QVariant rawData(const OrderEvent &event, int column);

    QList<OrderEvent> m_events;
    int m_maxRows = DefaultMaxRows;
};
