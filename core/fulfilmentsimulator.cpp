#include "fulfilmentsimulator.h"

#include "logging.h"

#include <QJsonObject>
#include <QRandomGenerator>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace {

// Reasons given in the message of a failed order, picked by the seed.
const char *const FailureReasons[] = {
    "payment declined by the card issuer",
    "delivery address is outside the service area",
    "provisioning timed out at the network operator",
    "item out of stock at every warehouse",
    "credit check rejected the account",
};

// Publisher name of every simulated event.
const char SimulatorPublisher[] = "simulator";

// The id of the number-th of count generated orders: the prefix and the
// number with at least four digits, as in SIM-0001.
QString generatedOrderId(const QString &prefix, int number, int count)
{
    const int width = std::max(4, int(QString::number(count).size()));
    return prefix + QStringLiteral("%1").arg(number, width, 10, QLatin1Char('0'));
}

} // namespace

FulfilmentSimulator::FulfilmentSimulator(const Lifecycle &lifecycle, PublishCallback publish,
                                         QObject *parent)
    : QObject(parent)
    , m_lifecycle(lifecycle)
    , m_publish(std::move(publish))
{
    m_timer.setSingleShot(true);
    m_timer.setTimerType(Qt::PreciseTimer);
    connect(&m_timer, &QTimer::timeout, this, &FulfilmentSimulator::publishDueSteps);
}

FulfilmentSimulator::~FulfilmentSimulator() = default;

std::optional<QString> FulfilmentSimulator::validate(const SimulationSettings &settings,
                                                     const Lifecycle &lifecycle)
{
    if (!settings.orderId.isEmpty() && !isValidOrderId(settings.orderId))
        return QStringLiteral("invalid order id \"%1\"; expected 1 to 64 letters, digits, '-' "
                              "or '_'").arg(settings.orderId);
    if (settings.orderId.isEmpty()) {
        if (settings.orderCount < 1 || settings.orderCount > MaxSimulatedOrders)
            return QStringLiteral("invalid order count %1; expected 1 to %2")
                    .arg(settings.orderCount)
                    .arg(MaxSimulatedOrders);
        if (!isValidOrderId(generatedOrderId(settings.idPrefix, settings.orderCount,
                                             settings.orderCount)))
            return QStringLiteral("invalid order id prefix \"%1\"; expected letters, digits, '-' "
                                  "or '_', short enough for a 64-character id")
                    .arg(settings.idPrefix);
    }
    if (settings.minDelayMs < 0 || settings.maxDelayMs > MaxSimulationDelayMs
        || settings.minDelayMs > settings.maxDelayMs)
        return QStringLiteral("invalid delay %1-%2 ms; expected 0 <= minimum <= maximum <= %3")
                .arg(settings.minDelayMs)
                .arg(settings.maxDelayMs)
                .arg(MaxSimulationDelayMs);
    if (!(settings.failureRate >= 0.0 && settings.failureRate <= 1.0))
        return QStringLiteral("invalid failure rate %1; expected 0 to 1").arg(settings.failureRate);

    const QList<LifecycleStage> path = lifecycle.successPath();
    if (path.isEmpty())
        return QStringLiteral("the lifecycle has no path from an initial stage to a final stage "
                              "that is not a failure");
    if (settings.failureRate > 0.0) {
        const LifecycleStage *failure = lifecycle.failureStage();
        if (!failure)
            return QStringLiteral("the lifecycle has no failure stage, so no order can fail; set "
                                  "the failure rate to 0");
        bool reachable = false;
        for (qsizetype i = 0; i + 1 < path.size(); ++i)
            reachable = reachable || lifecycle.isAllowed(path[i].name, failure->name);
        if (!reachable)
            return QStringLiteral("no stage of the success path may go to %1, so no order can "
                                  "fail; set the failure rate to 0").arg(failure->name);
    }
    return std::nullopt;
}

bool FulfilmentSimulator::start(const SimulationSettings &settings, QString *errorMessage)
{
    if (m_running) {
        *errorMessage = QStringLiteral("a simulation is already running");
        return false;
    }
    if (const std::optional<QString> error = validate(settings, m_lifecycle)) {
        *errorMessage = *error;
        return false;
    }

    plan(settings);
    m_nextStep = 0;
    m_finishedOrders = 0;
    m_failedOrders = 0;
    m_publishedEvents = 0;
    m_running = true;
    m_clock.start();
    qCInfo(lcService, "simulation started: %lld orders, %lld events, seed %u",
           qint64(m_orders.size()), qint64(m_steps.size()), m_seed);

    scheduleNext();
    return true;
}

void FulfilmentSimulator::stop()
{
    if (!m_running)
        return;

    m_timer.stop();
    m_running = false;
    qCInfo(lcService, "simulation stopped: %d of %lld orders finished, %d events published",
           m_finishedOrders, qint64(m_orders.size()), m_publishedEvents);
    Q_EMIT finished(true);
}

