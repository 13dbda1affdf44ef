// Unit tests of the orderstream-loadgen parsers and histogram.
// Build with -DORDERSTREAM_BENCH_TESTS=ON; the executable prints "N passed, N failed".

#include "histogram.h"
#include "http.h"
#include "options.h"
#include "sse.h"

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

using namespace loadgen;

namespace {

int g_passed = 0;
int g_failed = 0;

void check(bool condition, const char* test, const char* expression, int line)
{
    if (condition) {
        ++g_passed;
        return;
    }
    ++g_failed;
    std::fprintf(stderr, "FAIL %s (line %d): %s\n", test, line, expression);
}

#define CHECK(test, expression) check((expression), test, #expression, __LINE__)

// Decodes `input` split into pieces of `pieceSize` bytes and returns the payload.
std::string decodeChunked(const std::string& input, size_t pieceSize, ChunkedDecoder::Result& last)
{
    ChunkedDecoder decoder;
    std::string payload;
    last = ChunkedDecoder::Result::Ok;
    for (size_t offset = 0; offset < input.size() && last == ChunkedDecoder::Result::Ok; offset += pieceSize) {
        std::string piece = input.substr(offset, pieceSize);
        size_t consumed = 0;
        size_t payloadLength = 0;
        last = decoder.decode(piece.data(), piece.size(), consumed, payloadLength);
        payload.append(piece.data(), payloadLength);
    }
    return payload;
}

void testChunkedWholeAndSplit()
{
    const std::string body = "5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\nTrailer: x\r\n\r\n";
    for (size_t pieceSize = 1; pieceSize <= body.size(); ++pieceSize) {
        ChunkedDecoder::Result last;
        const std::string payload = decodeChunked(body, pieceSize, last);
        CHECK("chunked split payload", payload == "hello, world");
        CHECK("chunked split done", last == ChunkedDecoder::Result::Done);
    }
}

void testChunkedConsumedStopsAtEnd()
{
    std::string input = "3\r\nabc\r\n0\r\n\r\nHTTP/1.1 202";
    ChunkedDecoder decoder;
    size_t consumed = 0;
    size_t payloadLength = 0;
    const auto result = decoder.decode(input.data(), input.size(), consumed, payloadLength);
    CHECK("chunked consumed result", result == ChunkedDecoder::Result::Done);
    CHECK("chunked consumed count", consumed == input.size() - 12);
    CHECK("chunked consumed payload", std::string(input.data(), payloadLength) == "abc");
}

void testChunkedInvalid()
{
    ChunkedDecoder::Result last;
    decodeChunked("zz\r\n", 4, last);
    CHECK("chunked invalid size", last == ChunkedDecoder::Result::Error);
    decodeChunked("3\r\nabcX\r\n", 9, last);
    CHECK("chunked missing CRLF after data", last == ChunkedDecoder::Result::Error);
}

void testResponseHead()
{
    const std::string text = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\ntransfer-encoding: Chunked\r\n\r\nbody";
    ResponseHead head;
    size_t headLength = 0;
    CHECK("head complete", parseResponseHead(text.data(), text.size(), head, headLength) == HeadParse::Complete);
    CHECK("head status", head.status == 200);
    CHECK("head chunked", head.chunked);
    CHECK("head content type", head.contentType == "text/event-stream");
    CHECK("head length", headLength == text.size() - 4);

    const std::string partial = "HTTP/1.1 202 Accepted\r\nContent-Length: 8\r\n";
    CHECK("head incomplete", parseResponseHead(partial.data(), partial.size(), head, headLength) == HeadParse::Incomplete);

    const std::string withLength = "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 12\r\nConnection: close\r\n\r\n";
    CHECK("head 503 complete", parseResponseHead(withLength.data(), withLength.size(), head, headLength) == HeadParse::Complete);
    CHECK("head 503 status", head.status == 503);
    CHECK("head 503 length", head.contentLength == 12);
    CHECK("head 503 close", head.connectionClose);

    const std::string invalid = "HTTX/1.1 200 OK\r\n\r\n";
    CHECK("head invalid", parseResponseHead(invalid.data(), invalid.size(), head, headLength) == HeadParse::Invalid);
}

const char* const kFrames = "retry: 3000\n\n"
                            ": heartbeat\n\n"
                            "id: 1\nevent: order.update\ndata: {\"orderId\":\"A1\",\"details\":{\"sentAt\":1000}}\n\n"
                            "id: 2\r\nevent: order.update\r\ndata: {\"details\":{\"x\":1,\"sentAt\": 2500},\"status\":\"s\"}\r\n\r\n"
                            "data: no latency here\rdata: second line\r\r"
                            "event: no-data\n\n";

void testSseFramesSplitEverywhere()
{
    const std::string stream = kFrames;
    for (size_t pieceSize = 1; pieceSize <= stream.size(); ++pieceSize) {
        SseParser parser;
        Histogram latency;
        SseTotals totals;
        totals.latency = &latency;
        bool ok = true;
        for (size_t offset = 0; offset < stream.size(); offset += pieceSize) {
            const std::string piece = stream.substr(offset, pieceSize);
            ok = ok && parser.feed(piece.data(), piece.size(), 5000, totals);
        }
        CHECK("sse split parse ok", ok);
        CHECK("sse split event count", totals.events == 3);
        CHECK("sse split without sentAt", totals.eventsWithoutSentAt == 1);
        CHECK("sse split comments", totals.comments == 1);
        CHECK("sse split latency samples", latency.count() == 2);
        CHECK("sse split latency max", latency.max() == 4000);
        CHECK("sse split latency min", latency.min() == 2500);
    }
}

void testSseIncompleteEventNotCounted()
{
    SseParser parser;
    SseTotals totals;
    const std::string text = "data: {\"sentAt\":1}\n";
    parser.feed(text.data(), text.size(), 10, totals);
    CHECK("sse incomplete event", totals.events == 0);
    parser.feed("\n", 1, 10, totals);
    CHECK("sse completed event", totals.events == 1);
}

void testSseLineTooLong()
{
    SseParser parser;
    SseTotals totals;
    const std::string chunk(64 * 1024, 'a');
    bool ok = true;
    for (int i = 0; i < 17 && ok; ++i)
        ok = parser.feed(chunk.data(), chunk.size(), 0, totals);
    CHECK("sse line too long", !ok);
}

void testFindSentAt()
{
    int64_t value = 0;
    const std::string plain = "{\"sentAt\":1733350000123456789}";
    CHECK("sentAt found", findSentAt(plain.data(), plain.size(), value));
    CHECK("sentAt value", value == 1733350000123456789LL);
    const std::string spaced = "{\"a\":1, \"sentAt\" : 42 }";
    CHECK("sentAt spaced found", findSentAt(spaced.data(), spaced.size(), value));
    CHECK("sentAt spaced value", value == 42);
    const std::string missing = "{\"sent\":1}";
    CHECK("sentAt missing", !findSentAt(missing.data(), missing.size(), value));
    const std::string overflow = "{\"sentAt\":99999999999999999999}";
    CHECK("sentAt overflow", !findSentAt(overflow.data(), overflow.size(), value));
    const std::string text = "{\"sentAt\":\"12\"}";
    CHECK("sentAt string rejected", !findSentAt(text.data(), text.size(), value));
}

void testHistogram()
{
    Histogram small;
    for (int v = 1; v <= 100; ++v)
        small.record(v);
    CHECK("histogram small p50", small.percentile(50) == 50);
    CHECK("histogram small p99", small.percentile(99) == 99);
    CHECK("histogram small p100", small.percentile(100) == 100);
    CHECK("histogram small count", small.count() == 100);

    Histogram large;
    for (int64_t i = 1; i <= 1000; ++i)
        large.record(i * 1'000'000); // 1 ms .. 1 s
    const double p99 = static_cast<double>(large.percentile(99));
    CHECK("histogram large p99 within 0.4%", std::abs(p99 - 990e6) / 990e6 < 0.004);
    CHECK("histogram large max exact", large.max() == 1'000'000'000);

    Histogram merged;
    merged.merge(small);
    merged.merge(large);
    CHECK("histogram merged count", merged.count() == 1100);
    CHECK("histogram merged min", merged.min() == 1);

    Histogram negative;
    negative.record(-5);
    CHECK("histogram negative clamps", negative.max() == 0);

    Histogram empty;
    CHECK("histogram empty percentile", empty.percentile(99) == 0);
}

void testOrderIdsAndPaths()
{
    Options options;
    CHECK("order id format", orderId(options, 7) == "bench-000007");
    CHECK("expand path", expandPath("/orders/{id}/events", "A1") == "/orders/A1/events");
    CHECK("expand path twice", expandPath("/{id}/{id}", "x") == "/x/x");
    CHECK("order id valid", isValidOrderId("A-1_b"));
    CHECK("order id empty", !isValidOrderId(""));
    CHECK("order id too long", !isValidOrderId(std::string(65, 'a')));
    CHECK("order id slash", !isValidOrderId("a/b"));
}

} // namespace

int main()
{
    testChunkedWholeAndSplit();
    testChunkedConsumedStopsAtEnd();
    testChunkedInvalid();
    testResponseHead();
    testSseFramesSplitEverywhere();
    testSseIncompleteEventNotCounted();
    testSseLineTooLong();
    testFindSentAt();
    testHistogram();
    testOrderIdsAndPaths();
    std::printf("%d passed, %d failed\n", g_passed, g_failed);
    return g_failed == 0 ? 0 : 1;
}
