#pragma once

#include "clientconnection.h"
#include "lifecycle.h"

#include <QByteArray>
#include <QNetworkAccessManager>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QTimer>

class QJsonObject;
class QNetworkReply;

// Settings of "orderstream watch": the order, the first Last-Event-ID and the output format.
struct WatchSettings
{
    ClientConnection connection;
    QString orderId;
    // The Last-Event-ID of the first request; empty for none.
    QByteArray lastEventId;
    // Print each event's data line instead of a readable line.
    bool json = false;
    // Decides whether the last event's stage is final.
    Lifecycle lifecycle = Lifecycle::defaultLifecycle();
};

// Follows one order's stream as a browser's EventSource does: parses the
// Server-Sent Events, honours "retry:", and after a dropped connection
// reconnects with Last-Event-ID. Prints each event on standard output and
// each reconnect on standard error.
//
// Ends the application's event loop with exit status 0 after a 204 response
// or when the stream of an order in a final stage ends, and with 1 after any
// other response than 200 or when the first connection fails.
class StreamWatcher : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(StreamWatcher)

public:
    explicit StreamWatcher(WatchSettings settings, QObject *parent = nullptr);

    void start() { openStream(); }
    // Closes the stream and cancels a pending reconnect.
    void stop();

private:
    void openStream();
    void readHead();
    void readAvailable();
    void processLine(QByteArrayView line);
    void dispatch();
    static void printLine(const QString &time, const QString &id, const QString &stage,
                          const QString &status, const QString &message);
    // Prints an order.resync event, then fetches and prints the order's
    // current status, because the server could not replay what was missed.
    void printResync(const QByteArray &data, const QJsonObject &event);
    void printOrder(QNetworkReply *reply);
    void streamEnded();
    void fail(const QString &message);
    void finish(int exitCode);

    WatchSettings m_settings;
    QNetworkAccessManager m_network;
    QPointer<QNetworkReply> m_reply;
    QTimer m_reconnectTimer;
    // The reconnection delay until the server sends "retry:", as in browsers.
    int m_retryMs = 3000;
    // Bytes of the stream not yet split into lines.
    QByteArray m_buffer;
    // Fields of the event being received.
    QByteArray m_eventType;
    QByteArray m_data;
    QByteArray m_idBuffer;
    // The stage of the last event that had one.
    QString m_lastStage;
    bool m_streamOpen = false;
    bool m_everOpened = false;
    bool m_reconnecting = false;
};
