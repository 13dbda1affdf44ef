#include "httpmetrics.h"

void HttpMetrics::count(const QString &route, int status)
{
    std::lock_guard lock(m_mutex);
    ++m_counts[qMakePair(route, status)];
}

QHash<HttpMetrics::Key, quint64> HttpMetrics::counts() const
{
    std::lock_guard lock(m_mutex);
    return m_counts;
}

void HttpMetrics::countAuthFailure(const QString &reason)
{
    std::lock_guard lock(m_mutex);
    ++m_authFailures[reason];
}

QHash<QString, quint64> HttpMetrics::authFailures() const
{
    std::lock_guard lock(m_mutex);
    return m_authFailures;
}

void HttpMetrics::countRejection(const QString &reason)
{
    std::lock_guard lock(m_mutex);
    ++m_rejections[reason];
}

QHash<QString, quint64> HttpMetrics::rejections() const
{
    std::lock_guard lock(m_mutex);
    return m_rejections;
}
