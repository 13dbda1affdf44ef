#include "clientcommands.h"

#include "clientconnection.h"
#include "fulfilmentsimulator.h"
#include "httppublishqueue.h"
#include "lifecycle.h"
#include "orderevent.h"
#include "shutdownsignals.h"
#include "streamwatcher.h"

#include <QCommandLineParser>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QRegularExpression>
#include <QTimer>
#include <QUrl>

#include <cstdio>
#include <cstring>
#include <optional>

namespace {

constexpr char DefaultServer[] = "http://127.0.0.1:8080";

// The options that every client command takes.
struct CommonOptions
{
    QCommandLineOption server{QStringLiteral("server"),
                              ClientCommands::tr("The server's base URL (default %1).")
                                      .arg(QLatin1String(DefaultServer)),
                              QStringLiteral("url")};
    QCommandLineOption token{QStringLiteral("token"),
                             ClientCommands::tr("The bearer token. Default: $ORDERSTREAM_TOKEN, "
                                                "else a token signed with the saved secret, as "
                                                "'orderstream token' makes it."),
                             QStringLiteral("token")};
    QCommandLineOption secretFile{QStringLiteral("jwt-secret-file"),
                                  ClientCommands::tr("Sign the token with the HS256 secret in "
                                                     "<file>, as the server's --jwt-secret-file "
                                                     "(default: the saved setting)."),
                                  QStringLiteral("file")};
    QCommandLineOption caCertificates{QStringLiteral("cacert"),
                                      ClientCommands::tr("Trust the PEM certificates in <file> "
                                                         "for an https:// server, such as its "
                                                         "self-signed certificate."),
                                      QStringLiteral("file")};
};

int usageError(const QString &command, const QString &message)
{
    std::fprintf(stderr, "orderstream %s: %s\nTry 'orderstream %s --help'.\n", qPrintable(command),
                 qPrintable(message), qPrintable(command));
    return ExitUsage;
}

int failure(const QString &command, const QString &message)
{
    std::fprintf(stderr, "orderstream %s: %s\n", qPrintable(command), qPrintable(message));
    return ExitFailure;
}

// Gives parser the command's description, --help and the command itself as
// its first positional argument.
void describeCommand(QCommandLineParser &parser, const QString &command, const QString &description)
{
    parser.setApplicationDescription(description);
    parser.addHelpOption();
    parser.addPositionalArgument(command, ClientCommands::tr("The command."));
}

// Parses arguments, printing help and exiting for --help. Returns the exit
// status for a usage error, or nullopt when the command may go on.
std::optional<int> parseArguments(QCommandLineParser &parser, const QStringList &arguments,
                                  const QString &command)
{
    parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
    if (!parser.parse(arguments))
        return usageError(command, parser.errorText());
    if (parser.isSet(QStringLiteral("help")))
        parser.showHelp(ExitSuccess);
    return std::nullopt;
}

// Fills connection from --server, --token, --jwt-secret-file and --cacert.
// Returns an error message for an invalid server URL or certificate file.
std::optional<QString> readConnection(const QCommandLineParser &parser, const CommonOptions &common,
                                      ClientConnection &connection)
{
    const QString text = parser.isSet(common.server) ? parser.value(common.server)
                                                     : QLatin1String(DefaultServer);
    const QUrl url(text, QUrl::StrictMode);
    const bool valid = url.isValid() && !url.host().isEmpty() && !url.hasQuery()
            && !url.hasFragment()
            && (url.scheme() == QLatin1String("http") || url.scheme() == QLatin1String("https"));
    if (!valid)
        return ClientCommands::tr("invalid --server \"%1\"; expected http://host:port or "
                                  "https://host:port").arg(text);
    connection.server = url;

    if (parser.isSet(common.token))
        connection.fixedToken = parser.value(common.token).toUtf8().trimmed();
    else
        connection.fixedToken = qgetenv("ORDERSTREAM_TOKEN").trimmed();
    connection.signing.subject = qEnvironmentVariable("USER", QStringLiteral("orderstream-cli"));
    if (parser.isSet(common.secretFile))
        connection.signing.secretFilePath = parser.value(common.secretFile);

    if (parser.isSet(common.caCertificates)) {
        const QString path = parser.value(common.caCertificates);
        const QList<QSslCertificate> certificates = QSslCertificate::fromPath(path);
        if (certificates.isEmpty())
            return ClientCommands::tr("invalid --cacert \"%1\": no PEM certificate in it").arg(path);
        // The command makes all its requests to this one server.
        QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
        tls.addCaCertificates(certificates);
        QSslConfiguration::setDefaultConfiguration(tls);
    }
    return std::nullopt;
}

// Reads --lifecycle, or returns the default lifecycle. Returns nullopt with
// errorMessage set for a file that cannot be read or is invalid.
std::optional<Lifecycle> readLifecycle(const QCommandLineParser &parser,
                                       const QCommandLineOption &option, QString *errorMessage)
{
    if (!parser.isSet(option))
        return Lifecycle::defaultLifecycle();
    return Lifecycle::fromFile(parser.value(option), errorMessage);
}

QCommandLineOption lifecycleOption()
{
    return QCommandLineOption(QStringLiteral("lifecycle"),
                              ClientCommands::tr("The lifecycle JSON file the server uses "
                                                 "(default: the built-in lifecycle)."),
                              QStringLiteral("file"));
}

// Sends one request and waits for its response in a local event loop.
struct SyncResponse
{
    int status = 0;
    QByteArray body;
    QString failure;
};

SyncResponse sendRequest(QNetworkAccessManager &network, const QNetworkRequest &request,
                         const QByteArray &method, const QByteArray &body = {})
{
    QNetworkReply *reply = network.sendCustomRequest(request, method, body);
    QEventLoop loop;
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    loop.exec();

    SyncResponse response;
    response.status = httpStatus(reply);
    response.body = reply->readAll();
    if (reply->error() != QNetworkReply::NoError || response.status >= 300)
        response.failure = describeFailure(reply, response.body);
    reply->deleteLater();
    return response;
}

int runPublish(const QStringList &arguments)
{
    const QString command = QStringLiteral("publish");
    QCommandLineParser parser;
    describeCommand(parser, command, ClientCommands::tr(
            "Publishes one event of an order and prints its id.\n"
            "Example: orderstream publish 8015g000001AbCdAAK --status Activating "
            "--stage Activating --message \"Provisioning started\""));
    parser.addPositionalArgument(QStringLiteral("order"), ClientCommands::tr("The order id."));
    const QCommandLineOption status(QStringLiteral("status"),
                                    ClientCommands::tr("The status shown to customers (required)."),
                                    QStringLiteral("text"));
    const QCommandLineOption stage(QStringLiteral("stage"),
                                   ClientCommands::tr("The lifecycle stage, such as Activating."),
                                   QStringLiteral("stage"));
    const QCommandLineOption message(QStringLiteral("message"),
                                     ClientCommands::tr("A message for the customer."),
                                     QStringLiteral("text"));
    const QCommandLineOption details(QStringLiteral("details"),
                                     ClientCommands::tr("Extra data, a JSON object."),
                                     QStringLiteral("json"));
    const QCommandLineOption overrideLifecycle(QStringLiteral("override"),
                                      ClientCommands::tr("Publish even when the stage may not "
                                                         "follow the order's current stage."));
    const CommonOptions common;
    parser.addOptions({status, stage, message, details, overrideLifecycle, common.server, common.token,
                       common.secretFile, common.caCertificates});
    if (const std::optional<int> exitCode = parseArguments(parser, arguments, command))
        return *exitCode;

    const QStringList positional = parser.positionalArguments();
    if (positional.size() != 2)
        return usageError(command, ClientCommands::tr("expected one order id"));
    const QString orderId = positional.at(1);
    if (!isValidOrderId(orderId))
        return usageError(command, ClientCommands::tr("invalid order id \"%1\"; expected 1 to 64 "
                                                      "letters, digits, '-' or '_'").arg(orderId));
    if (parser.value(status).trimmed().isEmpty())
        return usageError(command, ClientCommands::tr("--status is required and may not be empty"));

    QJsonObject body;
    body.insert(QLatin1String("status"), parser.value(status));
    if (parser.isSet(stage))
        body.insert(QLatin1String("stage"), parser.value(stage));
    if (parser.isSet(message))
        body.insert(QLatin1String("message"), parser.value(message));
    if (parser.isSet(details)) {
        QJsonParseError parseError;
        const QJsonDocument document = QJsonDocument::fromJson(parser.value(details).toUtf8(),
                                                               &parseError);
        if (parseError.error != QJsonParseError::NoError || !document.isObject())
            return usageError(command, ClientCommands::tr("invalid --details; expected a JSON "
                                                          "object such as {\"carrier\":\"DHL\"}"));
        body.insert(QLatin1String("details"), document.object());
    }
    if (parser.isSet(overrideLifecycle))
        body.insert(QLatin1String("override"), true);

    ClientConnection connection;
    if (const std::optional<QString> error = readConnection(parser, common, connection))
        return usageError(command, *error);
    connection.signing.publisher = true;
    QString error;
    const QByteArray token = connection.token(&error);
    if (token.isEmpty())
        return failure(command, error);

    QNetworkAccessManager network;
    QNetworkRequest request = makeClientRequest(connection.url(QStringLiteral("/orders/%1/events")
                                                                 .arg(orderId)),
                                          token);
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArray("application/json"));
    const SyncResponse response = sendRequest(network, request, "POST",
                                              QJsonDocument(body).toJson(QJsonDocument::Compact));
    if (!response.failure.isEmpty())
        return failure(command, response.failure);

