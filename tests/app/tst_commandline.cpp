#include "authsettings.h"
#include "commandline.h"
#include "secretfile.h"

#include <QFile>
#include <QSettings>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

// parseCommandLine() with saved authentication settings as defaults, in
// Qt's test mode so that QSettings and the default secret file stay apart
// from the user's.
class tst_CommandLine : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();

    void settingsRoundTrip();
    void invalidSavedValuesFallBack();
    void savedSettingsAreDefaults();
    void optionsOverrideSavedSettings();
    void savedSecretFileMustExist();
    void builtInDefaultsWithoutSettings();

private:
    QString writeSecret(const QString &name, const QByteArray &secret);
    bool parse(const QStringList &arguments, CommandLineOptions &options, QString *error);

    QTemporaryDir m_dir;
};

void tst_CommandLine::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("OrderStreamTests"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_commandline"));
    qunsetenv("ORDERSTREAM_JWT_SECRET");
    QVERIFY(m_dir.isValid());
}

void tst_CommandLine::init()
{
    QSettings().clear();
}

QString tst_CommandLine::writeSecret(const QString &name, const QByteArray &secret)
{
    const QString path = m_dir.filePath(name);
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return {};
    file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    file.write(secret);
    return path;
}

bool tst_CommandLine::parse(const QStringList &arguments, CommandLineOptions &options,
                            QString *error)
{
    return parseCommandLine(QStringList{QStringLiteral("orderstream")} + arguments, options,
                            error);
}

void tst_CommandLine::settingsRoundTrip()
{
    AuthSettings saved;
    saved.secretFilePath = QStringLiteral("/srv/orderstream/secret");
    saved.publicKeyPath = QStringLiteral("/srv/orderstream/issuer.pem");
    saved.issuer = QStringLiteral("https://issuer.example");
    saved.audience = QStringLiteral("orders-api");
    saved.leewaySeconds = 5;
    saved.subjectClaim = QStringLiteral("uid");
    saved.ordersClaim = QStringLiteral("order_ids");
    saved.scopeClaim = QStringLiteral("scp");
    saved.staffScope = QStringLiteral("staff");
    saved.publishScope = QStringLiteral("publisher");
    saved.tokenCookieName = QStringLiteral("session");
    saved.authFailuresPerMinute = 7;
    saved.save();

    const AuthSettings loaded = AuthSettings::load();
    QCOMPARE(loaded.secretFilePath, saved.secretFilePath);
    QCOMPARE(loaded.publicKeyPath, saved.publicKeyPath);
    QCOMPARE(loaded.issuer, saved.issuer);
    QCOMPARE(loaded.audience, saved.audience);
    QCOMPARE(loaded.leewaySeconds, 5);
    QCOMPARE(loaded.subjectClaim, saved.subjectClaim);
    QCOMPARE(loaded.ordersClaim, saved.ordersClaim);
    QCOMPARE(loaded.scopeClaim, saved.scopeClaim);
    QCOMPARE(loaded.staffScope, saved.staffScope);
    QCOMPARE(loaded.publishScope, saved.publishScope);
    QCOMPARE(loaded.tokenCookieName, saved.tokenCookieName);
    QCOMPARE(loaded.authFailuresPerMinute, 7);
    QVERIFY(QSettings().childGroups().contains(QStringLiteral("auth")));
}

void tst_CommandLine::invalidSavedValuesFallBack()
{
    QSettings settings;
    settings.setValue(QStringLiteral("auth/leewaySeconds"), 99999);
    settings.setValue(QStringLiteral("auth/failuresPerMinute"), QStringLiteral("many"));
    settings.setValue(QStringLiteral("auth/scopeClaim"), QStringLiteral("two words"));
    settings.setValue(QStringLiteral("auth/tokenCookie"), QString());
    settings.sync();

    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("auth/leewaySeconds")));
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("auth/failuresPerMinute")));
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("auth/scopeClaim")));
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("auth/tokenCookie")));
    const AuthSettings loaded = AuthSettings::load();
    const AuthSettings defaults;
    QCOMPARE(loaded.leewaySeconds, defaults.leewaySeconds);
    QCOMPARE(loaded.authFailuresPerMinute, defaults.authFailuresPerMinute);
    QCOMPARE(loaded.scopeClaim, defaults.scopeClaim);
    QCOMPARE(loaded.tokenCookieName, defaults.tokenCookieName);
}

