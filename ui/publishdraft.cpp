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
    return event;
}
