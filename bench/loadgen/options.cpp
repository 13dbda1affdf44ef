#include "options.h"

#include <arpa/inet.h>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string_view>

namespace loadgen {

namespace {

constexpr const char* kHelp = R"(Usage: orderstream-loadgen --port PORT [options]

Opens SSE streams to a server on a loopback address, optionally publishes events
at a fixed rate, and reports connect time, delivery counts, publish-to-receive
latency and server RSS/CPU. The last output line is one JSON object.

Target:
  --host ADDR               loopback address literal: 127.0.0.0/8 or ::1 (default 127.0.0.1)
  --port PORT               server port (required)

Subscribers:
  --streams N               SSE streams to open (default 0)
  --orders M                orders the streams are spread over, round-robin (default 1)
  --order-prefix TEXT       order id prefix; ids are PREFIX000001.. (default bench-)
  --sub-path TEMPLATE       subscribe path, {id} is the order id (default /orders/{id}/events)
  --header 'Name: value'    extra subscribe request header, repeatable.
                            "Accept: text/event-stream" is always sent unless given here.
  --connect-concurrency N   streams connecting at the same time (default 200)
  --connect-timeout S       per-stream limit from connect() to the end of the response head (default 10)
  --connect-phase-timeout S limit for establishing all streams (default 180)
  --threads N               subscriber threads, each with its own epoll instance (default 1)

Publisher:
  --rate R                  events per second, total over all targets (default 0: no publishing)
  --duration S              publish phase length (default 0)
  --pub-path TEMPLATE       publish path, {id} is the order id (default /orders/{id}/events)
  --pub-method METHOD       publish request method (default POST)
  --pub-order ID            publish every event to this order id instead of round-robin over all orders
  --pub-header 'Name: value' extra publish request header, repeatable
  --pub-connections N       keep-alive publish connections (default 4)
  --pub-pipeline N          requests in flight per publish connection (default 1: no pipelining)

Phases:
  --idle-seconds S          hold the established streams without publishing (default 0)
  --settle-seconds S        after the publish phase, wait at most this long for deliveries to drain (default 5)

Measurement and output:
  --server-pid PID[,PID..]  server processes to sample from /proc; their child processes are included
  --json-out FILE           also write the JSON result line to FILE
  --no-progress             do not print progress lines to stderr
  --help                    print this help
)";

bool parseInt(const char* text, long minimum, long maximum, int& out)
{
    errno = 0;
    char* end = nullptr;
    const long value = std::strtol(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || value < minimum || value > maximum)
        return false;
    out = static_cast<int>(value);
    return true;
}

bool parseSeconds(const char* text, double maximum, double& out)
{
    errno = 0;
    char* end = nullptr;
    const double value = std::strtod(text, &end);
    if (errno != 0 || end == text || *end != '\0' || !std::isfinite(value) || value < 0 || value > maximum)
        return false;
    out = value;
    return true;
}

bool isLoopbackLiteral(const std::string& host)
{
    in_addr v4{};
    if (inet_pton(AF_INET, host.c_str(), &v4) == 1)
        return (ntohl(v4.s_addr) >> 24) == 127;
    in6_addr v6{};
    if (inet_pton(AF_INET6, host.c_str(), &v6) == 1)
        return IN6_IS_ADDR_LOOPBACK(&v6);
    return false;
}

bool isValidHeader(const std::string& header)
{
    const size_t colon = header.find(':');
    if (colon == 0 || colon == std::string::npos)
        return false;
    return header.find_first_of("\r\n") == std::string::npos;
}

bool isValidPathTemplate(const std::string& path)
{
    return !path.empty() && path[0] == '/' && path.find_first_of(" \r\n") == std::string::npos;
}

bool parsePidList(const char* text, std::vector<int>& pids)
{
    std::string_view rest(text);
    while (!rest.empty()) {
        const size_t comma = rest.find(',');
        const std::string item(rest.substr(0, comma));
        int pid = 0;
        if (!parseInt(item.c_str(), 1, 4194304, pid))
            return false;
        pids.push_back(pid);
        if (comma == std::string_view::npos)
            break;
        rest.remove_prefix(comma + 1);
    }
    return !pids.empty();
}

} // namespace

std::string orderId(const Options& options, int number)
{
    char digits[16];
    std::snprintf(digits, sizeof digits, "%06d", number);
    return options.orderPrefix + digits;
}

std::string expandPath(const std::string& pathTemplate, const std::string& id)
{
    std::string path;
    size_t start = 0;
    while (true) {
        const size_t found = pathTemplate.find("{id}", start);
        if (found == std::string::npos) {
            path.append(pathTemplate, start, std::string::npos);
            return path;
        }
        path.append(pathTemplate, start, found - start);
        path.append(id);
        start = found + 4;
    }
}

