#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace loadgen {

// Status line and the framing headers of an HTTP/1.1 response.
struct ResponseHead {
    int status = 0;
    bool chunked = false;        // Transfer-Encoding: chunked
    int64_t contentLength = -1;  // -1 when the header is absent
    bool connectionClose = false;
    std::string contentType;
};

// Result of parseResponseHead().
enum class HeadParse { Incomplete, Complete, Invalid };

// Parses a response head (status line and headers up to the empty line).
// On Complete, `headLength` is the number of bytes of the head, including the final CRLF CRLF.
HeadParse parseResponseHead(const char* data, size_t length, ResponseHead& head, size_t& headLength);

// True when the response to a non-HEAD request has no body by its status code.
bool statusHasNoBody(int status);

// Incremental decoder of the chunked transfer coding (RFC 9112, section 7.1).
// The decoder keeps its state between calls, so a chunk-size line or a chunk can be split across reads.
class ChunkedDecoder {
public:
    enum class Result { Ok, Done, Error };

    // Decodes `length` bytes at `buffer` in place: the payload bytes are moved to the start of the buffer
    // and their count is stored in `payloadLength`. `consumed` is the number of input bytes used, which is
    // less than `length` only when the body ended (Done) or the input is malformed (Error).
    Result decode(char* buffer, size_t length, size_t& consumed, size_t& payloadLength);

    void reset() { *this = ChunkedDecoder(); }
    bool done() const { return state_ == State::Done; }

private:
    enum class State : uint8_t { Size, Extension, SizeLf, Data, DataCr, DataLf, Trailer, TrailerLf, Done };

    State state_ = State::Size;
    bool sizeHasDigit_ = false;
    bool trailerLineEmpty_ = true;
    uint64_t remaining_ = 0;
};

} // namespace loadgen
