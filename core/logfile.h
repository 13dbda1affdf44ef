#pragma once

#include <QByteArray>
#include <QFile>
#include <QMutex>
#include <QString>

// The file and the size limits of a LogFile.
struct LogFileConfig
{
    static constexpr qint64 DefaultMaxSizeBytes = 10 * 1024 * 1024;
    static constexpr int DefaultKeptFiles = 5;

    // Empty means no log file.
    QString path;
    // The size at which the file is rotated.
    qint64 maxSizeBytes = DefaultMaxSizeBytes;
    // Rotated files kept next to the file: path.1 (newest) to path.N.
    int keptFiles = DefaultKeptFiles;
};

// A log file that rotates by size: when the next line would make the file
// larger than maxSizeBytes, path.N-1 becomes path.N (the old path.N is
// deleted), and so on down to path, which becomes path.1; writing continues
// in a new, empty path. With keptFiles 0 the file is emptied instead.
//
// writeLine() may be called from any thread; one mutex orders the lines and
// the rotation. Lines are written unbuffered, so every line that returned is
// in the file even if the process crashes.
class LogFile
{
    Q_DISABLE_COPY_MOVE(LogFile)

public:
    explicit LogFile(const LogFileConfig &config);
    ~LogFile();

    // Opens the file for appending, creating it if needed. Returns false with
    // errorMessage set when it cannot be opened.
    bool open(QString *errorMessage);

    // Appends line and a line feed. A line longer than maxSizeBytes still
    // goes into a file of its own. When the file cannot be opened again after
    // a rotation, lines are dropped and one error goes to standard error;
    // every later line tries to open it again.
    void writeLine(const QByteArray &line);

    const LogFileConfig &config() const { return m_config; }
    // Returns the name of a rotated file, path.index.
    QString rotatedPath(int index) const;
    // Rotations since construction.
    quint64 rotationCount() const;

private:
    void rotateLocked();
    bool openLocked(QString *errorMessage);

    const LogFileConfig m_config;
    mutable QMutex m_mutex;
    QFile m_file;
    qint64 m_size = 0;
    quint64 m_rotations = 0;
    // Set while the file cannot be opened, so that the failure is reported once.
    bool m_openFailureReported = false;
};
