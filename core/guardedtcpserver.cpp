#include "guardedtcpserver.h"

#include "httpmetrics.h"
#include "logging.h"

#include <QCoreApplication>
#include <QFile>
#include <QHostAddress>
#include <QSslCertificate>
#include <QSslKey>
#include <QSslSocket>
#include <QTcpSocket>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <unistd.h>

#include <memory>

namespace {

// The first byte of a TLS handshake record.
constexpr char TlsHandshakeRecord = 0x16;

bool readFile(const QString &path, const QString &what, QByteArray *contents,
              QString *errorMessage)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *errorMessage = QStringLiteral("cannot read the TLS %1 %2: %3")
                                .arg(what, path, file.errorString());
        return false;
    }
    *contents = file.readAll();
    return true;
}

// An encrypted key would make OpenSSL ask for a passphrase on the terminal.
int rejectPassphrase(char *, int, int, void *)
{
    return 0;
}

} // namespace

bool GuardedTcpServer::loadTlsConfiguration(const QString &certificatePath,
                                            const QString &keyPath,
                                            QSslConfiguration *configuration,
                                            QString *errorMessage)
{
    if (!QSslSocket::supportsSsl()) {
        *errorMessage = QStringLiteral("TLS is not available: Qt found no TLS backend (%1)")
                                .arg(QSslSocket::sslLibraryVersionString());
        return false;
    }

    QByteArray certificatePem;
    QByteArray keyPem;
    if (!readFile(certificatePath, QStringLiteral("certificate"), &certificatePem, errorMessage)
        || !readFile(keyPath, QStringLiteral("key"), &keyPem, errorMessage)) {
        return false;
    }

    const QList<QSslCertificate> chain = QSslCertificate::fromData(certificatePem, QSsl::Pem);
    if (chain.isEmpty() || chain.first().isNull()) {
        *errorMessage = QStringLiteral("the TLS certificate file %1 contains no PEM certificate")
                                .arg(certificatePath);
        return false;
    }

    // OpenSSL reads the key's type, which QSslKey needs, and checks that the
    // key belongs to the certificate. A mismatch would otherwise show only
    // as failed handshakes.
    const std::unique_ptr<BIO, decltype(&BIO_free)> keyBio(
            BIO_new_mem_buf(keyPem.constData(), int(keyPem.size())), &BIO_free);
    const std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
            PEM_read_bio_PrivateKey(keyBio.get(), nullptr, rejectPassphrase, nullptr),
            &EVP_PKEY_free);
    if (!key) {
        *errorMessage =
                QStringLiteral("the TLS key file %1 contains no unencrypted PEM private key")
                        .arg(keyPath);
        return false;
    }
    const std::unique_ptr<BIO, decltype(&BIO_free)> certificateBio(
            BIO_new_mem_buf(certificatePem.constData(), int(certificatePem.size())), &BIO_free);
    const std::unique_ptr<X509, decltype(&X509_free)> certificate(
            PEM_read_bio_X509(certificateBio.get(), nullptr, rejectPassphrase, nullptr),
            &X509_free);
    if (!certificate || X509_check_private_key(certificate.get(), key.get()) != 1) {
        *errorMessage = QStringLiteral("the TLS key in %1 does not belong to the certificate in %2")
                                .arg(keyPath, certificatePath);
        return false;
    }

    QSsl::KeyAlgorithm algorithm = QSsl::Opaque;
    switch (EVP_PKEY_get_base_id(key.get())) {
    case EVP_PKEY_RSA: algorithm = QSsl::Rsa; break;
    case EVP_PKEY_EC: algorithm = QSsl::Ec; break;
    default:
        *errorMessage = QStringLiteral("the TLS key in %1 is neither RSA nor EC").arg(keyPath);
        return false;
    }
    const QSslKey privateKey(keyPem, algorithm, QSsl::Pem, QSsl::PrivateKey);
    if (privateKey.isNull()) {
        *errorMessage = QStringLiteral("Qt cannot read the TLS key in %1").arg(keyPath);
        return false;
    }

    QSslConfiguration result = QSslConfiguration::defaultConfiguration();
    result.setLocalCertificateChain(chain);
    result.setPrivateKey(privateKey);
    result.setPeerVerifyMode(QSslSocket::VerifyNone);
    result.setProtocol(QSsl::TlsV1_2OrLater);
    *configuration = result;
    return true;
}