    const QJsonValue id = QJsonDocument::fromJson(response.body).object().value(QLatin1String("id"));
    if (!id.isDouble())
        return failure(command, ClientCommands::tr("the server's response has no event id: %1")
                                        .arg(QString::fromUtf8(response.body.left(200))));
    std::printf("%lld\n", id.toInteger());
    return ExitSuccess;
}

int runWatch(const QStringList &arguments)
{
    const QString command = QStringLiteral("watch");
    QCommandLineParser parser;
    describeCommand(parser, command, ClientCommands::tr(
            "Prints the events of an order as they arrive, one line each: time, event id, stage, "
            "status and message. Reconnects after a dropped connection and resumes after the "
            "last event seen. Stops when the server ends the stream of a finished order.\n"
            "Example: orderstream watch 8015g000001AbCdAAK"));
    parser.addPositionalArgument(QStringLiteral("order"), ClientCommands::tr("The order id."));
    const QCommandLineOption lastEventId(QStringLiteral("last-event-id"),
                                         ClientCommands::tr("Start after event <id>: the server "
                                                            "replays the later ones first."),
                                         QStringLiteral("id"));
    const QCommandLineOption json(QStringLiteral("json"),
                                  ClientCommands::tr("Print each event's JSON data line."));
    const QCommandLineOption lifecycle = lifecycleOption();
    const CommonOptions common;
    parser.addOptions({lastEventId, json, lifecycle, common.server, common.token,
                       common.secretFile, common.caCertificates});
    if (const std::optional<int> exitCode = parseArguments(parser, arguments, command))
        return *exitCode;

    const QStringList positional = parser.positionalArguments();
    if (positional.size() != 2)
        return usageError(command, ClientCommands::tr("expected one order id"));

    WatchSettings settings;
    settings.orderId = positional.at(1);
    if (!isValidOrderId(settings.orderId))
        return usageError(command, ClientCommands::tr("invalid order id \"%1\"; expected 1 to 64 "
                                                      "letters, digits, '-' or '_'")
                                           .arg(settings.orderId));
    if (parser.isSet(lastEventId)) {
        static const QRegularExpression digits(QStringLiteral("^[0-9]{1,19}$"));
        if (!digits.match(parser.value(lastEventId)).hasMatch())
            return usageError(command, ClientCommands::tr("invalid --last-event-id \"%1\"; "
                                                          "expected an event id")
                                               .arg(parser.value(lastEventId)));
        settings.lastEventId = parser.value(lastEventId).toLatin1();
    }
    settings.json = parser.isSet(json);
    QString error;
    const std::optional<Lifecycle> loaded = readLifecycle(parser, lifecycle, &error);
    if (!loaded)
        return usageError(command, error);
    settings.lifecycle = *loaded;
    if (const std::optional<QString> connectionError =
                readConnection(parser, common, settings.connection))
        return usageError(command, *connectionError);
    settings.connection.signing.orders = {settings.orderId};

    StreamWatcher watcher(std::move(settings));
    ShutdownSignals shutdownSignals;
    QObject::connect(&shutdownSignals, &ShutdownSignals::shutdownRequested, &watcher, [&watcher] {
        watcher.stop();
        QCoreApplication::exit(ExitSuccess);
    });
    QTimer::singleShot(0, &watcher, [&watcher] { watcher.start(); });
    return QCoreApplication::exec();
}

