#include "orderevent.h"

QJsonObject OrderEvent::toJson() const
{
    QJsonObject json;
    json.insert(QLatin1String("id"), qint64(id));
    json.insert(QLatin1String("orderId"), orderId);
    json.insert(QLatin1String("type"), type);
    json.insert(QLatin1String("status"), status);
    json.insert(QLatin1String("stage"), stage);
    json.insert(QLatin1String("message"), message);
    json.insert(QLatin1String("details"), details);
    json.insert(QLatin1String("time"), time.toUTC().toString(Qt::ISODateWithMs));
    json.insert(QLatin1String("source"), source);
    if (!publisher.isEmpty())
        json.insert(QLatin1String("publisher"), publisher);
    if (lifecycleOverride)
        json.insert(QLatin1String("override"), true);
    return json;
}

bool isValidOrderId(QStringView id)
{
    if (id.isEmpty() || id.size() > 64)
        return false;

    for (const QChar c : id) {
        const char16_t u = c.unicode();
        const bool allowed = (u >= u'a' && u <= u'z') || (u >= u'A' && u <= u'Z')
                || (u >= u'0' && u <= u'9') || u == u'-' || u == u'_';
        if (!allowed)
            return false;
    }
    return true;
}
