#pragma once

#include "streamengine.h"

#include <QDateTime>
#include <QHash>
#include <QList>
#include <QString>

#include <deque>
#include <functional>
#include <mutex>
#include <optional>

// One client that came back to an order's stream.
struct ReconnectRecord
{
    // Increases by one per record, so the console can ask for newer ones.
    quint64 sequence = 0;
    QDateTime time;
    QString orderId;
    QString remoteAddress;
    QString subject;
    // Time since the same client's stream of this order closed, when that
    // close is within the reconnect window.
    std::optional<qint64> awayMs;
    // The Last-Event-ID the client sent, if any.
    std::optional<quint64> resumedFromId;
    // Events published to the order while the client was away; -1 when unknown
    // (after a resync the history no longer shows it).
    int eventsMissed = 0;
    int eventsReplayed = 0;
    bool resync = false;
    QString resyncReason;
};

// Recognises reconnects and keeps the recent ones for the console.
//
// A reconnect is a new stream that carries a Last-Event-ID, or a stream of
// the same client (remote address and, with authentication, JWT subject)
// and order that opens within the reconnect window after one closed.
//
// Thread-safe: streams close on worker threads, open on the HTTP thread, and
// the console reads from the GUI thread.
class ReconnectTracker
{
public:
    // Counts the events of an order with an id above afterId; used for a
    // client that came back without a Last-Event-ID.
    using MissedCounter = std::function<int(const QString &orderId, quint64 afterId)>;

    ReconnectTracker(qint64 windowMs, int stormThresholdPerMinute, MissedCounter countMissed);

    ReconnectTracker(const ReconnectTracker &) = delete;
    ReconnectTracker &operator=(const ReconnectTracker &) = delete;

    void streamClosed(const StreamInfo &info, quint64 lastSentId);
    // A stream without Last-Event-ID opened.
    void streamOpened(const StreamInfo &info);
    // A stream with Last-Event-ID finished its replay.
    void streamResumed(const StreamInfo &info, const ReplayFrames &replay);

    // Records with a sequence above afterSequence, oldest first, at most limit.
    QList<ReconnectRecord> records(quint64 afterSequence, int limit) const;
    int reconnectsLastMinute() const;
    // Reconnects in each of the last 60 minutes, oldest first; the last entry
    // is the current, unfinished minute.
    QList<int> reconnectsPerMinute() const;
    bool stormActive() const;
    quint64 total() const;
    quint64 replayedEventsTotal() const;
    quint64 resyncsTotal() const;
    int stormThresholdPerMinute() const { return m_stormThreshold; }

private:
    struct ClosedStream
    {
        qint64 closedAtMs = 0;
        quint64 lastSentId = 0;
    };

    static QString clientKey(const StreamInfo &info);
    std::optional<ClosedStream> takeRecentClose(const StreamInfo &info, qint64 nowMs);
    void addRecord(ReconnectRecord record, qint64 nowMs);
    void pruneLocked(qint64 nowMs) const;

    const qint64 m_windowMs;
    const int m_stormThreshold;
    const MissedCounter m_countMissed;

    mutable std::mutex m_mutex;
    QHash<QString, ClosedStream> m_recentCloses;
    std::deque<ReconnectRecord> m_records;
    mutable std::deque<qint64> m_reconnectTimesMs;
    quint64 m_nextSequence = 1;
    quint64 m_total = 0;
    quint64 m_replayedEvents = 0;
    quint64 m_resyncs = 0;
};
