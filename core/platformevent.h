#pragma once

#include "httperror.h"
#include "orderevent.h"

#include <QByteArray>
#include <QList>
#include <QString>

#include <variant>

// Names of the payload fields that carry an order update in a Salesforce
// Platform Event. The order id and status are required; stage and message are optional.
struct PlatformEventFields
{
    QString orderId = QStringLiteral("Order_Id__c");
    QString status = QStringLiteral("Status__c");
    QString stage = QStringLiteral("Stage__c");
    QString message = QStringLiteral("Message__c");
};

// The order updates of one POST /ingest/platform-events body.
struct PlatformEventBatch
{
    QList<OrderEvent> events;
    // True when the body was a JSON array (a CometD batch), so the response
    // lists a result per message.
    bool isArray = false;
};

// Maps the body of POST /ingest/platform-events to order.update events. The
// body is one CometD message as the Streaming API delivers a Platform Event,
//   {"channel":"/event/Order_Status__e",
//    "data":{"schema":"...","payload":{"Order_Id__c":"ORD-1","Status__c":"Activating",...},
//            "event":{"replayId":1234}}}
// or a non-empty JSON array of such messages. Each event gets source "ingest",
// publisher = channel, ingestKey = channel + ":" + replayId, and details with
// the replayId and the payload's CreatedDate. A lifecycle override cannot
// come from upstream, so lifecycleOverride stays false.
//
// Returns 400 naming the first missing or invalid field, prefixed by the
// message's index in an array ("[2].data.event.replayId is missing"), and 413
// for a body over MaxPublishBodyBytes. The events have no id or time yet.
std::variant<PlatformEventBatch, HttpError> parsePlatformEvents(const QByteArray &body,
                                                                const PlatformEventFields &fields);
