#include "eventfiltermodel.h"
#include "eventsmodel.h"

#include <QAbstractItemModelTester>
#include <QTest>

namespace {

OrderEvent makeEvent(quint64 id, const QString &orderId)
{
    OrderEvent event;
    event.id = id;
    event.orderId = orderId;
    event.type = QLatin1String(OrderEventType::Update);
    event.status = QStringLiteral("Active");
    event.time = QDateTime(QDate(2024, 5, 1), QTime(12, 0), Qt::UTC).addSecs(qint64(id));
    return event;
}

QList<quint64> proxyIds(const QAbstractItemModel &proxy)
{
    QList<quint64> ids;
    for (int row = 0; row < proxy.rowCount(); ++row)
        ids.append(proxy.index(row, EventsModel::Id).data(EventsModel::RawValueRole).toULongLong());
    return ids;
}

} // namespace

class tst_EventFilterModel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void filters_data();
    void filters();
    void appendedRowsAreFiltered();
    void sortsIdsAsNumbers();

private:
    EventsModel *m_model = nullptr;
    EventFilterModel *m_proxy = nullptr;
    QAbstractItemModelTester *m_modelTester = nullptr;
    QAbstractItemModelTester *m_proxyTester = nullptr;
};

void tst_EventFilterModel::init()
{
    m_model = new EventsModel(this);
    m_proxy = new EventFilterModel(this);
    m_proxy->setSourceModel(m_model);
    m_modelTester = new QAbstractItemModelTester(
            m_model, QAbstractItemModelTester::FailureReportingMode::QtTest, this);
    m_proxyTester = new QAbstractItemModelTester(
            m_proxy, QAbstractItemModelTester::FailureReportingMode::QtTest, this);
    m_proxy->sort(EventsModel::Id, Qt::AscendingOrder);

    m_model->append({makeEvent(1, QStringLiteral("ORD-1")), makeEvent(2, QStringLiteral("ORD-10")),
                     makeEvent(3, QStringLiteral("ord-2")), makeEvent(4, QStringLiteral("ORD-1")),
                     makeEvent(5, QStringLiteral("X-9"))});
}

void tst_EventFilterModel::cleanup()
{
    delete m_proxyTester;
    delete m_modelTester;
    delete m_proxy;
    delete m_model;
}

void tst_EventFilterModel::filters_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("focusedOrderId");
    QTest::addColumn<QList<quint64>>("expectedIds");

    QTest::newRow("no filter") << QString() << QString() << QList<quint64>{1, 2, 3, 4, 5};
    QTest::newRow("text is a case-insensitive substring")
            << QStringLiteral("ord-1") << QString() << QList<quint64>{1, 2, 4};
    QTest::newRow("text ignores surrounding spaces")
            << QStringLiteral("  X-9 ") << QString() << QList<quint64>{5};
    QTest::newRow("text matching nothing") << QStringLiteral("none") << QString() << QList<quint64>{};
    QTest::newRow("focused order is exact")
            << QString() << QStringLiteral("ORD-1") << QList<quint64>{1, 4};
    QTest::newRow("focused order is case-sensitive")
            << QString() << QStringLiteral("ord-1") << QList<quint64>{};
    QTest::newRow("text and focused order combine")
            << QStringLiteral("10") << QStringLiteral("ORD-10") << QList<quint64>{2};
    QTest::newRow("text excluding the focused order")
            << QStringLiteral("X") << QStringLiteral("ORD-1") << QList<quint64>{};
}

void tst_EventFilterModel::filters()
{
    QFETCH(QString, text);
    QFETCH(QString, focusedOrderId);
    QFETCH(QList<quint64>, expectedIds);

    m_proxy->setOrderIdText(text);
    m_proxy->setFocusedOrderId(focusedOrderId);
    QCOMPARE(proxyIds(*m_proxy), expectedIds);

    m_proxy->setOrderIdText({});
    m_proxy->setFocusedOrderId({});
    QCOMPARE(proxyIds(*m_proxy), (QList<quint64>{1, 2, 3, 4, 5}));
}

void tst_EventFilterModel::appendedRowsAreFiltered()
{
    m_proxy->setFocusedOrderId(QStringLiteral("ORD-1"));

    m_model->append({makeEvent(6, QStringLiteral("ORD-1")), makeEvent(7, QStringLiteral("ORD-3"))});
    QCOMPARE(proxyIds(*m_proxy), (QList<quint64>{1, 4, 6}));

    m_model->setMaxRows(3);
    QCOMPARE(proxyIds(*m_proxy), (QList<quint64>{6}));
}

void tst_EventFilterModel::sortsIdsAsNumbers()
{
    m_model->append({makeEvent(9, QStringLiteral("A")), makeEvent(10, QStringLiteral("A"))});

    m_proxy->sort(EventsModel::Id, Qt::DescendingOrder);

    // As text, "9" sorts above "10", but as a number it sorts below.
    QCOMPARE(proxyIds(*m_proxy).mid(0, 3), (QList<quint64>{10, 9, 5}));
}

QTEST_GUILESS_MAIN(tst_EventFilterModel)
#include "tst_eventfiltermodel.moc"
