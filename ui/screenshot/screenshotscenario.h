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
// publishes events with HTTP POST as an orchestrator would, and publishes one
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

    // Runs every step and waits until the window lists the result. Returns
    // false with errorMessage set when a step fails or times out.
    bool run(QString *errorMessage);

private:
    bool openStreams(QString *errorMessage);
    bool postEvents(QString *errorMessage);
    bool publishFromPanel(QString *errorMessage);
    bool waitForWindow(QString *errorMessage);
    void selectEvent(const QString &status);

    // Runs the event loop until condition() returns true or timeoutMs passes.
    static bool waitUntil(const std::function<bool()> &condition, int timeoutMs);

    OrderStreamService *const m_service;
    MainWindow *const m_window;
    QNetworkAccessManager m_network;
    QList<QTcpSocket *> m_streams;
    quint64 m_eventsPublished = 0;
};
