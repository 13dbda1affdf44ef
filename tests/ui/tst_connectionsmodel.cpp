#include "connectionsmodel.h"
#include "focusedorderfiltermodel.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

namespace {

StreamConnection makeConnection(
    quint64 connectionId, const QString &orderId, quint64 eventsSent = 0)
{
    StreamConnection connection;
    connection.info.connectionId = connectionId;
    connection.info.orderId = orderId;
    connection.info.remoteAddress = QStringLiteral("127.0.0.1");
    connection.info.remotePort = quint16(40000 + connectionId);
    connection.info.connectedAt = QDateTime(QDate(2024, 3, 1), QTime(12, 0), Qt::UTC);
    connection.eventsSent = eventsSent;
    connection.lastSentId = eventsSent;
    return connection;
}

QList<quint64> connectionIds(const ConnectionsModel &model)
{
    QList<quint64> ids;
    for (int row = 0; row < model.rowCount(); ++row)
        ids.append(model.connection(row).info.connectionId);
    return ids;
}

QList<StreamConnection> makeConnections(const QList<quint64> &ids)
{
    QList<StreamConnection> connections;
    for (quint64 id : ids)
        connections.append(makeConnection(id, QStringLiteral("ORD-%1").arg(id % 2)));
    return connections;
}

} // namespace

class tst_ConnectionsModel : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void mergeKeepsConnectionOrder_data();
    void mergeKeepsConnectionOrder();
    void changedRowEmitsDataChanged();
    void unchangedListingEmitsNothing();
    void persistentIndexFollowsConnection();
    void cellData();
    void missingValuesShowDash();
    void ipv6ClientInBrackets();
    void proxyFiltersFocusedOrder();
    void proxySortsOnRawValues();
};

void tst_ConnectionsModel::mergeKeepsConnectionOrder_data()
{
    QTest::addColumn<QList<quint64>>("before");
    QTest::addColumn<QList<quint64>>("after");

    QTest::newRow("first listing") << QList<quint64>() << QList<quint64> {1, 2, 3};
    QTest::newRow("unsorted listing") << QList<quint64>() << QList<quint64> {3, 1, 2};
    QTest::newRow("new streams") << QList<quint64> {1, 3} << QList<quint64> {1, 2, 3, 4};
    QTest::newRow("closed streams") << QList<quint64> {1, 2, 3, 4} << QList<quint64> {2, 4};
    QTest::newRow("all closed") << QList<quint64> {1, 2} << QList<quint64>();
    QTest::newRow("replaced") << QList<quint64> {1, 2} << QList<quint64> {5, 6};
    QTest::newRow("interleaved") << QList<quint64> {1, 3, 5} << QList<quint64> {2, 3, 4, 6};
}

void tst_ConnectionsModel::mergeKeepsConnectionOrder()
{
    QFETCH(QList<quint64>, before);
    QFETCH(QList<quint64>, after);

    ConnectionsModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.update(makeConnections(before));
    QSignalSpy resetSpy(&model, &QAbstractItemModel::modelReset);

    model.update(makeConnections(after));

    QList<quint64> expected = after;
    std::sort(expected.begin(), expected.end());
    QCOMPARE(connectionIds(model), expected);
    QCOMPARE(resetSpy.count(), 0);
}

void tst_ConnectionsModel::changedRowEmitsDataChanged()
{
    ConnectionsModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.update({makeConnection(1, QStringLiteral("A"), 0),
        makeConnection(2, QStringLiteral("B"), 0), makeConnection(3, QStringLiteral("C"), 0)});
    QSignalSpy changedSpy(&model, &QAbstractItemModel::dataChanged);
    QSignalSpy insertedSpy(&model, &QAbstractItemModel::rowsInserted);
    QSignalSpy removedSpy(&model, &QAbstractItemModel::rowsRemoved);

    model.update({makeConnection(1, QStringLiteral("A"), 0),
        makeConnection(2, QStringLiteral("B"), 4), makeConnection(3, QStringLiteral("C"), 0)});

    QCOMPARE(changedSpy.count(), 1);
    QCOMPARE(changedSpy.at(0).at(0).toModelIndex().row(), 1);
    QCOMPARE(changedSpy.at(0).at(1).toModelIndex().row(), 1);
    QCOMPARE(insertedSpy.count(), 0);
    QCOMPARE(removedSpy.count(), 0);
    QCOMPARE(model.index(1, ConnectionsModel::EventsSent).data().toString(), QStringLiteral("4"));
}

void tst_ConnectionsModel::unchangedListingEmitsNothing()
{
    ConnectionsModel model;
    model.update(makeConnections({1, 2}));
    QSignalSpy changedSpy(&model, &QAbstractItemModel::dataChanged);
    QSignalSpy insertedSpy(&model, &QAbstractItemModel::rowsInserted);
    QSignalSpy removedSpy(&model, &QAbstractItemModel::rowsRemoved);

    model.update(makeConnections({2, 1}));

    QCOMPARE(changedSpy.count(), 0);
    QCOMPARE(insertedSpy.count(), 0);
    QCOMPARE(removedSpy.count(), 0);
}

void tst_ConnectionsModel::persistentIndexFollowsConnection()
{
    ConnectionsModel model;
    model.update(makeConnections({2, 4}));
    const QPersistentModelIndex stream4 = model.index(1, ConnectionsModel::OrderId);

    model.update(makeConnections({1, 3, 4}));

    QVERIFY(stream4.isValid());
    QCOMPARE(stream4.row(), 2);
    QCOMPARE(model.rowOfConnection(4), 2);
    QCOMPARE(model.rowOfConnection(2), -1);
}

