#include "httppublishqueue.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkReply>
#include <QNetworkRequest>

#include <cstdio>

HttpPublishQueue::HttpPublishQueue(const ClientConnection &connection, const QByteArray &token,
                                   QObject *parent)
    : QObject(parent)
    , m_connection(connection)
    , m_token(token)
{
}

void HttpPublishQueue::enqueue(const OrderEvent &event)
{
    if (m_rejectedOrders.contains(event.orderId))
        return;
    std::deque<OrderEvent> &queue = m_pending[event.orderId];
    queue.push_back(event);
    if (queue.size() == 1 && !m_inFlight.contains(event.orderId))
        m_ready.push_back(event.orderId);
    sendReady();
}

void HttpPublishQueue::dropPending()
{
    m_pending.clear();
    m_ready.clear();
}

void HttpPublishQueue::sendReady()
{
    while (m_inFlight.size() < MaxInFlight && !m_ready.empty()) {
        const QString orderId = m_ready.front();
        m_ready.pop_front();
        std::deque<OrderEvent> &queue = m_pending[orderId];
        const OrderEvent event = queue.front();
        queue.pop_front();
        m_inFlight.insert(orderId);
        send(event);
    }
}

void HttpPublishQueue::send(const OrderEvent &event)
{
    QJsonObject body;
    body.insert(QLatin1String("status"), event.status);
    body.insert(QLatin1String("stage"), event.stage);
    body.insert(QLatin1String("message"), event.message);
    body.insert(QLatin1String("details"), event.details);
    body.insert(QLatin1String("source"), QLatin1String(OrderEventSource::Simulator));
    QNetworkRequest request = makeClientRequest(
            m_connection.url(QStringLiteral("/orders/%1/events").arg(event.orderId)), m_token);
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArray("application/json"));
    QNetworkReply *reply = m_network.post(request,
                                          QJsonDocument(body).toJson(QJsonDocument::Compact));
    connect(reply, &QNetworkReply::finished, this,
            [this, reply, event] { handleReply(reply, event); });
}

void HttpPublishQueue::handleReply(QNetworkReply *reply, const OrderEvent &event)
{
    reply->deleteLater();
    m_inFlight.remove(event.orderId);
    const QByteArray body = reply->readAll();
    const int status = httpStatus(reply);

    if (status == 0) {
        const QString message = describeFailure(reply, body);
        dropPending();
        if (connectionFailed)
            connectionFailed(message);
        return;
    }
    if (status != 202) {
        m_rejectedOrders.insert(event.orderId);
        m_pending.remove(event.orderId);
        std::fprintf(stderr, "%s\n",
                     qPrintable(ClientCommands::tr("orderstream simulate: order %1 stopped, "
                                                   "its %2 event was rejected: %3")
                                        .arg(event.orderId, event.stage,
                                             describeFailure(reply, body))));
    } else {
        ++m_storedEvents;
        const int step = event.details.value(QLatin1String("step")).toInt();
        const int steps = event.details.value(QLatin1String("steps")).toInt();
        if (step == steps && orderStored) {
            const QJsonValue id = QJsonDocument::fromJson(body).object().value(QLatin1String("id"));
            orderStored(event, quint64(id.toInteger()));
        }
        if (!m_pending.value(event.orderId).empty())
            m_ready.push_back(event.orderId);
        else
            m_pending.remove(event.orderId);
    }

    sendReady();
    if (isIdle() && drained)
        drained();
}
