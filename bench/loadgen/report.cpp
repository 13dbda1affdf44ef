#include "report.h"

#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <type_traits>
#include <vector>

namespace loadgen {

namespace {

double toMs(int64_t ns)
{
    return static_cast<double>(ns) / 1e6;
}

// Percentile in milliseconds, or nullopt when the histogram has no samples.
std::optional<double> percentileMs(const Histogram& histogram, double p)
{
    if (histogram.count() == 0)
        return std::nullopt;
    return toMs(histogram.percentile(p));
}

std::optional<double> maxMs(const Histogram& histogram)
{
    if (histogram.count() == 0)
        return std::nullopt;
    return toMs(histogram.max());
}

// Formats "p50 X ms, p99 Y ms, max Z ms", or "no samples".
std::string describeMs(const Histogram& histogram)
{
    if (histogram.count() == 0)
        return "no samples";
    char text[128];
    std::snprintf(text, sizeof text, "p50 %.3f ms, p99 %.3f ms, max %.3f ms", toMs(histogram.percentile(50)),
        toMs(histogram.percentile(99)), toMs(histogram.max()));
    return text;
}

// Server CPU seconds between two samples, when both read the same processes.
std::optional<double> cpuBetween(const ProcSample& from, const ProcSample& to)
{
    if (!from.valid || !to.valid || from.pids != to.pids)
        return std::nullopt;
    return to.cpuSeconds - from.cpuSeconds;
}

std::optional<double> perStreamKib(int64_t with, int64_t before, uint64_t streams)
{
    if (streams == 0 || with < 0 || before < 0)
        return std::nullopt;
    return static_cast<double>(with - before) / static_cast<double>(streams);
}

// Minimal JSON object writer for numbers, strings, maps and null.
class JsonWriter {
public:
    JsonWriter() { text_ += '{'; }

    void key(const char* name)
    {
        if (text_.size() > 1 && text_.back() != '{')
            text_ += ',';
        appendString(name);
        text_ += ':';
    }
    void number(const char* name, double value)
    {
        key(name);
        if (!std::isfinite(value)) {
            text_ += "null";
            return;
        }
        char buffer[64];
        std::snprintf(buffer, sizeof buffer, "%.6g", value);
        text_ += buffer;
    }
    void integer(const char* name, int64_t value)
    {
        key(name);
        text_ += std::to_string(value);
    }
    void optionalNumber(const char* name, std::optional<double> value)
    {
        if (value)
            number(name, *value);
        else
            null(name);
    }
    void string(const char* name, const std::string& value)
    {
        key(name);
        appendString(value);
    }
    void boolean(const char* name, bool value)
    {
        key(name);
        text_ += value ? "true" : "false";
    }
    void null(const char* name)
    {
        key(name);
        text_ += "null";
    }
    template <typename Key>
    void countMap(const char* name, const std::map<Key, uint64_t>& values)
    {
        key(name);
        text_ += '{';
        bool first = true;
        for (const auto& [entry, count] : values) {
            if (!first)
                text_ += ',';
            first = false;
            if constexpr (std::is_same_v<Key, std::string>)
                appendString(entry);
            else
                appendString(std::to_string(entry));
            text_ += ':';
            text_ += std::to_string(count);
        }
        text_ += '}';
    }
    void intList(const char* name, const std::vector<int>& values)
    {
        key(name);
        text_ += '[';
        for (size_t i = 0; i < values.size(); ++i) {
            if (i)
                text_ += ',';
            text_ += std::to_string(values[i]);
        }
        text_ += ']';
    }
    std::string finish()
    {
        text_ += '}';
        return text_;
    }

private:
    void appendString(const std::string& value)
    {
        text_ += '"';
        for (const char c : value) {
            if (c == '"' || c == '\\') {
                text_ += '\\';
                text_ += c;
            } else if (static_cast<unsigned char>(c) < 0x20) {
                char escaped[8];
                std::snprintf(escaped, sizeof escaped, "\\u%04x", c);
                text_ += escaped;
            } else {
                text_ += c;
            }
        }
        text_ += '"';
    }

