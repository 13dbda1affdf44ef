#include "jwtsigner.h"
#include "orderstreamservice.h"
#include "ssetestclient.h"
#include "testservice.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <memory>

namespace {

// Bound on each wait for a client process or for its output.
constexpr int ClientTimeoutMs = 30000;

struct ClientResult
{
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

// A random HS256 secret of 64 hex digits, which also fits an environment variable.
QByteArray makeSecret()
{
    QByteArray secret;
    for (int i = 0; i < 8; ++i)
        secret += QByteArray::number(QRandomGenerator::system()->generate(), 16).rightJustified(8, '0');
    return secret;
}

// The event ids in the lines that "orderstream watch" printed, in order.
QList<int> printedIds(const QByteArray &output)
{
    static const QRegularExpression id(QStringLiteral("  #(\\d+)  "));
    QList<int> ids;
    QRegularExpressionMatchIterator it = id.globalMatch(QString::fromUtf8(output));
    while (it.hasNext())
        ids.append(it.next().captured(1).toInt());
    return ids;
}

} // namespace

// The client commands of the orderstream executable (publish, watch and
// simulate) against a real server in this process, with authentication on.
// The children sign their own tokens with the server's secret, which they
// read from ORDERSTREAM_JWT_SECRET.
class tst_ClientCommands : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void publishPrintsEventId();
    void publishErrorsGiveExitCodes_data();
    void publishErrorsGiveExitCodes();
    void publishLifecycleConflict();
    void watchPrintsEventsAndReconnects();
    void watchJsonResumesAfterLastEventId();
    void watchEndsAfterFinalStage();
    void watchStopsOnNoContent();
    void watchResyncPrintsCurrentStatus();
    void watchWithoutServerFails();
    void simulateFinishesOrders();
    void simulateWithoutServerFails();

private:
    bool startService(quint16 port, QString *errorMessage);
    QString serverUrl() const;
    QProcessEnvironment environment() const;
    ClientResult runClient(const QStringList &arguments);
    // Starts a long-running client whose output collects in m_watchOut and m_watchErr.
    void startWatch(const QStringList &arguments);
    QJsonObject fetchOrder(const QString &orderId);
    quint16 closedPort();

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<OrderStreamService> m_service;
    QByteArray m_secret;
    std::unique_ptr<QProcess> m_watch;
    QByteArray m_watchOut;
    QByteArray m_watchErr;
};

void tst_ClientCommands::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_secret = makeSecret();
    m_watchOut.clear();
    m_watchErr.clear();
    QString error;
    QVERIFY2(startService(0, &error), qPrintable(error));
}

void tst_ClientCommands::cleanup()
{
    if (m_watch && m_watch->state() != QProcess::NotRunning) {
        m_watch->kill();
        m_watch->waitForFinished(10000);
    }
    if (QTest::currentTestFailed() && m_watch) {
        qInfo("watch printed:\n%s", m_watchOut.constData());
        qInfo("watch printed on standard error:\n%s", m_watchErr.constData());
    }
    m_watch.reset();
    m_service.reset();
    m_dir.reset();
}

bool tst_ClientCommands::startService(quint16 port, QString *errorMessage)
{
    ServerConfig config = testServerConfig(*m_dir, 1);
    config.port = port;
    config.retryMs = 200;
    // Heartbeats every 100 ms, so that every watch test receives some and must skip them.
    config.heartbeatIntervalMs = 100;
    // A client that missed more than three events gets order.resync.
    config.replayLimit = 3;
    config.authEnabled = true;
    config.jwt.hs256Secret = m_secret;
    m_service.reset();
    return startTestService(m_service, config, errorMessage);
}

QString tst_ClientCommands::serverUrl() const
{
    return QStringLiteral("http://127.0.0.1:%1").arg(m_service->port());
}

QProcessEnvironment tst_ClientCommands::environment() const
{
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("XDG_CONFIG_HOME"), m_dir->filePath(QStringLiteral("config")));
    environment.insert(QStringLiteral("XDG_DATA_HOME"), m_dir->filePath(QStringLiteral("data")));
    environment.insert(QStringLiteral("ORDERSTREAM_JWT_SECRET"), QString::fromLatin1(m_secret));
    environment.remove(QStringLiteral("ORDERSTREAM_TOKEN"));
    return environment;
}

