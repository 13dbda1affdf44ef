// orderstream-loadgen: SSE load generator for OrderStream and comparable servers.
// See bench/README.md for the scenarios that use it.

#include "clock.h"
#include "options.h"
#include "proc_stats.h"
#include "publisher.h"
#include "report.h"
#include "shared_state.h"
#include "subscriber.h"

#include <algorithm>
#include <arpa/inet.h>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <sys/resource.h>
#include <thread>
#include <unistd.h>
#include <vector>

using namespace loadgen;

namespace {

std::atomic<bool> g_interrupted{false};

void onSignal(int)
{
    g_interrupted.store(true);
}

// Raises the soft open-file limit to the hard limit and checks that the run fits in it.
bool ensureFileLimit(const Options& options)
{
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        setrlimit(RLIMIT_NOFILE, &limit);
        getrlimit(RLIMIT_NOFILE, &limit);
    }
    // Besides the sockets: stdio, one epoll instance per thread, the timerfd and /proc reads.
    const auto needed = static_cast<rlim_t>(options.streams) + static_cast<rlim_t>(options.pubConnections)
        + static_cast<rlim_t>(options.threads) + 32;
    if (limit.rlim_cur != RLIM_INFINITY && needed > limit.rlim_cur) {
        std::fprintf(stderr,
            "error: --streams %d with --pub-connections %d needs about %llu file descriptors, but the open-file "
            "limit is %llu; lower --streams or raise the limit (ulimit -n)\n",
            options.streams, options.pubConnections, static_cast<unsigned long long>(needed),
            static_cast<unsigned long long>(limit.rlim_cur));
        return false;
    }
    return true;
}

