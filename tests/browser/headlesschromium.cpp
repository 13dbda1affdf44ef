#include "headlesschromium.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QTest>
#include <QUrl>

#include <signal.h>

#include <algorithm>

namespace {

// Bounds that only a hung browser reaches. They are far above the usual
// times: Chromium listens within seconds and returns a command within
// milliseconds.
constexpr int StartTimeoutMs = 60000;
constexpr int CommandTimeoutMs = 15000;
constexpr int ShutdownTimeoutMs = 10000;

// Command-line switches for Chromium. Background networking, component updates and sync
// stay off because the tests may reach only the loopback servers they start.
QStringList chromiumArguments(const QString &profileDir)
{
    return {
        QStringLiteral("--headless"),
        QStringLiteral("--no-sandbox"),
        QStringLiteral("--disable-gpu"),
        QStringLiteral("--disable-quic"),
        QStringLiteral("--no-first-run"),
        QStringLiteral("--disable-background-networking"),
        QStringLiteral("--disable-component-update"),
        QStringLiteral("--disable-sync"),
        QStringLiteral("--user-data-dir=") + profileDir,
        QStringLiteral("--remote-debugging-port=0"),
        QStringLiteral("about:blank"),
    };
}

// Reads the browser endpoint from DevToolsActivePort, which contains the port
// on its first line and the endpoint's path on the second. Returns an empty URL
// while the file is missing or not completely written.
QUrl readDevToolsEndpoint(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};

    const QList<QByteArray> lines = file.readAll().split('\n');
    if (lines.size() < 2)
        return {};
    bool ok = false;
    const uint port = lines[0].trimmed().toUInt(&ok);
    const QByteArray endpointPath = lines[1].trimmed();
    if (!ok || port == 0 || port > 65535 || !endpointPath.startsWith("/devtools/browser/"))
        return {};

    QUrl url;
    url.setScheme(QStringLiteral("ws"));
    url.setHost(QStringLiteral("127.0.0.1"));
    url.setPort(int(port));
    url.setPath(QString::fromLatin1(endpointPath));
    return url;
}

// One process as /proc/<pid>/stat shows it. The start time, in clock ticks
// since boot, distinguishes the process from a later one with the same pid.
struct ProcessEntry
{
    qint64 pid = 0;
    qint64 parentPid = 0;
    char state = 0;
    QByteArray startTime;
};

std::optional<ProcessEntry> readProcessEntry(qint64 pid)
{
    QFile file(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!file.open(QIODevice::ReadOnly))
        return std::nullopt;
    const QByteArray stat = file.readAll();

    // The command name in brackets may contain spaces and brackets, so the
    // fields are counted from the last ')'. After it come field 3 (state),
    // field 4 (parent pid) and, at index 19, field 22 (start time).
    const qsizetype nameEnd = stat.lastIndexOf(')');
    if (nameEnd < 0)
        return std::nullopt;
    const QList<QByteArray> fields = stat.mid(nameEnd + 2).split(' ');
    if (fields.size() < 20 || fields[0].isEmpty())
        return std::nullopt;

    ProcessEntry entry;
    entry.pid = pid;
    entry.state = fields[0].at(0);
    entry.parentPid = fields[1].toLongLong();
    entry.startTime = fields[19];
    return entry;
}

// Lists the children of rootPid, their children, and so on.
QList<ProcessEntry> findDescendants(qint64 rootPid)
{
    QList<ProcessEntry> processes;
    const QStringList names =
            QDir(QStringLiteral("/proc")).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    for (const QString &name : names) {
        bool isPid = false;
        const qint64 pid = name.toLongLong(&isPid);
        if (!isPid)
            continue;
        if (const std::optional<ProcessEntry> entry = readProcessEntry(pid))
            processes.append(*entry);
    }

    QList<ProcessEntry> descendants;
    QList<qint64> parents = {rootPid};
    while (!parents.isEmpty()) {
        const qint64 parent = parents.takeFirst();
        for (const ProcessEntry &process : std::as_const(processes)) {
            if (process.parentPid != parent)
                continue;
            descendants.append(process);
            parents.append(process.pid);
        }
    }
    return descendants;
}

// A zombie has exited and only waits for its new parent to reap it.
bool isRunning(const ProcessEntry &process)
{
    const std::optional<ProcessEntry> current = readProcessEntry(process.pid);
    return current && current->startTime == process.startTime && current->state != 'Z'
            && current->state != 'X';
}