ClientResult tst_ClientCommands::runClient(const QStringList &arguments)
{
    QProcess process;
    process.setProcessEnvironment(environment());
    process.start(QStringLiteral(ORDERSTREAM_BINARY), arguments);
    ClientResult result;
    if (!process.waitForStarted(ClientTimeoutMs))
        return result;
    // The server runs on threads of this process, so a blocking wait is fine;
    // the event loop still runs for the callbacks of the service.
    if (!QTest::qWaitFor([&] { return process.state() == QProcess::NotRunning; }, ClientTimeoutMs)) {
        process.kill();
        process.waitForFinished(10000);
        qWarning("orderstream %ls did not finish", qUtf16Printable(arguments.join(QLatin1Char(' '))));
        return result;
    }
    result.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -2;
    result.out = process.readAllStandardOutput();
    result.err = process.readAllStandardError();
    return result;
}

void tst_ClientCommands::startWatch(const QStringList &arguments)
{
    m_watch = std::make_unique<QProcess>();
    m_watch->setProcessEnvironment(environment());
    connect(m_watch.get(), &QProcess::readyReadStandardOutput, this,
            [this] { m_watchOut += m_watch->readAllStandardOutput(); });
    connect(m_watch.get(), &QProcess::readyReadStandardError, this,
            [this] { m_watchErr += m_watch->readAllStandardError(); });
    m_watch->start(QStringLiteral(ORDERSTREAM_BINARY), arguments);
}

QJsonObject tst_ClientCommands::fetchOrder(const QString &orderId)
{
    JwtConfig jwt;
    jwt.hs256Secret = m_secret;
    JwtTokenRequest staff;
    staff.subject = QStringLiteral("support");
    staff.scopes = {jwt.staffScope};
    QString error;
    const QByteArray token = JwtSigner(jwt).sign(staff, &error);
    if (token.isEmpty())
        qWarning("signing a staff token failed: %ls", qUtf16Printable(error));
    const HttpTestResponse response = sendHttpRequest(
            m_service->port(), "GET", "/orders/" + orderId.toUtf8(), {},
            {"Authorization: Bearer " + token});
    if (response.status != 200)
        qWarning("GET /orders/%ls: %d %s", qUtf16Printable(orderId), response.status,
                 response.body.constData());
    return QJsonDocument::fromJson(response.body).object();
}

// A loopback port on which nothing listens: one the system handed out and
// took back.
quint16 tst_ClientCommands::closedPort()
{
    QTcpServer server;
    if (!server.listen(QHostAddress::LocalHost, 0))
        return 0;
    const quint16 port = server.serverPort();
    server.close();
    return port;
}

void tst_ClientCommands::publishPrintsEventId()
{
    const ClientResult first = runClient(
            {QStringLiteral("publish"), QStringLiteral("ORD-1"), QStringLiteral("--status"),
             QStringLiteral("Activating"), QStringLiteral("--stage"), QStringLiteral("Activating"),
             QStringLiteral("--message"), QStringLiteral("Provisioning started"),
             QStringLiteral("--details"), QStringLiteral(R"({"carrier":"DHL"})"),
             QStringLiteral("--server"), serverUrl()});
    QVERIFY2(first.exitCode == 0, first.err.constData());
    QCOMPARE(first.out, QByteArray("1\n"));

    // A status that names no stage is an update that keeps the order's stage.
    const ClientResult second = runClient({QStringLiteral("publish"), QStringLiteral("ORD-1"),
                                           QStringLiteral("--status"),
                                           QStringLiteral("Waiting for the carrier"),
                                           QStringLiteral("--server"), serverUrl()});
    QVERIFY2(second.exitCode == 0, second.err.constData());
    QCOMPARE(second.out, QByteArray("2\n"));

    // The stored events carry every field given on the command line.
    const ClientResult token = runClient({QStringLiteral("token"), QStringLiteral("--subject"),
                                          QStringLiteral("viewer"), QStringLiteral("--orders"),
                                          QStringLiteral("ORD-1")});
    SseTestClient client;
    client.open(m_service->port(), "/orders/ORD-1/events",
                {"Last-Event-ID: 0", "Authorization: Bearer " + token.out.trimmed()});
    QTRY_COMPARE_WITH_TIMEOUT(client.events().size(), 2, ClientTimeoutMs);
    const QJsonObject event = QJsonDocument::fromJson(client.events().first().data).object();
    QCOMPARE(event.value(QLatin1String("status")).toString(), QStringLiteral("Activating"));
    QCOMPARE(event.value(QLatin1String("stage")).toString(), QStringLiteral("Activating"));
    QCOMPARE(event.value(QLatin1String("message")).toString(), QStringLiteral("Provisioning started"));
    QCOMPARE(event.value(QLatin1String("details")).toObject().value(QLatin1String("carrier")).toString(),
             QStringLiteral("DHL"));
    QCOMPARE(client.events().at(1).id, QByteArray("2"));
}

