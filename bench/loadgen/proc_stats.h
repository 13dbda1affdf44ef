#pragma once

#include <cstdint>
#include <vector>

namespace loadgen {

// Memory and CPU time of a set of processes, read from /proc.
struct ProcSample {
    bool valid = false;       // false when no listed process exists
    std::vector<int> pids;    // the listed processes and their descendants that were read
    int64_t rssKib = 0;       // sum of VmRSS
    int64_t pssKib = -1;      // sum of Pss from smaps_rollup, -1 when unavailable
    double cpuSeconds = 0.0;  // sum of utime + stime
};

// Reads /proc for `roots` and all their descendant processes (for example nginx workers under the master).
// Summed RSS counts pages shared between processes once per process; summed PSS splits them.
ProcSample sampleProcesses(const std::vector<int>& roots);

// CPU time (user + system) of this process, in seconds.
double selfCpuSeconds();

} // namespace loadgen
