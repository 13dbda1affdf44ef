#pragma once

#include <cstdint>
#include <ctime>

namespace loadgen {

// Nanoseconds on CLOCK_MONOTONIC, used for pacing and durations.
inline int64_t monotonicNs()
{
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<int64_t>(ts.tv_sec) * 1000000000LL + ts.tv_nsec;
}

// Nanoseconds on CLOCK_REALTIME, the clock of the `sentAt` field in published events.
inline int64_t realtimeNs()
{
    timespec ts{};
    clock_gettime(CLOCK_REALTIME, &ts);
    return static_cast<int64_t>(ts.tv_sec) * 1000000000LL + ts.tv_nsec;
}

} // namespace loadgen