bool isValidOrderId(const std::string& id)
{
    if (id.empty() || id.size() > 64)
        return false;
    for (const char c : id) {
        const bool allowed = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'
            || c == '-';
        if (!allowed)
            return false;
    }
    return true;
}

ParseOutcome parseOptions(int argc, char** argv, Options& options)
{
    for (int i = 1; i < argc; ++i) {
        const std::string name = argv[i];
        if (name == "--help" || name == "-h") {
            std::fputs(kHelp, stdout);
            return ParseOutcome::ExitSuccess;
        }
        if (name == "--no-progress") {
            options.progress = false;
            continue;
        }
        if (i + 1 >= argc) {
            std::fprintf(stderr, "error: option %s is unknown or missing its value; see --help\n", name.c_str());
            return ParseOutcome::ExitUsageError;
        }
        const char* value = argv[++i];
        bool valid = true;

        if (name == "--host") {
            options.host = value;
            if (!isLoopbackLiteral(options.host)) {
                std::fprintf(stderr,
                    "error: invalid --host '%s': only loopback address literals are allowed (127.0.0.0/8 or ::1)\n",
                    value);
                return ParseOutcome::ExitUsageError;
            }
        } else if (name == "--port") {
            valid = parseInt(value, 1, 65535, options.port);
        } else if (name == "--streams") {
            valid = parseInt(value, 0, 1000000, options.streams);
        } else if (name == "--orders") {
            valid = parseInt(value, 1, 999999, options.orders);
        } else if (name == "--order-prefix") {
            options.orderPrefix = value;
            valid = options.orderPrefix.empty() || isValidOrderId(options.orderPrefix + "0");
            valid = valid && options.orderPrefix.size() <= 58;
        } else if (name == "--sub-path") {
            options.subPath = value;
            valid = isValidPathTemplate(options.subPath);
        } else if (name == "--header") {
            options.headers.emplace_back(value);
            valid = isValidHeader(options.headers.back());
        } else if (name == "--connect-concurrency") {
            valid = parseInt(value, 1, 100000, options.connectConcurrency);
        } else if (name == "--connect-timeout") {
            valid = parseSeconds(value, 3600, options.connectTimeout) && options.connectTimeout > 0;
        } else if (name == "--connect-phase-timeout") {
            valid = parseSeconds(value, 86400, options.connectPhaseTimeout) && options.connectPhaseTimeout > 0;
        } else if (name == "--threads") {
            valid = parseInt(value, 1, 64, options.threads);
        } else if (name == "--rate") {
            valid = parseSeconds(value, 10000000, options.rate);
        } else if (name == "--duration") {
            valid = parseSeconds(value, 86400, options.duration);
        } else if (name == "--pub-path") {
            options.pubPath = value;
            valid = isValidPathTemplate(options.pubPath);
        } else if (name == "--pub-method") {
            options.pubMethod = value;
            valid = !options.pubMethod.empty() && options.pubMethod.find_first_of(" \r\n") == std::string::npos;
        } else if (name == "--pub-order") {
            options.pubOrder = value;
            valid = isValidOrderId(options.pubOrder);
        } else if (name == "--pub-header") {
            options.pubHeaders.emplace_back(value);
            valid = isValidHeader(options.pubHeaders.back());
        } else if (name == "--pub-connections") {
            valid = parseInt(value, 1, 1000, options.pubConnections);
        } else if (name == "--pub-pipeline") {
            valid = parseInt(value, 1, 1000, options.pubPipeline);
        } else if (name == "--idle-seconds") {
            valid = parseSeconds(value, 86400, options.idleSeconds);
        } else if (name == "--settle-seconds") {
            valid = parseSeconds(value, 3600, options.settleSeconds);
        } else if (name == "--server-pid") {
            valid = parsePidList(value, options.serverPids);
        } else if (name == "--json-out") {
            options.jsonOut = value;
            valid = !options.jsonOut.empty();
        } else {
            std::fprintf(stderr, "error: unknown option %s; see --help\n", name.c_str());
            return ParseOutcome::ExitUsageError;
        }

        if (!valid) {
            std::fprintf(stderr, "error: invalid value '%s' for %s; see --help\n", value, name.c_str());
            return ParseOutcome::ExitUsageError;
        }
    }

    if (options.port == 0) {
        std::fprintf(stderr, "error: missing --port; see --help\n");
        return ParseOutcome::ExitUsageError;
    }
    if ((options.rate > 0) != (options.duration > 0)) {
        std::fprintf(stderr, "error: --rate and --duration must both be positive to publish, or both 0\n");
        return ParseOutcome::ExitUsageError;
    }
    if (options.streams > 0 && options.streams < options.threads)
        options.threads = options.streams;
    return ParseOutcome::Run;
}

} // namespace loadgen
