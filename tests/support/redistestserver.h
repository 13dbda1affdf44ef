#pragma once

#include <QProcess>
#include <QString>

// A redis-server child process on 127.0.0.1 for tests, with its data in a
// folder the test owns. It writes every change to its append-only file
// before replying, so a restart keeps what it acknowledged.
class RedisTestServer
{
public:
    explicit RedisTestServer(QString dataDir);
    ~RedisTestServer();

    RedisTestServer(const RedisTestServer &) = delete;
    RedisTestServer &operator=(const RedisTestServer &) = delete;

    // Starts the server on a free port, or on port when it is not 0 (for a
    // restart). Returns false with errorMessage set when it does not come up
    // within 10 seconds or redis-server is missing.
    bool start(QString *errorMessage, quint16 port = 0);
    // Terminates the server and waits for it to exit.
    void stop();

    quint16 port() const { return m_port; }
    QString url() const;

private:
    const QString m_dataDir;
    QProcess m_process;
    quint16 m_port = 0;
};