    std::string text_;
};

void writeProcSample(JsonWriter& json, const char* rssName, const char* pssName, const ProcSample& sample)
{
    if (sample.valid) {
        json.integer(rssName, sample.rssKib);
        if (sample.pssKib >= 0)
            json.integer(pssName, sample.pssKib);
        else
            json.null(pssName);
    } else {
        json.null(rssName);
        json.null(pssName);
    }
}

std::string joinReasons(const std::map<std::string, uint64_t>& reasons)
{
    std::string text;
    for (const auto& [reason, count] : reasons) {
        if (!text.empty())
            text += "; ";
        text += reason + " x" + std::to_string(count);
    }
    return text.empty() ? "none" : text;
}

std::string describeRss(const ProcSample& sample)
{
    if (!sample.valid)
        return "n/a";
    char text[32];
    std::snprintf(text, sizeof text, "%.1f MiB", static_cast<double>(sample.rssKib) / 1024.0);
    return text;
}

} // namespace

void printSummary(const RunReport& report, std::FILE* out)
{
    const Options& options = *report.options;
    std::fprintf(out, "orderstream-loadgen: %s port %d, %d streams over %d orders, rate %g/s for %g s, idle %g s\n",
        options.host.c_str(), options.port, options.streams, options.orders, options.rate, options.duration,
        options.idleSeconds);

    std::fprintf(out, "streams:   established %" PRIu64 " of %d, failed %" PRIu64 ", closed by server %" PRIu64
                      ", connect phase %.2f s%s\n",
        report.streamsEstablished, options.streams, report.streamsFailed, report.streamsClosedByServer,
        report.connectPhaseSeconds, report.connectPhaseTimedOut ? " (timed out)" : "");
    if (!report.failureReasons.empty())
        std::fprintf(out, "           failures: %s\n", joinReasons(report.failureReasons).c_str());
    if (!report.serverCloseReasons.empty())
        std::fprintf(out, "           closed by server: %s\n", joinReasons(report.serverCloseReasons).c_str());
    if (report.nonEventStreamContentType > 0)
        std::fprintf(out, "           %" PRIu64 " streams answered without Content-Type: text/event-stream\n",
            report.nonEventStreamContentType);
    std::fprintf(out, "connect:   %s\n", describeMs(report.connectTime).c_str());

    if (report.published) {
        const PublisherResults& pub = report.publisher;
        std::fprintf(out, "publish:   planned %" PRIu64 ", sent %" PRIu64 " (%.1f/s), acknowledged %" PRIu64
                          ", rejected %" PRIu64 ", failed %" PRIu64 ", unsent %" PRIu64 ", reconnects %" PRIu64 "\n",
            pub.planned, pub.sent, report.publishSeconds > 0 ? static_cast<double>(pub.sent) / report.publishSeconds : 0.0,
            pub.acknowledged, pub.rejected, pub.failed, pub.unsent, pub.reconnects);
        if (!pub.errors.empty())
            std::fprintf(out, "           errors: %s\n", joinReasons(pub.errors).c_str());
        std::fprintf(out, "           round trip %s\n", describeMs(pub.roundTrip).c_str());
        const auto lost = static_cast<int64_t>(pub.expectedDeliveries) - static_cast<int64_t>(report.eventsDelivered);
        std::fprintf(out, "delivery:  delivered %" PRIu64 " of %" PRIu64 " expected (lost %" PRId64 "), %.0f events/s\n",
            report.eventsDelivered, pub.expectedDeliveries, lost,
            report.deliverySeconds > 0 ? static_cast<double>(report.eventsDelivered) / report.deliverySeconds : 0.0);
        std::fprintf(out, "latency:   %s (%" PRIu64 " samples, %" PRIu64 " events without sentAt)\n",
            describeMs(report.latency).c_str(), report.latency.count(), report.eventsWithoutSentAt);
    }

    if (report.serverBefore.valid) {
        std::fprintf(out, "server:    RSS before %s, with streams %s, after idle %s", describeRss(report.serverBefore).c_str(),
            describeRss(report.serverEstablished).c_str(), describeRss(report.serverIdle).c_str());
        const auto rssPerStream = perStreamKib(report.serverIdle.rssKib, report.serverBefore.rssKib, report.streamsEstablished);
        if (rssPerStream && report.serverBefore.pids == report.serverIdle.pids)
            std::fprintf(out, " (%.2f KiB per stream)", *rssPerStream);
        std::fprintf(out, "\n");
        const auto cpuPublish = cpuBetween(report.serverIdle, report.serverAfterPublish);
        const auto cpuSettle = cpuBetween(report.serverAfterPublish, report.serverAfterSettle);
        if (report.published && cpuPublish && cpuSettle)
            std::fprintf(out, "           CPU %.2f s during publish, %.2f s during settle\n", *cpuPublish, *cpuSettle);
        else if (report.published)
            std::fprintf(out, "           CPU not measured: the server processes changed or exited during the run\n");
    }
    std::fprintf(out, "loadgen:   CPU %.2f s total, %.2f s during publish and settle\n", report.loadgenCpuSeconds,
        report.loadgenCpuPublishSeconds);
}

std::string toJson(const RunReport& report)
{
    const Options& options = *report.options;
    JsonWriter json;
    json.string("tool", "orderstream-loadgen");
    json.boolean("interrupted", report.interrupted);
    json.string("host", options.host);
    json.integer("port", options.port);
    json.integer("streams", options.streams);
    json.integer("orders", options.orders);
    json.integer("threads", options.threads);
    json.number("rate", options.rate);
    json.number("duration_s", options.duration);
    json.number("idle_s", options.idleSeconds);
    json.number("settle_limit_s", options.settleSeconds);
    json.integer("pub_connections", options.pubConnections);
    json.integer("pub_pipeline", options.pubPipeline);
    if (options.pubOrder.empty())
        json.null("pub_order");
    else
        json.string("pub_order", options.pubOrder);

    json.integer("established", static_cast<int64_t>(report.streamsEstablished));
    json.integer("failed", static_cast<int64_t>(report.streamsFailed));
    json.integer("closed_by_server", static_cast<int64_t>(report.streamsClosedByServer));
    json.countMap("failure_reasons", report.failureReasons);
    json.countMap("close_reasons", report.serverCloseReasons);
    json.integer("non_event_stream_content_type", static_cast<int64_t>(report.nonEventStreamContentType));
    json.number("connect_phase_s", report.connectPhaseSeconds);
    json.boolean("connect_phase_timed_out", report.connectPhaseTimedOut);
    json.optionalNumber("connect_p50_ms", percentileMs(report.connectTime, 50));
    json.optionalNumber("connect_p99_ms", percentileMs(report.connectTime, 99));
    json.optionalNumber("connect_max_ms", maxMs(report.connectTime));

    const PublisherResults& pub = report.publisher;
    json.integer("pub_planned", static_cast<int64_t>(pub.planned));
    json.integer("pub_sent", static_cast<int64_t>(pub.sent));
    json.integer("pub_acked", static_cast<int64_t>(pub.acknowledged));
    json.integer("pub_rejected", static_cast<int64_t>(pub.rejected));
    json.integer("pub_failed", static_cast<int64_t>(pub.failed));
    json.integer("pub_unsent", static_cast<int64_t>(pub.unsent));
    json.integer("pub_reconnects", static_cast<int64_t>(pub.reconnects));
    json.countMap("pub_statuses", pub.statuses);
    json.countMap("pub_errors", pub.errors);
    json.number("publish_s", report.publishSeconds);
    json.number("settle_s", report.settleSeconds);
    json.optionalNumber("pub_sent_per_s", report.publishSeconds > 0
            ? std::optional<double>(static_cast<double>(pub.sent) / report.publishSeconds)
            : std::nullopt);
    json.optionalNumber("pub_rtt_p50_ms", percentileMs(pub.roundTrip, 50));
    json.optionalNumber("pub_rtt_p99_ms", percentileMs(pub.roundTrip, 99));
    json.optionalNumber("pub_rtt_max_ms", maxMs(pub.roundTrip));

    json.integer("expected", static_cast<int64_t>(pub.expectedDeliveries));
    json.integer("delivered", static_cast<int64_t>(report.eventsDelivered));
    json.integer("lost", static_cast<int64_t>(pub.expectedDeliveries) - static_cast<int64_t>(report.eventsDelivered));
    json.integer("events_total", static_cast<int64_t>(report.eventsTotal));
    json.integer("events_without_sent_at", static_cast<int64_t>(report.eventsWithoutSentAt));
    json.integer("comments", static_cast<int64_t>(report.comments));
    json.integer("bytes_received", static_cast<int64_t>(report.bytesReceived));
    json.number("delivery_s", report.deliverySeconds);
    json.optionalNumber("delivered_per_s", report.deliverySeconds > 0
            ? std::optional<double>(static_cast<double>(report.eventsDelivered) / report.deliverySeconds)
            : std::nullopt);
    json.integer("latency_samples", static_cast<int64_t>(report.latency.count()));
    json.optionalNumber("latency_p50_ms", percentileMs(report.latency, 50));
    json.optionalNumber("latency_p99_ms", percentileMs(report.latency, 99));
    json.optionalNumber("latency_max_ms", maxMs(report.latency));

    json.intList("server_pids", report.serverBefore.pids);
    writeProcSample(json, "rss_before_kib", "pss_before_kib", report.serverBefore);
    writeProcSample(json, "rss_established_kib", "pss_established_kib", report.serverEstablished);
    writeProcSample(json, "rss_idle_kib", "pss_idle_kib", report.serverIdle);
    writeProcSample(json, "rss_after_publish_kib", "pss_after_publish_kib", report.serverAfterPublish);
    writeProcSample(json, "rss_after_settle_kib", "pss_after_settle_kib", report.serverAfterSettle);
    const bool haveServer = report.serverBefore.valid && report.serverIdle.valid
        && report.serverBefore.pids == report.serverIdle.pids;
    json.optionalNumber("rss_per_stream_kib", haveServer
            ? perStreamKib(report.serverIdle.rssKib, report.serverBefore.rssKib, report.streamsEstablished)
            : std::nullopt);
    json.optionalNumber("pss_per_stream_kib", haveServer
            ? perStreamKib(report.serverIdle.pssKib, report.serverBefore.pssKib, report.streamsEstablished)
            : std::nullopt);
    const auto cpuPublish = report.published ? cpuBetween(report.serverIdle, report.serverAfterPublish) : std::nullopt;
    const auto cpuSettle = report.published ? cpuBetween(report.serverAfterPublish, report.serverAfterSettle) : std::nullopt;
    json.optionalNumber("cpu_publish_s", cpuPublish);
    json.optionalNumber("cpu_settle_s", cpuSettle);
    json.optionalNumber("cpu_s", cpuPublish && cpuSettle ? std::optional<double>(*cpuPublish + *cpuSettle) : std::nullopt);
    json.number("loadgen_cpu_s", report.loadgenCpuSeconds);
    json.number("loadgen_cpu_publish_s", report.loadgenCpuPublishSeconds);
    return json.finish();
}

} // namespace loadgen
