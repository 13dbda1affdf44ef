#include "jwtsigner.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <openssl/err.h>
#include <openssl/evp.h>

namespace {

constexpr auto Base64UrlOptions = QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals;

// Output size of HMAC-SHA256, in bytes.
constexpr size_t Hs256SignatureBytes = 32;

QString translate(const char *text)
{
    return QCoreApplication::translate("JwtSigner", text);
}

// Returns why request cannot become a token, or an empty string.
QString findRequestProblem(const JwtTokenRequest &request)
{
    if (request.subject.isEmpty())
        return translate("the token subject is empty");
    if (request.lifetime.count() <= 0)
        return translate("the token lifetime must be at least one second");
    if (request.orders.contains(QString()))
        return translate("an order id in the token request is empty");
    for (const QString &scope : request.scopes) {
        // The scope claim is one space-separated string.
        if (scope.isEmpty() || scope.contains(QLatin1Char(' ')))
            return translate("a scope in the token request is empty or contains a space");
    }
    return {};
}

} // namespace

JwtSigner::JwtSigner(const JwtConfig &config)
    : m_config(config)
{
}

bool JwtSigner::isValid(QString *error) const
{
    QString problem;
    if (m_config.hs256Secret.isEmpty()) {
        problem = translate("no HS256 secret is configured; tokens are signed with HS256 only");
    } else if (m_config.hs256Secret.size() < MinHs256SecretBytes) {
        problem = translate("the HS256 secret has %1 bytes; use at least %2 random bytes")
                      .arg(m_config.hs256Secret.size())
                      .arg(MinHs256SecretBytes);
    }

    if (error)
        *error = problem;
    return problem.isEmpty();
}

QByteArray JwtSigner::sign(const JwtTokenRequest &request, QString *error) const
{
    return sign(request, QDateTime::currentDateTimeUtc(), error);
}

QByteArray JwtSigner::sign(const JwtTokenRequest &request, const QDateTime &now,
                           QString *error) const
{
    Q_ASSERT(now.isValid());

    QString problem;
    if (isValid(&problem))
        problem = findRequestProblem(request);
    if (!problem.isEmpty()) {
        if (error)
            *error = problem;
        return {};
    }

    // NumericDate values are whole seconds here, so that JSON prints them
    // as integers.
    const qint64 issuedAt = now.toSecsSinceEpoch();
    QJsonObject payload;
    payload.insert(QStringLiteral("iat"), issuedAt);
    payload.insert(QStringLiteral("exp"), issuedAt + qint64(request.lifetime.count()));
    payload.insert(m_config.subjectClaim, request.subject);
    payload.insert(m_config.ordersClaim, QJsonArray::fromStringList(request.orders));
    if (!request.scopes.isEmpty())
        payload.insert(m_config.scopeClaim, request.scopes.join(QLatin1Char(' ')));
    if (!m_config.issuer.isEmpty())
        payload.insert(QStringLiteral("iss"), m_config.issuer);
    if (!m_config.audience.isEmpty())
        payload.insert(QStringLiteral("aud"), m_config.audience);

    const QJsonObject header{{QStringLiteral("alg"), QStringLiteral("HS256")},
                             {QStringLiteral("typ"), QStringLiteral("JWT")}};
    const QByteArray signingInput
        = QJsonDocument(header).toJson(QJsonDocument::Compact).toBase64(Base64UrlOptions) + '.'
          + QJsonDocument(payload).toJson(QJsonDocument::Compact).toBase64(Base64UrlOptions);
    const QByteArray signature = hs256Signature(m_config.hs256Secret, signingInput);
    if (signature.isEmpty()) {
        if (error)
            *error = translate("OpenSSL failed to compute the HMAC-SHA256 signature");
        return {};
    }

    if (error)
        error->clear();
    return signingInput + '.' + signature.toBase64(Base64UrlOptions);
}

QByteArray JwtSigner::hs256Signature(QByteArrayView secret, QByteArrayView signingInput)
{
    QByteArray signature(qsizetype(Hs256SignatureBytes), Qt::Uninitialized);
    size_t signatureSize = 0;
    const unsigned char *result = EVP_Q_mac(
        nullptr, "HMAC", nullptr, "SHA256", nullptr, secret.data(), size_t(secret.size()),
        reinterpret_cast<const unsigned char *>(signingInput.data()), size_t(signingInput.size()),
        reinterpret_cast<unsigned char *>(signature.data()), Hs256SignatureBytes, &signatureSize);
    if (!result || signatureSize != Hs256SignatureBytes) {
        ERR_clear_error();
        return {};
    }
    return signature;
}
