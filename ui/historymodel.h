#pragma once

#include "ordereventtablemodel.h"

#include <QList>

// Events read from the journal, newest first, as the History tab pages them:
// setEvents() shows the first page of a query and appendOlder() adds each
// older page below it, up to maxRows().
class HistoryModel : public OrderEventTableModel {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HistoryModel)

public:
    static constexpr int DefaultMaxRows = 20000;

    explicit HistoryModel(QObject *parent = nullptr);
    ~HistoryModel() override;

    int rowCount(const QModelIndex &parent = {}) const override;

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
    const OrderEvent &event(int row) const override { return m_events.at(row); }
    // Returns the id of the oldest row, or 0 when the model is empty.
    quint64 oldestEventId() const { return m_events.isEmpty() ? 0 : m_events.constLast().id; }

private:
    QList<OrderEvent> m_events;
    int m_maxRows = DefaultMaxRows;
};
