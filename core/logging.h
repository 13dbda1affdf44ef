#pragma once

#include <QLoggingCategory>

class LogFile;
class LogRateLimiter;

// One category per area. The names are listed in docs/architecture.md so that
// operators can enable them with QT_LOGGING_RULES, for example
// QT_LOGGING_RULES="orderstream.stream.debug=true".
Q_DECLARE_LOGGING_CATEGORY(lcHttp)
Q_DECLARE_LOGGING_CATEGORY(lcHub)
Q_DECLARE_LOGGING_CATEGORY(lcStream)
Q_DECLARE_LOGGING_CATEGORY(lcService)
Q_DECLARE_LOGGING_CATEGORY(lcJournal)

namespace Logging {

// Installs a Qt message handler that passes info, warning and critical
// messages through limiter. Debug messages, which are enabled on purpose,
// and fatal ones are not limited. Each message that passes goes to the
// handler installed before, which writes standard error, and to file in the
// format of qSetMessagePattern(). limiter and file may be null and must stay
// alive until uninstallHandler().
//
// Handlers installed later, such as the console's Log dock, see every message
// before this one and are not limited.
void installHandler(LogFile *file, LogRateLimiter *limiter);
void uninstallHandler();

// Writes one "suppressed N similar messages" warning, in the category of the
// suppressed messages, for each rate-limit window that has ended. main()
// calls it on a timer, so that the count of a burst that stopped is written.
void reportSuppressedMessages();

// Returns the key that the rate limiter counts a message under: the
// category and the source file and line that logged it. Without that
// context, the message text with digits removed stands for the format string.
QByteArray rateLimitKey(const QMessageLogContext &context, const QString &message);

} // namespace Logging