void tst_ClientCommands::publishErrorsGiveExitCodes_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QByteArray>("message");

    const QString publish = QStringLiteral("publish");
    const QString order = QStringLiteral("ORD-2");
    const QString status = QStringLiteral("--status");
    QTest::newRow("missing status") << QStringList{publish, order} << 2
                                    << QByteArray("--status is required");
    QTest::newRow("blank status") << QStringList{publish, order, status, QStringLiteral("  ")} << 2
                                  << QByteArray("--status is required");
    QTest::newRow("no order id") << QStringList{publish, status, QStringLiteral("x")} << 2
                                 << QByteArray("expected one order id");
    QTest::newRow("invalid order id")
            << QStringList{publish, QStringLiteral("A/B"), status, QStringLiteral("x")} << 2
            << QByteArray("invalid order id \"A/B\"");
    QTest::newRow("details not an object")
            << QStringList{publish, order, status, QStringLiteral("x"), QStringLiteral("--details"),
                           QStringLiteral("[1]")}
            << 2 << QByteArray("invalid --details");
    QTest::newRow("unknown option")
            << QStringList{publish, order, status, QStringLiteral("x"), QStringLiteral("--colour")}
            << 2 << QByteArray("Unknown option 'colour'");
    QTest::newRow("invalid server URL")
            << QStringList{publish, order, status, QStringLiteral("x"), QStringLiteral("--server"),
                           QStringLiteral("ftp://127.0.0.1")}
            << 2 << QByteArray("invalid --server \"ftp://127.0.0.1\"");
    QTest::newRow("invalid token")
            << QStringList{publish, order, status, QStringLiteral("x"), QStringLiteral("--token"),
                           QStringLiteral("not-a-token")}
            << 1 << QByteArray("HTTP 401");
}

void tst_ClientCommands::publishErrorsGiveExitCodes()
{
    QFETCH(QStringList, arguments);
    QFETCH(int, exitCode);
    QFETCH(QByteArray, message);

    if (!arguments.contains(QStringLiteral("--server")))
        arguments << QStringLiteral("--server") << serverUrl();
    const ClientResult result = runClient(arguments);
    QCOMPARE(result.exitCode, exitCode);
    QVERIFY2(result.err.contains(message), result.err.constData());
    QCOMPARE(result.out, QByteArray());
    // Nothing reached the journal.
    QCOMPARE(m_service->snapshot(0, 0).eventsPublished, quint64(0));
}

void tst_ClientCommands::publishLifecycleConflict()
{
    const auto publish = [this](const QString &stage, const QStringList &extra = {}) {
        return runClient(QStringList{QStringLiteral("publish"), QStringLiteral("ORD-3"),
                                     QStringLiteral("--status"), stage, QStringLiteral("--stage"),
                                     stage, QStringLiteral("--server"), serverUrl()}
                         + extra);
    };
    QCOMPARE(publish(QStringLiteral("Draft")).exitCode, 0);

    const ClientResult conflict = publish(QStringLiteral("Completed"));
    QCOMPARE(conflict.exitCode, 1);
    QVERIFY2(conflict.err.contains("HTTP 409"), conflict.err.constData());
    QVERIFY2(conflict.err.contains("Draft"), conflict.err.constData());
    QVERIFY2(conflict.err.contains("Completed"), conflict.err.constData());
    QCOMPARE(fetchOrder(QStringLiteral("ORD-3")).value(QLatin1String("stage")).toString(),
             QStringLiteral("Draft"));

    const ClientResult overridden = publish(QStringLiteral("Completed"), {QStringLiteral("--override")});
    QVERIFY2(overridden.exitCode == 0, overridden.err.constData());
    QCOMPARE(overridden.out, QByteArray("2\n"));
}

