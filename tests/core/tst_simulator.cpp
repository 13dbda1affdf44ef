#include "fulfilmentsimulator.h"
#include "lifecycle.h"

#include <QHash>
#include <QSignalSpy>
#include <QTest>

#include <cmath>

Q_DECLARE_METATYPE(SimulationSettings)

namespace {

// Bound on each wait for a run of 0 ms delays to finish.
constexpr int RunTimeoutMs = 30000;

// Runs a simulation to its end and returns every event it published, or an
// empty list after a failed check.
QList<OrderEvent> runToEnd(const SimulationSettings &settings,
                           const Lifecycle &lifecycle = Lifecycle::defaultLifecycle())
{
    QList<OrderEvent> events;
    FulfilmentSimulator simulator(lifecycle, [&events](const OrderEvent &event) {
        events.append(event);
    });
    QSignalSpy finished(&simulator, &FulfilmentSimulator::finished);
    QString error;
    if (!simulator.start(settings, &error)) {
        qWarning("simulation did not start: %ls", qUtf16Printable(error));
        return {};
    }
    if (!finished.wait(RunTimeoutMs) && finished.isEmpty()) {
        qWarning("simulation did not finish within %d ms", RunTimeoutMs);
        return {};
    }
    return events;
}

SimulationSettings fastSettings(int orders, double failureRate, quint32 seed)
{
    SimulationSettings settings;
    settings.orderCount = orders;
    settings.failureRate = failureRate;
    settings.seed = seed;
    settings.minDelayMs = 0;
    settings.maxDelayMs = 0;
    return settings;
}

// The stage names of each order's events, in publish order.
QHash<QString, QStringList> stagesByOrder(const QList<OrderEvent> &events)
{
    QHash<QString, QStringList> stages;
    for (const OrderEvent &event : events)
        stages[event.orderId].append(event.stage);
    return stages;
}

} // namespace

class tst_Simulator : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void everyOrderReachesFinalStage();
    void failureCountMatchesRate_data();
    void failureCountMatchesRate();
    void sameSeedGivesSameRun();
    void otherSeedGivesOtherRun();
    void transitionsFollowLifecycle();
    void singleOrderRun();
    void stopEndsRunMidway();
    void zeroDelayKeepsEventLoopRunning();
    void delaysSpaceSteps();
    void invalidSettingsAreRejected_data();
    void invalidSettingsAreRejected();
    void customLifecycleIsFollowed();
};

void tst_Simulator::everyOrderReachesFinalStage()
{
    const Lifecycle lifecycle = Lifecycle::defaultLifecycle();
    QList<OrderEvent> events;
    FulfilmentSimulator simulator(lifecycle, [&events](const OrderEvent &event) {
        events.append(event);
    });
    QSignalSpy finished(&simulator, &FulfilmentSimulator::finished);
    QSignalSpy orderFinished(&simulator, &FulfilmentSimulator::orderFinished);
    QString error;
    QVERIFY2(simulator.start(fastSettings(200, 0.25, 7), &error), qPrintable(error));
    QVERIFY(simulator.isRunning());
    QVERIFY(finished.wait(RunTimeoutMs));

    QCOMPARE(finished.size(), 1);
    QCOMPARE(finished.first().first().toBool(), false);
    QVERIFY(!simulator.isRunning());
    QCOMPARE(simulator.totalOrders(), 200);
    QCOMPARE(simulator.finishedOrders(), 200);
    QCOMPARE(orderFinished.size(), 200);
    QCOMPARE(simulator.publishedEvents(), int(events.size()));
    QCOMPARE(simulator.plannedEvents(), int(events.size()));

    const QHash<QString, QStringList> stages = stagesByOrder(events);
    QCOMPARE(stages.size(), 200);
    QVERIFY(stages.contains(QStringLiteral("SIM-0001")));
    QVERIFY(stages.contains(QStringLiteral("SIM-0200")));
    const QString success = lifecycle.successPath().last().name;
    const QString failure = lifecycle.failureStage()->name;
    for (auto it = stages.cbegin(); it != stages.cend(); ++it) {
        QVERIFY2(lifecycle.isFinal(it.value().last()), qPrintable(it.key()));
        QVERIFY2(it.value().last() == success || it.value().last() == failure, qPrintable(it.key()));
    }
    for (const OrderEvent &event : std::as_const(events)) {
        QCOMPARE(event.source, QLatin1String(OrderEventSource::Simulator));
        QCOMPARE(event.publisher, QStringLiteral("simulator"));
        QCOMPARE(event.type, QLatin1String(OrderEventType::Update));
        QVERIFY(!event.status.isEmpty());
        QCOMPARE(event.details.value(QLatin1String("seed")).toInteger(), 7);
    }
}

