#include "publishrequest.h"

#include <QJsonDocument>
#include <QJsonParseError>

QJsonObject HttpError::toJson() const
{
    QJsonObject json;
    json.insert(QLatin1String("error"), code);
    json.insert(QLatin1String("message"), message);
    return json;
}

namespace {

HttpError badRequest(const char *code, const QString &message)
{
    return HttpError{400, QLatin1String(code), message};
}

// Reads an optional string member; a present member of another type is an error.
std::optional<HttpError> readOptionalString(const QJsonObject &object, QLatin1String name,
                                            QString &out)
{
    const QJsonValue value = object.value(name);
    if (value.isUndefined() || value.isNull())
        return std::nullopt;
    if (!value.isString())
        return badRequest("invalid_field", QStringLiteral("\"%1\" must be a string").arg(name));
    out = value.toString();
    return std::nullopt;
}

} // namespace

std::variant<OrderEvent, HttpError> parsePublishBody(const QString &orderId,
                                                     const QByteArray &body)
{
    if (body.size() > MaxPublishBodyBytes) {
        return HttpError{413, QStringLiteral("body_too_large"),
                         QStringLiteral("request body is %1 bytes; the limit is %2 bytes")
                                 .arg(body.size())
                                 .arg(MaxPublishBodyBytes)};
    }
    if (body.trimmed().isEmpty())
        return badRequest("invalid_json", QStringLiteral("request body is empty; expected a JSON object"));

    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(body, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        return badRequest("invalid_json",
                          QStringLiteral("body is not valid JSON: %1 at offset %2")
                                  .arg(parseError.errorString())
                                  .arg(parseError.offset));
    }
    if (!document.isObject())
        return badRequest("invalid_json", QStringLiteral("body must be a JSON object"));

    const QJsonObject object = document.object();
    const QJsonValue status = object.value(QLatin1String("status"));
    if (status.isUndefined() || status.isNull())
        return badRequest("missing_field", QStringLiteral("\"status\" is missing"));
    if (!status.isString() || status.toString().trimmed().isEmpty())
        return badRequest("invalid_field", QStringLiteral("\"status\" must be a non-empty string"));

    OrderEvent event;
    event.orderId = orderId;
    event.status = status.toString();
    if (auto error = readOptionalString(object, QLatin1String("stage"), event.stage))
        return *error;
    if (auto error = readOptionalString(object, QLatin1String("message"), event.message))
        return *error;

    // A script may mark its events as simulated; other sources belong to the
    // server (api, console, ingest).
    if (auto error = readOptionalString(object, QLatin1String("source"), event.source))
        return *error;
    if (!event.source.isEmpty() && event.source != QLatin1String(OrderEventSource::Api)
        && event.source != QLatin1String(OrderEventSource::Simulator)) {
        return badRequest("invalid_field",
                          QStringLiteral("\"source\" must be \"api\" or \"simulator\""));
    }

    const QJsonValue override = object.value(QLatin1String("override"));
    if (!override.isUndefined() && !override.isNull()) {
        if (!override.isBool())
            return badRequest("invalid_field", QStringLiteral("\"override\" must be true or false"));
        event.lifecycleOverride = override.toBool();
    }

    const QJsonValue details = object.value(QLatin1String("details"));
    if (!details.isUndefined() && !details.isNull()) {
        if (!details.isObject())
            return badRequest("invalid_field", QStringLiteral("\"details\" must be a JSON object"));
        event.details = details.toObject();
    }
    return event;
}
