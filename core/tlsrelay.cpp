#include "tlsrelay.h"

#include "logging.h"

#include <QSslSocket>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace {

QString systemError(const char *call)
{
    return QStringLiteral("%1 failed: %2").arg(QLatin1String(call),
                                               QString::fromLocal8Bit(strerror(errno)));
}

// Connects two TCP sockets on 127.0.0.1 through a listener that exists only
// for this call. Another local process could connect to that listener in the
// meantime, so the accepted socket is checked to be ours.
bool makeLoopbackPair(int *engineEnd, int *relayEnd, QString *errorMessage)
{
    const int bufferBytes = TlsRelay::PairBufferBytes;
    const int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (listener < 0) {
        *errorMessage = systemError("socket");
        return false;
    }
    // Accepted sockets inherit the receive buffer size from the listener.
    ::setsockopt(listener, SOL_SOCKET, SO_RCVBUF, &bufferBytes, sizeof bufferBytes);

    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (::bind(listener, reinterpret_cast<sockaddr *>(&address), sizeof address) != 0
        || ::listen(listener, 4) != 0
        || ::getsockname(listener, reinterpret_cast<sockaddr *>(&address), &length) != 0) {
        *errorMessage = systemError("listen on 127.0.0.1");
        ::close(listener);
        return false;
    }

    const int client = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (client < 0) {
        *errorMessage = systemError("socket");
        ::close(listener);
        return false;
    }
    ::setsockopt(client, SOL_SOCKET, SO_SNDBUF, &bufferBytes, sizeof bufferBytes);
    sockaddr_in clientAddress{};
    length = sizeof clientAddress;
    if (::connect(client, reinterpret_cast<sockaddr *>(&address), sizeof address) != 0
        || ::getsockname(client, reinterpret_cast<sockaddr *>(&clientAddress), &length) != 0) {
        *errorMessage = systemError("connect to 127.0.0.1");
        ::close(client);
        ::close(listener);
        return false;
    }

    int accepted = -1;
    for (int attempt = 0; attempt < 8 && accepted < 0; ++attempt) {
        pollfd readable{listener, POLLIN, 0};
        if (::poll(&readable, 1, 1000) <= 0)
            break;
        sockaddr_in peer{};
        length = sizeof peer;
        const int candidate = ::accept4(listener, reinterpret_cast<sockaddr *>(&peer), &length,
                                        SOCK_CLOEXEC);
        if (candidate < 0)
            continue;
        if (peer.sin_port == clientAddress.sin_port
            && peer.sin_addr.s_addr == clientAddress.sin_addr.s_addr) {
            accepted = candidate;
        } else {
            ::close(candidate);
        }
    }
    ::close(listener);
    if (accepted < 0) {
        *errorMessage =
                QStringLiteral("the loopback connection for the TLS relay was not accepted");
        ::close(client);
        return false;
    }

    *engineEnd = client;
    *relayEnd = accepted;
    return true;
}

} // namespace

TlsRelay::TlsRelay(QSslSocket *tls) : QObject(tls), m_tls(tls)
{
    m_closeTimer.setSingleShot(true);
    connect(&m_closeTimer, &QTimer::timeout, m_tls, &QAbstractSocket::abort);
    m_stallTimer.setSingleShot(true);
    connect(&m_stallTimer, &QTimer::timeout, this, [this] {
        qCInfo(lcStream, "closed HTTPS stream from %ls:%u: the client took no data for %d s",
               qUtf16Printable(m_tls->peerAddress().toString()), m_tls->peerPort(),
               StallTimeoutMs / 1000);
        m_tls->abort();
    });
}

int TlsRelay::start(QSslSocket *tls, QString *errorMessage)
{
    int engineEnd = -1;
    int relayEnd = -1;
    if (!makeLoopbackPair(&engineEnd, &relayEnd, errorMessage))
        return -1;

    auto *relay = new TlsRelay(tls);
    relay->m_local.setReadBufferSize(MaxBufferedBytes);
    if (!relay->m_local.setSocketDescriptor(relayEnd)) {
        *errorMessage = QStringLiteral("cannot watch the TLS relay socket: %1")
                                .arg(relay->m_local.errorString());
        ::close(relayEnd);
        ::close(engineEnd);
        delete relay;
        return -1;
    }

    connect(&relay->m_local, &QIODevice::readyRead, relay, &TlsRelay::pump);
    connect(tls, &QSslSocket::encryptedBytesWritten, relay, &TlsRelay::clientTookBytes);
    connect(&relay->m_local, &QAbstractSocket::disconnected, relay, &TlsRelay::engineClosed);
    connect(tls, &QAbstractSocket::disconnected, relay, &TlsRelay::clientClosed);
    connect(tls, &QIODevice::readyRead, relay, [tls] { tls->read(tls->bytesAvailable()); });
    return engineEnd;
}

void TlsRelay::pump()
{
    while (m_local.bytesAvailable() > 0 && m_tls->state() == QAbstractSocket::ConnectedState) {
        const qint64 buffered = m_tls->bytesToWrite() + m_tls->encryptedBytesToWrite();
        if (buffered >= MaxBufferedBytes) {
            if (!m_stallTimer.isActive())
                m_stallTimer.start(StallTimeoutMs);
            return;
        }
        const QByteArray chunk = m_local.read(MaxBufferedBytes - buffered);
        if (chunk.isEmpty())
            break;
        m_tls->write(chunk);
    }
    m_stallTimer.stop();

    if (m_engineClosed && !m_closing && m_local.bytesAvailable() == 0) {
        // Everything the engine sent is with the QSslSocket, which sends
        // close_notify once that is written.
        m_closing = true;
        m_tls->disconnectFromHost();
    }
}

void TlsRelay::clientTookBytes()
{
    if (m_stallTimer.isActive())
        m_stallTimer.start(StallTimeoutMs);
    pump();
}

void TlsRelay::engineClosed()
{
    m_engineClosed = true;
    m_closeTimer.start(CloseTimeoutMs);
    pump();
}

void TlsRelay::clientClosed()
{
    // The engine reads the end of its connection and closes the stream. Qt HTTP
    // Server deletes the QSslSocket, and this relay with it.
    m_local.abort();
}
