#include "logfile.h"
#include "logging.h"
#include "logratelimiter.h"

#include <QDir>
#include <QFile>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <memory>
#include <vector>

namespace {

QByteArray readFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return file.readAll();
}

QList<QByteArray> readLines(const QString &path)
{
    QList<QByteArray> lines = readFile(path).split('\n');
    if (!lines.isEmpty() && lines.constLast().isEmpty())
        lines.removeLast();
    return lines;
}

// Ten bytes with the line feed: "line-0042".
QByteArray numberedLine(int number)
{
    return "line-" + QByteArray::number(number).rightJustified(4, '0');
}

} // namespace

// LogFile's rotation and thread safety, LogRateLimiter's windows, and the
// message handler that joins them.
class tst_LogFile : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();

    void rotatesWhenNextLineWouldPass();
    void keepsConfiguredNumberOfFiles();
    void keptFilesZeroEmptiesFile();
    void longLineGetsFileOfItsOwn();
    void appendsToExistingFile();
    void unopenableFileReportsPath();
    void concurrentWritersLoseNoLine();

    void limiterAllowsUpToLimit();
    void limiterReportsEndedWindow();
    void limiterKeysAreIndependent();
    void rateLimitKeyUsesContext();
    void handlerWritesPatternAndLimits();

private:
    QString logPath() const { return m_dir->filePath(QStringLiteral("orderstream.log")); }

    std::unique_ptr<QTemporaryDir> m_dir;
};

void tst_LogFile::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
}

void tst_LogFile::rotatesWhenNextLineWouldPass()
{
    LogFile log({logPath(), 100, 3});
    QString error;
    QVERIFY2(log.open(&error), qPrintable(error));

    // Ten lines of ten bytes fill the file exactly; none passes the size.
    for (int i = 1; i <= 10; ++i)
        log.writeLine(numberedLine(i));
    QCOMPARE(QFileInfo(logPath()).size(), qint64(100));
    QCOMPARE(log.rotationCount(), quint64(0));
    QVERIFY(!QFile::exists(log.rotatedPath(1)));

    log.writeLine(numberedLine(11));
    QCOMPARE(log.rotationCount(), quint64(1));
    QCOMPARE(QFileInfo(log.rotatedPath(1)).size(), qint64(100));
    QCOMPARE(readLines(logPath()), QList<QByteArray>{numberedLine(11)});
    QCOMPARE(readLines(log.rotatedPath(1)).constFirst(), numberedLine(1));
    QCOMPARE(readLines(log.rotatedPath(1)).constLast(), numberedLine(10));
}

void tst_LogFile::keepsConfiguredNumberOfFiles()
{
    LogFile log({logPath(), 100, 3});
    QString error;
    QVERIFY2(log.open(&error), qPrintable(error));
    for (int i = 1; i <= 100; ++i)
        log.writeLine(numberedLine(i));

    QCOMPARE(log.rotationCount(), quint64(9));
    QVERIFY(!QFile::exists(log.rotatedPath(4)));
    // The newest lines are in the file itself, older ones in .1, .2, .3.
    const QString paths[] = {logPath(), log.rotatedPath(1), log.rotatedPath(2),
                             log.rotatedPath(3)};
    int last = 100;
    for (const QString &path : paths) {
        const QList<QByteArray> lines = readLines(path);
        QCOMPARE(lines.size(), 10);
        QCOMPARE(lines.constFirst(), numberedLine(last - 9));
        QCOMPARE(lines.constLast(), numberedLine(last));
        last -= 10;
    }
    QCOMPARE(QDir(m_dir->path()).entryList(QDir::Files).size(), 4);
}

void tst_LogFile::keptFilesZeroEmptiesFile()
{
    LogFile log({logPath(), 100, 0});
    QString error;
    QVERIFY2(log.open(&error), qPrintable(error));
    for (int i = 1; i <= 25; ++i)
        log.writeLine(numberedLine(i));

    QCOMPARE(log.rotationCount(), quint64(2));
    QCOMPARE(readLines(logPath()).size(), 5);
    QCOMPARE(readLines(logPath()).constFirst(), numberedLine(21));
    QCOMPARE(QDir(m_dir->path()).entryList(QDir::Files), QStringList{QStringLiteral("orderstream.log")});
}

