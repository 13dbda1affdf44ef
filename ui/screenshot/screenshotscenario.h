#pragma once

#include <QList>
#include <QNetworkAccessManager>
#include <QObject>

#include <functional>

class MainWindow;
class OrderStreamService;
class QTcpSocket;

// Puts real traffic through a running service, so that a screenshot of the
// console shows live state. It opens SSE streams over loopback sockets,
// publishes events with HTTP POST as an orchestrator would, drops one stream
// and resumes it with Last-Event-ID as a browser would, and publishes one
// event from the window's Publish panel.
class ScreenshotScenario : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ScreenshotScenario)

public:
    // The service must be running on a loopback address, and both must
    // outlive the scenario.
    ScreenshotScenario(OrderStreamService *service, MainWindow *window, QObject *parent = nullptr);
    ~ScreenshotScenario() override;

    // A JWT sent with every stream and publish, for a service with
    // authentication on; empty for none.
    void setToken(const QByteArray &token) { m_token = token; }

    // Runs every step and waits until the window lists the result. Returns
    // false with errorMessage set when a step fails or times out.
    bool run(QString *errorMessage);

    // Shows a centre tab and waits until it lists the scenario's data.
    // Returns false with errorMessage set when it times out.
    bool showTab(int tab, QString *errorMessage);

private:
    QTcpSocket *openStream(const QByteArray &request);
    bool openStreams(QString *errorMessage);
    // Publishes Events[first] to Events[last - 1].
    bool postEvents(int first, int last, QString *errorMessage);
    bool dropStream(QString *errorMessage);
    bool resumeStream(QString *errorMessage);
    bool publishFromPanel(QString *errorMessage);
    bool waitForWindow(QString *errorMessage);
    void selectEvent(const QString &status);

    // Runs the event loop until condition() returns true or timeoutMs passes.
    static bool waitUntil(const std::function<bool()> &condition, int timeoutMs);

    OrderStreamService *const m_service;
    MainWindow *const m_window;
    QNetworkAccessManager m_network;
    QList<QTcpSocket *> m_streams;
    QTcpSocket *m_reconnectingStream = nullptr;
    quint64 m_lastEventIdBeforeDrop = 0;
    quint64 m_eventsPublished = 0;
    QByteArray m_token;
};
