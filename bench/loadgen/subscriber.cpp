#include "subscriber.h"

#include "clock.h"

#include <cerrno>
#include <cstring>
#include <strings.h>
#include <sys/epoll.h>
#include <unistd.h>

namespace loadgen {

namespace {

constexpr size_t kReadBufferSize = 64 * 1024;
constexpr size_t kMaxHeadLength = 16 * 1024;
constexpr int kMaxEpollEvents = 1024;
constexpr int kEpollTimeoutMs = 10;

std::string errnoReason(const char* operation, int error)
{
    return std::string(operation) + ": " + std::strerror(error);
}

bool hasHeaderNamed(const std::vector<std::string>& headers, const char* name)
{
    const size_t nameLength = std::strlen(name);
    for (const auto& header : headers) {
        if (header.size() > nameLength && header[nameLength] == ':' && strncasecmp(header.c_str(), name, nameLength) == 0)
            return true;
    }
    return false;
}

} // namespace

SubscriberWorker::SubscriberWorker(const Options& options, const Target& target, SharedState& shared, int threadIndex,
    std::vector<uint32_t> streamOrderSlots, std::vector<std::string> subscribePaths)
    : options_(options)
    , target_(target)
    , shared_(shared)
    , counters_(shared.subscribers[static_cast<size_t>(threadIndex)])
    , streams_(streamOrderSlots.size())
    , subscribePaths_(std::move(subscribePaths))
    , readBuffer_(kReadBufferSize)
{
    for (size_t i = 0; i < streams_.size(); ++i)
        streams_[i].orderSlot = streamOrderSlots[i];

    if (!hasHeaderNamed(options.headers, "accept"))
        extraHeaders_ += "Accept: text/event-stream\r\n";
    for (const auto& header : options.headers)
        extraHeaders_ += header + "\r\n";

    const int threads = shared.subscriberThreadCount;
    connectLimit_ = (options.connectConcurrency + threads - 1) / threads;
    connectTimeoutNs_ = static_cast<int64_t>(options.connectTimeout * 1e9);
    results_.sse.latency = &results_.latency;
}

SubscriberWorker::~SubscriberWorker()
{
    for (auto& stream : streams_) {
        if (stream.fd >= 0)
            close(stream.fd);
    }
    if (epollFd_ >= 0)
        close(epollFd_);
}

std::string SubscriberWorker::buildRequest(const Stream& stream) const
{
    std::string request;
    request.reserve(256);
    request += "GET ";
    request += subscribePaths_[stream.orderSlot];
    request += " HTTP/1.1\r\nHost: ";
    request += target_.hostHeader;
    request += "\r\nCache-Control: no-cache\r\n";
    request += extraHeaders_;
    request += "\r\n";
    return request;
}

void SubscriberWorker::run()
{
    epollFd_ = epoll_create1(EPOLL_CLOEXEC);
    if (epollFd_ < 0) {
        results_.failureReasons[errnoReason("epoll_create1", errno)] += streams_.size();
        failed_ = streams_.size();
        publishCounters();
        return;
    }

    epoll_event events[kMaxEpollEvents];
    int64_t lastTimeoutScanNs = 0;

    while (!shared_.stopSubscribers.load(std::memory_order_relaxed)) {
        int64_t nowNs = monotonicNs();
        startConnections(nowNs);

        const int ready = epoll_wait(epollFd_, events, kMaxEpollEvents, kEpollTimeoutMs);
        if (ready < 0 && errno != EINTR) {
            results_.failureReasons[errnoReason("epoll_wait", errno)] += 1;
            break;
        }
        const uint64_t eventsBefore = results_.sse.events;
        for (int i = 0; i < ready; ++i) {
            const uint32_t index = events[i].data.u32;
            const uint32_t flags = events[i].events;
            Stream& stream = streams_[index];
            if (stream.state == StreamState::Connecting) {
                onConnectWritable(index);
            } else if (stream.state == StreamState::SendingRequest) {
                if (flags & (EPOLLERR | EPOLLHUP))
                    failStream(index, "connection closed while sending the request");
                else
                    sendRequest(index);
            } else if (stream.state == StreamState::AwaitingHead || stream.state == StreamState::Open) {
                onReadable(index);
            }
        }

        nowNs = monotonicNs();
        if (results_.sse.events != eventsBefore)
            counters_.lastEventMonotonicNs.store(nowNs, std::memory_order_relaxed);
        if (connecting_ > 0 && nowNs - lastTimeoutScanNs > 50'000'000) {
            expireSlowConnects(nowNs);
            lastTimeoutScanNs = nowNs;
        }
        publishCounters();
    }

    for (auto& stream : streams_) {
        if (stream.fd >= 0) {
            close(stream.fd);
            stream.fd = -1;
        }
    }
    publishCounters();
}

void SubscriberWorker::publishCounters()
{
    counters_.established.store(established_, std::memory_order_relaxed);
    counters_.failed.store(failed_, std::memory_order_relaxed);
    counters_.closedByServer.store(closedByServer_, std::memory_order_relaxed);
    counters_.events.store(results_.sse.events, std::memory_order_relaxed);
}

void SubscriberWorker::startConnections(int64_t nowNs)
{
    while (connecting_ < connectLimit_ && nextToStart_ < streams_.size())
        openStream(nextToStart_++, nowNs);
}

void SubscriberWorker::openStream(uint32_t index, int64_t nowNs)
{
    Stream& stream = streams_[index];
    stream.connectStartNs = nowNs;

    const int fd = socket(target_.address.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        stream.state = StreamState::Done;
        ++failed_;
        results_.failureReasons[errnoReason("socket", errno)] += 1;
        return;
    }
    stream.fd = fd;
    ++connecting_;

    const int rc = connect(fd, reinterpret_cast<const sockaddr*>(&target_.address), target_.addressLength);
    if (rc < 0 && errno != EINPROGRESS) {
        failStream(index, errnoReason("connect", errno));
        return;
    }

    epoll_event event{};
    event.events = EPOLLOUT;
    event.data.u32 = index;
    if (epoll_ctl(epollFd_, EPOLL_CTL_ADD, fd, &event) < 0) {
        failStream(index, errnoReason("epoll_ctl", errno));
        return;
    }
    stream.state = StreamState::Connecting;
}

void SubscriberWorker::onConnectWritable(uint32_t index)
{
    Stream& stream = streams_[index];
    int error = 0;
    socklen_t length = sizeof error;
    if (getsockopt(stream.fd, SOL_SOCKET, SO_ERROR, &error, &length) < 0)
        error = errno;
    if (error != 0) {
        failStream(index, errnoReason("connect", error));
        return;
    }
    stream.pending = buildRequest(stream);
    stream.state = StreamState::SendingRequest;
    sendRequest(index);
}

void SubscriberWorker::sendRequest(uint32_t index)
{
    Stream& stream = streams_[index];
    while (!stream.pending.empty()) {
        const ssize_t written = send(stream.fd, stream.pending.data(), stream.pending.size(), MSG_NOSIGNAL);
        if (written < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return; // EPOLLOUT stays registered
            if (errno == EINTR)
                continue;
            failStream(index, errnoReason("send", errno));
            return;
        }
        stream.pending.erase(0, static_cast<size_t>(written));
    }

    epoll_event event{};
    event.events = EPOLLIN;
    event.data.u32 = index;
    if (epoll_ctl(epollFd_, EPOLL_CTL_MOD, stream.fd, &event) < 0) {
        failStream(index, errnoReason("epoll_ctl", errno));
        return;
    }
    stream.state = StreamState::AwaitingHead;
}

void SubscriberWorker::onReadable(uint32_t index)
{
    // Reads until a short read, but at most 4 buffers (256 KiB), so one stream with a backlog
    // cannot starve the others. Level-triggered epoll reports the rest on the next round.
    for (int round = 0; round < 4; ++round) {
        Stream& stream = streams_[index];
        const ssize_t received = recv(stream.fd, readBuffer_.data(), readBuffer_.size(), 0);
        if (received < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return;
            if (errno == EINTR)
                continue;
            if (stream.state == StreamState::Open)
                closeByServer(index, errnoReason("recv", errno));
            else
                failStream(index, errnoReason("recv", errno));
            return;
        }
        if (received == 0) {
            if (stream.state == StreamState::Open) {
                if (stream.framing == BodyFraming::UntilClose)
                    closeByServer(index, "connection closed by server (end of body)");
                else
                    closeByServer(index, "connection closed by server before the end of the body");
            } else {
                failStream(index, "connection closed before the response head");
            }
            return;
        }

        results_.bytesReceived += static_cast<uint64_t>(received);
        const auto length = static_cast<size_t>(received);
        if (stream.state == StreamState::AwaitingHead) {
            if (!onHeadBytes(index, readBuffer_.data(), length))
                return;
        } else if (!onBodyBytes(stream, readBuffer_.data(), length)) {
            return;
        }
        if (length < readBuffer_.size())
            return;
    }
}

bool SubscriberWorker::onHeadBytes(uint32_t index, const char* data, size_t length)
{
    Stream& stream = streams_[index];
    stream.pending.append(data, length);

    ResponseHead head;
    size_t headLength = 0;
    const HeadParse parsed = parseResponseHead(stream.pending.data(), stream.pending.size(), head, headLength);
    if (parsed == HeadParse::Incomplete) {
        if (stream.pending.size() > kMaxHeadLength) {
            failStream(index, "response head longer than 16 KiB");
            return false;
        }
        return true;
    }
    if (parsed == HeadParse::Invalid) {
        failStream(index, "invalid response head");
        return false;
    }
    if (head.status != 200) {
        failStream(index, "HTTP status " + std::to_string(head.status));
        return false;
    }

    results_.connectTime.record(monotonicNs() - stream.connectStartNs);
    if (head.contentType.compare(0, 17, "text/event-stream") != 0)
        ++results_.nonEventStreamContentType;
    if (head.chunked) {
        stream.framing = BodyFraming::Chunked;
    } else if (head.contentLength >= 0) {
        stream.framing = BodyFraming::ContentLength;
        stream.bodyRemaining = head.contentLength;
    } else {
        stream.framing = BodyFraming::UntilClose;
    }

    stream.state = StreamState::Open;
    --connecting_;
    ++established_;
    shared_.openStreamsPerOrder[stream.orderSlot].fetch_add(1, std::memory_order_relaxed);

    // The rest of the read belongs to the body. It is copied out because `pending` is released.
    std::string body = stream.pending.substr(headLength);
    std::string().swap(stream.pending);
    if (!body.empty())
        return onBodyBytes(stream, body.data(), body.size());
    return true;
}

bool SubscriberWorker::onBodyBytes(Stream& stream, char* data, size_t length)
{
    const auto index = static_cast<uint32_t>(&stream - streams_.data());
    size_t payloadLength = length;
    bool bodyEnded = false;

    if (stream.framing == BodyFraming::Chunked) {
        size_t consumed = 0;
        const auto result = stream.chunked.decode(data, length, consumed, payloadLength);
        if (result == ChunkedDecoder::Result::Error) {
            closeByServer(index, "invalid chunked encoding");
            return false;
        }
        bodyEnded = result == ChunkedDecoder::Result::Done;
    } else if (stream.framing == BodyFraming::ContentLength) {
        if (static_cast<int64_t>(payloadLength) >= stream.bodyRemaining) {
            payloadLength = static_cast<size_t>(stream.bodyRemaining);
            bodyEnded = true;
        }
        stream.bodyRemaining -= static_cast<int64_t>(payloadLength);
    }

    if (!stream.sse.feed(data, payloadLength, realtimeNs(), results_.sse)) {
        closeByServer(index, "SSE line longer than 1 MiB");
        return false;
    }
    if (bodyEnded) {
        closeByServer(index, "response body ended");
        return false;
    }
    return true;
}

void SubscriberWorker::failStream(uint32_t index, const std::string& reason)
{
    Stream& stream = streams_[index];
    if (stream.fd >= 0) {
        close(stream.fd); // also removes it from the epoll set
        stream.fd = -1;
    }
    // openStream() counts a stream as connecting from socket() on, including the NotStarted state
    // it is still in when connect() fails at once.
    if (stream.state != StreamState::Done && stream.state != StreamState::Open)
        --connecting_;
    stream.state = StreamState::Done;
    std::string().swap(stream.pending);
    ++failed_;
    results_.failureReasons[reason] += 1;
}

void SubscriberWorker::closeByServer(uint32_t index, const std::string& reason)
{
    Stream& stream = streams_[index];
    if (stream.fd >= 0) {
        close(stream.fd);
        stream.fd = -1;
    }
    stream.state = StreamState::Done;
    shared_.openStreamsPerOrder[stream.orderSlot].fetch_sub(1, std::memory_order_relaxed);
    ++closedByServer_;
    results_.serverCloseReasons[reason] += 1;
}

void SubscriberWorker::expireSlowConnects(int64_t nowNs)
{
    for (uint32_t i = 0; i < nextToStart_; ++i) {
        const Stream& stream = streams_[i];
        const bool inProgress = stream.state == StreamState::Connecting || stream.state == StreamState::SendingRequest
            || stream.state == StreamState::AwaitingHead;
        if (inProgress && nowNs - stream.connectStartNs > connectTimeoutNs_)
            failStream(i, "timed out before the response head");
    }
}

} // namespace loadgen
