#include "simulatedialog.h"

#include "fulfilmentsimulator.h"
#include "orderstreamservice.h"

#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QRadioButton>
#include <QSpinBox>
#include <QVBoxLayout>

#include <limits>

namespace {

QSpinBox *createDelayBox(const QString &objectName, int value, QWidget *parent)
{
    auto *box = new QSpinBox(parent);
    box->setObjectName(objectName);
    box->setRange(0, MaxSimulationDelayMs);
    box->setSingleStep(100);
    box->setSuffix(SimulateDialog::tr(" ms"));
    box->setValue(value);
    return box;
}

} // namespace

SimulateDialog::SimulateDialog(OrderStreamService *service, const Lifecycle &lifecycle,
                               QWidget *parent)
    : QDialog(parent), m_service(service), m_lifecycle(lifecycle)
{
    Q_ASSERT(m_service);
    setObjectName(QStringLiteral("simulateDialog"));
    setWindowTitle(tr("Simulate Orders"));

    const SimulationSettings defaults;

    m_manyOrders = new QRadioButton(tr("&New orders:"), this);
    m_manyOrders->setObjectName(QStringLiteral("simulateManyOrders"));
    m_manyOrders->setChecked(true);
    m_orderCount = new QSpinBox(this);
    m_orderCount->setObjectName(QStringLiteral("simulateOrderCount"));
    m_orderCount->setRange(1, MaxSimulatedOrders);
    m_orderCount->setValue(defaults.orderCount);
    m_orderCount->setAccessibleName(tr("Number of orders"));
    m_idPrefix = new QLineEdit(defaults.idPrefix, this);
    m_idPrefix->setObjectName(QStringLiteral("simulateIdPrefix"));
    m_idPrefix->setAccessibleName(tr("Order id prefix"));
    m_idPrefix->setToolTip(tr("Generated orders are named this prefix and a number, such as "
                            "SIM-0001. Use a new prefix to simulate new orders again."));

    m_oneOrder = new QRadioButton(tr("&One order:"), this);
    m_oneOrder->setObjectName(QStringLiteral("simulateOneOrder"));
    m_orderId = new QLineEdit(this);
    m_orderId->setObjectName(QStringLiteral("simulateOrderId"));
    m_orderId->setPlaceholderText(tr("Order id"));
    m_orderId->setAccessibleName(tr("Order id"));

    m_minDelay = createDelayBox(QStringLiteral("simulateMinDelay"), defaults.minDelayMs, this);
    m_minDelay->setAccessibleName(tr("Shortest step delay"));
    m_maxDelay = createDelayBox(QStringLiteral("simulateMaxDelay"), defaults.maxDelayMs, this);
    m_maxDelay->setAccessibleName(tr("Longest step delay"));

    m_failureRate = new QDoubleSpinBox(this);
    m_failureRate->setObjectName(QStringLiteral("simulateFailureRate"));
    m_failureRate->setRange(0.0, 100.0);
    m_failureRate->setDecimals(1);
    m_failureRate->setSuffix(tr(" %"));
    m_failureRate->setValue(defaults.failureRate * 100.0);
    m_failureRate->setToolTip(tr("Share of the orders that end in the failure stage"));

    m_seed = new QSpinBox(this);
    m_seed->setObjectName(QStringLiteral("simulateSeed"));
    m_seed->setRange(0, std::numeric_limits<int>::max());
    m_seed->setValue(int(defaults.seed));
    m_seed->setToolTip(tr("The same seed and settings publish the same events"));

    m_progress = new QProgressBar(this);
    m_progress->setObjectName(QStringLiteral("simulateProgress"));
    m_progress->setRange(0, 1);
    m_progress->setValue(0);
    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("simulateStatus"));
    m_status->setTextFormat(Qt::PlainText);
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);

    m_startButton = new QPushButton(tr("&Start"), this);
    m_startButton->setObjectName(QStringLiteral("simulateStartButton"));
    m_startButton->setDefault(true);
    m_stopButton = new QPushButton(tr("S&top"), this);
    m_stopButton->setObjectName(QStringLiteral("simulateStopButton"));
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    buttons->addButton(m_startButton, QDialogButtonBox::ActionRole);
    buttons->addButton(m_stopButton, QDialogButtonBox::ActionRole);

    auto *countRow = new QHBoxLayout;
    countRow->addWidget(m_orderCount);
    countRow->addWidget(new QLabel(tr("named"), this));
    countRow->addWidget(m_idPrefix);
    auto *delayRow = new QHBoxLayout;
    delayRow->addWidget(m_minDelay);
    delayRow->addWidget(new QLabel(tr("to"), this));
    delayRow->addWidget(m_maxDelay);

    auto *form = new QFormLayout;
    form->addRow(m_manyOrders, countRow);
    form->addRow(m_oneOrder, m_orderId);
    form->addRow(tr("Step &delay:"), delayRow);
    form->addRow(tr("&Failure rate:"), m_failureRate);
    form->addRow(tr("S&eed:"), m_seed);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_progress);
    layout->addWidget(m_status);
    layout->addWidget(buttons);

    connect(m_startButton, &QPushButton::clicked, this, &SimulateDialog::start);
    connect(m_stopButton, &QPushButton::clicked, this, &SimulateDialog::stop);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_manyOrders, &QRadioButton::toggled, this, &SimulateDialog::updateControls);
    connect(m_orderId, &QLineEdit::textEdited, this, [this] { m_oneOrder->setChecked(true); });
    connect(m_service, &OrderStreamService::started, this, &SimulateDialog::updateControls);
    connect(m_service, &OrderStreamService::stopped, this, [this] {
        // Publishing into a stopped server only collects failures.
        stop();
        updateControls();
    });
    connect(m_service, &OrderStreamService::publishFailed, this,
            &SimulateDialog::countPublishFailure);

    m_status->setText(tr("Publishes orders through the lifecycle, as a fulfilment back end "
                         "would. Every event has the source \"simulator\"."));
    updateControls();
}

