#pragma once

#include <QByteArray>
#include <QObject>
#include <QString>
#include <QTimer>

class GuardedTcpServer;
class QTcpSocket;

// Limits that Qt HTTP Server 6.4 does not enforce itself.
struct ConnectionLimits
{
    // Request line plus headers, in bytes; more gets 431.
    int maxHeaderBytes = 16 * 1024;
    // Request body, in bytes; a larger Content-Length or chunked body gets 413.
    qint64 maxBodyBytes = 64 * 1024;
    // From the first byte of a request until its last; then 408. Also the
    // time a new connection (and its TLS handshake) may take to send its
    // first byte, after which it is closed without a response.
    int requestTimeoutMs = 10000;
    // A keep-alive connection with no request for this long is closed.
    int idleTimeoutMs = 60000;
};

// Watches one accepted connection while Qt HTTP Server parses its requests,
// and responds with an error and closes it when a request breaks a limit or is not valid
// HTTP/1.1.
//
// Qt's parser consumes the socket's buffered input in its readyRead slot. The
// guard's inspect slot is connected before that slot and peeks at the bytes
// that Qt has not consumed yet. A second slot, connected after Qt's, counts how
// much Qt consumed. So the guard reads every byte exactly once, before Qt does,
// and frames requests itself: request line, headers, then a Content-Length or
// chunked body. It never looks past the end of the request that Qt is
// parsing, so pipelined requests are judged in order. To reject, it
// disconnects Qt's parser from the socket, writes a JSON error with
// "Connection: close", shuts down the sending side once the error is written,
// and discards input until the client closes or a short linger ends.
//
// A request that becomes a stream is handed to the streaming engine, and
// detach() must be called before that: a stream is never limited here.
//
// A child of its socket; lives on the server thread.
class ConnectionGuard : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ConnectionGuard)

public:
    ConnectionGuard(QTcpSocket *socket, const ConnectionLimits &limits, GuardedTcpServer &server);
    ~ConnectionGuard() override;

    // The guard of socket, or nullptr when it has none or was detached.
    static ConnectionGuard *find(QTcpSocket *socket);

    // Call connectBeforeParser() before the socket is handed to Qt HTTP
    // Server, and connectAfterParser() right after, so that the slots run
    // around Qt's parser in that order.
    void connectBeforeParser();
    void connectAfterParser();

    // Stops guarding the connection for good; used when it becomes a stream.
    void detach();

    // Sends status with a JSON error body and closes the connection. reason
    // is the label counted in orderstream_http_rejected_total.
    void reject(int status, const QString &code, const QString &message, const QString &reason);

    // Closes the connection without a response; cause goes to the debug log.
    void closeQuietly(const QString &cause);

    QString peerAddress() const { return m_peer; }

private:
    enum class State {
        WaitingForRequest,
        RequestLine,
        Headers,
        Body,
        ChunkSize,
        ChunkData,
        ChunkDataEnd,
        Trailers,
        // The request's last byte was seen; Qt has not consumed it yet.
        Complete,
        Closing,
        Detached,
    };
    enum class TimerRole { FirstRequest, Request, Idle, Linger };

    void inspect();
    void countConsumed();
    // Frames up to size bytes of new input; stops at the end of the request
    // or at a rejection. Returns the bytes it framed.
    qsizetype scan(const char *data, qsizetype size);
    bool finishRequestLine();
    bool finishHeaderLine();
    bool finishHead();
    bool finishChunkSizeLine();
    void startRequest();
    void completeRequest();
    void startTimer(TimerRole role, int ms);
    void timedOut();
    void discardInput();
    void lingerClose();
    void disconnectFromParser();

    QTcpSocket *m_socket;
    const ConnectionLimits m_limits;
    GuardedTcpServer &m_server;
    const QString m_peer;
    QTimer m_timer;
    TimerRole m_timerRole = TimerRole::FirstRequest;
    State m_state = State::WaitingForRequest;

    // Bytes at the front of the socket's unconsumed input that scan() has
    // already framed, and the unconsumed input before Qt's slot ran.
    qint64 m_scanned = 0;
    qint64 m_availableBeforeParser = 0;

    QByteArray m_line;
    qint64 m_headBytes = 0;
    qint64 m_leadingWhitespace = 0;
    qint64 m_contentLength = -1;
    bool m_chunked = false;
    qint64 m_bodyBytes = 0;
    qint64 m_remaining = 0;
    bool m_sawCarriageReturn = false;
};
