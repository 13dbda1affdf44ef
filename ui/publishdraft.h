#pragma once

#include "lifecycle.h"
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
    // Copied to the event unchecked: the console's operating system user.
    QString publisher;
    bool lifecycleOverride = false;

    // Returns the event to publish (no id or time yet, source "console"), or
    // the first problem found, in field order.
    std::variant<OrderEvent, PublishDraftError> toEvent() const;

    // Returns the user name of the operating system account that runs the
    // console (USER, LOGNAME, or USERNAME on Windows), or an empty string
    // when none is set.
    static QString systemUserName();
    // Sets the event's stage to the lifecycle's name for its stage field, or
    // for its status when the stage is empty, as the hub does on accepting it.
    // Returns why the hub would reject the event, or an empty string. The hub
    // rejects a stage the lifecycle lacks and a failure without a message.
    static QString resolveStage(OrderEvent &event, const Lifecycle &lifecycle);
    // Returns why event cannot follow currentStage, the stage of its order
    // (empty for an order without events), or an empty string when the
    // lifecycle allows it. An event without a stage is an informational
    // update, and a current stage the lifecycle lacks is not checked.
    static QString lifecycleConflict(const OrderEvent &event, const QString &currentStage,
                                     const Lifecycle &lifecycle);
};
