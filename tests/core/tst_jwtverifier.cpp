#include "jwtsigner.h"
#include "jwtverifier.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include <atomic>
#include <thread>
#include <vector>

using namespace std::chrono_literals;

// The fixtures come from tests/core/fixtures/make-jwt-fixtures.js, which
// makes them with the npm package jsonwebtoken; see the README there.
class tst_JwtVerifier : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();

    void fixtureToken_data();
    void fixtureToken();
    void errorMessagesHideTokenAndSecret();

    void allowedAlgorithms_data();
    void allowedAlgorithms();
    void invalidConfig_data();
    void invalidConfig();

    void expiryLeewayEdges_data();
    void expiryLeewayEdges();
    void expiryOptionalWhenNotRequired();

    void signerRoundTrip();
    void signerMatchesJsonwebtoken();
    void signerRejectsBadRequest_data();
    void signerRejectsBadRequest();
    void signerNeedsSecret();

    void access_data();
    void access();
    void customClaimNames();

    void concurrentVerification();

private:
    QByteArray readFixtureFile(const QString &name) const;
    JwtConfig fixtureConfig(const QString &name) const;
    QByteArray fixtureTokenNamed(const QString &name) const;

    QJsonObject m_fixture;
    QDateTime m_now;
    QByteArray m_secret;
};

namespace {

const QString FixturesDir = QStringLiteral(ORDERSTREAM_JWT_FIXTURES_DIR);

QStringList toStringList(const QJsonValue &value)
{
    QStringList strings;
    const QJsonArray array = value.toArray();
    for (const QJsonValue &entry : array)
        strings.append(entry.toString());
    return strings;
}

QString describe(const JwtVerification &verification)
{
    if (const auto *error = std::get_if<JwtError>(&verification))
        return error->codeName() + QStringLiteral(": ") + error->message;
    return QStringLiteral("ok");
}

} // namespace

QByteArray tst_JwtVerifier::readFixtureFile(const QString &name) const
{
    QFile file(FixturesDir + QLatin1Char('/') + name);
    if (!file.open(QIODevice::ReadOnly)) {
        qWarning("cannot open fixture %s: %s", qPrintable(file.fileName()),
                 qPrintable(file.errorString()));
        return {};
    }
    return file.readAll();
}

JwtConfig tst_JwtVerifier::fixtureConfig(const QString &name) const
{
    const QJsonObject description
        = m_fixture.value(QStringLiteral("configs")).toObject().value(name).toObject();
    JwtConfig config;
    if (description.contains(QStringLiteral("secretFile")))
        config.hs256Secret
            = readFixtureFile(description.value(QStringLiteral("secretFile")).toString());
    if (description.contains(QStringLiteral("publicKeyFile"))) {
        config.publicKeyPem
            = readFixtureFile(description.value(QStringLiteral("publicKeyFile")).toString());
    }
    config.issuer = description.value(QStringLiteral("issuer")).toString();
    config.audience = description.value(QStringLiteral("audience")).toString();
    config.leewaySeconds = description.value(QStringLiteral("leewaySeconds")).toInt(30);
    return config;
}

QByteArray tst_JwtVerifier::fixtureTokenNamed(const QString &name) const
{
    const QJsonArray rows = m_fixture.value(QStringLiteral("tokens")).toArray();
    for (const QJsonValue &row : rows) {
        if (row[QStringLiteral("name")].toString() == name)
            return row[QStringLiteral("token")].toString().toLatin1();
    }
    qWarning("no fixture token named %s", qPrintable(name));
    return {};
}

void tst_JwtVerifier::initTestCase()
{
    const QByteArray json = readFixtureFile(QStringLiteral("tokens.json"));
    QVERIFY2(!json.isEmpty(), "tokens.json is missing; run make-jwt-fixtures.js");
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(json, &parseError);
    QVERIFY2(document.isObject(), qPrintable(parseError.errorString()));

    m_fixture = document.object();
    m_now = QDateTime::fromSecsSinceEpoch(m_fixture.value(QStringLiteral("now")).toInteger(),
                                          Qt::UTC);
    QVERIFY(m_now.isValid());
    QCOMPARE(m_fixture.value(QStringLiteral("maxTokenBytes")).toInteger(), MaxJwtBytes);
    m_secret = fixtureConfig(QStringLiteral("hs256")).hs256Secret;
    QCOMPARE(m_secret.size(), 64);
}

