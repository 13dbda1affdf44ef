#pragma once

#include "lifecycle.h"
#include "orderevent.h"

#include <QAbstractTableModel>
#include <QList>
#include <QString>

#include <deque>

// The events of one order, oldest first: the stages it went through, with
// who published each event and how. Rows of a failure stage are marked by
// an icon, a "failure" note and the palette-aware failure colour; override
// publishes get an "override" note.
//
// setEvents() replaces the rows (a new order, or a fresh read of the
// store), and appendEvents() adds live events of the same order.
class TimelineModel : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TimelineModel)

public:
    enum Column { Time, Stage, Status, Message, Source, Publisher, Notes, Id, ColumnCount };
    Q_ENUM(Column)

    enum Role {
        // The unformatted value of a cell: QString, quint64, bool (Notes: the
        // override flag) or QDateTime (UTC).
        RawValueRole = Qt::UserRole,
        // bool: the row's stage is the lifecycle's failure stage.
        FailureRole,
        // bool: the event was published as a lifecycle override.
        OverrideRole,
    };

    static constexpr int DefaultMaxRows = 5000;

    explicit TimelineModel(QObject *parent = nullptr);
    ~TimelineModel() override;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

    // Sets the lifecycle that decides which stages are failures.
    void setLifecycle(const Lifecycle &lifecycle);

    QString orderId() const { return m_orderId; }
    // Replaces the rows with the events of orderId, which must be oldest
    // first. Events of other orders are ignored; at most maxRows() newest are kept.
    void setEvents(const QString &orderId, const QList<OrderEvent> &events);
    // Appends the events of orderId() with an id above the newest row's, in
    // the given order, which must be oldest first. Drops the oldest rows
    // beyond maxRows(). Returns how many rows were added.
    int appendEvents(const QList<OrderEvent> &events);
    void clear();

    int maxRows() const { return m_maxRows; }
    // Sets the row limit (at least 1) and drops the oldest rows beyond it.
    void setMaxRows(int maxRows);

    const OrderEvent &event(int row) const { return m_events.at(size_t(row)); }
    // Returns the id of the newest row, or 0 when the model is empty.
    quint64 lastEventId() const { return m_events.empty() ? 0 : m_events.back().id; }
    bool isFailure(const OrderEvent &event) const;

private:
    QVariant displayData(const OrderEvent &event, int column) const;
    QVariant toolTipData(const OrderEvent &event, int column) const;
    static QVariant rawData(const OrderEvent &event, int column);
    QString notes(const OrderEvent &event) const;
    void removeOldest(int count);

    Lifecycle m_lifecycle = Lifecycle::defaultLifecycle();
    QString m_orderId;
    std::deque<OrderEvent> m_events;
    int m_maxRows = DefaultMaxRows;
};
