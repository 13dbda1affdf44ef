#include "logratelimiter.h"

#include <QMutexLocker>

LogRateLimiter::LogRateLimiter(int maxPerWindow, qint64 windowMs)
    : m_maxPerWindow(qMax(1, maxPerWindow)), m_windowMs(qMax<qint64>(1, windowMs))
{
}

bool LogRateLimiter::allow(const QByteArray &key, const QByteArray &category,
                           const QString &message, qint64 nowMs, Suppressed *ended)
{
    const QMutexLocker locker(&m_mutex);
    auto window = m_windows.find(key);
    if (window == m_windows.end()) {
        if (m_windows.size() >= MaxKeys)
            forgetIdleLocked(nowMs);
        window = m_windows.insert(key, Window{nowMs, 0, {category, {}, 0}});
    } else if (nowMs - window->startMs >= m_windowMs) {
        if (window->suppressed.count > 0 && ended)
            *ended = window->suppressed;
        *window = Window{nowMs, 0, {category, {}, 0}};
    }

    if (window->written < m_maxPerWindow) {
        ++window->written;
        return true;
    }
    if (window->suppressed.count == 0)
        window->suppressed.sample = message;
    ++window->suppressed.count;
    return false;
}

QList<LogRateLimiter::Suppressed> LogRateLimiter::takeEnded(qint64 nowMs)
{
    QList<Suppressed> result;
    const QMutexLocker locker(&m_mutex);
    for (auto window = m_windows.begin(); window != m_windows.end();) {
        if (nowMs - window->startMs < m_windowMs) {
            ++window;
            continue;
        }
        if (window->suppressed.count > 0)
            result.append(window->suppressed);
        window = m_windows.erase(window);
    }
    return result;
}

void LogRateLimiter::forgetIdleLocked(qint64 nowMs)
{
    for (auto window = m_windows.begin(); window != m_windows.end();) {
        if (nowMs - window->startMs >= m_windowMs && window->suppressed.count == 0)
            window = m_windows.erase(window);
        else
            ++window;
    }
}
