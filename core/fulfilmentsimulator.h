#pragma once

#include "lifecycle.h"
#include "orderevent.h"

#include <QElapsedTimer>
#include <QList>
#include <QObject>
#include <QString>
#include <QTimer>

#include <functional>
#include <optional>

// Settings of one simulation run. The defaults make ten orders SIM-0001 to
// SIM-0010 that each advance every 0.2 to 1 s, one in ten of them failing.
struct SimulationSettings
{
    // Drives this one order when set; otherwise orderCount generated orders
    // named idPrefix plus a four-digit number (SIM-0001).
    QString orderId;
    int orderCount = 10;
    QString idPrefix = QStringLiteral("SIM-");
    // Delay before each step of an order, drawn uniformly from this range, in
    // milliseconds. 0 and 0 publish as fast as the event loop allows.
    int minDelayMs = 200;
    int maxDelayMs = 1000;
    // Share of the orders that end in the lifecycle's failure stage, 0 to 1.
    // Exactly orderCount * failureRate orders fail, rounded to the nearest
    // integer, so one given order fails when the rate is 0.5 or more.
    double failureRate = 0.1;
    // Same seed, same settings and same lifecycle: same orders, same events
    // in the same order, same failure points.
    quint32 seed = 1;
};

// Upper bounds that validate() enforces.
inline constexpr int MaxSimulatedOrders = 100000;
inline constexpr int MaxSimulationDelayMs = 3600 * 1000;

// Drives orders through a lifecycle, for demonstrations and load: each order
// follows Lifecycle::successPath() to its final stage, or stops part way and
// ends in Lifecycle::failureStage() with a reason in its message.
//
// Every event goes to the publish callback given to the constructor, which
// runs on the thread that owns the simulator, from a QTimer. The simulator
// fills orderId, type, status, stage, message, details, source and publisher
// ("simulator"); the callback assigns id and time by publishing. The whole run
// is planned at start() from the seed, and the events go out in plan order,
// so timer jitter never changes the sequence. Steps that are due together go
// out in batches of at most StepsPerBatch, so even 0 ms delays leave the
// event loop running between batches.
//
// The console's Simulate dialog and "orderstream simulate" use this class:
//   FulfilmentSimulator simulator(lifecycle, [&](const OrderEvent &e) { ... });
//   connect(&simulator, &FulfilmentSimulator::finished, ...);
//   if (!simulator.start(settings, &error)) ...
class FulfilmentSimulator : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(FulfilmentSimulator)

public:
    using PublishCallback = std::function<void(const OrderEvent &)>;

    // Most steps published in one timer callback.
    static constexpr int StepsPerBatch = 64;

    FulfilmentSimulator(const Lifecycle &lifecycle, PublishCallback publish,
                        QObject *parent = nullptr);
    ~FulfilmentSimulator() override;

    // Returns an error message for settings that cannot run with lifecycle
    // (an invalid order id or prefix, a count, delay or rate out of range, or
    // a lifecycle without a success path or failure stage), or nullopt.
    static std::optional<QString> validate(const SimulationSettings &settings,
                                           const Lifecycle &lifecycle);

    // Plans the run and starts publishing. Returns false with errorMessage
    // set when the settings are invalid or a run is already going.
    bool start(const SimulationSettings &settings, QString *errorMessage);
    // Stops publishing at once; steps not yet published are dropped and
    // finished(true) is emitted. Does nothing when no run is going.
    void stop();

    bool isRunning() const { return m_running; }
    int totalOrders() const { return int(m_orders.size()); }
    int finishedOrders() const { return m_finishedOrders; }
    int failedOrders() const { return m_failedOrders; }
    int publishedEvents() const { return m_publishedEvents; }
    int plannedEvents() const { return int(m_steps.size()); }

Q_SIGNALS:
    // An order's last event was published; failed is true when it ended in
    // the failure stage.
    void orderFinished(const QString &orderId, const QString &stage, bool failed);
    // Emitted after each batch of published events.
    void progressChanged(int finishedOrders, int totalOrders, int publishedEvents);
    // The run ended: every order finished, or stop() was called (stopped).
    void finished(bool stopped);

private:
    // One order of the plan: the stages it passes, last one final.
    struct PlannedOrder
    {
        QString orderId;
        QList<LifecycleStage> stages;
        QString failureReason;
    };
    // One event of the plan, due dueMs after start().
    struct PlannedStep
    {
        qint64 dueMs = 0;
        int order = 0;
        int stage = 0;
    };

    void plan(const SimulationSettings &settings);
    void publishDueSteps();
    void scheduleNext();
    OrderEvent makeEvent(const PlannedStep &step) const;

    const Lifecycle m_lifecycle;
    const PublishCallback m_publish;
    QList<PlannedOrder> m_orders;
    QList<PlannedStep> m_steps;
    qsizetype m_nextStep = 0;
    quint32 m_seed = 0;
    int m_finishedOrders = 0;
    int m_failedOrders = 0;
    int m_publishedEvents = 0;
    bool m_running = false;
    QElapsedTimer m_clock;
    QTimer m_timer;
};
