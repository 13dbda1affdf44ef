#pragma once

#include <QtGlobal>

#include <array>
#include <optional>

// The console's last hour of activity, one bucket per wall-clock minute:
// open connections, events published and reconnects. A ring of 60 buckets,
// so memory stays the same however long the console runs.
//
// Samples come from hub snapshots every few seconds, never per event.
// Events and reconnects are counters in the snapshot. Each sample adds the
// increase since the previous sample to the bucket of its own minute, so an
// increase counts in the minute it was first seen, up to one sample late. Open connections is a gauge: a bucket keeps the value of
// the last sample in its minute.
class ActivityHistory
{
public:
    enum Series { OpenConnections, EventsPerMinute, ReconnectsPerMinute, SeriesCount };

    static constexpr int MinuteCount = 60;
    // An increase seen after a longer pause between samples (the console was
    // suspended, or the clock jumped) is not counted, because it cannot be
    // placed in a minute. The minutes without samples stay gaps.
    static constexpr qint64 MaxSampleGapMs = 60 * 1000;

    // Records a sample taken at nowMs, milliseconds since the epoch (UTC).
    // A counter lower than in the previous sample means the server restarted
    // with a new hub, which counted from zero, so the whole new total is the
    // increase. A sample older than the previous one is ignored.
    void addSample(qint64 nowMs, int connections, quint64 eventsPublished,
                   quint64 reconnectsTotal);
    void clear();

    bool isEmpty() const { return m_lastSampleMs < 0; }
    // The minute of the newest sample, in minutes since the epoch; the right
    // end of the chart. -1 before the first sample.
    qint64 currentMinute() const;
    // Returns the value of series in minute, or nullopt when no sample fell
    // in that minute or it is more than an hour before currentMinute().
    std::optional<quint64> value(Series series, qint64 minute) const;
    // Returns the highest value of series in the last hour, 0 when empty.
    quint64 maximum(Series series) const;

private:
    struct Bucket
    {
        // Minutes since the epoch; -1 for a bucket never written.
        qint64 minute = -1;
        std::array<quint64, SeriesCount> values{};
    };

    Bucket &bucketFor(qint64 minute);
    const Bucket *findBucket(qint64 minute) const;

    std::array<Bucket, MinuteCount> m_buckets{};
    qint64 m_lastSampleMs = -1;
    quint64 m_lastEventsPublished = 0;
    quint64 m_lastReconnectsTotal = 0;
};
