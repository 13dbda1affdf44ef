#include "authfailurelimiter.h"

namespace {

constexpr qint64 WindowMs = 60 * 1000;
// Addresses tracked at once; beyond this, addresses without recent failures
// are forgotten first.
constexpr int MaxAddresses = 100000;

} // namespace

void AuthFailureLimiter::pruneLocked(std::deque<qint64> &failures, qint64 nowMs) const
{
    while (!failures.empty() && nowMs - failures.front() >= WindowMs)
        failures.pop_front();
}

int AuthFailureLimiter::secondsBlocked(const QString &address, qint64 nowMs)
{
    if (m_maxFailures <= 0)
        return 0;

    std::lock_guard lock(m_mutex);
    const auto it = m_failures.find(address);
    if (it == m_failures.end())
        return 0;
    pruneLocked(it.value(), nowMs);
    if (int(it.value().size()) < m_maxFailures)
        return 0;
    const qint64 waitMs = WindowMs - (nowMs - it.value().front());
    return int((waitMs + 999) / 1000);
}

void AuthFailureLimiter::recordFailure(const QString &address, qint64 nowMs)
{
    if (m_maxFailures <= 0)
        return;

    std::lock_guard lock(m_mutex);
    if (m_failures.size() >= MaxAddresses) {
        for (auto it = m_failures.begin(); it != m_failures.end();) {
            pruneLocked(it.value(), nowMs);
            it = it.value().empty() ? m_failures.erase(it) : std::next(it);
        }
    }
    std::deque<qint64> &failures = m_failures[address];
    pruneLocked(failures, nowMs);
    failures.push_back(nowMs);
    // Only the newest maxFailures matter for the decision.
    while (int(failures.size()) > m_maxFailures)
        failures.pop_front();
}
