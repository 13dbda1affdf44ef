#include "publishpanel.h"

#include "ordersmodel.h"
#include "orderstreamservice.h"
#include "publishdraft.h"
#include "sseframe.h"

#include <QAction>
#include <QCompleter>
#include <QDateTime>
#include <QFontDatabase>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QVBoxLayout>

#include <algorithm>

namespace {

QLabel *createMessageLabel(const QString &objectName, QWidget *parent)
{
    auto *label = new QLabel(parent);
    label->setObjectName(objectName);
    label->setWordWrap(true);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    label->setTextFormat(Qt::PlainText);
    return label;
}

} // namespace

PublishPanel::PublishPanel(OrderStreamService *service, OrdersModel *orders, QWidget *parent)
    : QWidget(parent), m_service(service), m_orders(orders)
{
    Q_ASSERT(m_service);
    Q_ASSERT(m_orders);

    m_publishAction = new QAction(tr("&Publish Event"), this);
    m_publishAction->setObjectName(QStringLiteral("publishAction"));
    m_publishAction->setShortcuts({QKeySequence(Qt::CTRL | Qt::Key_Return),
                                   QKeySequence(Qt::CTRL | Qt::Key_Enter)});
    m_publishAction->setStatusTip(tr("Publish the event in the Publish panel to its order"));
    // Also registered on the panel, so the shortcut works when the dock floats.
    addAction(m_publishAction);
    connect(m_publishAction, &QAction::triggered, this, &PublishPanel::publish);

    buildForm();

    connect(m_service, &OrderStreamService::published, this, &PublishPanel::showPublished);
    connect(m_service, &OrderStreamService::publishFailed, this,
            &PublishPanel::showPublishFailed);
    connect(m_service, &OrderStreamService::started, this, &PublishPanel::revalidate);
    connect(m_service, &OrderStreamService::stopped, this, &PublishPanel::revalidate);

    revalidate();
}

PublishPanel::~PublishPanel() = default;

void PublishPanel::buildForm()
{
    m_orderId = new QLineEdit(this);
    m_orderId->setObjectName(QStringLiteral("publishOrderId"));
    m_orderId->setPlaceholderText(tr("Required"));
    m_orderId->setClearButtonEnabled(true);
    auto *completer = new QCompleter(m_orders, m_orderId);
    completer->setCompletionColumn(OrdersModel::OrderId);
    completer->setCaseSensitivity(Qt::CaseInsensitive);
    completer->setFilterMode(Qt::MatchContains);
    m_orderId->setCompleter(completer);

    m_status = new QLineEdit(this);
    m_status->setObjectName(QStringLiteral("publishStatus"));
    m_status->setPlaceholderText(tr("Required"));

    m_stage = new QLineEdit(this);
    m_stage->setObjectName(QStringLiteral("publishStage"));
    m_stage->setPlaceholderText(tr("Optional"));

    m_message = new QLineEdit(this);
    m_message->setObjectName(QStringLiteral("publishMessage"));
    m_message->setPlaceholderText(tr("Optional"));

    const QFont fixedFont = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    m_details = new QPlainTextEdit(this);
    m_details->setObjectName(QStringLiteral("publishDetails"));
    m_details->setAccessibleName(tr("Details JSON"));
    m_details->setFont(fixedFont);
    m_details->setPlaceholderText(tr("Optional JSON object, for example {\"plan\": \"fiber-500\"}"));
    m_details->setTabChangesFocus(true);
    m_detailsError = createMessageLabel(QStringLiteral("publishDetailsError"), this);

    m_preview = new QPlainTextEdit(this);
    m_preview->setObjectName(QStringLiteral("publishPreview"));
    m_preview->setAccessibleName(tr("Frame preview"));
    m_preview->setReadOnly(true);
    m_preview->setPlaceholderText(tr("No preview until the event is valid."));
    m_preview->setFont(fixedFont);
    m_preview->setWordWrapMode(QTextOption::WrapAtWordBoundaryOrAnywhere);
    m_preview->setToolTip(tr("The server assigns the id and time when it publishes. The preview "
                             "shows the next id and the current time."));

    m_publishButton = new QPushButton(tr("Publish"), this);
    m_publishButton->setObjectName(QStringLiteral("publishButton"));
    m_publishButton->setToolTip(tr("Publish the event (%1)")
                                        .arg(m_publishAction->shortcut().toString(
                                                QKeySequence::NativeText)));
    connect(m_publishButton, &QPushButton::clicked, m_publishAction, &QAction::trigger);
    m_reason = createMessageLabel(QStringLiteral("publishReason"), this);
    m_result = createMessageLabel(QStringLiteral("publishResult"), this);

    auto *form = new QFormLayout;
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    form->addRow(tr("&Order id:"), m_orderId);
    form->addRow(tr("&Status:"), m_status);
    form->addRow(tr("Sta&ge:"), m_stage);
    form->addRow(tr("&Message:"), m_message);

    auto *detailsLabel = new QLabel(tr("&Details (JSON object):"), this);
    detailsLabel->setBuddy(m_details);
    auto *previewLabel = new QLabel(tr("Frame preview:"), this);
    previewLabel->setBuddy(m_preview);

    auto *buttonRow = new QHBoxLayout;
    buttonRow->addWidget(m_reason, 1);
    buttonRow->addWidget(m_publishButton, 0, Qt::AlignTop);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(detailsLabel);
    layout->addWidget(m_details, 1);
    layout->addWidget(m_detailsError);
    layout->addWidget(previewLabel);
    layout->addWidget(m_preview, 1);
    layout->addLayout(buttonRow);
    layout->addWidget(m_result);

    for (QLineEdit *field : {m_orderId, m_status, m_stage, m_message}) {
        connect(field, &QLineEdit::textChanged, this, &PublishPanel::revalidate);
        connect(field, &QLineEdit::returnPressed, m_publishAction, &QAction::trigger);
    }
    connect(m_details, &QPlainTextEdit::textChanged, this, &PublishPanel::revalidate);
}