bool anyRunning(const QList<ProcessEntry> &processes)
{
    return std::any_of(processes.cbegin(), processes.cend(), isRunning);
}

} // namespace

HeadlessChromium::HeadlessChromium(QObject *parent) : QObject(parent)
{
    m_process.setProcessChannelMode(QProcess::MergedChannels);
    connect(&m_socket, &QWebSocket::textMessageReceived, this, &HeadlessChromium::storeReply);
}

HeadlessChromium::~HeadlessChromium()
{
    stop();
}

bool HeadlessChromium::start(QString *errorMessage)
{
    if (!m_profileDir.isValid()) {
        *errorMessage = QStringLiteral("cannot create a temporary profile folder: %1")
                                .arg(m_profileDir.errorString());
        return false;
    }

    m_process.start(QLatin1String(ExecutablePath), chromiumArguments(m_profileDir.path()));
    if (!m_process.waitForStarted(StartTimeoutMs)) {
        *errorMessage = QStringLiteral("cannot start %1: %2")
                                .arg(QLatin1String(ExecutablePath), m_process.errorString());
        return false;
    }

    const QString portFile = m_profileDir.filePath(QStringLiteral("DevToolsActivePort"));
    QUrl endpoint;
    const bool listenedOrExited = QTest::qWaitFor(
            [&] {
                endpoint = readDevToolsEndpoint(portFile);
                return endpoint.isValid() || m_process.state() == QProcess::NotRunning;
            },
            StartTimeoutMs);
    if (!listenedOrExited) {
        *errorMessage = QStringLiteral("Chromium wrote no DevTools port to %1 within %2 ms")
                                .arg(portFile)
                                .arg(StartTimeoutMs);
        return false;
    }
    if (!endpoint.isValid()) {
        *errorMessage = QStringLiteral("Chromium exited with code %1 before it listened for DevTools")
                                .arg(m_process.exitCode());
        return false;
    }

    m_socket.open(endpoint);
    const bool connectedOrFailed = QTest::qWaitFor(
            [&] {
                const QAbstractSocket::SocketState state = m_socket.state();
                return state == QAbstractSocket::ConnectedState
                        || state == QAbstractSocket::UnconnectedState;
            },
            StartTimeoutMs);
    if (!connectedOrFailed) {
        *errorMessage = QStringLiteral("connecting to the DevTools endpoint %1 timed out after %2 ms")
                                .arg(endpoint.toString())
                                .arg(StartTimeoutMs);
        return false;
    }
    if (m_socket.state() != QAbstractSocket::ConnectedState) {
        *errorMessage = QStringLiteral("cannot connect to the DevTools endpoint %1: %2")
                                .arg(endpoint.toString(), m_socket.errorString());
        return false;
    }
    return true;
}

void HeadlessChromium::stop()
{
    m_socket.abort();
    if (m_process.state() == QProcess::NotRunning)
        return;

    // The zygote, renderer and utility processes can outlive the browser
    // process for a moment, and the network service still writes to the
    // profile then. They are listed now because once the browser has exited
    // they are no longer its children.
    const QList<ProcessEntry> helpers = findDescendants(m_process.processId());

    // SIGTERM lets the browser shut down and end its helper processes.
    m_process.terminate();
    if (!m_process.waitForFinished(ShutdownTimeoutMs)) {
        qWarning("Chromium (pid %lld) did not exit within %d ms of SIGTERM; killing it",
                 m_process.processId(), ShutdownTimeoutMs);
        m_process.kill();
        m_process.waitForFinished(ShutdownTimeoutMs);
    }

    if (QTest::qWaitFor([&helpers] { return !anyRunning(helpers); }, ShutdownTimeoutMs))
        return;
    for (const ProcessEntry &helper : helpers) {
        if (!isRunning(helper))
            continue;
        qWarning("Chromium helper process %lld still runs %d ms after the browser exited; "
                 "killing it",
                 helper.pid, ShutdownTimeoutMs);
        ::kill(pid_t(helper.pid), SIGKILL);
    }
    if (!QTest::qWaitFor([&helpers] { return !anyRunning(helpers); }, ShutdownTimeoutMs)) {
        qWarning("Chromium helper processes still run; the profile folder %ls may be left behind",
                 qUtf16Printable(m_profileDir.path()));
    }
}

