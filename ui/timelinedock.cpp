#include "timelinedock.h"

#include "eventpanelsetup.h"
#include "eventstore.h"
#include "ordersmodel.h"
#include "orderstreamservice.h"
#include "timelinemodel.h"
#include "viewformat.h"

#include <QCompleter>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QTableView>
#include <QThread>
#include <QVBoxLayout>

#include <algorithm>
#include <memory>

namespace {

constexpr int TypingDelayMs = 300;

} // namespace

TimelineDock::TimelineDock(OrderStreamService *service, OrdersModel *orders, QWidget *parent)
    : QDockWidget(tr("Order Timeline"), parent), m_service(service)
{
    Q_ASSERT(m_service);
    Q_ASSERT(orders);
    setObjectName(QStringLiteral("timelineDock"));

    m_model = new TimelineModel(this);
    m_model->setObjectName(QStringLiteral("timelineModel"));

    auto *content = new QWidget(this);
    m_orderEdit = EventPanelSetup::createFilterEdit(QStringLiteral("timelineOrderId"),
                                                    tr("Order id"), tr("Timeline order id"),
                                                    content);
    m_orderEdit->setToolTip(tr("Follows the order selected in the Orders dock"));
    auto *completer = new QCompleter(orders, m_orderEdit);
    completer->setCompletionColumn(OrdersModel::OrderId);
    completer->setCaseSensitivity(Qt::CaseInsensitive);
    completer->setFilterMode(Qt::MatchContains);
    m_orderEdit->setCompleter(completer);
    auto *orderLabel = new QLabel(tr("O&rder:"), content);
    orderLabel->setBuddy(m_orderEdit);

    m_message = new QLabel(content);
    m_message->setObjectName(QStringLiteral("timelineMessage"));
    m_message->setTextFormat(Qt::PlainText);
    m_message->setWordWrap(true);

    m_view = new QTableView(content);
    m_view->setObjectName(QStringLiteral("timelineTable"));
    m_view->setModel(m_model);
    ViewFormat::setUpTable(m_view);
    ViewFormat::fitColumnToText(m_view, TimelineModel::Time,
                                QStringLiteral("0000-00-00 00:00:00"));
    ViewFormat::fitColumnToText(m_view, TimelineModel::Stage, QStringLiteral("Provisioning"));
    ViewFormat::fitColumnToText(m_view, TimelineModel::Status, QStringLiteral("Provisioning"));
    ViewFormat::fitColumnToText(m_view, TimelineModel::Message,
                                QStringLiteral("Provisioning started on the access network"));
    ViewFormat::fitColumnToText(m_view, TimelineModel::Source, QStringLiteral("simulator"));
    ViewFormat::fitColumnToText(m_view, TimelineModel::Publisher, QStringLiteral("fulfilment"));
    ViewFormat::fitColumnToText(m_view, TimelineModel::Notes, QStringLiteral("failure, override"));
    m_view->horizontalHeader()->setStretchLastSection(true);

    auto *orderRow = new QHBoxLayout;
    orderRow->addWidget(orderLabel);
    orderRow->addWidget(m_orderEdit);
    orderRow->addWidget(m_message, 1);

    auto *layout = new QVBoxLayout(content);
    layout->addLayout(orderRow);
    layout->addWidget(m_view, 1);
    setWidget(content);

    m_typingDelay.setSingleShot(true);
    m_typingDelay.setInterval(TypingDelayMs);
    connect(m_orderEdit, &QLineEdit::textEdited, &m_typingDelay, qOverload<>(&QTimer::start));
    connect(m_orderEdit, &QLineEdit::returnPressed, this, &TimelineDock::applyTypedOrderId);
    connect(&m_typingDelay, &QTimer::timeout, this, &TimelineDock::applyTypedOrderId);
    connect(m_service, &OrderStreamService::started, this, &TimelineDock::reload);

    showMessage(tr("Select an order, or type its id, to see its stages."));
}

TimelineDock::~TimelineDock()
{
    // A read thread uses the service's store, which outlives the dock, and
    // posts its result to this object, so it must end before the dock does.
    for (QThread *thread : std::as_const(m_readThreads)) {
        thread->disconnect(this);
        thread->wait();
        delete thread;
    }
}

