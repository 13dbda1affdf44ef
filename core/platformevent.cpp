#include "platformevent.h"

#include "publishrequest.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>

#include <cmath>

namespace {

// Largest integer that a JSON number (an IEEE double) represents exactly.
constexpr double MaxExactInteger = 9007199254740992.0;

HttpError badRequest(const char *code, const QString &message)
{
    return HttpError{400, QLatin1String(code), message};
}

HttpError missing(const QString &path)
{
    return badRequest("missing_field", QStringLiteral("%1 is missing").arg(path));
}

// Reads the object member key of parent; path is the member's full name in errors.
std::variant<QJsonObject, HttpError> readObject(const QJsonObject &parent, const QString &key,
                                                const QString &path)
{
    const QJsonValue value = parent.value(key);
    if (value.isUndefined() || value.isNull())
        return missing(path);
    if (!value.isObject())
        return badRequest("invalid_field", QStringLiteral("%1 must be a JSON object").arg(path));
    return value.toObject();
}

// Reads an optional string member; Salesforce sends null for an empty field.
std::optional<HttpError> readOptionalString(const QJsonObject &parent, const QString &key,
                                            const QString &path, QString &out)
{
    const QJsonValue value = parent.value(key);
    if (value.isUndefined() || value.isNull())
        return std::nullopt;
    if (!value.isString())
        return badRequest("invalid_field", QStringLiteral("%1 must be a string").arg(path));
    out = value.toString();
    return std::nullopt;
}

std::variant<OrderEvent, HttpError> mapMessage(const QJsonValue &value, const QString &prefix,
                                               const PlatformEventFields &fields)
{
    const QString messagePath = prefix.isEmpty() ? QStringLiteral("the message") : prefix.chopped(1);
    if (!value.isObject())
        return badRequest("invalid_json", QStringLiteral("%1 must be a JSON object").arg(messagePath));
    const QJsonObject message = value.toObject();

    const QString channelPath = prefix + QStringLiteral("channel");
    const QJsonValue channel = message.value(QLatin1String("channel"));
    if (channel.isUndefined() || channel.isNull())
        return missing(channelPath);
    if (!channel.isString() || channel.toString().trimmed().isEmpty())
        return badRequest("invalid_field", QStringLiteral("%1 must be a non-empty string").arg(channelPath));

    const QString dataPath = prefix + QStringLiteral("data");
    const auto data = readObject(message, QStringLiteral("data"), dataPath);
    if (const auto *error = std::get_if<HttpError>(&data))
        return *error;
    const QJsonObject &dataObject = std::get<QJsonObject>(data);

    const QString eventPath = dataPath + QStringLiteral(".event");
    const auto event = readObject(dataObject, QStringLiteral("event"), eventPath);
    if (const auto *error = std::get_if<HttpError>(&event))
        return *error;
    const QString replayIdPath = eventPath + QStringLiteral(".replayId");
    const QJsonValue replayId = std::get<QJsonObject>(event).value(QLatin1String("replayId"));
    if (replayId.isUndefined() || replayId.isNull())
        return missing(replayIdPath);
    const double replayNumber = replayId.toDouble(-1);
    if (!replayId.isDouble() || replayNumber < 0 || replayNumber > MaxExactInteger
        || std::trunc(replayNumber) != replayNumber) {
        return badRequest("invalid_field",
                          QStringLiteral("%1 must be a non-negative integer").arg(replayIdPath));
    }

    const QString payloadPath = dataPath + QStringLiteral(".payload");
    const auto payload = readObject(dataObject, QStringLiteral("payload"), payloadPath);
    if (const auto *error = std::get_if<HttpError>(&payload))
        return *error;
    const QJsonObject &payloadObject = std::get<QJsonObject>(payload);

    const QString orderIdPath = payloadPath + QLatin1Char('.') + fields.orderId;
    QString orderId;
    if (auto error = readOptionalString(payloadObject, fields.orderId, orderIdPath, orderId))
        return *error;
    if (orderId.isEmpty())
        return missing(orderIdPath);
    if (!isValidOrderId(orderId)) {
        return badRequest("invalid_field",
                          QStringLiteral("%1 \"%2\" is not a valid order id: use 1 to 64 letters, "
                                         "digits, '-' or '_'")
                                  .arg(orderIdPath, orderId.left(80)));
    }

    OrderEvent result;
    const QString statusPath = payloadPath + QLatin1Char('.') + fields.status;
    if (auto error = readOptionalString(payloadObject, fields.status, statusPath, result.status))
        return *error;
    if (result.status.trimmed().isEmpty())
        return missing(statusPath);
    if (auto error = readOptionalString(payloadObject, fields.stage,
                                        payloadPath + QLatin1Char('.') + fields.stage, result.stage)) {
        return *error;
    }
    if (auto error = readOptionalString(payloadObject, fields.message,
                                        payloadPath + QLatin1Char('.') + fields.message,
                                        result.message)) {
        return *error;
    }

    const qint64 replay = qint64(replayNumber);
    result.orderId = orderId;
    result.type = QLatin1String(OrderEventType::Update);
    result.source = QLatin1String(OrderEventSource::Ingest);
    result.publisher = channel.toString();
    result.ingestKey = result.publisher + QLatin1Char(':') + QString::number(replay);
    result.details.insert(QLatin1String("replayId"), replay);
    const QJsonValue createdDate = payloadObject.value(QLatin1String("CreatedDate"));
    if (createdDate.isString())
        result.details.insert(QLatin1String("createdDate"), createdDate);
    return result;
}

} // namespace

std::variant<PlatformEventBatch, HttpError> parsePlatformEvents(const QByteArray &body,
                                                                const PlatformEventFields &fields)
{
    if (body.size() > MaxPublishBodyBytes) {
        return HttpError{413, QStringLiteral("body_too_large"),
                         QStringLiteral("request body is %1 bytes; the limit is %2 bytes")
                                 .arg(body.size())
                                 .arg(MaxPublishBodyBytes)};
    }
    if (body.trimmed().isEmpty()) {
        return badRequest("invalid_json",
                          QStringLiteral("request body is empty; expected a CometD message or an array of them"));
    }

    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(body, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        return badRequest("invalid_json", QStringLiteral("body is not valid JSON: %1 at offset %2")
                                                  .arg(parseError.errorString())
                                                  .arg(parseError.offset));
    }

    PlatformEventBatch batch;
    if (document.isObject()) {
        auto mapped = mapMessage(document.object(), QString(), fields);
        if (auto *error = std::get_if<HttpError>(&mapped))
            return *error;
        batch.events.append(std::get<OrderEvent>(std::move(mapped)));
        return batch;
    }

    if (!document.isArray())
        return badRequest("invalid_json", QStringLiteral("body must be a JSON object or array"));
    const QJsonArray messages = document.array();
    if (messages.isEmpty())
        return badRequest("invalid_json", QStringLiteral("the array of messages is empty"));

    // Every message is checked before any is published, so a bad batch stores nothing.
    batch.isArray = true;
    for (qsizetype i = 0; i < messages.size(); ++i) {
        auto mapped = mapMessage(messages.at(i), QStringLiteral("[%1].").arg(i), fields);
        if (auto *error = std::get_if<HttpError>(&mapped))
            return *error;
        batch.events.append(std::get<OrderEvent>(std::move(mapped)));
    }
    return batch;
}
