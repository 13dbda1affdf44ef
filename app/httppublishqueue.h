#pragma once

#include "clientconnection.h"
#include "orderevent.h"

#include <QByteArray>
#include <QHash>
#include <QNetworkAccessManager>
#include <QObject>
#include <QSet>
#include <QString>

#include <deque>
#include <functional>

class QNetworkReply;

// Publishes events over HTTP for "orderstream simulate", in the order given
// per order: one request per order at a time, at most MaxInFlight in all. An
// order whose event is rejected is reported on standard error once, and its
// later events are dropped, because the lifecycle would reject them too.
class HttpPublishQueue : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HttpPublishQueue)

public:
    // Qt opens at most six connections to one server.
    static constexpr int MaxInFlight = 6;

    HttpPublishQueue(const ClientConnection &connection, const QByteArray &token,
                     QObject *parent = nullptr);

    // Called when the last event of an order is stored, with its id.
    std::function<void(const OrderEvent &event, quint64 id)> orderStored;
    // Called when the server cannot be reached; every queued event is dropped.
    std::function<void(const QString &message)> connectionFailed;
    // Called whenever nothing is queued or in flight.
    std::function<void()> drained;

    void enqueue(const OrderEvent &event);
    // Drops every event not yet sent; requests in flight still complete.
    void dropPending();

    bool isIdle() const { return m_inFlight.isEmpty() && m_ready.empty(); }
    int storedEvents() const { return m_storedEvents; }
    int rejectedOrders() const { return int(m_rejectedOrders.size()); }

private:
    void sendReady();
    void send(const OrderEvent &event);
    void handleReply(QNetworkReply *reply, const OrderEvent &event);

    const ClientConnection m_connection;
    const QByteArray m_token;
    QNetworkAccessManager m_network;
    // Events not yet sent, per order, and the orders whose next event may go.
    QHash<QString, std::deque<OrderEvent>> m_pending;
    std::deque<QString> m_ready;
    QSet<QString> m_inFlight;
    QSet<QString> m_rejectedOrders;
    int m_storedEvents = 0;
};