void tst_JwtVerifier::fixtureToken_data()
{
    QTest::addColumn<QString>("config");
    QTest::addColumn<QByteArray>("token");
    QTest::addColumn<QString>("expected");
    QTest::addColumn<QString>("subject");
    QTest::addColumn<QStringList>("orders");
    QTest::addColumn<QStringList>("scopes");
    QTest::addColumn<qint64>("expiry");

    const QJsonArray rows = m_fixture.value(QStringLiteral("tokens")).toArray();
    QVERIFY(rows.size() > 50);
    for (const QJsonValue &value : rows) {
        const QJsonObject row = value.toObject();
        const QByteArray name = row.value(QStringLiteral("name")).toString().toUtf8();
        QTest::newRow(name.constData()) << row.value(QStringLiteral("config")).toString()
                                        << row.value(QStringLiteral("token")).toString().toLatin1()
                                        << row.value(QStringLiteral("expect")).toString()
                                        << row.value(QStringLiteral("subject")).toString()
                                        << toStringList(row.value(QStringLiteral("orders")))
                                        << toStringList(row.value(QStringLiteral("scopes")))
                                        << row.value(QStringLiteral("exp")).toInteger(-1);
    }
}

void tst_JwtVerifier::fixtureToken()
{
    QFETCH(QString, config);
    QFETCH(QByteArray, token);
    QFETCH(QString, expected);
    QFETCH(QString, subject);
    QFETCH(QStringList, orders);
    QFETCH(QStringList, scopes);
    QFETCH(qint64, expiry);

    const JwtVerifier verifier(fixtureConfig(config));
    QString configError;
    QVERIFY2(verifier.isValid(&configError), qPrintable(configError));

    const JwtVerification verification = verifier.verify(token, m_now);

    if (expected != QLatin1String("ok")) {
        const auto *error = std::get_if<JwtError>(&verification);
        QVERIFY2(error, "the token was accepted");
        QCOMPARE(error->codeName(), expected);
        QVERIFY(!error->message.isEmpty());
        return;
    }
    const auto *claims = std::get_if<JwtClaims>(&verification);
    QVERIFY2(claims, qPrintable(describe(verification)));
    QCOMPARE(claims->subject, subject);
    QCOMPARE(claims->orders, orders);
    QCOMPARE(claims->scopes, scopes);
    QVERIFY(claims->expiresAt.has_value());
    QCOMPARE(claims->expiresAt->toSecsSinceEpoch(), expiry);
    QCOMPARE(claims->expiresAt->timeSpec(), Qt::UTC);
    QCOMPARE(claims->payload.value(QStringLiteral("sub")).toString(), subject);
}

void tst_JwtVerifier::errorMessagesHideTokenAndSecret()
{
    const QString secret = QString::fromLatin1(m_secret);
    const QString publicKeyPem
        = QString::fromLatin1(readFixtureFile(QStringLiteral("rsa-public.pem")));
    const QStringList pemLines = publicKeyPem.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QVERIFY(pemLines.size() > 3);

    const QJsonArray rows = m_fixture.value(QStringLiteral("tokens")).toArray();
    int errorsChecked = 0;
    for (const QJsonValue &value : rows) {
        const QJsonObject row = value.toObject();
        const JwtVerifier verifier(fixtureConfig(row.value(QStringLiteral("config")).toString()));
        const QString token = row.value(QStringLiteral("token")).toString();
        const auto verification = verifier.verify(token.toLatin1(), m_now);
        const auto *error = std::get_if<JwtError>(&verification);
        if (!error)
            continue;

        ++errorsChecked;
        const QString context
            = row.value(QStringLiteral("name")).toString() + QStringLiteral(": ") + error->message;
        QVERIFY2(!error->message.contains(secret), qPrintable(context));
        // Every token part long enough to be recognisable, and the key's
        // base64 lines, must stay out of the message.
        const QStringList parts = token.split(QLatin1Char('.'));
        for (const QString &part : parts) {
            if (part.trimmed().size() >= 8)
                QVERIFY2(!error->message.contains(part.trimmed()), qPrintable(context));
        }
        for (const QString &line : pemLines)
            QVERIFY2(!error->message.contains(line), qPrintable(context));
    }
    QVERIFY(errorsChecked > 40);
}

