#include "ssetestclient.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QDir>
#include <QFileInfo>
#include <QProcess>
#include <QRegularExpression>
#include <QScopeGuard>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

// The orderstream executable as operators run it: command line, start-up
// errors, signals, and a crash in the middle of publishing.
class tst_Headless : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void acknowledgedEventsSurviveSigkill();
    void sigtermStopsCleanly();
    void portInUseExitsWithError();
    void invalidOptionsExitWithUsageError_data();
    void invalidOptionsExitWithUsageError();
    void corruptJournalIsReportedAtStartup();
    void helpListsOptions();
    void consoleWithoutDisplayPointsToHeadless();
    void authIsOnByDefault();
    void tokenCommandNeedsSubject();
    void tokenCommandUsesSavedClaimNames();
    void configFileAndEnvironment();
    void invalidConfigFileExitsWithUsageError();
    void unopenableLogFileStopsStart();

private:
    // An environment whose config and data folders are inside m_dir, so that
    // the tests never touch the user's own files.
    QProcessEnvironment environment() const;

    // Starts orderstream --headless on a free port with the given journal and
    // returns the port it reports, or 0.
    quint16 startServer(const QString &journalPath, const QStringList &extraArguments = {});

    QTemporaryDir m_dir;
    std::unique_ptr<QProcess> m_process;
    QByteArray m_output;
};

void tst_Headless::init()
{
    QVERIFY(m_dir.isValid());
    m_output.clear();
}

void tst_Headless::cleanup()
{
    if (m_process && m_process->state() != QProcess::NotRunning) {
        m_process->kill();
        m_process->waitForFinished(10000);
    }
    m_process.reset();
}

QProcessEnvironment tst_Headless::environment() const
{
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("XDG_CONFIG_HOME"), m_dir.filePath(QStringLiteral("config")));
    environment.insert(QStringLiteral("XDG_DATA_HOME"), m_dir.filePath(QStringLiteral("data")));
    environment.remove(QStringLiteral("ORDERSTREAM_JWT_SECRET"));
    return environment;
}

quint16 tst_Headless::startServer(const QString &journalPath, const QStringList &extraArguments)
{
    m_process = std::make_unique<QProcess>();
    m_process->setProcessEnvironment(environment());
    m_process->setProcessChannelMode(QProcess::MergedChannels);
    connect(m_process.get(), &QProcess::readyRead, this,
            [this] { m_output += m_process->readAll(); });
    m_process->start(QStringLiteral(ORDERSTREAM_BINARY),
                     QStringList{QStringLiteral("--headless"), QStringLiteral("--port"),
                                 QStringLiteral("0"), QStringLiteral("--journal"), journalPath}
                             + extraArguments);
    if (!m_process->waitForStarted(10000))
        return 0;

    static const QRegularExpression listening(QStringLiteral("listening on http://[^:]+:(\\d+)"));
    QRegularExpressionMatch match;
    // The caller checks the returned port, so the wait's own result is not needed.
    [[maybe_unused]] const bool finished = QTest::qWaitFor(
            [&] {
                match = listening.match(QString::fromUtf8(m_output));
                return match.hasMatch() || m_process->state() == QProcess::NotRunning;
            },
            20000);
    return match.hasMatch() ? quint16(match.captured(1).toUInt()) : 0;
}

