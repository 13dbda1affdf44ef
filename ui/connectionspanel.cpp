#include "connectionspanel.h"

#include "orderfocusbar.h"

#include "connectionsmodel.h"
#include "focusedorderfiltermodel.h"
#include "orderstreamservice.h"
#include "relativetimedelegate.h"
#include "viewformat.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QTableView>
#include <QVBoxLayout>

ConnectionsPanel::ConnectionsPanel(OrderStreamService *service, QWidget *parent)
    : QWidget(parent)
    , m_service(service)
{
    Q_ASSERT(m_service);

    m_model = new ConnectionsModel(this);
    m_model->setObjectName(QStringLiteral("connectionsModel"));
    m_proxy = new FocusedOrderFilterModel(ConnectionsModel::OrderId, this);
    m_proxy->setObjectName(QStringLiteral("connectionsProxy"));
    m_proxy->setSourceModel(m_model);

    m_view = new QTableView(this);
    m_view->setObjectName(QStringLiteral("connectionsTable"));
    m_view->setModel(m_proxy);
    ViewFormat::setUpTable(m_view);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(ConnectionsModel::ConnectedSince, Qt::AscendingOrder);
    m_view->setItemDelegateForColumn(
        ConnectionsModel::ConnectedSince, new RelativeTimeDelegate(m_view));
    m_view->horizontalHeader()->setStretchLastSection(true);
    ViewFormat::fitColumnToText(
        m_view, ConnectionsModel::Client, QStringLiteral("255.255.255.255:65535"));
    ViewFormat::fitColumnToText(m_view, ConnectionsModel::OrderId, QStringLiteral("ORD-0000000"));
    ViewFormat::fitColumnToText(m_view, ConnectionsModel::Subject, QStringLiteral("user-0000"));
    ViewFormat::fitColumnToText(
        m_view, ConnectionsModel::ConnectedSince, RelativeTimeDelegate::tr("%1 min ago").arg(59));
    ViewFormat::fitColumnToText(m_view, ConnectionsModel::EventsSent, QStringLiteral("000,000"));
    ViewFormat::fitColumnToText(m_view, ConnectionsModel::LastSentId, QStringLiteral("0000000"));

    auto *layout = new QVBoxLayout(this);
    m_focusBar = new OrderFocusBar(QStringLiteral("connections"), this);
    layout->addWidget(m_focusBar);
    layout->addWidget(m_view, 1);

    // Each tick also repaints the "Connected" ages, which change with the
    // clock while the model stays the same.
    m_refreshTimer.setInterval(RefreshIntervalMs);
    connect(&m_refreshTimer, &QTimer::timeout, this, &ConnectionsPanel::refresh);
    connect(m_focusBar, &OrderFocusBar::showAllRequested, this, &ConnectionsPanel::showAllOrdersRequested);
    // A stopped engine returns no streams without querying its workers, so
    // this extra listing costs nothing and empties the table at once.
    connect(m_service, &OrderStreamService::stopped, this, &ConnectionsPanel::refresh);
    connect(m_service, &OrderStreamService::started, this,
        [this] { updateSummary(m_model->rowCount()); });

    setFocusedOrderId({});
    updateSummary(0);
}

ConnectionsPanel::~ConnectionsPanel() = default;

void ConnectionsPanel::setFocusedOrderId(const QString &orderId)
{
    m_proxy->setFocusedOrderId(orderId);
    m_focusBar->setFocusedOrderId(orderId);
}

void ConnectionsPanel::refresh()
{
    m_sinceRefresh.start();
    const QList<StreamConnection> connections = m_service->connections(MaxConnections);
    m_model->update(connections);
    m_view->viewport()->update();
    updateSummary(int(connections.size()));
}

void ConnectionsPanel::updateSummary(int listed)
{
    if (!m_service->isRunning()) {
        m_focusBar->setSummary(tr("The server is not running, so no streams are open."));
        return;
    }

    const QString count = QLocale().toString(listed);
    if (listed >= MaxConnections)
        m_focusBar->setSummary(tr("Showing the first %1 open streams. More are open.").arg(count));
    else if (listed == 1)
        m_focusBar->setSummary(tr("1 open stream"));
    else
        m_focusBar->setSummary(tr("%1 open streams").arg(count));
}

void ConnectionsPanel::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);

    // Switching tabs back and forth must not list the streams more often
    // than the timer would.
    if (!m_sinceRefresh.isValid() || m_sinceRefresh.hasExpired(RefreshIntervalMs))
        refresh();
    m_refreshTimer.start();
}

void ConnectionsPanel::hideEvent(QHideEvent *event)
{
    QWidget::hideEvent(event);
    m_refreshTimer.stop();
}
