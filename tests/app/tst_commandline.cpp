#include "authsettings.h"
#include "commandline.h"
#include "secretfile.h"

#include <QFile>
#include <QHostAddress>
#include <QRegularExpression>
#include <QScopeGuard>
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

    void precedenceOfSources();
    void configFileSetsEveryKind();
    void environmentListsAndSwitches();
    void invalidSettingsNameOrigin_data();
    void invalidSettingsNameOrigin();
    void environmentNamesFollowOptions();
    void exampleConfigFileParses();

private:
    QString writeSecret(const QString &name, const QByteArray &secret);
    QString writeConfig(const QString &name, const QByteArray &contents);
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

QString tst_CommandLine::writeConfig(const QString &name, const QByteArray &contents)
{
    const QString path = m_dir.filePath(name);
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return {};
    file.write(contents);
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

void tst_CommandLine::precedenceOfSources()
{
    const QString config = writeConfig(QStringLiteral("precedence.conf"),
                                       "[server]\nport = 1111\nretry = 100\n"
                                       "heartbeat-interval = 20\nno-auth = true\n");
    qputenv("ORDERSTREAM_PORT", "2222");
    qputenv("ORDERSTREAM_RETRY", "200");
    const auto unset = qScopeGuard([] {
        qunsetenv("ORDERSTREAM_PORT");
        qunsetenv("ORDERSTREAM_RETRY");
    });

    CommandLineOptions options;
    QString error;
    QVERIFY2(parse({QStringLiteral("--config"), config, QStringLiteral("--port"),
                    QStringLiteral("3333")},
                   options, &error),
             qPrintable(error));
    // Command line over environment over config file over defaults.
    QCOMPARE(options.server.port, quint16(3333));
    QCOMPARE(options.server.retryMs, 200);
    QCOMPARE(options.server.heartbeatIntervalMs, 20000);
    QVERIFY(!options.server.authEnabled);
    QCOMPARE(options.server.listenBacklog, ServerConfig().listenBacklog);

    // ORDERSTREAM_CONFIG names the file when --config is not given.
    qputenv("ORDERSTREAM_CONFIG", config.toLocal8Bit());
    const auto unsetConfig = qScopeGuard([] { qunsetenv("ORDERSTREAM_CONFIG"); });
    QVERIFY2(parse({}, options, &error), qPrintable(error));
    QCOMPARE(options.server.port, quint16(2222));
    QCOMPARE(options.server.heartbeatIntervalMs, 20000);
}

void tst_CommandLine::configFileSetsEveryKind()
{
    const QString config = writeConfig(
            QStringLiteral("kinds.conf"),
            "# A comment with # and one with ;\n"
            "; port = 1\n"
            "[server]\n"
            "#port = 9\n"
            "bind = ::1\n"
            "heartbeat-interval = 2.5\n"
            "journal = /srv/orderstream/journal.db\n"
            "cors-origin = https://a.example, https://b.example:8443\n"
            "jwt-audience = \"orders, api\"\n"
            "no-auth = yes\n"
            "log-file = /var/log/orderstream/orderstream.log\n"
            "log-max-size = 2048\n"
            "log-files = 2\n");

    CommandLineOptions options;
    QString error;
    QVERIFY2(parse({QStringLiteral("--config"), config}, options, &error), qPrintable(error));
    QCOMPARE(options.server.port, quint16(8080));
    QCOMPARE(options.server.bindAddress, QHostAddress(QHostAddress::LocalHostIPv6));
    QCOMPARE(options.server.heartbeatIntervalMs, 2500);
    QCOMPARE(options.server.journalPath, QStringLiteral("/srv/orderstream/journal.db"));
    QCOMPARE(options.server.corsOrigins,
             (QStringList{QStringLiteral("https://a.example"),
                          QStringLiteral("https://b.example:8443")}));
    QCOMPARE(options.server.jwt.audience, QStringLiteral("orders, api"));
    QVERIFY(!options.server.authEnabled);
    QCOMPARE(options.logFile.path, QStringLiteral("/var/log/orderstream/orderstream.log"));
    QCOMPARE(options.logFile.maxSizeBytes, qint64(2048));
    QCOMPARE(options.logFile.keptFiles, 2);

    // Repeated --cors-origin replaces the file's list instead of adding to it.
    QVERIFY2(parse({QStringLiteral("--config"), config, QStringLiteral("--cors-origin"),
                    QStringLiteral("https://c.example")},
                   options, &error),
             qPrintable(error));
    QCOMPARE(options.server.corsOrigins, QStringList{QStringLiteral("https://c.example")});
}

void tst_CommandLine::environmentListsAndSwitches()
{
    qputenv("ORDERSTREAM_CORS_ORIGIN", "https://a.example, https://b.example");
    qputenv("ORDERSTREAM_NO_AUTH", "true");
    qputenv("ORDERSTREAM_LOG_FILE", "/tmp/orderstream.log");
    const auto unset = qScopeGuard([] {
        qunsetenv("ORDERSTREAM_CORS_ORIGIN");
        qunsetenv("ORDERSTREAM_NO_AUTH");
        qunsetenv("ORDERSTREAM_LOG_FILE");
    });

    CommandLineOptions options;
    QString error;
    QVERIFY2(parse({}, options, &error), qPrintable(error));
    QCOMPARE(options.server.corsOrigins.size(), 2);
    QVERIFY(!options.server.authEnabled);
    QCOMPARE(options.logFile.path, QStringLiteral("/tmp/orderstream.log"));
    QCOMPARE(options.logFile.maxSizeBytes, LogFileConfig::DefaultMaxSizeBytes);

    qputenv("ORDERSTREAM_NO_AUTH", "false");
    QVERIFY2(parse({}, options, &error), qPrintable(error));
    QVERIFY(options.server.authEnabled);
}

void tst_CommandLine::invalidSettingsNameOrigin_data()
{
    QTest::addColumn<QByteArray>("config");
    QTest::addColumn<QByteArray>("environment");
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("message");

    // %1 stands for the config file's path.
    QTest::newRow("file value out of range")
            << QByteArray("[server]\n\nport = 70000\n") << QByteArray() << QStringList()
            << QStringLiteral("config file %1, line 3, key port: invalid value \"70000\"; "
                              "expected an integer from 0 to 65535");
    QTest::newRow("file unknown key")
            << QByteArray("[server]\nport = 80\nheartbeat-intervall = 5\n") << QByteArray()
            << QStringList()
            << QStringLiteral("config file %1, line 3: unknown key \"heartbeat-intervall\"");
    QTest::newRow("file key outside group")
            << QByteArray("port = 80\n") << QByteArray() << QStringList()
            << QStringLiteral("config file %1, line 1: unknown key \"port\"; options go in the "
                              "[server] group");
    QTest::newRow("file key in other group")
            << QByteArray("[server]\nport = 80\n[auth]\nissuer = x\n") << QByteArray()
            << QStringList()
            << QStringLiteral("config file %1, line 4: unknown key \"auth/issuer\"");
    QTest::newRow("file key twice")
            << QByteArray("[server]\nport = 80\nretry = 5\nport = 81\n") << QByteArray()
            << QStringList()
            << QStringLiteral("config file %1, line 4: key server/port is already set on line 2");
    QTest::newRow("file command-line-only key")
            << QByteArray("[server]\nheadless = true\n") << QByteArray() << QStringList()
            << QStringLiteral("config file %1, line 2: key \"headless\" is not allowed in a "
                              "config file");
    QTest::newRow("file list for one value")
            << QByteArray("[server]\njwt-issuer = a, b\n") << QByteArray() << QStringList()
            << QStringLiteral("config file %1, line 2, key jwt-issuer: expected one value");
    QTest::newRow("file bad switch")
            << QByteArray("[server]\nno-auth = maybe\n") << QByteArray() << QStringList()
            << QStringLiteral("config file %1, line 2, key no-auth: invalid value \"maybe\"; "
                              "expected true or false (or yes/no, on/off, 1/0)");
    QTest::newRow("file bad origin")
            << QByteArray("[server]\ncors-origin = https://a.example, ftp://b.example\n")
            << QByteArray() << QStringList()
            << QStringLiteral("config file %1, line 2, key cors-origin: invalid value "
                              "\"ftp://b.example\"; expected scheme://host[:port] with no path");
    QTest::newRow("environment value")
            << QByteArray() << QByteArray("ORDERSTREAM_PORT=http") << QStringList()
            << QStringLiteral("environment ORDERSTREAM_PORT: invalid value \"http\"; expected an "
                              "integer from 0 to 65535");
    QTest::newRow("environment empty value")
            << QByteArray() << QByteArray("ORDERSTREAM_LOG_FILES=") << QStringList()
            << QStringLiteral("environment ORDERSTREAM_LOG_FILES: invalid value \"\"; expected "
                              "an integer from 0 to 1000");
    QTest::newRow("environment beats valid file")
            << QByteArray("[server]\nport = 80\n") << QByteArray("ORDERSTREAM_PORT=-1")
            << QStringList() << QStringLiteral("environment ORDERSTREAM_PORT: invalid value");
    QTest::newRow("command line value")
            << QByteArray() << QByteArray() << QStringList{QStringLiteral("--log-max-size"),
                                                           QStringLiteral("10")}
            << QStringLiteral("invalid --log-max-size value \"10\"; expected an integer from "
                              "1024 to 1099511627776");
    QTest::newRow("command line bind")
            << QByteArray() << QByteArray() << QStringList{QStringLiteral("--bind"),
                                                           QStringLiteral("localhost")}
            << QStringLiteral("invalid --bind address \"localhost\"");
}

void tst_CommandLine::invalidSettingsNameOrigin()
{
    QFETCH(QByteArray, config);
    QFETCH(QByteArray, environment);
    QFETCH(QStringList, arguments);
    QFETCH(QString, message);

    // Without --no-auth, which would override the "file bad switch" row.
    QStringList allArguments;
    QString configPath;
    if (!config.isEmpty()) {
        configPath = writeConfig(QStringLiteral("invalid.conf"), config);
        allArguments << QStringLiteral("--config") << configPath;
    }
    QByteArray variable;
    if (!environment.isEmpty()) {
        const qsizetype equals = environment.indexOf('=');
        variable = environment.left(equals);
        qputenv(variable.constData(), environment.mid(equals + 1));
    }
    const auto unset = qScopeGuard([&variable] {
        if (!variable.isEmpty())
            qunsetenv(variable.constData());
    });

    CommandLineOptions options;
    options.server.port = 4321;
    QString error;
    QVERIFY(!parse(allArguments + arguments, options, &error));
    const QString expected = message.contains(QLatin1String("%1")) ? message.arg(configPath) : message;
    QVERIFY2(error.startsWith(expected), qPrintable(error + QStringLiteral("\nexpected: ") + expected));
    // A failed parse leaves the options as they were.
    QCOMPARE(options.server.port, quint16(4321));
}

void tst_CommandLine::environmentNamesFollowOptions()
{
    QCOMPARE(environmentVariableName(QStringLiteral("port")), QStringLiteral("ORDERSTREAM_PORT"));
    QCOMPARE(environmentVariableName(QStringLiteral("max-streams-per-address")),
             QStringLiteral("ORDERSTREAM_MAX_STREAMS_PER_ADDRESS"));

    const QString config = writeConfig(QStringLiteral("missing.conf"), {});
    QFile::remove(config);
    CommandLineOptions options;
    QString error;
    QVERIFY(!parse({QStringLiteral("--config"), config}, options, &error));
    QVERIFY2(error.startsWith(QStringLiteral("cannot read config file %1").arg(config)),
             qPrintable(error));
}

void tst_CommandLine::exampleConfigFileParses()
{
    QFile example(QStringLiteral(ORDERSTREAM_EXAMPLE_CONFIG));
    QVERIFY2(example.open(QIODevice::ReadOnly), qPrintable(example.fileName()));
    const QByteArray contents = example.readAll();

    // Every key is in the file, commented out with its default, or set.
    static const QRegularExpression keyLine(
            QStringLiteral("^(#?)([a-z0-9-]+) = ?(.*)$"), QRegularExpression::MultilineOption);
    QHash<QString, QString> commented;
    QStringList set;
    QRegularExpressionMatchIterator matches = keyLine.globalMatch(QString::fromUtf8(contents));
    while (matches.hasNext()) {
        const QRegularExpressionMatch match = matches.next();
        if (match.captured(1).isEmpty())
            set.append(match.captured(2));
        else
            commented.insert(match.captured(2), match.captured(3));
    }
    const QList<ServerOption> table = serverOptions(AuthSettings());
    for (const ServerOption &option : table) {
        if (!(option.sources & ServerOption::ConfigFile))
            continue;
        QVERIFY2(commented.contains(option.name) || set.contains(option.name),
                 qPrintable(option.name));
        if (commented.contains(option.name))
            QCOMPARE(commented.value(option.name), option.defaultValue);
    }

    // The file as installed parses, and so it does with every key uncommented.
    CommandLineOptions options;
    QString error;
    const QStringList noAuth{QStringLiteral("--no-auth"), QStringLiteral("--config")};
    QVERIFY2(parse(noAuth + QStringList{example.fileName()}, options, &error), qPrintable(error));
    QCOMPARE(options.server.port, quint16(8080));

    static const QRegularExpression commentedKey(QStringLiteral("^#([a-z0-9-]+ =)"),
                                                 QRegularExpression::MultilineOption);
    const QString uncommented = QString::fromUtf8(contents).replace(commentedKey,
                                                                   QStringLiteral("\\1"));
    const QString path = writeConfig(QStringLiteral("uncommented.conf"), uncommented.toUtf8());
    QVERIFY2(parse(noAuth + QStringList{path}, options, &error), qPrintable(error));
    const ServerConfig defaults;
    QCOMPARE(options.server.port, defaults.port);
    QCOMPARE(options.server.heartbeatIntervalMs, defaults.heartbeatIntervalMs);
    QCOMPARE(options.server.maxUnsentBytes, defaults.maxUnsentBytes);
    QCOMPARE(options.server.reconnectWindowMs, defaults.reconnectWindowMs);
    QCOMPARE(options.server.corsOrigins, QStringList());
    QCOMPARE(options.logFile.maxSizeBytes, LogFileConfig::DefaultMaxSizeBytes);
}

QTEST_GUILESS_MAIN(tst_CommandLine)

#include "tst_commandline.moc"
