#pragma once

#include "orderevent.h"
#include "orderhub.h"
#include "serverconfig.h"

#include <QObject>
#include <QThread>

#include <memory>

class OrderHttpServer;
class StreamEngine;

// Runs the whole server: the streaming engine's workers, the event hub and
// the HTTP front on a thread of its own, so that no network or hub work runs
// on the thread that creates the service (the GUI thread in the console).
class OrderStreamService : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(OrderStreamService)

public:
    explicit OrderStreamService(const ServerConfig &config, QObject *parent = nullptr);
    ~OrderStreamService() override;

    // Starts the workers and listens. Blocks until the socket is bound.
    // Returns false with errorMessage set when listening fails.
    bool start(QString *errorMessage);

    // Stops accepting, closes every stream and joins the threads.
    void stop();

    bool isRunning() const { return m_running; }
    const ServerConfig &config() const { return m_config; }
    // The bound port; differs from config().port when that was 0.
    quint16 port() const { return m_port; }
    QDateTime startedAt() const { return m_startedAt; }

    // Thread-safe copy of the hub's state; see OrderHub::snapshot().
    HubSnapshot snapshot(quint64 eventsAfter, int maxEvents) const;

    // Publishes on the server thread. Emits published() or publishFailed()
    // on the calling object's thread when done.
    void publishAsync(const OrderEvent &event);

Q_SIGNALS:
    void started();
    void stopped();
    void published(const OrderEvent &event);
    void publishFailed(const QString &orderId, const QString &reason);

private:
    const ServerConfig m_config;
    QThread m_thread;
    std::unique_ptr<StreamEngine> m_engine;
    std::unique_ptr<OrderHub> m_hub;
    OrderHttpServer *m_server = nullptr;
    bool m_running = false;
    quint16 m_port = 0;
    QDateTime m_startedAt;
};
