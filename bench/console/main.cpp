// orderstream-console-bench: the console window (offscreen) with its server,
// measuring how long the GUI thread takes between two turns of its event
// loop while a load generator drives the server.
//
// NOTE: under the offscreen platform the window paints into memory. On a real
// display, frame times also include the compositor.
//
// A 10 ms timer fires on the GUI thread; the time between two firings is one
// frame. A frame that took longer means the GUI thread was busy (snapshots,
// model updates, painting) for that long. On SIGTERM or SIGINT the tool
// writes the frame times and the counts the window showed to --stats as JSON.

#include "mainwindow.h"
#include "orderstreamservice.h"
#include "shutdownsignals.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QTemporaryDir>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <vector>

namespace {

double percentile(std::vector<double> values, double fraction)
{
    if (values.empty())
        return 0;
    std::sort(values.begin(), values.end());
    const size_t index = std::min(values.size() - 1, size_t(fraction * double(values.size())));
    return values[index];
}

// The number shown by the figure label named objectName, or -1.
qint64 shownFigure(const QWidget &window, const QString &objectName)
{
    const auto *label = window.findChild<QLabel *>(objectName);
    if (!label)
        return -1;
    QString digits;
    for (const QChar c : label->text()) {
        if (c.isDigit())
            digits += c;
    }
    bool ok = false;
    const qint64 number = digits.toLongLong(&ok);
    return ok ? number : -1;
}

} // namespace

int main(int argc, char **argv)
{
    qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);

    QCommandLineParser parser;
    parser.addHelpOption();
    const QCommandLineOption portOption(QStringLiteral("port"), QStringLiteral("Listen port."),
                                        QStringLiteral("port"), QStringLiteral("0"));
    const QCommandLineOption workersOption(QStringLiteral("workers"),
                                           QStringLiteral("Streaming worker threads."),
                                           QStringLiteral("count"), QStringLiteral("0"));
    const QCommandLineOption statsOption(QStringLiteral("stats"),
                                         QStringLiteral("Write the results as JSON to <file>."),
                                         QStringLiteral("file"));
    parser.addOptions({portOption, workersOption, statsOption});
    parser.process(app);

    QTemporaryDir journalDir;
    ServerConfig config;
    config.port = quint16(parser.value(portOption).toUInt());
    config.streamWorkers = parser.value(workersOption).toInt();
    config.journalPath = journalDir.filePath(QStringLiteral("journal.db"));
    OrderStreamService service(config);
    QString error;
    if (!service.start(&error)) {
        std::fprintf(stderr, "orderstream-console-bench: %s\n", qPrintable(error));
        return 1;
    }

    MainWindow window(&service);
    window.resize(1600, 900);
    window.show();

    std::vector<double> frameMs;
    frameMs.reserve(100000);
    QElapsedTimer clock;
    clock.start();
    qint64 lastNs = clock.nsecsElapsed();
    QTimer ticker;
    ticker.setTimerType(Qt::PreciseTimer);
    QObject::connect(&ticker, &QTimer::timeout, &app, [&] {
        const qint64 now = clock.nsecsElapsed();
        frameMs.push_back(double(now - lastNs) / 1e6);
        lastNs = now;
    });
    ticker.start(10);

    // The window's figures, read as a user would, four times a second.
    qint64 maxStreamsShown = 0;
    QTimer figureReader;
    QObject::connect(&figureReader, &QTimer::timeout, &app, [&] {
        maxStreamsShown = std::max(maxStreamsShown,
                                   shownFigure(window, QStringLiteral("openStreamsFigure")));
    });
    figureReader.start(250);

    ShutdownSignals signalWatcher;
    QObject::connect(&signalWatcher, &ShutdownSignals::shutdownRequested, &app, &QCoreApplication::quit);
    app.exec();

    // Let the window take one more snapshot (it polls every 250 ms), so the
    // figures it shows include the last events.
    QEventLoop settle;
    QTimer::singleShot(400, &settle, &QEventLoop::quit);
    settle.exec();

    const HubSnapshot snapshot = service.snapshot(0, 0);
    QJsonObject stats;
    stats.insert(QStringLiteral("ui_frames"), qint64(frameMs.size()));
    stats.insert(QStringLiteral("ui_frame_p50_ms"), percentile(frameMs, 0.50));
    stats.insert(QStringLiteral("ui_frame_p99_ms"), percentile(frameMs, 0.99));
    stats.insert(QStringLiteral("ui_frame_max_ms"), percentile(frameMs, 1.0));
    stats.insert(QStringLiteral("ui_streams_shown_max"), maxStreamsShown);
    stats.insert(QStringLiteral("ui_events_shown"),
                 shownFigure(window, QStringLiteral("eventsPublishedFigure")));
    stats.insert(QStringLiteral("server_events_published"), qint64(snapshot.eventsPublished));

    if (parser.isSet(statsOption)) {
        QFile file(parser.value(statsOption));
        if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
            std::fprintf(stderr, "orderstream-console-bench: cannot write %s: %s\n",
                         qPrintable(file.fileName()), qPrintable(file.errorString()));
            return 1;
        }
        file.write(QJsonDocument(stats).toJson(QJsonDocument::Compact));
    }
    service.stop();
    return 0;
}