GuardedTcpServer::GuardedTcpServer(const ConnectionLimits &limits, int maxConnectionsPerAddress,
                                   HttpMetrics &metrics, QObject *parent)
    : QTcpServer(parent)
    , m_limits(limits)
    , m_maxConnectionsPerAddress(maxConnectionsPerAddress)
    , m_metrics(metrics)
{
    m_rejectionLogTimer.setSingleShot(true);
    connect(&m_rejectionLogTimer, &QTimer::timeout, this,
            [this] { logSuppressedRejections(false); });
}

GuardedTcpServer::~GuardedTcpServer()
{
    // The sockets' guards report to this object when they are destroyed, so
    // the sockets go while its members still exist.
    const QList<QTcpSocket *> sockets = findChildren<QTcpSocket *>(Qt::FindDirectChildrenOnly);
    qDeleteAll(sockets);
    logSuppressedRejections(true);
}

void GuardedTcpServer::setTlsConfiguration(const QSslConfiguration &configuration)
{
    m_tlsConfiguration = configuration;
    m_tls = true;
}

QString GuardedTcpServer::clientAddress(const QHostAddress &address)
{
    bool isMappedIpv4 = false;
    const quint32 ipv4 = address.toIPv4Address(&isMappedIpv4);
    return isMappedIpv4 ? QHostAddress(ipv4).toString() : address.toString();
}

void GuardedTcpServer::incomingConnection(qintptr descriptor)
{
    if (m_tls)
        acceptTls(descriptor);
    else
        acceptPlain(descriptor);
}

void GuardedTcpServer::acceptPlain(qintptr descriptor)
{
    auto *socket = new QTcpSocket(this);
    if (!socket->setSocketDescriptor(descriptor)) {
        qCWarning(lcHttp, "cannot take an accepted connection: %ls",
                  qUtf16Printable(socket->errorString()));
        ::close(int(descriptor));
        delete socket;
        return;
    }

    auto *guard = new ConnectionGuard(socket, m_limits, *this);
    if (!admitConnection(socket, guard))
        return;
    handOver(socket, guard);
}

void GuardedTcpServer::acceptTls(qintptr descriptor)
{
    auto *socket = new QSslSocket(this);
    if (!socket->setSocketDescriptor(descriptor)) {
        qCWarning(lcHttp, "cannot take an accepted connection: %ls",
                  qUtf16Printable(socket->errorString()));
        ::close(int(descriptor));
        delete socket;
        return;
    }
    socket->setSslConfiguration(m_tlsConfiguration);

    // The guard's first-request timer also bounds the handshake.
    auto *guard = new ConnectionGuard(socket, m_limits, *this);
    if (!admitConnection(socket, guard))
        return;

    // Until the handshake completes, Qt HTTP Server does not know the
    // socket; connections to this object are dropped at the handover.
    connect(socket, &QAbstractSocket::disconnected, this, [socket] { socket->deleteLater(); });
    connect(socket, &QIODevice::readyRead, this, [socket, guard] {
        // In unencrypted mode the first bytes arrive as they are. A client
        // that speaks plain HTTP gets a readable error instead of a TLS alert.
        char first = 0;
        if (socket->isEncrypted() || socket->mode() != QSslSocket::UnencryptedMode
            || socket->peek(&first, 1) != 1) {
            return;
        }
        if (first != TlsHandshakeRecord) {
            guard->reject(400, QStringLiteral("tls_required"),
                          QStringLiteral("this port serves HTTPS only; connect with https://"),
                          QStringLiteral("tls_required"));
            return;
        }
        socket->startServerEncryption();
    });
    connect(socket, &QAbstractSocket::errorOccurred, this,
            [this, socket, guard](QAbstractSocket::SocketError error) {
                if (error == QAbstractSocket::RemoteHostClosedError) {
                    guard->closeQuietly(QStringLiteral("closed during the TLS handshake"));
                    return;
                }
                recordRejection(QStringLiteral("tls_handshake_failed"), 0, guard->peerAddress(),
                                socket->errorString());
                socket->abort();
            });
    connect(socket, &QSslSocket::encrypted, this, [this, socket, guard] {
        socket->disconnect(this);
        handOver(socket, guard);
    });
}

