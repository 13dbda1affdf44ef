#include "jwtverifier.h"

#include "jwtsigner.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QJsonValue>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <cmath>

namespace {

// Minimum RSA modulus for RS256, in bits. jsonwebtoken 9 rejects smaller RSA
// keys for RS256 as well.
constexpr int MinRsaKeyBits = 2048;

// Maximum NumericDate accepted for exp and nbf: 9999-12-31T23:59:59Z, the
// last second with a four-digit year.
constexpr double MaxNumericDate = 253402300799.0;

// Bytes of each of r and s in an ES256 signature (RFC 7518 section 3.4).
constexpr int Es256CoordinateBytes = 32;

JwtError makeError(JwtErrorCode code, const QString &message)
{
    return JwtError{code, message};
}

JwtError malformed(const QString &message)
{
    return makeError(JwtErrorCode::Malformed, message);
}

// Decodes base64url without padding (RFC 7515 section 2). Rejects padding,
// characters outside the URL-safe alphabet and encodings whose unused low
// bits are not zero, so that each byte string has exactly one accepted text.
std::optional<QByteArray> decodeBase64Url(QByteArrayView text)
{
    for (const char c : text) {
        const bool urlSafe = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')
                             || (c >= '0' && c <= '9') || c == '-' || c == '_';
        if (!urlSafe)
            return std::nullopt;
    }
    if (text.size() % 4 == 1)
        return std::nullopt;

    const auto decoding = QByteArray::fromBase64Encoding(
        text.toByteArray(),
        QByteArray::Base64UrlEncoding | QByteArray::AbortOnBase64DecodingErrors);
    if (!decoding)
        return std::nullopt;

    const QByteArray canonical
        = decoding.decoded.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
    if (QByteArrayView(canonical) != text)
        return std::nullopt;
    return decoding.decoded;
}

std::optional<QJsonObject> parseJsonObject(const QByteArray &json, const QString &part,
                                           JwtError *error)
{
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(json, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        *error = malformed(QStringLiteral("the token %1 is not valid JSON: %2 at offset %3")
                               .arg(part, parseError.errorString())
                               .arg(parseError.offset));
        return std::nullopt;
    }
    if (!document.isObject()) {
        *error = malformed(QStringLiteral("the token %1 is not a JSON object").arg(part));
        return std::nullopt;
    }
    return document.object();
}

// A compact JWS split into its parts, with the header parsed. The payload is
// kept as JSON text until the signature has been checked.
struct DecodedToken
{
    QJsonObject header;
    QByteArray payloadJson;
    QByteArray signature;
    // Length of "header.payload", the bytes the signature covers.
    qsizetype signingInputSize = 0;
};

// Splits a compact JWS, header.payload.signature (RFC 7515 section 7.1),
// decodes its parts and parses the header.
std::optional<DecodedToken> decodeCompactToken(QByteArrayView token, JwtError *error)
{
    if (token.isEmpty()) {
        *error = malformed(QStringLiteral("the token is empty"));
        return std::nullopt;
    }
    if (token.size() > MaxJwtBytes) {
        *error = malformed(
            QStringLiteral("the token is longer than the limit of %1 bytes").arg(MaxJwtBytes));
        return std::nullopt;
    }

    const qsizetype firstDot = token.indexOf('.');
    const qsizetype secondDot = firstDot < 0 ? -1 : token.indexOf('.', firstDot + 1);
    if (secondDot < 0 || token.indexOf('.', secondDot + 1) >= 0) {
        *error = malformed(QStringLiteral("the token does not have three dot-separated parts"));
        return std::nullopt;
    }
    const QByteArrayView headerText = token.first(firstDot);
    const QByteArrayView payloadText = token.sliced(firstDot + 1, secondDot - firstDot - 1);
    const QByteArrayView signatureText = token.sliced(secondDot + 1);

    const std::optional<QByteArray> headerJson = decodeBase64Url(headerText);
    const std::optional<QByteArray> payloadJson = decodeBase64Url(payloadText);
    const std::optional<QByteArray> signature = decodeBase64Url(signatureText);
    if (!headerJson || !payloadJson || !signature || headerText.isEmpty()
        || payloadText.isEmpty()) {
        *error = malformed(QStringLiteral("a token part is empty or not unpadded base64url"));
        return std::nullopt;
    }

    const std::optional<QJsonObject> header
        = parseJsonObject(*headerJson, QStringLiteral("header"), error);
    if (!header)
        return std::nullopt;

    return DecodedToken{*header, *payloadJson, *signature, secondDot};
}

// Reads a NumericDate claim (RFC 7519 section 2) into seconds. The value is
// seconds since the epoch and may be fractional. An absent claim leaves
// seconds empty.
std::optional<JwtError> readNumericDate(const QJsonObject &payload, const QString &name,
                                        std::optional<double> *seconds)
{
    const QJsonValue value = payload.value(name);
    if (value.isUndefined())
        return std::nullopt;

    const double number = value.toDouble();
    if (!value.isDouble() || !std::isfinite(number) || std::abs(number) > MaxNumericDate) {
        return malformed(
            QStringLiteral("the %1 claim is not a number of seconds since 1970").arg(name));
    }
    *seconds = number;
    return std::nullopt;
}

// Reads a claim that is an array of non-empty strings; absent means empty.
std::optional<QStringList> readStringArray(const QJsonObject &payload, const QString &name,
                                           JwtError *error)
{
    const QJsonValue value = payload.value(name);
    if (value.isUndefined())
        return QStringList();

    const QString invalid = QStringLiteral("the %1 claim is not an array of strings").arg(name);
    if (!value.isArray()) {
        *error = malformed(invalid);
        return std::nullopt;
    }
    QStringList strings;
    const QJsonArray array = value.toArray();
    for (const QJsonValue &entry : array) {
        if (!entry.isString() || entry.toString().isEmpty()) {
            *error = malformed(invalid);
            return std::nullopt;
        }
        strings.append(entry.toString());
    }
    return strings;
}

// Reads the scope claim: a space-separated string (RFC 6749 section 3.3) or
// an array of strings; absent means no scopes.
std::optional<QStringList> readScopes(const QJsonObject &payload, const QString &name,
                                      JwtError *error)
{
    const QJsonValue value = payload.value(name);
    if (value.isString())
        return value.toString().split(QLatin1Char(' '), Qt::SkipEmptyParts);
    if (value.isArray() || value.isUndefined())
        return readStringArray(payload, name, error);

    *error = malformed(
        QStringLiteral("the %1 claim is neither a space-separated string nor an array of strings")
            .arg(name));
    return std::nullopt;
}

// Converts an ES256 signature from JWS form, r and s as 32-byte big-endian
// numbers one after the other (RFC 7518 section 3.4), to the DER-encoded
// ECDSA-Sig-Value that OpenSSL verifies. Returns an empty array for a
// signature of the wrong length.
QByteArray es256SignatureToDer(const QByteArray &signature)
{
    if (signature.size() != 2 * Es256CoordinateBytes)
        return {};

    const auto *bytes = reinterpret_cast<const unsigned char *>(signature.constData());
    BIGNUM *r = BN_bin2bn(bytes, Es256CoordinateBytes, nullptr);
    BIGNUM *s = BN_bin2bn(bytes + Es256CoordinateBytes, Es256CoordinateBytes, nullptr);
    ECDSA_SIG *ecdsaSignature = ECDSA_SIG_new();
    if (!r || !s || !ecdsaSignature || ECDSA_SIG_set0(ecdsaSignature, r, s) != 1) {
        BN_free(r);
        BN_free(s);
        ECDSA_SIG_free(ecdsaSignature);
        return {};
    }
    // ECDSA_SIG_set0 took ownership of r and s.

    QByteArray der;
    const int derSize = i2d_ECDSA_SIG(ecdsaSignature, nullptr);
    if (derSize > 0) {
        der.resize(derSize);
        auto *out = reinterpret_cast<unsigned char *>(der.data());
        if (i2d_ECDSA_SIG(ecdsaSignature, &out) != derSize)
            der.clear();
    }
    ECDSA_SIG_free(ecdsaSignature);
    return der;
}

// Verifies an RS256 (RSASSA-PKCS1-v1_5 with SHA-256) or ES256 (ECDSA P-256
// with SHA-256, DER signature) signature with OpenSSL's EVP interface.
bool verifyWithPublicKey(EVP_PKEY *key, bool rsa, QByteArrayView signingInput,
                         const QByteArray &derOrRsaSignature)
{
    EVP_MD_CTX *context = EVP_MD_CTX_new();
    if (!context)
        return false;

    EVP_PKEY_CTX *keyContext = nullptr;
    bool verified = EVP_DigestVerifyInit(context, &keyContext, EVP_sha256(), nullptr, key) == 1;
    if (verified && rsa)
        verified = EVP_PKEY_CTX_set_rsa_padding(keyContext, RSA_PKCS1_PADDING) > 0;
    if (verified) {
        verified
            = EVP_DigestVerify(
                  context, reinterpret_cast<const unsigned char *>(derOrRsaSignature.constData()),
                  size_t(derOrRsaSignature.size()),
                  reinterpret_cast<const unsigned char *>(signingInput.data()),
                  size_t(signingInput.size()))
              == 1;
    }
    EVP_MD_CTX_free(context);
    return verified;
}

// Returns whether key is on the NIST P-256 curve (prime256v1, secp256r1).
bool isP256Key(EVP_PKEY *key)
{
    char groupName[64] = {};
    size_t groupNameLength = 0;
    if (EVP_PKEY_get_group_name(key, groupName, sizeof groupName, &groupNameLength) != 1)
        return false;

    int nid = OBJ_sn2nid(groupName);
    if (nid == NID_undef)
        nid = EC_curve_nist2nid(groupName);
    return nid == NID_X9_62_prime256v1;
}

QString translate(const char *text)
{
    return QCoreApplication::translate("JwtVerifier", text);
}

// Reads an RSA (2048 bits or more) or EC P-256 public key from PEM and
// stores the JWS algorithm it verifies in algorithm. Returns null and stores
// the reason in error for any other input.
std::shared_ptr<evp_pkey_st> readPublicKey(const QByteArray &pem, QString *algorithm,
                                           QString *error)
{
    BIO *bio = BIO_new_mem_buf(pem.constData(), int(pem.size()));
    // The callback returns no password, so OpenSSL never prompts on the
    // terminal for an encrypted PEM.
    EVP_PKEY *rawKey = bio ? PEM_read_bio_PUBKEY(
                           bio, nullptr, [](char *, int, int, void *) { return 0; }, nullptr)
                           : nullptr;
    BIO_free(bio);
    ERR_clear_error();
    if (!rawKey) {
        *error = translate("the JWT public key is not a PEM public key; expected "
                           "\"-----BEGIN PUBLIC KEY-----\" (SubjectPublicKeyInfo)");
        return nullptr;
    }
    std::shared_ptr<evp_pkey_st> key(rawKey, EVP_PKEY_free);

    const int keyType = EVP_PKEY_get_base_id(rawKey);
    if (keyType == EVP_PKEY_RSA) {
        const int bits = EVP_PKEY_get_bits(rawKey);
        if (bits < MinRsaKeyBits) {
            *error = translate("the JWT RSA public key has %1 bits; use at least %2")
                         .arg(bits)
                         .arg(MinRsaKeyBits);
            return nullptr;
        }
        *algorithm = QStringLiteral("RS256");
        return key;
    }
    if (keyType == EVP_PKEY_EC) {
        if (!isP256Key(rawKey)) {
            *error = translate("the JWT EC public key is not on curve P-256, the only curve "
                               "ES256 allows");
            return nullptr;
        }
        *algorithm = QStringLiteral("ES256");
        return key;
    }

    *error = translate("the JWT public key is neither an RSA nor an EC key");
    return nullptr;
}

} // namespace

