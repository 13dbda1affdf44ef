#include "streamworker.h"

#include "logging.h"
#include "sseframe.h"
#include "streamsession.h"

#include <asio/ip/tcp.hpp>
#include <asio/post.hpp>

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <QDateTime>

#include <algorithm>
#include <cerrno>
#include <chrono>

UniqueFd::~UniqueFd()
{
    if (m_fd >= 0)
        ::close(m_fd);
}

StreamWorker::StreamWorker(int index, StreamEngine &engine)
    : m_index(index)
    , m_engine(engine)
    , m_config(engine.m_config)
    , m_counters(engine.m_counters)
    , m_work(asio::make_work_guard(m_io))
    , m_heartbeatTimer(m_io)
    , m_expiryTimer(m_io)
{
}

StreamWorker::~StreamWorker()
{
    stop();
}

void StreamWorker::start()
{
    scheduleHeartbeat();
    m_thread = std::thread([this] {
        pthread_setname_np(pthread_self(), "os-stream");
        m_io.run();
    });
}

void StreamWorker::stop()
{
    if (m_stopping.exchange(true))
        return;

    // Adopt tasks posted before this one still run first; those posted later
    // see m_stopping and close their descriptor.
    asio::post(m_io, [this] {
        closeAll();
        m_heartbeatTimer.cancel();
        m_expiryTimer.cancel();
        m_work.reset();
    });
    if (m_thread.joinable())
        m_thread.join();
}

void StreamWorker::adopt(std::shared_ptr<UniqueFd> fd, const StreamInfo &info,
                         const QByteArray &preamble)
{
    if (m_stopping.load())
        return;

    asio::post(m_io, [this, fd, info, preamble] {
        if (m_stopping.load())
            return;

        const int descriptor = fd->release();
        sockaddr_storage address{};
        socklen_t length = sizeof address;
        if (::getsockname(descriptor, reinterpret_cast<sockaddr *>(&address), &length) != 0
            || (address.ss_family != AF_INET && address.ss_family != AF_INET6)) {
            qCWarning(lcStream, "cannot adopt stream of order %ls: not a TCP socket",
                      qUtf16Printable(info.orderId));
            ::close(descriptor);
            return;
        }

        const auto protocol = address.ss_family == AF_INET6 ? asio::ip::tcp::v6()
                                                            : asio::ip::tcp::v4();
        asio::error_code error;
        asio::ip::tcp::socket socket(m_io);
        socket.assign(protocol, descriptor, error);
        if (error) {
            qCWarning(lcStream, "cannot adopt stream of order %ls: %s",
                      qUtf16Printable(info.orderId), error.message().c_str());
            ::close(descriptor);
            return;
        }
        socket.set_option(asio::ip::tcp::no_delay(true), error);
        socket.non_blocking(true, error);

        addSession(std::move(socket), info, preamble);
    });
}

void StreamWorker::addSession(asio::ip::tcp::socket socket, const StreamInfo &info,
                              const QByteArray &preamble)
{
    auto session = std::make_shared<StreamSession>(*this, std::move(socket), info);
    StreamSession *raw = session.get();
    m_sessions.emplace(info.connectionId, session);

    std::vector<StreamSession *> &subscribers = m_subscribers[info.orderId];
    raw->subscriberIndex = subscribers.size();
    subscribers.push_back(raw);

    {
        std::lock_guard lock(m_countsMutex);
        ++m_subscriberCounts[info.orderId];
    }
    m_connectionCount.fetch_add(1, std::memory_order_relaxed);
    m_counters.streamsOpened.fetch_add(1, std::memory_order_relaxed);

    qCDebug(lcStream, "worker %d adopted stream of order %ls from %ls:%u", m_index,
            qUtf16Printable(info.orderId), qUtf16Printable(info.remoteAddress), info.remotePort);

    if (info.expiresAtMs > 0) {
        const bool earliest = m_expiries.empty() || info.expiresAtMs < m_expiries.begin()->first;
        m_expiries.emplace(info.expiresAtMs, info.connectionId);
        if (earliest)
            scheduleExpiry();
    }

    // A resuming stream is subscribed before its replay is read, so every
    // event committed after the read arrives live and is held until then.
    raw->start(preamble, info.lastEventId.has_value());
    flushDirty();
    if (info.lastEventId)
        m_engine.requestReplay(this, info.connectionId, info.orderId, *info.lastEventId);
}

