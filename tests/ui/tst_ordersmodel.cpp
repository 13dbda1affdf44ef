#include "ordersmodel.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QTest>

namespace {

OrderSummary makeOrder(const QString &orderId, int subscribers = 0, const QString &status = {})
{
    OrderSummary order;
    order.orderId = orderId;
    order.subscribers = subscribers;
    order.lastStatus = status;
    return order;
}

QList<OrderSummary> makeOrders(const QStringList &orderIds)
{
    QList<OrderSummary> orders;
    for (const QString &orderId : orderIds)
        orders.append(makeOrder(orderId));
    return orders;
}

QStringList orderIds(const OrdersModel &model)
{
    QStringList ids;
    for (int row = 0; row < model.rowCount(); ++row)
        ids.append(model.order(row).orderId);
    return ids;
}

} // namespace

class tst_OrdersModel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void mergeKeepsSnapshotOrder_data();
    void mergeKeepsSnapshotOrder();
    void insertsNewOrdersInOneBlock();
    void removesMissingOrdersInOneBlock();
    void changedRowEmitsDataChanged();
    void unchangedSnapshotEmitsNothing();
    void persistentIndexFollowsOrder();
    void cellData();
    void rowOfOrder();
    void proxySortsOnRawValues();
};

void tst_OrdersModel::mergeKeepsSnapshotOrder_data()
{
    QTest::addColumn<QStringList>("before");
    QTest::addColumn<QStringList>("after");

    const QStringList abc{QStringLiteral("A"), QStringLiteral("B"), QStringLiteral("C")};
    QTest::newRow("first snapshot") << QStringList() << abc;
    QTest::newRow("insert at front") << QStringList{QStringLiteral("B"), QStringLiteral("C")} << abc;
    QTest::newRow("insert in middle") << QStringList{QStringLiteral("A"), QStringLiteral("C")} << abc;
    QTest::newRow("insert at end") << QStringList{QStringLiteral("A"), QStringLiteral("B")} << abc;
    QTest::newRow("remove front") << abc << QStringList{QStringLiteral("B"), QStringLiteral("C")};
    QTest::newRow("remove middle") << abc << QStringList{QStringLiteral("A"), QStringLiteral("C")};
    QTest::newRow("remove end") << abc << QStringList{QStringLiteral("A"), QStringLiteral("B")};
    QTest::newRow("remove all") << abc << QStringList();
    QTest::newRow("replace all") << abc
                                 << QStringList{QStringLiteral("D"), QStringLiteral("E")};
    QTest::newRow("interleaved")
            << QStringList{QStringLiteral("A"), QStringLiteral("C"), QStringLiteral("E")}
            << QStringList{QStringLiteral("B"), QStringLiteral("C"), QStringLiteral("D"),
                           QStringLiteral("F")};
}

void tst_OrdersModel::mergeKeepsSnapshotOrder()
{
    QFETCH(QStringList, before);
    QFETCH(QStringList, after);

    OrdersModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy resetSpy(&model, &QAbstractItemModel::modelReset);

    model.update(makeOrders(before));
    QCOMPARE(orderIds(model), before);
    model.update(makeOrders(after));
    QCOMPARE(orderIds(model), after);
    QCOMPARE(resetSpy.count(), 0);
}

void tst_OrdersModel::insertsNewOrdersInOneBlock()
{
    OrdersModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.update(makeOrders({QStringLiteral("A"), QStringLiteral("Z")}));
    QSignalSpy insertSpy(&model, &QAbstractItemModel::rowsInserted);

    model.update(makeOrders({QStringLiteral("A"), QStringLiteral("B"), QStringLiteral("C"),
                             QStringLiteral("D"), QStringLiteral("Z")}));

    QCOMPARE(insertSpy.count(), 1);
    QCOMPARE(insertSpy.at(0).at(1).toInt(), 1);
    QCOMPARE(insertSpy.at(0).at(2).toInt(), 3);
}

void tst_OrdersModel::removesMissingOrdersInOneBlock()
{
    OrdersModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.update(makeOrders({QStringLiteral("A"), QStringLiteral("B"), QStringLiteral("C"),
                             QStringLiteral("D")}));
    QSignalSpy removeSpy(&model, &QAbstractItemModel::rowsRemoved);

    model.update(makeOrders({QStringLiteral("A"), QStringLiteral("D")}));

    QCOMPARE(removeSpy.count(), 1);
    QCOMPARE(removeSpy.at(0).at(1).toInt(), 1);
    QCOMPARE(removeSpy.at(0).at(2).toInt(), 2);
}

void tst_OrdersModel::changedRowEmitsDataChanged()
{
    OrdersModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.update({makeOrder(QStringLiteral("A"), 1), makeOrder(QStringLiteral("B"), 1),
                  makeOrder(QStringLiteral("C"), 1)});
    QSignalSpy changedSpy(&model, &QAbstractItemModel::dataChanged);
    QSignalSpy insertSpy(&model, &QAbstractItemModel::rowsInserted);
    QSignalSpy removeSpy(&model, &QAbstractItemModel::rowsRemoved);

    model.update({makeOrder(QStringLiteral("A"), 1), makeOrder(QStringLiteral("B"), 2),
                  makeOrder(QStringLiteral("C"), 1)});

    QCOMPARE(changedSpy.count(), 1);
    const auto topLeft = changedSpy.at(0).at(0).value<QModelIndex>();
    const auto bottomRight = changedSpy.at(0).at(1).value<QModelIndex>();
    QCOMPARE(topLeft.row(), 1);
    QCOMPARE(bottomRight.row(), 1);
    QCOMPARE(topLeft.column(), 0);
    QCOMPARE(bottomRight.column(), OrdersModel::ColumnCount - 1);
    QCOMPARE(insertSpy.count(), 0);
    QCOMPARE(removeSpy.count(), 0);
    QCOMPARE(model.order(1).subscribers, 2);
}

