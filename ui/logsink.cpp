#include "logsink.h"

#include <QDateTime>
#include <QMutexLocker>

namespace {

// Guards the installed sinks against uninstall() while another thread is
// inside the handler. The handler locks it only while it queues the entry.
// Qt's handler is replaced while at least one sink is installed, so that two
// windows never chain the handler to itself.
QBasicMutex installMutex;
QList<LogSink *> installedSinks;
QtMessageHandler previousHandler = nullptr;

void forwardMessage(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    {
        const QMutexLocker locker(&installMutex);
        if (!installedSinks.isEmpty()) {
            const QString text = message.size() > LogSink::MaxMessageLength
                    ? message.left(LogSink::MaxMessageLength) + QChar(0x2026)
                    : message;
            const LogEntry entry{QDateTime::currentMSecsSinceEpoch(), type,
                                 QString::fromLatin1(context.category), text};
            for (LogSink *sink : std::as_const(installedSinks))
                sink->append(entry);
        }
    }

    // Called outside the lock, because the previous handler may be slow
    // (a terminal) or abort the process for a fatal message.
    if (previousHandler)
        previousHandler(type, context, message);
    else
        qt_message_output(type, context, message);
}

} // namespace

LogSink::LogSink(qsizetype capacity) : m_capacity(qMax<qsizetype>(1, capacity))
{
    m_ring.resize(size_t(m_capacity));
}

LogSink::~LogSink()
{
    uninstall();
}

void LogSink::install()
{
    const QMutexLocker locker(&installMutex);
    if (installedSinks.contains(this))
        return;
    if (installedSinks.isEmpty())
        previousHandler = qInstallMessageHandler(forwardMessage);
    installedSinks.append(this);
}

void LogSink::uninstall()
{
    const QMutexLocker locker(&installMutex);
    if (!installedSinks.removeOne(this) || !installedSinks.isEmpty())
        return;
    qInstallMessageHandler(previousHandler);
    previousHandler = nullptr;
}

bool LogSink::isInstalled() const
{
    const QMutexLocker locker(&installMutex);
    return installedSinks.contains(this);
}

void LogSink::append(LogEntry entry)
{
    const QMutexLocker locker(&m_mutex);
    if (m_count == m_capacity) {
        // The slot of the oldest entry takes the new one.
        m_ring[size_t(m_first)] = std::move(entry);
        m_first = (m_first + 1) % m_capacity;
        ++m_dropped;
        return;
    }
    m_ring[size_t((m_first + m_count) % m_capacity)] = std::move(entry);
    ++m_count;
}

QList<LogEntry> LogSink::takeAll()
{
    QList<LogEntry> entries;
    const QMutexLocker locker(&m_mutex);
    entries.reserve(m_count);
    for (qsizetype i = 0; i < m_count; ++i)
        entries.append(std::move(m_ring[size_t((m_first + i) % m_capacity)]));
    m_first = 0;
    m_count = 0;
    return entries;
}

quint64 LogSink::droppedCount() const
{
    const QMutexLocker locker(&m_mutex);
    return m_dropped;
}
