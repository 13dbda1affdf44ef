#include "orderstreamservice.h"

#include "logging.h"
#include "orderhttpserver.h"
#include "streamengine.h"

#include <QMetaObject>

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

bool OrderStreamService::start(QString *errorMessage)
{
    if (m_running)
        return true;

    StreamEngineConfig engineConfig;
    engineConfig.workers = m_config.streamWorkers;
    engineConfig.heartbeatIntervalMs = m_config.heartbeatIntervalMs;
    engineConfig.maxUnsentBytes = m_config.maxUnsentBytes;
    engineConfig.inboxCapacity = m_config.inboxCapacity;
    m_engine = std::make_unique<StreamEngine>(engineConfig);
    m_hub = std::make_unique<OrderHub>(*m_engine, m_config.historyCapacity);
    m_engine->start();

    m_thread.start();
    m_server = new OrderHttpServer(*m_hub, *m_engine, m_config);
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
        QMetaObject::invokeMethod(m_server, &QObject::deleteLater);
        m_server = nullptr;
        m_thread.quit();
        m_thread.wait();
        m_engine->stop();
        m_hub.reset();
        m_engine.reset();
        return false;
    }

    m_port = port;
    m_running = true;
    m_startedAt = QDateTime::currentDateTimeUtc();
    qCInfo(lcService, "listening on http://%ls:%u with %d streaming workers",
           qUtf16Printable(m_config.bindAddress.toString()), m_port, m_engine->workerCount());
    Q_EMIT started();
    return true;
}

void OrderStreamService::stop()
{
    if (!m_running)
        return;
    m_running = false;

    // Stop accepting first, then close the streams the workers hold.
    QMetaObject::invokeMethod(m_server, &QObject::deleteLater);
    m_server = nullptr;
    m_thread.quit();
    m_thread.wait();
    m_engine->stop();

    qCInfo(lcService, "stopped listening on port %u", m_port);
    Q_EMIT stopped();
}

HubSnapshot OrderStreamService::snapshot(quint64 eventsAfter, int maxEvents) const
{
    if (!m_hub)
        return {};
    return m_hub->snapshot(eventsAfter, maxEvents);
}

void OrderStreamService::publishAsync(const OrderEvent &event)
{
    if (!m_running) {
        Q_EMIT publishFailed(event.orderId, tr("the server is not running"));
        return;
    }

    OrderHub *hub = m_hub.get();
    QMetaObject::invokeMethod(m_server, [this, hub, event] {
        const std::optional<OrderEvent> published = hub->publish(event);
        // Queued to this object's thread because the lambda runs on the server thread.
        if (published) {
            QMetaObject::invokeMethod(this, [this, result = *published] { Q_EMIT this->published(result); },
                                      Qt::QueuedConnection);
        } else {
            QMetaObject::invokeMethod(
                    this,
                    [this, orderId = event.orderId] {
                        Q_EMIT publishFailed(orderId, tr("streaming queues are full; try again"));
                    },
                    Qt::QueuedConnection);
        }
    });
}
