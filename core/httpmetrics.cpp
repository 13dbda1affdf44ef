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
