#pragma once

#include "orderevent.h"

#include <QAbstractTableModel>
#include <QList>

#include <deque>

// The newest published events, oldest first. append() adds each snapshot's
// new events as one block of rows and drops the oldest rows beyond
// maxRows(), so memory and view work stay bounded however long the console
// runs.
class EventsModel : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(EventsModel)

public:
    enum Column { Time, Id, OrderId, Type, Status, Stage, Message, Source, ColumnCount };
    Q_ENUM(Column)

    enum Role {
        // The unformatted value of a cell: QString, quint64 or QDateTime (UTC).
        RawValueRole = Qt::UserRole,
    };

    static constexpr int DefaultMaxRows = 5000;

    explicit EventsModel(QObject *parent = nullptr);
    ~EventsModel() override;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

    int maxRows() const { return m_maxRows; }
    // Sets the row limit (at least 1) and drops the oldest rows beyond it.
    void setMaxRows(int maxRows);

    // Appends events, which must be oldest first with increasing ids.
    void append(const QList<OrderEvent> &events);
    void clear();

    const OrderEvent &event(int row) const { return m_events.at(size_t(row)); }
    // Returns the id of the newest row, or 0 when the model is empty.
    quint64 lastEventId() const { return m_events.empty() ? 0 : m_events.back().id; }

private:
    QVariant displayData(const OrderEvent &event, int column) const;
    QVariant toolTipData(const OrderEvent &event, int column) const;
    static QVariant rawData(const OrderEvent &event, int column);
    void removeOldest(int count);

    std::deque<OrderEvent> m_events;
    int m_maxRows = DefaultMaxRows;
};
