#include "publisher.h"

#include "clock.h"

#include <algorithm>
#include <cerrno>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <unistd.h>

namespace loadgen {

namespace {

constexpr uint32_t kTimerTag = UINT32_MAX;
constexpr int64_t kTickNs = 1'000'000;
constexpr int64_t kReconnectDelayNs = 50'000'000;
constexpr int64_t kConnectWaitNs = 5'000'000'000;
constexpr size_t kMaxResponseHead = 16 * 1024;

std::string errnoReason(const char* operation, int error)
{
    return std::string(operation) + ": " + std::strerror(error);
}

} // namespace

Publisher::Publisher(const Options& options, const Target& target, SharedState& shared,
    std::vector<std::pair<std::string, uint32_t>> targets)
    : options_(options)
    , target_(target)
    , shared_(shared)
    , targets_(std::move(targets))
    , connections_(static_cast<size_t>(options.pubConnections))
{
    for (const auto& header : options.pubHeaders)
        extraHeaders_ += header + "\r\n";
    results_.planned = static_cast<uint64_t>(std::llround(options.rate * options.duration));
}

Publisher::~Publisher()
{
    for (auto& connection : connections_) {
        if (connection.fd >= 0)
            close(connection.fd);
    }
    if (timerFd_ >= 0)
        close(timerFd_);
    if (epollFd_ >= 0)
        close(epollFd_);
}

size_t Publisher::totalInFlight() const
{
    size_t total = 0;
    for (const auto& connection : connections_)
        total += connection.inFlight.size();
    return total;
}

void Publisher::openConnection(size_t index, int64_t nowNs)
{
    Connection& connection = connections_[index];
    connection = Connection{};
    const int fd = socket(target_.address.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        ++results_.errors[errnoReason("socket", errno)];
        connection.reconnectAtNs = nowNs + kReconnectDelayNs;
        return;
    }
    const int enable = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &enable, sizeof enable);
    if (connect(fd, reinterpret_cast<const sockaddr*>(&target_.address), target_.addressLength) < 0
        && errno != EINPROGRESS) {
        ++results_.errors[errnoReason("connect", errno)];
        close(fd);
        connection.reconnectAtNs = nowNs + kReconnectDelayNs;
        return;
    }
    connection.fd = fd;
    connection.wantWrite = true; // writable signals the end of the non-blocking connect
    epoll_event event{};
    event.events = EPOLLIN | EPOLLOUT;
    event.data.u32 = static_cast<uint32_t>(index);
    epoll_ctl(epollFd_, EPOLL_CTL_ADD, fd, &event);
}

void Publisher::closeConnection(size_t index, const std::string& reason, int64_t nowNs)
{
    Connection& connection = connections_[index];
    if (!connection.inFlight.empty()) {
        results_.failed += connection.inFlight.size();
        results_.errors[reason] += connection.inFlight.size();
        shared_.publisher.resolved.fetch_add(connection.inFlight.size(), std::memory_order_relaxed);
    } else if (!connection.connected) {
        ++results_.errors[reason];
    }
    if (connection.fd >= 0)
        close(connection.fd);
    connection = Connection{};
    connection.reconnectAtNs = nowNs + kReconnectDelayNs;
    ++results_.reconnects;
}

void Publisher::updateInterest(size_t index)
{
    Connection& connection = connections_[index];
    const bool wantWrite = !connection.connected || !connection.output.empty();
    if (wantWrite == connection.wantWrite)
        return;
    connection.wantWrite = wantWrite;
    epoll_event event{};
    event.events = EPOLLIN | (wantWrite ? EPOLLOUT : 0u);
    event.data.u32 = static_cast<uint32_t>(index);
    epoll_ctl(epollFd_, EPOLL_CTL_MOD, connection.fd, &event);
}

Publisher::Connection* Publisher::pickConnection()
{
    // Picks the connection with the fewest requests in flight. Ties go to the connection after the last one picked.
    Connection* best = nullptr;
    size_t bestIndex = 0;
    for (size_t step = 0; step < connections_.size(); ++step) {
        const size_t index = (nextPick_ + step) % connections_.size();
        Connection& candidate = connections_[index];
        if (!candidate.connected || candidate.inFlight.size() >= static_cast<size_t>(options_.pubPipeline))
            continue;
        if (!best || candidate.inFlight.size() < best->inFlight.size()) {
            best = &candidate;
            bestIndex = index;
        }
    }
    if (best)
        nextPick_ = (bestIndex + 1) % connections_.size();
    return best;
}

void Publisher::sendPublish(Connection& connection, uint64_t sequence, int64_t nowNs)
{
    const auto& [path, orderSlot] = targets_[sequence % targets_.size()];

    char body[160];
    const int bodyLength = std::snprintf(body, sizeof body,
        "{\"status\":\"bench\",\"details\":{\"sentAt\":%" PRId64 ",\"seq\":%" PRIu64 "}}", realtimeNs(), sequence);

    std::string& out = connection.output;
    out += options_.pubMethod;
    out += ' ';
    out += path;
    out += " HTTP/1.1\r\nHost: ";
    out += target_.hostHeader;
    out += "\r\nContent-Type: application/json\r\nContent-Length: ";
    out += std::to_string(bodyLength);
    out += "\r\n";
    out += extraHeaders_;
    out += "\r\n";
    out.append(body, static_cast<size_t>(bodyLength));

    connection.inFlight.push_back(InFlight{nowNs, orderSlot});
    ++results_.sent;
    shared_.publisher.sent.store(results_.sent, std::memory_order_relaxed);
}

