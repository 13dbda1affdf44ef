#pragma once

#include "ordereventtablemodel.h"

#include <QList>

#include <deque>

// The newest published events, oldest first. append() adds each snapshot's
// new events as one block of rows and drops the oldest rows beyond
// maxRows(), so memory and view work stay bounded however long the console
// runs.
class EventsModel : public OrderEventTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(EventsModel)

public:
    static constexpr int DefaultMaxRows = 5000;

    explicit EventsModel(QObject *parent = nullptr);
    ~EventsModel() override;

    int rowCount(const QModelIndex &parent = {}) const override;

    int maxRows() const { return m_maxRows; }
    // Sets the row limit (at least 1) and drops the oldest rows beyond it.
    void setMaxRows(int maxRows);

    // Appends events, which must be oldest first with increasing ids.
    void append(const QList<OrderEvent> &events);
    void clear();

    const OrderEvent &event(int row) const override { return m_events.at(size_t(row)); }
    // Returns the id of the newest row, or 0 when the model is empty.
    quint64 lastEventId() const { return m_events.empty() ? 0 : m_events.back().id; }

private:
    void removeOldest(int count);

    std::deque<OrderEvent> m_events;
    int m_maxRows = DefaultMaxRows;
};
