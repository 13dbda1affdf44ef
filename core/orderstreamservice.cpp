#include "orderstreamservice.h"

#include "eventjournal.h"
#include "httpmetrics.h"
#include "lifecycle.h"
#include "jwtverifier.h"
#include "logging.h"
#include "orderhttpserver.h"
#include "prometheusformat.h"
#include "rediseventstore.h"
#include "sseframe.h"
#include "streamadmission.h"
#include "streamengine.h"

#include <QCoreApplication>
#include <QDir>
#include <QSysInfo>
#include <QMetaObject>
#include <QStandardPaths>

#include <algorithm>
#include <limits>

OrderStreamService::OrderStreamService(const ServerConfig &config, QObject *parent)
    : QObject(parent), m_config(config)
{
    qRegisterMetaType<OrderEvent>();
    m_thread.setObjectName(QStringLiteral("os-http"));
}

OrderStreamService::~OrderStreamService()
{
    stop();
}

QString OrderStreamService::journalPath() const
{
    if (!m_config.journalPath.isEmpty())
        return m_config.journalPath;
    return QDir(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation))
            .filePath(QStringLiteral("journal.db"));
}

bool OrderStreamService::start(QString *errorMessage)
{
    if (m_running)
        return true;

    if (m_config.authEnabled) {
        QString keyError;
        if (!JwtVerifier(m_config.jwt).isValid(&keyError)) {
            if (errorMessage) {
                *errorMessage = tr("authentication is on but its key is not usable: %1; "
                                   "configure a JWT secret or public key, or start with --no-auth")
                                        .arg(keyError);
            }
            return false;
        }
    } else {
        qCWarning(lcService, "authentication is off: anyone who can reach the port may watch "
                             "and publish every order");
    }

    // Read before anything opens, so an invalid file leaves nothing to undo.
    Lifecycle lifecycle = Lifecycle::defaultLifecycle();
    if (!m_config.lifecyclePath.isEmpty()) {
        QString lifecycleError;
        std::optional<Lifecycle> loaded = Lifecycle::fromFile(m_config.lifecyclePath, &lifecycleError);
        if (!loaded) {
            if (errorMessage)
                *errorMessage = lifecycleError;
            return false;
        }
        lifecycle = std::move(*loaded);
        qCInfo(lcService, "loaded the lifecycle from %ls: %lld stages",
               qUtf16Printable(m_config.lifecyclePath), qlonglong(lifecycle.stages().size()));
    }

    JournalConfig journalConfig;
    journalConfig.path = journalPath();
    journalConfig.maxEventsPerOrder = m_config.maxEventsPerOrder;
    journalConfig.maxAgeSeconds = m_config.maxEventAgeSeconds;
    m_redisStore = nullptr;
    if (m_config.redisUrl.isEmpty()) {
        m_store = std::make_unique<EventJournal>(journalConfig);
    } else {
        QString urlError;
        const std::optional<RedisUrl> url = RedisUrl::parse(m_config.redisUrl, &urlError);
        if (!url) {
            if (errorMessage)
                *errorMessage = urlError;
            return false;
        }
        RedisStoreConfig redisConfig;
        redisConfig.url = *url;
        redisConfig.keyPrefix = m_config.redisKeyPrefix;
        redisConfig.maxEventsPerOrder = m_config.maxEventsPerOrder;
        redisConfig.maxAgeSeconds = m_config.maxEventAgeSeconds;
        auto redisStore = std::make_unique<RedisEventStore>(redisConfig);
        m_redisStore = redisStore.get();
        m_store = std::move(redisStore);
    }
    if (!m_store->open(errorMessage)) {
        m_store.reset();
        m_redisStore = nullptr;
        return false;
    }

    StreamEngineConfig engineConfig;
    engineConfig.workers = m_config.streamWorkers;
    engineConfig.heartbeatIntervalMs = m_config.heartbeatIntervalMs;
    engineConfig.maxUnsentBytes = m_config.maxUnsentBytes;
    engineConfig.inboxCapacity = m_config.inboxCapacity;
    engineConfig.closeFinishedStreams = m_config.closeFinishedStreams;
    m_engine = std::make_unique<StreamEngine>(engineConfig);
    m_hub = std::make_unique<OrderHub>(*m_engine, *m_store, m_config.historyCapacity);
    m_hub->setLifecycle(lifecycle);
    m_lifecycle = lifecycle;

    EventStore *store = m_store.get();
    const int replayLimit = m_config.replayLimit;
    m_reconnects = std::make_unique<ReconnectTracker>(
            m_config.reconnectWindowMs, m_config.reconnectStormPerMinute,
            [store, replayLimit](const QString &orderId, quint64 afterId) {
                return int(store->readAfter(orderId, afterId, replayLimit).events.size());
            });

    OrderHub *hub = m_hub.get();
    m_engine->setReplaySource([store, hub, replayLimit](const QString &orderId, quint64 afterId) {
        const ReplayResult stored = store->readAfter(orderId, afterId, replayLimit);
        // The order's final event is in what the stream is sent, so the
        // stream closes after it. A final event after coveredThroughId
        // reaches the stream live and closes it then.
        const std::optional<quint64> finalId = hub->finalEventId(orderId);
        ReplayFrames replay;
        if (stored.resyncNeeded || stored.truncated) {
            replay.resync = true;
            replay.resyncReason = stored.truncated
                    ? QStringLiteral("the client missed more events than the replay limit of %1")
                              .arg(replayLimit)
                    : stored.resyncReason;
            replay.coveredThroughId = stored.lastEventId;
            replay.frames.emplace_back(stored.lastEventId,
                                       SseFrame::encodeResync(orderId, replay.resyncReason,
                                                              afterId, stored.lastEventId));
            replay.finished = finalId && *finalId <= replay.coveredThroughId;
            return replay;
        }
        // Every event below the highest one read is in the read as well,
        // because ids are assigned in commit order.
        replay.coveredThroughId = afterId;
        for (const OrderEvent &event : stored.events) {
            replay.frames.emplace_back(event.id, SseFrame::encodeEvent(event));
            replay.coveredThroughId = event.id;
        }
        replay.finished = finalId && *finalId <= replay.coveredThroughId;
        return replay;
    });
    ReconnectTracker *reconnects = m_reconnects.get();
    m_admission = std::make_unique<StreamAdmission>(m_config.maxStreams,
                                                    m_config.maxStreamsPerAddress);
    StreamAdmission *admission = m_admission.get();
    StreamObserver observer;
    observer.resumed = [reconnects](const StreamInfo &info, const ReplayFrames &replay) {
        reconnects->streamResumed(info, replay);
    };
    // NOTE: a stream that a worker fails to adopt (not a TCP socket) or that
    // arrives while the engine stops never opens, so it stays counted
    // against the stream caps until the service restarts.
    observer.closed = [reconnects, admission](const StreamInfo &info, quint64 lastSentId,
                                              const char *) {
        admission->release(info.remoteAddress);
        reconnects->streamClosed(info, lastSentId);
    };
    m_engine->setObserver(observer);
    m_engine->start();
    m_hub->loadFromStore();

    m_httpMetrics = std::make_unique<HttpMetrics>();
    m_thread.start();
    m_server = new OrderHttpServer(*m_hub, *m_engine, *m_reconnects, *m_httpMetrics, *m_admission,
                                   m_config);
    m_server->setMetricsSource([this] { return metricsText(); });
    m_server->moveToThread(&m_thread);

    // The QTcpServer must be created on the thread that runs it.
    quint16 port = 0;
    QString error;
    QMetaObject::invokeMethod(
            m_server, [this, &port, &error] { port = m_server->listenConfigured(&error); },
            Qt::BlockingQueuedConnection);

    if (port == 0) {
        if (errorMessage)
            *errorMessage = error;
        shutDown();
        return false;
    }

    m_port = port;
    m_running = true;
    m_startedAt = QDateTime::currentDateTimeUtc();
    if (m_redisStore)
        startPresence();
    const bool https = !m_config.tlsCertificatePath.isEmpty();
    qCInfo(lcService, "listening on %s://%ls:%u with %d streaming workers; events in %ls",
           https ? "https" : "http", qUtf16Printable(m_config.bindAddress.toString()), m_port,
           m_engine->workerCount(),
           qUtf16Printable(m_store->location()));
    Q_EMIT started();
    return true;
}