void tst_JwtVerifier::allowedAlgorithms_data()
{
    QTest::addColumn<QString>("config");
    QTest::addColumn<QStringList>("algorithms");

    QTest::newRow("secret") << "hs256" << QStringList{QStringLiteral("HS256")};
    QTest::newRow("RSA key") << "rs256" << QStringList{QStringLiteral("RS256")};
    QTest::newRow("EC key") << "es256" << QStringList{QStringLiteral("ES256")};
    QTest::newRow("secret and RSA key")
        << "rs256 and hs256" << QStringList{QStringLiteral("HS256"), QStringLiteral("RS256")};
}

void tst_JwtVerifier::allowedAlgorithms()
{
    QFETCH(QString, config);
    QFETCH(QStringList, algorithms);

    const JwtVerifier verifier(fixtureConfig(config));
    QString error;
    QVERIFY2(verifier.isValid(&error), qPrintable(error));
    QVERIFY(error.isEmpty());
    QCOMPARE(verifier.allowedAlgorithms(), algorithms);
}

void tst_JwtVerifier::invalidConfig_data()
{
    QTest::addColumn<QByteArray>("secret");
    QTest::addColumn<QByteArray>("publicKeyPem");
    QTest::addColumn<int>("leewaySeconds");
    QTest::addColumn<QString>("messagePart");

    const QByteArray goodSecret(MinHs256SecretBytes, 's');
    QTest::newRow("no key") << QByteArray() << QByteArray() << 30 << "no JWT key";
    QTest::newRow("secret one byte short")
        << QByteArray(MinHs256SecretBytes - 1, 'q') << QByteArray() << 30 << "31 bytes";
    QTest::newRow("negative leeway") << goodSecret << QByteArray() << -1 << "leeway";
    QTest::newRow("PEM garbage") << QByteArray() << QByteArray("-----BEGIN PUBLIC KEY-----\nnope\n")
                                 << 30 << "BEGIN PUBLIC KEY";
    QTest::newRow("secret given as PEM") << QByteArray() << m_secret << 30 << "BEGIN PUBLIC KEY";

    const QJsonArray keys = m_fixture.value(QStringLiteral("invalidPublicKeys")).toArray();
    QCOMPARE(keys.size(), 2);
    QTest::newRow("RSA 1024-bit key")
        << QByteArray() << readFixtureFile(keys.at(0)[QStringLiteral("publicKeyFile")].toString())
        << 30 << "1024 bits";
    QTest::newRow("EC P-384 key") << QByteArray()
                                  << readFixtureFile(
                                         keys.at(1)[QStringLiteral("publicKeyFile")].toString())
                                  << 30 << "P-256";
}

void tst_JwtVerifier::invalidConfig()
{
    QFETCH(QByteArray, secret);
    QFETCH(QByteArray, publicKeyPem);
    QFETCH(int, leewaySeconds);
    QFETCH(QString, messagePart);

    JwtConfig config;
    config.hs256Secret = secret;
    config.publicKeyPem = publicKeyPem;
    config.leewaySeconds = leewaySeconds;
    const JwtVerifier verifier(config);

    QString error;
    QVERIFY(!verifier.isValid(&error));
    QVERIFY2(error.contains(messagePart), qPrintable(error));
    if (!secret.isEmpty())
        QVERIFY2(!error.contains(QString::fromLatin1(secret)), qPrintable(error));
    QVERIFY(verifier.allowedAlgorithms().isEmpty());

    // An invalid verifier accepts nothing, not even a token for its secret.
    const auto verification
        = verifier.verify(fixtureTokenNamed(QStringLiteral("HS256 valid")), m_now);
    const auto *rejection = std::get_if<JwtError>(&verification);
    QVERIFY(rejection);
    QCOMPARE(rejection->code, JwtErrorCode::UnsupportedAlgorithm);
}

void tst_JwtVerifier::expiryLeewayEdges_data()
{
    QTest::addColumn<int>("leewaySeconds");
    QTest::addColumn<qint64>("checkedAfterExpiryMs");
    QTest::addColumn<bool>("accepted");

    // exp <= now - leeway is expired; the fixture rows test the same edges
    // for nbf.
    QTest::newRow("leeway 30, 29.999 s past exp") << 30 << qint64(29999) << true;
    QTest::newRow("leeway 30, 30 s past exp") << 30 << qint64(30000) << false;
    QTest::newRow("leeway 30, 1 s before exp") << 30 << qint64(-1000) << true;
    QTest::newRow("leeway 0, 1 ms before exp") << 0 << qint64(-1) << true;
    QTest::newRow("leeway 0, at exp") << 0 << qint64(0) << false;
    QTest::newRow("leeway 0, 1 s past exp") << 0 << qint64(1000) << false;
}

