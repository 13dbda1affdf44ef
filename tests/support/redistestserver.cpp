#include "redistestserver.h"

#include <QDeadlineTimer>
#include <QStandardPaths>
#include <QTcpServer>

namespace {

quint16 pickFreePort()
{
    QTcpServer probe;
    if (!probe.listen(QHostAddress::LocalHost, 0))
        return 0;
    return probe.serverPort();
}

} // namespace

RedisTestServer::RedisTestServer(QString dataDir) : m_dataDir(std::move(dataDir))
{
    m_process.setProcessChannelMode(QProcess::MergedChannels);
}

RedisTestServer::~RedisTestServer()
{
    stop();
}

QString RedisTestServer::url() const
{
    return QStringLiteral("redis://127.0.0.1:%1").arg(m_port);
}

bool RedisTestServer::start(QString *errorMessage, quint16 port)
{
    const QString program = QStandardPaths::findExecutable(QStringLiteral("redis-server"));
    if (program.isEmpty()) {
        *errorMessage = QStringLiteral("redis-server is not installed; scripts/install-deps.sh "
                                       "--tests installs it");
        return false;
    }

    // A port picked this way may be taken again before redis-server binds
    // it; a fresh start then tries another one.
    const int attempts = port == 0 ? 5 : 1;
    QString lastOutput;
    for (int attempt = 0; attempt < attempts; ++attempt) {
        m_port = port != 0 ? port : pickFreePort();
        m_process.start(program,
                        {QStringLiteral("--port"), QString::number(m_port),
                         QStringLiteral("--bind"), QStringLiteral("127.0.0.1"),
                         QStringLiteral("--dir"), m_dataDir,
                         QStringLiteral("--save"), QString(),
                         QStringLiteral("--appendonly"), QStringLiteral("yes"),
                         QStringLiteral("--appendfsync"), QStringLiteral("always"),
                         QStringLiteral("--daemonize"), QStringLiteral("no"),
                         QStringLiteral("--loglevel"), QStringLiteral("notice")});
        QByteArray output;
        const QDeadlineTimer deadline(10000);
        while (!deadline.hasExpired() && m_process.state() != QProcess::NotRunning) {
            m_process.waitForReadyRead(int(std::max<qint64>(1, deadline.remainingTime())));
            output += m_process.readAll();
            if (output.contains("Ready to accept connections"))
                return true;
        }
        lastOutput = QString::fromLocal8Bit(output.right(2000));
        stop();
    }
    *errorMessage = QStringLiteral("redis-server did not start on port %1: %2")
                            .arg(m_port)
                            .arg(lastOutput);
    return false;
}

void RedisTestServer::stop()
{
    if (m_process.state() == QProcess::NotRunning)
        return;
    m_process.terminate();
    if (!m_process.waitForFinished(10000)) {
        m_process.kill();
        m_process.waitForFinished(5000);
    }
}
