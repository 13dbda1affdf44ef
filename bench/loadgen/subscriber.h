#pragma once

#include "histogram.h"
#include "http.h"
#include "options.h"
#include "shared_state.h"
#include "sse.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace loadgen {

// Totals of one subscriber thread, read by the main thread after the thread has ended.
struct SubscriberResults {
    Histogram connectTime;  // connect() to the end of the response head, ns
    Histogram latency;      // publish-to-receive, ns
    SseTotals sse;
    uint64_t bytesReceived = 0;
    uint64_t nonEventStreamContentType = 0;
    std::map<std::string, uint64_t> failureReasons;
    std::map<std::string, uint64_t> serverCloseReasons;
};

// Event loop that opens and reads the SSE streams assigned to one thread.
class SubscriberWorker {
public:
    SubscriberWorker(const Options& options, const Target& target, SharedState& shared, int threadIndex,
        std::vector<uint32_t> streamOrderSlots, std::vector<std::string> subscribePaths);
    SubscriberWorker(const SubscriberWorker&) = delete;
    SubscriberWorker& operator=(const SubscriberWorker&) = delete;
    ~SubscriberWorker();

    // Runs until SharedState::stopSubscribers is set, then closes every stream.
    void run();

    SubscriberResults& results() { return results_; }

private:
    enum class StreamState : uint8_t { NotStarted, Connecting, SendingRequest, AwaitingHead, Open, Done };
    enum class BodyFraming : uint8_t { Chunked, ContentLength, UntilClose };

    struct Stream {
        int fd = -1;
        uint32_t orderSlot = 0;
        StreamState state = StreamState::NotStarted;
        BodyFraming framing = BodyFraming::UntilClose;
        int64_t connectStartNs = 0;
        int64_t bodyRemaining = 0;
        std::string pending; // unsent request bytes, then response head bytes until the head is complete
        ChunkedDecoder chunked;
        SseParser sse;
    };

    void startConnections(int64_t nowNs);
    void openStream(uint32_t index, int64_t nowNs);
    void onConnectWritable(uint32_t index);
    void sendRequest(uint32_t index);
    void onReadable(uint32_t index);
    bool onHeadBytes(uint32_t index, const char* data, size_t length);
    bool onBodyBytes(Stream& stream, char* data, size_t length);
    void failStream(uint32_t index, const std::string& reason);
    void closeByServer(uint32_t index, const std::string& reason);
    void expireSlowConnects(int64_t nowNs);
    void publishCounters();
    std::string buildRequest(const Stream& stream) const;

    const Options& options_;
    const Target& target_;
    SharedState& shared_;
    SubscriberCounters& counters_;
    std::vector<Stream> streams_;
    std::vector<std::string> subscribePaths_; // per order slot
    std::string extraHeaders_;                // header lines appended to every request, CRLF-terminated

    int epollFd_ = -1;
    uint32_t nextToStart_ = 0;
    int connecting_ = 0;
    int connectLimit_ = 1;
    int64_t connectTimeoutNs_ = 0;
    uint64_t established_ = 0;
    uint64_t failed_ = 0;
    uint64_t closedByServer_ = 0;
    std::vector<char> readBuffer_;
    SubscriberResults results_;
};

} // namespace loadgen
