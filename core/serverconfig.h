#pragma once

#include "jwtverifier.h"

#include <QHostAddress>
#include <QString>
#include <QStringList>

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
    // Open streams allowed in all and per remote address; 0 means no cap. A
    // request past the first cap gets 503, past the second 429.
    int maxStreams = 0;
    int maxStreamsPerAddress = 0;
    // A stream whose unsent bytes would pass this bound is dropped.
    qint64 maxUnsentBytes = 1024 * 1024;
    // Frames each streaming worker may hold before a publish is rejected with 503.
    int inboxCapacity = 65536;
    // Limits on requests, applied by the connection guard before Qt HTTP
    // Server parses them. A request line plus headers longer than
    // maxHeaderBytes gets 431. A request whose head or body is not complete
    // requestTimeoutMs after its first byte gets 408; a new connection that
    // sends nothing in that time is closed. A keep-alive connection with no
    // request for idleTimeoutMs is closed. Streams are exempt once accepted.
    int maxHeaderBytes = 16 * 1024;
    int requestTimeoutMs = 10000;
    int idleTimeoutMs = 60000;
    // Connections per remote address that are not streams (requests in
    // progress and idle keep-alive connections); more get 429 and are
    // closed. 0 means no cap.
    int maxConnectionsPerAddress = 0;
    // PEM files of the TLS certificate (chain) and its private key. With
    // both set the server speaks HTTPS only; with both empty, plain HTTP.
    QString tlsCertificatePath;
    QString tlsKeyPath;
    // Recent events kept in memory for the console's live history.
    int historyCapacity = 10000;

    // The SQLite journal file; empty means journal.db in the platform's
    // application data folder.
    QString journalPath;
    // Retention: events kept per order, and their maximum age in seconds;
    // 0 turns that limit off.
    int maxEventsPerOrder = 1000;
    qint64 maxEventAgeSeconds = 7 * 24 * 3600;
    // A resuming stream that missed more events than this gets order.resync.
    int replayLimit = 1000;

    // JSON file of the order lifecycle (stages and allowed transitions); empty
    // means the built-in default. Read at start; an invalid file stops the start.
    QString lifecyclePath;
    // When true, the server closes an order's streams after sending the event
    // that brought it to a final stage. A later stream gets the events it
    // missed and is closed, or 204 when it missed none. When false, streams
    // of finished orders stay open.
    bool closeFinishedStreams = true;
    // Payload fields of the Salesforce Platform Events that
    // POST /ingest/platform-events maps to order updates.
    QString ingestOrderIdField = QStringLiteral("Order_Id__c");
    QString ingestStatusField = QStringLiteral("Status__c");
    QString ingestStageField = QStringLiteral("Stage__c");
    QString ingestMessageField = QStringLiteral("Message__c");

    // A redis:// URL: events are kept in that Redis and shared with every
    // instance using it with the same key prefix. Empty keeps them in the
    // SQLite journal of this instance.
    QString redisUrl;
    QString redisKeyPrefix = QStringLiteral("orderstream");
    // How often this instance announces itself in Redis, and how long an
    // announcement lasts, in milliseconds.
    int presenceIntervalMs = 2000;
    int presenceTtlMs = 10000;
    // This instance's name in the cluster view; empty means host name and port.
    QString instanceId;

    // A stream of the same client and order that opens within this window
    // after one closed counts as a reconnect, in milliseconds.
    qint64 reconnectWindowMs = 5 * 60 * 1000;
    // Reconnects per minute at which the console warns of a reconnect storm.
    int reconnectStormPerMinute = 120;

    // When true, every route but /healthz and /metrics needs a valid JWT. The
    // command line turns it on unless --no-auth is given; code that embeds the
    // service (tests, tools) sets it explicitly.
    bool authEnabled = false;
    JwtConfig jwt;
    // The cookie that may carry the token, for browsers' EventSource, which
    // cannot set an Authorization header.
    QString tokenCookieName = QStringLiteral("orderstream_token");
    // Failed authentications per remote address and minute before further
    // requests from that address get 429; 0 turns the limit off.
    int authFailuresPerMinute = 30;

    // Origins (scheme://host[:port]) whose pages may use the streams and the
    // publish API from a browser, with credentials. Others get no CORS headers.
    QStringList corsOrigins;

    // Reverse proxies (address and prefix length) whose X-Forwarded-For
    // header names the client. A request from one of them counts as coming
    // from the rightmost address in that header that is not a trusted proxy,
    // for the per-address limits, the reconnect tracking and the log.
    QList<QPair<QHostAddress, int>> trustedProxies;
};