void OrderStreamService::stop()
{
    if (!m_running)
        return;
    m_running = false;

    shutDown();
    qCInfo(lcService, "stopped listening on port %u", m_port);
    Q_EMIT stopped();
}

void OrderStreamService::startPresence()
{
    RedisPresence::Config presence;
    presence.url = m_redisStore->config().url;
    presence.keyPrefix = m_config.redisKeyPrefix;
    presence.address = QStringLiteral("%1:%2").arg(m_config.bindAddress.toString()).arg(m_port);
    presence.instanceId = m_config.instanceId.isEmpty()
            ? QStringLiteral("%1:%2").arg(QSysInfo::machineHostName()).arg(m_port)
            : m_config.instanceId;
    presence.version = QCoreApplication::applicationVersion();
    presence.intervalMs = m_config.presenceIntervalMs;
    presence.ttlMs = m_config.presenceTtlMs;
    StreamEngine *engine = m_engine.get();
    m_presence = std::make_unique<RedisPresence>(presence, [engine] {
        const StreamEngineSnapshot streams = engine->snapshot();
        return PresenceAnnouncement{streams.connections, streams.subscribersPerOrder};
    });
    m_presence->start();
}

void OrderStreamService::shutDown()
{
    if (m_presence) {
        m_presence->stop();
        m_presence.reset();
    }
    // 1. Stop accepting connections.
    QMetaObject::invokeMethod(m_server, [this] { m_server->stopListening(); },
                              Qt::BlockingQueuedConnection);
    // 2. Commit what is queued; each commit queues its frame and its response.
    m_store->close();
    // 3. Let the HTTP thread write those responses, then end it.
    QMetaObject::invokeMethod(m_server, &QObject::deleteLater);
    m_server = nullptr;
    m_thread.quit();
    m_thread.wait();
    // 4. Send queued frames and close every stream, so browsers reconnect.
    m_engine->stop();
}