Target resolveTarget(const Options& options)
{
    Target target;
    auto* v4 = reinterpret_cast<sockaddr_in*>(&target.address);
    auto* v6 = reinterpret_cast<sockaddr_in6*>(&target.address);
    if (inet_pton(AF_INET, options.host.c_str(), &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons(static_cast<uint16_t>(options.port));
        target.addressLength = sizeof(sockaddr_in);
        target.hostHeader = options.host + ":" + std::to_string(options.port);
    } else {
        // parseOptions() accepted the host, so it is ::1 when not IPv4.
        inet_pton(AF_INET6, options.host.c_str(), &v6->sin6_addr);
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons(static_cast<uint16_t>(options.port));
        target.addressLength = sizeof(sockaddr_in6);
        target.hostHeader = "[" + options.host + "]:" + std::to_string(options.port);
    }
    return target;
}

// Sleeps in 50 ms steps until `done()` is true, `seconds` have passed or the run is interrupted.
// Prints `progress()` to stderr once a second when enabled. Returns false on timeout or interruption.
template <typename Done, typename Progress>
bool waitUntil(double seconds, bool showProgress, Done done, Progress progress)
{
    const int64_t start = monotonicNs();
    const auto limit = static_cast<int64_t>(seconds * 1e9);
    int64_t nextProgress = start + 1'000'000'000;
    while (!done()) {
        if (g_interrupted.load())
            return false;
        const int64_t now = monotonicNs();
        if (now - start >= limit)
            return false;
        if (showProgress && now >= nextProgress) {
            progress();
            nextProgress += 1'000'000'000;
        }
        usleep(50'000);
    }
    return true;
}

struct SubscriberTotals {
    uint64_t established = 0;
    uint64_t failed = 0;
    uint64_t closedByServer = 0;
    uint64_t events = 0;
    int64_t lastEventNs = 0;
};

SubscriberTotals readSubscriberCounters(const SharedState& shared)
{
    SubscriberTotals totals;
    for (int i = 0; i < shared.subscriberThreadCount; ++i) {
        const SubscriberCounters& counters = shared.subscribers[static_cast<size_t>(i)];
        totals.established += counters.established.load(std::memory_order_relaxed);
        totals.failed += counters.failed.load(std::memory_order_relaxed);
        totals.closedByServer += counters.closedByServer.load(std::memory_order_relaxed);
        totals.events += counters.events.load(std::memory_order_relaxed);
        totals.lastEventNs = std::max(totals.lastEventNs, counters.lastEventMonotonicNs.load(std::memory_order_relaxed));
    }
    return totals;
}

std::vector<std::pair<std::string, uint32_t>> buildPublishTargets(const Options& options)
{
    std::vector<std::pair<std::string, uint32_t>> targets;
    if (options.pubOrder.empty()) {
        for (int i = 0; i < options.orders; ++i)
            targets.emplace_back(expandPath(options.pubPath, orderId(options, i + 1)), static_cast<uint32_t>(i));
        return targets;
    }
    auto slot = static_cast<uint32_t>(options.orders); // an id no stream subscribes to
    for (int i = 0; i < options.orders; ++i) {
        if (orderId(options, i + 1) == options.pubOrder) {
            slot = static_cast<uint32_t>(i);
            break;
        }
    }
    targets.emplace_back(expandPath(options.pubPath, options.pubOrder), slot);
    return targets;
}

} // namespace

int main(int argc, char** argv)
{
    Options options;
    switch (parseOptions(argc, argv, options)) {
    case ParseOutcome::ExitSuccess:
        return 0;
    case ParseOutcome::ExitUsageError:
        return 2;
    case ParseOutcome::Run:
        break;
    }
    if (!ensureFileLimit(options))
        return 2;

    std::signal(SIGPIPE, SIG_IGN);
    std::signal(SIGINT, onSignal);
    std::signal(SIGTERM, onSignal);

    const Target target = resolveTarget(options);
    SharedState shared(options.orders + 1, options.threads);
    RunReport report;
    report.options = &options;
    const double selfCpuStart = selfCpuSeconds();

    report.serverBefore = sampleProcesses(options.serverPids);
    if (!options.serverPids.empty() && !report.serverBefore.valid) {
        std::string pids;
        for (const int pid : options.serverPids)
            pids += (pids.empty() ? "" : ",") + std::to_string(pid);
        std::fprintf(stderr, "error: no process found for --server-pid %s; check that the server is running\n", pids.c_str());
        return 1;
    }

    // Stream i subscribes to order i % orders and runs on thread i % threads.
    std::vector<std::string> subscribePaths;
    for (int i = 0; i < options.orders; ++i)
        subscribePaths.push_back(expandPath(options.subPath, orderId(options, i + 1)));
    std::vector<std::unique_ptr<SubscriberWorker>> workers;
    for (int t = 0; t < options.threads; ++t) {
        std::vector<uint32_t> slots;
        for (int i = t; i < options.streams; i += options.threads)
            slots.push_back(static_cast<uint32_t>(i % options.orders));
        workers.push_back(std::make_unique<SubscriberWorker>(options, target, shared, t, std::move(slots), subscribePaths));
    }
    std::vector<std::thread> workerThreads;
    for (auto& worker : workers)
        workerThreads.emplace_back([&worker] { worker->run(); });

    // Connect phase.
    const int64_t connectStart = monotonicNs();
    const auto streamCount = static_cast<uint64_t>(options.streams);
    const bool connected = waitUntil(options.connectPhaseTimeout, options.progress,
        [&] {
            const auto totals = readSubscriberCounters(shared);
            return totals.established + totals.failed >= streamCount;
        },
        [&] {
            const auto totals = readSubscriberCounters(shared);
            std::fprintf(stderr, "connecting: %llu established, %llu failed of %d\n",
                static_cast<unsigned long long>(totals.established), static_cast<unsigned long long>(totals.failed),
                options.streams);
        });
    report.connectPhaseSeconds = static_cast<double>(monotonicNs() - connectStart) / 1e9;
    report.connectPhaseTimedOut = !connected && !g_interrupted.load();
    report.serverEstablished = sampleProcesses(options.serverPids);

    // Idle phase.
    if (options.idleSeconds > 0 && !g_interrupted.load()) {
        waitUntil(options.idleSeconds, false, [] { return false; }, [] {});
        report.serverIdle = sampleProcesses(options.serverPids);
    } else {
        report.serverIdle = report.serverEstablished;
    }

    // Publish and settle phases.
    const uint64_t eventsBeforePublish = readSubscriberCounters(shared).events;
    std::unique_ptr<Publisher> publisher;
    std::thread publisherThread;
    double selfCpuPublishStart = selfCpuSeconds();
    if (options.rate > 0 && options.duration > 0 && !g_interrupted.load()) {
        report.published = true;
        report.serverIdle = sampleProcesses(options.serverPids);
        selfCpuPublishStart = selfCpuSeconds();
        publisher = std::make_unique<Publisher>(options, target, shared, buildPublishTargets(options));
        publisherThread = std::thread([&publisher] { publisher->run(); });

        const auto& pub = shared.publisher;
        waitUntil(options.duration + 10.0, options.progress, [&] { return pub.sendingDone.load(); },
            [&] {
                std::fprintf(stderr, "publishing: %llu sent, %llu resolved\n",
                    static_cast<unsigned long long>(pub.sent.load()), static_cast<unsigned long long>(pub.resolved.load()));
            });
        report.serverAfterPublish = sampleProcesses(options.serverPids);
        const int64_t settleStart = monotonicNs();

        waitUntil(options.settleSeconds, options.progress,
            [&] {
                const uint64_t delivered = readSubscriberCounters(shared).events - eventsBeforePublish;
                return pub.finished.load() && delivered >= pub.expectedDeliveries.load();
            },
            [&] {
                std::fprintf(stderr, "settling: %llu delivered of %llu expected\n",
                    static_cast<unsigned long long>(readSubscriberCounters(shared).events - eventsBeforePublish),
                    static_cast<unsigned long long>(pub.expectedDeliveries.load()));
            });
        report.serverAfterSettle = sampleProcesses(options.serverPids);
        report.settleSeconds = static_cast<double>(monotonicNs() - settleStart) / 1e9;
        shared.stopPublisher.store(true);
        publisherThread.join();
        report.publisher = std::move(publisher->results());
        const int64_t sendingEnd = report.publisher.sendingDoneMonotonicNs;
        if (sendingEnd > report.publisher.startMonotonicNs)
            report.publishSeconds = static_cast<double>(sendingEnd - report.publisher.startMonotonicNs) / 1e9;
    }
    report.loadgenCpuPublishSeconds = selfCpuSeconds() - selfCpuPublishStart;

    const SubscriberTotals totals = readSubscriberCounters(shared);
    shared.stopSubscribers.store(true);
    for (auto& thread : workerThreads)
        thread.join();

    report.interrupted = g_interrupted.load();
    report.streamsEstablished = totals.established;
    report.streamsFailed = totals.failed;
    report.streamsClosedByServer = totals.closedByServer;
    report.eventsTotal = totals.events;
    report.eventsDelivered = totals.events - eventsBeforePublish;
    if (report.published && totals.lastEventNs > report.publisher.startMonotonicNs)
        report.deliverySeconds = static_cast<double>(totals.lastEventNs - report.publisher.startMonotonicNs) / 1e9;
    for (auto& worker : workers) {
        SubscriberResults& results = worker->results();
        report.connectTime.merge(results.connectTime);
        report.latency.merge(results.latency);
        report.eventsWithoutSentAt += results.sse.eventsWithoutSentAt;
        report.comments += results.sse.comments;
        report.bytesReceived += results.bytesReceived;
        report.nonEventStreamContentType += results.nonEventStreamContentType;
        for (const auto& [reason, count] : results.failureReasons)
            report.failureReasons[reason] += count;
        for (const auto& [reason, count] : results.serverCloseReasons)
            report.serverCloseReasons[reason] += count;
    }
    report.loadgenCpuSeconds = selfCpuSeconds() - selfCpuStart;

    printSummary(report, stdout);
    const std::string json = toJson(report);
    std::printf("%s\n", json.c_str());
    std::fflush(stdout);
    if (!options.jsonOut.empty()) {
        std::FILE* file = std::fopen(options.jsonOut.c_str(), "w");
        if (!file) {
            std::fprintf(stderr, "error: failed to write --json-out %s: %s\n", options.jsonOut.c_str(), std::strerror(errno));
            return 1;
        }
        std::fprintf(file, "%s\n", json.c_str());
        std::fclose(file);
    }
    return 0;
}