void Publisher::flushOutput(size_t index, int64_t nowNs)
{
    Connection& connection = connections_[index];
    while (!connection.output.empty()) {
        const ssize_t written = send(connection.fd, connection.output.data(), connection.output.size(), MSG_NOSIGNAL);
        if (written < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                break;
            if (errno == EINTR)
                continue;
            closeConnection(index, errnoReason("send", errno), nowNs);
            return;
        }
        connection.output.erase(0, static_cast<size_t>(written));
    }
    updateInterest(index);
}

void Publisher::completeResponse(Connection& connection, int64_t nowNs)
{
    const InFlight request = connection.inFlight.front();
    connection.inFlight.pop_front();
    const int status = connection.head.status;
    ++results_.statuses[status];
    results_.roundTrip.record(nowNs - request.sentNs);
    if (status >= 200 && status < 300) {
        ++results_.acknowledged;
        const int32_t subscribers = shared_.openStreamsPerOrder[request.orderSlot].load(std::memory_order_relaxed);
        results_.expectedDeliveries += static_cast<uint64_t>(subscribers > 0 ? subscribers : 0);
        shared_.publisher.expectedDeliveries.store(results_.expectedDeliveries, std::memory_order_relaxed);
    } else {
        ++results_.rejected;
    }
    shared_.publisher.resolved.fetch_add(1, std::memory_order_relaxed);
    connection.haveHead = false;
}

bool Publisher::parseResponses(Connection& connection, bool atEof, int64_t nowNs)
{
    // Returns false when the connection must be closed: invalid response, response without a request,
    // or a response with Connection: close.
    while (true) {
        if (!connection.haveHead) {
            if (connection.input.empty())
                return true;
            size_t headLength = 0;
            const HeadParse parsed =
                parseResponseHead(connection.input.data(), connection.input.size(), connection.head, headLength);
            if (parsed == HeadParse::Incomplete)
                return connection.input.size() <= kMaxResponseHead;
            if (parsed == HeadParse::Invalid || connection.inFlight.empty())
                return false;
            connection.input.erase(0, headLength);
            if (connection.head.status < 200)
                continue; // interim response; the final response follows
            connection.haveHead = true;
            connection.chunked.reset();
            connection.bodyRemaining = connection.head.contentLength;
        }

        const ResponseHead& head = connection.head;
        bool complete = false;
        if (statusHasNoBody(head.status)) {
            complete = true;
        } else if (head.chunked) {
            size_t consumed = 0;
            size_t payload = 0;
            const auto result = connection.chunked.decode(connection.input.data(), connection.input.size(), consumed, payload);
            if (result == ChunkedDecoder::Result::Error)
                return false;
            connection.input.erase(0, consumed);
            complete = result == ChunkedDecoder::Result::Done;
        } else if (head.contentLength >= 0) {
            const auto take = static_cast<size_t>(
                std::min<int64_t>(connection.bodyRemaining, static_cast<int64_t>(connection.input.size())));
            connection.input.erase(0, take);
            connection.bodyRemaining -= static_cast<int64_t>(take);
            complete = connection.bodyRemaining == 0;
        } else {
            connection.input.clear(); // body ends when the server closes the connection
            complete = atEof;
        }

        if (!complete)
            return true;
        const bool closeAfter = head.connectionClose || (!head.chunked && head.contentLength < 0 && !statusHasNoBody(head.status));
        completeResponse(connection, nowNs);
        if (closeAfter)
            return false;
    }
}

void Publisher::readResponses(size_t index, int64_t nowNs)
{
    Connection& connection = connections_[index];
    char buffer[16 * 1024];
    while (true) {
        const ssize_t received = recv(connection.fd, buffer, sizeof buffer, 0);
        if (received < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return;
            if (errno == EINTR)
                continue;
            closeConnection(index, errnoReason("recv", errno), nowNs);
            return;
        }
        if (received == 0) {
            parseResponses(connection, true, nowNs);
            closeConnection(index, "connection closed by server with a request in flight", nowNs);
            return;
        }
        connection.input.append(buffer, static_cast<size_t>(received));
        if (!parseResponses(connection, false, nowNs)) {
            closeConnection(index, "invalid or unexpected response, or Connection: close", nowNs);
            return;
        }
        if (static_cast<size_t>(received) < sizeof buffer)
            return;
    }
}

