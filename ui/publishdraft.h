#pragma once

#include "orderevent.h"

#include <QCoreApplication>
#include <QString>

#include <variant>

// The reason a draft cannot be published, and the field to fix.
struct PublishDraftError
{
    enum class Field { OrderId, Status, Details, Body };

    Field field = Field::Body;
    QString message;
    // 1-based position in the details text of a Field::Details syntax error,
    // or 0 when the error has no position.
    int line = 0;
    int column = 0;
};

// The fields of the publish panel, checked by the rules the HTTP publish
// route applies, so that an event the console accepts is one the server
// would accept from POST /orders/{orderId}/events.
struct PublishDraft
{
    Q_DECLARE_TR_FUNCTIONS(PublishDraft)

public:
    QString orderId;
    QString status;
    QString stage;
    QString message;
    // JSON text of the details object. Empty or blank text means no details.
    QString detailsText;

    // Returns the event to publish (no id or time yet, source "console"), or
    // the first problem found, in field order.
    std::variant<OrderEvent, PublishDraftError> toEvent() const;
};
