#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace loadgen {

// Log-linear histogram of non-negative 64-bit values (nanoseconds here).
// Values below 128 are exact. Larger values fall into 128 linear sub-buckets
// per power of two, so a reported percentile is within 0.4% of the recorded
// value. Memory is fixed (about 57 KiB) whatever the number of samples.
class Histogram {
public:
    Histogram();

    // Records one value. Negative values are recorded as 0.
    void record(int64_t value);
    void merge(const Histogram& other);

    uint64_t count() const { return count_; }
    int64_t min() const { return count_ ? min_ : 0; }
    int64_t max() const { return count_ ? max_ : 0; }

    // Returns the value at percentile `p` (0..100), or 0 when empty.
    int64_t percentile(double p) const;

private:
    static constexpr int kSubBucketBits = 7;
    static constexpr int64_t kSubBucketCount = int64_t{1} << kSubBucketBits;

    static size_t bucketIndex(int64_t value);
    static int64_t bucketMidpoint(size_t index);

    std::vector<uint64_t> counts_;
    uint64_t count_ = 0;
    int64_t min_ = 0;
    int64_t max_ = 0;
};

} // namespace loadgen
