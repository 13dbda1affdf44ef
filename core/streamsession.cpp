#include "streamsession.h"

#include "logging.h"
#include "streamworker.h"

#include <sys/socket.h>
#include <sys/uio.h>

#include <algorithm>
#include <cerrno>

namespace {

// iovec entries per sendmsg(); Linux accepts up to IOV_MAX (1024).
constexpr size_t MaxIoVectors = 64;

} // namespace

const char *closeReasonName(StreamSession::CloseReason reason)
{
    switch (reason) {
    case StreamSession::CloseReason::ClientClosed:
        return "client closed";
    case StreamSession::CloseReason::WriteFailed:
        return "write failed";
    case StreamSession::CloseReason::SlowConsumer:
        return "slow consumer: unsent bytes over the limit";
    case StreamSession::CloseReason::ServerStopping:
        return "server stopping";
    case StreamSession::CloseReason::TokenExpired:
        return "token expired";
    case StreamSession::CloseReason::OrderFinished:
        return "order finished";
    }
    return "unknown";
}

StreamSession::StreamSession(StreamWorker &worker, asio::ip::tcp::socket socket,
                             const StreamInfo &info)
    : m_worker(worker), m_socket(std::move(socket)), m_info(info)
{
}

StreamSession::~StreamSession() = default;

void StreamSession::start(const QByteArray &preamble, bool replaying)
{
    m_replaying = replaying;
    if (m_info.lastEventId)
        m_lastSentId = *m_info.lastEventId;
    enqueue(preamble);
    waitReadable();
}

void StreamSession::enqueueEvent(quint64 eventId, const QByteArray &frame, bool finishesOrder)
{
    if (m_state != State::Open || m_dropPending || m_closeAfterFlush)
        return;

    if (m_replaying) {
        // Held frames count against the same bound as unsent ones.
        if (m_unsentBytes + m_heldBytes + frame.size() > m_worker.config().maxUnsentBytes) {
            m_dropPending = true;
            m_worker.markDirty(this);
            return;
        }
        m_held.push_back(HeldEvent{eventId, frame, finishesOrder});
        m_heldBytes += frame.size();
        return;
    }

    // A final event that the replay already sent still ends the stream: the
    // replay read it before the hub knew the order was finished.
    if (eventId > m_lastSentId) {
        m_lastSentId = eventId;
        ++m_eventsSent;
        enqueue(frame);
    }
    if (finishesOrder && m_worker.config().closeFinishedStreams)
        closeAfterFlush();
}

void StreamSession::finishReplay(const ReplayFrames &replay)
{
    if (!m_replaying)
        return;
    m_replaying = false;

    // After a resync the client's Last-Event-ID means nothing (it may be from
    // a wiped journal and higher than any current id): live events continue
    // after what the resync covered.
    if (replay.resync)
        m_lastSentId = 0;
    for (const auto &[eventId, frame] : replay.frames) {
        enqueue(frame);
        m_lastSentId = std::max(m_lastSentId, eventId);
        ++m_eventsSent;
    }
    m_lastSentId = replay.resync ? replay.coveredThroughId
                                 : std::max(m_lastSentId, replay.coveredThroughId);

    std::vector<HeldEvent> held;
    held.swap(m_held);
    m_heldBytes = 0;
    for (const HeldEvent &event : held)
        enqueueEvent(event.eventId, event.frame, event.finishesOrder);
    if (replay.finished && m_worker.config().closeFinishedStreams)
        closeAfterFlush();
}

void StreamSession::closeAfterFlush()
{
    m_closeAfterFlush = true;
    // The flush closes the session, also when nothing is left to write.
    m_worker.markDirty(this);
}

void StreamSession::enqueue(const QByteArray &frame)
{
    if (m_state != State::Open || m_dropPending || m_closeAfterFlush)
        return;

    if (m_unsentBytes + frame.size() > m_worker.config().maxUnsentBytes) {
        m_dropPending = true;
        m_worker.markDirty(this);
        return;
    }

    m_unsent.push_back(frame);
    m_unsentBytes += frame.size();
    m_worker.markDirty(this);
}