void tst_JwtVerifier::expiryLeewayEdges()
{
    QFETCH(int, leewaySeconds);
    QFETCH(qint64, checkedAfterExpiryMs);
    QFETCH(bool, accepted);

    JwtConfig config;
    config.hs256Secret = m_secret;
    config.leewaySeconds = leewaySeconds;
    const JwtTokenRequest request{QStringLiteral("edge"), {QStringLiteral("A1")}, {}, 600s};
    QString error;
    const QByteArray token = JwtSigner(config).sign(request, m_now, &error);
    QVERIFY2(!token.isEmpty(), qPrintable(error));

    const QDateTime checkedAt = m_now.addSecs(600).addMSecs(checkedAfterExpiryMs);
    const JwtVerification verification = JwtVerifier(config).verify(token, checkedAt);

    if (accepted) {
        QVERIFY2(std::holds_alternative<JwtClaims>(verification),
                 qPrintable(describe(verification)));
    } else {
        QVERIFY(std::holds_alternative<JwtError>(verification));
        QCOMPARE(std::get<JwtError>(verification).code, JwtErrorCode::Expired);
    }
}

void tst_JwtVerifier::expiryOptionalWhenNotRequired()
{
    const QByteArray token = fixtureTokenNamed(QStringLiteral("missing exp"));
    JwtConfig config = fixtureConfig(QStringLiteral("hs256"));
    QVERIFY(config.requireExpiry);
    config.requireExpiry = false;

    const JwtVerification verification = JwtVerifier(config).verify(token, m_now);

    const auto *claims = std::get_if<JwtClaims>(&verification);
    QVERIFY2(claims, qPrintable(describe(verification)));
    QVERIFY(!claims->expiresAt.has_value());
    QCOMPARE(claims->subject, QStringLiteral("customer-42"));
}

void tst_JwtVerifier::signerRoundTrip()
{
    const JwtConfig config = fixtureConfig(QStringLiteral("hs256"));
    const JwtSigner signer(config);
    QString error;
    QVERIFY2(signer.isValid(&error), qPrintable(error));

    const JwtTokenRequest request{QStringLiteral("console-operator"),
                                  {QStringLiteral("B200"), QStringLiteral("B201")},
                                  {QStringLiteral("orders:read"), QStringLiteral("orders:publish")},
                                  900s};
    const QByteArray token = signer.sign(request, m_now, &error);
    QVERIFY2(!token.isEmpty(), qPrintable(error));
    QVERIFY(error.isEmpty());
    QCOMPARE(token.count('.'), 2);

    const JwtVerification verification = JwtVerifier(config).verify(token, m_now);
    const auto *claims = std::get_if<JwtClaims>(&verification);
    QVERIFY2(claims, qPrintable(describe(verification)));
    QCOMPARE(claims->subject, request.subject);
    QCOMPARE(claims->orders, request.orders);
    QCOMPARE(claims->scopes, request.scopes);
    QCOMPARE(claims->expiresAt, std::optional<QDateTime>(m_now.addSecs(900)));
    QVERIFY(claims->staff);
    QVERIFY(claims->publisher);
    QCOMPARE(claims->payload.value(QStringLiteral("iat")).toInteger(), m_now.toSecsSinceEpoch());
    QCOMPARE(claims->payload.value(QStringLiteral("iss")).toString(), config.issuer);
    QCOMPARE(claims->payload.value(QStringLiteral("aud")).toString(), config.audience);
}

void tst_JwtVerifier::signerMatchesJsonwebtoken()
{
    // HS256 is deterministic, so equal inputs give equal tokens. The fixture
    // script checks that jsonwebtoken verifies this token.
    const QJsonObject expected = m_fixture.value(QStringLiteral("signer")).toObject();
    const JwtTokenRequest request{
        expected.value(QStringLiteral("subject")).toString(),
        toStringList(expected.value(QStringLiteral("orders"))),
        toStringList(expected.value(QStringLiteral("scopes"))),
        std::chrono::seconds(expected.value(QStringLiteral("lifetimeSeconds")).toInteger())};
    const JwtSigner signer(fixtureConfig(expected.value(QStringLiteral("config")).toString()));

    QString error;
    const QByteArray token = signer.sign(request, m_now, &error);

    QVERIFY2(!token.isEmpty(), qPrintable(error));
    QCOMPARE(token, expected.value(QStringLiteral("token")).toString().toLatin1());
}