void StreamWorker::finishReplay(quint64 connectionId, ReplayFrames frames)
{
    const auto it = m_sessions.find(connectionId);
    if (it == m_sessions.end())
        return;
    const std::shared_ptr<StreamSession> session = it->second;
    session->finishReplay(frames);
    // Checked before the flush, which closes the stream of a finished order.
    const bool resumed = session->state() == StreamSession::State::Open
            && !session->info().replaysFinalEvent;
    flushDirty();
    if (m_engine.m_observer.resumed && resumed)
        m_engine.m_observer.resumed(session->info(), frames);
}

QList<StreamConnection> StreamWorker::listConnections(int limit) const
{
    QList<StreamConnection> result;
    for (const auto &entry : m_sessions) {
        if (result.size() >= limit)
            break;
        const StreamSession &session = *entry.second;
        result.append(StreamConnection{session.info(), session.eventsSent(), session.lastSentId(),
                                       m_index});
    }
    return result;
}

void StreamWorker::removeSession(StreamSession *session, const char *reason)
{
    const QString &orderId = session->info().orderId;
    auto subscribers = m_subscribers.find(orderId);
    if (subscribers != m_subscribers.end()) {
        std::vector<StreamSession *> &list = subscribers.value();
        const size_t index = session->subscriberIndex;
        Q_ASSERT(index < list.size() && list[index] == session);
        list[index] = list.back();
        list[index]->subscriberIndex = index;
        list.pop_back();
        if (list.empty())
            m_subscribers.erase(subscribers);
    }

    {
        std::lock_guard lock(m_countsMutex);
        auto count = m_subscriberCounts.find(orderId);
        if (count != m_subscriberCounts.end() && --count.value() <= 0)
            m_subscriberCounts.erase(count);
    }
    m_connectionCount.fetch_sub(1, std::memory_order_relaxed);

    if (m_engine.m_observer.closed)
        m_engine.m_observer.closed(session->info(), session->lastSentId(), reason);

    // The session may be destroyed here, or later when its pending handlers
    // release their references.
    m_sessions.erase(session->info().connectionId);
}

void StreamWorker::markDirty(StreamSession *session)
{
    if (session->dirty)
        return;
    session->dirty = true;
    m_dirty.push_back(session->shared_from_this());
}

bool StreamWorker::inboxHasRoomLocked() const
{
    return m_inbox.size() < size_t(m_config.inboxCapacity);
}

void StreamWorker::queueLocked(const QString &orderId, quint64 eventId, const QByteArray &frame,
                               bool finishesOrder)
{
    m_inbox.push_back(InboxItem{orderId, eventId, frame, finishesOrder});
    if (m_drainPosted)
        return;
    m_drainPosted = true;
    asio::post(m_io, [this] { drainInbox(); });
}

void StreamWorker::drainInbox()
{
    std::vector<InboxItem> items;
    {
        std::lock_guard lock(m_inboxMutex);
        items.swap(m_inbox);
        m_drainPosted = false;
    }

    // Queue every pending frame first, then flush each touched session once:
    // a subscriber receives all frames of this pass in one gather write.
    quint64 delivered = 0;
    for (const InboxItem &item : items) {
        const auto subscribers = m_subscribers.constFind(item.orderId);
        if (subscribers == m_subscribers.cend())
            continue;
        for (StreamSession *session : subscribers.value())
            session->enqueueEvent(item.eventId, item.frame, item.finishesOrder);
        delivered += subscribers.value().size();
    }
    m_counters.framesDelivered.fetch_add(delivered, std::memory_order_relaxed);

    flushDirty();
}

void StreamWorker::flushDirty()
{
    // Flushing may close sessions, which edits m_subscribers and m_sessions;
    // the dirty list holds its own references, so iteration stays valid.
    std::vector<std::shared_ptr<StreamSession>> dirty;
    dirty.swap(m_dirty);
    for (const std::shared_ptr<StreamSession> &session : dirty) {
        session->dirty = false;
        session->flush();
    }
}

void StreamWorker::scheduleHeartbeat()
{
    if (m_config.heartbeatIntervalMs <= 0)
        return;

    m_heartbeatTimer.expires_after(std::chrono::milliseconds(m_config.heartbeatIntervalMs));
    m_heartbeatTimer.async_wait([this](const asio::error_code &error) {
        if (error || m_stopping.load())
            return;
        sendHeartbeats();
        scheduleHeartbeat();
    });
}