void tst_Headless::acknowledgedEventsSurviveSigkill()
{
    const QString journal = m_dir.filePath(QStringLiteral("crash.db"));
    quint16 port = startServer(journal, {QStringLiteral("--no-auth")});
    QVERIFY2(port != 0, m_output.constData());

    // Every 202 is a promise that the event is stored.
    const int count = 50;
    QList<qint64> acknowledged;
    for (int i = 0; i < count; ++i) {
        const HttpTestResponse response = sendHttpRequest(
                port, "POST", "/orders/CRASH-1/events",
                R"({"status":"step","message":"event )" + QByteArray::number(i) + R"("})");
        QCOMPARE(response.status, 202);
        acknowledged.append(QJsonDocument::fromJson(response.body).object().value(QStringLiteral("id")).toInteger());
    }

    m_process->kill();
    QVERIFY(m_process->waitForFinished(10000));
    QCOMPARE(m_process->exitStatus(), QProcess::CrashExit);

    m_output.clear();
    port = startServer(journal, {QStringLiteral("--no-auth")});
    QVERIFY2(port != 0, m_output.constData());

    SseTestClient client;
    client.open(port, "/orders/CRASH-1/events", {"Last-Event-ID: 0"});
    QTRY_COMPARE(client.events().size(), count);
    for (int i = 0; i < count; ++i)
        QCOMPARE(client.events().at(i).id.toLongLong(), acknowledged.at(i));

    // Ids go on after the crash; none is handed out twice.
    const HttpTestResponse next = sendHttpRequest(port, "POST", "/orders/CRASH-1/events",
                                                  R"({"status":"after"})");
    QCOMPARE(next.status, 202);
    QVERIFY(QJsonDocument::fromJson(next.body).object().value(QStringLiteral("id")).toInteger()
            > acknowledged.last());
}

void tst_Headless::sigtermStopsCleanly()
{
    const quint16 port = startServer(m_dir.filePath(QStringLiteral("term.db")), {QStringLiteral("--no-auth")});
    QVERIFY2(port != 0, m_output.constData());

    SseTestClient client;
    client.open(port, "/orders/A1/events");
    QTRY_VERIFY(client.headComplete());
    QCOMPARE(sendHttpRequest(port, "POST", "/orders/A1/events", R"({"status":"bye"})").status, 202);
    QTRY_COMPARE(client.events().size(), 1);

    m_process->terminate();
    QVERIFY(m_process->waitForFinished(20000));
    QCOMPARE(m_process->exitStatus(), QProcess::NormalExit);
    QCOMPARE(m_process->exitCode(), 0);
    // The stream ended with a FIN, as a browser needs to reconnect elsewhere.
    QTRY_VERIFY(!client.isConnected());
    QVERIFY(m_output.contains("shutting down"));
}

void tst_Headless::portInUseExitsWithError()
{
    const quint16 port = startServer(m_dir.filePath(QStringLiteral("first.db")), {QStringLiteral("--no-auth")});
    QVERIFY2(port != 0, m_output.constData());

    QProcess second;
    second.setProcessEnvironment(environment());
    second.setProcessChannelMode(QProcess::MergedChannels);
    second.start(QStringLiteral(ORDERSTREAM_BINARY),
                 {QStringLiteral("--headless"), QStringLiteral("--no-auth"), QStringLiteral("--port"),
                  QString::number(port),
                  QStringLiteral("--journal"), m_dir.filePath(QStringLiteral("second.db"))});
    QVERIFY(second.waitForFinished(20000));
    QCOMPARE(second.exitCode(), 1);
    const QByteArray output = second.readAll();
    const QByteArray expected = "cannot listen on 127.0.0.1 port " + QByteArray::number(port);
    QVERIFY2(output.contains(expected), output.constData());
}

void tst_Headless::invalidOptionsExitWithUsageError_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QByteArray>("message");

    QTest::newRow("port out of range") << QStringList{QStringLiteral("--port"), QStringLiteral("70000")}
                                       << QByteArray("invalid --port value \"70000\"");
    QTest::newRow("port not a number") << QStringList{QStringLiteral("--port"), QStringLiteral("http")}
                                       << QByteArray("invalid --port value");
    QTest::newRow("bad bind address") << QStringList{QStringLiteral("--bind"), QStringLiteral("localhost:80")}
                                      << QByteArray("invalid --bind address");
    QTest::newRow("negative heartbeat") << QStringList{QStringLiteral("--heartbeat-interval"), QStringLiteral("-1")}
                                        << QByteArray("invalid --heartbeat-interval");
    QTest::newRow("unknown command") << QStringList{QStringLiteral("tokn")}
                                     << QByteArray("unknown command \"tokn\"");
    QTest::newRow("unknown option") << QStringList{QStringLiteral("--no-such-option")}
                                    << QByteArray("Unknown option 'no-such-option'");
    QTest::newRow("origin with path") << QStringList{QStringLiteral("--cors-origin"), QStringLiteral("https://a.test/x")}
                                      << QByteArray("invalid --cors-origin");
}

