#include "csvreader.h"
#include "eventexport.h"
#include "orderevent.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTest>

namespace {

OrderEvent makeEvent(quint64 id, const QString &message)
{
    OrderEvent event;
    event.id = id;
    event.orderId = QStringLiteral("ORD-%1").arg(id);
    event.type = QLatin1String(OrderEventType::Update);
    event.status = QStringLiteral("Active");
    event.stage = QStringLiteral("completed");
    event.message = message;
    event.details.insert(QStringLiteral("note"), QStringLiteral("a, \"b\""));
    event.time = QDateTime(QDate(2024, 3, 1), QTime(12, 0, 0, 250), Qt::UTC);
    event.source = QLatin1String(OrderEventSource::Api);
    return event;
}

QByteArray readFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return file.readAll();
}

} // namespace

class tst_EventExport : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void csvQuotesSpecialCharacters_data();
    void csvQuotesSpecialCharacters();
    void csvRoundTrip();
    void jsonRoundTrip();
    void emptyListWritesHeaderOrEmptyArray();
    void unwritablePathLeavesNoFile();
    void failedWriteKeepsExistingFile();
};

void tst_EventExport::csvQuotesSpecialCharacters_data()
{
    QTest::addColumn<QString>("message");
    QTest::addColumn<QByteArray>("expectedField");

    QTest::newRow("plain") << QStringLiteral("Line is live") << QByteArray(",Line is live,");
    QTest::newRow("comma") << QStringLiteral("a,b") << QByteArray(",\"a,b\",");
    QTest::newRow("quote") << QStringLiteral("say \"hi\"") << QByteArray(",\"say \"\"hi\"\"\",");
    QTest::newRow("line feed") << QStringLiteral("one\ntwo") << QByteArray(",\"one\ntwo\",");
    QTest::newRow("carriage return")
        << QStringLiteral("one\r\ntwo") << QByteArray(",\"one\r\ntwo\",");
    QTest::newRow("non-ASCII") << QStringLiteral("Zustellung \u00fcbermorgen")
                               << QByteArray(",Zustellung \xc3\xbc"
                                             "bermorgen,");
}

void tst_EventExport::csvQuotesSpecialCharacters()
{
    QFETCH(QString, message);
    QFETCH(QByteArray, expectedField);

    const QByteArray csv = EventExport::encodeCsv({makeEvent(1, message)});

    QVERIFY2(csv.contains(expectedField), csv.constData());
    QVERIFY(csv.startsWith("id,time,orderId,type,status,stage,message,details,source\r\n"));
    QVERIFY(csv.endsWith("\r\n"));
}

void tst_EventExport::csvRoundTrip()
{
    const QList<OrderEvent> events {
        makeEvent(3, QStringLiteral("Delayed, \"fragile\" parcel\nsecond line")),
        makeEvent(2, QString()),
        makeEvent(1, QStringLiteral("  leading and trailing spaces  ")),
    };
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("history.csv"));
    QString error;

    QVERIFY2(
        EventExport::writeFile(path, events, EventExport::Format::Csv, &error), qPrintable(error));

    const std::optional<QList<QStringList>> records = readCsv(readFile(path));
    QVERIFY2(records, "the file is not valid RFC 4180 CSV");
    QCOMPARE(records->size(), events.size() + 1);
    QStringList header;
    for (const QByteArray &column : EventExport::csvColumns())
        header.append(QString::fromLatin1(column));
    QCOMPARE(records->at(0), header);
    for (qsizetype i = 0; i < events.size(); ++i) {
        const OrderEvent &event = events.at(i);
        const QStringList &record = records->at(i + 1);
        QCOMPARE(record.size(), header.size());
        QCOMPARE(record.at(0), QString::number(event.id));
        QCOMPARE(QDateTime::fromString(record.at(1), Qt::ISODateWithMs), event.time);
        QCOMPARE(record.at(2), event.orderId);
        QCOMPARE(record.at(3), event.type);
        QCOMPARE(record.at(4), event.status);
        QCOMPARE(record.at(5), event.stage);
        QCOMPARE(record.at(6), event.message);
        QCOMPARE(QJsonDocument::fromJson(record.at(7).toUtf8()).object(), event.details);
        QCOMPARE(record.at(8), event.source);
    }
}

void tst_EventExport::jsonRoundTrip()
{
    const QList<OrderEvent> events {
        makeEvent(2, QStringLiteral("Delayed, \"fragile\" parcel\nsecond line")),
        makeEvent(1, QStringLiteral("Line is live")),
    };
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("history.json"));
    QString error;

    QVERIFY2(
        EventExport::writeFile(path, events, EventExport::Format::Json, &error), qPrintable(error));

    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(readFile(path), &parseError);
    QCOMPARE(parseError.error, QJsonParseError::NoError);
    QVERIFY(document.isArray());
    const QJsonArray array = document.array();
    QCOMPARE(array.size(), events.size());
    for (qsizetype i = 0; i < events.size(); ++i)
        QCOMPARE(array.at(i).toObject(), events.at(i).toJson());
}

void tst_EventExport::emptyListWritesHeaderOrEmptyArray()
{
    QCOMPARE(EventExport::encodeCsv({}),
        QByteArray("id,time,orderId,type,status,stage,message,details,source\r\n"));
    QCOMPARE(QJsonDocument::fromJson(EventExport::encodeJson({})).array().size(), 0);
}

void tst_EventExport::unwritablePathLeavesNoFile()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    // A regular file where the path needs a folder.
    const QString blocker = dir.filePath(QStringLiteral("not-a-folder"));
    QFile blockerFile(blocker);
    QVERIFY(blockerFile.open(QIODevice::WriteOnly));
    blockerFile.close();
    const QString path = blocker + QStringLiteral("/history.csv");
    QString error;

    QVERIFY(!EventExport::writeFile(
        path, {makeEvent(1, QStringLiteral("x"))}, EventExport::Format::Csv, &error));

    QVERIFY(!error.isEmpty());
    QVERIFY(!QFileInfo::exists(path));
    QCOMPARE(QDir(dir.path()).entryList(QDir::AllEntries | QDir::NoDotAndDotDot),
        QStringList {QStringLiteral("not-a-folder")});
    QCOMPARE(QFileInfo(blocker).size(), qint64(0));
}

void tst_EventExport::failedWriteKeepsExistingFile()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("history.json"));
    QFile existing(path);
    QVERIFY(existing.open(QIODevice::WriteOnly));
    existing.write("[]");
    existing.close();
    // A read-only folder stops QSaveFile from creating its temporary file,
    // so the existing export must stay as it was.
    QVERIFY(QFile::setPermissions(dir.path(), QFile::ReadOwner | QFile::ExeOwner));
    if (QFile(dir.filePath(QStringLiteral("probe"))).open(QIODevice::WriteOnly)) {
        QFile::setPermissions(dir.path(), QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
        QSKIP("this user can write to read-only folders (running as root)");
    }
    QString error;

    const bool written = EventExport::writeFile(
        path, {makeEvent(1, QStringLiteral("x"))}, EventExport::Format::Json, &error);
    QFile::setPermissions(dir.path(), QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);

    QVERIFY(!written);
    QVERIFY(!error.isEmpty());
    QCOMPARE(readFile(path), QByteArray("[]"));
}

QTEST_MAIN(tst_EventExport)
#include "tst_eventexport.moc"
