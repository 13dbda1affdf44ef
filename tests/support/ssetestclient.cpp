#include "ssetestclient.h"

#include <QDeadlineTimer>

namespace {

QByteArray findHeader(const QByteArray &head, const QByteArray &name)
{
    const QList<QByteArray> lines = head.split('\n');
    for (const QByteArray &line : lines) {
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0)
            continue;
        if (line.left(colon).trimmed().compare(name, Qt::CaseInsensitive) == 0)
            return line.mid(colon + 1).trimmed();
    }
    return {};
}

int parseStatus(const QByteArray &head)
{
    const QList<QByteArray> parts = head.left(head.indexOf('\r')).split(' ');
    return parts.size() >= 2 ? parts[1].toInt() : 0;
}

} // namespace

SseTestClient::SseTestClient(QObject *parent) : QObject(parent)
{
    connect(&m_socket, &QTcpSocket::readyRead, this, &SseTestClient::readAvailable);
}

void SseTestClient::open(quint16 port, const QByteArray &path, const QList<QByteArray> &extraHeaders)
{
    QByteArray request = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                         "Accept: text/event-stream\r\n";
    for (const QByteArray &header : extraHeaders)
        request += header + "\r\n";
    request += "\r\n";
    m_socket.connectToHost(QHostAddress::LocalHost, port);
    m_socket.write(request);
}

QByteArray SseTestClient::header(const QByteArray &name) const
{
    return findHeader(m_head, name);
}

QList<SseTestClient::Frame> SseTestClient::events() const
{
    QList<Frame> result;
    for (const Frame &frame : m_frames) {
        if (!frame.data.isEmpty())
            result.append(frame);
    }
    return result;
}

int SseTestClient::heartbeatCount() const
{
    int count = 0;
    for (const Frame &frame : m_frames)
        count += frame.comments.count("heartbeat");
    return count;
}

void SseTestClient::readAvailable()
{
    m_buffer += m_socket.readAll();
    if (!m_headComplete) {
        const qsizetype end = m_buffer.indexOf("\r\n\r\n");
        if (end < 0)
            return;
        m_head = m_buffer.left(end + 2);
        m_statusCode = parseStatus(m_head);
        m_buffer.remove(0, end + 4);
        m_headComplete = true;
    }
    m_body += m_buffer;
    m_buffer.clear();
    parseFrames();
}

void SseTestClient::parseFrames()
{
    for (;;) {
        const qsizetype end = m_body.indexOf("\n\n", m_parsedUpTo);
        if (end < 0)
            return;
        Frame frame;
        frame.raw = m_body.mid(m_parsedUpTo, end + 2 - m_parsedUpTo);
        const QList<QByteArray> lines = m_body.mid(m_parsedUpTo, end - m_parsedUpTo).split('\n');
        m_parsedUpTo = end + 2;
        for (const QByteArray &line : lines) {
            if (line.startsWith(':')) {
                frame.comments.append(line.mid(1).trimmed());
                continue;
            }
            const qsizetype colon = line.indexOf(':');
            const QByteArray field = colon < 0 ? line : line.left(colon);
            QByteArray value = colon < 0 ? QByteArray() : line.mid(colon + 1);
            if (value.startsWith(' '))
                value.remove(0, 1);
            if (field == "id")
                frame.id = value;
            else if (field == "event")
                frame.event = value;
            else if (field == "data")
                frame.data += frame.data.isEmpty() ? value : "\n" + value;
            else if (field == "retry")
                frame.retry = value;
        }
        m_frames.append(frame);
        Q_EMIT frameReceived();
    }
}

QByteArray HttpTestResponse::header(const QByteArray &name) const
{
    return findHeader(head, name);
}

HttpTestResponse sendHttpRequest(quint16 port, const QByteArray &method, const QByteArray &path,
                                 const QByteArray &body, const QList<QByteArray> &extraHeaders,
                                 const QHostAddress &source)
{
    QTcpSocket socket;
    if (!source.isNull())
        socket.bind(source);
    socket.connectToHost(QHostAddress::LocalHost, port);
    QByteArray request = method + ' ' + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                         "Connection: close\r\n";
    if (!body.isEmpty() || method == "POST")
        request += "Content-Length: " + QByteArray::number(body.size()) + "\r\n";
    for (const QByteArray &header : extraHeaders)
        request += header + "\r\n";
    request += "\r\n" + body;
    socket.write(request);

    // The server closes the connection after the response; wait for that,
    // bounded so that a hung server fails the test instead of blocking it.
    QByteArray received;
    QDeadlineTimer deadline(10000);
    while (socket.state() != QAbstractSocket::UnconnectedState && !deadline.hasExpired()) {
        if (socket.waitForReadyRead(int(deadline.remainingTime())))
            received += socket.readAll();
    }
    received += socket.readAll();

    HttpTestResponse response;
    const qsizetype end = received.indexOf("\r\n\r\n");
    if (end < 0)
        return response;
    response.head = received.left(end + 2);
    response.body = received.mid(end + 4);
    response.status = parseStatus(response.head);
    return response;
}