void tst_ConnectionsModel::cellData()
{
    StreamConnection connection = makeConnection(7, QStringLiteral("ORD-7"), 12345);
    connection.info.subject = QStringLiteral("user-42");
    connection.info.lastEventId = 88;
    connection.lastSentId = 100;
    ConnectionsModel model;
    model.update({connection});

    const auto cell = [&model](int column, int role = Qt::DisplayRole) {
        return model.index(0, column).data(role);
    };
    QCOMPARE(cell(ConnectionsModel::Client).toString(), QStringLiteral("127.0.0.1:40007"));
    QCOMPARE(cell(ConnectionsModel::OrderId).toString(), QStringLiteral("ORD-7"));
    QCOMPARE(cell(ConnectionsModel::Subject).toString(), QStringLiteral("user-42"));
    QCOMPARE(cell(ConnectionsModel::EventsSent).toString(), QLocale().toString(12345));
    QCOMPARE(cell(ConnectionsModel::EventsSent, ConnectionsModel::RawValueRole).toULongLong(),
        quint64(12345));
    QCOMPARE(cell(ConnectionsModel::LastSentId).toString(), QStringLiteral("100"));
    QCOMPARE(cell(ConnectionsModel::ResumedFrom).toString(), QStringLiteral("88"));
    QCOMPARE(cell(ConnectionsModel::ConnectedSince, ConnectionsModel::RawValueRole).toDateTime(),
        connection.info.connectedAt);
    const QString connectedToolTip
        = cell(ConnectionsModel::ConnectedSince, Qt::ToolTipRole).toString();
    QVERIFY2(connectedToolTip.contains(QStringLiteral("2024-03-01T12:00:00.000Z")),
        qPrintable(connectedToolTip));
    QVERIFY(!model.index(0, ConnectionsModel::ColumnCount - 1).data().isNull());
    QVERIFY(!model.index(0, ConnectionsModel::ColumnCount).isValid());
}

void tst_ConnectionsModel::missingValuesShowDash()
{
    ConnectionsModel model;
    model.update({makeConnection(1, QStringLiteral("ORD-1"), 0)});

    const QString dash = QStringLiteral("\u2014");
    QCOMPARE(model.index(0, ConnectionsModel::Subject).data().toString(), dash);
    QCOMPARE(model.index(0, ConnectionsModel::LastSentId).data().toString(), dash);
    QCOMPARE(model.index(0, ConnectionsModel::ResumedFrom).data().toString(), dash);
    QVERIFY(!model.index(0, ConnectionsModel::ResumedFrom)
                 .data(ConnectionsModel::RawValueRole)
                 .isValid());
}

void tst_ConnectionsModel::ipv6ClientInBrackets()
{
    StreamConnection connection = makeConnection(1, QStringLiteral("ORD-1"));
    connection.info.remoteAddress = QStringLiteral("::1");
    connection.info.remotePort = 51234;
    ConnectionsModel model;
    model.update({connection});

    QCOMPARE(
        model.index(0, ConnectionsModel::Client).data().toString(), QStringLiteral("[::1]:51234"));
}

void tst_ConnectionsModel::proxyFiltersFocusedOrder()
{
    ConnectionsModel model;
    FocusedOrderFilterModel proxy(ConnectionsModel::OrderId);
    proxy.setSourceModel(&model);
    QAbstractItemModelTester sourceTester(
        &model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QAbstractItemModelTester proxyTester(
        &proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.update({makeConnection(1, QStringLiteral("A")), makeConnection(2, QStringLiteral("B")),
        makeConnection(3, QStringLiteral("A"))});
    QCOMPARE(proxy.rowCount(), 3);

    proxy.setFocusedOrderId(QStringLiteral("A"));
    QCOMPARE(proxy.rowCount(), 2);

    // New streams of other orders stay out, and new ones of the focused order come in.
    model.update({makeConnection(1, QStringLiteral("A")), makeConnection(2, QStringLiteral("B")),
        makeConnection(3, QStringLiteral("A")), makeConnection(4, QStringLiteral("B")),
        makeConnection(5, QStringLiteral("A"))});
    QCOMPARE(proxy.rowCount(), 3);

    proxy.setFocusedOrderId({});
    QCOMPARE(proxy.rowCount(), 5);
}

void tst_ConnectionsModel::proxySortsOnRawValues()
{
    ConnectionsModel model;
    FocusedOrderFilterModel proxy(ConnectionsModel::OrderId);
    proxy.setSourceModel(&model);
    QAbstractItemModelTester proxyTester(
        &proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
    // 9 sorts after 10 as text, before it as a number.
    model.update({makeConnection(1, QStringLiteral("A"), 10),
        makeConnection(2, QStringLiteral("B"), 9), makeConnection(3, QStringLiteral("C"), 1000)});

    proxy.sort(ConnectionsModel::EventsSent, Qt::AscendingOrder);

    QCOMPARE(proxy.index(0, ConnectionsModel::OrderId).data().toString(), QStringLiteral("B"));
    QCOMPARE(proxy.index(1, ConnectionsModel::OrderId).data().toString(), QStringLiteral("A"));
    QCOMPARE(proxy.index(2, ConnectionsModel::OrderId).data().toString(), QStringLiteral("C"));
}

QTEST_MAIN(tst_ConnectionsModel)
#include "tst_connectionsmodel.moc"
