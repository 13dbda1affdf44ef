#include "logging.h"

Q_LOGGING_CATEGORY(lcHttp, "orderstream.http", QtInfoMsg)
Q_LOGGING_CATEGORY(lcHub, "orderstream.hub", QtInfoMsg)
Q_LOGGING_CATEGORY(lcStream, "orderstream.stream", QtInfoMsg)
Q_LOGGING_CATEGORY(lcService, "orderstream.service", QtInfoMsg)
Q_LOGGING_CATEGORY(lcJournal, "orderstream.journal", QtInfoMsg)
