// orderstream_screenshot: renders the console with live data into a PNG.
//
// Starts the service on a free loopback port, drives real SSE streams and
// publishes through it (see ScreenshotScenario), then saves QWidget::grab()
// of the main window. It is meant for QT_QPA_PLATFORM=offscreen, and
// scripts/screenshot.sh builds and runs it.

#include "mainwindow.h"
#include "jwtsigner.h"
#include "orderstreamservice.h"
#include "screenshotscenario.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDeadlineTimer>
#include <QDockWidget>
#include <QDir>
#include <QFileInfo>
#include <QPixmap>
#include <QRandomGenerator>
#include <QTableView>
#include <QTemporaryDir>

#include <cstdio>

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    // A name of its own keeps the console's saved layout out of the picture.
    QCoreApplication::setApplicationName(QStringLiteral("orderstream-screenshot"));
    QCoreApplication::setOrganizationName(QStringLiteral("OrderStream"));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
            "Renders the OrderStream console with live loopback traffic into a PNG file."));
    parser.addHelpOption();
    const QCommandLineOption outputOption(
            {QStringLiteral("o"), QStringLiteral("output")},
            QStringLiteral("PNG file to write (default: docs/console.png)."),
            QStringLiteral("file"), QStringLiteral("docs/console.png"));
    const QCommandLineOption sizeOption(
            QStringLiteral("size"), QStringLiteral("Window size in pixels (default: 1600x900)."),
            QStringLiteral("WIDTHxHEIGHT"), QStringLiteral("1600x900"));
    const QCommandLineOption tabOption(
            QStringLiteral("tab"),
            QStringLiteral("Centre tab to show: events, connections, reconnections, history or "
                           "cluster (default: events)."),
            QStringLiteral("name"), QStringLiteral("events"));
    parser.addOption(outputOption);
    parser.addOption(sizeOption);
    parser.addOption(tabOption);
    parser.process(app);

    const QStringList tabNames{QStringLiteral("events"), QStringLiteral("connections"),
                               QStringLiteral("reconnections"), QStringLiteral("history"),
                               QStringLiteral("cluster")};
    const qsizetype tabIndex = tabNames.indexOf(parser.value(tabOption));
    if (tabIndex < 0) {
        std::fprintf(stderr, "orderstream_screenshot: invalid --tab '%s'; expected one of %s\n",
                     qPrintable(parser.value(tabOption)),
                     qPrintable(tabNames.join(QStringLiteral(", "))));
        return 2;
    }

    const QStringList size = parser.value(sizeOption).split(QLatin1Char('x'));
    const int width = size.size() == 2 ? size.at(0).toInt() : 0;
    const int height = size.size() == 2 ? size.at(1).toInt() : 0;
    if (width < 320 || height < 240) {
        std::fprintf(stderr, "orderstream_screenshot: invalid --size '%s'; expected WIDTHxHEIGHT, "
                             "at least 320x240\n",
                     qPrintable(parser.value(sizeOption)));
        return 2;
    }

    // A journal of its own, so the picture shows only the events made here.
    QTemporaryDir journalDir;
    ServerConfig config;
    config.journalPath = journalDir.filePath(QStringLiteral("journal.db"));
    config.bindAddress = QHostAddress(QHostAddress::LocalHost);
    config.port = 0;
    config.streamWorkers = 2;
    // Authentication on, as the command line has it by default, with a
    // secret made for this run.
    QByteArray secret(48, Qt::Uninitialized);
    QRandomGenerator::system()->fillRange(reinterpret_cast<quint32 *>(secret.data()),
                                          secret.size() / sizeof(quint32));
    config.authEnabled = true;
    config.jwt.hs256Secret = secret.toBase64(QByteArray::Base64UrlEncoding);
    OrderStreamService service(config);
    QString error;
    if (!service.start(&error)) {
        std::fprintf(stderr, "orderstream_screenshot: cannot start the server: %s\n",
                     qPrintable(error));
        return 1;
    }

    MainWindow window(&service);
    window.resize(width, height);
    window.show();

    ScreenshotScenario scenario(&service, &window);
    JwtTokenRequest tokenRequest;
    tokenRequest.subject = QStringLiteral("support-demo");
    tokenRequest.scopes = {config.jwt.staffScope, config.jwt.publishScope};
    scenario.setToken(JwtSigner(config.jwt).sign(tokenRequest, &error));
    if (!scenario.run(&error)) {
        std::fprintf(stderr, "orderstream_screenshot: %s\n", qPrintable(error));
        return 1;
    }
    if (!scenario.showTab(MainWindow::CentreTab(tabIndex), &error)) {
        std::fprintf(stderr, "orderstream_screenshot: %s\n", qPrintable(error));
        return 1;
    }

    // The bottom docks show the timeline of the order that failed, at a
    // height that leaves the centre its room.
    if (auto *orders = window.findChild<QTableView *>(QStringLiteral("ordersTable"))) {
        for (int row = 0; row < orders->model()->rowCount(); ++row) {
            if (orders->model()->index(row, 0).data().toString() == QLatin1String("ORD-10481"))
                orders->selectRow(row);
        }
    }
    if (auto *timeline = window.findChild<QDockWidget *>(QStringLiteral("timelineDock"))) {
        timeline->raise();
        QCoreApplication::processEvents();
        window.resizeDocks({timeline}, {window.height() / 4}, Qt::Vertical);
    }
    // The timeline reads the journal on a worker thread.
    const QDeadlineTimer deadline(5000);
    auto *timelineModel = window.findChild<QAbstractItemModel *>(QStringLiteral("timelineModel"));
    while (timelineModel && timelineModel->rowCount() == 0 && !deadline.hasExpired())
        QCoreApplication::processEvents(QEventLoop::AllEvents, 50);

    const QString output = parser.value(outputOption);
    const QFileInfo outputInfo(output);
    if (!QDir().mkpath(outputInfo.absolutePath()) || !window.grab().save(output, "PNG")) {
        std::fprintf(stderr, "orderstream_screenshot: cannot write %s\n",
                     qPrintable(outputInfo.absoluteFilePath()));
        return 1;
    }
    std::printf("%s\n", qPrintable(outputInfo.absoluteFilePath()));
    return 0;
}
