#include "orderspanel.h"

#include "ordersmodel.h"
#include "relativetimedelegate.h"

#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLineEdit>
#include <QSortFilterProxyModel>
#include <QStyle>
#include <QTableView>
#include <QVBoxLayout>

namespace {

constexpr int SearchDelayMs = 200;
constexpr int AgeRefreshMs = 1000;

// Sizes a column for its header text or for sample, whichever is wider, and
// returns the width. The samples are typical values, not limits: columns stay
// resizable.
int setColumnWidthForText(QTableView *view, int column, const QString &sample)
{
    const QFontMetrics metrics = view->fontMetrics();
    const QString header = view->model()->headerData(column, Qt::Horizontal).toString();
    const int textWidth = qMax(metrics.horizontalAdvance(sample), metrics.horizontalAdvance(header));
    const int width = textWidth + 2 * metrics.averageCharWidth() + 4;
    view->setColumnWidth(column, width);
    return width;
}

} // namespace

OrdersPanel::OrdersPanel(OrdersModel *model, QWidget *parent) : QWidget(parent), m_model(model)
{
    Q_ASSERT(m_model);

    m_proxy = new QSortFilterProxyModel(this);
    m_proxy->setObjectName(QStringLiteral("ordersProxy"));
    m_proxy->setSourceModel(m_model);
    m_proxy->setSortRole(OrdersModel::RawValueRole);
    m_proxy->setFilterRole(OrdersModel::RawValueRole);
    m_proxy->setFilterKeyColumn(OrdersModel::OrderId);
    m_proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);

    m_search = new QLineEdit(this);
    m_search->setObjectName(QStringLiteral("orderSearch"));
    m_search->setPlaceholderText(tr("Search order id"));
    m_search->setClearButtonEnabled(true);
    m_search->setAccessibleName(tr("Search orders"));

    m_view = new QTableView(this);
    m_view->setObjectName(QStringLiteral("ordersTable"));
    m_view->setModel(m_proxy);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(OrdersModel::OrderId, Qt::AscendingOrder);
    m_view->setItemDelegateForColumn(OrdersModel::LastEventTime, new RelativeTimeDelegate(m_view));
    m_view->setWordWrap(false);
    m_view->verticalHeader()->hide();
    m_view->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_view->verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 6);
    m_view->horizontalHeader()->setStretchLastSection(true);
    m_view->horizontalHeader()->setHighlightSections(false);
    m_columnsWidth =
            setColumnWidthForText(m_view, OrdersModel::OrderId, QStringLiteral("ORD-0000000"))
            + setColumnWidthForText(m_view, OrdersModel::Subscribers, QStringLiteral("000"))
            + setColumnWidthForText(m_view, OrdersModel::LastStatus, QStringLiteral("Activating"))
            + setColumnWidthForText(m_view, OrdersModel::LastStage, QStringLiteral("provisioning"))
            + setColumnWidthForText(m_view, OrdersModel::LastEventTime,
                                    RelativeTimeDelegate::tr("%1 min ago").arg(59));

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_search);
    layout->addWidget(m_view);

    m_searchDelay.setSingleShot(true);
    m_searchDelay.setInterval(SearchDelayMs);
    connect(m_search, &QLineEdit::textChanged, &m_searchDelay, qOverload<>(&QTimer::start));
    connect(&m_searchDelay, &QTimer::timeout, this,
            [this] { m_proxy->setFilterFixedString(m_search->text().trimmed()); });

    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &OrdersPanel::emitFocusedOrder);
    // Removing or filtering out the selected row changes the selection
    // without always emitting selectionChanged, so recheck after row changes.
    connect(m_proxy, &QAbstractItemModel::rowsRemoved, this, &OrdersPanel::emitFocusedOrder);
    connect(m_proxy, &QAbstractItemModel::layoutChanged, this, &OrdersPanel::emitFocusedOrder);
    connect(m_proxy, &QAbstractItemModel::modelReset, this, &OrdersPanel::emitFocusedOrder);

    m_ageRefresh.setInterval(AgeRefreshMs);
    connect(&m_ageRefresh, &QTimer::timeout, m_view->viewport(), qOverload<>(&QWidget::update));
    m_ageRefresh.start();
}

OrdersPanel::~OrdersPanel() = default;

QSize OrdersPanel::sizeHint() const
{
    const int scrollBarWidth = style()->pixelMetric(QStyle::PM_ScrollBarExtent, nullptr, this);
    const int chromeWidth = 2 * m_view->frameWidth() + scrollBarWidth;
    return {m_columnsWidth + chromeWidth, QWidget::sizeHint().height()};
}

QString OrdersPanel::searchText() const
{
    return m_search->text();
}

void OrdersPanel::setSearchText(const QString &text)
{
    m_search->setText(text);
    m_searchDelay.stop();
    m_proxy->setFilterFixedString(text.trimmed());
}

void OrdersPanel::focusSearch()
{
    m_search->setFocus(Qt::ShortcutFocusReason);
    m_search->selectAll();
}

void OrdersPanel::clearOrderSelection()
{
    m_view->clearSelection();
    m_view->selectionModel()->setCurrentIndex({}, QItemSelectionModel::NoUpdate);
}

void OrdersPanel::emitFocusedOrder()
{
    const QModelIndexList rows = m_view->selectionModel()->selectedRows(OrdersModel::OrderId);
    const QString orderId = rows.isEmpty()
            ? QString()
            : rows.constFirst().data(OrdersModel::RawValueRole).toString();
    if (orderId == m_focusedOrderId)
        return;

    m_focusedOrderId = orderId;
    Q_EMIT orderFocused(orderId);
}
