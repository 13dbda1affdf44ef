#pragma once

#include <QHostAddress>

// Everything the server needs to start; filled from the command line.
struct ServerConfig
{
    QHostAddress bindAddress = QHostAddress(QHostAddress::LocalHost);
    quint16 port = 8080;
    // Interval between heartbeat comments on idle streams.
    int heartbeatIntervalMs = 15000;
    // Reconnection delay sent to browsers in the "retry:" field.
    int retryMs = 3000;
    // Streaming worker threads; 0 means one per CPU core.
    int streamWorkers = 0;
    // Length of the kernel's queue of connections not yet accepted.
    int listenBacklog = 4096;
    // A stream whose unsent bytes would pass this bound is dropped.
    qint64 maxUnsentBytes = 1024 * 1024;
    // Frames each streaming worker may hold before a publish is rejected with 503.
    int inboxCapacity = 65536;
    // Recent events kept in memory for the console's history.
    int historyCapacity = 10000;
};