bool GuardedTcpServer::admitConnection(QTcpSocket *socket, ConnectionGuard *guard)
{
    const QString peer = guard->peerAddress();
    const int open = ++m_connectionsPerAddress[peer];
    if (m_maxConnectionsPerAddress <= 0 || open <= m_maxConnectionsPerAddress)
        return true;

    // Never handed to Qt HTTP Server, so this object deletes the socket.
    connect(socket, &QAbstractSocket::disconnected, socket, &QObject::deleteLater);
    const QString message = QStringLiteral("this address holds its maximum of %1 connections; "
                                           "close one first")
                                    .arg(m_maxConnectionsPerAddress);
    if (m_tls) {
        // No response is possible before the TLS handshake.
        recordRejection(QStringLiteral("too_many_connections"), 0, peer, message);
        socket->abort();
        return false;
    }
    guard->reject(429, QStringLiteral("too_many_connections"), message,
                  QStringLiteral("too_many_connections"));
    return false;
}

void GuardedTcpServer::handOver(QTcpSocket *socket, ConnectionGuard *guard)
{
    guard->connectBeforeParser();
    addPendingConnection(socket);
    guard->connectAfterParser();

    // QAbstractHttpServer takes the socket in a direct slot of
    // pendingConnectionAvailable(); left pending, the guard's slots would run
    // in the wrong order around Qt's parser.
    if (hasPendingConnections()) {
        qCCritical(lcHttp, "the HTTP server did not take an accepted connection at once; "
                           "request limits cannot be applied");
    }

    // Input that arrived with the handshake is already buffered, and Qt
    // emits readyRead only for input that arrives later.
    if (socket->bytesAvailable() > 0)
        QMetaObject::invokeMethod(socket, &QIODevice::readyRead, Qt::QueuedConnection);
}

void GuardedTcpServer::connectionEnded(const QString &peer)
{
    const auto it = m_connectionsPerAddress.find(peer);
    if (it == m_connectionsPerAddress.end())
        return;
    if (--it.value() <= 0)
        m_connectionsPerAddress.erase(it);
}

void GuardedTcpServer::recordRejection(const QString &reason, int status, const QString &peer,
                                       const QString &message)
{
    m_metrics.countRejection(reason);

    RejectionLogEntry &entry = m_rejectionLog[reason];
    if (entry.windowStarted.isValid() && entry.windowStarted.elapsed() < RejectionLogWindowMs) {
        ++entry.suppressed;
        entry.lastPeer = peer;
        if (!m_rejectionLogTimer.isActive()) {
            m_rejectionLogTimer.start(
                    qMax(0, int(RejectionLogWindowMs - entry.windowStarted.elapsed())));
        }
        return;
    }

    entry.windowStarted.start();
    entry.suppressed = 0;
    if (status > 0) {
        qCInfo(lcHttp, "rejected connection from %ls with %d (%ls): %ls", qUtf16Printable(peer),
               status, qUtf16Printable(reason), qUtf16Printable(message));
    } else {
        qCInfo(lcHttp, "closed connection from %ls (%ls): %ls", qUtf16Printable(peer),
               qUtf16Printable(reason), qUtf16Printable(message));
    }
}

void GuardedTcpServer::logSuppressedRejections(bool all)
{
    // A summary line per reason once its window ends; while rejections go
    // on, one line per window.
    int nextDueMs = -1;
    for (auto it = m_rejectionLog.begin(); it != m_rejectionLog.end(); ++it) {
        RejectionLogEntry &entry = it.value();
        if (entry.suppressed == 0)
            continue;
        const int remainingMs = int(RejectionLogWindowMs - entry.windowStarted.elapsed());
        if (remainingMs > 0 && !all) {
            nextDueMs = nextDueMs < 0 ? remainingMs : qMin(nextDueMs, remainingMs);
            continue;
        }
        qCInfo(lcHttp, "%d more connections rejected (%ls) in the last %d s, the last from %ls",
               entry.suppressed, qUtf16Printable(it.key()), RejectionLogWindowMs / 1000,
               qUtf16Printable(entry.lastPeer));
        entry.suppressed = 0;
        entry.windowStarted.start();
    }
    if (nextDueMs >= 0)
        m_rejectionLogTimer.start(nextDueMs);
}
