// orderstream-journal-bench: how many publishes per second the SQLite journal
// stores, with group commit (many appends in flight) and one at a time (each
// append waits for its commit, as sequential publishes over HTTP do).

#include "eventjournal.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QTemporaryDir>

#include <condition_variable>
#include <cstdio>
#include <mutex>

namespace {

OrderEvent sampleEvent(int i)
{
    OrderEvent event;
    event.orderId = QStringLiteral("bench-%1").arg(i % 1000, 6, 10, QLatin1Char('0'));
    event.type = QStringLiteral("order.update");
    event.status = QStringLiteral("Activating");
    event.stage = QStringLiteral("activating");
    event.message = QStringLiteral("Provisioning started");
    event.source = QStringLiteral("api");
    return event;
}

// Appends count events without waiting; returns events per second once every
// callback has run.
double measureGroupCommit(EventJournal &journal, int count)
{
    std::mutex mutex;
    std::condition_variable done;
    int committed = 0;

    QElapsedTimer timer;
    timer.start();
    for (int i = 0; i < count; ++i) {
        while (!journal.append(sampleEvent(i), [&](const AppendResult &) {
            std::lock_guard lock(mutex);
            if (++committed == count)
                done.notify_one();
        })) {
            // The queue is full: wait for the writer to take a batch.
            std::this_thread::yield();
        }
    }
    std::unique_lock lock(mutex);
    done.wait(lock, [&] { return committed == count; });
    return count / (double(timer.nsecsElapsed()) / 1e9);
}

// Appends count events, each after the previous one committed.
double measureOneAtATime(EventJournal &journal, int count)
{
    std::mutex mutex;
    std::condition_variable done;
    QElapsedTimer timer;
    timer.start();
    for (int i = 0; i < count; ++i) {
        bool committed = false;
        journal.append(sampleEvent(i), [&](const AppendResult &) {
            std::lock_guard lock(mutex);
            committed = true;
            done.notify_one();
        });
        std::unique_lock lock(mutex);
        done.wait(lock, [&] { return committed; });
    }
    return count / (double(timer.nsecsElapsed()) / 1e9);
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addHelpOption();
    const QCommandLineOption countOption(QStringLiteral("count"),
                                         QStringLiteral("Events for the group-commit run."),
                                         QStringLiteral("count"), QStringLiteral("100000"));
    const QCommandLineOption syncFullOption(QStringLiteral("sync-full"),
                                            QStringLiteral("Use synchronous=FULL."));
    parser.addOptions({countOption, syncFullOption});
    parser.process(app);
    const int count = parser.value(countOption).toInt();

    QTemporaryDir dir;
    JournalConfig config;
    config.path = dir.filePath(QStringLiteral("journal.db"));
    config.syncFull = parser.isSet(syncFullOption);
    config.maxEventsPerOrder = 0;
    config.maxAgeSeconds = 0;
    EventJournal journal(config);
    QString error;
    if (!journal.open(&error)) {
        std::fprintf(stderr, "orderstream-journal-bench: %s\n", qPrintable(error));
        return 1;
    }

    const double grouped = measureGroupCommit(journal, count);
    const double sequential = measureOneAtATime(journal, count / 10);
    std::printf("{\"synchronous\":\"%s\",\"group_commit_events_per_s\":%.0f,"
                "\"one_at_a_time_events_per_s\":%.0f,\"events\":%d}\n",
                config.syncFull ? "FULL" : "NORMAL", grouped, sequential, count);
    journal.close();
    return 0;
}
