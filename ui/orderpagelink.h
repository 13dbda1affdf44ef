#pragma once

#include <QString>
#include <QUrl>

class OrderStreamService;

// The address of GET /watch/{orderId} on the running server, for opening an
// order's live page in a browser. With authentication on, it carries an
// access_token that may watch that order alone for eight hours, signed with
// the server's HS256 secret. Returns an empty URL with error set when the
// server is stopped or cannot sign (only a public key configured).
QUrl orderPageUrl(const OrderStreamService &service, const QString &orderId, QString *error);
