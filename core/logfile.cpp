#include "logfile.h"

#include <QFileInfo>
#include <QMutexLocker>

#include <cstdio>

LogFile::LogFile(const LogFileConfig &config) : m_config(config), m_file(config.path) { }

LogFile::~LogFile() = default;

bool LogFile::open(QString *errorMessage)
{
    const QMutexLocker locker(&m_mutex);
    return openLocked(errorMessage);
}

bool LogFile::openLocked(QString *errorMessage)
{
    // Unbuffered, so that each write() reaches the kernel before it returns.
    if (!m_file.open(QIODevice::WriteOnly | QIODevice::Append | QIODevice::Unbuffered)) {
        *errorMessage = QStringLiteral("cannot open log file %1: %2")
                                .arg(m_config.path, m_file.errorString());
        return false;
    }
    m_size = m_file.size();
    return true;
}

QString LogFile::rotatedPath(int index) const
{
    return m_config.path + QLatin1Char('.') + QString::number(index);
}

quint64 LogFile::rotationCount() const
{
    const QMutexLocker locker(&m_mutex);
    return m_rotations;
}

void LogFile::writeLine(const QByteArray &line)
{
    const QMutexLocker locker(&m_mutex);
    const qint64 lineSize = line.size() + 1;
    if (m_file.isOpen() && m_size > 0 && m_size + lineSize > m_config.maxSizeBytes)
        rotateLocked();

    if (!m_file.isOpen()) {
        QString error;
        if (!openLocked(&error)) {
            // Not through Qt's message handler, which would call this again.
            if (!m_openFailureReported)
                std::fprintf(stderr, "orderstream: %s; log lines are dropped\n", qPrintable(error));
            m_openFailureReported = true;
            return;
        }
        m_openFailureReported = false;
    }

    QByteArray text = line;
    text.append('\n');
    const qint64 written = m_file.write(text);
    if (written > 0)
        m_size += written;
}

void LogFile::rotateLocked()
{
    m_file.close();
    ++m_rotations;

    if (m_config.keptFiles <= 0) {
        QFile::remove(m_config.path);
        return;
    }

    // Oldest first, so that no rename overwrites a file still to be moved.
    QFile::remove(rotatedPath(m_config.keptFiles));
    for (int index = m_config.keptFiles - 1; index >= 1; --index) {
        if (QFileInfo::exists(rotatedPath(index)))
            QFile::rename(rotatedPath(index), rotatedPath(index + 1));
    }
    QFile::rename(m_config.path, rotatedPath(1));
    // writeLine() opens the new file.
}
