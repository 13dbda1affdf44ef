#include "logdock.h"

#include "logfiltermodel.h"
#include "logmodel.h"
#include "logsink.h"

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPushButton>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

namespace {

// Delay between the last keystroke in the text filter and filtering.
constexpr int FilterDebounceMs = 200;

} // namespace

LogDock::LogDock(QWidget *parent)
    : QDockWidget(tr("Log"), parent), m_sink(std::make_unique<LogSink>())
{
    setObjectName(QStringLiteral("logDock"));

    m_model = new LogModel(this);
    m_model->setObjectName(QStringLiteral("logModel"));
    m_filterModel = new LogFilterModel(this);
    m_filterModel->setObjectName(QStringLiteral("logFilterModel"));
    m_filterModel->setSourceModel(m_model);

    auto *panel = new QWidget(this);

    m_levelCombo = new QComboBox(panel);
    m_levelCombo->setObjectName(QStringLiteral("logLevelFilter"));
    m_levelCombo->setToolTip(tr("Show messages of this level and above"));
    for (const LogModel::Severity severity :
         {LogModel::DebugSeverity, LogModel::InfoSeverity, LogModel::WarningSeverity,
          LogModel::CriticalSeverity}) {
        m_levelCombo->addItem(LogModel::severityName(severity), int(severity));
    }
    auto *levelLabel = new QLabel(tr("&Level:"), panel);
    levelLabel->setBuddy(m_levelCombo);

    m_textFilter = new QLineEdit(panel);
    m_textFilter->setObjectName(QStringLiteral("logTextFilter"));
    m_textFilter->setPlaceholderText(tr("Filter by category or message"));
    m_textFilter->setClearButtonEnabled(true);

    m_autoScroll = new QCheckBox(tr("&Auto-scroll"), panel);
    m_autoScroll->setObjectName(QStringLiteral("logAutoScroll"));
    m_autoScroll->setToolTip(tr("Keep the newest message in view"));
    m_autoScroll->setChecked(true);

    auto *clearButton = new QPushButton(tr("&Clear"), panel);
    clearButton->setObjectName(QStringLiteral("logClear"));
    clearButton->setToolTip(tr("Remove every message from this view"));

    m_droppedLabel = new QLabel(panel);
    m_droppedLabel->setObjectName(QStringLiteral("logDropped"));
    m_droppedLabel->hide();

    m_view = new QTableView(panel);
    m_view->setObjectName(QStringLiteral("logView"));
    m_view->setModel(m_filterModel);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setWordWrap(false);
    m_view->verticalHeader()->hide();
    m_view->horizontalHeader()->setStretchLastSection(true);
    m_view->horizontalHeader()->setSectionResizeMode(LogModel::TimeColumn,
                                                     QHeaderView::ResizeToContents);
    m_view->horizontalHeader()->setSectionResizeMode(LogModel::LevelColumn,
                                                     QHeaderView::ResizeToContents);
    m_view->setColumnWidth(LogModel::CategoryColumn, 160);

    auto *controls = new QHBoxLayout;
    controls->addWidget(levelLabel);
    controls->addWidget(m_levelCombo);
    controls->addWidget(m_textFilter, 1);
    controls->addWidget(m_autoScroll);
    controls->addWidget(clearButton);
    controls->addWidget(m_droppedLabel);

    auto *layout = new QVBoxLayout(panel);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addLayout(controls);
    layout->addWidget(m_view, 1);
    setWidget(panel);

    m_filterDebounce = new QTimer(this);
    m_filterDebounce->setSingleShot(true);
    m_filterDebounce->setInterval(FilterDebounceMs);
    connect(m_filterDebounce, &QTimer::timeout, this, &LogDock::applyTextFilter);
    connect(m_textFilter, &QLineEdit::textChanged, m_filterDebounce,
            qOverload<>(&QTimer::start));
    connect(m_levelCombo, &QComboBox::currentIndexChanged, this, [this] {
        m_filterModel->setMinimumSeverity(
                LogModel::Severity(m_levelCombo->currentData().toInt()));
    });
    connect(clearButton, &QPushButton::clicked, m_model, &LogModel::clear);
    connect(m_filterModel, &QAbstractItemModel::rowsInserted, this, [this] {
        if (m_autoScroll->isChecked())
            m_view->scrollToBottom();
    });

    m_drainTimer = new QTimer(this);
    m_drainTimer->setInterval(DrainIntervalMs);
    connect(m_drainTimer, &QTimer::timeout, this, &LogDock::drain);
    m_sink->install();
    m_drainTimer->start();
}

LogDock::~LogDock()
{
    // Uninstalled before the members go, so no thread queues into a
    // destroyed sink.
    m_sink->uninstall();
}

void LogDock::drain()
{
    m_model->append(m_sink->takeAll());
    updateDroppedLabel();
}

void LogDock::applyTextFilter()
{
    m_filterModel->setFilterText(m_textFilter->text());
}

void LogDock::updateDroppedLabel()
{
    const quint64 dropped = m_sink->droppedCount() + m_model->removedCount();
    if (dropped == 0)
        return;

    m_droppedLabel->setText(tr("%1 older messages dropped").arg(QLocale().toString(dropped)));
    m_droppedLabel->setToolTip(
            tr("The log keeps the newest %1 messages; older ones are dropped first.")
                    .arg(QLocale().toString(m_model->capacity())));
    m_droppedLabel->show();
}
