#include "commandline.h"

#include "redisconnection.h"

#include "authsettings.h"
#include "logging.h"
#include "secretfile.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFile>
#include <QHash>
#include <QHostAddress>
#include <QProcessEnvironment>
#include <QSettings>
#include <QUrl>

#include <algorithm>
#include <optional>

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("main", text);
}

// The group of the config file that contains the options.
const QLatin1String ConfigGroup("server");
const QLatin1String EnvironmentPrefix("ORDERSTREAM_");

// The source of a value, for error messages.
struct ValueOrigin
{
    ServerOption::Source source = ServerOption::CommandLine;
    // The environment variable, or the config file.
    QString name;
    // The line in the config file; 0 when unknown.
    int line = 0;
};

// The values that won for one option, with their origin.
struct ChosenValue
{
    QStringList values;
    ValueOrigin origin;
};

using Setter = std::function<void(CommandLineOptions &options, qint64 value)>;

std::function<QString(const QString &, CommandLineOptions &)> integer(qint64 minimum,
                                                                     qint64 maximum, Setter set)
{
    return [=](const QString &text, CommandLineOptions &options) {
        bool ok = false;
        const qint64 value = text.trimmed().toLongLong(&ok);
        if (!ok || value < minimum || value > maximum)
            return tr("expected an integer from %1 to %2").arg(minimum).arg(maximum);
        set(options, value);
        return QString();
    };
}

std::function<QString(const QString &, CommandLineOptions &)>
text(std::function<void(CommandLineOptions &options, const QString &value)> set)
{
    return [=](const QString &value, CommandLineOptions &options) {
        set(options, value);
        return QString();
    };
}

std::optional<bool> parseSwitch(const QString &text)
{
    const QString value = text.trimmed().toLower();
    for (const char *yes : {"true", "yes", "on", "1"}) {
        if (value == QLatin1String(yes))
            return true;
    }
    for (const char *no : {"false", "no", "off", "0"}) {
        if (value == QLatin1String(no))
            return false;
    }
    return std::nullopt;
}

std::function<QString(const QString &, CommandLineOptions &)>
onOff(std::function<void(CommandLineOptions &options, bool value)> set)
{
    return [=](const QString &text, CommandLineOptions &options) {
        const std::optional<bool> value = parseSwitch(text);
        if (!value)
            return tr("expected true or false (or yes/no, on/off, 1/0)");
        set(options, *value);
        return QString();
    };
}

QString describeOrigin(const ValueOrigin &origin, const QString &optionName)
{
    switch (origin.source) {
    case ServerOption::CommandLine:
        return QStringLiteral("--") + optionName;
    case ServerOption::Environment:
        return tr("environment %1").arg(origin.name);
    case ServerOption::ConfigFile:
        if (origin.line > 0)
            return tr("config file %1, line %2, key %3").arg(origin.name).arg(origin.line).arg(optionName);
        return tr("config file %1, key %2").arg(origin.name, optionName);
    }
    return optionName;
}

QString invalidValueMessage(const ServerOption &option, const ValueOrigin &origin,
                            const QString &value, const QString &expected)
{
    // The command line keeps its established form: invalid --port value "x".
    if (origin.source == ServerOption::CommandLine) {
        return tr("invalid --%1 %2 \"%3\"; %4")
                .arg(option.name, option.valueNoun, value, expected);
    }
    return tr("%1: invalid value \"%2\"; %3")
            .arg(describeOrigin(origin, option.name), value, expected);
}

const ServerOption *findOption(const QList<ServerOption> &options, const QString &name)
{
    const auto found = std::find_if(options.cbegin(), options.cend(),
                                    [&name](const ServerOption &option) { return option.name == name; });
    return found == options.cend() ? nullptr : &*found;
}

// A line of the config file that sets a key; QSettings does not report lines.
struct KeyLine
{
    QString key;
    int line = 0;
};

