#pragma once

#include <QByteArray>
#include <QString>

struct OrderEvent;

// Encoders for the Server-Sent Events wire format (WHATWG HTML, "Server-sent
// events"). Every function returns complete frames that end with a blank line.
// QByteArray is implicitly shared with an atomic reference count, so one
// encoded frame is handed to every subscriber on every thread without a copy.
namespace SseFrame {

// Encodes an event as "id:", "event:" and a single "data:" line of compact JSON.
// JSON escapes CR and LF inside strings, so the data line never breaks the frame.
QByteArray encodeEvent(const OrderEvent &event);

// Encodes an order.resync event: the stream cannot replay from the client's
// Last-Event-ID, so the page must re-fetch the order. Its id is the newest
// event id at the time, so that the browser's next Last-Event-ID is current.
QByteArray encodeResync(const QString &orderId, const QString &reason,
                        quint64 requestedLastEventId, quint64 currentEventId);

// Encodes a comment frame. Line breaks in text become separate comment lines.
QByteArray encodeComment(QStringView text);

// Encodes the "retry:" field, the reconnection delay in milliseconds.
QByteArray encodeRetry(int milliseconds);

// The heartbeat comment sent on idle streams.
const QByteArray &heartbeat();

} // namespace SseFrame
