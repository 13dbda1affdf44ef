#include "publishpanel.h"

#include "ordersmodel.h"
#include "orderstreamservice.h"
#include "publishdraft.h"
#include "sseframe.h"

#include <QAction>
#include <QComboBox>
#include <QCompleter>
#include <QDateTime>
#include <QFontDatabase>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QStandardItemModel>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>
#include <limits>

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

// The stage name stored in each item of the template chooser.
constexpr int StageNameRole = Qt::UserRole;

} // namespace

PublishPanel::PublishPanel(OrderStreamService *service, OrdersModel *orders, QWidget *parent)
    : QWidget(parent), m_service(service), m_orders(orders),
      m_publisher(PublishDraft::systemUserName())
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
    // A snapshot can move the order to another stage, which changes the
    // templates offered first and whether the draft needs an override.
    for (const auto signal : {&QAbstractItemModel::rowsInserted, &QAbstractItemModel::rowsRemoved}) {
        connect(m_orders, signal, this, &PublishPanel::revalidate);
    }
    connect(m_orders, &QAbstractItemModel::dataChanged, this, &PublishPanel::revalidate);
    connect(m_orders, &QAbstractItemModel::modelReset, this, &PublishPanel::revalidate);

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

    m_stageTemplate = new QComboBox(this);
    m_stageTemplate->setObjectName(QStringLiteral("publishStageTemplate"));
    m_stageTemplate->setToolTip(tr("Fills stage, status and message with the stage's defaults. "
                                   "The stages the order may move to next come first."));
    connect(m_stageTemplate, &QComboBox::activated, this, &PublishPanel::applyChosenTemplate);

    m_status = new QLineEdit(this);
    m_status->setObjectName(QStringLiteral("publishStatus"));
    m_status->setPlaceholderText(tr("Required"));

    m_stage = new QLineEdit(this);
    m_stage->setObjectName(QStringLiteral("publishStage"));
    m_stage->setPlaceholderText(tr("Optional"));

    m_message = new QLineEdit(this);
    m_message->setObjectName(QStringLiteral("publishMessage"));
    m_message->setPlaceholderText(tr("Optional"));

    m_publisherLabel = createMessageLabel(QStringLiteral("publishPublisher"), this);
    m_publisherLabel->setText(m_publisher.isEmpty() ? tr("(unknown user)") : m_publisher);
    m_publisherLabel->setToolTip(tr("Console publishes carry the operating system user's name"));

    const QFont fixedFont = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    m_details = new QPlainTextEdit(this);
    m_details->setObjectName(QStringLiteral("publishDetails"));
    m_details->setAccessibleName(tr("Details JSON"));
    m_details->setFont(fixedFont);
    m_details->setPlaceholderText(tr("Optional JSON object, for example {\"plan\": \"fiber-500\"}"));
    m_details->setTabChangesFocus(true);
    m_detailsError = createMessageLabel(QStringLiteral("publishDetailsError"), this);
    m_lifecycleWarning = createMessageLabel(QStringLiteral("publishLifecycleWarning"), this);
    m_lifecycleWarning->setVisible(false);

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
    m_toolButtons = new QWidget(this);
    auto *toolLayout = new QHBoxLayout(m_toolButtons);
    toolLayout->setContentsMargins(0, 0, 0, 0);

    auto *form = new QFormLayout;
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    form->addRow(tr("&Order id:"), m_orderId);
    form->addRow(tr("&Template:"), m_stageTemplate);
    form->addRow(tr("&Status:"), m_status);
    form->addRow(tr("Sta&ge:"), m_stage);
    form->addRow(tr("&Message:"), m_message);
    form->addRow(tr("Publisher:"), m_publisherLabel);

    auto *detailsLabel = new QLabel(tr("&Details (JSON object):"), this);
    detailsLabel->setBuddy(m_details);
    auto *previewLabel = new QLabel(tr("Frame preview:"), this);
    previewLabel->setBuddy(m_preview);

    auto *buttonRow = new QHBoxLayout;
    buttonRow->addWidget(m_reason, 1);
    buttonRow->addWidget(m_toolButtons, 0, Qt::AlignTop);
    buttonRow->addWidget(m_publishButton, 0, Qt::AlignTop);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(detailsLabel);
    layout->addWidget(m_details, 1);
    layout->addWidget(m_detailsError);
    layout->addWidget(m_lifecycleWarning);
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

void PublishPanel::addToolAction(QAction *action)
{
    auto *button = new QToolButton(m_toolButtons);
    button->setDefaultAction(action);
    button->setToolButtonStyle(Qt::ToolButtonTextOnly);
    m_toolButtons->layout()->addWidget(button);
}