void tst_Headless::invalidOptionsExitWithUsageError()
{
    QFETCH(QStringList, arguments);
    QFETCH(QByteArray, message);

    QProcess process;
    process.setProcessEnvironment(environment());
    process.setProcessChannelMode(QProcess::MergedChannels);
    process.start(QStringLiteral(ORDERSTREAM_BINARY),
                  QStringList{QStringLiteral("--headless"), QStringLiteral("--no-auth")} + arguments);
    QVERIFY(process.waitForFinished(20000));
    QCOMPARE(process.exitCode(), 2);
    const QByteArray output = process.readAll();
    QVERIFY2(output.contains(message), output.constData());
}

void tst_Headless::corruptJournalIsReportedAtStartup()
{
    const QString journal = m_dir.filePath(QStringLiteral("corrupt.db"));
    QFile file(journal);
    QVERIFY(file.open(QIODevice::WriteOnly));
    const QByteArray garbage(4096, 'x');
    file.write(garbage);
    file.close();

    QProcess process;
    process.setProcessEnvironment(environment());
    process.setProcessChannelMode(QProcess::MergedChannels);
    process.start(QStringLiteral(ORDERSTREAM_BINARY),
                  {QStringLiteral("--headless"), QStringLiteral("--no-auth"), QStringLiteral("--port"),
                   QStringLiteral("0"), QStringLiteral("--journal"), journal});
    QVERIFY(process.waitForFinished(20000));
    QCOMPARE(process.exitStatus(), QProcess::NormalExit);
    QCOMPARE(process.exitCode(), 1);
    const QByteArray output = process.readAll();
    QVERIFY2(output.contains(journal.toUtf8()), output.constData());

    // The file is left exactly as it was.
    QVERIFY(file.open(QIODevice::ReadOnly));
    QCOMPARE(file.readAll(), garbage);
}

void tst_Headless::helpListsOptions()
{
    QProcess process;
    process.start(QStringLiteral(ORDERSTREAM_BINARY), {QStringLiteral("--headless"), QStringLiteral("--help")});
    QVERIFY(process.waitForFinished(20000));
    QCOMPARE(process.exitCode(), 0);
    const QByteArray help = process.readAllStandardOutput();
    for (const char *option : {"--headless", "--bind", "--port", "--heartbeat-interval", "--journal",
                               "--workers", "--listen-backlog", "--cors-origin"})
        QVERIFY2(help.contains(option), option);
}

void tst_Headless::consoleWithoutDisplayPointsToHeadless()
{
    QProcessEnvironment withoutDisplay = environment();
    for (const char *name : {"DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"})
        withoutDisplay.remove(QLatin1String(name));
    QProcess process;
    process.setProcessEnvironment(withoutDisplay);
    process.start(QStringLiteral(ORDERSTREAM_BINARY), {QStringLiteral("--port"), QStringLiteral("0")});
    QVERIFY(process.waitForFinished(20000));
    QCOMPARE(process.exitStatus(), QProcess::NormalExit);
    QCOMPARE(process.exitCode(), 1);
    QVERIFY(process.readAllStandardError().contains("start the server alone with --headless"));
}

