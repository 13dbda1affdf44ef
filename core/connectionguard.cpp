#include "connectionguard.h"

#include "guardedtcpserver.h"
#include "httperror.h"
#include "httpresponse.h"
#include "logging.h"

#include <QJsonObject>
#include <QSslSocket>
#include <QTcpSocket>

#include <sys/socket.h>

namespace {

// After a rejection, input is read and discarded for at most this long, so
// that the kernel does not respond to unread input with RST and destroy the
// error response before the client has read it.
constexpr int LingerMs = 2000;

// A chunk-size line ("1f4;name=value") longer than this is not valid.
constexpr int MaxChunkSizeLineBytes = 256;

bool isTokenCharacter(char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    return QByteArrayView("!#$%&'*+-.^_`|~").contains(c);
}

bool isToken(QByteArrayView text)
{
    if (text.isEmpty())
        return false;
    for (const char c : text) {
        if (!isTokenCharacter(c))
            return false;
    }
    return true;
}

// True for bytes that may not appear in a request line or header line: the
// C0 controls (NUL included) and DEL. allowTab permits horizontal tab, which
// header values may contain.
bool hasControlCharacter(QByteArrayView line, bool allowTab)
{
    for (const char c : line) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte == '\t' && allowTab)
            continue;
        if (byte < 0x20 || byte == 0x7f)
            return true;
    }
    return false;
}

QString printable(QByteArrayView text)
{
    const QByteArray prefix = text.first(qMin<qsizetype>(text.size(), 64)).toByteArray();
    return QString::fromLatin1(prefix.toPercentEncoding(" /:;=,."));
}

} // namespace

ConnectionGuard::ConnectionGuard(QTcpSocket *socket, const ConnectionLimits &limits,
                                 GuardedTcpServer &server)
    : QObject(socket)
    , m_socket(socket)
    , m_limits(limits)
    , m_server(server)
    , m_peer(GuardedTcpServer::clientAddress(socket->peerAddress()))
{
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, &ConnectionGuard::timedOut);
    startTimer(TimerRole::FirstRequest, m_limits.requestTimeoutMs);
}

ConnectionGuard::~ConnectionGuard()
{
    if (m_state != State::Detached)
        m_server.connectionEnded(m_peer);
}

ConnectionGuard *ConnectionGuard::find(QTcpSocket *socket)
{
    auto *guard = socket->findChild<ConnectionGuard *>(QString(), Qt::FindDirectChildrenOnly);
    return guard && guard->m_state != State::Detached ? guard : nullptr;
}

void ConnectionGuard::connectBeforeParser()
{
    connect(m_socket, &QIODevice::readyRead, this, &ConnectionGuard::inspect);
}

void ConnectionGuard::connectAfterParser()
{
    connect(m_socket, &QIODevice::readyRead, this, &ConnectionGuard::countConsumed);
}

void ConnectionGuard::detach()
{
    if (m_state == State::Detached)
        return;
    m_state = State::Detached;
    m_timer.stop();
    disconnect(m_socket, nullptr, this, nullptr);
    m_server.connectionEnded(m_peer);
}

void ConnectionGuard::inspect()
{
    if (m_state == State::Closing || m_state == State::Detached)
        return;

    const qint64 available = m_socket->bytesAvailable();
    m_availableBeforeParser = available;
    if (m_state == State::Complete || available <= m_scanned)
        return;

    // peek() reads from the position of Qt's open read transaction, which is
    // exactly the input Qt has not consumed.
    const QByteArray input = m_socket->peek(available);
    const qsizetype framed = scan(input.constData() + m_scanned, input.size() - m_scanned);
    if (m_state == State::Closing)
        return;
    m_scanned += framed;
}

void ConnectionGuard::countConsumed()
{
    if (m_state == State::Closing || m_state == State::Detached)
        return;

    const qint64 consumed = m_availableBeforeParser - m_socket->bytesAvailable();
    m_availableBeforeParser = m_socket->bytesAvailable();
    m_scanned = qMax<qint64>(0, m_scanned - qMax<qint64>(0, consumed));

    // Qt consumed the whole request, so it has called handleRequest(). Input
    // left over is a pipelined request; Qt emits readyRead again for it.
    if (m_state == State::Complete && m_scanned == 0) {
        m_state = State::WaitingForRequest;
        m_leadingWhitespace = 0;
        startTimer(TimerRole::Idle, m_limits.idleTimeoutMs);
    }
}