void tst_JwtVerifier::signerRejectsBadRequest_data()
{
    QTest::addColumn<QString>("subject");
    QTest::addColumn<QStringList>("orders");
    QTest::addColumn<QStringList>("scopes");
    QTest::addColumn<qint64>("lifetimeSeconds");
    QTest::addColumn<QString>("messagePart");

    const QStringList orders{QStringLiteral("A1")};
    QTest::newRow("empty subject")
        << QString() << orders << QStringList() << qint64(60) << "subject";
    QTest::newRow("zero lifetime") << "s" << orders << QStringList() << qint64(0) << "lifetime";
    QTest::newRow("negative lifetime")
        << "s" << orders << QStringList() << qint64(-5) << "lifetime";
    QTest::newRow("empty order id")
        << "s" << QStringList{QString()} << QStringList() << qint64(60) << "order id";
    QTest::newRow("scope with space")
        << "s" << orders << QStringList{QStringLiteral("a b")} << qint64(60) << "scope";
    QTest::newRow("empty scope") << "s" << orders << QStringList{QString()} << qint64(60)
                                 << "scope";
}

void tst_JwtVerifier::signerRejectsBadRequest()
{
    QFETCH(QString, subject);
    QFETCH(QStringList, orders);
    QFETCH(QStringList, scopes);
    QFETCH(qint64, lifetimeSeconds);
    QFETCH(QString, messagePart);

    const JwtSigner signer(fixtureConfig(QStringLiteral("hs256")));
    const JwtTokenRequest request{subject, orders, scopes, std::chrono::seconds(lifetimeSeconds)};
    QString error;

    const QByteArray token = signer.sign(request, m_now, &error);

    QVERIFY(token.isEmpty());
    QVERIFY2(error.contains(messagePart), qPrintable(error));
}

void tst_JwtVerifier::signerNeedsSecret()
{
    const JwtTokenRequest request{QStringLiteral("s"), {}, {}, 60s};

    const JwtSigner withoutSecret(fixtureConfig(QStringLiteral("rs256")));
    QString error;
    QVERIFY(!withoutSecret.isValid(&error));
    QVERIFY2(error.contains(QLatin1String("no HS256 secret")), qPrintable(error));
    QVERIFY(withoutSecret.sign(request, m_now, &error).isEmpty());

    JwtConfig shortSecret;
    shortSecret.hs256Secret = QByteArray("short-secret");
    const JwtSigner withShortSecret(shortSecret);
    QVERIFY(withShortSecret.sign(request, m_now, &error).isEmpty());
    QVERIFY2(error.contains(QLatin1String("12 bytes")), qPrintable(error));
    QVERIFY2(!error.contains(QLatin1String("short-secret")), qPrintable(error));
}

void tst_JwtVerifier::access_data()
{
    QTest::addColumn<QStringList>("orders");
    QTest::addColumn<QStringList>("scopes");
    QTest::addColumn<QString>("orderId");
    QTest::addColumn<bool>("watch");
    QTest::addColumn<bool>("publish");

    const QStringList twoOrders{QStringLiteral("A1"), QStringLiteral("A2")};
    const QString staff = QStringLiteral("orders:read");
    const QString publish = QStringLiteral("orders:publish");

    QTest::newRow("listed order") << twoOrders << QStringList() << "A2" << true << false;
    QTest::newRow("unlisted order") << twoOrders << QStringList() << "A3" << false << false;
    QTest::newRow("order id differs in case")
        << twoOrders << QStringList() << "a1" << false << false;
    QTest::newRow("empty order id") << twoOrders << QStringList{staff} << "" << false << false;
    QTest::newRow("staff scope, any order")
        << QStringList() << QStringList{staff} << "Z9" << true << false;
    QTest::newRow("publish scope only")
        << QStringList() << QStringList{publish} << "A1" << false << true;
    QTest::newRow("staff and publish")
        << QStringList() << QStringList{staff, publish} << "A1" << true << true;
    QTest::newRow("scope with staff prefix")
        << QStringList() << QStringList{staff + QLatin1Char('x')} << "A1" << false << false;
    QTest::newRow("no orders, no scopes")
        << QStringList() << QStringList() << "A1" << false << false;
}