QString JwtError::codeName() const
{
    switch (code) {
    case JwtErrorCode::Malformed:
        return QStringLiteral("malformed");
    case JwtErrorCode::UnsupportedAlgorithm:
        return QStringLiteral("unsupported_algorithm");
    case JwtErrorCode::BadSignature:
        return QStringLiteral("bad_signature");
    case JwtErrorCode::Expired:
        return QStringLiteral("expired");
    case JwtErrorCode::NotYetValid:
        return QStringLiteral("not_yet_valid");
    case JwtErrorCode::WrongIssuer:
        return QStringLiteral("wrong_issuer");
    case JwtErrorCode::WrongAudience:
        return QStringLiteral("wrong_audience");
    case JwtErrorCode::MissingClaim:
        return QStringLiteral("missing_claim");
    }
    Q_UNREACHABLE();
    return {};
}

JwtVerifier::JwtVerifier(const JwtConfig &config)
    : m_config(config)
{
    if (m_config.hs256Secret.isEmpty() && m_config.publicKeyPem.isEmpty()) {
        m_configError = translate("no JWT key is configured; set an HS256 secret, a public key "
                                  "PEM, or both");
        return;
    }
    if (m_config.leewaySeconds < 0) {
        m_configError = translate("the JWT leeway is negative; set 0 or more seconds");
        return;
    }
    if (!m_config.hs256Secret.isEmpty() && m_config.hs256Secret.size() < MinHs256SecretBytes) {
        m_configError = translate("the HS256 secret has %1 bytes; use at least %2 random bytes")
                            .arg(m_config.hs256Secret.size())
                            .arg(MinHs256SecretBytes);
        return;
    }

    QString publicKeyAlgorithm;
    if (!m_config.publicKeyPem.isEmpty()) {
        m_publicKey = readPublicKey(m_config.publicKeyPem, &publicKeyAlgorithm, &m_configError);
        if (!m_publicKey)
            return;
    }

    if (!m_config.hs256Secret.isEmpty())
        m_allowedAlgorithms.append(QStringLiteral("HS256"));
    if (!publicKeyAlgorithm.isEmpty())
        m_allowedAlgorithms.append(publicKeyAlgorithm);
}

