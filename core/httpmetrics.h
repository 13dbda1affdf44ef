#pragma once

#include <QHash>
#include <QPair>
#include <QString>

#include <mutex>

// Counts HTTP answers by route and status for /metrics. Thread-safe.
class HttpMetrics
{
public:
    using Key = QPair<QString, int>;

    void count(const QString &route, int status);
    QHash<Key, quint64> counts() const;

private:
    mutable std::mutex m_mutex;
    QHash<Key, quint64> m_counts;
};
