#pragma once

#include "httperror.h"
#include "orderevent.h"

#include <QByteArray>

#include <variant>

// Largest accepted body of a publish request, in bytes.
inline constexpr qsizetype MaxPublishBodyBytes = 64 * 1024;

// Parses the JSON body of POST /orders/{orderId}/events into an event for
// orderId: an object with a non-empty string "status", optional string
// "stage" and "message", object "details" and boolean "override" (skip the
// lifecycle's transition check). The returned event has no id or time yet.
// Errors name the field or the JSON problem and its offset.
std::variant<OrderEvent, HttpError> parsePublishBody(const QString &orderId,
                                                     const QByteArray &body);