void tst_ClientCommands::watchPrintsEventsAndReconnects()
{
    const quint16 port = m_service->port();
    startWatch({QStringLiteral("watch"), QStringLiteral("ORD-4"), QStringLiteral("--server"),
                serverUrl()});
    QTRY_COMPARE_WITH_TIMEOUT(m_service->snapshot(0, 0).connections, 1, ClientTimeoutMs);

    const auto publish = [this](const QString &status, const QString &stage) {
        const ClientResult result = runClient({QStringLiteral("publish"), QStringLiteral("ORD-4"),
                                               QStringLiteral("--status"), status,
                                               QStringLiteral("--stage"), stage,
                                               QStringLiteral("--message"), status + QStringLiteral(" now"),
                                               QStringLiteral("--server"), serverUrl()});
        QVERIFY2(result.exitCode == 0, result.err.constData());
    };
    publish(QStringLiteral("Draft"), QStringLiteral("Draft"));
    publish(QStringLiteral("Activating"), QStringLiteral("Activating"));
    QTRY_COMPARE_WITH_TIMEOUT(printedIds(m_watchOut), (QList<int>{1, 2}), ClientTimeoutMs);
    QVERIFY2(m_watchOut.contains("  #2  Activating  Activating  Activating now\n"), m_watchOut.constData());
    QVERIFY(!m_watchOut.contains("heartbeat"));

    // The same port and journal: events 3 and 4 are stored before watch is
    // back, so they reach it through the replay after Last-Event-ID 2.
    m_service->stop();
    QTRY_VERIFY_WITH_TIMEOUT(m_watchErr.contains("reconnecting"), ClientTimeoutMs);
    QString error;
    QVERIFY2(startService(port, &error), qPrintable(error));
    publish(QStringLiteral("Provisioning"), QStringLiteral("Provisioning"));
    publish(QStringLiteral("provisioned"), QStringLiteral("Active"));
    QTRY_COMPARE_WITH_TIMEOUT(printedIds(m_watchOut), (QList<int>{1, 2, 3, 4}), ClientTimeoutMs);
    QTRY_VERIFY_WITH_TIMEOUT(m_watchErr.contains("reconnected"), ClientTimeoutMs);
    QVERIFY2(m_watchErr.contains("after event 2"), m_watchErr.constData());

    // A live event after the replay, then Ctrl+C.
    publish(QStringLiteral("Still active"), QString());
    QTRY_COMPARE_WITH_TIMEOUT(printedIds(m_watchOut), (QList<int>{1, 2, 3, 4, 5}), ClientTimeoutMs);
    QVERIFY2(m_watchOut.contains("  #5  -  Still active"), m_watchOut.constData());
    ::kill(pid_t(m_watch->processId()), SIGINT);
    // waitForFinished() would return false for a process that ended already.
    QTRY_COMPARE_WITH_TIMEOUT(m_watch->state(), QProcess::NotRunning, ClientTimeoutMs);
    QCOMPARE(m_watch->exitStatus(), QProcess::NormalExit);
    QCOMPARE(m_watch->exitCode(), 0);
}

void tst_ClientCommands::watchJsonResumesAfterLastEventId()
{
    for (const char *stage : {"Draft", "Activating", "Provisioning"}) {
        const ClientResult result = runClient(
                {QStringLiteral("publish"), QStringLiteral("ORD-5"), QStringLiteral("--status"),
                 QLatin1String(stage), QStringLiteral("--stage"), QLatin1String(stage),
                 QStringLiteral("--server"), serverUrl()});
        QVERIFY2(result.exitCode == 0, result.err.constData());
    }

    startWatch({QStringLiteral("watch"), QStringLiteral("ORD-5"), QStringLiteral("--json"),
                QStringLiteral("--last-event-id"), QStringLiteral("1"), QStringLiteral("--server"),
                serverUrl()});
    QTRY_COMPARE_WITH_TIMEOUT(m_watchOut.count('\n'), 2, ClientTimeoutMs);

    const QList<QByteArray> lines = m_watchOut.trimmed().split('\n');
    QCOMPARE(lines.size(), 2);
    const QJsonObject second = QJsonDocument::fromJson(lines[0]).object();
    const QJsonObject third = QJsonDocument::fromJson(lines[1]).object();
    QCOMPARE(second.value(QLatin1String("id")).toInteger(), 2);
    QCOMPARE(second.value(QLatin1String("stage")).toString(), QStringLiteral("Activating"));
    QCOMPARE(third.value(QLatin1String("id")).toInteger(), 3);
    QCOMPARE(third.value(QLatin1String("orderId")).toString(), QStringLiteral("ORD-5"));

    m_watch->terminate();
    // waitForFinished() would return false for a process that ended already.
    QTRY_COMPARE_WITH_TIMEOUT(m_watch->state(), QProcess::NotRunning, ClientTimeoutMs);
    QCOMPARE(m_watch->exitCode(), 0);
}

