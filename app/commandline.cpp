#include "commandline.h"

#include "authsettings.h"
#include "secretfile.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFile>
#include <QHostAddress>
#include <QUrl>

namespace {

bool parseInteger(const QString &text, qint64 minimum, qint64 maximum, qint64 &value)
{
    bool ok = false;
    value = text.toLongLong(&ok);
    return ok && value >= minimum && value <= maximum;
}

} // namespace

bool loadJwtKeys(const QString &secretPath, const QString &publicKeyPath, JwtConfig &jwt,
                 QString *errorMessage)
{
    if (!publicKeyPath.isEmpty()) {
        QFile file(publicKeyPath);
        if (!file.open(QIODevice::ReadOnly)) {
            *errorMessage = QCoreApplication::translate("main", "cannot read --jwt-public-key "
                                                                "%1: %2")
                                    .arg(publicKeyPath, file.errorString());
            return false;
        }
        jwt.publicKeyPem = file.readAll();
    }

    const QByteArray secretFromEnvironment = qgetenv("ORDERSTREAM_JWT_SECRET");
    if (!secretFromEnvironment.isEmpty()) {
        jwt.hs256Secret = secretFromEnvironment;
        return true;
    }
    // A public key alone needs no secret; without either, the default secret
    // file is used and created on first start.
    if (secretPath.isEmpty() && !publicKeyPath.isEmpty())
        return true;

    QString error;
    const QString path = secretPath.isEmpty() ? SecretFile::defaultPath() : secretPath;
    jwt.hs256Secret = SecretFile::readOrCreate(path, secretPath.isEmpty(), &error);
    if (jwt.hs256Secret.isEmpty()) {
        *errorMessage = error;
        return false;
    }
    return true;
}