bool JwtVerifier::isValid(QString *error) const
{
    if (error)
        *error = m_configError;
    return m_configError.isEmpty();
}

QStringList JwtVerifier::allowedAlgorithms() const
{
    return m_allowedAlgorithms;
}

JwtVerification JwtVerifier::verify(QByteArrayView token) const
{
    return verify(token, QDateTime::currentDateTimeUtc());
}

JwtVerification JwtVerifier::verify(QByteArrayView token, const QDateTime &now) const
{
    Q_ASSERT(now.isValid());

    JwtError error;
    const std::optional<DecodedToken> decoded = decodeCompactToken(token, &error);
    if (!decoded)
        return error;
    const QJsonObject &header = decoded->header;

    const QJsonValue algorithm = header.value(QStringLiteral("alg"));
    if (!algorithm.isString())
        return malformed(QStringLiteral("the token header has no alg string"));
    if (m_allowedAlgorithms.isEmpty()) {
        return makeError(JwtErrorCode::UnsupportedAlgorithm,
                         QStringLiteral("this server accepts no token algorithm because its "
                                        "JWT configuration is invalid"));
    }
    // Each allowed algorithm has exactly one key, so an HS256 token is never
    // checked against the public key, whatever the token claims.
    if (!m_allowedAlgorithms.contains(algorithm.toString())) {
        return makeError(JwtErrorCode::UnsupportedAlgorithm,
                         QStringLiteral("the token algorithm is not accepted. This server "
                                        "accepts %1.")
                             .arg(m_allowedAlgorithms.join(QStringLiteral(", "))));
    }
    // RFC 7515 section 4.1.11: a recipient must reject a token whose crit
    // header lists extensions it does not understand, and this verifier
    // implements none.
    if (header.contains(QStringLiteral("crit"))) {
        return malformed(QStringLiteral(
            "the token header lists critical extensions (crit), which are not supported"));
    }

    const QByteArrayView signingInput = token.first(decoded->signingInputSize);
    if (!verifySignature(algorithm.toString(), signingInput, decoded->signature))
        return makeError(JwtErrorCode::BadSignature,
                         QStringLiteral("the token signature is invalid"));

    // The payload is parsed only after the signature matched.
    const std::optional<QJsonObject> payload
        = parseJsonObject(decoded->payloadJson, QStringLiteral("payload"), &error);
    if (!payload)
        return error;

    JwtClaims claims;
    claims.payload = *payload;
    if (auto timeError = checkTimes(*payload, now, &claims))
        return *timeError;
    if (auto issuerError = checkIssuerAndAudience(*payload))
        return *issuerError;
    if (auto accessError = readAccessClaims(*payload, &claims))
        return *accessError;

    return claims;
}