void tst_Simulator::failureCountMatchesRate_data()
{
    QTest::addColumn<int>("orders");
    QTest::addColumn<double>("rate");
    QTest::addColumn<int>("expectedFailures");

    QTest::newRow("none fail") << 200 << 0.0 << 0;
    QTest::newRow("a quarter fail") << 200 << 0.25 << 50;
    QTest::newRow("rounded share") << 7 << 0.3 << 2;
    QTest::newRow("all fail") << 50 << 1.0 << 50;
}

void tst_Simulator::failureCountMatchesRate()
{
    QFETCH(int, orders);
    QFETCH(double, rate);
    QFETCH(int, expectedFailures);
    const Lifecycle lifecycle = Lifecycle::defaultLifecycle();

    const QList<OrderEvent> events = runToEnd(fastSettings(orders, rate, 42));
    QVERIFY(!events.isEmpty());

    const QHash<QString, QStringList> stages = stagesByOrder(events);
    QCOMPARE(stages.size(), orders);
    int failures = 0;
    for (const QStringList &orderStages : stages) {
        if (orderStages.last() == lifecycle.failureStage()->name)
            ++failures;
    }
    QCOMPARE(failures, expectedFailures);

    // A failed order's last event gives the reason.
    for (const OrderEvent &event : events) {
        if (event.stage == lifecycle.failureStage()->name)
            QVERIFY2(!event.message.isEmpty(), qPrintable(event.orderId));
    }
}

void tst_Simulator::sameSeedGivesSameRun()
{
    SimulationSettings settings = fastSettings(60, 0.3, 1234);
    // Delays that differ per step change the interleaving of orders, which
    // the seed must reproduce too.
    settings.minDelayMs = 0;
    settings.maxDelayMs = 3;

    const QList<OrderEvent> first = runToEnd(settings);
    const QList<OrderEvent> second = runToEnd(settings);
    QVERIFY(!first.isEmpty());
    QCOMPARE(second.size(), first.size());
    for (qsizetype i = 0; i < first.size(); ++i) {
        QCOMPARE(second[i].orderId, first[i].orderId);
        QCOMPARE(second[i].stage, first[i].stage);
        QCOMPARE(second[i].status, first[i].status);
        QCOMPARE(second[i].message, first[i].message);
        QCOMPARE(second[i].details, first[i].details);
    }
}

void tst_Simulator::otherSeedGivesOtherRun()
{
    const QHash<QString, QStringList> first = stagesByOrder(runToEnd(fastSettings(60, 0.3, 1)));
    const QHash<QString, QStringList> second = stagesByOrder(runToEnd(fastSettings(60, 0.3, 2)));
    QCOMPARE(first.size(), 60);
    QCOMPARE(second.size(), 60);
    QVERIFY(first != second);
}

void tst_Simulator::transitionsFollowLifecycle()
{
    const Lifecycle lifecycle = Lifecycle::defaultLifecycle();
    const QList<OrderEvent> events = runToEnd(fastSettings(200, 0.5, 99));
    QVERIFY(!events.isEmpty());

    QHash<QString, QString> current;
    for (const OrderEvent &event : events) {
        const QString from = current.value(event.orderId);
        QVERIFY2(lifecycle.isAllowed(from, event.stage),
                 qPrintable(QStringLiteral("%1: %2 -> %3").arg(event.orderId, from, event.stage)));
        current.insert(event.orderId, event.stage);
    }
}

