#pragma once

#include <QString>

class QSettings;
struct ServerConfig;

// Maximum values that AuthSettings and the command line accept.
inline constexpr int MaxJwtLeewaySeconds = 3600;
inline constexpr int MaxAuthFailuresPerMinute = 1000000;

// The authentication settings kept in QSettings (group "auth"): file paths,
// token checks and claim names, but never a secret or a key itself. The
// command line uses them as defaults, and its options override them.
struct AuthSettings
{
    // The HS256 secret file; empty means SecretFile::defaultPath(), which the
    // server creates with a random secret on first start.
    QString secretFilePath;
    // The PEM public key for RS256 or ES256; empty means no public key.
    QString publicKeyPath;
    QString issuer;
    QString audience;
    int leewaySeconds = 30;
    QString subjectClaim = QStringLiteral("sub");
    QString ordersClaim = QStringLiteral("orders");
    QString scopeClaim = QStringLiteral("scope");
    QString staffScope = QStringLiteral("orders:read");
    QString publishScope = QStringLiteral("orders:publish");
    QString tokenCookieName = QStringLiteral("orderstream_token");
    int authFailuresPerMinute = 30;

    // Reads the "auth" group. A missing key gets the default above, and so
    // does an invalid value, with a warning in orderstream.service.
    static AuthSettings load(const QSettings &settings);
    static AuthSettings load();
    // Writes every field into the "auth" group.
    void save(QSettings &settings) const;
    void save() const;

    // Copies the checks, claim names, cookie name and failure limit into
    // config. The key files are read by the command line, not here.
    void applyTo(ServerConfig &config) const;

    // Returns whether name can be a claim or scope name: non-empty and
    // without white space, because scopes are separated by spaces.
    static bool isValidName(const QString &name);
    // Returns whether name can be a cookie name: a valid name without the
    // separators ; , = and ".
    static bool isValidCookieName(const QString &name);
};