qsizetype ConnectionGuard::scan(const char *data, qsizetype size)
{
    qsizetype i = 0;
    while (i < size) {
        switch (m_state) {
        case State::WaitingForRequest: {
            // Qt skips whitespace before a request line, as left over after a
            // previous request; it does not start a request, but is bounded.
            const char c = data[i];
            if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v') {
                ++i;
                if (++m_leadingWhitespace > m_limits.maxHeaderBytes) {
                    reject(400, QStringLiteral("invalid_request"),
                           QStringLiteral("only whitespace was sent instead of a request"),
                           QStringLiteral("invalid_request"));
                    return i;
                }
                continue;
            }
            startRequest();
            continue;
        }
        case State::RequestLine:
        case State::Headers:
        case State::Trailers: {
            const char c = data[i++];
            if (++m_headBytes > m_limits.maxHeaderBytes) {
                reject(431, QStringLiteral("headers_too_large"),
                       QStringLiteral("the request line and headers exceed the limit of %1 bytes")
                               .arg(m_limits.maxHeaderBytes),
                       QStringLiteral("headers_too_large"));
                return i;
            }
            if (c != '\n') {
                m_line.append(c);
                continue;
            }
            if (m_line.endsWith('\r'))
                m_line.chop(1);
            bool ok = false;
            if (m_state == State::RequestLine) {
                ok = finishRequestLine();
            } else if (m_state == State::Headers) {
                ok = finishHeaderLine();
            } else if (m_line.isEmpty()) {
                completeRequest();
                ok = true;
            } else {
                // Qt HTTP Server 6.4 reads two bytes after the last chunk and
                // would parse a trailer as the next request.
                reject(400, QStringLiteral("invalid_request"),
                       QStringLiteral("trailer fields after a chunked body are not supported"),
                       QStringLiteral("invalid_request"));
            }
            m_line.clear();
            if (!ok || m_state == State::Complete)
                return i;
            continue;
        }
        case State::Body: {
            const qint64 take = qMin<qint64>(size - i, m_remaining);
            i += take;
            m_remaining -= take;
            if (m_remaining == 0) {
                completeRequest();
                return i;
            }
            continue;
        }
        case State::ChunkSize: {
            const char c = data[i++];
            if (c != '\n') {
                m_line.append(c);
                if (m_line.size() > MaxChunkSizeLineBytes) {
                    reject(400, QStringLiteral("invalid_request"),
                           QStringLiteral("a chunk-size line is longer than %1 bytes")
                                   .arg(MaxChunkSizeLineBytes),
                           QStringLiteral("invalid_request"));
                    return i;
                }
                continue;
            }
            const bool ok = finishChunkSizeLine();
            m_line.clear();
            if (!ok)
                return i;
            continue;
        }
        case State::ChunkData: {
            const qint64 take = qMin<qint64>(size - i, m_remaining);
            i += take;
            m_remaining -= take;
            if (m_remaining == 0) {
                m_state = State::ChunkDataEnd;
                m_sawCarriageReturn = false;
            }
            continue;
        }
        case State::ChunkDataEnd: {
            const char c = data[i++];
            if (c == '\r' && !m_sawCarriageReturn) {
                m_sawCarriageReturn = true;
                continue;
            }
            if (c == '\n') {
                m_state = State::ChunkSize;
                continue;
            }
            reject(400, QStringLiteral("invalid_request"),
                   QStringLiteral("chunk data is not followed by CRLF"),
                   QStringLiteral("invalid_request"));
            return i;
        }
        case State::Complete:
        case State::Closing:
        case State::Detached:
            return i;
        }
    }
    return i;
}

void ConnectionGuard::startRequest()
{
    m_state = State::RequestLine;
    m_line.clear();
    m_headBytes = 0;
    m_contentLength = -1;
    m_chunked = false;
    m_bodyBytes = 0;
    m_remaining = 0;
    startTimer(TimerRole::Request, m_limits.requestTimeoutMs);
}

void ConnectionGuard::completeRequest()
{
    // The request timer keeps running until Qt has consumed the request, so
    // a request that Qt cannot finish parsing still times out.
    m_state = State::Complete;
}

