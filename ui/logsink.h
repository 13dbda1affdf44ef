#pragma once

#include <QList>
#include <QMutex>
#include <QString>
#include <QtGlobal>

#include <vector>

// One message that went through Qt's message handler.
struct LogEntry
{
    // Milliseconds since the epoch, UTC, taken when the message was logged.
    qint64 timeMs = 0;
    QtMsgType type = QtDebugMsg;
    QString category;
    QString message;
};

// A bounded queue of log messages that any thread may append to and the GUI
// thread drains. When the queue is full, the oldest entry makes room and the
// drop counter grows, so memory stays within capacity entries of at most
// MaxMessageLength characters each.
//
// install() makes this sink the target of Qt's message handler. The handler
// forwards every message to the handler that was installed before, so stderr
// output stays as it was.
class LogSink
{
    Q_DISABLE_COPY_MOVE(LogSink)

public:
    static constexpr qsizetype DefaultCapacity = 5000;
    // Longer messages are cut to this many characters when queued.
    static constexpr qsizetype MaxMessageLength = 4000;

    explicit LogSink(qsizetype capacity = DefaultCapacity);
    // Uninstalls the sink if it is installed.
    ~LogSink();

    // Makes this sink receive every Qt message from now on. Several sinks
    // may be installed at once, and each receives every message.
    void install();
    // Stops this sink receiving messages. When no sink is left, restores
    // the message handler that the first install() replaced.
    void uninstall();
    bool isInstalled() const;

    // Queues a message. Thread-safe, and locks the mutex only to move the entry in.
    void append(LogEntry entry);
    // Returns and removes every queued entry, oldest first. Thread-safe.
    QList<LogEntry> takeAll();

    qsizetype capacity() const { return m_capacity; }
    // Entries dropped because the queue was full, since construction.
    quint64 droppedCount() const;

private:
    const qsizetype m_capacity;
    mutable QMutex m_mutex;
    // A ring of m_capacity slots; m_first is the oldest of m_count entries.
    std::vector<LogEntry> m_ring;
    qsizetype m_first = 0;
    qsizetype m_count = 0;
    quint64 m_dropped = 0;
};
