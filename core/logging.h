#pragma once

#include <QLoggingCategory>

// One category per area. The names are listed in docs/architecture.md so that
// operators can enable them with QT_LOGGING_RULES, for example
// QT_LOGGING_RULES="orderstream.stream.debug=true".
Q_DECLARE_LOGGING_CATEGORY(lcHttp)
Q_DECLARE_LOGGING_CATEGORY(lcHub)
Q_DECLARE_LOGGING_CATEGORY(lcStream)
Q_DECLARE_LOGGING_CATEGORY(lcService)
Q_DECLARE_LOGGING_CATEGORY(lcJournal)
