#pragma once

#include "histogram.h"

#include <cstddef>
#include <cstdint>
#include <string>

namespace loadgen {

// Counters that SseParser::feed() adds to. One instance is shared by all streams of a thread.
struct SseTotals {
    uint64_t events = 0;           // dispatched events that had at least one data line
    uint64_t eventsWithoutSentAt = 0;
    uint64_t comments = 0;         // comment lines such as ": heartbeat"
    Histogram* latency = nullptr;  // receive time minus sentAt, in nanoseconds; may be null
};

// Incremental parser of a text/event-stream body, as defined by the HTML Living Standard
// ("Server-sent events", section "Interpreting an event stream").
// It accepts CRLF, LF and CR line endings, lines split across reads, and keeps only a partial line
// between calls. For each dispatched event it looks for the first `"sentAt":<integer>` in the data
// lines and records the publish-to-receive latency.
class SseParser {
public:
    // Maximum length of one line. A longer line is a protocol error.
    static constexpr size_t kMaxLineLength = 1 << 20;

    // Parses `length` bytes received at `receiveNs` (CLOCK_REALTIME). Returns false on a protocol error.
    bool feed(const char* data, size_t length, int64_t receiveNs, SseTotals& totals);

private:
    void processLine(const char* line, size_t length, int64_t receiveNs, SseTotals& totals);

    std::string partialLine_;
    bool skipLeadingLf_ = false; // the previous input ended with CR, so a following LF belongs to it
    bool eventHasData_ = false;
    bool eventHasSentAt_ = false;
    int64_t eventSentAt_ = 0;
};

// Parses the integer after the first `"sentAt":` in `text`. Returns false when absent or not a number.
bool findSentAt(const char* text, size_t length, int64_t& sentAt);

} // namespace loadgen
