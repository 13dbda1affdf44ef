#pragma once

#include "jwtverifier.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QDateTime>
#include <QString>
#include <QStringList>

#include <chrono>

// Subject, access and lifetime of a token that JwtSigner makes.
struct JwtTokenRequest
{
    QString subject;
    // Order ids the holder may watch.
    QStringList orders;
    // Scopes such as JwtConfig::staffScope; none may contain a space.
    QStringList scopes;
    std::chrono::seconds lifetime{3600};
};

// Issues HS256 tokens that a JwtVerifier with the same JwtConfig accepts, for
// the "orderstream token" command. The token carries iat, exp, the subject,
// orders and scope claims under the configured names, and iss and aud when
// the configuration sets an issuer or an audience.
class JwtSigner
{
public:
    explicit JwtSigner(const JwtConfig &config);

    // Returns whether the configuration has an HS256 secret of at least
    // MinHs256SecretBytes, with the reason in error if not.
    bool isValid(QString *error = nullptr) const;

    // Returns the compact JWS for request, issued at now, or an empty array
    // with the reason in error when the configuration or the request is
    // invalid. now must be valid.
    QByteArray sign(const JwtTokenRequest &request, const QDateTime &now,
                    QString *error = nullptr) const;
    QByteArray sign(const JwtTokenRequest &request, QString *error = nullptr) const;

    // Computes the HS256 signature (HMAC-SHA256) of signingInput with secret,
    // 32 bytes, or an empty array if OpenSSL fails.
    static QByteArray hs256Signature(QByteArrayView secret, QByteArrayView signingInput);

private:
    JwtConfig m_config;
};