bool ConnectionGuard::finishRequestLine()
{
    // request-line = method SP request-target SP HTTP-version
    const auto reject400 = [this](const QString &message) {
        reject(400, QStringLiteral("invalid_request"), message, QStringLiteral("invalid_request"));
        return false;
    };
    if (hasControlCharacter(m_line, false))
        return reject400(QStringLiteral("the request line contains a control character"));

    const QList<QByteArray> parts = m_line.split(' ');
    if (parts.size() != 3)
        return reject400(QStringLiteral("the request line \"%1\" is not METHOD TARGET HTTP/1.1")
                                 .arg(printable(m_line)));
    if (!isToken(parts[0]))
        return reject400(
                QStringLiteral("the method \"%1\" is not a token").arg(printable(parts[0])));
    if (parts[1].isEmpty())
        return reject400(QStringLiteral("the request target is empty"));

    const QByteArray &version = parts[2];
    const bool versionOk = version.size() == 8 && version.startsWith("HTTP/1.")
            && version[7] >= '0' && version[7] <= '9';
    if (!versionOk)
        return reject400(QStringLiteral("the HTTP version \"%1\" is not supported; use HTTP/1.1")
                                 .arg(printable(version)));

    m_state = State::Headers;
    return true;
}

bool ConnectionGuard::finishHeaderLine()
{
    if (m_line.isEmpty())
        return finishHead();

    const auto reject400 = [this](const QString &message) {
        reject(400, QStringLiteral("invalid_request"), message, QStringLiteral("invalid_request"));
        return false;
    };
    if (hasControlCharacter(m_line, true))
        return reject400(QStringLiteral("a header line contains a control character"));
    if (m_line.startsWith(' ') || m_line.startsWith('\t'))
        return reject400(QStringLiteral("folded header lines are not supported"));
    const qsizetype colon = m_line.indexOf(':');
    if (colon <= 0 || !isToken(QByteArrayView(m_line).first(colon)))
        return reject400(QStringLiteral("the header line \"%1\" is not NAME: VALUE")
                                 .arg(printable(m_line)));

    const QByteArray name = m_line.left(colon).toLower();
    const QByteArray value = m_line.mid(colon + 1).trimmed();
    if (name == "content-length") {
        bool ok = !value.isEmpty();
        for (const char c : value)
            ok = ok && c >= '0' && c <= '9';
        const qint64 length = ok ? value.toLongLong(&ok) : -1;
        if (!ok)
            return reject400(QStringLiteral("Content-Length \"%1\" is not a number of bytes")
                                     .arg(printable(value)));
        if (m_contentLength >= 0 && m_contentLength != length)
            return reject400(QStringLiteral("the request has two different Content-Length values"));
        m_contentLength = length;
    } else if (name == "transfer-encoding") {
        if (value.compare("chunked", Qt::CaseInsensitive) != 0)
            return reject400(QStringLiteral("Transfer-Encoding \"%1\" is not supported; send "
                                            "Content-Length or chunked")
                                     .arg(printable(value)));
        m_chunked = true;
    }
    return true;
}

bool ConnectionGuard::finishHead()
{
    // A request with both could be framed differently by a proxy in front of
    // this server (request smuggling), so it is rejected.
    if (m_chunked && m_contentLength >= 0) {
        reject(400, QStringLiteral("invalid_request"),
               QStringLiteral("the request has both Content-Length and Transfer-Encoding"),
               QStringLiteral("invalid_request"));
        return false;
    }
    if (m_contentLength > m_limits.maxBodyBytes) {
        reject(413, QStringLiteral("body_too_large"),
               QStringLiteral("the request body of %1 bytes exceeds the limit of %2 bytes")
                       .arg(m_contentLength)
                       .arg(m_limits.maxBodyBytes),
               QStringLiteral("body_too_large"));
        return false;
    }

    if (m_chunked) {
        m_state = State::ChunkSize;
    } else if (m_contentLength > 0) {
        m_remaining = m_contentLength;
        m_state = State::Body;
    } else {
        completeRequest();
    }
    return true;
}

