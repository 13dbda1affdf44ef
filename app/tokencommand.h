#pragma once

#include <QByteArray>
#include <QString>
#include <QStringList>

#include <chrono>

// The claims of a development token, as "orderstream token" and the client
// commands sign it.
struct DevelopmentTokenRequest
{
    QString subject;
    // Order ids the holder may watch.
    QStringList orders;
    // Grant the saved staff scope (orders:read by default): watch every order.
    bool staff = false;
    // Grant the saved publish scope (orders:publish by default).
    bool publisher = false;
    std::chrono::seconds lifetime{3600};
    // The HS256 secret file; empty means the saved setting, else the default file.
    QString secretFilePath;
};

// Signs an HS256 token with the server's secret and the saved claim names,
// scope names, issuer and audience, so that a server with the same settings
// accepts it. Returns the token, or an empty array with errorMessage set.
QByteArray signDevelopmentToken(const DevelopmentTokenRequest &request, QString *errorMessage);

// "orderstream token": prints an HS256 token signed with the configured
// secret, for development and for scripts. Returns the process exit status.
int runTokenCommand(const QStringList &arguments);