void tst_LogFile::longLineGetsFileOfItsOwn()
{
    LogFile log({logPath(), 100, 2});
    QString error;
    QVERIFY2(log.open(&error), qPrintable(error));
    log.writeLine(numberedLine(1));
    const QByteArray longLine(250, 'x');
    log.writeLine(longLine);
    log.writeLine(numberedLine(2));

    QCOMPARE(readLines(log.rotatedPath(2)), QList<QByteArray>{numberedLine(1)});
    QCOMPARE(readLines(log.rotatedPath(1)), QList<QByteArray>{longLine});
    QCOMPARE(readLines(logPath()), QList<QByteArray>{numberedLine(2)});
}

void tst_LogFile::appendsToExistingFile()
{
    {
        QFile existing(logPath());
        QVERIFY(existing.open(QIODevice::WriteOnly));
        existing.write(QByteArray(numberedLine(1) + '\n').repeated(9));
    }

    LogFile log({logPath(), 100, 1});
    QString error;
    QVERIFY2(log.open(&error), qPrintable(error));
    // The existing 90 bytes count: one more line fits, the next rotates.
    log.writeLine(numberedLine(2));
    QCOMPARE(log.rotationCount(), quint64(0));
    log.writeLine(numberedLine(3));
    QCOMPARE(log.rotationCount(), quint64(1));
    QCOMPARE(readLines(log.rotatedPath(1)).size(), 10);
    QCOMPARE(readLines(log.rotatedPath(1)).constLast(), numberedLine(2));
    QCOMPARE(readLines(logPath()), QList<QByteArray>{numberedLine(3)});
}

void tst_LogFile::unopenableFileReportsPath()
{
    const QString path = m_dir->filePath(QStringLiteral("no-such-folder/orderstream.log"));
    LogFile log({path, 100, 1});
    QString error;
    QVERIFY(!log.open(&error));
    QVERIFY2(error.contains(path), qPrintable(error));
    QVERIFY2(error.startsWith(QLatin1String("cannot open log file")), qPrintable(error));
}

void tst_LogFile::concurrentWritersLoseNoLine()
{
    // Enough kept files that no line is deleted, and a size small enough
    // that the writers rotate often while they race.
    LogFile log({logPath(), 16 * 1024, 1000});
    QString error;
    QVERIFY2(log.open(&error), qPrintable(error));

    constexpr int WriterCount = 6;
    constexpr int LinesPerWriter = 3000;
    std::vector<std::unique_ptr<QThread>> writers;
    for (int writer = 0; writer < WriterCount; ++writer) {
        writers.emplace_back(QThread::create([&log, writer] {
            for (int i = 0; i < LinesPerWriter; ++i)
                log.writeLine("writer " + QByteArray::number(writer) + " line "
                              + QByteArray::number(i));
        }));
        writers.back()->start();
    }
    for (const auto &writer : writers)
        QVERIFY(writer->wait(60000));

    QVERIFY(log.rotationCount() > 10);
    QList<QByteArray> lines;
    for (int index = int(log.rotationCount()); index >= 1; --index)
        lines += readLines(log.rotatedPath(index));
    lines += readLines(logPath());
    QCOMPARE(lines.size(), WriterCount * LinesPerWriter);

    // Every line is whole, and each writer's lines are in its own order.
    static const QRegularExpression pattern(QStringLiteral("^writer (\\d+) line (\\d+)$"));
    std::vector<int> next(WriterCount, 0);
    for (const QByteArray &line : std::as_const(lines)) {
        const QRegularExpressionMatch match = pattern.match(QString::fromLatin1(line));
        QVERIFY2(match.hasMatch(), line.constData());
        const int writer = match.captured(1).toInt();
        QCOMPARE(match.captured(2).toInt(), next[size_t(writer)]);
        ++next[size_t(writer)];
    }
}

void tst_LogFile::limiterAllowsUpToLimit()
{
    LogRateLimiter limiter(3, 10000);
    LogRateLimiter::Suppressed ended;
    for (int i = 0; i < 3; ++i)
        QVERIFY(limiter.allow("key", "cat", QStringLiteral("message"), 1000 + i, &ended));
    QVERIFY(!limiter.allow("key", "cat", QStringLiteral("fourth"), 1500, &ended));
    QVERIFY(!limiter.allow("key", "cat", QStringLiteral("fifth"), 10999, &ended));
    QCOMPARE(ended.count, quint64(0));
    QVERIFY(limiter.takeEnded(10999).isEmpty());
}