void tst_Headless::authIsOnByDefault()
{
    // No key options: the server creates a secret in its config folder.
    const quint16 port = startServer(m_dir.filePath(QStringLiteral("auth.db")));
    QVERIFY2(port != 0, m_output.constData());
    const QString secretPath = m_dir.filePath(QStringLiteral("config/OrderStream/orderstream/jwt-secret"));
    QVERIFY(QFileInfo::exists(secretPath));
    QCOMPARE(QFile::permissions(secretPath) & (QFileDevice::ReadGroup | QFileDevice::ReadOther),
             QFileDevice::Permissions());

    const HttpTestResponse anonymous = sendHttpRequest(port, "GET", "/orders/8015g000001AbCdAAK/events");
    QCOMPARE(anonymous.status, 401);

    // "orderstream token" signs with the same secret.
    QProcess tokenCommand;
    tokenCommand.setProcessEnvironment(environment());
    tokenCommand.start(QStringLiteral(ORDERSTREAM_BINARY),
                       {QStringLiteral("token"), QStringLiteral("--subject"), QStringLiteral("alice"),
                        QStringLiteral("--orders"), QStringLiteral("8015g000001AbCdAAK")});
    QVERIFY(tokenCommand.waitForFinished(20000));
    QCOMPARE(tokenCommand.exitCode(), 0);
    const QByteArray token = tokenCommand.readAllStandardOutput().trimmed();
    QCOMPARE(token.count('.'), 2);

    SseTestClient client;
    client.open(port, "/orders/8015g000001AbCdAAK/events", {"Authorization: Bearer " + token});
    QTRY_VERIFY(client.headComplete());
    QCOMPARE(client.statusCode(), 200);
    const HttpTestResponse other = sendHttpRequest(port, "GET", "/orders/OTHER/events", {},
                                                   {"Authorization: Bearer " + token});
    QCOMPARE(other.status, 403);
    QVERIFY(!m_output.contains(token));
}

void tst_Headless::tokenCommandNeedsSubject()
{
    QProcess tokenCommand;
    tokenCommand.setProcessEnvironment(environment());
    tokenCommand.start(QStringLiteral(ORDERSTREAM_BINARY), {QStringLiteral("token")});
    QVERIFY(tokenCommand.waitForFinished(20000));
    QCOMPARE(tokenCommand.exitCode(), 2);
    QVERIFY(tokenCommand.readAllStandardError().contains("--subject is required"));
}

void tst_Headless::tokenCommandUsesSavedClaimNames()
{
    // Settings saved by the console rename the publish scope and add an
    // issuer; a token from "orderstream token" must satisfy the server.
    const QString configDir = m_dir.filePath(QStringLiteral("config/OrderStream"));
    QVERIFY(QDir().mkpath(configDir));
    QFile settings(configDir + QStringLiteral("/orderstream.conf"));
    QVERIFY(settings.open(QIODevice::WriteOnly));
    settings.write("[auth]\npublishScope=events:write\nissuer=fulfilment\n");
    settings.close();

    const quint16 port = startServer(m_dir.filePath(QStringLiteral("claims.db")));
    QVERIFY2(port != 0, m_output.constData());

    QProcess tokenCommand;
    tokenCommand.setProcessEnvironment(environment());
    tokenCommand.start(QStringLiteral(ORDERSTREAM_BINARY),
                       {QStringLiteral("token"), QStringLiteral("--subject"),
                        QStringLiteral("orchestrator"), QStringLiteral("--publisher")});
    QVERIFY(tokenCommand.waitForFinished(20000));
    QCOMPARE(tokenCommand.exitCode(), 0);
    const QByteArray token = tokenCommand.readAllStandardOutput().trimmed();

    const HttpTestResponse published = sendHttpRequest(
            port, "POST", "/orders/A1/events", R"({"status":"Activating"})",
            {"Authorization: Bearer " + token});
    QCOMPARE(published.status, 202);
}