// Returns the keys the file sets with their lines, "group/key" for keys in
// a group other than [General]. Lines starting with '#' or ';' are comments;
// QSettings skips only ';' lines, and reads "#port=1" as a key "#port".
QList<KeyLine> scanKeyLines(const QByteArray &contents)
{
    QList<KeyLine> keys;
    QString group;
    const QList<QByteArray> lines = contents.split('\n');
    for (qsizetype i = 0; i < lines.size(); ++i) {
        const QString line = QString::fromUtf8(lines.at(i)).trimmed();
        if (line.isEmpty() || line.startsWith(QLatin1Char('#')) || line.startsWith(QLatin1Char(';')))
            continue;
        if (line.startsWith(QLatin1Char('[')) && line.endsWith(QLatin1Char(']'))) {
            group = line.mid(1, line.size() - 2).trimmed();
            if (group.compare(QLatin1String("General"), Qt::CaseInsensitive) == 0)
                group.clear();
            continue;
        }
        const qsizetype equals = line.indexOf(QLatin1Char('='));
        const QString key = (equals < 0 ? line : line.left(equals)).trimmed();
        keys.append({group.isEmpty() ? key : group + QLatin1Char('/') + key, int(i + 1)});
    }
    return keys;
}

// Reads the [server] group of the INI file at path into chosen. Returns false
// with errorMessage set when the file cannot be read or is malformed, or a
// key is unknown, repeated, outside [server] or not allowed in a file.
bool readConfigFile(const QString &path, const QList<ServerOption> &options,
                    QHash<QString, ChosenValue> &chosen, QString *errorMessage)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *errorMessage = tr("cannot read config file %1: %2").arg(path, file.errorString());
        return false;
    }
    const QList<KeyLine> keyLines = scanKeyLines(file.readAll());

    QHash<QString, int> lineOfKey;
    for (const KeyLine &keyLine : keyLines) {
        const auto describeAt = [&](const QString &problem) {
            return tr("config file %1, line %2: %3").arg(path).arg(keyLine.line).arg(problem);
        };
        if (lineOfKey.contains(keyLine.key)) {
            *errorMessage = describeAt(tr("key %1 is already set on line %2")
                                               .arg(keyLine.key)
                                               .arg(lineOfKey.value(keyLine.key)));
            return false;
        }
        lineOfKey.insert(keyLine.key, keyLine.line);

        const QString prefix = ConfigGroup + QLatin1Char('/');
        if (!keyLine.key.startsWith(prefix)) {
            *errorMessage = describeAt(tr("unknown key \"%1\"; options go in the [server] group")
                                               .arg(keyLine.key));
            return false;
        }
        const QString name = keyLine.key.mid(prefix.size());
        const ServerOption *option = findOption(options, name);
        if (!option) {
            *errorMessage = describeAt(tr("unknown key \"%1\"; 'orderstream --help' lists the "
                                          "options, which are the keys without the leading --")
                                               .arg(name));
            return false;
        }
        if (!(option->sources & ServerOption::ConfigFile)) {
            *errorMessage = describeAt(tr("key \"%1\" is not allowed in a config file; give "
                                          "--%1 on the command line")
                                               .arg(name));
            return false;
        }
    }

    const QSettings settings(path, QSettings::IniFormat);
    if (settings.status() != QSettings::NoError) {
        *errorMessage = tr("config file %1: invalid INI syntax").arg(path);
        return false;
    }
    for (const KeyLine &keyLine : keyLines) {
        const QString name = keyLine.key.mid(ConfigGroup.size() + 1);
        const ServerOption *option = findOption(options, name);
        const QVariant stored = settings.value(keyLine.key);
        // QSettings reads an unquoted value with commas as a list.
        QStringList values = stored.toStringList();
        if (!option->repeatable && values.size() > 1) {
            *errorMessage = tr("config file %1, line %2, key %3: expected one value; put a value "
                               "that contains commas in double quotes")
                                    .arg(path)
                                    .arg(keyLine.line)
                                    .arg(name);
            return false;
        }
        if (option->repeatable)
            values.removeAll(QString());
        else if (values.isEmpty())
            values.append(QString());
        chosen.insert(name, {values, {ServerOption::ConfigFile, path, keyLine.line}});
    }
    return true;
}

