#include "relativetimedelegate.h"

#include <QDateTime>

RelativeTimeDelegate::RelativeTimeDelegate(QObject *parent) : QStyledItemDelegate(parent) { }

RelativeTimeDelegate::~RelativeTimeDelegate() = default;

QString RelativeTimeDelegate::displayText(const QVariant &value, const QLocale &locale) const
{
    if (value.userType() != QMetaType::QDateTime)
        return QStyledItemDelegate::displayText(value, locale);

    const QDateTime time = value.toDateTime();
    if (!time.isValid())
        return {};
    return formatAge(time, QDateTime::currentDateTimeUtc());
}

QString RelativeTimeDelegate::formatAge(const QDateTime &then, const QDateTime &now)
{
    const qint64 seconds = then.secsTo(now);
    if (seconds < 1)
        return tr("just now");
    if (seconds < 60)
        return tr("%1 s ago").arg(seconds);
    if (seconds < 60 * 60)
        return tr("%1 min ago").arg(seconds / 60);
    if (seconds < 24 * 60 * 60)
        return tr("%1 h ago").arg(seconds / (60 * 60));
    return tr("%1 d ago").arg(seconds / (24 * 60 * 60));
}