void FulfilmentSimulator::plan(const SimulationSettings &settings)
{
    // Every random draw happens here, in a fixed order, so the seed alone
    // decides the run.
    QRandomGenerator random(settings.seed);
    m_seed = settings.seed;
    m_orders.clear();
    m_steps.clear();

    const QList<LifecycleStage> path = m_lifecycle.successPath();
    const LifecycleStage *failure = m_lifecycle.failureStage();
    const int count = settings.orderId.isEmpty() ? settings.orderCount : 1;

    // Stages after which the failure stage may follow; the final stage of the
    // path is never one of them.
    QList<int> failurePoints;
    if (failure) {
        for (int i = 0; i + 1 < int(path.size()); ++i) {
            if (m_lifecycle.isAllowed(path[i].name, failure->name))
                failurePoints.append(i);
        }
    }

    // Exactly round(count * rate) orders fail; a partial Fisher-Yates shuffle
    // picks which ones.
    const int failing = failurePoints.isEmpty() ? 0 : int(std::lround(count * settings.failureRate));
    QList<int> indexes(count);
    std::iota(indexes.begin(), indexes.end(), 0);
    QList<bool> fails(count, false);
    for (int i = 0; i < failing; ++i) {
        const int j = i + int(random.bounded(quint32(count - i)));
        std::swap(indexes[i], indexes[j]);
        fails[indexes[i]] = true;
    }

    const auto delay = [&random, &settings] {
        const int span = settings.maxDelayMs - settings.minDelayMs;
        return qint64(settings.minDelayMs) + (span > 0 ? random.bounded(quint32(span) + 1) : 0);
    };
    for (int i = 0; i < count; ++i) {
        PlannedOrder order;
        order.orderId = settings.orderId.isEmpty()
                ? generatedOrderId(settings.idPrefix, i + 1, count)
                : settings.orderId;
        order.stages = path;
        if (fails[i]) {
            const int last = failurePoints[int(random.bounded(quint32(failurePoints.size())))];
            order.stages = path.mid(0, last + 1);
            order.stages.append(*failure);
            order.failureReason = QLatin1String(
                    FailureReasons[random.bounded(quint32(std::size(FailureReasons)))]);
        }

        qint64 dueMs = 0;
        for (int stage = 0; stage < int(order.stages.size()); ++stage) {
            dueMs += delay();
            m_steps.append(PlannedStep{dueMs, i, stage});
        }
        m_orders.append(std::move(order));
    }

    // A stable sort keeps the steps of one order, and orders due at the same
    // moment, in the order they were planned.
    std::stable_sort(m_steps.begin(), m_steps.end(),
                     [](const PlannedStep &a, const PlannedStep &b) { return a.dueMs < b.dueMs; });
}

void FulfilmentSimulator::publishDueSteps()
{
    const qint64 nowMs = m_clock.elapsed();
    int published = 0;
    while (m_running && m_nextStep < m_steps.size() && published < StepsPerBatch
           && m_steps[m_nextStep].dueMs <= nowMs) {
        const PlannedStep step = m_steps[m_nextStep++];
        const PlannedOrder &order = m_orders[step.order];
        m_publish(makeEvent(step));
        ++m_publishedEvents;
        ++published;

        if (step.stage + 1 == int(order.stages.size())) {
            const bool failed = !order.failureReason.isEmpty();
            ++m_finishedOrders;
            if (failed)
                ++m_failedOrders;
            Q_EMIT orderFinished(order.orderId, order.stages.last().name, failed);
        }
    }
    // The publish callback or a slot may have stopped the run.
    if (!m_running)
        return;

    Q_EMIT progressChanged(m_finishedOrders, int(m_orders.size()), m_publishedEvents);
    if (m_nextStep == m_steps.size()) {
        m_running = false;
        qCInfo(lcService, "simulation finished: %lld orders, %d failed, %d events published",
               qint64(m_orders.size()), m_failedOrders, m_publishedEvents);
        Q_EMIT finished(false);
        return;
    }
    scheduleNext();
}

void FulfilmentSimulator::scheduleNext()
{
    const qint64 waitMs = std::max<qint64>(0, m_steps[m_nextStep].dueMs - m_clock.elapsed());
    m_timer.start(int(std::min<qint64>(waitMs, std::numeric_limits<int>::max())));
}

OrderEvent FulfilmentSimulator::makeEvent(const PlannedStep &step) const
{
    const PlannedOrder &order = m_orders[step.order];
    const LifecycleStage &stage = order.stages[step.stage];
    const bool failing = !order.failureReason.isEmpty() && step.stage + 1 == order.stages.size();

    OrderEvent event;
    event.orderId = order.orderId;
    event.type = QLatin1String(OrderEventType::Update);
    event.stage = stage.name;
    event.status = stage.status.isEmpty() ? stage.name : stage.status;
    event.message = failing ? order.failureReason : stage.message;
    event.source = QLatin1String(OrderEventSource::Simulator);
    event.publisher = QLatin1String(SimulatorPublisher);
    event.details.insert(QLatin1String("seed"), qint64(m_seed));
    event.details.insert(QLatin1String("step"), step.stage + 1);
    event.details.insert(QLatin1String("steps"), int(order.stages.size()));
    return event;
}