void PublishPanel::setLifecycle(const Lifecycle &lifecycle)
{
    m_lifecycle = lifecycle;
    m_templatesBuilt = false;
    revalidate();
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

void PublishPanel::loadEvent(const OrderEvent &event)
{
    m_orderId->setText(event.orderId);
    m_status->setText(event.status);
    m_stage->setText(event.stage);
    m_message->setText(event.message);
    m_details->setPlainText(event.details.isEmpty()
                                    ? QString()
                                    : QString::fromUtf8(QJsonDocument(event.details)
                                                                .toJson(QJsonDocument::Indented))
                                              .trimmed());
    m_result->setText(tr("Loaded event %1 of order %2. Edit it or publish it as it is.")
                              .arg(QString::number(event.id), event.orderId));
    m_status->setFocus(Qt::OtherFocusReason);
}

bool PublishPanel::applyStageTemplate(const QString &stageName)
{
    const LifecycleStage *stage = m_lifecycle.findStage(stageName);
    if (!stage)
        return false;

    m_stage->setText(stage->name);
    m_status->setText(stage->status.isEmpty() ? stage->name : stage->status);
    m_message->setText(stage->message);
    const int index = m_stageTemplate->findData(stage->name, StageNameRole);
    if (index >= 0)
        m_stageTemplate->setCurrentIndex(index);
    return true;
}

QStringList PublishPanel::stageTemplateNames() const
{
    QStringList names;
    for (int i = 0; i < m_stageTemplate->count(); ++i) {
        const QString name = m_stageTemplate->itemData(i, StageNameRole).toString();
        if (!name.isEmpty())
            names.append(name);
    }
    return names;
}

void PublishPanel::publish()
{
    std::variant<OrderEvent, PublishDraftError> result = currentDraft().toEvent();
    // The action is disabled in both cases, so this only guards a call from code.
    if (!m_service->isRunning() || std::holds_alternative<PublishDraftError>(result))
        return;

    OrderEvent event = std::get<OrderEvent>(std::move(result));
    if (!PublishDraft::resolveStage(event, m_lifecycle).isEmpty())
        return;
    // The hub has the last word and rejects a forbidden stage itself, but it
    // cannot ask the user, so the console checks against the hub's state first.
    const QString conflict =
            PublishDraft::lifecycleConflict(event, hubStage(event.orderId), m_lifecycle);
    if (!conflict.isEmpty()) {
        confirmOverride(event, conflict);
        return;
    }
    send(event);
}

void PublishPanel::confirmOverride(const OrderEvent &event, const QString &conflict)
{
    // open() rather than exec(), so that no nested event loop runs while
    // snapshots keep arriving.
    auto *box = new QMessageBox(QMessageBox::Warning, tr("Publish as an Override?"),
                                tr("%1 Publish anyway as an override?").arg(conflict),
                                QMessageBox::Cancel, this);
    box->setObjectName(QStringLiteral("overrideConfirmation"));
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setInformativeText(tr("The event is stored and sent with \"override\": true, and the "
                               "order moves to its stage."));
    QPushButton *overrideButton = box->addButton(tr("Publish as Override"),
                                                 QMessageBox::AcceptRole);
    overrideButton->setObjectName(QStringLiteral("overrideButton"));
    box->setDefaultButton(QMessageBox::Cancel);
    connect(box, &QMessageBox::finished, this, [this, box, overrideButton, event] {
        if (box->clickedButton() != overrideButton) {
            m_result->setText(tr("Not published: the lifecycle forbids this stage."));
            return;
        }
        OrderEvent overridden = event;
        overridden.lifecycleOverride = true;
        send(overridden);
    });
    box->open();
}

void PublishPanel::send(const OrderEvent &event)
{
    // The server may have stopped while the confirmation was open.
    if (!m_service->isRunning()) {
        m_result->setText(tr("Not published: the server is not running."));
        return;
    }

    m_pendingOrderIds.push_back(event.orderId);
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
    draft.publisher = m_publisher;
    return draft;
}

QString PublishPanel::listedStage(const QString &orderId) const
{
    const int row = m_orders->rowOfOrder(orderId);
    return row < 0 ? QString() : m_orders->order(row).lastStage;
}

QString PublishPanel::hubStage(const QString &orderId) const
{
    // A snapshot without events is a copy of the orders' summaries under the
    // hub's lock, cheap enough for one click.
    const HubSnapshot snapshot =
            m_service->snapshot(std::numeric_limits<quint64>::max(), 0);
    const auto order = std::find_if(
            snapshot.orders.cbegin(), snapshot.orders.cend(),
            [&orderId](const OrderSummary &summary) { return summary.orderId == orderId; });
    return order == snapshot.orders.cend() ? QString() : order->lastStage;
}

void PublishPanel::revalidate()
{
    refreshStageTemplates();

    std::variant<OrderEvent, PublishDraftError> result = currentDraft().toEvent();

    const PublishDraftError *error = std::get_if<PublishDraftError>(&result);
    const bool detailsInvalid = error && error->field == PublishDraftError::Field::Details;
    m_detailsError->setText(detailsInvalid ? error->message : QString());
    m_detailsError->setVisible(detailsInvalid);

    // The preview is the event as the hub stores and sends it, so the stage
    // carries the lifecycle's name for it.
    OrderEvent preview;
    QString stageError;
    if (!error) {
        preview = std::get<OrderEvent>(std::move(result));
        stageError = PublishDraft::resolveStage(preview, m_lifecycle);
    }

    QString reason;
    if (error)
        reason = error->message;
    else if (!stageError.isEmpty())
        reason = stageError;
    else if (!m_service->isRunning())
        reason = tr("The server is not running.");
    m_reason->setText(reason);
    m_publishAction->setEnabled(reason.isEmpty());
    m_publishButton->setEnabled(reason.isEmpty());

    if (error || !stageError.isEmpty()) {
        m_lifecycleWarning->setVisible(false);
        m_preview->clear();
        return;
    }

    // A forbidden stage shows the override it will be sent with.
    const QString conflict =
            PublishDraft::lifecycleConflict(preview, listedStage(preview.orderId), m_lifecycle);
    preview.lifecycleOverride = !conflict.isEmpty();
    m_lifecycleWarning->setText(
            tr("%1 Publishing asks for confirmation and sends the event as an override.")
                    .arg(conflict));
    m_lifecycleWarning->setVisible(!conflict.isEmpty());

    preview.id = m_lastEventId + 1;
    preview.time = QDateTime::currentDateTimeUtc();
    m_preview->setPlainText(QString::fromUtf8(SseFrame::encodeEvent(preview)));
}

void PublishPanel::refreshStageTemplates()
{
    const QString orderId = m_orderId->text().trimmed();
    const QString currentStage = listedStage(orderId);
    if (m_templatesBuilt && orderId == m_templateOrderId && currentStage == m_templateCurrentStage)
        return;

    m_templatesBuilt = true;
    m_templateOrderId = orderId;
    m_templateCurrentStage = currentStage;
    const QString chosen = m_stageTemplate->currentData(StageNameRole).toString();

    const LifecycleStage *current = m_lifecycle.findStage(currentStage);
    const QString from = current ? current->name : currentStage;
    const QStringList allowed = m_lifecycle.nextStages(from);

    QList<const LifecycleStage *> others;
    m_stageTemplate->clear();
    m_stageTemplate->addItem(tr("Choose a stage…"));
    for (const LifecycleStage &stage : m_lifecycle.stages()) {
        if (!allowed.contains(stage.name))
            others.append(&stage);
    }
    for (const QString &name : allowed)
        m_stageTemplate->addItem(name, name);
    m_allowedTemplateCount = int(allowed.size());

    if (!others.isEmpty())
        m_stageTemplate->insertSeparator(m_stageTemplate->count());
    for (const LifecycleStage *stage : std::as_const(others)) {
        const int index = m_stageTemplate->count();
        const QString text = from.isEmpty()
                ? tr("%1 (not a first stage)").arg(stage->name)
                : tr("%1 (not allowed after %2)").arg(stage->name, from);
        m_stageTemplate->addItem(text, stage->name);
        m_stageTemplate->setItemData(index,
                                     tr("Publishing this stage needs an override"),
                                     Qt::ToolTipRole);
    }

    const int chosenIndex = chosen.isEmpty() ? -1 : m_stageTemplate->findData(chosen, StageNameRole);
    m_stageTemplate->setCurrentIndex(qMax(0, chosenIndex));
}

void PublishPanel::applyChosenTemplate(int index)
{
    const QString name = m_stageTemplate->itemData(index, StageNameRole).toString();
    if (!name.isEmpty())
        applyStageTemplate(name);
}

void PublishPanel::showPublished(const OrderEvent &event)
{
    // The simulator publishes through the same service signals.
    if (m_pendingOrderIds.empty() || event.source != QLatin1String(OrderEventSource::Console))
        return;
    m_pendingOrderIds.pop_front();

    // The model may be a tick old, so the count comes from the hub itself.
    const HubSnapshot snapshot = m_service->snapshot(event.id, 0);
    const auto order = std::find_if(
            snapshot.orders.cbegin(), snapshot.orders.cend(),
            [&event](const OrderSummary &summary) { return summary.orderId == event.orderId; });
    const int subscribers = order == snapshot.orders.cend() ? 0 : order->subscribers;
    const QString time = event.time.toLocalTime().toString(QStringLiteral("HH:mm:ss"));
    const QString text = event.lifecycleOverride
            ? tr("Published event %1 to order %2 as an override at %3 (subscribers: %4).")
            : tr("Published event %1 to order %2 at %3 (subscribers: %4).");
    m_result->setText(text.arg(QString::number(event.id), event.orderId, time,
                               QLocale().toString(subscribers)));
}

void PublishPanel::showPublishFailed(const QString &orderId, const QString &reason)
{
    if (m_pendingOrderIds.empty() || m_pendingOrderIds.front() != orderId)
        return;
    m_pendingOrderIds.pop_front();

    m_result->setText(tr("Publish to order %1 failed: %2.").arg(orderId, reason));
}