void tst_ClientCommands::watchEndsAfterFinalStage()
{
    startWatch({QStringLiteral("watch"), QStringLiteral("ORD-6"), QStringLiteral("--server"),
                serverUrl()});
    QTRY_COMPARE_WITH_TIMEOUT(m_service->snapshot(0, 0).connections, 1, ClientTimeoutMs);
    for (const char *stage : {"Draft", "Cancelled"}) {
        const ClientResult result = runClient(
                {QStringLiteral("publish"), QStringLiteral("ORD-6"), QStringLiteral("--status"),
                 QLatin1String(stage), QStringLiteral("--stage"), QLatin1String(stage),
                 QStringLiteral("--server"), serverUrl()});
        QVERIFY2(result.exitCode == 0, result.err.constData());
    }
    QTRY_COMPARE_WITH_TIMEOUT(printedIds(m_watchOut), (QList<int>{1, 2}), ClientTimeoutMs);

    // The last event was final, so the end of the stream ends watch instead
    // of a reconnect.
    m_service->stop();
    // waitForFinished() would return false for a process that ended already.
    QTRY_COMPARE_WITH_TIMEOUT(m_watch->state(), QProcess::NotRunning, ClientTimeoutMs);
    QCOMPARE(m_watch->exitCode(), 0);
    QVERIFY2(m_watchErr.contains("order ORD-6 is Cancelled"), m_watchErr.constData());
    QVERIFY(!m_watchErr.contains("reconnecting"));
}

void tst_ClientCommands::watchStopsOnNoContent()
{
    for (const char *stage : {"Draft", "Cancelled"}) {
        const ClientResult result = runClient(
                {QStringLiteral("publish"), QStringLiteral("ORD-9"), QStringLiteral("--status"),
                 QLatin1String(stage), QStringLiteral("--stage"), QLatin1String(stage),
                 QStringLiteral("--server"), serverUrl()});
        QVERIFY2(result.exitCode == 0, result.err.constData());
    }

    // The client has the final event already, so the server responds with 204.
    const ClientResult result = runClient({QStringLiteral("watch"), QStringLiteral("ORD-9"),
                                           QStringLiteral("--last-event-id"), QStringLiteral("2"),
                                           QStringLiteral("--server"), serverUrl()});
    QCOMPARE(result.exitCode, 0);
    QCOMPARE(result.out, QByteArray());
    QVERIFY2(result.err.contains("no more events for order ORD-9"), result.err.constData());
}

void tst_ClientCommands::watchResyncPrintsCurrentStatus()
{
    for (const char *stage : {"Draft", "Activating", "Provisioning", "Active"}) {
        const ClientResult result = runClient(
                {QStringLiteral("publish"), QStringLiteral("ORD-10"), QStringLiteral("--status"),
                 QLatin1String(stage), QStringLiteral("--stage"), QLatin1String(stage),
                 QStringLiteral("--server"), serverUrl()});
        QVERIFY2(result.exitCode == 0, result.err.constData());
    }

    // Four events missed, one more than the replay limit.
    startWatch({QStringLiteral("watch"), QStringLiteral("ORD-10"), QStringLiteral("--last-event-id"),
                QStringLiteral("0"), QStringLiteral("--server"), serverUrl()});
    QTRY_VERIFY_WITH_TIMEOUT(m_watchOut.contains("  #4  Active  Active\n"), ClientTimeoutMs);
    QVERIFY2(m_watchOut.startsWith("#4  order.resync: "), m_watchOut.constData());
    QCOMPARE(m_watchOut.count('\n'), 2);

    m_watch->terminate();
    QTRY_COMPARE_WITH_TIMEOUT(m_watch->state(), QProcess::NotRunning, ClientTimeoutMs);
    QCOMPARE(m_watch->exitCode(), 0);
}

