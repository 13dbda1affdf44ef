#pragma once

#include <QJsonObject>
#include <QString>

// An error response: HTTP status, a stable machine-readable code and a message
// for people. Sent as {"error": code, "message": message}.
struct HttpError
{
    int status = 400;
    QString code;
    QString message;

    QJsonObject toJson() const;
};