void readEnvironment(const QProcessEnvironment &environment, const QList<ServerOption> &options,
                     QHash<QString, ChosenValue> &chosen)
{
    for (const ServerOption &option : options) {
        const QString variable = environmentVariableName(option.name);
        if (!(option.sources & ServerOption::Environment) || !environment.contains(variable))
            continue;

        const QString value = environment.value(variable);
        QStringList values{value};
        if (option.repeatable) {
            values = value.split(QLatin1Char(','), Qt::SkipEmptyParts);
            for (QString &item : values)
                item = item.trimmed();
            values.removeAll(QString());
        }
        chosen.insert(option.name, {values, {ServerOption::Environment, variable, 0}});
    }

    // A misspelt variable would otherwise pass unnoticed. ORDERSTREAM_JWT_SECRET
    // is read by loadJwtKeys(), ORDERSTREAM_BUILD_DIR by the scripts.
    // The secret, the client commands' token and the build scripts' folder.
    const QStringList known{QStringLiteral("ORDERSTREAM_JWT_SECRET"),
                            QStringLiteral("ORDERSTREAM_TOKEN"),
                            QStringLiteral("ORDERSTREAM_BUILD_DIR")};
    const QStringList names = environment.keys();
    for (const QString &name : names) {
        if (!name.startsWith(EnvironmentPrefix) || known.contains(name))
            continue;
        const bool isOption = std::any_of(options.cbegin(), options.cend(),
                                          [&name](const ServerOption &option) {
                                              return environmentVariableName(option.name) == name;
                                          });
        if (!isOption) {
            qCWarning(lcService, "ignored environment variable %ls: no option of that name",
                      qUtf16Printable(name));
        }
    }
}

bool isValidCorsOrigin(const QString &origin)
{
    const QUrl url(origin, QUrl::StrictMode);
    return url.isValid() && !url.host().isEmpty() && url.path().isEmpty()
            && (url.scheme() == QLatin1String("http") || url.scheme() == QLatin1String("https"));
}

} // namespace

QString environmentVariableName(const QString &optionName)
{
    QString name = optionName.toUpper();
    name.replace(QLatin1Char('-'), QLatin1Char('_'));
    return EnvironmentPrefix + name;
}

