#include "reconnectionspanel.h"

#include "orderfocusbar.h"

#include "focusedorderfiltermodel.h"
#include "orderstreamservice.h"
#include "reconnectionsmodel.h"
#include "viewformat.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QTableView>
#include <QVBoxLayout>

ReconnectionsPanel::ReconnectionsPanel(OrderStreamService *service, QWidget *parent)
    : QWidget(parent)
    , m_service(service)
{
    Q_ASSERT(m_service);

    m_model = new ReconnectionsModel(this);
    m_model->setObjectName(QStringLiteral("reconnectionsModel"));
    m_proxy = new FocusedOrderFilterModel(ReconnectionsModel::OrderId, this);
    m_proxy->setObjectName(QStringLiteral("reconnectionsProxy"));
    m_proxy->setSourceModel(m_model);

    m_view = new QTableView(this);
    m_view->setObjectName(QStringLiteral("reconnectionsTable"));
    m_view->setModel(m_proxy);
    ViewFormat::setUpTable(m_view);
    m_view->setSortingEnabled(true);
    // Newest at the top, so new rows appear in view without scrolling.
    m_view->sortByColumn(ReconnectionsModel::Time, Qt::DescendingOrder);
    m_view->horizontalHeader()->setStretchLastSection(true);
    ViewFormat::fitColumnToText(m_view, ReconnectionsModel::Time, QStringLiteral("00:00:00"));
    ViewFormat::fitColumnToText(m_view, ReconnectionsModel::OrderId, QStringLiteral("ORD-0000000"));
    ViewFormat::fitColumnToText(
        m_view, ReconnectionsModel::Client, QStringLiteral("255.255.255.255"));
    ViewFormat::fitColumnToText(
        m_view, ReconnectionsModel::TimeAway, ViewFormat::duration(59 * 60 * 1000));
    ViewFormat::fitColumnToText(m_view, ReconnectionsModel::ResumedFrom, QStringLiteral("0000000"));
    ViewFormat::fitColumnToText(m_view, ReconnectionsModel::Missed, tr("unknown"));
    ViewFormat::fitColumnToText(m_view, ReconnectionsModel::Replayed, QStringLiteral("0,000"));

    auto *layout = new QVBoxLayout(this);
    m_focusBar = new OrderFocusBar(QStringLiteral("reconnections"), this);
    layout->addWidget(m_focusBar);
    layout->addWidget(m_view, 1);

    connect(m_focusBar, &OrderFocusBar::showAllRequested, this, &ReconnectionsPanel::showAllOrdersRequested);
    connect(m_service, &OrderStreamService::started, this, [this] { m_lastSequence = 0; });

    setFocusedOrderId({});
    updateSummary();
}

ReconnectionsPanel::~ReconnectionsPanel() = default;

void ReconnectionsPanel::setFocusedOrderId(const QString &orderId)
{
    m_proxy->setFocusedOrderId(orderId);
    m_focusBar->setFocusedOrderId(orderId);
}

void ReconnectionsPanel::refresh()
{
    const QList<ReconnectRecord> records
        = m_service->reconnects(m_lastSequence, MaxRecordsPerRefresh);
    if (records.isEmpty())
        return;

    // Sequences increase by one per record, so a gap is records that the
    // service dropped from its recent list, or that the limit cut off,
    // before this read.
    m_recordsSkipped += records.constFirst().sequence - m_lastSequence - 1;
    m_lastSequence = records.constLast().sequence;
    m_model->append(records);
    updateSummary();
}

void ReconnectionsPanel::updateSummary()
{
    const QLocale locale;
    QString text = tr("Listed: %1").arg(locale.toString(m_model->rowCount()));
    if (m_model->rowCount() == m_model->maxRows())
        text = tr("Listed: the newest %1").arg(locale.toString(m_model->rowCount()));
    if (m_recordsSkipped > 0) {
        text += QLatin1String("  ")
            + tr("Reconnects not listed: %1").arg(locale.toString(m_recordsSkipped));
    }
    m_focusBar->setSummary(text,
                           m_recordsSkipped == 0
                                   ? QString()
                                   : tr("More reconnects happened between two refreshes than "
                                        "the console reads at once, or the server had already "
                                        "dropped them from its list of recent reconnects."));
}
