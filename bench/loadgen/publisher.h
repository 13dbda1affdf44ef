#pragma once

#include "histogram.h"
#include "http.h"
#include "options.h"
#include "shared_state.h"

#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <vector>

namespace loadgen {

// Totals of the publisher thread, read by the main thread after the thread has ended.
struct PublisherResults {
    uint64_t planned = 0;      // rate x duration, rounded
    uint64_t sent = 0;
    uint64_t acknowledged = 0; // 2xx responses
    uint64_t rejected = 0;     // other complete responses, e.g. 503 when the server's fan-out queue is full
    uint64_t failed = 0;       // requests without a response: connection closed, reset or invalid response
    uint64_t unsent = 0;       // planned but not sent before the end of the publish phase
    uint64_t reconnects = 0;
    uint64_t expectedDeliveries = 0; // sum over acknowledged publishes of open streams of the target order
    Histogram roundTrip;             // request written to response complete, ns
    std::map<int, uint64_t> statuses;
    std::map<std::string, uint64_t> errors;
    int64_t startMonotonicNs = 0;
    int64_t sendingDoneMonotonicNs = 0;
};

// Publishes events at a fixed rate over a small pool of keep-alive HTTP/1.1 connections.
class Publisher {
public:
    // `targets` lists (path, order slot) in round-robin order.
    Publisher(const Options& options, const Target& target, SharedState& shared,
        std::vector<std::pair<std::string, uint32_t>> targets);
    Publisher(const Publisher&) = delete;
    Publisher& operator=(const Publisher&) = delete;
    ~Publisher();

    // Connects the pool, sends `rate x duration` requests paced on a 1 ms timer, then waits for the
    // responses until every request is resolved or SharedState::stopPublisher is set.
    void run();

    PublisherResults& results() { return results_; }

private:
    struct InFlight {
        int64_t sentNs;
        uint32_t orderSlot;
    };

    struct Connection {
        int fd = -1;
        bool connected = false;
        bool wantWrite = false;
        int64_t reconnectAtNs = 0;
        std::string output;
        std::deque<InFlight> inFlight;
        std::string input;
        bool haveHead = false;
        ResponseHead head;
        int64_t bodyRemaining = 0;
        ChunkedDecoder chunked;
    };

    void openConnection(size_t index, int64_t nowNs);
    void closeConnection(size_t index, const std::string& reason, int64_t nowNs);
    void onEvent(size_t index, uint32_t flags, int64_t nowNs);
    void flushOutput(size_t index, int64_t nowNs);
    void readResponses(size_t index, int64_t nowNs);
    bool parseResponses(Connection& connection, bool atEof, int64_t nowNs);
    void completeResponse(Connection& connection, int64_t nowNs);
    void updateInterest(size_t index);
    Connection* pickConnection();
    void sendPublish(Connection& connection, uint64_t sequence, int64_t nowNs);
    size_t totalInFlight() const;

    const Options& options_;
    const Target& target_;
    SharedState& shared_;
    std::vector<std::pair<std::string, uint32_t>> targets_;
    std::string extraHeaders_;
    std::vector<Connection> connections_;
    size_t nextPick_ = 0;
    int epollFd_ = -1;
    int timerFd_ = -1;
    PublisherResults results_;
};

} // namespace loadgen
