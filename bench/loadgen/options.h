#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace loadgen {

// Command-line settings of one load-generator run. Durations are in seconds.
struct Options {
    std::string host = "127.0.0.1";
    int port = 0;

    int streams = 0;
    int orders = 1;
    std::string orderPrefix = "bench-";
    std::string subPath = "/orders/{id}/events";
    std::vector<std::string> headers;
    int connectConcurrency = 200;
    double connectTimeout = 10.0;
    double connectPhaseTimeout = 180.0;
    int threads = 1;

    double rate = 0.0;
    double duration = 0.0;
    std::string pubPath = "/orders/{id}/events";
    std::string pubMethod = "POST";
    std::string pubOrder;  // empty: round-robin over all orders
    std::vector<std::string> pubHeaders;
    int pubConnections = 4;
    int pubPipeline = 1;

    double idleSeconds = 0.0;
    double settleSeconds = 5.0;

    std::vector<int> serverPids;
    std::string jsonOut;
    bool progress = true;
};

// Result of parseOptions().
enum class ParseOutcome { Run, ExitSuccess, ExitUsageError };

// Parses argv into `options`. Prints help or an error message to stdout/stderr.
ParseOutcome parseOptions(int argc, char** argv, Options& options);

// Returns the order id with 1-based number `number`, e.g. "bench-000001".
std::string orderId(const Options& options, int number);

// Replaces every "{id}" in `pathTemplate` with `id`.
std::string expandPath(const std::string& pathTemplate, const std::string& id);

// True when `id` is 1..64 characters of [A-Za-z0-9_-].
bool isValidOrderId(const std::string& id);

} // namespace loadgen