QString TimelineDock::orderId() const
{
    return m_model->orderId();
}

void TimelineDock::setLifecycle(const Lifecycle &lifecycle)
{
    m_model->setLifecycle(lifecycle);
}

void TimelineDock::setOrderId(const QString &orderId)
{
    const QString id = orderId.trimmed();
    if (id.isEmpty())
        return;

    m_typingDelay.stop();
    m_orderEdit->setText(id);
    if (id == m_model->orderId() && (m_loading || m_model->rowCount() > 0))
        return;
    startRead(id);
}

void TimelineDock::reload()
{
    if (!m_model->orderId().isEmpty())
        startRead(m_model->orderId());
}

void TimelineDock::applyTypedOrderId()
{
    m_typingDelay.stop();
    const QString id = m_orderEdit->text().trimmed();
    if (id.isEmpty() || id == m_model->orderId())
        return;
    if (!isValidOrderId(id)) {
        showMessage(tr("Order id \"%1\" is invalid: use 1 to 64 letters, digits, '-' or '_'.")
                            .arg(id));
        return;
    }
    startRead(id);
}

void TimelineDock::startRead(const QString &orderId)
{
    const quint64 generation = ++m_generation;
    m_model->setEvents(orderId, {});
    m_liveDuringRead.clear();
    m_readWasFull = false;

    // The service replaces its store on every start, so it is looked up for
    // each read and never kept.
    EventStore *store = m_service->store();
    if (!store || !store->isOpen()) {
        m_loading = false;
        showMessage(tr("The store is closed; start the server to read the timeline of %1. "
                       "New events appear as they are published.")
                            .arg(orderId));
        return;
    }

    m_loading = true;
    showMessage(tr("Reading the events of %1…").arg(orderId));
    JournalQuery query;
    query.orderId = orderId;
    query.limit = MaxStoredEvents;
    auto result = std::make_shared<QList<OrderEvent>>();
    // NOTE: the read uses the store object until it ends. The service
    // replaces that object in start() without waiting for reads, so a
    // restart during the read of a large order is not safe.
    QThread *thread = QThread::create([store, query, result] { *result = store->query(query); });
    thread->setObjectName(QStringLiteral("os-timeline"));
    m_readThreads.append(thread);
    connect(thread, &QThread::finished, this, [this, thread, generation, orderId, result] {
        m_readThreads.removeOne(thread);
        thread->deleteLater();
        finishRead(generation, orderId, *result);
    });
    thread->start();
}

void TimelineDock::finishRead(quint64 generation, const QString &orderId,
                              const QList<OrderEvent> &events)
{
    if (generation != m_generation)
        return;

    // The store lists newest first; the timeline reads oldest first.
    QList<OrderEvent> oldestFirst = events;
    std::reverse(oldestFirst.begin(), oldestFirst.end());
    m_loading = false;
    m_readWasFull = events.size() >= MaxStoredEvents;
    m_model->setEvents(orderId, oldestFirst);
    m_model->appendEvents(m_liveDuringRead);
    m_liveDuringRead.clear();
    showRowSummary();
    if (m_model->rowCount() > 0)
        m_view->scrollToBottom();
    Q_EMIT loaded(orderId);
}

void TimelineDock::appendLiveEvents(const QList<OrderEvent> &events)
{
    if (m_model->orderId().isEmpty())
        return;

    if (m_loading) {
        for (const OrderEvent &event : events) {
            if (event.orderId == m_model->orderId())
                m_liveDuringRead.append(event);
        }
        return;
    }
    if (m_model->appendEvents(events) > 0) {
        showRowSummary();
        m_view->scrollToBottom();
    }
}

void TimelineDock::showMessage(const QString &text)
{
    m_message->setText(text);
}

void TimelineDock::showRowSummary()
{
    const int rows = m_model->rowCount();
    if (rows == 0) {
        showMessage(tr("No events stored for %1 yet.").arg(m_model->orderId()));
        return;
    }

    const QString count = QLocale().toString(rows);
    showMessage(m_readWasFull
                        ? tr("The newest %1 events of %2, oldest first.").arg(count,
                                                                              m_model->orderId())
                        : tr("%1 events of %2, oldest first.").arg(count, m_model->orderId()));
}