void tst_OrdersModel::unchangedSnapshotEmitsNothing()
{
    OrdersModel model;
    const QList<OrderSummary> orders{makeOrder(QStringLiteral("A"), 1, QStringLiteral("Active")),
                                     makeOrder(QStringLiteral("B"), 0, QStringLiteral("Failed"))};
    model.update(orders);
    QSignalSpy changedSpy(&model, &QAbstractItemModel::dataChanged);
    QSignalSpy insertSpy(&model, &QAbstractItemModel::rowsInserted);
    QSignalSpy removeSpy(&model, &QAbstractItemModel::rowsRemoved);

    model.update(orders);

    QCOMPARE(changedSpy.count(), 0);
    QCOMPARE(insertSpy.count(), 0);
    QCOMPARE(removeSpy.count(), 0);
}

void tst_OrdersModel::persistentIndexFollowsOrder()
{
    OrdersModel model;
    model.update(makeOrders({QStringLiteral("B"), QStringLiteral("D")}));
    const QPersistentModelIndex orderD(model.index(1, OrdersModel::OrderId));

    model.update(makeOrders({QStringLiteral("A"), QStringLiteral("C"), QStringLiteral("D")}));

    QVERIFY(orderD.isValid());
    QCOMPARE(orderD.row(), 2);
    QCOMPARE(orderD.data().toString(), QStringLiteral("D"));
}

void tst_OrdersModel::cellData()
{
    OrdersModel model;
    OrderSummary order = makeOrder(QStringLiteral("ORD-1"), 3, QStringLiteral("Active"));
    order.lastStage = QStringLiteral("completed");
    order.lastEventId = 42;
    order.eventCount = 5;
    order.lastEventTime = QDateTime(QDate(2024, 5, 1), QTime(12, 30, 15), Qt::UTC);
    OrderSummary watchedOnly = makeOrder(QStringLiteral("ORD-2"), 1);
    model.update({order, watchedOnly});

    const auto cell = [&model](int row, int column, int role) {
        return model.index(row, column).data(role);
    };
    QCOMPARE(cell(0, OrdersModel::OrderId, Qt::DisplayRole).toString(), QStringLiteral("ORD-1"));
    QCOMPARE(cell(0, OrdersModel::Subscribers, OrdersModel::RawValueRole).toInt(), 3);
    QCOMPARE(cell(0, OrdersModel::LastStatus, Qt::DisplayRole).toString(), QStringLiteral("Active"));
    QCOMPARE(cell(0, OrdersModel::LastStage, Qt::DisplayRole).toString(),
             QStringLiteral("completed"));
    QCOMPARE(cell(0, OrdersModel::LastEventTime, OrdersModel::RawValueRole).toDateTime(),
             order.lastEventTime);
    const QString toolTip = cell(0, OrdersModel::LastEventTime, Qt::ToolTipRole).toString();
    QVERIFY2(toolTip.contains(QStringLiteral("2024-05-01T12:30:15.000Z")), qPrintable(toolTip));
    QVERIFY2(toolTip.contains(QStringLiteral("42")), qPrintable(toolTip));

    QVERIFY(!cell(1, OrdersModel::LastEventTime, Qt::DisplayRole).isValid());
    QVERIFY(!cell(1, OrdersModel::LastEventTime, Qt::ToolTipRole).toString().isEmpty());
    QVERIFY(!model.index(0, OrdersModel::ColumnCount).isValid());
}

void tst_OrdersModel::rowOfOrder()
{
    OrdersModel model;
    model.update(makeOrders({QStringLiteral("A"), QStringLiteral("C"), QStringLiteral("E")}));

    QCOMPARE(model.rowOfOrder(QStringLiteral("A")), 0);
    QCOMPARE(model.rowOfOrder(QStringLiteral("E")), 2);
    QCOMPARE(model.rowOfOrder(QStringLiteral("B")), -1);
    QCOMPARE(model.rowOfOrder(QStringLiteral("Z")), -1);
}

void tst_OrdersModel::proxySortsOnRawValues()
{
    OrdersModel model;
    QSortFilterProxyModel proxy;
    proxy.setSourceModel(&model);
    proxy.setSortRole(OrdersModel::RawValueRole);
    QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
    proxy.sort(OrdersModel::Subscribers, Qt::DescendingOrder);

    model.update({makeOrder(QStringLiteral("A"), 9), makeOrder(QStringLiteral("B"), 10),
                  makeOrder(QStringLiteral("C"), 2)});

    // As text, "9" sorts above "10", but as a number it sorts below.
    QCOMPARE(proxy.index(0, OrdersModel::OrderId).data().toString(), QStringLiteral("B"));
    QCOMPARE(proxy.index(1, OrdersModel::OrderId).data().toString(), QStringLiteral("A"));
    QCOMPARE(proxy.index(2, OrdersModel::OrderId).data().toString(), QStringLiteral("C"));

    model.update({makeOrder(QStringLiteral("A"), 9), makeOrder(QStringLiteral("B"), 1),
                  makeOrder(QStringLiteral("C"), 2)});
    QCOMPARE(proxy.index(0, OrdersModel::OrderId).data().toString(), QStringLiteral("A"));
    QCOMPARE(proxy.index(2, OrdersModel::OrderId).data().toString(), QStringLiteral("B"));
}

QTEST_GUILESS_MAIN(tst_OrdersModel)
#include "tst_ordersmodel.moc"