void tst_Simulator::singleOrderRun()
{
    SimulationSettings settings = fastSettings(1, 0.0, 5);
    settings.orderId = QStringLiteral("ORD-77");
    const QList<OrderEvent> events = runToEnd(settings);

    QStringList stages;
    for (const OrderEvent &event : events) {
        QCOMPARE(event.orderId, QStringLiteral("ORD-77"));
        stages.append(event.stage);
    }
    QStringList expected;
    for (const LifecycleStage &stage : Lifecycle::defaultLifecycle().successPath())
        expected.append(stage.name);
    QCOMPARE(stages, expected);
}

void tst_Simulator::stopEndsRunMidway()
{
    int published = 0;
    FulfilmentSimulator simulator(Lifecycle::defaultLifecycle(),
                                  [&published](const OrderEvent &) { ++published; });
    QSignalSpy finished(&simulator, &FulfilmentSimulator::finished);
    SimulationSettings settings = fastSettings(5, 0.0, 3);
    settings.minDelayMs = 50;
    settings.maxDelayMs = 100;
    QString error;
    QVERIFY2(simulator.start(settings, &error), qPrintable(error));
    QTRY_VERIFY(published > 0);

    simulator.stop();
    QCOMPARE(finished.size(), 1);
    QCOMPARE(finished.first().first().toBool(), true);
    QVERIFY(!simulator.isRunning());
    const int publishedAtStop = published;
    QVERIFY(publishedAtStop < simulator.plannedEvents());

    // Nothing is published after stop(), in the time the remaining steps
    // would have taken, and a new run may start.
    QTest::qWait(300);
    QCOMPARE(published, publishedAtStop);
    QCOMPARE(finished.size(), 1);
    QVERIFY2(simulator.start(fastSettings(2, 0.0, 3), &error), qPrintable(error));
    QVERIFY(finished.wait(RunTimeoutMs));
    QCOMPARE(finished.last().first().toBool(), false);
}

void tst_Simulator::zeroDelayKeepsEventLoopRunning()
{
    // A timer of another object must fire while a large 0 ms run is going.
    int published = 0;
    FulfilmentSimulator simulator(Lifecycle::defaultLifecycle(),
                                  [&published](const OrderEvent &) { ++published; });
    QSignalSpy finished(&simulator, &FulfilmentSimulator::finished);
    QString error;
    QVERIFY2(simulator.start(fastSettings(5000, 0.1, 11), &error), qPrintable(error));

    int publishedWhenTimerFired = -1;
    QTimer::singleShot(0, this, [&] { publishedWhenTimerFired = published; });
    QTRY_VERIFY(publishedWhenTimerFired >= 0);
    QVERIFY(publishedWhenTimerFired < simulator.plannedEvents());

    QVERIFY(finished.wait(RunTimeoutMs));
    QCOMPARE(simulator.finishedOrders(), 5000);
}

void tst_Simulator::delaysSpaceSteps()
{
    QElapsedTimer clock;
    QList<qint64> times;
    FulfilmentSimulator simulator(Lifecycle::defaultLifecycle(),
                                  [&](const OrderEvent &) { times.append(clock.elapsed()); });
    QSignalSpy finished(&simulator, &FulfilmentSimulator::finished);
    SimulationSettings settings = fastSettings(1, 0.0, 8);
    settings.minDelayMs = 40;
    settings.maxDelayMs = 60;
    QString error;
    clock.start();
    QVERIFY2(simulator.start(settings, &error), qPrintable(error));
    QVERIFY(finished.wait(RunTimeoutMs));

    // Each step waits at least the minimum delay after the one before it.
    QCOMPARE(times.size(), Lifecycle::defaultLifecycle().successPath().size());
    QVERIFY(times.first() >= 40);
    for (qsizetype i = 1; i < times.size(); ++i)
        QVERIFY2(times[i] - times[i - 1] >= 20, qPrintable(QString::number(times[i] - times[i - 1])));
    QVERIFY(times.last() >= 40 * times.size());
}