void tst_ClientCommands::watchWithoutServerFails()
{
    const quint16 port = closedPort();
    QVERIFY(port != 0);
    const QString url = QStringLiteral("http://127.0.0.1:%1").arg(port);
    const ClientResult result = runClient({QStringLiteral("watch"), QStringLiteral("ORD-7"),
                                           QStringLiteral("--server"), url});
    QCOMPARE(result.exitCode, 1);
    QVERIFY2(result.err.contains(QByteArray("cannot connect to " + url.toUtf8() + "/orders/ORD-7/events")),
             result.err.constData());

    const ClientResult publish = runClient({QStringLiteral("publish"), QStringLiteral("ORD-7"),
                                            QStringLiteral("--status"), QStringLiteral("x"),
                                            QStringLiteral("--server"), url});
    QCOMPARE(publish.exitCode, 1);
    QVERIFY2(publish.err.contains(QByteArray("cannot connect to " + url.toUtf8())), publish.err.constData());
    QVERIFY2(publish.err.contains("refused"), publish.err.constData());
}

void tst_ClientCommands::simulateFinishesOrders()
{
    const QStringList arguments{QStringLiteral("simulate"), QStringLiteral("--orders"),
                                QStringLiteral("20"), QStringLiteral("--delay"),
                                QStringLiteral("0-5"), QStringLiteral("--failure-rate"),
                                QStringLiteral("0.25"), QStringLiteral("--seed"),
                                QStringLiteral("3"), QStringLiteral("--server"), serverUrl()};
    const ClientResult first = runClient(arguments);
    QVERIFY2(first.exitCode == 0, first.err.constData());
    QVERIFY2(first.out.contains("Simulated 20 of 20 orders with seed 3"), first.out.constData());
    QVERIFY2(first.out.contains("15 completed, 5 failed, 0 rejected"), first.out.constData());

    // Every order is in a final stage on the server.
    QHash<QString, QString> stages;
    for (int i = 1; i <= 20; ++i) {
        const QString orderId = QStringLiteral("SIM-%1").arg(i, 4, 10, QLatin1Char('0'));
        const QJsonObject order = fetchOrder(orderId);
        const QString stage = order.value(QLatin1String("stage")).toString();
        QVERIFY2(stage == QLatin1String("Completed") || stage == QLatin1String("Failed"),
                 qPrintable(orderId + QLatin1Char(' ') + stage));
        stages.insert(orderId, stage);
    }

    // The same seed under another prefix gives the same outcome per order.
    const ClientResult second = runClient(arguments + QStringList{QStringLiteral("--prefix"),
                                                                  QStringLiteral("RUN2-")});
    QVERIFY2(second.exitCode == 0, second.err.constData());
    for (int i = 1; i <= 20; ++i) {
        const QString number = QStringLiteral("%1").arg(i, 4, 10, QLatin1Char('0'));
        QCOMPARE(fetchOrder(QStringLiteral("RUN2-") + number).value(QLatin1String("stage")).toString(),
                 stages.value(QStringLiteral("SIM-") + number));
    }

    // A third run of the same orders breaks the lifecycle: they are final.
    const ClientResult third = runClient(arguments);
    QCOMPARE(third.exitCode, 1);
    QVERIFY2(third.err.contains("HTTP 409"), third.err.constData());
    QVERIFY2(third.out.contains("20 rejected by the server"), third.out.constData());
}

void tst_ClientCommands::simulateWithoutServerFails()
{
    const quint16 port = closedPort();
    QVERIFY(port != 0);
    const QString url = QStringLiteral("http://127.0.0.1:%1").arg(port);
    const ClientResult result = runClient({QStringLiteral("simulate"), QStringLiteral("--order"),
                                           QStringLiteral("ORD-8"), QStringLiteral("--delay"),
                                           QStringLiteral("0"), QStringLiteral("--server"), url});
    QCOMPARE(result.exitCode, 1);
    QVERIFY2(result.err.contains(QByteArray("cannot connect to " + url.toUtf8())), result.err.constData());

    const ClientResult invalid = runClient({QStringLiteral("simulate"), QStringLiteral("--delay"),
                                            QStringLiteral("9-1"), QStringLiteral("--server"), url});
    QCOMPARE(invalid.exitCode, 2);
    QVERIFY2(invalid.err.contains("invalid --delay \"9-1\""), invalid.err.constData());
}

QTEST_GUILESS_MAIN(tst_ClientCommands)
#include "tst_clientcommands.moc"