void tst_JwtVerifier::access()
{
    QFETCH(QStringList, orders);
    QFETCH(QStringList, scopes);
    QFETCH(QString, orderId);
    QFETCH(bool, watch);
    QFETCH(bool, publish);

    JwtConfig config;
    config.hs256Secret = m_secret;
    const QByteArray token
        = JwtSigner(config).sign({QStringLiteral("user"), orders, scopes, 60s}, m_now);
    const JwtVerification verification = JwtVerifier(config).verify(token, m_now);
    const auto *claims = std::get_if<JwtClaims>(&verification);
    QVERIFY2(claims, qPrintable(describe(verification)));

    QCOMPARE(mayWatch(*claims, orderId), watch);
    QCOMPARE(mayPublish(*claims), publish);
}

void tst_JwtVerifier::customClaimNames()
{
    JwtConfig custom;
    custom.hs256Secret = m_secret;
    custom.subjectClaim = QStringLiteral("client_id");
    custom.ordersClaim = QStringLiteral("order_ids");
    custom.scopeClaim = QStringLiteral("scp");
    custom.staffScope = QStringLiteral("admin");
    custom.publishScope = QStringLiteral("writer");
    const QByteArray token = JwtSigner(custom).sign(
        {QStringLiteral("svc"), {QStringLiteral("A1")}, {QStringLiteral("admin")}, 60s}, m_now);

    const JwtVerification verification = JwtVerifier(custom).verify(token, m_now);
    const auto *claims = std::get_if<JwtClaims>(&verification);
    QVERIFY2(claims, qPrintable(describe(verification)));
    QCOMPARE(claims->subject, QStringLiteral("svc"));
    QCOMPARE(claims->payload.value(QStringLiteral("scp")).toString(), QStringLiteral("admin"));
    QVERIFY(!claims->payload.contains(QStringLiteral("sub")));
    QVERIFY(mayWatch(*claims, QStringLiteral("B7")));
    QVERIFY(!mayPublish(*claims));

    // The default names find no subject in this token.
    JwtConfig defaults;
    defaults.hs256Secret = m_secret;
    const JwtVerification withDefaults = JwtVerifier(defaults).verify(token, m_now);
    QVERIFY(std::holds_alternative<JwtError>(withDefaults));
    QCOMPARE(std::get<JwtError>(withDefaults).code, JwtErrorCode::MissingClaim);
}

void tst_JwtVerifier::concurrentVerification()
{
    struct Case
    {
        JwtVerifier verifier;
        QByteArray token;
    };
    const std::vector<Case> cases{
        {JwtVerifier(fixtureConfig(QStringLiteral("hs256"))),
         fixtureTokenNamed(QStringLiteral("HS256 valid"))},
        {JwtVerifier(fixtureConfig(QStringLiteral("rs256"))),
         fixtureTokenNamed(QStringLiteral("RS256 valid"))},
        {JwtVerifier(fixtureConfig(QStringLiteral("es256"))),
         fixtureTokenNamed(QStringLiteral("ES256 valid"))},
        {JwtVerifier(fixtureConfig(QStringLiteral("es256"))),
         fixtureTokenNamed(QStringLiteral("ES256 other key"))},
    };
    constexpr int ThreadCount = 4;
    constexpr int RoundsPerThread = 50;
    std::atomic<int> accepted{0};
    std::atomic<int> rejected{0};

    std::vector<std::thread> threads;
    for (int t = 0; t < ThreadCount; ++t) {
        threads.emplace_back([&] {
            for (int round = 0; round < RoundsPerThread; ++round) {
                for (const Case &c : cases) {
                    const auto verification = c.verifier.verify(c.token, m_now);
                    if (std::holds_alternative<JwtClaims>(verification))
                        ++accepted;
                    else
                        ++rejected;
                }
            }
        });
    }
    for (std::thread &thread : threads)
        thread.join();

    // Three valid tokens and one with a bad signature per round.
    QCOMPARE(accepted.load(), ThreadCount * RoundsPerThread * 3);
    QCOMPARE(rejected.load(), ThreadCount * RoundsPerThread);
}

QTEST_GUILESS_MAIN(tst_JwtVerifier)
#include "tst_jwtverifier.moc"
