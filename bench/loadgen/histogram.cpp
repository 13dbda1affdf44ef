#include "histogram.h"

#include <algorithm>
#include <cmath>

namespace loadgen {

namespace {
// Highest bit index of a positive int64_t is 62, which gives the bucket count below.
constexpr size_t kBucketCount = (62 - 7 + 2) * 128;
} // namespace

Histogram::Histogram() : counts_(kBucketCount, 0) {}

size_t Histogram::bucketIndex(int64_t value)
{
    if (value < kSubBucketCount)
        return static_cast<size_t>(value);
    const int highestBit = 63 - __builtin_clzll(static_cast<unsigned long long>(value));
    const int shift = highestBit - kSubBucketBits;
    const int64_t mantissa = value >> shift; // in [128, 256)
    return static_cast<size_t>((shift + 1) * kSubBucketCount + (mantissa - kSubBucketCount));
}

int64_t Histogram::bucketMidpoint(size_t index)
{
    const auto signedIndex = static_cast<int64_t>(index);
    if (signedIndex < kSubBucketCount)
        return signedIndex;
    const int64_t shift = signedIndex / kSubBucketCount - 1;
    const int64_t mantissa = signedIndex % kSubBucketCount + kSubBucketCount;
    const int64_t lower = mantissa << shift;
    const int64_t width = int64_t{1} << shift;
    return lower + width / 2;
}

void Histogram::record(int64_t value)
{
    if (value < 0)
        value = 0;
    ++counts_[bucketIndex(value)];
    if (count_ == 0) {
        min_ = value;
        max_ = value;
    } else {
        min_ = std::min(min_, value);
        max_ = std::max(max_, value);
    }
    ++count_;
}

void Histogram::merge(const Histogram& other)
{
    if (other.count_ == 0)
        return;
    for (size_t i = 0; i < counts_.size(); ++i)
        counts_[i] += other.counts_[i];
    if (count_ == 0) {
        min_ = other.min_;
        max_ = other.max_;
    } else {
        min_ = std::min(min_, other.min_);
        max_ = std::max(max_, other.max_);
    }
    count_ += other.count_;
}

int64_t Histogram::percentile(double p) const
{
    if (count_ == 0)
        return 0;
    p = std::clamp(p, 0.0, 100.0);
    // Rank of the sample at or below which p percent of the samples lie (1-based).
    auto rank = static_cast<uint64_t>(std::ceil(p / 100.0 * static_cast<double>(count_)));
    rank = std::max<uint64_t>(rank, 1);

    uint64_t seen = 0;
    for (size_t i = 0; i < counts_.size(); ++i) {
        seen += counts_[i];
        if (seen >= rank)
            return std::clamp(bucketMidpoint(i), min_, max_);
    }
    return max_;
}

} // namespace loadgen
