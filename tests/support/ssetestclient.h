#pragma once

#include <QByteArray>
#include <QHostAddress>
#include <QList>
#include <QObject>
#include <QTcpSocket>

// A Server-Sent Events client for tests: opens a real TCP connection, sends
// one GET request and parses the response head and the SSE frames as they
// arrive. Frames are split on blank lines exactly as a browser does.
class SseTestClient : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SseTestClient)

public:
    struct Frame
    {
        QByteArray id;
        QByteArray event;
        QByteArray data;
        QByteArray retry;
        QList<QByteArray> comments;
        QByteArray raw;
    };

    explicit SseTestClient(QObject *parent = nullptr);

    void open(quint16 port, const QByteArray &path,
              const QList<QByteArray> &extraHeaders = {});
    void close() { m_socket.abort(); }

    QTcpSocket &socket() { return m_socket; }
    bool headComplete() const { return m_headComplete; }
    int statusCode() const { return m_statusCode; }
    QByteArray header(const QByteArray &name) const;
    QByteArray rawHead() const { return m_head; }
    // Body bytes received after the head, unparsed.
    QByteArray body() const { return m_body; }
    const QList<Frame> &frames() const { return m_frames; }
    QList<Frame> events() const;
    int heartbeatCount() const;
    bool isConnected() const { return m_socket.state() == QAbstractSocket::ConnectedState; }

Q_SIGNALS:
    void frameReceived();

private:
    void readAvailable();
    void parseFrames();

    QTcpSocket m_socket;
    QByteArray m_buffer;
    QByteArray m_head;
    QByteArray m_body;
    bool m_headComplete = false;
    int m_statusCode = 0;
    qsizetype m_parsedUpTo = 0;
    QList<Frame> m_frames;
};

// Sends one HTTP request on a fresh connection and reads the whole response
// (the server closes it because of "Connection: close").
struct HttpTestResponse
{
    int status = 0;
    QByteArray head;
    QByteArray body;
    QByteArray header(const QByteArray &name) const;
};

// A null source lets the system pick the local address; a loopback address
// such as 127.0.0.2 makes the request come from another client address.
HttpTestResponse sendHttpRequest(quint16 port, const QByteArray &method, const QByteArray &path,
                                 const QByteArray &body = {},
                                 const QList<QByteArray> &extraHeaders = {},
                                 const QHostAddress &source = {});
