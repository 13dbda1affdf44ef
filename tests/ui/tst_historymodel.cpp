#include "historymodel.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

namespace {

// Returns count events with ids from newestId downwards, newest first, as
// the journal returns them.
QList<OrderEvent> makePage(quint64 newestId, int count)
{
    QList<OrderEvent> events;
    for (int i = 0; i < count; ++i) {
        OrderEvent event;
        event.id = newestId - quint64(i);
        event.orderId = QStringLiteral("ORD-%1").arg(event.id % 3);
        event.type = QLatin1String(OrderEventType::Update);
        event.status = QStringLiteral("Active");
        event.time = QDateTime(QDate(2024, 3, 1), QTime(12, 0), Qt::UTC).addSecs(qint64(event.id));
        events.append(event);
    }
    return events;
}

} // namespace

class tst_HistoryModel : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void setEventsReplacesRows();
    void appendOlderAddsBelow();
    void appendOlderStopsAtMaxRows();
    void setMaxRowsDropsOldest();
    void cellData();
};

void tst_HistoryModel::setEventsReplacesRows()
{
    HistoryModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setEvents(makePage(10, 3));
    QCOMPARE(model.rowCount(), 3);
    QSignalSpy resetSpy(&model, &QAbstractItemModel::modelReset);

    model.setEvents(makePage(50, 2));

    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.event(0).id, quint64(50));
    QCOMPARE(model.oldestEventId(), quint64(49));
    QCOMPARE(resetSpy.count(), 0);

    model.clear();
    QCOMPARE(model.rowCount(), 0);
    QCOMPARE(model.oldestEventId(), quint64(0));
}

void tst_HistoryModel::appendOlderAddsBelow()
{
    HistoryModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setEvents(makePage(10, 3));
    QSignalSpy insertedSpy(&model, &QAbstractItemModel::rowsInserted);

    QCOMPARE(model.appendOlder(makePage(7, 3)), 3);

    QCOMPARE(insertedSpy.count(), 1);
    QCOMPARE(insertedSpy.at(0).at(1).toInt(), 3);
    QCOMPARE(model.rowCount(), 6);
    for (int row = 0; row < model.rowCount(); ++row)
        QCOMPARE(model.event(row).id, quint64(10 - row));
}

void tst_HistoryModel::appendOlderStopsAtMaxRows()
{
    HistoryModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setMaxRows(5);
    model.setEvents(makePage(100, 3));
    QVERIFY(!model.isFull());

    QCOMPARE(model.appendOlder(makePage(97, 3)), 2);

    QCOMPARE(model.rowCount(), 5);
    QVERIFY(model.isFull());
    QCOMPARE(model.oldestEventId(), quint64(96));
    QCOMPARE(model.appendOlder(makePage(95, 3)), 0);
    QCOMPARE(model.rowCount(), 5);
}

void tst_HistoryModel::setMaxRowsDropsOldest()
{
    HistoryModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setEvents(makePage(20, 8));

    model.setMaxRows(3);

    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(model.event(0).id, quint64(20));
    QCOMPARE(model.oldestEventId(), quint64(18));
}

void tst_HistoryModel::cellData()
{
    QList<OrderEvent> events = makePage(5, 1);
    events[0].message = QStringLiteral("first line\nsecond line");
    events[0].stage = QStringLiteral("provisioning");
    events[0].source = QLatin1String(OrderEventSource::Api);
    HistoryModel model;
    model.setEvents(events);

    const auto cell = [&model](int column, int role = Qt::DisplayRole) {
        return model.index(0, column).data(role);
    };
    QCOMPARE(cell(HistoryModel::Id).toString(), QStringLiteral("5"));
    QCOMPARE(cell(HistoryModel::Id, HistoryModel::RawValueRole).toULongLong(), quint64(5));
    QCOMPARE(cell(HistoryModel::OrderId).toString(), QStringLiteral("ORD-2"));
    QCOMPARE(cell(HistoryModel::Stage).toString(), QStringLiteral("provisioning"));
    QCOMPARE(cell(HistoryModel::Source).toString(), QStringLiteral("api"));
    QCOMPARE(cell(HistoryModel::Message).toString(), QStringLiteral("first line second line"));
    QCOMPARE(cell(HistoryModel::Message, Qt::ToolTipRole).toString(), events[0].message);
    // The journal spans days, so the time cell carries the date.
    QCOMPARE(cell(HistoryModel::Time).toString(),
        events[0].time.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")));
    QCOMPARE(model.headerData(HistoryModel::OrderId, Qt::Horizontal).toString(),
        QStringLiteral("Order"));
}

QTEST_MAIN(tst_HistoryModel)
#include "tst_historymodel.moc"
