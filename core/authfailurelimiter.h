#pragma once

#include <QHash>
#include <QString>

#include <deque>
#include <mutex>

// Slows down a client that keeps failing authentication: after maxFailures
// failed attempts from one remote address within a minute, further requests
// from that address get 429 until the oldest failure is a minute
// old. Other addresses are not affected. Thread-safe.
class AuthFailureLimiter
{
public:
    // maxFailures of 0 turns the limiter off.
    explicit AuthFailureLimiter(int maxFailures) : m_maxFailures(maxFailures) { }

    // Returns 0 when address may try, else the seconds until it may.
    int secondsBlocked(const QString &address, qint64 nowMs);
    void recordFailure(const QString &address, qint64 nowMs);

private:
    void pruneLocked(std::deque<qint64> &failures, qint64 nowMs) const;

    const int m_maxFailures;
    std::mutex m_mutex;
    QHash<QString, std::deque<qint64>> m_failures;
};