void tst_Simulator::invalidSettingsAreRejected_data()
{
    QTest::addColumn<SimulationSettings>("settings");
    QTest::addColumn<QString>("message");

    SimulationSettings noOrders = fastSettings(0, 0.0, 1);
    QTest::newRow("no orders") << noOrders << QStringLiteral("invalid order count 0");
    SimulationSettings tooMany = fastSettings(MaxSimulatedOrders + 1, 0.0, 1);
    QTest::newRow("too many orders") << tooMany << QStringLiteral("invalid order count");
    SimulationSettings rate = fastSettings(5, 1.5, 1);
    QTest::newRow("rate above 1") << rate << QStringLiteral("invalid failure rate 1.5");
    SimulationSettings delays = fastSettings(5, 0.0, 1);
    delays.minDelayMs = 100;
    delays.maxDelayMs = 10;
    QTest::newRow("minimum above maximum") << delays << QStringLiteral("invalid delay 100-10 ms");
    SimulationSettings badId = fastSettings(1, 0.0, 1);
    badId.orderId = QStringLiteral("A/B");
    QTest::newRow("invalid order id") << badId << QStringLiteral("invalid order id \"A/B\"");
    SimulationSettings badPrefix = fastSettings(5, 0.0, 1);
    badPrefix.idPrefix = QStringLiteral("SIM ");
    QTest::newRow("prefix with space") << badPrefix << QStringLiteral("invalid order id prefix");
}

void tst_Simulator::invalidSettingsAreRejected()
{
    QFETCH(SimulationSettings, settings);
    QFETCH(QString, message);

    int published = 0;
    FulfilmentSimulator simulator(Lifecycle::defaultLifecycle(),
                                  [&published](const OrderEvent &) { ++published; });
    QString error;
    QVERIFY(!simulator.start(settings, &error));
    QVERIFY2(error.contains(message), qPrintable(error));
    QVERIFY(!simulator.isRunning());
    QCOMPARE(simulator.publishedEvents(), 0);
    QCOMPARE(published, 0);
}

void tst_Simulator::customLifecycleIsFollowed()
{
    QString error;
    const std::optional<Lifecycle> lifecycle = Lifecycle::fromJson(R"({
        "stages": [
            {"name": "Placed"}, {"name": "Shipped", "status": "On its way"},
            {"name": "Delivered", "final": true},
            {"name": "Lost", "final": true, "failure": true}
        ],
        "initial": ["Placed"],
        "transitions": {"Placed": ["Shipped"], "Shipped": ["Delivered", "Lost"]}
    })", &error);
    QVERIFY2(lifecycle, qPrintable(error));

    const QList<OrderEvent> events = runToEnd(fastSettings(10, 0.5, 21), *lifecycle);
    const QHash<QString, QStringList> stages = stagesByOrder(events);
    QCOMPARE(stages.size(), 10);
    int lost = 0;
    for (const QStringList &orderStages : stages) {
        // Only Shipped may go to Lost, so every failing order ships first.
        if (orderStages.last() == QLatin1String("Lost")) {
            ++lost;
            QCOMPARE(orderStages, (QStringList{QStringLiteral("Placed"), QStringLiteral("Shipped"),
                                               QStringLiteral("Lost")}));
        } else {
            QCOMPARE(orderStages, (QStringList{QStringLiteral("Placed"), QStringLiteral("Shipped"),
                                               QStringLiteral("Delivered")}));
        }
    }
    QCOMPARE(lost, 5);
    for (const OrderEvent &event : events) {
        if (event.stage == QLatin1String("Shipped"))
            QCOMPARE(event.status, QStringLiteral("On its way"));
    }
}

QTEST_GUILESS_MAIN(tst_Simulator)
#include "tst_simulator.moc"
