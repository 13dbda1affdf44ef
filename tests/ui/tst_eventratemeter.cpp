#include "eventratemeter.h"

#include <QTest>

class tst_EventRateMeter : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void counts_data();
    void counts();
};

// Each reading is {time in ms, eventsPublished total}, and the window is 60 s.
using Readings = QList<QPair<qint64, quint64>>;

void tst_EventRateMeter::counts_data()
{
    QTest::addColumn<Readings>("readings");
    QTest::addColumn<quint64>("expectedEvents");
    QTest::addColumn<qint64>("expectedCoveredMs");

    QTest::newRow("no reading") << Readings{} << quint64(0) << qint64(0);
    QTest::newRow("one reading") << Readings{{0, 500}} << quint64(0) << qint64(0);
    QTest::newRow("less than a window")
            << Readings{{0, 100}, {250, 103}, {10000, 130}} << quint64(30) << qint64(10000);
    QTest::newRow("exactly one window")
            << Readings{{0, 100}, {30000, 150}, {60000, 220}} << quint64(120) << qint64(60000);
    QTest::newRow("older readings leave the window")
            << Readings{{0, 0}, {30000, 1000}, {60000, 1100}, {90000, 1300}}
            << quint64(300) << qint64(60000);
    QTest::newRow("baseline is the last reading at or before the window start")
            << Readings{{0, 0}, {59000, 10}, {61000, 20}, {120000, 25}}
            << quint64(15) << qint64(61000);
    QTest::newRow("idle server") << Readings{{0, 40}, {30000, 40}, {70000, 40}} << quint64(0)
                                 << qint64(70000);
    QTest::newRow("total going down restarts the count")
            << Readings{{0, 500}, {1000, 600}, {2000, 3}, {3000, 10}} << quint64(7) << qint64(1000);
}

void tst_EventRateMeter::counts()
{
    QFETCH(Readings, readings);
    QFETCH(quint64, expectedEvents);
    QFETCH(qint64, expectedCoveredMs);

    EventRateMeter meter;
    for (const auto &[timeMs, total] : readings)
        meter.addReading(timeMs, total);

    QCOMPARE(meter.eventsInWindow(), expectedEvents);
    QCOMPARE(meter.coveredMs(), expectedCoveredMs);
}

QTEST_APPLESS_MAIN(tst_EventRateMeter)
#include "tst_eventratemeter.moc"
