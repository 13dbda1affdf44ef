#include "clustermodels.h"
#include "clusterpanel.h"
#include "orderstreamservice.h"
#include "redistestserver.h"
#include "ssetestclient.h"
#include "testservice.h"

#include <QAbstractItemModelTester>
#include <QLabel>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

// The Cluster tab's models on their own, and the panel over two real
// instances sharing a real redis-server.
class tst_ClusterPanel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void instancesMergeKeepsRows();
    void ordersAddUpAcrossInstances();
    void panelShowsBothInstancesAndTotals();
    void panelExplainsTheJournalWithoutRedis();

private:
    static ClusterInstance instance(const QString &id, QHash<QString, int> orders)
    {
        ClusterInstance result;
        result.instanceId = id;
        result.address = QStringLiteral("127.0.0.1:80");
        int connections = 0;
        for (int count : std::as_const(orders))
            connections += count;
        result.connections = connections;
        result.subscribersPerOrder = std::move(orders);
        return result;
    }
};

void tst_ClusterPanel::instancesMergeKeepsRows()
{
    ClusterInstancesModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);

    model.update({instance(QStringLiteral("b"), {}), instance(QStringLiteral("a"), {})});
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.instance(0).instanceId, QStringLiteral("a"));

    QPersistentModelIndex b = model.index(1, ClusterInstancesModel::Connections);
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
    model.update({instance(QStringLiteral("b"), {{QStringLiteral("ORD-1"), 4}}),
                  instance(QStringLiteral("c"), {})});
    QCOMPARE(removed.size(), 1);
    QCOMPARE(changed.size(), 1);
    QVERIFY(b.isValid());
    QCOMPARE(b.row(), 0);
    QCOMPARE(b.data().toString(), QStringLiteral("4"));
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.instance(1).instanceId, QStringLiteral("c"));
}

void tst_ClusterPanel::ordersAddUpAcrossInstances()
{
    const QList<ClusterOrder> totals = ClusterOrdersModel::totals(
            {instance(QStringLiteral("a"), {{QStringLiteral("ORD-1"), 2}, {QStringLiteral("ORD-2"), 1}}),
             instance(QStringLiteral("b"), {{QStringLiteral("ORD-1"), 3}})});
    QCOMPARE(totals.size(), 2);
    QCOMPARE(totals[0].orderId, QStringLiteral("ORD-1"));
    QCOMPARE(totals[0].subscribers, 5);
    QCOMPARE(totals[1].subscribers, 1);

    ClusterOrdersModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.update(totals);
    QCOMPARE(model.index(0, ClusterOrdersModel::Instances).data().toString(),
             QStringLiteral("a: 2, b: 3"));
    model.update({});
    QCOMPARE(model.rowCount(), 0);
}

void tst_ClusterPanel::panelShowsBothInstancesAndTotals()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    RedisTestServer redis(dir.path());
    QString error;
    QVERIFY2(redis.start(&error), qPrintable(error));

    std::unique_ptr<OrderStreamService> services[2];
    for (int i = 0; i < 2; ++i) {
        ServerConfig config = testServerConfig(dir, 1);
        config.journalPath.clear();
        config.redisUrl = redis.url();
        config.instanceId = QStringLiteral("node-%1").arg(i + 1);
        config.presenceIntervalMs = 100;
        QVERIFY2(startTestService(services[i], config, &error), qPrintable(error));
    }

    SseTestClient first;
    SseTestClient second;
    first.open(services[0]->port(), "/orders/ORD-42/events");
    second.open(services[1]->port(), "/orders/ORD-42/events");
    QTRY_VERIFY(first.headComplete() && second.headComplete());

    ClusterPanel panel(services[0].get());
    panel.show();
    QTRY_COMPARE(panel.instancesModel()->rowCount(), 2);
    QVERIFY(panel.instancesModel()->instance(0).isSelf);
    QTRY_COMPARE(panel.ordersModel()->rowCount(), 1);
    QTRY_COMPARE(panel.ordersModel()->order(0).subscribers, 2);
    QVERIFY(panel.statusLabel()->text().contains(QLatin1String("2 instance(s)")));

    redis.stop();
    QTRY_VERIFY_WITH_TIMEOUT(panel.statusLabel()->text().startsWith(QLatin1String("Redis unreachable")),
                             10000);
}

void tst_ClusterPanel::panelExplainsTheJournalWithoutRedis()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    std::unique_ptr<OrderStreamService> service;
    QString error;
    QVERIFY2(startTestService(service, testServerConfig(dir, 1), &error), qPrintable(error));

    ClusterPanel panel(service.get());
    panel.show();
    QVERIFY(panel.statusLabel()->text().contains(QLatin1String("SQLite journal")));
    QCOMPARE(panel.instancesModel()->rowCount(), 0);
}

QTEST_MAIN(tst_ClusterPanel)
#include "tst_clusterpanel.moc"
