#pragma once

#include <QtGlobal>

#include <deque>

// Counts the events published in a sliding window, from successive readings
// of the hub's eventsPublished total.
//
// The rate is exact only at snapshot granularity: an event counts from the
// first snapshot that includes it. Before a full window has passed, the count
// covers the time since the first reading, so a fresh console shows the events
// it has seen, never an extrapolation.
class EventRateMeter
{
public:
    static constexpr qint64 DefaultWindowMs = 60 * 1000;

    explicit EventRateMeter(qint64 windowMs = DefaultWindowMs);

    // Records the eventsPublished total read at monotonic time nowMs. A total
    // lower than the previous one means the hub was replaced (the server
    // restarted), so the readings start over.
    void addReading(qint64 nowMs, quint64 eventsPublished);

    // Returns the events published between the oldest reading in the window
    // and the newest reading.
    quint64 eventsInWindow() const;

    // Returns the time covered by eventsInWindow(), in milliseconds.
    qint64 coveredMs() const;

    qint64 windowMs() const { return m_windowMs; }
    void reset() { m_readings.clear(); }

private:
    struct Reading
    {
        qint64 timeMs;
        quint64 total;
    };

    const qint64 m_windowMs;
    std::deque<Reading> m_readings;
};
