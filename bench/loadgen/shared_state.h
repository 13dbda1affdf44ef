#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <sys/socket.h>

namespace loadgen {

// Resolved server address.
struct Target {
    sockaddr_storage address{};
    socklen_t addressLength = 0;
    std::string hostHeader; // value of the Host request header, e.g. "127.0.0.1:8080"
};

// Live counters of one subscriber thread. Only that thread writes them; the main thread reads them
// to decide when a phase is over.
struct alignas(64) SubscriberCounters {
    std::atomic<uint64_t> established{0};
    std::atomic<uint64_t> failed{0};
    std::atomic<uint64_t> closedByServer{0};
    std::atomic<uint64_t> events{0};
    std::atomic<int64_t> lastEventMonotonicNs{0};
};

// Live counters of the publisher thread, written only by that thread.
struct PublisherCounters {
    std::atomic<bool> started{false};
    std::atomic<bool> sendingDone{false};
    std::atomic<bool> finished{false};
    std::atomic<int64_t> startMonotonicNs{0};
    std::atomic<int64_t> sendingDoneMonotonicNs{0};
    std::atomic<uint64_t> sent{0};
    std::atomic<uint64_t> resolved{0};          // acknowledged + rejected + failed
    std::atomic<uint64_t> expectedDeliveries{0};
};

// State shared between the main thread, the subscriber threads and the publisher thread.
struct SharedState {
    explicit SharedState(int orderSlots, int subscriberThreads)
        : openStreamsPerOrder(new std::atomic<int32_t>[static_cast<size_t>(orderSlots)])
        , subscribers(new SubscriberCounters[static_cast<size_t>(subscriberThreads)])
        , orderSlotCount(orderSlots)
        , subscriberThreadCount(subscriberThreads)
    {
        for (int i = 0; i < orderSlots; ++i)
            openStreamsPerOrder[static_cast<size_t>(i)].store(0);
    }

    std::atomic<bool> stopSubscribers{false};
    std::atomic<bool> stopPublisher{false};

    // Streams with a complete 200 response head and not closed, per order slot. The slot after the
    // last generated order is for a --pub-order id that no stream subscribes to, so it stays 0.
    std::unique_ptr<std::atomic<int32_t>[]> openStreamsPerOrder;
    std::unique_ptr<SubscriberCounters[]> subscribers;
    PublisherCounters publisher;

    const int orderSlotCount;
    const int subscriberThreadCount;
};

} // namespace loadgen
