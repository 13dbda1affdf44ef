#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QDateTime>
#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <memory>
#include <optional>
#include <variant>

// OpenSSL's EVP_PKEY, declared here so that users of this header need no
// OpenSSL headers.
struct evp_pkey_st;

// Maximum length of a token that verify() accepts, in bytes of its compact
// form. The cap bounds the decoding and JSON parsing spent on unauthenticated
// input. A JwtSigner token with two order ids is about 300 bytes.
inline constexpr qsizetype MaxJwtBytes = 8 * 1024;

// Minimum length of an HS256 secret, in bytes. RFC 7518 section 3.2 requires
// an HMAC key at least as long as the hash output, 32 bytes for SHA-256.
inline constexpr qsizetype MinHs256SecretBytes = 32;

// Keys, checks and claim names for JSON Web Tokens (RFC 7519). The algorithms
// a verifier accepts follow from the keys: HS256 with a secret, RS256 with an
// RSA public key, ES256 with an EC P-256 public key.
struct JwtConfig
{
    // Shared secret for HS256 tokens; empty turns HS256 off.
    QByteArray hs256Secret;
    // An RSA or EC P-256 public key as PEM SubjectPublicKeyInfo
    // ("-----BEGIN PUBLIC KEY-----"); empty turns RS256 and ES256 off.
    QByteArray publicKeyPem;
    // Clock difference tolerated between the token issuer and this server
    // when checking exp and nbf, in seconds.
    int leewaySeconds = 30;
    // Whether tokens without exp are rejected. On by default because a token
    // without exp stays valid until the key changes. Every token JwtSigner
    // makes has exp, so turn this off only for an issuer that cannot set exp.
    bool requireExpiry = true;
    // Expected "iss" claim; empty accepts any issuer.
    QString issuer;
    // Name of this server in the "aud" claim. When empty, tokens that carry
    // an "aud" claim are rejected, because RFC 7519 section 4.1.3 requires
    // rejecting a token whose audience does not include the recipient.
    QString audience;

    // Claim that names the user or service the token was issued to.
    QString subjectClaim = QStringLiteral("sub");
    // Claim with the array of order ids the holder may watch.
    QString ordersClaim = QStringLiteral("orders");
    // Claim with the scopes, a space-separated string as in OAuth 2.0
    // (RFC 6749 section 3.3) or an array of strings.
    QString scopeClaim = QStringLiteral("scope");
    // Scope that lets the holder watch every order.
    QString staffScope = QStringLiteral("orders:read");
    // Scope that lets the holder publish order events.
    QString publishScope = QStringLiteral("orders:publish");
};

// The claims of a verified token.
struct JwtClaims
{
    QString subject;
    // Order ids from the orders claim; empty when the claim is absent.
    QStringList orders;
    QStringList scopes;
    // The exp claim in UTC; empty when the token has no exp.
    std::optional<QDateTime> expiresAt;
    // Whether scopes contain JwtConfig::staffScope and publishScope.
    bool staff = false;
    bool publisher = false;
    // The whole decoded payload, for claims this struct does not cover.
    QJsonObject payload;
};

enum class JwtErrorCode {
    Malformed,
    UnsupportedAlgorithm,
    BadSignature,
    Expired,
    NotYetValid,
    WrongIssuer,
    WrongAudience,
    MissingClaim,
};

// A rejected token. The message is short English for the client that sent
// the token. It never contains any part of the token or of the keys.
struct JwtError
{
    JwtErrorCode code = JwtErrorCode::Malformed;
    QString message;

    // The stable code for APIs and logs, such as "bad_signature".
    QString codeName() const;
};

using JwtVerification = std::variant<JwtClaims, JwtError>;

// Verifies compact JWS tokens against one JwtConfig.
//
// Copies share the parsed public key. verify() is const and may run on
// several threads at once. Each call creates its own OpenSSL contexts and
// only reads the shared EVP_PKEY, which openssl-threads(7) of OpenSSL 3.0
// allows.
class JwtVerifier
{
public:
    explicit JwtVerifier(const JwtConfig &config);

    // Returns whether the configuration is usable, and stores the reason in
    // error if not. Invalid are: no key at all, a secret shorter than
    // MinHs256SecretBytes, a PEM that is not a public key, an RSA key under
    // 2048 bits, an EC key on another curve than P-256, a negative leeway.
    // An invalid verifier rejects every token with UnsupportedAlgorithm.
    bool isValid(QString *error = nullptr) const;

    // The "alg" values this verifier accepts, such as {"HS256", "RS256"}.
    QStringList allowedAlgorithms() const;

    // Checks the token's form, algorithm, signature and claims at the time
    // now, in this order, and returns the claims or the first error found.
    // now must be valid.
    JwtVerification verify(QByteArrayView token, const QDateTime &now) const;
    JwtVerification verify(QByteArrayView token) const;

private:
    bool verifySignature(const QString &algorithm, QByteArrayView signingInput,
                         const QByteArray &signature) const;
    std::optional<JwtError> checkTimes(const QJsonObject &payload, const QDateTime &now,
                                       JwtClaims *claims) const;
    std::optional<JwtError> checkIssuerAndAudience(const QJsonObject &payload) const;
    std::optional<JwtError> readAccessClaims(const QJsonObject &payload, JwtClaims *claims) const;

    JwtConfig m_config;
    // The parsed public key; null when none is configured or it is invalid.
    std::shared_ptr<evp_pkey_st> m_publicKey;
    QStringList m_allowedAlgorithms;
    QString m_configError;
};

// Returns whether the token holder may stream the events of orderId: the
// order is in the orders claim, or the token has the staff scope.
bool mayWatch(const JwtClaims &claims, const QString &orderId);

// Returns whether the token holder may publish order events.
bool mayPublish(const JwtClaims &claims);
