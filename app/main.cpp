#include "clientcommands.h"
#include "commandline.h"
#include "logfile.h"
#include "logging.h"
#include "logratelimiter.h"
#include "mainwindow.h"
#include "orderstreamservice.h"
#include "shutdownsignals.h"
#include "tokencommand.h"

#include <QApplication>
#include <QCoreApplication>
#include <QScopeGuard>
#include <QTimer>

#include <cstdio>
#include <cstring>
#include <memory>

namespace {

// The application object must exist before the command line is parsed, and
// its type depends on the arguments: a server has no display to connect to,
// and --help or --version must work without one too.
bool needsNoDisplay(int argc, char **argv)
{
    // A first argument that is not an option is a command; an unknown one is
    // reported without opening the console.
    if (argc > 1 && argv[1][0] != '-')
        return true;
    for (int i = 1; i < argc; ++i) {
        for (const char *flag : {"--headless", "--help", "-h", "--help-all", "--version", "-v"}) {
            if (std::strcmp(argv[i], flag) == 0)
                return true;
        }
    }
    return false;
}

} // namespace

int main(int argc, char **argv)
{
    if (argc > 1 && std::strcmp(argv[1], "token") == 0) {
        QCoreApplication app(argc, argv);
        QCoreApplication::setApplicationName(QStringLiteral("orderstream"));
        QCoreApplication::setOrganizationName(QStringLiteral("OrderStream"));
        return runTokenCommand(QCoreApplication::arguments());
    }
    if (argc > 1 && isClientCommand(argv[1])) {
        QCoreApplication app(argc, argv);
        QCoreApplication::setApplicationName(QStringLiteral("orderstream"));
        QCoreApplication::setOrganizationName(QStringLiteral("OrderStream"));
        return runClientCommand(QCoreApplication::arguments());
    }

    const bool withoutDisplay = needsNoDisplay(argc, argv);
#if defined(Q_OS_LINUX)
    // Qt would abort with a message about platform plugins instead.
    if (!withoutDisplay && qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")
        && qEnvironmentVariableIsEmpty("DISPLAY") && qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY")) {
        std::fprintf(stderr, "orderstream: no display for the console (DISPLAY and WAYLAND_DISPLAY "
                             "are not set); start the server alone with --headless\n");
        return 1;
    }
#endif
    qSetMessagePattern(QStringLiteral(
            "%{time yyyy-MM-ddThh:mm:ss.zzz} %{if-debug}debug%{endif}%{if-info}info%{endif}"
            "%{if-warning}warning%{endif}%{if-critical}critical%{endif}%{if-fatal}fatal%{endif} "
            "%{category}: %{message}"));

    std::unique_ptr<QCoreApplication> app;
    if (withoutDisplay)
        app = std::make_unique<QCoreApplication>(argc, argv);
    else
        app = std::make_unique<QApplication>(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("orderstream"));
    QCoreApplication::setOrganizationName(QStringLiteral("OrderStream"));
    QCoreApplication::setApplicationVersion(QStringLiteral(ORDERSTREAM_VERSION));

    CommandLineOptions options;
    QString error;
    if (!parseCommandLine(QCoreApplication::arguments(), options, &error)) {
        std::fprintf(stderr, "orderstream: %s\nTry 'orderstream --help' for the options.\n",
                     qPrintable(error));
        return 2;
    }

    // The log file opens before the server starts, so that the start-up
    // lines are in it too.
    std::unique_ptr<LogFile> logFile;
    if (!options.logFile.path.isEmpty()) {
        logFile = std::make_unique<LogFile>(options.logFile);
        if (!logFile->open(&error)) {
            std::fprintf(stderr, "orderstream: %s\n", qPrintable(error));
            return 1;
        }
    }
    LogRateLimiter logRateLimiter;
    Logging::installHandler(logFile.get(), &logRateLimiter);
    // Declared after the file and the limiter, so that it uninstalls the
    // handler before they are destroyed, on every return.
    const auto logHandlerGuard = qScopeGuard([] {
        Logging::reportSuppressedMessages();
        Logging::uninstallHandler();
    });
    QTimer suppressedReportTimer;
    suppressedReportTimer.setInterval(int(logRateLimiter.windowMs()));
    QObject::connect(&suppressedReportTimer, &QTimer::timeout, app.get(),
                     &Logging::reportSuppressedMessages);
    suppressedReportTimer.start();

    OrderStreamService service(options.server);
    if (!service.start(&error)) {
        qCCritical(lcService, "%ls", qUtf16Printable(error));
        return 1;
    }

    ShutdownSignals signalWatcher;
    QObject::connect(&signalWatcher, &ShutdownSignals::shutdownRequested, app.get(),
                     &QCoreApplication::quit);

    std::unique_ptr<MainWindow> window;
    if (!options.headless) {
        window = std::make_unique<MainWindow>(&service);
        window->show();
    }

    const int exitCode = app->exec();
    // close() runs the window's closeEvent, which saves its layout, also
    // when the loop ended because of SIGTERM rather than a closed window.
    if (window)
        window->close();
    window.reset();
    service.stop();
    return exitCode;
}