QList<ServerOption> serverOptions(const AuthSettings &saved)
{
    // One entry per option: name, value name (none for a switch), help,
    // default as the config file writes it, and how the value is checked and
    // stored. Sources, repeatable and the noun of command-line errors follow
    // where they differ from ServerOption's defaults.
    QList<ServerOption> options{
        {QStringLiteral("headless"), {},
         tr("Run the server without the console window."), QStringLiteral("false"),
         onOff([](CommandLineOptions &o, bool value) { o.headless = value; }),
         ServerOption::CommandLine},
        {QStringLiteral("config"), QStringLiteral("file"),
         tr("Read options from the INI <file>: keys named like the options without --, in a "
            "[server] group. Options given here and ORDERSTREAM_* environment variables take "
            "precedence over it."),
         {},
         // parseCommandLine() reads the file before it applies any option.
         text([](CommandLineOptions &, const QString &) { }),
         ServerOption::CommandLine | ServerOption::Environment},
        {QStringLiteral("bind"), QStringLiteral("address"),
         tr("Listen on <address> (default 127.0.0.1; 0.0.0.0 or :: for every interface)."),
         QStringLiteral("127.0.0.1"),
         [](const QString &value, CommandLineOptions &o) {
             if (!o.server.bindAddress.setAddress(value.trimmed()))
                 return tr("expected an IPv4 or IPv6 address");
             return QString();
         },
         ServerOption::AllSources, false, QStringLiteral("address")},
        {QStringLiteral("port"), QStringLiteral("port"),
         tr("Listen on TCP <port> (default 8080; 0 picks a free port)."), QStringLiteral("8080"),
         integer(0, 65535, [](CommandLineOptions &o, qint64 v) { o.server.port = quint16(v); })},
        {QStringLiteral("heartbeat-interval"), QStringLiteral("seconds"),
         tr("Send a heartbeat comment on every stream each <seconds>, decimals allowed "
            "(default 15; 0 turns them off)."),
         QStringLiteral("15"), [](const QString &value, CommandLineOptions &o) {
             bool ok = false;
             const double seconds = value.trimmed().toDouble(&ok);
             if (!ok || seconds < 0 || seconds > 24 * 3600)
                 return tr("expected seconds from 0 to 86400");
             o.server.heartbeatIntervalMs = int(seconds * 1000);
             return QString();
         }},
        {QStringLiteral("retry"), QStringLiteral("milliseconds"),
         tr("Reconnection delay sent to browsers in the retry: field, in <milliseconds> "
            "(default 3000)."),
         QStringLiteral("3000"), integer(0, 24 * 3600 * 1000,
                 [](CommandLineOptions &o, qint64 v) { o.server.retryMs = int(v); })},
        {QStringLiteral("workers"), QStringLiteral("count"),
         tr("Streaming worker threads (default 0: one per CPU core)."), QStringLiteral("0"),
         integer(0, 256, [](CommandLineOptions &o, qint64 v) { o.server.streamWorkers = int(v); })},
        {QStringLiteral("listen-backlog"), QStringLiteral("count"),
         tr("Length of the queue of connections not yet accepted (default 4096)."),
         QStringLiteral("4096"), integer(1, 65535, [](CommandLineOptions &o, qint64 v) { o.server.listenBacklog = int(v); })},
        {QStringLiteral("max-unsent-bytes"), QStringLiteral("bytes"),
         tr("Drop a stream whose unsent data would pass <bytes> (default 1048576)."),
         QStringLiteral("1048576"), integer(1024, qint64(1) << 40,
                 [](CommandLineOptions &o, qint64 v) { o.server.maxUnsentBytes = v; })},
        {QStringLiteral("max-streams"), QStringLiteral("count"),
         tr("Answer 503 to a new stream while <count> are open (default 0: no limit; each "
            "stream needs one file descriptor)."),
         QStringLiteral("0"), integer(0, 100000000, [](CommandLineOptions &o, qint64 v) { o.server.maxStreams = int(v); })},
        {QStringLiteral("max-streams-per-address"), QStringLiteral("count"),
         tr("Answer 429 to a new stream from an address that has <count> open (default 0: no "
            "limit)."),
         QStringLiteral("0"), integer(0, 100000000,
                 [](CommandLineOptions &o, qint64 v) { o.server.maxStreamsPerAddress = int(v); })},
        {QStringLiteral("journal"), QStringLiteral("file"),
         tr("Store events in the SQLite database <file> (default: journal.db in the "
            "application data folder)."),
         {}, text([](CommandLineOptions &o, const QString &v) { o.server.journalPath = v; })},
        {QStringLiteral("max-events-per-order"), QStringLiteral("count"),
         tr("Keep at most <count> events per order in the journal (default 1000; 0 keeps all)."),
         QStringLiteral("1000"), integer(0, 100000000,
                 [](CommandLineOptions &o, qint64 v) { o.server.maxEventsPerOrder = int(v); })},
        {QStringLiteral("max-event-age"), QStringLiteral("seconds"),
         tr("Delete journal events older than <seconds> (default 604800, a week; 0 keeps all)."),
         QStringLiteral("604800"), integer(0, qint64(100) * 365 * 24 * 3600,
                 [](CommandLineOptions &o, qint64 v) { o.server.maxEventAgeSeconds = v; })},
        {QStringLiteral("replay-limit"), QStringLiteral("count"),
         tr("A reconnecting client that missed more than <count> events gets order.resync "
            "instead of a replay (default 1000)."),
         QStringLiteral("1000"), integer(1, 1000000, [](CommandLineOptions &o, qint64 v) { o.server.replayLimit = int(v); })},
        {QStringLiteral("reconnect-window"), QStringLiteral("seconds"),
         tr("A client that opens the same order's stream within <seconds> of closing it counts "
            "as a reconnect (default 300)."),
         QStringLiteral("300"), integer(0, 24 * 3600,
                 [](CommandLineOptions &o, qint64 v) { o.server.reconnectWindowMs = v * 1000; })},
        {QStringLiteral("reconnect-storm-threshold"), QStringLiteral("count"),
         tr("Warn of a reconnect storm at <count> reconnects per minute (default 120; 0 turns "
            "it off)."),
         QStringLiteral("120"), integer(0, 100000000,
                 [](CommandLineOptions &o, qint64 v) { o.server.reconnectStormPerMinute = int(v); })},
        {QStringLiteral("lifecycle"), QStringLiteral("file"),
         tr("Read the order lifecycle (stages and allowed transitions) from the JSON <file> "
            "(default: the built-in Draft, Activating, Provisioning, Active, Completed, Failed, "
            "Cancelled)."),
         {}, text([](CommandLineOptions &o, const QString &v) { o.server.lifecyclePath = v; })},
        {QStringLiteral("keep-finished-streams"), {},
         tr("Keep streams open after an order's final event instead of closing them, for staff "
            "who keep watching."),
         QStringLiteral("false"),
         onOff([](CommandLineOptions &o, bool value) { o.server.closeFinishedStreams = !value; })},
        {QStringLiteral("ingest-order-id-field"), QStringLiteral("name"),
         tr("Platform Event payload field with the order id (default Order_Id__c)."),
         QStringLiteral("Order_Id__c"),
         text([](CommandLineOptions &o, const QString &v) { o.server.ingestOrderIdField = v; })},
        {QStringLiteral("ingest-status-field"), QStringLiteral("name"),
         tr("Platform Event payload field with the status (default Status__c)."),
         QStringLiteral("Status__c"),
         text([](CommandLineOptions &o, const QString &v) { o.server.ingestStatusField = v; })},
        {QStringLiteral("ingest-stage-field"), QStringLiteral("name"),
         tr("Platform Event payload field with the lifecycle stage (default Stage__c)."),
         QStringLiteral("Stage__c"),
         text([](CommandLineOptions &o, const QString &v) { o.server.ingestStageField = v; })},
        {QStringLiteral("ingest-message-field"), QStringLiteral("name"),
         tr("Platform Event payload field with the message (default Message__c)."),
         QStringLiteral("Message__c"),
         text([](CommandLineOptions &o, const QString &v) { o.server.ingestMessageField = v; })},
        {QStringLiteral("trusted-proxy"), QStringLiteral("address"),
         tr("Take the client's address from X-Forwarded-For in requests from the reverse proxy "
            "at <address> or <address>/<prefix length>; repeat for more proxies."),
         {},
         [](const QString &value, CommandLineOptions &o) {
             const QString text = value.trimmed();
             QPair<QHostAddress, int> subnet = QHostAddress::parseSubnet(text);
             if (!text.contains(QLatin1Char('/'))) {
                 const QHostAddress address(text);
                 subnet = qMakePair(address, address.protocol() == QAbstractSocket::IPv6Protocol ? 128 : 32);
             }
             if (subnet.first.isNull())
                 return tr("expected an IP address or a subnet such as 10.0.0.0/8");
             o.server.trustedProxies.append(subnet);
             return QString();
         },
         ServerOption::AllSources, true, QStringLiteral("address")},
        {QStringLiteral("redis"), QStringLiteral("url"),
         tr("Keep events in the Redis at <url> (redis://[[user]:password@]host[:port][/db]) and "
            "share them with every instance using it (default: none, the SQLite journal)."),
         {}, [](const QString &value, CommandLineOptions &o) {
             QString error;
             if (!value.trimmed().isEmpty() && !RedisUrl::parse(value.trimmed(), &error))
                 return tr("expected redis://host[:port][/database]");
             o.server.redisUrl = value.trimmed();
             return QString();
         }},
        {QStringLiteral("redis-key-prefix"), QStringLiteral("prefix"),
         tr("Start every Redis key with <prefix> and a colon (default orderstream)."),
         QStringLiteral("orderstream"), [](const QString &value, CommandLineOptions &o) {
             if (value.trimmed().isEmpty() || value.contains(QLatin1Char(' ')))
                 return tr("expected a non-empty name without spaces");
             o.server.redisKeyPrefix = value.trimmed();
             return QString();
         }},
        {QStringLiteral("instance-id"), QStringLiteral("name"),
         tr("Name of this instance in the cluster view (default: host name and port)."),
         {}, text([](CommandLineOptions &o, const QString &v) { o.server.instanceId = v.trimmed(); })},
        {QStringLiteral("max-header-bytes"), QStringLiteral("bytes"),
         tr("Answer 431 to a request whose request line and headers pass <bytes> (default "
            "16384)."),
         QStringLiteral("16384"), integer(1024, 1024 * 1024,
                 [](CommandLineOptions &o, qint64 v) { o.server.maxHeaderBytes = int(v); })},
        {QStringLiteral("request-timeout"), QStringLiteral("seconds"),
         tr("Answer 408 to a request not complete <seconds> after its first byte, and close a "
            "connection that sends nothing for that long (default 10)."),
         QStringLiteral("10"), integer(1, 3600,
                 [](CommandLineOptions &o, qint64 v) { o.server.requestTimeoutMs = int(v * 1000); })},
        {QStringLiteral("idle-timeout"), QStringLiteral("seconds"),
         tr("Close a keep-alive connection with no new request for <seconds> (default 60). "
            "Streams are never closed for being idle."),
         QStringLiteral("60"), integer(1, 24 * 3600,
                 [](CommandLineOptions &o, qint64 v) { o.server.idleTimeoutMs = int(v * 1000); })},
        {QStringLiteral("max-connections-per-address"), QStringLiteral("count"),
         tr("Answer 429 to a connection from an address that has <count> open connections that "
            "are not streams (default 0: no limit)."),
         QStringLiteral("0"), integer(0, 100000000,
                 [](CommandLineOptions &o, qint64 v) { o.server.maxConnectionsPerAddress = int(v); })},
        {QStringLiteral("tls-certificate"), QStringLiteral("file"),
         tr("Serve HTTPS only, with the PEM certificate (chain) in <file>; needs --tls-key."),
         {}, text([](CommandLineOptions &o, const QString &v) { o.server.tlsCertificatePath = v; })},
        {QStringLiteral("tls-key"), QStringLiteral("file"),
         tr("The unencrypted PEM private key of --tls-certificate."),
         {}, text([](CommandLineOptions &o, const QString &v) { o.server.tlsKeyPath = v; })},
        {QStringLiteral("cors-origin"), QStringLiteral("origin"),
         tr("Allow browser pages from <origin> (for example https://shop.example.com) to use "
            "the streams and the publish API; repeat for more origins."),
         {},
         [](const QString &value, CommandLineOptions &o) {
             if (!isValidCorsOrigin(value))
                 return tr("expected scheme://host[:port] with no path");
             o.server.corsOrigins.append(value);
             return QString();
         },
         ServerOption::AllSources, true},
        {QStringLiteral("no-auth"), {},
         tr("Turn authentication off: anyone who can reach the port may watch and publish every "
            "order."),
         QStringLiteral("false"), onOff([](CommandLineOptions &o, bool value) { o.server.authEnabled = !value; })},
        {QStringLiteral("jwt-secret-file"), QStringLiteral("file"),
         tr("Verify HS256 tokens with the secret in <file> (default: jwt-secret in the "
            "application config folder, created with a random secret on first start). The "
            "environment variable ORDERSTREAM_JWT_SECRET takes precedence."),
         saved.secretFilePath, text([](CommandLineOptions &o, const QString &v) { o.jwtSecretFilePath = v; })},
        {QStringLiteral("jwt-public-key"), QStringLiteral("file"),
         tr("Verify RS256 or ES256 tokens with the PEM public key in <file>."),
         saved.publicKeyPath, text([](CommandLineOptions &o, const QString &v) { o.jwtPublicKeyPath = v; })},
        {QStringLiteral("jwt-issuer"), QStringLiteral("issuer"),
         tr("Accept only tokens whose iss claim is <issuer>."), saved.issuer,
         text([](CommandLineOptions &o, const QString &v) { o.server.jwt.issuer = v; })},
        {QStringLiteral("jwt-audience"), QStringLiteral("audience"),
         tr("Accept only tokens whose aud claim contains <audience>."), saved.audience,
         text([](CommandLineOptions &o, const QString &v) { o.server.jwt.audience = v; })},
        {QStringLiteral("jwt-leeway"), QStringLiteral("seconds"),
         tr("Clock skew allowed for exp and nbf, in <seconds> (default %1).")
                 .arg(saved.leewaySeconds),
         QString::number(saved.leewaySeconds), integer(0, MaxJwtLeewaySeconds,
                 [](CommandLineOptions &o, qint64 v) { o.server.jwt.leewaySeconds = int(v); })},
        {QStringLiteral("token-cookie"), QStringLiteral("name"),
         tr("Read the token from the cookie <name> when there is no Authorization header "
            "(default %1).")
                 .arg(saved.tokenCookieName),
         saved.tokenCookieName, text([](CommandLineOptions &o, const QString &v) { o.server.tokenCookieName = v; })},
        {QStringLiteral("auth-failures-per-minute"), QStringLiteral("count"),
         tr("Answer 429 to an address after <count> failed authentications within a minute "
            "(default %1; 0 turns the limit off).")
                 .arg(saved.authFailuresPerMinute),
         QString::number(saved.authFailuresPerMinute), integer(0, MaxAuthFailuresPerMinute,
                 [](CommandLineOptions &o, qint64 v) { o.server.authFailuresPerMinute = int(v); })},
        {QStringLiteral("log-file"), QStringLiteral("file"),
         tr("Also write the log to <file>, rotated by size (default: none, standard error "
            "only)."),
         {}, text([](CommandLineOptions &o, const QString &v) { o.logFile.path = v; })},
        {QStringLiteral("log-max-size"), QStringLiteral("bytes"),
         tr("Rotate the log file before it grows past <bytes> (default 10485760, 10 MiB)."),
         QString::number(LogFileConfig::DefaultMaxSizeBytes), integer(1024, qint64(1) << 40,
                 [](CommandLineOptions &o, qint64 v) { o.logFile.maxSizeBytes = v; })},
        {QStringLiteral("log-files"), QStringLiteral("count"),
         tr("Keep <count> rotated log files, FILE.1 (newest) to FILE.<count> (default 5; 0 "
            "empties the file instead)."),
         QString::number(LogFileConfig::DefaultKeptFiles), integer(0, 1000, [](CommandLineOptions &o, qint64 v) { o.logFile.keptFiles = int(v); })},
    };
    return options;
}

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
            "Every option but --headless may also be set in the environment, as "
            "ORDERSTREAM_PORT for --port, and every option but --headless and --config in the "
            "[server] group of the --config file, as port=8080. The command line takes "
            "precedence over the environment, and the environment over the config file.\n"
            "The authentication settings saved in the console's Settings dialog are the "
            "defaults of the --jwt-* options, --token-cookie and --auth-failures-per-minute.\n"
            "\n"
            "Commands (each has --help):\n"
            "  orderstream token      sign a token with the server's secret\n"
            "  orderstream publish    publish an event to a running server\n"
            "  orderstream watch      print an order's events as they arrive\n"
            "  orderstream simulate   drive orders through the lifecycle on a server"));
    const QCommandLineOption help = parser.addHelpOption();
    const QCommandLineOption version = parser.addVersionOption();

    // Saved settings are the defaults, so every source overrides them.
    const AuthSettings saved = AuthSettings::load();
    const QList<ServerOption> table = serverOptions(saved);

    // No default values here, so that isSet() shows whether the command line gave one.
    QList<QCommandLineOption> parserOptions;
    for (const ServerOption &option : table) {
        if (option.valueName.isEmpty())
            parserOptions.append(QCommandLineOption(option.name, option.description));
        else
            parserOptions.append(QCommandLineOption(option.name, option.description, option.valueName));
    }
    parser.addOptions(parserOptions);

    // parse() instead of process(), so that an unknown option is reported
    // like every other invalid value and exits with 2.
    if (!parser.parse(arguments)) {
        *errorMessage = parser.errorText();
        return false;
    }
    if (parser.isSet(help))
        parser.showHelp(0);
    if (!parser.positionalArguments().isEmpty()) {
        *errorMessage = QCoreApplication::translate("main", "unknown command \"%1\"; the "
                                                            "commands are token, publish, watch "
                                                            "and simulate")
                                .arg(parser.positionalArguments().constFirst());
        return false;
    }
    if (parser.isSet(version))
        parser.showVersion();

    // Each source replaces what the one before chose: file, environment,
    // command line.
    QHash<QString, ChosenValue> chosen;
    const QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    QString configPath = environment.value(environmentVariableName(QStringLiteral("config")));
    if (parser.isSet(QStringLiteral("config")))
        configPath = parser.value(QStringLiteral("config"));
    if (!configPath.isEmpty() && !readConfigFile(configPath, table, chosen, errorMessage))
        return false;
    readEnvironment(environment, table, chosen);
    for (const ServerOption &option : table) {
        if (!parser.isSet(option.name))
            continue;
        QStringList values = option.valueName.isEmpty() ? QStringList{QStringLiteral("true")}
                                                        : parser.values(option.name);
        // A single-valued option given twice takes the last value.
        if (!option.repeatable)
            values = QStringList{values.constLast()};
        chosen.insert(option.name, {values, {ServerOption::CommandLine, {}, 0}});
    }

    CommandLineOptions result;
    result.server.authEnabled = true;
    saved.applyTo(result.server);
    result.jwtSecretFilePath = saved.secretFilePath;
    result.jwtPublicKeyPath = saved.publicKeyPath;

    for (const ServerOption &option : table) {
        const auto found = chosen.constFind(option.name);
        if (found == chosen.cend())
            continue;
        for (const QString &value : found->values) {
            const QString expected = option.apply(value, result);
            if (!expected.isEmpty()) {
                *errorMessage = invalidValueMessage(option, found->origin, value, expected);
                return false;
            }
        }
    }

    if (result.server.authEnabled
        && !loadJwtKeys(result.jwtSecretFilePath, result.jwtPublicKeyPath, result.server.jwt,
                        errorMessage)) {
        return false;
    }

    options = result;
    return true;
}
