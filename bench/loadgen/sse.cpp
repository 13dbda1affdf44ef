#include "sse.h"

#include <cstdint>
#include <cstring>

namespace loadgen {

bool findSentAt(const char* text, size_t length, int64_t& sentAt)
{
    static constexpr char kKey[] = "\"sentAt\"";
    constexpr size_t kKeyLength = sizeof(kKey) - 1;

    const char* found = static_cast<const char*>(memmem(text, length, kKey, kKeyLength));
    if (!found)
        return false;
    const char* end = text + length;
    const char* p = found + kKeyLength;
    while (p < end && (*p == ' ' || *p == '\t'))
        ++p;
    if (p == end || *p != ':')
        return false;
    ++p;
    while (p < end && (*p == ' ' || *p == '\t'))
        ++p;

    // At most 19 digits fit in uint64_t without overflow. The value must also fit in int64_t.
    uint64_t value = 0;
    const char* digits = p;
    while (p < end && *p >= '0' && *p <= '9') {
        if (p - digits == 19)
            return false;
        value = value * 10 + static_cast<uint64_t>(*p - '0');
        ++p;
    }
    if (p == digits || value > static_cast<uint64_t>(INT64_MAX))
        return false;
    sentAt = static_cast<int64_t>(value);
    return true;
}

void SseParser::processLine(const char* line, size_t length, int64_t receiveNs, SseTotals& totals)
{
    if (length == 0) {
        // An empty line dispatches the event. Events without data lines are not dispatched.
        if (eventHasData_) {
            ++totals.events;
            if (eventHasSentAt_) {
                if (totals.latency)
                    totals.latency->record(receiveNs - eventSentAt_);
            } else {
                ++totals.eventsWithoutSentAt;
            }
        }
        eventHasData_ = false;
        eventHasSentAt_ = false;
        return;
    }
    if (line[0] == ':') {
        ++totals.comments;
        return;
    }

    const char* colon = static_cast<const char*>(std::memchr(line, ':', length));
    const size_t nameLength = colon ? static_cast<size_t>(colon - line) : length;
    if (nameLength != 4 || std::memcmp(line, "data", 4) != 0)
        return; // id, event, retry and unknown fields do not affect the counts

    eventHasData_ = true;
    if (!eventHasSentAt_ && colon) {
        const char* value = colon + 1;
        const size_t valueLength = length - nameLength - 1;
        int64_t sentAt = 0;
        if (findSentAt(value, valueLength, sentAt)) {
            eventHasSentAt_ = true;
            eventSentAt_ = sentAt;
        }
    }
}

bool SseParser::feed(const char* data, size_t length, int64_t receiveNs, SseTotals& totals)
{
    const char* p = data;
    const char* end = data + length;

    if (skipLeadingLf_ && p < end) {
        if (*p == '\n')
            ++p;
        skipLeadingLf_ = false;
    }

    while (p < end) {
        // Find the next line ending: LF, CR LF or a lone CR.
        const auto remaining = static_cast<size_t>(end - p);
        const char* lf = static_cast<const char*>(std::memchr(p, '\n', remaining));
        const size_t crSearch = lf ? static_cast<size_t>(lf - p) : remaining;
        const char* cr = static_cast<const char*>(std::memchr(p, '\r', crSearch));
        const char* lineEnd = cr ? cr : lf;

        if (!lineEnd) {
            if (partialLine_.size() + remaining > kMaxLineLength)
                return false;
            partialLine_.append(p, remaining);
            return true;
        }

        const char* next = lineEnd + 1;
        if (cr) {
            if (next < end) {
                if (*next == '\n')
                    ++next;
            } else {
                skipLeadingLf_ = true;
            }
        }

        const auto lineLength = static_cast<size_t>(lineEnd - p);
        if (partialLine_.empty()) {
            processLine(p, lineLength, receiveNs, totals);
        } else {
            if (partialLine_.size() + lineLength > kMaxLineLength)
                return false;
            partialLine_.append(p, lineLength);
            processLine(partialLine_.data(), partialLine_.size(), receiveNs, totals);
            partialLine_.clear();
        }
        p = next;
    }
    return true;
}

} // namespace loadgen
