#include "testservice.h"

#include "orderstreamservice.h"

#include <QHostAddress>
#include <QTemporaryDir>
#include <QTest>

ServerConfig testServerConfig(const QTemporaryDir &dir, int streamWorkers)
{
    ServerConfig config;
    config.journalPath = dir.filePath(
            QStringLiteral("journal-%1.db").arg(QLatin1String(QTest::currentTestFunction())));
    config.bindAddress = QHostAddress(QHostAddress::LocalHost);
    config.port = 0;
    config.streamWorkers = streamWorkers;
    return config;
}

bool startTestService(std::unique_ptr<OrderStreamService> &service, const ServerConfig &config,
                      QString *errorMessage)
{
    service = std::make_unique<OrderStreamService>(config);
    return service->start(errorMessage);
}
