#pragma once

#include <QHash>
#include <QString>

#include <mutex>

// Caps open streams overall and per remote address. A stream is counted from
// admission, on the HTTP thread, until it closes, on its worker thread, so a
// burst of requests cannot pass the caps while handoffs are still under way.
// Thread-safe.
class StreamAdmission
{
public:
    enum class Decision { Admitted, ServerFull, AddressFull };

    // 0 turns a cap off.
    StreamAdmission(int maxStreams, int maxStreamsPerAddress);

    // Counts a new stream of address unless a cap is reached.
    Decision admit(const QString &address);
    // Stops counting a stream that admit() counted.
    void release(const QString &address);

    int maxStreams() const { return m_maxStreams; }
    int maxStreamsPerAddress() const { return m_maxStreamsPerAddress; }

private:
    const int m_maxStreams;
    const int m_maxStreamsPerAddress;
    std::mutex m_mutex;
    int m_open = 0;
    QHash<QString, int> m_openPerAddress;
};
