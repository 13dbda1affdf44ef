#include "eventsmodel.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

namespace {

OrderEvent makeEvent(quint64 id, const QString &orderId = QStringLiteral("ORD-1"))
{
    OrderEvent event;
    event.id = id;
    event.orderId = orderId;
    event.type = QLatin1String(OrderEventType::Update);
    event.status = QStringLiteral("Active");
    event.time = QDateTime(QDate(2024, 5, 1), QTime(12, 0), Qt::UTC).addSecs(qint64(id));
    event.source = QLatin1String(OrderEventSource::Api);
    return event;
}

QList<OrderEvent> makeEvents(quint64 firstId, quint64 lastId)
{
    QList<OrderEvent> events;
    for (quint64 id = firstId; id <= lastId; ++id)
        events.append(makeEvent(id));
    return events;
}

QList<quint64> eventIds(const EventsModel &model)
{
    QList<quint64> ids;
    for (int row = 0; row < model.rowCount(); ++row)
        ids.append(model.event(row).id);
    return ids;
}

} // namespace

class tst_EventsModel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void appendInsertsOneBlock();
    void appendNothingEmitsNothing();
    void dropsOldestBeyondMaxRows();
    void keepsNewestOfLargeBatch();
    void setMaxRowsTrims();
    void clearRemovesAll();
    void cellData();
};

void tst_EventsModel::appendInsertsOneBlock()
{
    EventsModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.append(makeEvents(1, 2));
    QSignalSpy insertSpy(&model, &QAbstractItemModel::rowsInserted);
    QSignalSpy resetSpy(&model, &QAbstractItemModel::modelReset);

    model.append(makeEvents(3, 5));

    QCOMPARE(insertSpy.count(), 1);
    QCOMPARE(insertSpy.at(0).at(1).toInt(), 2);
    QCOMPARE(insertSpy.at(0).at(2).toInt(), 4);
    QCOMPARE(resetSpy.count(), 0);
    QCOMPARE(eventIds(model), (QList<quint64>{1, 2, 3, 4, 5}));
    QCOMPARE(model.lastEventId(), quint64(5));
}

void tst_EventsModel::appendNothingEmitsNothing()
{
    EventsModel model;
    model.append(makeEvents(1, 2));
    QSignalSpy insertSpy(&model, &QAbstractItemModel::rowsInserted);
    QSignalSpy removeSpy(&model, &QAbstractItemModel::rowsRemoved);

    model.append({});

    QCOMPARE(insertSpy.count(), 0);
    QCOMPARE(removeSpy.count(), 0);
}

void tst_EventsModel::dropsOldestBeyondMaxRows()
{
    EventsModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setMaxRows(4);
    model.append(makeEvents(1, 3));
    QSignalSpy removeSpy(&model, &QAbstractItemModel::rowsRemoved);
    QSignalSpy insertSpy(&model, &QAbstractItemModel::rowsInserted);

    model.append(makeEvents(4, 6));

    QCOMPARE(eventIds(model), (QList<quint64>{3, 4, 5, 6}));
    QCOMPARE(removeSpy.count(), 1);
    QCOMPARE(removeSpy.at(0).at(1).toInt(), 0);
    QCOMPARE(removeSpy.at(0).at(2).toInt(), 1);
    QCOMPARE(insertSpy.count(), 1);
}

void tst_EventsModel::keepsNewestOfLargeBatch()
{
    EventsModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setMaxRows(3);
    model.append(makeEvents(1, 2));

    model.append(makeEvents(3, 10));

    QCOMPARE(eventIds(model), (QList<quint64>{8, 9, 10}));
}

void tst_EventsModel::setMaxRowsTrims()
{
    EventsModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QCOMPARE(model.maxRows(), EventsModel::DefaultMaxRows);
    model.append(makeEvents(1, 5));

    model.setMaxRows(2);
    QCOMPARE(eventIds(model), (QList<quint64>{4, 5}));

    model.setMaxRows(0);
    QCOMPARE(model.maxRows(), 1);
    QCOMPARE(eventIds(model), (QList<quint64>{5}));
}

void tst_EventsModel::clearRemovesAll()
{
    EventsModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.append(makeEvents(1, 3));

    model.clear();

    QCOMPARE(model.rowCount(), 0);
    QCOMPARE(model.lastEventId(), quint64(0));
    model.append(makeEvents(1, 1));
    QCOMPARE(model.rowCount(), 1);
}

void tst_EventsModel::cellData()
{
    EventsModel model;
    OrderEvent event = makeEvent(12, QStringLiteral("ORD-7"));
    event.stage = QStringLiteral("provisioning");
    event.message = QStringLiteral("first line\nsecond line");
    model.append({event});

    const auto cell = [&model](int column, int role) { return model.index(0, column).data(role); };
    QCOMPARE(cell(EventsModel::Id, Qt::DisplayRole).toString(), QStringLiteral("12"));
    QCOMPARE(cell(EventsModel::Id, EventsModel::RawValueRole).toULongLong(), quint64(12));
    QCOMPARE(cell(EventsModel::OrderId, Qt::DisplayRole).toString(), QStringLiteral("ORD-7"));
    QCOMPARE(cell(EventsModel::Type, Qt::DisplayRole).toString(), QStringLiteral("order.update"));
    QCOMPARE(cell(EventsModel::Status, Qt::DisplayRole).toString(), QStringLiteral("Active"));
    QCOMPARE(cell(EventsModel::Stage, Qt::DisplayRole).toString(), QStringLiteral("provisioning"));
    QCOMPARE(cell(EventsModel::Source, Qt::DisplayRole).toString(), QStringLiteral("api"));
    QCOMPARE(cell(EventsModel::Message, Qt::DisplayRole).toString(),
             QStringLiteral("first line second line"));
    QCOMPARE(cell(EventsModel::Message, Qt::ToolTipRole).toString(), event.message);
    QCOMPARE(cell(EventsModel::Time, EventsModel::RawValueRole).toDateTime(), event.time);
    QCOMPARE(cell(EventsModel::Time, Qt::DisplayRole).toString(),
             event.time.toLocalTime().toString(QStringLiteral("HH:mm:ss.zzz")));
    QVERIFY(cell(EventsModel::Time, Qt::ToolTipRole).toString().contains(
            QStringLiteral("2024-05-01T12:00:12.000Z")));
    QVERIFY(!model.index(1, 0).isValid());
}

QTEST_GUILESS_MAIN(tst_EventsModel)
#include "tst_eventsmodel.moc"
