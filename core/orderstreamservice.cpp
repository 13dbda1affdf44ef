#include "orderstreamservice.h"

#include "eventjournal.h"
#include "logging.h"
#include "orderhttpserver.h"
#include "sseframe.h"
#include "streamengine.h"

#include <QDir>
#include <QMetaObject>
#include <QStandardPaths>

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

    JournalConfig journalConfig;
    journalConfig.path = journalPath();
    journalConfig.maxEventsPerOrder = m_config.maxEventsPerOrder;
    journalConfig.maxAgeSeconds = m_config.maxEventAgeSeconds;
    m_journal = std::make_unique<EventJournal>(journalConfig);
    if (!m_journal->open(errorMessage)) {
        m_journal.reset();
        return false;
    }

    StreamEngineConfig engineConfig;
    engineConfig.workers = m_config.streamWorkers;
    engineConfig.heartbeatIntervalMs = m_config.heartbeatIntervalMs;
    engineConfig.maxUnsentBytes = m_config.maxUnsentBytes;
    engineConfig.inboxCapacity = m_config.inboxCapacity;
    m_engine = std::make_unique<StreamEngine>(engineConfig);
    m_hub = std::make_unique<OrderHub>(*m_engine, *m_journal, m_config.historyCapacity);
    m_hub->loadFromJournal();

    EventJournal *journal = m_journal.get();
    const int replayLimit = m_config.replayLimit;
    m_reconnects = std::make_unique<ReconnectTracker>(
            m_config.reconnectWindowMs, m_config.reconnectStormPerMinute,
            [journal, replayLimit](const QString &orderId, quint64 afterId) {
                return int(journal->readAfter(orderId, afterId, replayLimit).events.size());
            });

    m_engine->setReplaySource([journal, replayLimit](const QString &orderId, quint64 afterId) {
        const ReplayResult stored = journal->readAfter(orderId, afterId, replayLimit);
        ReplayFrames replay;
        if (stored.resyncNeeded || stored.truncated) {
            replay.resync = true;
            replay.resyncReason = stored.truncated
                    ? QStringLiteral("more than %1 events were missed").arg(replayLimit)
                    : stored.resyncReason;
            replay.coveredThroughId = stored.lastEventId;
            replay.frames.emplace_back(stored.lastEventId,
                                       SseFrame::encodeResync(orderId, replay.resyncReason,
                                                              afterId, stored.lastEventId));
            return replay;
        }
        // Every event below the highest one read is in the read as well,
        // because ids are assigned in commit order.
        replay.coveredThroughId = afterId;
        for (const OrderEvent &event : stored.events) {
            replay.frames.emplace_back(event.id, SseFrame::encodeEvent(event));
            replay.coveredThroughId = event.id;
        }
        return replay;
    });
    ReconnectTracker *reconnects = m_reconnects.get();
    StreamObserver observer;
    observer.resumed = [reconnects](const StreamInfo &info, const ReplayFrames &replay) {
        reconnects->streamResumed(info, replay);
    };
    observer.closed = [reconnects](const StreamInfo &info, quint64 lastSentId, const char *) {
        reconnects->streamClosed(info, lastSentId);
    };
    m_engine->setObserver(observer);
    m_engine->start();

    m_thread.start();
    m_server = new OrderHttpServer(*m_hub, *m_engine, *m_reconnects, m_config);
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
    qCInfo(lcService, "listening on http://%ls:%u with %d streaming workers; journal %ls",
           qUtf16Printable(m_config.bindAddress.toString()), m_port, m_engine->workerCount(),
           qUtf16Printable(journalConfig.path));
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

void OrderStreamService::shutDown()
{
    // 1. Stop accepting connections.
    QMetaObject::invokeMethod(m_server, [this] { m_server->stopListening(); },
                              Qt::BlockingQueuedConnection);
    // 2. Commit what is queued; each commit queues its frame and its answer.
    m_journal->close();
    // 3. Let the HTTP thread write those answers, then end it.
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
    snapshot.journalSizeBytes = m_journal ? m_journal->fileSizeBytes() : 0;
    return snapshot;
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

    // The callback runs on the journal's writer thread; the signals are
    // emitted on this object's thread.
    const bool queued = m_hub->publish(event, [this, orderId = event.orderId](
                                                      std::optional<OrderEvent> stored,
                                                      const QString &error) {
        QMetaObject::invokeMethod(
                this,
                [this, stored = std::move(stored), orderId, error] {
                    if (stored)
                        Q_EMIT published(*stored);
                    else
                        Q_EMIT publishFailed(orderId, tr("the journal could not store the event: %1").arg(error));
                },
                Qt::QueuedConnection);
    });
    if (!queued)
        Q_EMIT publishFailed(event.orderId, tr("the publish queues are full; try again"));
}
