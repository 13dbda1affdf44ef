#pragma once

#include "tokencommand.h"

#include <QByteArray>
#include <QCoreApplication>
#include <QString>
#include <QUrl>

class QNetworkReply;
class QNetworkRequest;

// Translation context of the messages of the client commands.
class ClientCommands
{
    Q_DECLARE_TR_FUNCTIONS(ClientCommands)
};

// Exit statuses of the client commands, as for the server: 1 for a failed
// request or connection, 2 for invalid arguments.
inline constexpr int ExitSuccess = 0;
inline constexpr int ExitFailure = 1;
inline constexpr int ExitUsage = 2;

// The server URL and the bearer token of the client commands' requests.
struct ClientConnection
{
    QUrl server;
    // A token from --token or ORDERSTREAM_TOKEN; empty when the client signs
    // its own.
    QByteArray fixedToken;
    // The claims of a self-signed token, signed anew for every connection so
    // that a long watch never sends an expired token.
    DevelopmentTokenRequest signing;

    // Returns the URL of path (such as "/orders/A1") on the server.
    QUrl url(const QString &path) const;
    // Returns the token to send, or an empty array with errorMessage set.
    QByteArray token(QString *errorMessage) const;
};

// Returns a request for url over HTTP/1.1 with a 30 s transfer timeout and,
// unless token is empty, an Authorization header.
QNetworkRequest makeClientRequest(const QUrl &url, const QByteArray &token);

// Returns the HTTP status of reply, or 0 when no response arrived.
int httpStatus(const QNetworkReply *reply);

// Describes a failed request: the server's JSON error message for an HTTP
// error, or the network error and the URL.
QString describeFailure(QNetworkReply *reply, const QByteArray &body);
