#include "clusterpanel.h"

#include "clustermodels.h"
#include "orderstreamservice.h"

#include <QDateTime>
#include <QHeaderView>
#include <QLabel>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>

namespace {

QTableView *makeTable(QAbstractItemModel *model, const QString &accessibleName, QWidget *parent)
{
    auto *view = new QTableView(parent);
    view->setModel(model);
    view->setAccessibleName(accessibleName);
    view->setSelectionBehavior(QAbstractItemView::SelectRows);
    view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    view->setAlternatingRowColors(true);
    view->verticalHeader()->hide();
    view->horizontalHeader()->setStretchLastSection(true);
    return view;
}

} // namespace

ClusterPanel::ClusterPanel(OrderStreamService *service, QWidget *parent)
    : QWidget(parent)
    , m_service(service)
    , m_instances(new ClusterInstancesModel(this))
    , m_orders(new ClusterOrdersModel(this))
{
    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("clusterStatus"));
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);

    m_instancesView = makeTable(m_instances, tr("Instances"), this);
    m_ordersView = makeTable(m_orders, tr("Subscribers per order in the cluster"), this);

    auto *splitter = new QSplitter(Qt::Vertical, this);
    splitter->addWidget(m_instancesView);
    splitter->addWidget(m_ordersView);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_status);
    layout->addWidget(splitter, 1);

    m_refreshTimer.setInterval(RefreshIntervalMs);
    connect(&m_refreshTimer, &QTimer::timeout, this, &ClusterPanel::refresh);
    refresh();
}

ClusterPanel::~ClusterPanel() = default;

void ClusterPanel::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    refresh();
    m_refreshTimer.start();
}

void ClusterPanel::hideEvent(QHideEvent *event)
{
    QWidget::hideEvent(event);
    m_refreshTimer.stop();
}

void ClusterPanel::refresh()
{
    const OrderStreamService::StoreStatus store = m_service->storeStatus();
    const QList<ClusterInstance> instances = m_service->clusterInstances();
    m_instances->update(instances);
    m_orders->update(ClusterOrdersModel::totals(instances));

    const bool shared = store.shared;
    m_instancesView->setVisible(shared);
    m_ordersView->setVisible(shared);
    QPalette palette = m_status->palette();
    palette.setColor(QPalette::WindowText, palette.color(QPalette::Active, QPalette::WindowText));
    if (!m_service->isRunning()) {
        m_status->setText(tr("The server is stopped."));
    } else if (!shared) {
        m_status->setText(tr("Events are kept in this instance's SQLite journal (%1). Start "
                             "with --redis URL to share events with other instances.")
                                  .arg(store.location));
    } else if (!store.reachable) {
        const qint64 seconds = store.outageSinceMs > 0
                ? (QDateTime::currentMSecsSinceEpoch() - store.outageSinceMs) / 1000
                : 0;
        m_status->setText(tr("Redis unreachable for %n s: publishes are answered 503 and open "
                             "streams stay open until it is back. Events in %1.",
                             nullptr, int(seconds))
                                  .arg(store.location));
        palette.setColor(QPalette::WindowText, QColor(0xc0, 0x1c, 0x28));
    } else {
        m_status->setText(tr("%n instance(s) share events in %1.", nullptr, int(instances.size()))
                                  .arg(store.location));
    }
    m_status->setPalette(palette);
}
