#include "focusedorderfiltermodel.h"
#include "reconnectionsmodel.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

namespace {

ReconnectRecord makeRecord(quint64 sequence, const QString &orderId)
{
    ReconnectRecord record;
    record.sequence = sequence;
    record.time = QDateTime(QDate(2024, 3, 1), QTime(12, 0), Qt::UTC).addSecs(qint64(sequence));
    record.orderId = orderId;
    record.remoteAddress = QStringLiteral("10.0.0.%1").arg(sequence);
    return record;
}

QList<ReconnectRecord> makeRecords(quint64 firstSequence, int count)
{
    QList<ReconnectRecord> records;
    for (int i = 0; i < count; ++i)
        records.append(makeRecord(firstSequence + quint64(i), QStringLiteral("ORD-%1").arg(i % 3)));
    return records;
}

} // namespace

class tst_ReconnectionsModel : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void appendAddsOneBlock();
    void appendDropsOldestBeyondMaxRows();
    void largeBatchKeepsNewest();
    void resumedRecordCells();
    void unknownValuesReadAsUnknown();
    void resyncShowsReason();
    void proxyFiltersFocusedOrder();
};

void tst_ReconnectionsModel::appendAddsOneBlock()
{
    ReconnectionsModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy insertedSpy(&model, &QAbstractItemModel::rowsInserted);

    model.append(makeRecords(1, 3));
    model.append({});

    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(insertedSpy.count(), 1);
    QCOMPARE(model.record(0).sequence, quint64(1));
    QCOMPARE(model.record(2).sequence, quint64(3));
}

void tst_ReconnectionsModel::appendDropsOldestBeyondMaxRows()
{
    ReconnectionsModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setMaxRows(5);
    model.append(makeRecords(1, 4));
    QSignalSpy removedSpy(&model, &QAbstractItemModel::rowsRemoved);

    model.append(makeRecords(5, 3));

    QCOMPARE(model.rowCount(), 5);
    QCOMPARE(removedSpy.count(), 1);
    QCOMPARE(model.record(0).sequence, quint64(3));
    QCOMPARE(model.record(4).sequence, quint64(7));
}

void tst_ReconnectionsModel::largeBatchKeepsNewest()
{
    ReconnectionsModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QCOMPARE(model.maxRows(), ReconnectionsModel::DefaultMaxRows);
    model.setMaxRows(10);

    model.append(makeRecords(1, 25));

    QCOMPARE(model.rowCount(), 10);
    QCOMPARE(model.record(0).sequence, quint64(16));
    QCOMPARE(model.record(9).sequence, quint64(25));
}

void tst_ReconnectionsModel::resumedRecordCells()
{
    ReconnectRecord record = makeRecord(1, QStringLiteral("ORD-9"));
    record.awayMs = 4200;
    record.resumedFromId = 17;
    record.eventsMissed = 3;
    record.eventsReplayed = 3;
    ReconnectionsModel model;
    model.append({record});

    const auto cell = [&model](int column, int role = Qt::DisplayRole) {
        return model.index(0, column).data(role);
    };
    QCOMPARE(cell(ReconnectionsModel::OrderId).toString(), QStringLiteral("ORD-9"));
    QCOMPARE(cell(ReconnectionsModel::Client).toString(), QStringLiteral("10.0.0.1"));
    QCOMPARE(cell(ReconnectionsModel::TimeAway).toString(),
        QStringLiteral("%1 s").arg(QLocale().toString(4.2, 'f', 1)));
    QCOMPARE(cell(ReconnectionsModel::TimeAway, ReconnectionsModel::RawValueRole).toLongLong(),
        qint64(4200));
    QCOMPARE(cell(ReconnectionsModel::ResumedFrom).toString(), QStringLiteral("17"));
    QCOMPARE(cell(ReconnectionsModel::Missed).toString(), QStringLiteral("3"));
    QCOMPARE(cell(ReconnectionsModel::Replayed).toString(), QStringLiteral("3"));
    QCOMPARE(cell(ReconnectionsModel::Resync).toString(), QStringLiteral("No"));
    QCOMPARE(
        cell(ReconnectionsModel::Time, ReconnectionsModel::RawValueRole).toDateTime(), record.time);
}

void tst_ReconnectionsModel::unknownValuesReadAsUnknown()
{
    ReconnectRecord record = makeRecord(1, QStringLiteral("ORD-1"));
    record.eventsMissed = -1;
    ReconnectionsModel model;
    model.append({record});

    const QString dash = QStringLiteral("\u2014");
    QCOMPARE(model.index(0, ReconnectionsModel::TimeAway).data().toString(), dash);
    QCOMPARE(model.index(0, ReconnectionsModel::ResumedFrom).data().toString(), dash);
    QCOMPARE(
        model.index(0, ReconnectionsModel::Missed).data().toString(), QStringLiteral("unknown"));
    QVERIFY(!model.index(0, ReconnectionsModel::TimeAway)
                 .data(ReconnectionsModel::RawValueRole)
                 .isValid());
}

void tst_ReconnectionsModel::resyncShowsReason()
{
    ReconnectRecord record = makeRecord(1, QStringLiteral("ORD-1"));
    record.resync = true;
    record.resyncReason = QStringLiteral("events were trimmed by retention");
    record.eventsMissed = -1;
    ReconnectionsModel model;
    model.append({record});

    QCOMPARE(model.index(0, ReconnectionsModel::Resync).data().toString(),
        QStringLiteral("Yes: events were trimmed by retention"));
    QCOMPARE(
        model.index(0, ReconnectionsModel::Resync).data(ReconnectionsModel::RawValueRole).toBool(),
        true);
    const QString toolTip
        = model.index(0, ReconnectionsModel::Resync).data(Qt::ToolTipRole).toString();
    QVERIFY2(toolTip.contains(record.resyncReason), qPrintable(toolTip));
}

void tst_ReconnectionsModel::proxyFiltersFocusedOrder()
{
    ReconnectionsModel model;
    FocusedOrderFilterModel proxy(ReconnectionsModel::OrderId);
    proxy.setSourceModel(&model);
    QAbstractItemModelTester proxyTester(
        &proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setMaxRows(4);
    model.append(makeRecords(1, 6));
    QCOMPARE(proxy.rowCount(), 4);

    proxy.setFocusedOrderId(QStringLiteral("ORD-0"));
    // Sequences 3 to 6 remain, and only sequence 4 is of ORD-0.
    QCOMPARE(proxy.rowCount(), 1);

    proxy.sort(ReconnectionsModel::Time, Qt::DescendingOrder);
    model.append({makeRecord(7, QStringLiteral("ORD-0"))});
    QCOMPARE(proxy.rowCount(), 2);
    QCOMPARE(
        proxy.index(0, ReconnectionsModel::Client).data().toString(), QStringLiteral("10.0.0.7"));
}

QTEST_MAIN(tst_ReconnectionsModel)
#include "tst_reconnectionsmodel.moc"
