#include "sseframe.h"

#include "orderevent.h"

#include <QJsonDocument>
#include <QJsonObject>

namespace SseFrame {

QByteArray encodeEvent(const OrderEvent &event)
{
    const QByteArray data = QJsonDocument(event.toJson()).toJson(QJsonDocument::Compact);
    const QByteArray type = event.type.isEmpty() ? QByteArray(OrderEventType::Update)
                                                 : event.type.toUtf8();

    QByteArray frame;
    frame.reserve(data.size() + type.size() + 40);
    frame += "id: ";
    frame += QByteArray::number(event.id);
    frame += "\nevent: ";
    frame += type;
    frame += "\ndata: ";
    frame += data;
    frame += "\n\n";
    return frame;
}

QByteArray encodeResync(const QString &orderId, const QString &reason,
                        quint64 requestedLastEventId, quint64 currentEventId)
{
    QJsonObject json;
    json.insert(QLatin1String("orderId"), orderId);
    json.insert(QLatin1String("type"), QLatin1String(OrderEventType::Resync));
    json.insert(QLatin1String("reason"), reason);
    json.insert(QLatin1String("lastEventId"), qint64(requestedLastEventId));
    json.insert(QLatin1String("currentEventId"), qint64(currentEventId));

    return "id: " + QByteArray::number(currentEventId) + "\nevent: "
            + QByteArray(OrderEventType::Resync) + "\ndata: "
            + QJsonDocument(json).toJson(QJsonDocument::Compact) + "\n\n";
}

QByteArray encodeComment(QStringView text)
{
    QByteArray frame;
    const QList<QStringView> lines = text.split(QLatin1Char('\n'));
    for (QStringView line : lines) {
        if (line.endsWith(QLatin1Char('\r')))
            line.chop(1);
        frame += ": ";
        frame += line.toUtf8().replace('\r', ' ');
        frame += '\n';
    }
    frame += '\n';
    return frame;
}

QByteArray encodeRetry(int milliseconds)
{
    return "retry: " + QByteArray::number(milliseconds) + "\n\n";
}

const QByteArray &heartbeat()
{
    static const QByteArray frame = encodeComment(u"heartbeat");
    return frame;
}

} // namespace SseFrame