void Publisher::onEvent(size_t index, uint32_t flags, int64_t nowNs)
{
    Connection& connection = connections_[index];
    if (connection.fd < 0)
        return;
    if (!connection.connected && (flags & (EPOLLOUT | EPOLLERR | EPOLLHUP))) {
        int error = 0;
        socklen_t length = sizeof error;
        getsockopt(connection.fd, SOL_SOCKET, SO_ERROR, &error, &length);
        if (error != 0) {
            closeConnection(index, errnoReason("connect", error), nowNs);
            return;
        }
        connection.connected = true;
    }
    if (flags & (EPOLLIN | EPOLLERR | EPOLLHUP)) {
        readResponses(index, nowNs);
        if (connections_[index].fd < 0)
            return;
    }
    if (flags & EPOLLOUT)
        flushOutput(index, nowNs);
    else
        updateInterest(index);
}

void Publisher::run()
{
    epollFd_ = epoll_create1(EPOLL_CLOEXEC);
    timerFd_ = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    if (epollFd_ < 0 || timerFd_ < 0) {
        ++results_.errors[errnoReason("epoll_create1/timerfd_create", errno)];
        results_.unsent = results_.planned;
        shared_.publisher.sendingDone.store(true);
        shared_.publisher.finished.store(true);
        return;
    }

    int64_t nowNs = monotonicNs();
    for (size_t i = 0; i < connections_.size(); ++i)
        openConnection(i, nowNs);

    // Wait up to 5 s for the pool to connect, so connection setup does not count as publish time.
    epoll_event events[64];
    const int64_t connectDeadline = nowNs + kConnectWaitNs;
    while (nowNs < connectDeadline && !shared_.stopPublisher.load(std::memory_order_relaxed)) {
        size_t connected = 0;
        for (const auto& connection : connections_)
            connected += connection.connected ? 1 : 0;
        if (connected == connections_.size())
            break;
        const int ready = epoll_wait(epollFd_, events, 64, 10);
        nowNs = monotonicNs();
        for (int i = 0; i < ready; ++i)
            onEvent(events[i].data.u32, events[i].events, nowNs);
        for (size_t i = 0; i < connections_.size(); ++i) {
            if (connections_[i].fd < 0 && connections_[i].reconnectAtNs <= nowNs)
                openConnection(i, nowNs);
        }
    }

    itimerspec interval{};
    interval.it_interval.tv_nsec = kTickNs;
    interval.it_value.tv_nsec = kTickNs;
    timerfd_settime(timerFd_, 0, &interval, nullptr);
    epoll_event timerEvent{};
    timerEvent.events = EPOLLIN;
    timerEvent.data.u32 = kTimerTag;
    epoll_ctl(epollFd_, EPOLL_CTL_ADD, timerFd_, &timerEvent);

    const int64_t startNs = monotonicNs();
    const auto durationNs = static_cast<int64_t>(options_.duration * 1e9);
    results_.startMonotonicNs = startNs;
    shared_.publisher.startMonotonicNs.store(startNs);
    shared_.publisher.started.store(true);

    bool sending = results_.planned > 0;
    if (!sending) {
        results_.sendingDoneMonotonicNs = startNs;
        shared_.publisher.sendingDone.store(true);
    }

    while (!shared_.stopPublisher.load(std::memory_order_relaxed)) {
        const int ready = epoll_wait(epollFd_, events, 64, 5);
        nowNs = monotonicNs();
        for (int i = 0; i < ready; ++i) {
            if (events[i].data.u32 == kTimerTag) {
                uint64_t expirations = 0;
                const ssize_t ignored = read(timerFd_, &expirations, sizeof expirations);
                (void)ignored;
                continue;
            }
            onEvent(events[i].data.u32, events[i].events, nowNs);
        }

        for (size_t i = 0; i < connections_.size(); ++i) {
            if (connections_[i].fd < 0 && connections_[i].reconnectAtNs <= nowNs)
                openConnection(i, nowNs);
        }

        if (sending) {
            // Publish k (0-based) is due at start + k / rate.
            const double elapsed = static_cast<double>(nowNs - startNs) / 1e9;
            const auto dueByTime = static_cast<uint64_t>(std::floor(elapsed * options_.rate)) + 1;
            const uint64_t due = std::min(results_.planned, dueByTime);
            while (results_.sent < due) {
                Connection* connection = pickConnection();
                if (!connection)
                    break; // every connection is busy; the backlog is sent as connections free up
                sendPublish(*connection, results_.sent, nowNs);
                flushOutput(static_cast<size_t>(connection - connections_.data()), nowNs);
            }
            const bool allSent = results_.sent == results_.planned;
            if (allSent || nowNs - startNs > durationNs + kTickNs) {
                results_.unsent = results_.planned - results_.sent;
                results_.sendingDoneMonotonicNs = nowNs;
                shared_.publisher.sendingDoneMonotonicNs.store(nowNs);
                shared_.publisher.sendingDone.store(true);
                sending = false;
            }
        }

        if (!sending && totalInFlight() == 0)
            break;
    }

    // Requests still in flight when the main thread stops the publisher count as failed.
    const size_t pending = totalInFlight();
    if (pending > 0) {
        results_.failed += pending;
        results_.errors["no response before the end of the settle phase"] += pending;
    }
    if (sending) {
        results_.unsent = results_.planned - results_.sent;
        results_.sendingDoneMonotonicNs = monotonicNs();
        shared_.publisher.sendingDone.store(true);
    }
    shared_.publisher.finished.store(true);
}

} // namespace loadgen