void PublishPanel::setOrderId(const QString &orderId)
{
    m_orderId->setText(orderId);
}

void PublishPanel::setLastEventId(quint64 lastEventId)
{
    if (lastEventId == m_lastEventId)
        return;

    m_lastEventId = lastEventId;
    revalidate();
}

void PublishPanel::publish()
{
    std::variant<OrderEvent, PublishDraftError> result = currentDraft().toEvent();
    // The action is disabled in both cases, so this only guards a call from code.
    if (!m_service->isRunning() || std::holds_alternative<PublishDraftError>(result))
        return;

    const OrderEvent event = std::get<OrderEvent>(std::move(result));
    ++m_pendingPublishes;
    m_result->setText(tr("Publishing to order %1...").arg(event.orderId));
    m_service->publishAsync(event);
}

PublishDraft PublishPanel::currentDraft() const
{
    PublishDraft draft;
    draft.orderId = m_orderId->text();
    draft.status = m_status->text();
    draft.stage = m_stage->text();
    draft.message = m_message->text();
    draft.detailsText = m_details->toPlainText();
    return draft;
}

void PublishPanel::revalidate()
{
    const std::variant<OrderEvent, PublishDraftError> result = currentDraft().toEvent();

    const PublishDraftError *error = std::get_if<PublishDraftError>(&result);
    const bool detailsInvalid = error && error->field == PublishDraftError::Field::Details;
    m_detailsError->setText(detailsInvalid ? error->message : QString());
    m_detailsError->setVisible(detailsInvalid);

    QString reason;
    if (error)
        reason = error->message;
    else if (!m_service->isRunning())
        reason = tr("The server is not running.");
    m_reason->setText(reason);
    m_publishAction->setEnabled(reason.isEmpty());
    m_publishButton->setEnabled(reason.isEmpty());

    if (error) {
        m_preview->clear();
        return;
    }
    OrderEvent preview = std::get<OrderEvent>(result);
    preview.id = m_lastEventId + 1;
    preview.time = QDateTime::currentDateTimeUtc();
    m_preview->setPlainText(QString::fromUtf8(SseFrame::encodeEvent(preview)));
}

void PublishPanel::showPublished(const OrderEvent &event)
{
    if (m_pendingPublishes == 0)
        return;
    --m_pendingPublishes;

    // The model may be a tick old, so the count comes from the hub itself.
    const HubSnapshot snapshot = m_service->snapshot(event.id, 0);
    const auto order = std::find_if(
            snapshot.orders.cbegin(), snapshot.orders.cend(),
            [&event](const OrderSummary &summary) { return summary.orderId == event.orderId; });
    const int subscribers = order == snapshot.orders.cend() ? 0 : order->subscribers;
    m_result->setText(tr("Published event %1 to order %2 at %3 (subscribers: %4).")
                              .arg(QString::number(event.id), event.orderId,
                                   event.time.toLocalTime().toString(QStringLiteral("HH:mm:ss")),
                                   QLocale().toString(subscribers)));
}

void PublishPanel::showPublishFailed(const QString &orderId, const QString &reason)
{
    if (m_pendingPublishes == 0)
        return;
    --m_pendingPublishes;

    m_result->setText(tr("Publish to order %1 failed: %2.").arg(orderId, reason));
}