// Reads "MS" or "MIN-MAX" milliseconds.
bool parseDelay(const QString &text, int &minMs, int &maxMs)
{
    static const QRegularExpression pattern(QStringLiteral("^(\\d{1,9})(?:-(\\d{1,9}))?$"));
    const QRegularExpressionMatch match = pattern.match(text);
    if (!match.hasMatch())
        return false;
    minMs = match.captured(1).toInt();
    maxMs = match.hasCaptured(2) ? match.captured(2).toInt() : minMs;
    return minMs <= maxMs && maxMs <= MaxSimulationDelayMs;
}

int runSimulate(const QStringList &arguments)
{
    const QString command = QStringLiteral("simulate");
    QCommandLineParser parser;
    describeCommand(parser, command, ClientCommands::tr(
            "Drives orders through the lifecycle by publishing their events, then prints a "
            "summary. The same seed gives the same orders, events and failures.\n"
            "Example: orderstream simulate --orders 50 --delay 100-500 --failure-rate 0.2 "
            "--seed 7"));
    const SimulationSettings defaults;
    const QCommandLineOption orders(QStringLiteral("orders"),
                                    ClientCommands::tr("Generate <n> orders named after --prefix "
                                                       "(default %1).").arg(defaults.orderCount),
                                    QStringLiteral("n"));
    const QCommandLineOption order(QStringLiteral("order"),
                                   ClientCommands::tr("Drive this one order instead."),
                                   QStringLiteral("id"));
    const QCommandLineOption prefix(QStringLiteral("prefix"),
                                    ClientCommands::tr("Id prefix of generated orders (default %1).")
                                            .arg(defaults.idPrefix),
                                    QStringLiteral("text"));
    const QCommandLineOption delay(QStringLiteral("delay"),
                                   ClientCommands::tr("Milliseconds before each step, or a range "
                                                      "MIN-MAX to draw from (default %1-%2).")
                                           .arg(defaults.minDelayMs)
                                           .arg(defaults.maxDelayMs),
                                   QStringLiteral("ms"));
    const QCommandLineOption failureRate(QStringLiteral("failure-rate"),
                                         ClientCommands::tr("Share of orders that fail, 0 to 1 "
                                                            "(default %1).")
                                                 .arg(defaults.failureRate),
                                         QStringLiteral("rate"));
    const QCommandLineOption seed(QStringLiteral("seed"),
                                  ClientCommands::tr("Random seed (default %1).").arg(defaults.seed),
                                  QStringLiteral("n"));
    const QCommandLineOption lifecycle = lifecycleOption();
    const CommonOptions common;
    parser.addOptions({orders, order, prefix, delay, failureRate, seed, lifecycle, common.server,
                       common.token, common.secretFile, common.caCertificates});
    if (const std::optional<int> exitCode = parseArguments(parser, arguments, command))
        return *exitCode;
    if (parser.positionalArguments().size() != 1)
        return usageError(command, ClientCommands::tr("unexpected argument \"%1\"")
                                           .arg(parser.positionalArguments().value(1)));

    SimulationSettings settings;
    if (parser.isSet(orders) && parser.isSet(order))
        return usageError(command, ClientCommands::tr("--orders and --order exclude each other"));
    if (parser.isSet(orders)) {
        bool ok = false;
        settings.orderCount = parser.value(orders).toInt(&ok);
        if (!ok)
            return usageError(command, ClientCommands::tr("invalid --orders \"%1\"; expected 1 to %2")
                                               .arg(parser.value(orders))
                                               .arg(MaxSimulatedOrders));
    }
    if (parser.isSet(order))
        settings.orderId = parser.value(order);
    if (parser.isSet(prefix))
        settings.idPrefix = parser.value(prefix);
    if (parser.isSet(delay) && !parseDelay(parser.value(delay), settings.minDelayMs, settings.maxDelayMs))
        return usageError(command, ClientCommands::tr("invalid --delay \"%1\"; expected "
                                                      "milliseconds or MIN-MAX, at most %2")
                                           .arg(parser.value(delay))
                                           .arg(MaxSimulationDelayMs));
    if (parser.isSet(failureRate)) {
        bool ok = false;
        settings.failureRate = parser.value(failureRate).toDouble(&ok);
        if (!ok)
            return usageError(command, ClientCommands::tr("invalid --failure-rate \"%1\"; "
                                                          "expected 0 to 1")
                                               .arg(parser.value(failureRate)));
    }
    if (parser.isSet(seed)) {
        bool ok = false;
        settings.seed = parser.value(seed).toUInt(&ok);
        if (!ok)
            return usageError(command, ClientCommands::tr("invalid --seed \"%1\"; expected 0 to "
                                                          "4294967295")
                                               .arg(parser.value(seed)));
    }
    QString error;
    const std::optional<Lifecycle> loaded = readLifecycle(parser, lifecycle, &error);
    if (!loaded)
        return usageError(command, error);
    if (const std::optional<QString> invalid = FulfilmentSimulator::validate(settings, *loaded))
        return usageError(command, *invalid);

    ClientConnection connection;
    if (const std::optional<QString> connectionError = readConnection(parser, common, connection))
        return usageError(command, *connectionError);
    // The server records the token's subject as the publisher of each event.
    connection.signing.subject = QStringLiteral("simulator");
    connection.signing.publisher = true;
    const QByteArray token = connection.token(&error);
    if (token.isEmpty())
        return failure(command, error);

    HttpPublishQueue queue(connection, token);
    FulfilmentSimulator simulator(*loaded, [&queue](const OrderEvent &event) { queue.enqueue(event); });
    int exitCode = ExitSuccess;
    int completed = 0;
    int failed = 0;
    bool simulationDone = false;
    const auto finishIfDone = [&] {
        if (simulationDone && queue.isIdle())
            QCoreApplication::exit(exitCode);
    };
    queue.orderStored = [&](const OrderEvent &event, quint64 id) {
        const bool isFailure = loaded->failureStage()
                && event.stage == loaded->failureStage()->name;
        isFailure ? ++failed : ++completed;
        std::printf("%s\n", qPrintable(QStringLiteral("%1  #%2  %3%4")
                                               .arg(event.orderId)
                                               .arg(id)
                                               .arg(event.stage,
                                                    isFailure ? QStringLiteral("  ") + event.message
                                                              : QString())));
        std::fflush(stdout);
    };
    queue.connectionFailed = [&](const QString &message) {
        // Requests still in flight fail the same way; the first error is enough.
        if (exitCode != ExitSuccess)
            return;
        failure(command, message);
        exitCode = ExitFailure;
        simulationDone = true;
        simulator.stop();
        finishIfDone();
    };
    queue.drained = finishIfDone;
    QObject::connect(&simulator, &FulfilmentSimulator::finished, &simulator, [&](bool stopped) {
        Q_UNUSED(stopped)
        simulationDone = true;
        finishIfDone();
    });
    ShutdownSignals shutdownSignals;
    QObject::connect(&shutdownSignals, &ShutdownSignals::shutdownRequested, &simulator,
                     [&](int signalNumber) {
                         exitCode = 128 + signalNumber;
                         queue.dropPending();
                         simulator.stop();
                     });

    QElapsedTimer clock;
    clock.start();
    if (!simulator.start(settings, &error))
        return failure(command, error);
    QCoreApplication::exec();

    const int rejected = queue.rejectedOrders();
    std::printf("%s\n",
                qPrintable(ClientCommands::tr("Simulated %1 of %2 orders with seed %3 in %4 s: %5 "
                                              "completed, %6 failed, %7 rejected by the server; "
                                              "%8 events stored.")
                                   .arg(completed + failed + rejected)
                                   .arg(simulator.totalOrders())
                                   .arg(settings.seed)
                                   .arg(double(clock.elapsed()) / 1000.0, 0, 'f', 1)
                                   .arg(completed)
                                   .arg(failed)
                                   .arg(rejected)
                                   .arg(queue.storedEvents())));
    if (exitCode == ExitSuccess && rejected > 0)
        exitCode = ExitFailure;
    return exitCode;
}

} // namespace

bool isClientCommand(const char *name)
{
    for (const char *command : {"publish", "watch", "simulate"}) {
        if (std::strcmp(name, command) == 0)
            return true;
    }
    return false;
}

int runClientCommand(const QStringList &arguments)
{
    // The simulator's start and end lines are for the server's log; the
    // command prints its own summary.
    QLoggingCategory::setFilterRules(QStringLiteral("orderstream.*.info=false"));

    const QString command = arguments.value(1);
    if (command == QLatin1String("publish"))
        return runPublish(arguments);
    if (command == QLatin1String("watch"))
        return runWatch(arguments);
    if (command == QLatin1String("simulate"))
        return runSimulate(arguments);
    return usageError(command, ClientCommands::tr("unknown command"));
}
