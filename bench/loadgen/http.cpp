#include "http.h"

#include <cstring>
#include <strings.h>

namespace loadgen {

namespace {

constexpr uint64_t kMaxChunkSize = uint64_t{1} << 40;

bool equalsIgnoreCase(const char* begin, size_t length, const char* literal)
{
    return std::strlen(literal) == length && strncasecmp(begin, literal, length) == 0;
}

bool containsTokenIgnoreCase(const std::string& value, const char* token)
{
    const size_t tokenLength = std::strlen(token);
    for (size_t i = 0; i + tokenLength <= value.size(); ++i) {
        if (strncasecmp(value.data() + i, token, tokenLength) == 0)
            return true;
    }
    return false;
}

std::string trim(const char* begin, const char* end)
{
    while (begin < end && (*begin == ' ' || *begin == '\t'))
        ++begin;
    while (end > begin && (end[-1] == ' ' || end[-1] == '\t'))
        --end;
    return std::string(begin, end);
}

int hexDigitValue(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

} // namespace

HeadParse parseResponseHead(const char* data, size_t length, ResponseHead& head, size_t& headLength)
{
    const void* terminator = memmem(data, length, "\r\n\r\n", 4);
    if (!terminator)
        return HeadParse::Incomplete;
    headLength = static_cast<size_t>(static_cast<const char*>(terminator) - data) + 4;
    const char* end = data + headLength - 2; // keep the CRLF of the last header line

    // Status line: HTTP/1.x SP 3DIGIT SP reason
    const char* lineEnd = static_cast<const char*>(memmem(data, static_cast<size_t>(end - data), "\r\n", 2));
    if (!lineEnd || lineEnd - data < 12 || std::strncmp(data, "HTTP/1.", 7) != 0 || data[8] != ' ')
        return HeadParse::Invalid;
    int status = 0;
    for (int i = 9; i < 12; ++i) {
        if (data[i] < '0' || data[i] > '9')
            return HeadParse::Invalid;
        status = status * 10 + (data[i] - '0');
    }
    head = ResponseHead{};
    head.status = status;

    const char* line = lineEnd + 2;
    while (line < end) {
        const char* next = static_cast<const char*>(memmem(line, static_cast<size_t>(end - line), "\r\n", 2));
        if (!next)
            return HeadParse::Invalid;
        const char* colon = static_cast<const char*>(std::memchr(line, ':', static_cast<size_t>(next - line)));
        if (!colon)
            return HeadParse::Invalid;
        const auto nameLength = static_cast<size_t>(colon - line);
        const std::string value = trim(colon + 1, next);

        if (equalsIgnoreCase(line, nameLength, "transfer-encoding")) {
            head.chunked = containsTokenIgnoreCase(value, "chunked");
        } else if (equalsIgnoreCase(line, nameLength, "content-length")) {
            char* parseEnd = nullptr;
            const long long parsed = std::strtoll(value.c_str(), &parseEnd, 10);
            if (value.empty() || *parseEnd != '\0' || parsed < 0)
                return HeadParse::Invalid;
            head.contentLength = parsed;
        } else if (equalsIgnoreCase(line, nameLength, "connection")) {
            head.connectionClose = containsTokenIgnoreCase(value, "close");
        } else if (equalsIgnoreCase(line, nameLength, "content-type")) {
            head.contentType = value;
        }
        line = next + 2;
    }
    if (data[7] == '0')
        head.connectionClose = true; // HTTP/1.0 closes unless keep-alive is negotiated, which is not requested here
    return HeadParse::Complete;
}

bool statusHasNoBody(int status)
{
    return (status >= 100 && status < 200) || status == 204 || status == 304;
}

ChunkedDecoder::Result ChunkedDecoder::decode(char* buffer, size_t length, size_t& consumed, size_t& payloadLength)
{
    size_t in = 0;
    size_t out = 0;
    while (in < length && state_ != State::Done) {
        const char c = buffer[in];
        switch (state_) {
        case State::Size: {
            const int digit = hexDigitValue(c);
            if (digit >= 0) {
                remaining_ = remaining_ * 16 + static_cast<uint64_t>(digit);
                if (remaining_ > kMaxChunkSize) {
                    consumed = in;
                    payloadLength = out;
                    return Result::Error;
                }
                sizeHasDigit_ = true;
                ++in;
            } else if (sizeHasDigit_ && (c == ';' || c == ' ' || c == '\t')) {
                state_ = State::Extension;
                ++in;
            } else if (sizeHasDigit_ && c == '\r') {
                state_ = State::SizeLf;
                ++in;
            } else {
                consumed = in;
                payloadLength = out;
                return Result::Error;
            }
            break;
        }
        case State::Extension:
            if (c == '\r')
                state_ = State::SizeLf;
            ++in;
            break;
        case State::SizeLf:
            if (c != '\n') {
                consumed = in;
                payloadLength = out;
                return Result::Error;
            }
            ++in;
            sizeHasDigit_ = false;
            if (remaining_ == 0) {
                state_ = State::Trailer;
                trailerLineEmpty_ = true;
            } else {
                state_ = State::Data;
            }
            break;
        case State::Data: {
            const size_t available = length - in;
            const size_t take = remaining_ < available ? static_cast<size_t>(remaining_) : available;
            if (out != in)
                std::memmove(buffer + out, buffer + in, take);
            out += take;
            in += take;
            remaining_ -= take;
            if (remaining_ == 0)
                state_ = State::DataCr;
            break;
        }
        case State::DataCr:
            if (c != '\r') {
                consumed = in;
                payloadLength = out;
                return Result::Error;
            }
            state_ = State::DataLf;
            ++in;
            break;
        case State::DataLf:
            if (c != '\n') {
                consumed = in;
                payloadLength = out;
                return Result::Error;
            }
            state_ = State::Size;
            ++in;
            break;
        case State::Trailer:
            // Trailer fields are skipped. An empty line ends the chunked body.
            if (c == '\r') {
                state_ = State::TrailerLf;
            } else {
                trailerLineEmpty_ = false;
            }
            ++in;
            break;
        case State::TrailerLf:
            if (c != '\n') {
                consumed = in;
                payloadLength = out;
                return Result::Error;
            }
            ++in;
            if (trailerLineEmpty_) {
                state_ = State::Done;
            } else {
                trailerLineEmpty_ = true;
                state_ = State::Trailer;
            }
            break;
        case State::Done:
            break;
        }
    }
    consumed = in;
    payloadLength = out;
    return state_ == State::Done ? Result::Done : Result::Ok;
}

} // namespace loadgen
