#pragma once

#include <QHash>
#include <QPair>
#include <QString>

#include <mutex>

// Counts HTTP responses by route and status, rejected authentication by
// reason and connections rejected by the connection guard, for /metrics.
// Thread-safe.
class HttpMetrics
{
public:
    using Key = QPair<QString, int>;

    void count(const QString &route, int status);
    QHash<Key, quint64> counts() const;

    void countAuthFailure(const QString &reason);
    QHash<QString, quint64> authFailures() const;

    // Connections rejected before routing (oversized or slow requests,
    // invalid HTTP, failed TLS handshakes), by reason.
    void countRejection(const QString &reason);
    QHash<QString, quint64> rejections() const;

private:
    mutable std::mutex m_mutex;
    QHash<Key, quint64> m_counts;
    QHash<QString, quint64> m_authFailures;
    QHash<QString, quint64> m_rejections;
};
