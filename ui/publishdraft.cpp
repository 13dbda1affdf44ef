#include "publishdraft.h"

#include "publishrequest.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>

namespace {

// Converts a byte offset into UTF-8 text to a 1-based line and column in
// characters, for messages that point into the details editor.
void lineAndColumn(const QByteArray &utf8, qsizetype offset, int *line, int *column)
{
    const QByteArray before = utf8.left(offset);
    const qsizetype lineStart = before.lastIndexOf('\n') + 1;
    *line = int(before.count('\n')) + 1;
    *column = int(QString::fromUtf8(before.mid(lineStart)).size()) + 1;
}

} // namespace

std::variant<OrderEvent, PublishDraftError> PublishDraft::toEvent() const
{
    using Field = PublishDraftError::Field;

    const QString id = orderId.trimmed();
    if (id.isEmpty())
        return PublishDraftError{Field::OrderId, tr("Order id is required."), 0, 0};
    if (!isValidOrderId(id)) {
        return PublishDraftError{
                Field::OrderId,
                tr("Order id must be 1 to 64 letters, digits, '-' or '_'."), 0, 0};
    }
    if (status.trimmed().isEmpty())
        return PublishDraftError{Field::Status, tr("Status is required."), 0, 0};

    QJsonObject details;
    if (!detailsText.trimmed().isEmpty()) {
        const QByteArray utf8 = detailsText.toUtf8();
        QJsonParseError parseError;
        const QJsonDocument document = QJsonDocument::fromJson(utf8, &parseError);
        if (parseError.error != QJsonParseError::NoError) {
            PublishDraftError error{Field::Details, QString(), 0, 0};
            lineAndColumn(utf8, parseError.offset, &error.line, &error.column);
            error.message = tr("Details: %1 at line %2, column %3.")
                                    .arg(parseError.errorString())
                                    .arg(error.line)
                                    .arg(error.column);
            return error;
        }
        if (!document.isObject())
            return PublishDraftError{Field::Details, tr("Details must be a JSON object."), 0, 0};
        details = document.object();
    }

    // The server's own parser has the last word, so the console can never
    // publish what the HTTP route would reject (the body size limit included).
    QJsonObject body;
    body.insert(QLatin1String("status"), status);
    body.insert(QLatin1String("stage"), stage);
    body.insert(QLatin1String("message"), message);
    body.insert(QLatin1String("details"), details);
    if (lifecycleOverride)
        body.insert(QLatin1String("override"), true);
    const QByteArray bodyBytes = QJsonDocument(body).toJson(QJsonDocument::Compact);
    if (bodyBytes.size() > MaxPublishBodyBytes) {
        return PublishDraftError{Field::Body,
                                 tr("The event is %1 bytes of JSON; the limit is %2 bytes.")
                                         .arg(bodyBytes.size())
                                         .arg(MaxPublishBodyBytes),
                                 0, 0};
    }

    std::variant<OrderEvent, HttpError> parsed = parsePublishBody(id, bodyBytes);
    if (const HttpError *error = std::get_if<HttpError>(&parsed))
        return PublishDraftError{Field::Body, error->message, 0, 0};

    OrderEvent event = std::get<OrderEvent>(std::move(parsed));
    event.type = QLatin1String(OrderEventType::Update);
    event.source = QLatin1String(OrderEventSource::Console);
    event.publisher = publisher;
    event.lifecycleOverride = lifecycleOverride;
    return event;
}

QString PublishDraft::systemUserName()
{
    for (const char *name : {"USER", "LOGNAME", "USERNAME"}) {
        const QString user = qEnvironmentVariable(name);
        if (!user.isEmpty())
            return user;
    }
    return {};
}

QString PublishDraft::resolveStage(OrderEvent &event, const Lifecycle &lifecycle)
{
    const bool stageGiven = !event.stage.trimmed().isEmpty();
    const LifecycleStage *stage = lifecycle.findStage(stageGiven ? event.stage : event.status);
    if (stageGiven && !stage) {
        return tr("Stage \"%1\" is not in the lifecycle; choose a template or leave the stage "
                  "empty for an informational update.")
                .arg(event.stage);
    }

    event.stage = stage ? stage->name : QString();
    if (stage && stage->isFailure && event.message.trimmed().isEmpty())
        return tr("Message is required for stage %1: give the reason.").arg(stage->name);
    return {};
}

QString PublishDraft::lifecycleConflict(const OrderEvent &event, const QString &currentStage,
                                        const Lifecycle &lifecycle)
{
    const LifecycleStage *target = lifecycle.findStage(event.stage);
    if (!target)
        return {};

    // The hub does not check a stage that was stored before the lifecycle
    // changed and is no longer part of it.
    const LifecycleStage *current = lifecycle.findStage(currentStage);
    if (!currentStage.isEmpty() && !current)
        return {};
    const QString from = current ? current->name : QString();
    if (lifecycle.isAllowed(from, target->name))
        return {};

    if (from.isEmpty()) {
        return tr("%1 has no events yet; %2 cannot be its first stage.")
                .arg(event.orderId, target->name);
    }
    return tr("%1 is %2; %3 cannot follow it.").arg(event.orderId, from, target->name);
}
