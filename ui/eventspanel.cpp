#include "eventspanel.h"

#include "eventdetailspane.h"
#include "eventfiltermodel.h"
#include "eventpanelsetup.h"
#include "eventsmodel.h"
#include "eventtableview.h"

#include <QAction>
#include <QDataStream>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPushButton>
#include <QSplitter>
#include <QToolButton>
#include <QVBoxLayout>

namespace {

constexpr int FilterDelayMs = 200;
// Version of the byte layout saveLayout() writes.
constexpr quint32 LayoutVersion = 1;

} // namespace

EventsPanel::EventsPanel(EventsModel *model, QWidget *parent) : QWidget(parent), m_model(model)
{
    Q_ASSERT(m_model);

    m_proxy = new EventFilterModel(this);
    m_proxy->setObjectName(QStringLiteral("eventsProxy"));
    m_proxy->setSourceModel(m_model);

    m_view = new EventTableView(this);
    m_view->setObjectName(QStringLiteral("eventsTable"));
    m_view->setModel(m_proxy);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(EventsModel::Id, Qt::AscendingOrder);
    m_view->setWordWrap(false);
    m_view->verticalHeader()->hide();
    m_view->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_view->verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 6);
    m_view->horizontalHeader()->setHighlightSections(false);
    EventPanelSetup::fitEventColumns(m_view, QStringLiteral("00:00:00.000"));

    m_republishAction = new QAction(tr("&Re-publish\u2026"), this);
    m_republishAction->setObjectName(QStringLiteral("eventsRepublishAction"));
    m_republishAction->setStatusTip(
            tr("Load the selected event into the Publish panel to edit and publish it again"));
    m_republishAction->setEnabled(false);
    connect(m_republishAction, &QAction::triggered, this, &EventsPanel::requestRepublish);
    m_view->setContextMenuPolicy(Qt::ActionsContextMenu);
    m_view->addAction(m_republishAction);

    m_details = new EventDetailsPane(this);
    m_splitter = EventPanelSetup::createTableSplitter(
            QStringLiteral("eventsSplitter"), m_view, m_details, this);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(createFilterBar());
    layout->addWidget(m_splitter, 1);

    m_filterDelay.setSingleShot(true);
    m_filterDelay.setInterval(FilterDelayMs);
    connect(m_filter, &QLineEdit::textChanged, &m_filterDelay, qOverload<>(&QTimer::start));
    connect(&m_filterDelay, &QTimer::timeout, this,
            [this] { m_proxy->setOrderIdText(m_filter->text()); });

    connect(m_view->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &EventsPanel::showCurrentEvent);
    connect(m_view, &EventTableView::followingNewestChanged, this, [this](bool following) {
        m_pausedLabel->setVisible(!following);
        m_newestButton->setVisible(!following);
    });
    connect(m_newestButton, &QPushButton::clicked, m_view, &EventTableView::scrollToNewest);
    connect(m_showAllButton, &QPushButton::clicked, this, &EventsPanel::showAllOrdersRequested);

    setFocusedOrderId({});
    setEventsSkipped(0);
}

EventsPanel::~EventsPanel() = default;

QWidget *EventsPanel::createFilterBar()
{
    auto *bar = new QWidget(this);

    m_filter = EventPanelSetup::createFilterEdit(QStringLiteral("eventFilter"),
                                                 tr("Filter events by order id"),
                                                 tr("Filter events by order id"), bar);

    m_focusLabel = new QLabel(bar);
    m_focusLabel->setObjectName(QStringLiteral("eventFocus"));
    m_showAllButton = new QPushButton(tr("Show All Orders"), bar);
    m_showAllButton->setObjectName(QStringLiteral("showAllOrdersButton"));

    m_skippedLabel = new QLabel(bar);
    m_skippedLabel->setObjectName(QStringLiteral("eventsSkipped"));

    m_pausedLabel = new QLabel(tr("Auto-scroll paused"), bar);
    m_pausedLabel->setObjectName(QStringLiteral("autoScrollPaused"));
    m_pausedLabel->hide();
    m_newestButton = new QPushButton(tr("Scroll to Newest"), bar);
    m_newestButton->setObjectName(QStringLiteral("scrollToNewestButton"));
    m_newestButton->hide();

    auto *layout = new QHBoxLayout(bar);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_filter, 1);
    layout->addWidget(m_focusLabel);
    layout->addWidget(m_showAllButton);
    layout->addStretch(1);
    layout->addWidget(m_skippedLabel);
    layout->addWidget(m_pausedLabel);
    layout->addWidget(m_newestButton);
    auto *republishButton = new QToolButton(bar);
    republishButton->setObjectName(QStringLiteral("eventsRepublishButton"));
    republishButton->setDefaultAction(m_republishAction);
    layout->addWidget(republishButton);
    return bar;
}

QString EventsPanel::filterText() const
{
    return m_filter->text();
}

void EventsPanel::setFilterText(const QString &text)
{
    m_filter->setText(text);
    m_filterDelay.stop();
    m_proxy->setOrderIdText(text);
}

void EventsPanel::setFocusedOrderId(const QString &orderId)
{
    m_proxy->setFocusedOrderId(orderId);
    m_focusLabel->setText(orderId.isEmpty() ? tr("All orders")
                                            : tr("Only order %1").arg(orderId));
    m_showAllButton->setVisible(!orderId.isEmpty());
}

void EventsPanel::setEventsSkipped(quint64 count)
{
    m_skippedLabel->setVisible(count > 0);
    if (count == 0)
        return;

    m_skippedLabel->setText(tr("Events not listed: %1").arg(QLocale().toString(count)));
    m_skippedLabel->setToolTip(
            tr("More events were published between two refreshes than the console reads at "
               "once. They were delivered to subscribers and count in the figures above."));
}

QByteArray EventsPanel::saveLayout() const
{
    QByteArray state;
    QDataStream stream(&state, QIODevice::WriteOnly);
    stream << LayoutVersion << m_splitter->saveState() << m_view->horizontalHeader()->saveState();
    return state;
}

void EventsPanel::restoreLayout(const QByteArray &state)
{
    QDataStream stream(state);
    quint32 version = 0;
    QByteArray splitterState;
    QByteArray headerState;
    stream >> version >> splitterState >> headerState;
    if (stream.status() != QDataStream::Ok || version != LayoutVersion)
        return;

    m_splitter->restoreState(splitterState);
    m_view->horizontalHeader()->restoreState(headerState);
}

void EventsPanel::showCurrentEvent()
{
    const QModelIndex current = m_proxy->mapToSource(m_view->currentIndex());
    m_republishAction->setEnabled(current.isValid());
    if (!current.isValid()) {
        m_details->clear();
        return;
    }
    m_details->setEvent(m_model->event(current.row()));
}

void EventsPanel::requestRepublish()
{
    const QModelIndex current = m_proxy->mapToSource(m_view->currentIndex());
    if (current.isValid())
        Q_EMIT republishRequested(m_model->event(current.row()));
}
