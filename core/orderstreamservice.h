#pragma once

#include "lifecycle.h"
#include "orderevent.h"
#include "orderhub.h"
#include "reconnecttracker.h"
#include "redispresence.h"
#include "serverconfig.h"
#include "streamengine.h"

#include <QObject>
#include <QThread>

#include <memory>

class EventStore;
class RedisEventStore;
class HttpMetrics;
class StreamAdmission;
class OrderHttpServer;

// Runs the whole server: the streaming engine's workers, the event hub and
// the HTTP front on a thread of its own. No network or hub work runs on the
// thread that creates the service, which is the GUI thread in the console.
class OrderStreamService : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(OrderStreamService)

public:
    explicit OrderStreamService(const ServerConfig &config, QObject *parent = nullptr);
    ~OrderStreamService() override;

    // Opens the journal, starts the workers and listens. Blocks until the
    // socket is bound. Returns false with errorMessage set when the journal
    // cannot be opened or listening fails.
    bool start(QString *errorMessage);

    // Stops accepting, commits every queued publish and sends its response,
    // closes every stream after its queued frames, closes the journal and
    // joins the threads.
    void stop();

    // The journal's file; the default location when config().journalPath is empty.
    QString journalPath() const;

    bool isRunning() const { return m_running; }
    const ServerConfig &config() const { return m_config; }
    // The bound port; differs from config().port when that was 0.
    quint16 port() const { return m_port; }
    QDateTime startedAt() const { return m_startedAt; }
    // The lifecycle that publishes are checked against: the default, or the
    // one loaded from config().lifecyclePath by the last start().
    const Lifecycle &lifecycle() const { return m_lifecycle; }

    // Thread-safe copy of the hub's state; see OrderHub::snapshot().
    HubSnapshot snapshot(quint64 eventsAfter, int maxEvents) const;

    // Returns at most limit open streams, collected from each streaming worker. Thread-safe.
    QList<StreamConnection> connections(int limit) const;
    // Reconnects recorded after afterSequence. Thread-safe.
    QList<ReconnectRecord> reconnects(quint64 afterSequence, int limit) const;
    QList<int> reconnectsPerMinute() const;

    // Every counter and gauge in the Prometheus text format, as GET /metrics
    // returns it. Thread-safe.
    QByteArray metricsText() const;

    // The event store's state, for the console's status bar. Thread-safe.
    struct StoreStatus
    {
        // False for the SQLite journal, true for Redis.
        bool shared = false;
        bool reachable = true;
        // Start of the current outage, in milliseconds since the epoch; 0 while reachable.
        qint64 outageSinceMs = 0;
        quint64 outages = 0;
        QString location;
    };
    StoreStatus storeStatus() const;
    // The instances sharing this instance's Redis, this one included; empty
    // without Redis. Thread-safe.
    QList<ClusterInstance> clusterInstances() const;

    // The event store, for the console's history. Null before the first
    // start; after stop() it still exists but is closed, and reads return nothing.
    EventStore *store() const { return m_store.get(); }

    // Publishes on the server thread. Emits published() or publishFailed()
    // on the calling object's thread when done.
    void publishAsync(const OrderEvent &event);

Q_SIGNALS:
    void started();
    void stopped();
    void published(const OrderEvent &event);
    void publishFailed(const QString &orderId, const QString &reason);

private:
    void startPresence();
    void shutDown();

    const ServerConfig m_config;
    QThread m_thread;
    std::unique_ptr<EventStore> m_store;
    // Set when m_store is a RedisEventStore.
    RedisEventStore *m_redisStore = nullptr;
    std::unique_ptr<RedisPresence> m_presence;
    std::unique_ptr<StreamEngine> m_engine;
    std::unique_ptr<OrderHub> m_hub;
    std::unique_ptr<ReconnectTracker> m_reconnects;
    std::unique_ptr<HttpMetrics> m_httpMetrics;
    std::unique_ptr<StreamAdmission> m_admission;
    OrderHttpServer *m_server = nullptr;
    bool m_running = false;
    quint16 m_port = 0;
    QDateTime m_startedAt;
    Lifecycle m_lifecycle = Lifecycle::defaultLifecycle();
};
