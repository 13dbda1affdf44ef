#include "reconnecttracker.h"

#include "logging.h"

namespace {

// Records kept for the console; older ones are dropped.
constexpr size_t MaxRecords = 2000;
// Closed streams kept for matching. A flood of closes beyond this drops the
// oldest first, which only loses "time away" figures.
constexpr int MaxRecentCloses = 100000;
constexpr qint64 HourMs = 3600 * 1000;

} // namespace

ReconnectTracker::ReconnectTracker(qint64 windowMs, int stormThresholdPerMinute,
                                   MissedCounter countMissed)
    : m_windowMs(windowMs)
    , m_stormThreshold(stormThresholdPerMinute)
    , m_countMissed(std::move(countMissed))
{
}

QString ReconnectTracker::clientKey(const StreamInfo &info)
{
    return info.remoteAddress + QLatin1Char('\n') + info.subject + QLatin1Char('\n')
            + info.orderId;
}

void ReconnectTracker::streamClosed(const StreamInfo &info, quint64 lastSentId)
{
    const qint64 nowMs = QDateTime::currentMSecsSinceEpoch();
    std::lock_guard lock(m_mutex);
    if (m_recentCloses.size() >= MaxRecentCloses) {
        // Drop entries outside the window; if all are recent, start over.
        for (auto it = m_recentCloses.begin(); it != m_recentCloses.end();) {
            if (nowMs - it->closedAtMs > m_windowMs)
                it = m_recentCloses.erase(it);
            else
                ++it;
        }
        if (m_recentCloses.size() >= MaxRecentCloses)
            m_recentCloses.clear();
    }
    m_recentCloses.insert(clientKey(info), ClosedStream{nowMs, lastSentId});
}

std::optional<ReconnectTracker::ClosedStream>
ReconnectTracker::takeRecentClose(const StreamInfo &info, qint64 nowMs)
{
    std::lock_guard lock(m_mutex);
    const auto it = m_recentCloses.find(clientKey(info));
    if (it == m_recentCloses.end())
        return std::nullopt;
    const ClosedStream closed = it.value();
    m_recentCloses.erase(it);
    if (nowMs - closed.closedAtMs > m_windowMs)
        return std::nullopt;
    return closed;
}

void ReconnectTracker::streamOpened(const StreamInfo &info)
{
    const qint64 nowMs = QDateTime::currentMSecsSinceEpoch();
    const std::optional<ClosedStream> closed = takeRecentClose(info, nowMs);
    if (!closed)
        return;

    ReconnectRecord record;
    record.time = QDateTime::fromMSecsSinceEpoch(nowMs, Qt::UTC);
    record.orderId = info.orderId;
    record.remoteAddress = info.remoteAddress;
    record.subject = info.subject;
    record.awayMs = nowMs - closed->closedAtMs;
    record.eventsMissed = m_countMissed ? m_countMissed(info.orderId, closed->lastSentId) : -1;
    addRecord(record, nowMs);
}

void ReconnectTracker::streamResumed(const StreamInfo &info, const ReplayFrames &replay)
{
    const qint64 nowMs = QDateTime::currentMSecsSinceEpoch();
    const std::optional<ClosedStream> closed = takeRecentClose(info, nowMs);

    ReconnectRecord record;
    record.time = QDateTime::fromMSecsSinceEpoch(nowMs, Qt::UTC);
    record.orderId = info.orderId;
    record.remoteAddress = info.remoteAddress;
    record.subject = info.subject;
    if (closed)
        record.awayMs = nowMs - closed->closedAtMs;
    record.resumedFromId = info.lastEventId;
    record.resync = replay.resync;
    record.resyncReason = replay.resyncReason;
    record.eventsReplayed = replay.resync ? 0 : int(replay.frames.size());
    record.eventsMissed = replay.resync ? -1 : record.eventsReplayed;
    addRecord(record, nowMs);
}

void ReconnectTracker::addRecord(ReconnectRecord record, qint64 nowMs)
{
    std::lock_guard lock(m_mutex);
    record.sequence = m_nextSequence++;
    ++m_total;
    m_replayedEvents += quint64(record.eventsReplayed);
    if (record.resync)
        ++m_resyncs;

    if (record.resync) {
        qCInfo(lcHub, "client %ls resumed order %ls from id %llu: resync, %ls",
               qUtf16Printable(record.remoteAddress), qUtf16Printable(record.orderId),
               record.resumedFromId.value_or(0), qUtf16Printable(record.resyncReason));
    } else {
        qCDebug(lcHub, "client %ls reconnected to order %ls: %d missed, %d replayed",
                qUtf16Printable(record.remoteAddress), qUtf16Printable(record.orderId),
                record.eventsMissed, record.eventsReplayed);
    }

    m_records.push_back(std::move(record));
    if (m_records.size() > MaxRecords)
        m_records.pop_front();
    m_reconnectTimesMs.push_back(nowMs);
    pruneLocked(nowMs);
}

void ReconnectTracker::pruneLocked(qint64 nowMs) const
{
    while (!m_reconnectTimesMs.empty() && nowMs - m_reconnectTimesMs.front() >= HourMs)
        m_reconnectTimesMs.pop_front();
}

QList<ReconnectRecord> ReconnectTracker::records(quint64 afterSequence, int limit) const
{
    std::lock_guard lock(m_mutex);
    QList<ReconnectRecord> result;
    for (const ReconnectRecord &record : m_records) {
        if (record.sequence > afterSequence)
            result.append(record);
    }
    if (result.size() > limit)
        result = result.mid(result.size() - limit);
    return result;
}

int ReconnectTracker::reconnectsLastMinute() const
{
    const qint64 nowMs = QDateTime::currentMSecsSinceEpoch();
    std::lock_guard lock(m_mutex);
    pruneLocked(nowMs);
    int count = 0;
    for (auto it = m_reconnectTimesMs.crbegin(); it != m_reconnectTimesMs.crend(); ++it) {
        if (nowMs - *it >= 60 * 1000)
            break;
        ++count;
    }
    return count;
}

QList<int> ReconnectTracker::reconnectsPerMinute() const
{
    const qint64 nowMs = QDateTime::currentMSecsSinceEpoch();
    const qint64 currentMinute = nowMs / 60000;
    std::lock_guard lock(m_mutex);
    pruneLocked(nowMs);
    QList<int> counts(60, 0);
    for (const qint64 timeMs : m_reconnectTimesMs) {
        const qint64 age = currentMinute - timeMs / 60000;
        if (age >= 0 && age < 60)
            ++counts[59 - int(age)];
    }
    return counts;
}

bool ReconnectTracker::stormActive() const
{
    return m_stormThreshold > 0 && reconnectsLastMinute() >= m_stormThreshold;
}

quint64 ReconnectTracker::total() const
{
    std::lock_guard lock(m_mutex);
    return m_total;
}

quint64 ReconnectTracker::replayedEventsTotal() const
{
    std::lock_guard lock(m_mutex);
    return m_replayedEvents;
}

quint64 ReconnectTracker::resyncsTotal() const
{
    std::lock_guard lock(m_mutex);
    return m_resyncs;
}
