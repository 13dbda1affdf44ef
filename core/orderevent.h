#pragma once

#include <QDateTime>
#include <QJsonObject>
#include <QMetaType>
#include <QString>

// One lifecycle change of an order, as published to its subscribers.
struct OrderEvent
{
    quint64 id = 0;
    QString orderId;
    QString type;
    QString status;
    QString stage;
    QString message;
    QJsonObject details;
    QDateTime time;
    QString source;
    // The publisher's name: the token's subject for the HTTP API, the
    // operating system user for the console, the channel for ingest.
    QString publisher;
    // Set when the publisher requested to skip the lifecycle's transition check.
    bool lifecycleOverride = false;
    // Identifies an upstream delivery (for ingest, channel and replay id). The
    // store keeps each key once, so a repeated delivery adds no second event.
    // Not part of the frame.
    QString ingestKey;

    // The JSON object carried on the frame's data line.
    QJsonObject toJson() const;
};

Q_DECLARE_METATYPE(OrderEvent)

namespace OrderEventType {
inline constexpr char Update[] = "order.update";
inline constexpr char Resync[] = "order.resync";
}

// Where a publish came from; shown in the console and carried in the event.
namespace OrderEventSource {
inline constexpr char Api[] = "api";
inline constexpr char Console[] = "console";
inline constexpr char Ingest[] = "ingest";
inline constexpr char Simulator[] = "simulator";
}

// Returns true when id is 1 to 64 characters of ASCII letters, digits, '-' and '_'.
bool isValidOrderId(QStringView id);