void tst_CommandLine::savedSettingsAreDefaults()
{
    const QByteArray secret = "saved-secret-0123456789abcdefghijklmnopqrstuvwxyz";
    AuthSettings saved;
    saved.secretFilePath = writeSecret(QStringLiteral("saved-secret"), secret);
    saved.issuer = QStringLiteral("https://issuer.example");
    saved.audience = QStringLiteral("orders-api");
    saved.leewaySeconds = 5;
    saved.subjectClaim = QStringLiteral("uid");
    saved.ordersClaim = QStringLiteral("order_ids");
    saved.scopeClaim = QStringLiteral("scp");
    saved.staffScope = QStringLiteral("staff");
    saved.publishScope = QStringLiteral("publisher");
    saved.tokenCookieName = QStringLiteral("session");
    saved.authFailuresPerMinute = 7;
    saved.save();

    CommandLineOptions options;
    QString error;
    QVERIFY2(parse({}, options, &error), qPrintable(error));
    const ServerConfig &config = options.server;
    QVERIFY(config.authEnabled);
    QCOMPARE(config.jwt.hs256Secret, secret);
    QCOMPARE(config.jwt.issuer, saved.issuer);
    QCOMPARE(config.jwt.audience, saved.audience);
    QCOMPARE(config.jwt.leewaySeconds, 5);
    QCOMPARE(config.jwt.subjectClaim, saved.subjectClaim);
    QCOMPARE(config.jwt.ordersClaim, saved.ordersClaim);
    QCOMPARE(config.jwt.scopeClaim, saved.scopeClaim);
    QCOMPARE(config.jwt.staffScope, saved.staffScope);
    QCOMPARE(config.jwt.publishScope, saved.publishScope);
    QCOMPARE(config.tokenCookieName, saved.tokenCookieName);
    QCOMPARE(config.authFailuresPerMinute, 7);
}

void tst_CommandLine::optionsOverrideSavedSettings()
{
    AuthSettings saved;
    saved.secretFilePath = writeSecret(QStringLiteral("saved-secret-2"),
                                       "saved-secret-0123456789abcdefghijklmnopqrstuvwxyz");
    saved.issuer = QStringLiteral("https://saved.example");
    saved.audience = QStringLiteral("saved-audience");
    saved.leewaySeconds = 5;
    saved.tokenCookieName = QStringLiteral("saved_cookie");
    saved.authFailuresPerMinute = 7;
    saved.subjectClaim = QStringLiteral("uid");
    saved.save();

    const QByteArray optionSecret = "option-secret-0123456789abcdefghijklmnopqrstuvwxyz";
    const QString optionSecretPath = writeSecret(QStringLiteral("option-secret"), optionSecret);
    CommandLineOptions options;
    QString error;
    QVERIFY2(parse({QStringLiteral("--jwt-secret-file"), optionSecretPath,
                    QStringLiteral("--jwt-issuer"), QStringLiteral("https://option.example"),
                    QStringLiteral("--jwt-audience"), QStringLiteral("option-audience"),
                    QStringLiteral("--jwt-leeway"), QStringLiteral("0"),
                    QStringLiteral("--token-cookie"), QStringLiteral("option_cookie"),
                    QStringLiteral("--auth-failures-per-minute"), QStringLiteral("100")},
                   options, &error),
             qPrintable(error));
    const ServerConfig &config = options.server;
    QCOMPARE(config.jwt.hs256Secret, optionSecret);
    QCOMPARE(config.jwt.issuer, QStringLiteral("https://option.example"));
    QCOMPARE(config.jwt.audience, QStringLiteral("option-audience"));
    QCOMPARE(config.jwt.leewaySeconds, 0);
    QCOMPARE(config.tokenCookieName, QStringLiteral("option_cookie"));
    QCOMPARE(config.authFailuresPerMinute, 100);
    // Claim names have no options, so the saved ones stay.
    QCOMPARE(config.jwt.subjectClaim, QStringLiteral("uid"));

    // An empty option value overrides a saved issuer too.
    QVERIFY2(parse({QStringLiteral("--jwt-issuer"), QString()}, options, &error),
             qPrintable(error));
    QCOMPARE(options.server.jwt.issuer, QString());
}

void tst_CommandLine::savedSecretFileMustExist()
{
    AuthSettings saved;
    saved.secretFilePath = m_dir.filePath(QStringLiteral("no-such-secret"));
    saved.save();

    CommandLineOptions options;
    QString error;
    QVERIFY(!parse({}, options, &error));
    QVERIFY2(error.contains(QLatin1String("does not exist")), qPrintable(error));
    QVERIFY(!QFile::exists(saved.secretFilePath));

    // --no-auth reads no keys, so the missing file does not matter.
    QVERIFY2(parse({QStringLiteral("--no-auth")}, options, &error), qPrintable(error));
    QVERIFY(!options.server.authEnabled);
}

void tst_CommandLine::builtInDefaultsWithoutSettings()
{
    CommandLineOptions options;
    QString error;
    QVERIFY2(parse({}, options, &error), qPrintable(error));
    const ServerConfig defaults;
    const AuthSettings defaultSettings;
    QCOMPARE(options.server.jwt.leewaySeconds, defaultSettings.leewaySeconds);
    QCOMPARE(options.server.tokenCookieName, defaults.tokenCookieName);
    QCOMPARE(options.server.authFailuresPerMinute, defaults.authFailuresPerMinute);
    QCOMPARE(options.server.jwt.subjectClaim, defaults.jwt.subjectClaim);
    QCOMPARE(options.server.jwt.issuer, QString());
    // Without settings the default secret file is created, in test mode
    // under ~/.qttest rather than the user's config folder.
    QVERIFY(QFile::exists(SecretFile::defaultPath()));
    QCOMPARE(options.server.jwt.hs256Secret.size(), qsizetype(64));
}

QTEST_GUILESS_MAIN(tst_CommandLine)

#include "tst_commandline.moc"