void tst_LogFile::limiterReportsEndedWindow()
{
    LogRateLimiter limiter(2, 10000);
    LogRateLimiter::Suppressed ended;
    for (int i = 0; i < 7; ++i)
        limiter.allow("key", "orderstream.http", QStringLiteral("message %1").arg(i), 1000, &ended);

    // The next message after the window ends carries the count with it.
    QVERIFY(limiter.allow("key", "orderstream.http", QStringLiteral("later"), 11000, &ended));
    QCOMPARE(ended.count, quint64(5));
    QCOMPARE(ended.sample, QStringLiteral("message 2"));
    QCOMPARE(ended.category, QByteArray("orderstream.http"));

    // Without a next message, takeEnded() reports the burst.
    for (int i = 0; i < 4; ++i)
        limiter.allow("key", "orderstream.http", QStringLiteral("again"), 12000, &ended);
    QVERIFY(limiter.takeEnded(20999).isEmpty());
    const QList<LogRateLimiter::Suppressed> reported = limiter.takeEnded(21000);
    QCOMPARE(reported.size(), 1);
    QCOMPARE(reported.constFirst().count, quint64(3));
    QVERIFY(limiter.takeEnded(40000).isEmpty());
}

void tst_LogFile::limiterKeysAreIndependent()
{
    LogRateLimiter limiter(1, 10000);
    QVERIFY(limiter.allow("a", "cat", QStringLiteral("a"), 0, nullptr));
    QVERIFY(!limiter.allow("a", "cat", QStringLiteral("a"), 1, nullptr));
    QVERIFY(limiter.allow("b", "cat", QStringLiteral("b"), 2, nullptr));
}

void tst_LogFile::rateLimitKeyUsesContext()
{
    const QMessageLogContext withPlace("streamworker.cpp", 120, "close", "orderstream.stream");
    const QMessageLogContext otherLine("streamworker.cpp", 121, "close", "orderstream.stream");
    QCOMPARE(Logging::rateLimitKey(withPlace, QStringLiteral("closed 1")),
             Logging::rateLimitKey(withPlace, QStringLiteral("something else")));
    QVERIFY(Logging::rateLimitKey(withPlace, QStringLiteral("x"))
            != Logging::rateLimitKey(otherLine, QStringLiteral("x")));

    // Without a place, digits do not tell messages apart.
    const QMessageLogContext noPlace(nullptr, 0, nullptr, "orderstream.stream");
    QCOMPARE(Logging::rateLimitKey(noPlace, QStringLiteral("stream 17 closed after 3 s")),
             Logging::rateLimitKey(noPlace, QStringLiteral("stream 9 closed after 120 s")));
    QVERIFY(Logging::rateLimitKey(noPlace, QStringLiteral("stream 1 closed"))
            != Logging::rateLimitKey(noPlace, QStringLiteral("stream 1 opened")));
}

void tst_LogFile::handlerWritesPatternAndLimits()
{
    LogFile log({logPath(), 1024 * 1024, 1});
    QString error;
    QVERIFY2(log.open(&error), qPrintable(error));
    // A short window, so that the end of the burst arrives within the test.
    LogRateLimiter limiter(4, 300);
    qSetMessagePattern(QStringLiteral("%{if-info}info%{endif}%{if-warning}warning%{endif} "
                                      "%{category}: %{message}"));
    Logging::installHandler(&log, &limiter);

    for (int i = 0; i < 20; ++i)
        qCInfo(lcService, "repeated message %d", i);
    qCWarning(lcJournal, "a different message");

    QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                Logging::reportSuppressedMessages();
                return readFile(logPath()).contains("suppressed");
            }(),
            10000);
    Logging::uninstallHandler();
    qSetMessagePattern(QString());

    const QList<QByteArray> lines = readLines(logPath());
    QCOMPARE(lines.size(), 6);
    for (int i = 0; i < 4; ++i)
        QCOMPARE(lines.at(i), "info orderstream.service: repeated message " + QByteArray::number(i));
    QCOMPARE(lines.at(4), QByteArray("warning orderstream.journal: a different message"));
    QVERIFY2(lines.at(5).startsWith("warning orderstream.service: suppressed 16 similar messages"),
             lines.at(5).constData());
    QVERIFY2(lines.at(5).endsWith("repeated message 4"), lines.at(5).constData());
}

QTEST_GUILESS_MAIN(tst_LogFile)
#include "tst_logfile.moc"