HubSnapshot OrderStreamService::snapshot(quint64 eventsAfter, int maxEvents) const
{
    if (!m_hub)
        return {};
    HubSnapshot snapshot = m_hub->snapshot(eventsAfter, maxEvents);
    snapshot.reconnectsLastMinute = m_reconnects->reconnectsLastMinute();
    snapshot.reconnectsTotal = m_reconnects->total();
    snapshot.reconnectStorm = m_reconnects->stormActive();
    snapshot.journalSizeBytes = m_store ? m_store->sizeBytes() : 0;
    return snapshot;
}

QByteArray OrderStreamService::metricsText() const
{
    if (!m_hub)
        return {};
    const HubSnapshot hub = m_hub->snapshot(std::numeric_limits<quint64>::max(), 0);
    const StreamEngineSnapshot streams = m_engine->snapshot();

    PrometheusFormat out;
    out.family("orderstream_streams_open", "gauge", "SSE streams open now.");
    out.sample("orderstream_streams_open", hub.connections);
    out.family("orderstream_streams_opened_total", "counter", "SSE streams accepted.");
    out.sample("orderstream_streams_opened_total", double(streams.streamsOpened));
    out.family("orderstream_orders_watched", "gauge", "Orders with at least one open stream.");
    out.sample("orderstream_orders_watched", hub.ordersWatched);

    out.family("orderstream_events_published_total", "counter",
               "Events stored and sent to subscribers, by source.");
    QStringList sources = hub.eventsPublishedBySource.keys();
    sources.sort();
    for (const QString &source : std::as_const(sources)) {
        out.sample("orderstream_events_published_total",
                   double(hub.eventsPublishedBySource.value(source)),
                   {qMakePair(QByteArray("source"), source)});
    }
    out.family("orderstream_events_delivered_total", "counter",
               "Event frames queued to subscribers (one per event and subscriber).");
    out.sample("orderstream_events_delivered_total", double(streams.framesDelivered));
    out.family("orderstream_heartbeats_sent_total", "counter", "Heartbeat comments sent.");
    out.sample("orderstream_heartbeats_sent_total", double(streams.heartbeatsSent));
    out.family("orderstream_slow_consumers_dropped_total", "counter",
               "Streams closed because their unsent bytes passed the limit.");
    out.sample("orderstream_slow_consumers_dropped_total", double(streams.slowConsumersDropped));
    out.family("orderstream_publishes_rejected_total", "counter",
               "Publishes answered 503 because the streaming queues were full.");
    out.sample("orderstream_publishes_rejected_total", double(streams.publishesRejected));

    out.family("orderstream_reconnects_total", "counter", "Clients that came back to a stream.");
    out.sample("orderstream_reconnects_total", double(m_reconnects->total()));
    out.family("orderstream_replayed_events_total", "counter",
               "Stored events sent to reconnecting clients.");
    out.sample("orderstream_replayed_events_total", double(m_reconnects->replayedEventsTotal()));
    out.family("orderstream_resyncs_total", "counter",
               "Reconnects answered with order.resync because the history could not serve them.");
    out.sample("orderstream_resyncs_total", double(m_reconnects->resyncsTotal()));

    out.family("orderstream_http_requests_total", "counter", "HTTP answers by route and status.");
    const QHash<HttpMetrics::Key, quint64> requests = m_httpMetrics->counts();
    QList<HttpMetrics::Key> keys = requests.keys();
    std::sort(keys.begin(), keys.end());
    for (const HttpMetrics::Key &key : std::as_const(keys)) {
        out.sample("orderstream_http_requests_total", double(requests.value(key)),
                   {qMakePair(QByteArray("route"), key.first),
                    qMakePair(QByteArray("status"), QString::number(key.second))});
    }

    out.family("orderstream_auth_failures_total", "counter",
               "Requests rejected by authentication, by reason.");
    const QHash<QString, quint64> authFailures = m_httpMetrics->authFailures();
    QStringList reasons = authFailures.keys();
    reasons.sort();
    for (const QString &reason : std::as_const(reasons)) {
        out.sample("orderstream_auth_failures_total", double(authFailures.value(reason)),
                   {qMakePair(QByteArray("reason"), reason)});
    }

    out.family("orderstream_http_rejected_total", "counter",
               "Connections answered with an error and closed before routing (oversized, slow "
               "or invalid requests, too many connections, failed TLS handshakes), by reason.");
    const QHash<QString, quint64> rejections = m_httpMetrics->rejections();
    QStringList rejectionReasons = rejections.keys();
    rejectionReasons.sort();
    for (const QString &reason : std::as_const(rejectionReasons)) {
        out.sample("orderstream_http_rejected_total", double(rejections.value(reason)),
                   {qMakePair(QByteArray("reason"), reason)});
    }

    out.family("orderstream_journal_size_bytes", "gauge",
               "Size of the journal database and its WAL, or Redis's used memory.");
    out.sample("orderstream_journal_size_bytes", double(m_store ? m_store->sizeBytes() : 0));
    if (m_redisStore) {
        out.family("orderstream_redis_up", "gauge", "1 while Redis is reachable, else 0.");
        out.sample("orderstream_redis_up", m_redisStore->isReachable() ? 1 : 0);
        out.family("orderstream_redis_outages_total", "counter", "Times Redis became unreachable.");
        out.sample("orderstream_redis_outages_total", double(m_redisStore->outagesTotal()));
        out.family("orderstream_cluster_instances", "gauge",
                   "Instances announced in Redis, this one included.");
        out.sample("orderstream_cluster_instances",
                   m_presence ? double(m_presence->instances().size()) : 0.0);
    }
    out.family("orderstream_last_event_id", "gauge", "Highest event id assigned.");
    out.sample("orderstream_last_event_id", double(hub.lastEventId));
    return out.text();
}

