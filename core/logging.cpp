#include "logging.h"

#include "logfile.h"
#include "logratelimiter.h"

#include <QElapsedTimer>
#include <QMutex>
#include <QMutexLocker>

Q_LOGGING_CATEGORY(lcHttp, "orderstream.http", QtInfoMsg)
Q_LOGGING_CATEGORY(lcHub, "orderstream.hub", QtInfoMsg)
Q_LOGGING_CATEGORY(lcStream, "orderstream.stream", QtInfoMsg)
Q_LOGGING_CATEGORY(lcService, "orderstream.service", QtInfoMsg)
Q_LOGGING_CATEGORY(lcJournal, "orderstream.journal", QtInfoMsg)

namespace {

// Set by installHandler(). The handler reads them without a lock on every
// thread that logs. So main() installs before the server starts its threads
// and uninstalls after they stopped, and the mutex only orders those calls.
QBasicMutex handlerMutex;
QtMessageHandler previousHandler = nullptr;
LogFile *logFile = nullptr;
LogRateLimiter *rateLimiter = nullptr;

qint64 monotonicMs()
{
    static const QElapsedTimer clock = [] {
        QElapsedTimer timer;
        timer.start();
        return timer;
    }();
    return clock.elapsed();
}

// Writes one message to the previous handler and the file, unlimited.
void writeMessage(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    if (logFile)
        logFile->writeLine(qFormatLogMessage(type, context, message).toUtf8());
    if (previousHandler)
        previousHandler(type, context, message);
}

void writeSuppressed(const LogRateLimiter::Suppressed &suppressed)
{
    const QMessageLogContext context(nullptr, 0, nullptr, suppressed.category.constData());
    writeMessage(QtWarningMsg, context,
                 QStringLiteral("suppressed %1 similar messages (more than %2 within %3 ms); "
                                "the first suppressed: %4")
                         .arg(suppressed.count)
                         .arg(rateLimiter->maxPerWindow())
                         .arg(rateLimiter->windowMs())
                         .arg(suppressed.sample));
}

void handleMessage(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    const bool limited = rateLimiter && (type == QtInfoMsg || type == QtWarningMsg
                                         || type == QtCriticalMsg);
    if (limited) {
        LogRateLimiter::Suppressed ended;
        const bool allowed = rateLimiter->allow(Logging::rateLimitKey(context, message),
                                                QByteArray(context.category), message,
                                                monotonicMs(), &ended);
        if (ended.count > 0)
            writeSuppressed(ended);
        if (!allowed)
            return;
    }
    writeMessage(type, context, message);
}

} // namespace

namespace Logging {

void installHandler(LogFile *file, LogRateLimiter *limiter)
{
    const QMutexLocker locker(&handlerMutex);
    logFile = file;
    rateLimiter = limiter;
    if (!previousHandler)
        previousHandler = qInstallMessageHandler(handleMessage);
}

void uninstallHandler()
{
    const QMutexLocker locker(&handlerMutex);
    if (previousHandler)
        qInstallMessageHandler(previousHandler);
    previousHandler = nullptr;
    logFile = nullptr;
    rateLimiter = nullptr;
}

void reportSuppressedMessages()
{
    if (!rateLimiter)
        return;
    const QList<LogRateLimiter::Suppressed> ended = rateLimiter->takeEnded(monotonicMs());
    for (const LogRateLimiter::Suppressed &suppressed : ended)
        writeSuppressed(suppressed);
}

QByteArray rateLimitKey(const QMessageLogContext &context, const QString &message)
{
    QByteArray key(context.category ? context.category : "default");
    key.append('\0');
    if (context.file) {
        key.append(context.file);
        key.append(':');
        key.append(QByteArray::number(context.line));
        return key;
    }

    for (const QChar character : message) {
        if (!character.isDigit())
            key.append(QString(character).toUtf8());
    }
    return key;
}

} // namespace Logging
