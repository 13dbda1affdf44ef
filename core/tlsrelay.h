#pragma once

#include <QObject>
#include <QString>
#include <QTcpSocket>
#include <QTimer>

class QSslSocket;

// Carries an HTTPS stream's bytes from the streaming engine to its TLS client.
//
// The streaming engine writes to a socket descriptor, but a TLS session lives
// in a QSslSocket, which cannot be handed to another thread as a descriptor.
// So the engine gets one end of a loopback TCP connection, exactly like a
// plain stream, and this relay reads the other end on the server thread and
// writes into the QSslSocket. The pair is TCP, not a UNIX socketpair, because
// the engine adopts only TCP sockets.
//
// Back-pressure: the relay stops reading while the QSslSocket has more than
// MaxBufferedBytes unsent, and the relay end reads at most MaxBufferedBytes
// ahead. The small kernel buffers of the pair then fill, the engine's unsent
// bytes grow, and the engine drops a slow TLS client by its usual bound.
//
// Either side closing closes the other. Input from the TLS client is read and
// discarded, as the engine does for plain streams.
//
// A child of the QSslSocket; lives on the server thread. TLS encryption of
// every HTTPS stream therefore runs on the server thread too, and each HTTPS
// stream keeps two sockets in that thread's event loop.
//
// NOTE: on shutdown the server thread ends before the engine sends its last
// queued frames. HTTPS streams therefore close without them and without
// close_notify, and browsers reconnect as after any dropped stream.
class TlsRelay : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TlsRelay)

public:
    // Bytes buffered by the relay in each direction before it pauses.
    static constexpr qint64 MaxBufferedBytes = 64 * 1024;
    // Kernel buffer size asked for on each end of the loopback pair.
    static constexpr int PairBufferBytes = 32 * 1024;
    // After the engine closes, the client has this long to take the rest.
    static constexpr int CloseTimeoutMs = 5000;
    // A client that takes no byte for this long while the relay waits for it
    // is disconnected. Until then the relay does not read from the engine, so
    // it could not see the engine drop the stream.
    static constexpr int StallTimeoutMs = 60000;

    // Starts relaying for tls. Returns the descriptor for the streaming
    // engine, or -1 with errorMessage set.
    static int start(QSslSocket *tls, QString *errorMessage);

private:
    TlsRelay(QSslSocket *tls);

    void pump();
    void clientTookBytes();
    void engineClosed();
    void clientClosed();

    QSslSocket *m_tls;
    QTcpSocket m_local;
    QTimer m_closeTimer;
    QTimer m_stallTimer;
    bool m_engineClosed = false;
    bool m_closing = false;
};
