#include "activityhistory.h"

#include <algorithm>

namespace {

qint64 minuteOf(qint64 timeMs)
{
    return timeMs / 60000;
}

quint64 increase(quint64 previous, quint64 current)
{
    return current >= previous ? current - previous : current;
}

} // namespace

void ActivityHistory::addSample(qint64 nowMs, int connections, quint64 eventsPublished,
                                quint64 reconnectsTotal)
{
    if (nowMs < m_lastSampleMs)
        return;

    const bool counted = m_lastSampleMs >= 0 && nowMs - m_lastSampleMs <= MaxSampleGapMs;
    Bucket &bucket = bucketFor(minuteOf(nowMs));
    bucket.values[OpenConnections] = quint64(qMax(0, connections));
    if (counted) {
        bucket.values[EventsPerMinute] += increase(m_lastEventsPublished, eventsPublished);
        bucket.values[ReconnectsPerMinute] += increase(m_lastReconnectsTotal, reconnectsTotal);
    }

    m_lastSampleMs = nowMs;
    m_lastEventsPublished = eventsPublished;
    m_lastReconnectsTotal = reconnectsTotal;
}

void ActivityHistory::clear()
{
    m_buckets.fill(Bucket{});
    m_lastSampleMs = -1;
    m_lastEventsPublished = 0;
    m_lastReconnectsTotal = 0;
}

qint64 ActivityHistory::currentMinute() const
{
    return m_lastSampleMs < 0 ? -1 : minuteOf(m_lastSampleMs);
}

std::optional<quint64> ActivityHistory::value(Series series, qint64 minute) const
{
    const Bucket *bucket = findBucket(minute);
    if (!bucket)
        return std::nullopt;
    return bucket->values.at(series);
}

quint64 ActivityHistory::maximum(Series series) const
{
    quint64 result = 0;
    const qint64 now = currentMinute();
    for (qint64 minute = now - MinuteCount + 1; minute <= now; ++minute) {
        if (const Bucket *bucket = findBucket(minute))
            result = std::max(result, bucket->values.at(series));
    }
    return result;
}

ActivityHistory::Bucket &ActivityHistory::bucketFor(qint64 minute)
{
    // A slot last written an hour or more ago is reused for this minute.
    Bucket &bucket = m_buckets[size_t(minute % MinuteCount)];
    if (bucket.minute != minute)
        bucket = Bucket{minute, {}};
    return bucket;
}

const ActivityHistory::Bucket *ActivityHistory::findBucket(qint64 minute) const
{
    const qint64 now = currentMinute();
    if (now < 0 || minute < 0 || minute > now || minute <= now - MinuteCount)
        return nullptr;
    const Bucket &bucket = m_buckets[size_t(minute % MinuteCount)];
    return bucket.minute == minute ? &bucket : nullptr;
}