bool JwtVerifier::verifySignature(const QString &algorithm, QByteArrayView signingInput,
                                  const QByteArray &signature) const
{
    bool verified = false;
    if (algorithm == QLatin1String("HS256")) {
        const QByteArray expected = JwtSigner::hs256Signature(m_config.hs256Secret, signingInput);
        verified
            = !expected.isEmpty() && signature.size() == expected.size()
              && CRYPTO_memcmp(signature.constData(), expected.constData(), size_t(expected.size()))
                     == 0;
    } else if (algorithm == QLatin1String("RS256")) {
        verified = verifyWithPublicKey(m_publicKey.get(), true, signingInput, signature);
    } else if (algorithm == QLatin1String("ES256")) {
        const QByteArray der = es256SignatureToDer(signature);
        verified
            = !der.isEmpty() && verifyWithPublicKey(m_publicKey.get(), false, signingInput, der);
    }

    // A failed verification leaves entries on this thread's OpenSSL error
    // queue; drop them so that they do not surface in unrelated code.
    ERR_clear_error();
    return verified;
}

std::optional<JwtError> JwtVerifier::checkTimes(const QJsonObject &payload, const QDateTime &now,
                                                JwtClaims *claims) const
{
    std::optional<double> expiry;
    if (auto error = readNumericDate(payload, QStringLiteral("exp"), &expiry))
        return error;
    std::optional<double> notBefore;
    if (auto error = readNumericDate(payload, QStringLiteral("nbf"), &notBefore))
        return error;

    const double nowSeconds = double(now.toMSecsSinceEpoch()) / 1000.0;
    const double leeway = m_config.leewaySeconds;
    if (!expiry && m_config.requireExpiry)
        return makeError(JwtErrorCode::MissingClaim, QStringLiteral("the token has no exp claim"));
    if (expiry && *expiry <= nowSeconds - leeway)
        return makeError(JwtErrorCode::Expired, QStringLiteral("the token has expired"));
    if (notBefore && *notBefore > nowSeconds + leeway) {
        return makeError(JwtErrorCode::NotYetValid,
                         QStringLiteral("the token is not valid yet (nbf is in the future)"));
    }

    if (expiry) {
        claims->expiresAt = QDateTime::fromMSecsSinceEpoch(qint64(*expiry * 1000.0), Qt::UTC);
    }
    return std::nullopt;
}

