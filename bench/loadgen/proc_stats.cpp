#include "proc_stats.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <fstream>
#include <map>
#include <string>
#include <sys/resource.h>
#include <unistd.h>

namespace loadgen {

namespace {

// Fields of /proc/PID/stat after the command name, which may contain spaces and parentheses.
struct StatFields {
    int parentPid = 0;
    unsigned long long userTicks = 0;
    unsigned long long systemTicks = 0;
};

bool readStat(int pid, StatFields& fields)
{
    char path[64];
    std::snprintf(path, sizeof path, "/proc/%d/stat", pid);
    std::ifstream file(path);
    std::string line;
    if (!file || !std::getline(file, line))
        return false;
    const size_t nameEnd = line.rfind(')');
    if (nameEnd == std::string::npos)
        return false;
    // After ") " come: state(3) ppid(4) pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt utime(14) stime(15)
    char state = 0;
    int parentPid = 0;
    unsigned long long skipped[9];
    unsigned long long userTicks = 0;
    unsigned long long systemTicks = 0;
    const int parsed = std::sscanf(line.c_str() + nameEnd + 1,
        " %c %d %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu", &state, &parentPid, &skipped[0], &skipped[1],
        &skipped[2], &skipped[3], &skipped[4], &skipped[5], &skipped[6], &skipped[7], &skipped[8], &userTicks,
        &systemTicks);
    if (parsed != 13)
        return false;
    fields.parentPid = parentPid;
    fields.userTicks = userTicks;
    fields.systemTicks = systemTicks;
    return true;
}

// Returns the value in kB of the line starting with `key` in a /proc file, or -1.
int64_t readKibField(const char* path, const char* key)
{
    std::ifstream file(path);
    std::string line;
    const size_t keyLength = std::strlen(key);
    while (std::getline(file, line)) {
        if (line.compare(0, keyLength, key) == 0)
            return std::strtoll(line.c_str() + keyLength, nullptr, 10);
    }
    return -1;
}

std::multimap<int, int> childrenByParent()
{
    std::multimap<int, int> children;
    DIR* proc = opendir("/proc");
    if (!proc)
        return children;
    while (dirent* entry = readdir(proc)) {
        char* end = nullptr;
        const long pid = std::strtol(entry->d_name, &end, 10);
        if (*end != '\0' || pid <= 0)
            continue;
        StatFields fields;
        if (readStat(static_cast<int>(pid), fields))
            children.emplace(fields.parentPid, static_cast<int>(pid));
    }
    closedir(proc);
    return children;
}

} // namespace

ProcSample sampleProcesses(const std::vector<int>& roots)
{
    ProcSample sample;
    if (roots.empty())
        return sample;

    const auto children = childrenByParent();
    std::vector<int> queue(roots.begin(), roots.end());
    for (size_t i = 0; i < queue.size(); ++i) {
        const auto range = children.equal_range(queue[i]);
        for (auto it = range.first; it != range.second; ++it) {
            if (std::find(queue.begin(), queue.end(), it->second) == queue.end())
                queue.push_back(it->second);
        }
    }

    const double ticksPerSecond = static_cast<double>(sysconf(_SC_CLK_TCK));
    bool allPss = true;
    int64_t pssTotal = 0;
    for (const int pid : queue) {
        StatFields fields;
        if (!readStat(pid, fields))
            continue;
        char path[64];
        std::snprintf(path, sizeof path, "/proc/%d/status", pid);
        const int64_t rss = readKibField(path, "VmRSS:");
        std::snprintf(path, sizeof path, "/proc/%d/smaps_rollup", pid);
        const int64_t pss = readKibField(path, "Pss:");

        sample.valid = true;
        sample.pids.push_back(pid);
        sample.rssKib += rss > 0 ? rss : 0;
        sample.cpuSeconds += static_cast<double>(fields.userTicks + fields.systemTicks) / ticksPerSecond;
        if (pss >= 0)
            pssTotal += pss;
        else
            allPss = false;
    }
    sample.pssKib = sample.valid && allPss ? pssTotal : -1;
    return sample;
}

double selfCpuSeconds()
{
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
        + static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

} // namespace loadgen