QString HeadlessChromium::openTab(const QUrl &url, QString *errorMessage)
{
    QJsonObject targetParams;
    targetParams.insert(QLatin1String("url"), url.toString(QUrl::FullyEncoded));
    const std::optional<QJsonObject> target =
            sendCommand(QStringLiteral("Target.createTarget"), targetParams, {}, errorMessage);
    if (!target)
        return {};

    // A flat session lets Runtime commands for this tab go over the browser
    // connection, tagged with the session id.
    QJsonObject attachParams;
    attachParams.insert(QLatin1String("targetId"), target->value(QLatin1String("targetId")));
    attachParams.insert(QLatin1String("flatten"), true);
    const std::optional<QJsonObject> session =
            sendCommand(QStringLiteral("Target.attachToTarget"), attachParams, {}, errorMessage);
    if (!session)
        return {};

    const QString sessionId = session->value(QLatin1String("sessionId")).toString();
    if (sessionId.isEmpty())
        *errorMessage = QStringLiteral("Target.attachToTarget returned no session id");
    return sessionId;
}

std::optional<QJsonValue> HeadlessChromium::evaluate(const QString &sessionId,
                                                     const QString &expression,
                                                     QString *errorMessage)
{
    QJsonObject params;
    params.insert(QLatin1String("expression"), expression);
    params.insert(QLatin1String("returnByValue"), true);
    const std::optional<QJsonObject> result =
            sendCommand(QStringLiteral("Runtime.evaluate"), params, sessionId, errorMessage);
    if (!result)
        return std::nullopt;

    const QJsonValue exception = result->value(QLatin1String("exceptionDetails"));
    if (!exception.isUndefined()) {
        *errorMessage = QStringLiteral("the expression threw: %1")
                                .arg(QString::fromUtf8(QJsonDocument(exception.toObject())
                                                               .toJson(QJsonDocument::Compact)));
        return std::nullopt;
    }
    return result->value(QLatin1String("result")).toObject().value(QLatin1String("value"));
}

QByteArray HeadlessChromium::output()
{
    m_output += m_process.readAll();
    return m_output;
}

std::optional<QJsonObject> HeadlessChromium::sendCommand(const QString &method,
                                                         const QJsonObject &params,
                                                         const QString &sessionId,
                                                         QString *errorMessage)
{
    if (m_socket.state() != QAbstractSocket::ConnectedState) {
        *errorMessage = QStringLiteral("%1 not sent: not connected to Chromium's DevTools endpoint")
                                .arg(method);
        return std::nullopt;
    }

    const int id = m_nextCommandId++;
    QJsonObject command;
    command.insert(QLatin1String("id"), id);
    command.insert(QLatin1String("method"), method);
    command.insert(QLatin1String("params"), params);
    if (!sessionId.isEmpty())
        command.insert(QLatin1String("sessionId"), sessionId);
    m_socket.sendTextMessage(
            QString::fromUtf8(QJsonDocument(command).toJson(QJsonDocument::Compact)));

    const bool repliedOrClosed = QTest::qWaitFor(
            [&] {
                return m_replies.contains(id)
                        || m_socket.state() != QAbstractSocket::ConnectedState;
            },
            CommandTimeoutMs);
    if (!repliedOrClosed) {
        *errorMessage = QStringLiteral("%1 timed out after %2 ms").arg(method).arg(CommandTimeoutMs);
        return std::nullopt;
    }
    if (!m_replies.contains(id)) {
        *errorMessage = QStringLiteral("%1 failed: the DevTools connection closed").arg(method);
        return std::nullopt;
    }

    const QJsonObject reply = m_replies.take(id);
    const QJsonObject error = reply.value(QLatin1String("error")).toObject();
    if (!error.isEmpty()) {
        *errorMessage = QStringLiteral("%1 failed: %2")
                                .arg(method, error.value(QLatin1String("message")).toString());
        return std::nullopt;
    }
    return reply.value(QLatin1String("result")).toObject();
}

void HeadlessChromium::storeReply(const QString &message)
{
    const QJsonObject object = QJsonDocument::fromJson(message.toUtf8()).object();
    const QJsonValue id = object.value(QLatin1String("id"));
    if (id.isDouble())
        m_replies.insert(id.toInt(), object);
}
