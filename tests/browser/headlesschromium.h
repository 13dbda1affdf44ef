#pragma once

#include <QByteArray>
#include <QHash>
#include <QJsonObject>
#include <QJsonValue>
#include <QObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QWebSocket>

#include <optional>

class QUrl;

// A headless Chromium with a fresh profile, driven over the Chrome DevTools
// Protocol on a loopback WebSocket. Chromium picks its debugging port and
// writes it to DevToolsActivePort in the profile folder.
//
// Every wait is bounded, and the destructor ends the browser and its helper
// processes and removes the profile, so a failed test leaves no process or
// folder behind. Helper processes are found through /proc, which makes this
// class Linux-only. All calls belong on the thread that created the object,
// and the waits run that thread's event loop.
class HeadlessChromium : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HeadlessChromium)

public:
    static constexpr const char *ExecutablePath = "/usr/bin/chromium";

    explicit HeadlessChromium(QObject *parent = nullptr);
    ~HeadlessChromium() override;

    // Launches the browser and connects to its DevTools endpoint. Returns
    // false with errorMessage set when Chromium does not start, exits, or
    // does not listen within the start-up timeout.
    bool start(QString *errorMessage);

    // Sends SIGTERM, then SIGKILL if Chromium is still running after the
    // shutdown timeout. Then waits for the helper processes it started, and
    // kills those still running after the timeout. Safe to call more than once.
    void stop();

    // Opens url in a new tab and attaches to it. Returns the DevTools session
    // id for evaluate(), or an empty string with errorMessage set.
    QString openTab(const QUrl &url, QString *errorMessage);

    // Evaluates a JavaScript expression in the tab's page and returns its
    // value, which is undefined when the result has no JSON form. Returns
    // std::nullopt with errorMessage set when the command fails or the
    // expression throws.
    std::optional<QJsonValue> evaluate(const QString &sessionId, const QString &expression,
                                       QString *errorMessage);

    // Everything Chromium printed on stdout and stderr so far.
    QByteArray output();

private:
    std::optional<QJsonObject> sendCommand(const QString &method, const QJsonObject &params,
                                           const QString &sessionId, QString *errorMessage);
    void storeReply(const QString &message);

    // Destroyed after m_process, so the profile is removed only after stop()
    // has waited for the browser and its helper processes.
    QTemporaryDir m_profileDir;
    QProcess m_process;
    QWebSocket m_socket;
    QByteArray m_output;
    int m_nextCommandId = 1;
    // Command replies by id. DevTools events carry no id, so they are dropped.
    QHash<int, QJsonObject> m_replies;
};
