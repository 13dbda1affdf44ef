#pragma once

#include "connectionguard.h"

#include <QElapsedTimer>
#include <QHash>
#include <QSslConfiguration>
#include <QString>
#include <QTcpServer>
#include <QTimer>

class HttpMetrics;
class QHostAddress;
class QSslSocket;

// The listening socket of the HTTP server. Every accepted connection gets a
// ConnectionGuard before QAbstractHttpServer receives it, and with a TLS
// configuration set, a QSslSocket whose handshake completes before that.
//
// Qt HTTP Server 6.4 takes a connection in a slot of pendingConnectionAvailable(),
// which addPendingConnection() emits, and connects its parser to readyRead
// there. So the guard's slots are connected around that call.
//
// Also caps the connections per client address that are not streams, and
// logs rejections with repeats collapsed. Lives on the server thread.
class GuardedTcpServer : public QTcpServer
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(GuardedTcpServer)

public:
    // maxConnectionsPerAddress 0 means no cap.
    GuardedTcpServer(const ConnectionLimits &limits, int maxConnectionsPerAddress,
                     HttpMetrics &metrics, QObject *parent = nullptr);
    ~GuardedTcpServer() override;

    // Reads a PEM certificate chain and its unencrypted RSA or EC private key
    // into a server configuration. Returns false with errorMessage set when a
    // file cannot be read, contains no such certificate or key, or the key does
    // not belong to the certificate.
    static bool loadTlsConfiguration(const QString &certificatePath, const QString &keyPath,
                                     QSslConfiguration *configuration, QString *errorMessage);

    // Serves TLS on connections accepted from now on.
    void setTlsConfiguration(const QSslConfiguration &configuration);
    bool isTls() const { return m_tls; }

    // Counts a rejected connection under reason and logs it. Repeats of a
    // reason within RejectionLogWindowMs are logged once, as a count, when
    // the window ends.
    void recordRejection(const QString &reason, int status, const QString &peer,
                         const QString &message);

    // Called by a guard when its connection closes or becomes a stream.
    void connectionEnded(const QString &peer);

    // The address as clients and logs show it: IPv4-mapped IPv6 as IPv4.
    static QString clientAddress(const QHostAddress &address);

    static constexpr int RejectionLogWindowMs = 10000;

protected:
    void incomingConnection(qintptr descriptor) override;

private:
    void acceptTls(qintptr descriptor);
    void acceptPlain(qintptr descriptor);
    // Returns false, after rejecting, when peer has its maximum of connections open.
    bool admitConnection(QTcpSocket *socket, ConnectionGuard *guard);
    void handOver(QTcpSocket *socket, ConnectionGuard *guard);
    // Logs the count of each reason whose window ended, or of every reason.
    void logSuppressedRejections(bool all);

    struct RejectionLogEntry
    {
        QElapsedTimer windowStarted;
        int suppressed = 0;
        QString lastPeer;
    };

    const ConnectionLimits m_limits;
    const int m_maxConnectionsPerAddress;
    HttpMetrics &m_metrics;
    bool m_tls = false;
    QSslConfiguration m_tlsConfiguration;
    QHash<QString, int> m_connectionsPerAddress;
    QHash<QString, RejectionLogEntry> m_rejectionLog;
    QTimer m_rejectionLogTimer;
};