void StreamSession::flush()
{
    if (m_state != State::Open)
        return;

    if (m_dropPending) {
        m_worker.counters().slowConsumersDropped.fetch_add(1, std::memory_order_relaxed);
        close(CloseReason::SlowConsumer);
        return;
    }

    if (m_waitingWritable)
        return;

    const int fd = m_socket.native_handle();
    while (m_unsentHead < m_unsent.size()) {
        iovec vectors[MaxIoVectors];
        size_t count = 0;
        for (size_t i = m_unsentHead; i < m_unsent.size() && count < MaxIoVectors; ++i, ++count) {
            const QByteArray &frame = m_unsent[i];
            const size_t skip = (i == m_unsentHead) ? m_headOffset : 0;
            vectors[count].iov_base = const_cast<char *>(frame.constData()) + skip;
            vectors[count].iov_len = size_t(frame.size()) - skip;
        }

        msghdr message{};
        message.msg_iov = vectors;
        message.msg_iovlen = count;
        const ssize_t written = ::sendmsg(fd, &message, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (written < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                waitWritable();
                return;
            }
            close(CloseReason::WriteFailed);
            return;
        }

        m_unsentBytes -= written;
        size_t remaining = size_t(written);
        while (remaining > 0) {
            const size_t left = size_t(m_unsent[m_unsentHead].size()) - m_headOffset;
            if (remaining < left) {
                m_headOffset += remaining;
                break;
            }
            remaining -= left;
            m_unsent[m_unsentHead] = QByteArray();
            ++m_unsentHead;
            m_headOffset = 0;
        }
    }

    // Everything was written: release the frames and the vector's storage
    // when it grew large, so an idle stream holds no buffers.
    m_unsent.clear();
    if (m_unsent.capacity() > 16)
        m_unsent.shrink_to_fit();
    m_unsentHead = 0;
    m_headOffset = 0;

    if (m_closeAfterFlush)
        close(CloseReason::OrderFinished);
}

void StreamSession::close(CloseReason reason)
{
    if (m_state == State::Closed)
        return;
    m_state = State::Closed;

    if (reason == CloseReason::SlowConsumer) {
        qCWarning(lcStream, "dropped stream of order %ls from %ls:%u: %s (%lld bytes unsent)",
                  qUtf16Printable(m_info.orderId), qUtf16Printable(m_info.remoteAddress),
                  m_info.remotePort, closeReasonName(reason), m_unsentBytes);
    } else {
        qCDebug(lcStream, "closed stream of order %ls from %ls:%u: %s",
                qUtf16Printable(m_info.orderId), qUtf16Printable(m_info.remoteAddress),
                m_info.remotePort, closeReasonName(reason));
    }

    asio::error_code ignored;
    if (reason == CloseReason::ServerStopping || reason == CloseReason::TokenExpired
        || reason == CloseReason::OrderFinished) {
        // close() with unread input makes the kernel send RST instead of FIN,
        // and a client may then lose frames it has not read yet. Drain the
        // input (normally the request that opened the stream), then FIN.
        char buffer[1024];
        for (int reads = 0; reads < 16; ++reads) {
            if (::recv(m_socket.native_handle(), buffer, sizeof buffer, MSG_DONTWAIT) <= 0)
                break;
        }
        m_socket.shutdown(asio::socket_base::shutdown_send, ignored);
    }
    m_socket.close(ignored);

    m_unsent.clear();
    m_unsentBytes = 0;
    m_held.clear();
    m_heldBytes = 0;
    m_worker.counters().streamsClosed.fetch_add(1, std::memory_order_relaxed);

    // May destroy this session once pending handlers have run.
    m_worker.removeSession(this, closeReasonName(reason));
}

void StreamSession::waitReadable()
{
    m_socket.async_wait(asio::socket_base::wait_read,
                        [self = shared_from_this()](const asio::error_code &error) {
                            if (self->m_state != State::Open)
                                return;
                            if (error) {
                                self->close(CloseReason::ClientClosed);
                                return;
                            }
                            self->readAndDiscard();
                        });
}

void StreamSession::readAndDiscard()
{
    // A bounded number of reads per wake-up, so a client that keeps sending
    // cannot hold the worker thread.
    char buffer[1024];
    const int fd = m_socket.native_handle();
    for (int reads = 0; reads < 16; ++reads) {
        const ssize_t received = ::recv(fd, buffer, sizeof buffer, MSG_DONTWAIT);
        if (received > 0)
            continue;
        if (received < 0 && errno == EINTR)
            continue;
        if (received < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            waitReadable();
            return;
        }
        close(CloseReason::ClientClosed);
        return;
    }
    waitReadable();
}

void StreamSession::waitWritable()
{
    m_waitingWritable = true;
    m_socket.async_wait(asio::socket_base::wait_write,
                        [self = shared_from_this()](const asio::error_code &error) {
                            self->m_waitingWritable = false;
                            if (self->m_state != State::Open)
                                return;
                            if (error) {
                                self->close(CloseReason::WriteFailed);
                                return;
                            }
                            self->flush();
                        });
}
