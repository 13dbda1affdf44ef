#pragma once

#include "streamengine.h"

#include <QByteArray>

#include <asio/ip/tcp.hpp>

#include <memory>
#include <vector>

class StreamWorker;

// One SSE stream on a worker thread. The session owns its socket and the
// frames not yet written to it; only its worker's thread touches it.
//
// Input from the client is read and discarded: after the request that opened
// the stream, nothing the client sends is a request. A read of zero bytes, or
// an error, means the client left.
class StreamSession : public std::enable_shared_from_this<StreamSession>
{
public:
    enum class State { Open, Closed };

    enum class CloseReason {
        ClientClosed,
        WriteFailed,
        SlowConsumer,
        ServerStopping,
        TokenExpired,
        OrderFinished,
    };

    StreamSession(StreamWorker &worker, asio::ip::tcp::socket socket, const StreamInfo &info);
    ~StreamSession();

    StreamSession(const StreamSession &) = delete;
    StreamSession &operator=(const StreamSession &) = delete;

    // Queues preamble and starts watching the socket. A replaying session
    // keeps live events back until finishReplay().
    void start(const QByteArray &preamble, bool replaying);

    // Appends frame to the unsent queue and marks the session dirty. When the
    // unsent bytes would pass the configured bound, the frame is not queued and
    // the session is dropped at its next flush.
    void enqueue(const QByteArray &frame);

    // Queues a live event; while replaying it is held instead. An event at or
    // below the last id sent is skipped, so replay and live never overlap.
    // finishesOrder: the order reached a final stage with this event, so with
    // closeFinishedStreams on the session closes once it has written the
    // frame (or at once, when the frame was skipped because the replay sent it).
    void enqueueEvent(quint64 eventId, const QByteArray &frame, bool finishesOrder = false);

    // Queues the replay, then the held live events it did not cover. A
    // finished replay closes the session once everything queued is written.
    void finishReplay(const ReplayFrames &replay);

    // Writes as much of the unsent queue as the socket takes, in gather writes.
    // Closes the session on a write error or a pending slow-consumer drop.
    void flush();

    void close(CloseReason reason);

    State state() const { return m_state; }
    int nativeHandle() { return m_socket.native_handle(); }
    const StreamInfo &info() const { return m_info; }
    qint64 unsentBytes() const { return m_unsentBytes; }
    quint64 eventsSent() const { return m_eventsSent; }
    quint64 lastSentId() const { return m_lastSentId; }

    // Position in the worker's subscriber vector of this order, kept by the worker.
    size_t subscriberIndex = 0;
    bool dirty = false;

private:
    void waitReadable();
    void readAndDiscard();
    void waitWritable();
    // Makes the session close once its unsent queue is written; nothing is
    // queued after that.
    void closeAfterFlush();

    StreamWorker &m_worker;
    asio::ip::tcp::socket m_socket;
    StreamInfo m_info;
    State m_state = State::Open;

    std::vector<QByteArray> m_unsent;
    size_t m_unsentHead = 0;
    size_t m_headOffset = 0;
    qint64 m_unsentBytes = 0;
    bool m_waitingWritable = false;
    bool m_dropPending = false;
    bool m_closeAfterFlush = false;

    bool m_replaying = false;
    struct HeldEvent
    {
        quint64 eventId;
        QByteArray frame;
        bool finishesOrder;
    };
    std::vector<HeldEvent> m_held;
    qint64 m_heldBytes = 0;
    quint64 m_lastSentId = 0;
    quint64 m_eventsSent = 0;
};

const char *closeReasonName(StreamSession::CloseReason reason);
