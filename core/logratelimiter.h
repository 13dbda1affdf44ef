#pragma once

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QMutex>
#include <QString>

// Limits repeated log messages: at most maxPerWindow messages with the same
// key (a category and the place that logs, which stands for one format
// string) in each window of windowMs. Further messages in the window are
// counted instead of written, and the count is reported once the window has
// ended. Thread-safe; the caller passes the time, so tests need no clock.
class LogRateLimiter
{
    Q_DISABLE_COPY_MOVE(LogRateLimiter)

public:
    static constexpr int DefaultMaxPerWindow = 10;
    static constexpr qint64 DefaultWindowMs = 10 * 1000;
    // Keys tracked at most; past this, keys whose window has ended and
    // that suppressed nothing are forgotten first.
    static constexpr int MaxKeys = 4096;

    // The messages of one key that were not written in a window that ended.
    struct Suppressed
    {
        QByteArray category;
        // The first suppressed message, to tell the reader what was left out.
        QString sample;
        quint64 count = 0;
    };

    explicit LogRateLimiter(int maxPerWindow = DefaultMaxPerWindow,
                            qint64 windowMs = DefaultWindowMs);

    // Counts a message with key at nowMs (milliseconds on any monotonic
    // clock). Returns true when it may be written. When the key's previous
    // window has ended with suppressed messages, *ended receives them.
    bool allow(const QByteArray &key, const QByteArray &category, const QString &message,
               qint64 nowMs, Suppressed *ended);

    // Returns and clears the suppressed messages of every window that has
    // ended by nowMs, so that a burst that stopped is still reported.
    QList<Suppressed> takeEnded(qint64 nowMs);

    int maxPerWindow() const { return m_maxPerWindow; }
    qint64 windowMs() const { return m_windowMs; }

private:
    struct Window
    {
        qint64 startMs = 0;
        int written = 0;
        Suppressed suppressed;
    };

    void forgetIdleLocked(qint64 nowMs);

    const int m_maxPerWindow;
    const qint64 m_windowMs;
    QMutex m_mutex;
    QHash<QByteArray, Window> m_windows;
};