bool ConnectionGuard::finishChunkSizeLine()
{
    if (m_line.endsWith('\r'))
        m_line.chop(1);
    const qsizetype extension = m_line.indexOf(';');
    const QByteArray digits = (extension < 0 ? m_line : m_line.left(extension)).trimmed();

    bool ok = !digits.isEmpty() && digits.size() <= 15;
    const qint64 chunkSize = ok ? digits.toLongLong(&ok, 16) : -1;
    if (!ok || chunkSize < 0) {
        reject(400, QStringLiteral("invalid_request"),
               QStringLiteral("the chunk size \"%1\" is not a hexadecimal number")
                       .arg(printable(digits)),
               QStringLiteral("invalid_request"));
        return false;
    }

    m_bodyBytes += chunkSize;
    if (m_bodyBytes > m_limits.maxBodyBytes) {
        reject(413, QStringLiteral("body_too_large"),
               QStringLiteral("the chunked request body exceeds the limit of %1 bytes")
                       .arg(m_limits.maxBodyBytes),
               QStringLiteral("body_too_large"));
        return false;
    }

    if (chunkSize == 0) {
        m_state = State::Trailers;
        m_headBytes = 0;
    } else {
        m_remaining = chunkSize;
        m_state = State::ChunkData;
    }
    return true;
}

void ConnectionGuard::startTimer(TimerRole role, int ms)
{
    m_timerRole = role;
    if (ms <= 0) {
        m_timer.stop();
        return;
    }
    m_timer.start(ms);
}

void ConnectionGuard::timedOut()
{
    switch (m_timerRole) {
    case TimerRole::FirstRequest:
        closeQuietly(QStringLiteral("no request within %1 ms").arg(m_limits.requestTimeoutMs));
        return;
    case TimerRole::Idle:
        closeQuietly(QStringLiteral("idle for %1 ms").arg(m_limits.idleTimeoutMs));
        return;
    case TimerRole::Request:
        reject(408, QStringLiteral("request_timeout"),
               QStringLiteral("the request was not complete within %1 ms")
                       .arg(m_limits.requestTimeoutMs),
               QStringLiteral("request_timeout"));
        return;
    case TimerRole::Linger:
        m_socket->abort();
        return;
    }
}

void ConnectionGuard::disconnectFromParser()
{
    // Stops Qt HTTP Server from parsing this socket any further; the guard's
    // own slots go too and discardInput() takes their place.
    disconnect(m_socket, &QIODevice::readyRead, nullptr, nullptr);
    if (m_socket->isTransactionStarted())
        m_socket->commitTransaction();
    connect(m_socket, &QIODevice::readyRead, this, &ConnectionGuard::discardInput);
}

void ConnectionGuard::reject(int status, const QString &code, const QString &message,
                             const QString &reason)
{
    if (m_state == State::Closing || m_state == State::Detached)
        return;
    m_state = State::Closing;
    disconnectFromParser();

    const HttpError error{status, code, message};
    HttpResponse::writeLater(m_socket, false, status, error.toJson(),
                             {qMakePair(QByteArray("Connection"), QByteArray("close"))});
    m_server.recordRejection(reason, status, m_peer, message);
    lingerClose();
}

void ConnectionGuard::closeQuietly(const QString &cause)
{
    if (m_state == State::Closing || m_state == State::Detached)
        return;
    m_state = State::Closing;
    disconnectFromParser();
    qCDebug(lcHttp, "closed connection from %ls: %ls", qUtf16Printable(m_peer),
            qUtf16Printable(cause));
    lingerClose();
}

void ConnectionGuard::discardInput()
{
    m_socket->read(m_socket->bytesAvailable());
}

void ConnectionGuard::lingerClose()
{
    discardInput();
    startTimer(TimerRole::Linger, LingerMs);

    // A TLS connection ends with close_notify, which disconnectFromHost()
    // sends once the response is written.
    if (qobject_cast<QSslSocket *>(m_socket)) {
        m_socket->disconnectFromHost();
        return;
    }

    // Plain TCP: FIN after the response, then read until the client closes
    // (Qt then emits disconnected() and QAbstractHttpServer deletes the
    // socket) or the linger time ends.
    const auto shutDownSending = [this] {
        if (m_socket->bytesToWrite() > 0)
            return;
        if (m_socket->socketDescriptor() >= 0)
            ::shutdown(int(m_socket->socketDescriptor()), SHUT_WR);
    };
    connect(m_socket, &QIODevice::bytesWritten, this, shutDownSending);
    shutDownSending();
}