SimulateDialog::~SimulateDialog() = default;

void SimulateDialog::setLifecycle(const Lifecycle &lifecycle)
{
    m_lifecycle = lifecycle;
}

SimulationSettings SimulateDialog::settings() const
{
    SimulationSettings settings;
    if (m_oneOrder->isChecked())
        settings.orderId = m_orderId->text().trimmed();
    settings.orderCount = m_orderCount->value();
    settings.idPrefix = m_idPrefix->text().trimmed();
    settings.minDelayMs = m_minDelay->value();
    settings.maxDelayMs = m_maxDelay->value();
    settings.failureRate = m_failureRate->value() / 100.0;
    settings.seed = quint32(m_seed->value());
    return settings;
}

void SimulateDialog::setSettings(const SimulationSettings &settings)
{
    m_oneOrder->setChecked(!settings.orderId.isEmpty());
    m_manyOrders->setChecked(settings.orderId.isEmpty());
    m_orderId->setText(settings.orderId);
    m_orderCount->setValue(settings.orderCount);
    m_idPrefix->setText(settings.idPrefix);
    m_minDelay->setValue(settings.minDelayMs);
    m_maxDelay->setValue(settings.maxDelayMs);
    m_failureRate->setValue(settings.failureRate * 100.0);
    m_seed->setValue(int(qMin<quint32>(settings.seed, std::numeric_limits<int>::max())));
}

bool SimulateDialog::isRunning() const
{
    return m_simulator && m_simulator->isRunning();
}

int SimulateDialog::finishedOrders() const
{
    return m_simulator ? m_simulator->finishedOrders() : 0;
}

int SimulateDialog::failedOrders() const
{
    return m_simulator ? m_simulator->failedOrders() : 0;
}

bool SimulateDialog::start()
{
    if (isRunning())
        return false;
    if (!m_service->isRunning()) {
        m_status->setText(tr("The server is not running; start it to simulate orders."));
        return false;
    }

    const SimulationSettings runSettings = settings();
    // The simulator calls this on the GUI thread; publishAsync() hands the
    // event to the server thread at once.
    auto simulator = std::make_unique<FulfilmentSimulator>(
            m_lifecycle, [this](const OrderEvent &event) { m_service->publishAsync(event); },
            this);
    connect(simulator.get(), &FulfilmentSimulator::progressChanged, this,
            &SimulateDialog::showProgress);
    connect(simulator.get(), &FulfilmentSimulator::finished, this, &SimulateDialog::finishRun);

    QString error;
    if (!simulator->start(runSettings, &error)) {
        m_status->setText(tr("Cannot start the simulation: %1.").arg(error));
        return false;
    }

    m_simulator = std::move(simulator);
    m_runOrderId = runSettings.orderId;
    m_runIdPrefix = runSettings.idPrefix;
    m_failedPublishes = 0;
    m_lastPublishError.clear();
    m_progress->setRange(0, m_simulator->totalOrders());
    showProgress();
    updateControls();
    return true;
}

void SimulateDialog::stop()
{
    if (isRunning())
        m_simulator->stop();
}

void SimulateDialog::updateControls()
{
    const bool running = isRunning();
    const bool serverRunning = m_service->isRunning();
    m_startButton->setEnabled(!running && serverRunning);
    m_stopButton->setEnabled(running);
    for (QWidget *field : {static_cast<QWidget *>(m_manyOrders), static_cast<QWidget *>(m_oneOrder),
                           static_cast<QWidget *>(m_minDelay), static_cast<QWidget *>(m_maxDelay),
                           static_cast<QWidget *>(m_failureRate),
                           static_cast<QWidget *>(m_seed)}) {
        field->setEnabled(!running);
    }
    m_orderCount->setEnabled(!running && m_manyOrders->isChecked());
    m_idPrefix->setEnabled(!running && m_manyOrders->isChecked());
    m_orderId->setEnabled(!running);
    m_startButton->setToolTip(serverRunning ? QString()
                                            : tr("The server is not running"));
}

void SimulateDialog::showProgress()
{
    if (!m_simulator)
        return;

    const QLocale locale;
    m_progress->setValue(m_simulator->finishedOrders());
    QString text = tr("%1 of %2 orders finished, %3 failed; %4 events published.")
                           .arg(locale.toString(m_simulator->finishedOrders()),
                                locale.toString(m_simulator->totalOrders()),
                                locale.toString(m_simulator->failedOrders()),
                                locale.toString(m_simulator->publishedEvents()));
    if (m_failedPublishes > 0) {
        text += QLatin1Char(' ')
                + tr("The server rejected %1 publishes; the last: %2. Orders that finished in an "
                     "earlier run cannot start again: use a new id prefix.")
                          .arg(locale.toString(m_failedPublishes), m_lastPublishError);
    }
    m_status->setText(text);
}

void SimulateDialog::finishRun(bool stopped)
{
    showProgress();
    m_status->setText((stopped ? tr("Stopped.") : tr("Done.")) + QLatin1Char(' ')
                      + m_status->text());
    updateControls();
    Q_EMIT runFinished(stopped);
}

void SimulateDialog::countPublishFailure(const QString &orderId, const QString &reason)
{
    if (!m_simulator || !belongsToRun(orderId))
        return;

    ++m_failedPublishes;
    m_lastPublishError = reason;
    showProgress();
}

bool SimulateDialog::belongsToRun(const QString &orderId) const
{
    if (!m_runOrderId.isEmpty())
        return orderId == m_runOrderId;
    return orderId.startsWith(m_runIdPrefix);
}
