#include "timelinemodel.h"

#include <QAbstractItemModelTester>
#include <QColor>
#include <QIcon>
#include <QSignalSpy>
#include <QTest>

class tst_TimelineModel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void setEventsKeepsOneOrder();
    void appendSkipsKnownAndOtherOrders();
    void failureRowIsMarked();
    void overrideRowIsMarked();
    void maxRowsDropsOldest();
    void emptyIndexReturnsNothing();
};

namespace {

OrderEvent makeEvent(quint64 id, const QString &orderId, const QString &stage)
{
    OrderEvent event;
    event.id = id;
    event.orderId = orderId;
    event.type = QLatin1String(OrderEventType::Update);
    event.status = stage;
    event.stage = stage;
    event.message = QStringLiteral("event %1").arg(id);
    event.time = QDateTime(QDate(2026, 12, 4), QTime(10, 0), Qt::UTC).addSecs(qint64(id));
    event.source = QLatin1String(OrderEventSource::Simulator);
    event.publisher = QStringLiteral("simulator");
    return event;
}

QString cell(const TimelineModel &model, int row, int column, int role = Qt::DisplayRole)
{
    return model.index(row, column).data(role).toString();
}

} // namespace

void tst_TimelineModel::setEventsKeepsOneOrder()
{
    TimelineModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);

    model.setEvents(QStringLiteral("ORD-1"),
                    {makeEvent(1, QStringLiteral("ORD-1"), QStringLiteral("Activating")),
                     makeEvent(2, QStringLiteral("ORD-2"), QStringLiteral("Activating")),
                     makeEvent(3, QStringLiteral("ORD-1"), QStringLiteral("Provisioning"))});

    QCOMPARE(model.orderId(), QStringLiteral("ORD-1"));
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(cell(model, 0, TimelineModel::Stage), QStringLiteral("Activating"));
    QCOMPARE(cell(model, 1, TimelineModel::Stage), QStringLiteral("Provisioning"));
    QCOMPARE(cell(model, 1, TimelineModel::Source), QStringLiteral("simulator"));
    QCOMPARE(cell(model, 1, TimelineModel::Publisher), QStringLiteral("simulator"));
    QCOMPARE(model.index(1, TimelineModel::Id).data(TimelineModel::RawValueRole).toULongLong(),
             quint64(3));
    QCOMPARE(model.lastEventId(), quint64(3));
}

void tst_TimelineModel::appendSkipsKnownAndOtherOrders()
{
    TimelineModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setEvents(QStringLiteral("ORD-1"),
                    {makeEvent(1, QStringLiteral("ORD-1"), QStringLiteral("Activating")),
                     makeEvent(3, QStringLiteral("ORD-1"), QStringLiteral("Provisioning"))});
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);

    // Event 3 was read from the store and also arrives live.
    const int added = model.appendEvents(
            {makeEvent(3, QStringLiteral("ORD-1"), QStringLiteral("Provisioning")),
             makeEvent(4, QStringLiteral("ORD-2"), QStringLiteral("Activating")),
             makeEvent(5, QStringLiteral("ORD-1"), QStringLiteral("Active"))});

    QCOMPARE(added, 1);
    QCOMPARE(inserted.size(), 1);
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(cell(model, 2, TimelineModel::Stage), QStringLiteral("Active"));
    QCOMPARE(model.appendEvents({}), 0);
}

void tst_TimelineModel::failureRowIsMarked()
{
    TimelineModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setEvents(QStringLiteral("ORD-1"),
                    {makeEvent(1, QStringLiteral("ORD-1"), QStringLiteral("Activating")),
                     makeEvent(2, QStringLiteral("ORD-1"), QStringLiteral("Failed"))});

    QVERIFY(!model.index(0, TimelineModel::Stage).data(TimelineModel::FailureRole).toBool());
    QVERIFY(!model.index(0, TimelineModel::Stage).data(Qt::ForegroundRole).isValid());
    QVERIFY(cell(model, 0, TimelineModel::Notes).isEmpty());

    QVERIFY(model.index(1, TimelineModel::Stage).data(TimelineModel::FailureRole).toBool());
    // Colour, icon and text together, so the mark does not rely on colour alone.
    QVERIFY(model.index(1, TimelineModel::Message).data(Qt::ForegroundRole).value<QColor>().isValid());
    QVERIFY(!model.index(1, TimelineModel::Stage).data(Qt::DecorationRole).value<QIcon>().isNull());
    QCOMPARE(cell(model, 1, TimelineModel::Notes), QStringLiteral("failure"));
    QVERIFY(cell(model, 1, TimelineModel::Stage, Qt::ToolTipRole).contains(QStringLiteral("failure")));
}

void tst_TimelineModel::overrideRowIsMarked()
{
    TimelineModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    OrderEvent overridden = makeEvent(2, QStringLiteral("ORD-1"), QStringLiteral("Failed"));
    overridden.lifecycleOverride = true;
    model.setEvents(QStringLiteral("ORD-1"),
                    {makeEvent(1, QStringLiteral("ORD-1"), QStringLiteral("Completed")),
                     overridden});

    QVERIFY(model.index(1, TimelineModel::Notes).data(TimelineModel::OverrideRole).toBool());
    QCOMPARE(cell(model, 1, TimelineModel::Notes), QStringLiteral("failure, override"));
    QVERIFY(!model.index(0, TimelineModel::Notes).data(TimelineModel::OverrideRole).toBool());
}

void tst_TimelineModel::maxRowsDropsOldest()
{
    TimelineModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setMaxRows(3);
    model.setEvents(QStringLiteral("ORD-1"),
                    {makeEvent(1, QStringLiteral("ORD-1"), QStringLiteral("Draft")),
                     makeEvent(2, QStringLiteral("ORD-1"), QStringLiteral("Activating"))});

    model.appendEvents({makeEvent(3, QStringLiteral("ORD-1"), QStringLiteral("Provisioning")),
                        makeEvent(4, QStringLiteral("ORD-1"), QStringLiteral("Active"))});

    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(model.event(0).id, quint64(2));
    QCOMPARE(model.event(2).id, quint64(4));

    model.setMaxRows(1);
    QCOMPARE(model.rowCount(), 1);
    QCOMPARE(model.event(0).id, quint64(4));
    model.clear();
    QCOMPARE(model.rowCount(), 0);
    QCOMPARE(model.lastEventId(), quint64(0));
}

void tst_TimelineModel::emptyIndexReturnsNothing()
{
    TimelineModel model;
    QVERIFY(!model.data(QModelIndex()).isValid());
    QCOMPARE(model.rowCount(model.index(0, 0)), 0);
    QCOMPARE(model.headerData(TimelineModel::Notes, Qt::Horizontal).toString(),
             QStringLiteral("Notes"));
}

QTEST_MAIN(tst_TimelineModel)
#include "tst_timelinemodel.moc"
