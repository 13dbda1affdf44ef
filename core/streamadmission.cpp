#include "streamadmission.h"

StreamAdmission::StreamAdmission(int maxStreams, int maxStreamsPerAddress)
    : m_maxStreams(maxStreams), m_maxStreamsPerAddress(maxStreamsPerAddress)
{
}

StreamAdmission::Decision StreamAdmission::admit(const QString &address)
{
    std::lock_guard lock(m_mutex);
    if (m_maxStreams > 0 && m_open >= m_maxStreams)
        return Decision::ServerFull;
    int &perAddress = m_openPerAddress[address];
    if (m_maxStreamsPerAddress > 0 && perAddress >= m_maxStreamsPerAddress) {
        if (perAddress == 0)
            m_openPerAddress.remove(address);
        return Decision::AddressFull;
    }
    ++perAddress;
    ++m_open;
    return Decision::Admitted;
}

void StreamAdmission::release(const QString &address)
{
    std::lock_guard lock(m_mutex);
    const auto it = m_openPerAddress.find(address);
    if (it == m_openPerAddress.end())
        return;
    --m_open;
    if (--it.value() <= 0)
        m_openPerAddress.erase(it);
}