std::optional<JwtError> JwtVerifier::checkIssuerAndAudience(const QJsonObject &payload) const
{
    if (!m_config.issuer.isEmpty()) {
        const QJsonValue issuer = payload.value(QStringLiteral("iss"));
        if (issuer.isUndefined())
            return makeError(JwtErrorCode::MissingClaim,
                             QStringLiteral("the token has no iss claim"));
        if (!issuer.isString() || issuer.toString() != m_config.issuer)
            return makeError(JwtErrorCode::WrongIssuer,
                             QStringLiteral("the token issuer is not accepted"));
    }

    const QJsonValue audience = payload.value(QStringLiteral("aud"));
    if (m_config.audience.isEmpty()) {
        if (audience.isUndefined())
            return std::nullopt;
        return makeError(JwtErrorCode::WrongAudience,
                         QStringLiteral("the token names an audience, and this server has none"));
    }
    if (audience.isUndefined())
        return makeError(JwtErrorCode::MissingClaim, QStringLiteral("the token has no aud claim"));

    // aud is one string or an array of strings (RFC 7519 section 4.1.3).
    bool listed = audience.isString() && audience.toString() == m_config.audience;
    if (audience.isArray()) {
        const QJsonArray audiences = audience.toArray();
        for (const QJsonValue &entry : audiences)
            listed = listed || (entry.isString() && entry.toString() == m_config.audience);
    }
    if (!listed) {
        return makeError(JwtErrorCode::WrongAudience,
                         QStringLiteral("the token is not meant for this server (aud)"));
    }
    return std::nullopt;
}

std::optional<JwtError> JwtVerifier::readAccessClaims(const QJsonObject &payload,
                                                      JwtClaims *claims) const
{
    const QJsonValue subject = payload.value(m_config.subjectClaim);
    const JwtError missingSubject{
        JwtErrorCode::MissingClaim,
        QStringLiteral("the token has no %1 claim").arg(m_config.subjectClaim)};
    if (subject.isUndefined() || subject.isNull())
        return missingSubject;
    if (!subject.isString()) {
        return malformed(QStringLiteral("the %1 claim is not a string").arg(m_config.subjectClaim));
    }
    if (subject.toString().isEmpty())
        return missingSubject;
    claims->subject = subject.toString();

    JwtError error;
    const std::optional<QStringList> orders
        = readStringArray(payload, m_config.ordersClaim, &error);
    if (!orders)
        return error;
    const std::optional<QStringList> scopes = readScopes(payload, m_config.scopeClaim, &error);
    if (!scopes)
        return error;

    claims->orders = *orders;
    claims->scopes = *scopes;
    claims->staff = !m_config.staffScope.isEmpty() && scopes->contains(m_config.staffScope);
    claims->publisher = !m_config.publishScope.isEmpty() && scopes->contains(m_config.publishScope);
    return std::nullopt;
}

bool mayWatch(const JwtClaims &claims, const QString &orderId)
{
    if (orderId.isEmpty())
        return false;
    return claims.staff || claims.orders.contains(orderId);
}

bool mayPublish(const JwtClaims &claims)
{
    return claims.publisher;
}
