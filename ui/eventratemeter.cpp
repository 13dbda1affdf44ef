#include "eventratemeter.h"

EventRateMeter::EventRateMeter(qint64 windowMs) : m_windowMs(qMax<qint64>(1, windowMs)) { }

void EventRateMeter::addReading(qint64 nowMs, quint64 eventsPublished)
{
    if (!m_readings.empty()
        && (eventsPublished < m_readings.back().total || nowMs < m_readings.back().timeMs))
        m_readings.clear();

    m_readings.push_back({nowMs, eventsPublished});

    // Keep one reading at or before the window's start as the baseline, so the
    // count spans the whole window once enough time has passed.
    const qint64 windowStart = nowMs - m_windowMs;
    while (m_readings.size() > 1 && m_readings[1].timeMs <= windowStart)
        m_readings.pop_front();
}

quint64 EventRateMeter::eventsInWindow() const
{
    if (m_readings.empty())
        return 0;
    return m_readings.back().total - m_readings.front().total;
}

qint64 EventRateMeter::coveredMs() const
{
    if (m_readings.empty())
        return 0;
    return m_readings.back().timeMs - m_readings.front().timeMs;
}