bool parseCommandLine(const QStringList &arguments, CommandLineOptions &options,
                      QString *errorMessage)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QCoreApplication::translate(
            "main",
            "OrderStream pushes order status updates to browsers over Server-Sent Events.\n"
            "Without --headless it opens the operations console and runs the server in it.\n"
            "The authentication settings saved in the console's Settings dialog are the "
            "defaults of the --jwt-* options, --token-cookie and --auth-failures-per-minute.\n"
            "'orderstream token --help' shows how to sign a token with the server's secret."));
    const QCommandLineOption help = parser.addHelpOption();
    const QCommandLineOption version = parser.addVersionOption();

    // Saved settings are the defaults, so options given here override them.
    const AuthSettings saved = AuthSettings::load();

    const QCommandLineOption headless(
            QStringLiteral("headless"),
            QCoreApplication::translate("main", "Run the server without the console window."));
    const QCommandLineOption bind(
            QStringLiteral("bind"),
            QCoreApplication::translate("main", "Listen on <address> (default 127.0.0.1; "
                                                "0.0.0.0 or :: for every interface)."),
            QStringLiteral("address"), QStringLiteral("127.0.0.1"));
    const QCommandLineOption port(
            QStringLiteral("port"),
            QCoreApplication::translate("main", "Listen on TCP <port> (default 8080; 0 picks "
                                                "a free port)."),
            QStringLiteral("port"), QStringLiteral("8080"));
    const QCommandLineOption heartbeat(
            QStringLiteral("heartbeat-interval"),
            QCoreApplication::translate("main", "Send a heartbeat comment on every stream "
                                                "each <seconds>, decimals allowed (default 15; "
                                                "0 turns them off)."),
            QStringLiteral("seconds"), QStringLiteral("15"));
    const QCommandLineOption retry(
            QStringLiteral("retry"),
            QCoreApplication::translate("main", "Reconnection delay sent to browsers in the "
                                                "retry: field, in <milliseconds> (default 3000)."),
            QStringLiteral("milliseconds"), QStringLiteral("3000"));
    const QCommandLineOption workers(
            QStringLiteral("workers"),
            QCoreApplication::translate("main", "Streaming worker threads (default 0: one per "
                                                "CPU core)."),
            QStringLiteral("count"), QStringLiteral("0"));
    const QCommandLineOption backlog(
            QStringLiteral("listen-backlog"),
            QCoreApplication::translate("main", "Length of the queue of connections not yet "
                                                "accepted (default 4096)."),
            QStringLiteral("count"), QStringLiteral("4096"));
    const QCommandLineOption maxUnsent(
            QStringLiteral("max-unsent-bytes"),
            QCoreApplication::translate("main", "Drop a stream whose unsent data would pass "
                                                "<bytes> (default 1048576)."),
            QStringLiteral("bytes"), QStringLiteral("1048576"));
    const QCommandLineOption maxStreams(
            QStringLiteral("max-streams"),
            QCoreApplication::translate("main", "Answer 503 to a new stream while <count> are "
                                                "open (default 0: no limit; each stream needs "
                                                "one file descriptor)."),
            QStringLiteral("count"), QStringLiteral("0"));
    const QCommandLineOption maxStreamsPerAddress(
            QStringLiteral("max-streams-per-address"),
            QCoreApplication::translate("main", "Answer 429 to a new stream from an address that "
                                                "has <count> open (default 0: no limit)."),
            QStringLiteral("count"), QStringLiteral("0"));
    const QCommandLineOption journal(
            QStringLiteral("journal"),
            QCoreApplication::translate("main", "Store events in the SQLite database <file> "
                                                "(default: journal.db in the application data "
                                                "folder)."),
            QStringLiteral("file"));
    const QCommandLineOption maxEventsPerOrder(
            QStringLiteral("max-events-per-order"),
            QCoreApplication::translate("main", "Keep at most <count> events per order in the "
                                                "journal (default 1000; 0 keeps all)."),
            QStringLiteral("count"), QStringLiteral("1000"));
    const QCommandLineOption maxEventAge(
            QStringLiteral("max-event-age"),
            QCoreApplication::translate("main", "Delete journal events older than <seconds> "
                                                "(default 604800, a week; 0 keeps all)."),
            QStringLiteral("seconds"), QStringLiteral("604800"));
    const QCommandLineOption replayLimit(
            QStringLiteral("replay-limit"),
            QCoreApplication::translate("main", "A reconnecting client that missed more than "
                                                "<count> events gets order.resync instead of a "
                                                "replay (default 1000)."),
            QStringLiteral("count"), QStringLiteral("1000"));
    const QCommandLineOption reconnectWindow(
            QStringLiteral("reconnect-window"),
            QCoreApplication::translate("main", "A client that opens the same order's stream "
                                                "within <seconds> of closing it counts as a "
                                                "reconnect (default 300)."),
            QStringLiteral("seconds"), QStringLiteral("300"));
    const QCommandLineOption stormThreshold(
            QStringLiteral("reconnect-storm-threshold"),
            QCoreApplication::translate("main", "Warn of a reconnect storm at <count> reconnects "
                                                "per minute (default 120; 0 turns it off)."),
            QStringLiteral("count"), QStringLiteral("120"));
    const QCommandLineOption corsOrigin(
            QStringLiteral("cors-origin"),
            QCoreApplication::translate("main", "Allow browser pages from <origin> (for example "
                                                "https://shop.example.com) to use the streams and "
                                                "the publish API; repeat for more origins."),
            QStringLiteral("origin"));
    const QCommandLineOption noAuth(
            QStringLiteral("no-auth"),
            QCoreApplication::translate("main", "Turn authentication off: anyone who can reach "
                                                "the port may watch and publish every order."));
    const QCommandLineOption secretFile(
            QStringLiteral("jwt-secret-file"),
            QCoreApplication::translate("main", "Verify HS256 tokens with the secret in <file> "
                                                "(default: jwt-secret in the application config "
                                                "folder, created with a random secret on first "
                                                "start). The environment variable "
                                                "ORDERSTREAM_JWT_SECRET takes precedence."),
            QStringLiteral("file"));
    const QCommandLineOption publicKey(
            QStringLiteral("jwt-public-key"),
            QCoreApplication::translate("main", "Verify RS256 or ES256 tokens with the PEM public "
                                                "key in <file>."),
            QStringLiteral("file"));
    const QCommandLineOption issuer(
            QStringLiteral("jwt-issuer"),
            QCoreApplication::translate("main", "Accept only tokens whose iss claim is <issuer>."),
            QStringLiteral("issuer"));
    const QCommandLineOption audience(
            QStringLiteral("jwt-audience"),
            QCoreApplication::translate("main", "Accept only tokens whose aud claim contains "
                                                "<audience>."),
            QStringLiteral("audience"));
    const QCommandLineOption leeway(
            QStringLiteral("jwt-leeway"),
            QCoreApplication::translate("main", "Clock skew allowed for exp and nbf, in "
                                                "<seconds> (default %1).")
                    .arg(saved.leewaySeconds),
            QStringLiteral("seconds"), QString::number(saved.leewaySeconds));
    const QCommandLineOption tokenCookie(
            QStringLiteral("token-cookie"),
            QCoreApplication::translate("main", "Read the token from the cookie <name> when there "
                                                "is no Authorization header (default %1).")
                    .arg(saved.tokenCookieName),
            QStringLiteral("name"), saved.tokenCookieName);
    const QCommandLineOption authFailures(
            QStringLiteral("auth-failures-per-minute"),
            QCoreApplication::translate("main", "Answer 429 to an address after <count> failed "
                                                "authentications within a minute (default %1; 0 "
                                                "turns the limit off).")
                    .arg(saved.authFailuresPerMinute),
            QStringLiteral("count"), QString::number(saved.authFailuresPerMinute));
    parser.addOptions({headless, bind, port, heartbeat, retry, workers, backlog, maxUnsent,
                       maxStreams, maxStreamsPerAddress,
                       journal, maxEventsPerOrder, maxEventAge, replayLimit, reconnectWindow,
                       stormThreshold, corsOrigin, noAuth, secretFile, publicKey, issuer, audience,
                       leeway, tokenCookie, authFailures});

    // parse() instead of process(), so that an unknown option is reported
    // like every other invalid value and exits with 2.
    if (!parser.parse(arguments)) {
        *errorMessage = parser.errorText();
        return false;
    }
    if (parser.isSet(help))
        parser.showHelp(0);
    if (!parser.positionalArguments().isEmpty()) {
        *errorMessage = QCoreApplication::translate("main", "unknown command \"%1\"; the only "
                                                            "command is \"token\"")
                                .arg(parser.positionalArguments().constFirst());
        return false;
    }
    if (parser.isSet(version))
        parser.showVersion();

    CommandLineOptions result;
    result.headless = parser.isSet(headless);

    const QString address = parser.value(bind);
    if (!result.server.bindAddress.setAddress(address)) {
        *errorMessage = QCoreApplication::translate("main", "invalid --bind address \"%1\"; "
                                                            "expected an IPv4 or IPv6 address")
                                .arg(address);
        return false;
    }

    struct IntegerOption
    {
        const QCommandLineOption &option;
        qint64 minimum;
        qint64 maximum;
        qint64 value = 0;
    };
    IntegerOption integers[] = {
        {port, 0, 65535},
        {retry, 0, 24 * 3600 * 1000},
        {workers, 0, 256},
        {backlog, 1, 65535},
        {maxUnsent, 1024, qint64(1) << 40},
        {maxEventsPerOrder, 0, 100000000},
        {maxEventAge, 0, qint64(100) * 365 * 24 * 3600},
        {replayLimit, 1, 1000000},
        {reconnectWindow, 0, 24 * 3600},
        {stormThreshold, 0, 100000000},
        {leeway, 0, MaxJwtLeewaySeconds},
        {authFailures, 0, MaxAuthFailuresPerMinute},
        {maxStreams, 0, 100000000},
        {maxStreamsPerAddress, 0, 100000000},
    };
    for (IntegerOption &integer : integers) {
        const QString text = parser.value(integer.option);
        if (!parseInteger(text, integer.minimum, integer.maximum, integer.value)) {
            *errorMessage = QCoreApplication::translate("main", "invalid --%1 value \"%2\"; "
                                                                "expected an integer from %3 to %4")
                                    .arg(integer.option.names().constFirst(), text)
                                    .arg(integer.minimum)
                                    .arg(integer.maximum);
            return false;
        }
    }

    const QString heartbeatText = parser.value(heartbeat);
    bool heartbeatOk = false;
    const double heartbeatSeconds = heartbeatText.toDouble(&heartbeatOk);
    if (!heartbeatOk || heartbeatSeconds < 0 || heartbeatSeconds > 24 * 3600) {
        *errorMessage = QCoreApplication::translate("main", "invalid --heartbeat-interval value "
                                                            "\"%1\"; expected seconds from 0 to 86400")
                                .arg(heartbeatText);
        return false;
    }

    result.server.port = quint16(integers[0].value);
    result.server.heartbeatIntervalMs = int(heartbeatSeconds * 1000);
    result.server.retryMs = int(integers[1].value);
    result.server.streamWorkers = int(integers[2].value);
    result.server.listenBacklog = int(integers[3].value);
    result.server.maxUnsentBytes = integers[4].value;
    result.server.maxEventsPerOrder = int(integers[5].value);
    result.server.maxEventAgeSeconds = integers[6].value;
    result.server.replayLimit = int(integers[7].value);
    result.server.reconnectWindowMs = integers[8].value * 1000;
    result.server.reconnectStormPerMinute = int(integers[9].value);
    result.server.journalPath = parser.value(journal);

    result.server.authEnabled = !parser.isSet(noAuth);
    saved.applyTo(result.server);
    result.server.jwt.leewaySeconds = int(integers[10].value);
    result.server.authFailuresPerMinute = int(integers[11].value);
    result.server.maxStreams = int(integers[12].value);
    result.server.maxStreamsPerAddress = int(integers[13].value);
    result.server.tokenCookieName = parser.value(tokenCookie);
    const auto valueOrSaved = [&parser](const QCommandLineOption &option,
                                        const QString &savedValue) {
        return parser.isSet(option) ? parser.value(option) : savedValue;
    };
    result.server.jwt.issuer = valueOrSaved(issuer, saved.issuer);
    result.server.jwt.audience = valueOrSaved(audience, saved.audience);
    if (result.server.authEnabled
        && !loadJwtKeys(valueOrSaved(secretFile, saved.secretFilePath),
                        valueOrSaved(publicKey, saved.publicKeyPath), result.server.jwt,
                        errorMessage)) {
        return false;
    }

    const QStringList origins = parser.values(corsOrigin);
    for (const QString &origin : origins) {
        const QUrl url(origin, QUrl::StrictMode);
        const bool valid = url.isValid() && !url.host().isEmpty() && url.path().isEmpty()
                && (url.scheme() == QLatin1String("http") || url.scheme() == QLatin1String("https"));
        if (!valid) {
            *errorMessage = QCoreApplication::translate("main", "invalid --cors-origin \"%1\"; "
                                                                "expected scheme://host[:port] "
                                                                "with no path")
                                    .arg(origin);
            return false;
        }
        result.server.corsOrigins.append(origin);
    }

    options = result;
    return true;
}