OrderStreamService::StoreStatus OrderStreamService::storeStatus() const
{
    StoreStatus status;
    if (!m_store)
        return status;
    status.location = m_store->location();
    if (m_redisStore) {
        status.shared = true;
        status.reachable = m_redisStore->isReachable();
        status.outageSinceMs = m_redisStore->outageSinceMs();
        status.outages = m_redisStore->outagesTotal();
    }
    return status;
}

QList<ClusterInstance> OrderStreamService::clusterInstances() const
{
    return m_presence ? m_presence->instances() : QList<ClusterInstance>();
}

QList<StreamConnection> OrderStreamService::connections(int limit) const
{
    return m_engine ? m_engine->connections(limit) : QList<StreamConnection>();
}

QList<ReconnectRecord> OrderStreamService::reconnects(quint64 afterSequence, int limit) const
{
    return m_reconnects ? m_reconnects->records(afterSequence, limit) : QList<ReconnectRecord>();
}

QList<int> OrderStreamService::reconnectsPerMinute() const
{
    return m_reconnects ? m_reconnects->reconnectsPerMinute() : QList<int>(60, 0);
}

void OrderStreamService::publishAsync(const OrderEvent &event)
{
    if (!m_running) {
        Q_EMIT publishFailed(event.orderId, tr("the server is not running"));
        return;
    }

    // The callback runs on the store's thread; the signals are
    // emitted on this object's thread.
    const std::optional<HttpError> rejected = m_hub->publish(event, [this, orderId = event.orderId](
                                                                            const AppendResult &result) {
        QMetaObject::invokeMethod(
                this,
                [this, result, orderId] {
                    if (result.stored)
                        Q_EMIT published(*result.stored);
                    else
                        Q_EMIT publishFailed(orderId, result.error);
                },
                Qt::QueuedConnection);
    });
    if (rejected)
        Q_EMIT publishFailed(event.orderId, rejected->message);
}