void StreamWorker::sendHeartbeats()
{
    const QByteArray &frame = SseFrame::heartbeat();
    for (const auto &entry : m_sessions)
        entry.second->enqueue(frame);
    m_counters.heartbeatsSent.fetch_add(m_sessions.size(), std::memory_order_relaxed);
    flushDirty();
}

void StreamWorker::scheduleExpiry()
{
    if (m_expiries.empty()) {
        m_expiryTimer.cancel();
        return;
    }
    m_expiryTimer.expires_at(std::chrono::system_clock::time_point(
            std::chrono::milliseconds(m_expiries.begin()->first)));
    m_expiryTimer.async_wait([this](const asio::error_code &error) {
        if (error || m_stopping.load())
            return;
        closeExpiredStreams();
    });
}

void StreamWorker::closeExpiredStreams()
{
    static const QByteArray notice =
            SseFrame::encodeComment(u"token expired; reconnect with a fresh token");
    const qint64 nowMs = QDateTime::currentMSecsSinceEpoch();
    while (!m_expiries.empty() && m_expiries.begin()->first <= nowMs) {
        const quint64 connectionId = m_expiries.begin()->second;
        m_expiries.erase(m_expiries.begin());
        const auto it = m_sessions.find(connectionId);
        if (it == m_sessions.end())
            continue;
        const std::shared_ptr<StreamSession> session = it->second;
        session->enqueue(notice);
        session->flush();
        qCInfo(lcStream, "closed stream of order %ls for %ls: token expired",
               qUtf16Printable(session->info().orderId), qUtf16Printable(session->info().subject));
        session->close(StreamSession::CloseReason::TokenExpired);
    }
    scheduleExpiry();
}

void StreamWorker::closeAll()
{
    // Send what is queued, then end every stream with a FIN so that browsers
    // reconnect.
    flushDirty();
    std::vector<std::shared_ptr<StreamSession>> sessions;
    sessions.reserve(m_sessions.size());
    for (const auto &entry : m_sessions)
        sessions.push_back(entry.second);

    lingerUntilClientsClose(sessions);
    for (const std::shared_ptr<StreamSession> &session : sessions)
        session->close(StreamSession::CloseReason::ServerStopping);
}

void StreamWorker::lingerUntilClientsClose(const std::vector<std::shared_ptr<StreamSession>> &sessions)
{
    // A socket closed while input is unread makes the kernel send RST, and a
    // client that receives RST may lose frames it has not read yet. So every
    // stream first gets a FIN, then its input is read and discarded until the
    // client closes its side, for at most LingerMs.
    constexpr int LingerMs = 1000;
    std::vector<pollfd> pending;
    pending.reserve(sessions.size());
    for (const std::shared_ptr<StreamSession> &session : sessions) {
        if (session->state() != StreamSession::State::Open)
            continue;
        const int fd = session->nativeHandle();
        ::shutdown(fd, SHUT_WR);
        pending.push_back(pollfd{fd, POLLIN, 0});
    }

    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(LingerMs);
    while (!pending.empty()) {
        const auto remaining = std::chrono::duration_cast<std::chrono::milliseconds>(
                deadline - std::chrono::steady_clock::now());
        if (remaining.count() <= 0)
            break;
        const int ready = ::poll(pending.data(), pending.size(), int(remaining.count()));
        if (ready < 0 && errno == EINTR)
            continue;
        if (ready <= 0)
            break;

        char buffer[4096];
        for (pollfd &entry : pending) {
            if (entry.revents == 0)
                continue;
            for (;;) {
                const ssize_t received = ::recv(entry.fd, buffer, sizeof buffer, MSG_DONTWAIT);
                if (received > 0)
                    continue;
                if (received < 0 && errno == EINTR)
                    continue;
                if (received < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
                    break;
                entry.fd = -1; // end of input or an error: this client is done
                break;
            }
        }
        pending.erase(std::remove_if(pending.begin(), pending.end(),
                                     [](const pollfd &entry) { return entry.fd < 0; }),
                      pending.end());
    }
}

void StreamWorker::addSubscriberCounts(QHash<QString, int> &counts) const
{
    std::lock_guard lock(m_countsMutex);
    for (auto it = m_subscriberCounts.cbegin(); it != m_subscriberCounts.cend(); ++it)
        counts[it.key()] += it.value();
}
