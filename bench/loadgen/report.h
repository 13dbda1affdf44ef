#pragma once

#include "histogram.h"
#include "options.h"
#include "proc_stats.h"
#include "publisher.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace loadgen {

// Every figure of one run. Times are nanoseconds unless the name says otherwise.
struct RunReport {
    const Options* options = nullptr;
    bool interrupted = false; // SIGINT or SIGTERM ended the run early

    uint64_t streamsEstablished = 0;
    uint64_t streamsFailed = 0;
    uint64_t streamsClosedByServer = 0;
    uint64_t nonEventStreamContentType = 0;
    std::map<std::string, uint64_t> failureReasons;
    std::map<std::string, uint64_t> serverCloseReasons;
    double connectPhaseSeconds = 0.0;
    bool connectPhaseTimedOut = false;
    Histogram connectTime;

    bool published = false;
    PublisherResults publisher;
    double publishSeconds = 0.0; // first publish to the end of sending
    double settleSeconds = 0.0;  // end of sending to the end of the settle phase

    uint64_t eventsDelivered = 0; // events received after the publish phase started
    uint64_t eventsTotal = 0;     // all events received during the run
    uint64_t eventsWithoutSentAt = 0;
    uint64_t comments = 0;
    uint64_t bytesReceived = 0;
    double deliverySeconds = 0.0; // publish start to the last event received
    Histogram latency;

    ProcSample serverBefore;
    ProcSample serverEstablished;
    ProcSample serverIdle;
    ProcSample serverAfterPublish;
    ProcSample serverAfterSettle;

    double loadgenCpuSeconds = 0.0;
    double loadgenCpuPublishSeconds = 0.0;
};

// Prints the human-readable summary.
void printSummary(const RunReport& report, std::FILE* out);

// Returns the report as one line of JSON, without a trailing newline.
std::string toJson(const RunReport& report);

} // namespace loadgen