void tst_Headless::configFileAndEnvironment()
{
    // The file turns authentication off, sets the retry and a log file; the
    // environment overrides the retry. startServer() passes --port 0, which
    // overrides the file's port.
    const QString logPath = m_dir.filePath(QStringLiteral("headless.log"));
    const QString configPath = m_dir.filePath(QStringLiteral("headless.conf"));
    QFile config(configPath);
    QVERIFY(config.open(QIODevice::WriteOnly));
    config.write("[server]\nport = 1\nno-auth = true\nretry = 999\nlog-file = "
                 + logPath.toUtf8() + "\n");
    config.close();
    qputenv("ORDERSTREAM_RETRY", "1234");
    const auto unset = qScopeGuard([] { qunsetenv("ORDERSTREAM_RETRY"); });

    const quint16 port = startServer(m_dir.filePath(QStringLiteral("config.db")),
                                     {QStringLiteral("--config"), configPath});
    QVERIFY2(port != 0, m_output.constData());

    SseTestClient client;
    client.open(port, "/orders/A1/events");
    QTRY_VERIFY(!client.frames().isEmpty());
    QCOMPARE(client.statusCode(), 200);
    QCOMPARE(client.frames().constFirst().retry, QByteArray("1234"));

    // The log file has the lines of standard error, in the same format.
    QFile log(logPath);
    QVERIFY(log.open(QIODevice::ReadOnly));
    const QByteArray logged = log.readAll();
    const QByteArray listening = "orderstream.service: listening on http://127.0.0.1:"
            + QByteArray::number(port);
    QVERIFY2(logged.contains(listening), logged.constData());
    static const QRegularExpression linePattern(
            QStringLiteral("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3} "
                           "(debug|info|warning|critical) [\\w.]+: "));
    const QList<QByteArray> lines = logged.trimmed().split('\n');
    for (const QByteArray &line : lines)
        QVERIFY2(linePattern.match(QString::fromUtf8(line)).hasMatch(), line.constData());
}

void tst_Headless::invalidConfigFileExitsWithUsageError()
{
    const QString configPath = m_dir.filePath(QStringLiteral("typo.conf"));
    QFile config(configPath);
    QVERIFY(config.open(QIODevice::WriteOnly));
    config.write("[server]\nport = 8080\nheartbeat-intervall = 5\n");
    config.close();

    QProcess process;
    process.setProcessEnvironment(environment());
    process.setProcessChannelMode(QProcess::MergedChannels);
    process.start(QStringLiteral(ORDERSTREAM_BINARY),
                  {QStringLiteral("--headless"), QStringLiteral("--config"), configPath});
    QVERIFY(process.waitForFinished(20000));
    QCOMPARE(process.exitCode(), 2);
    const QByteArray output = process.readAll();
    const QByteArray expected = "config file " + configPath.toUtf8()
            + ", line 3: unknown key \"heartbeat-intervall\"";
    QVERIFY2(output.contains(expected), output.constData());
}

void tst_Headless::unopenableLogFileStopsStart()
{
    const QString logPath = m_dir.filePath(QStringLiteral("no-such-folder/orderstream.log"));
    QProcess process;
    process.setProcessEnvironment(environment());
    process.setProcessChannelMode(QProcess::MergedChannels);
    process.start(QStringLiteral(ORDERSTREAM_BINARY),
                  {QStringLiteral("--headless"), QStringLiteral("--no-auth"),
                   QStringLiteral("--port"), QStringLiteral("0"), QStringLiteral("--journal"),
                   m_dir.filePath(QStringLiteral("log.db")), QStringLiteral("--log-file"),
                   logPath});
    QVERIFY(process.waitForFinished(20000));
    QCOMPARE(process.exitCode(), 1);
    const QByteArray output = process.readAll();
    const QByteArray expected = "cannot open log file " + logPath.toUtf8();
    QVERIFY2(output.contains(expected), output.constData());
    QVERIFY2(!output.contains("listening on"), output.constData());
}

QTEST_GUILESS_MAIN(tst_Headless)
#include "tst_headless.moc"
