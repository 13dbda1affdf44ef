#pragma once

#include <QStyledItemDelegate>

class QDateTime;

// Shows a QDateTime cell as its age ("12 s ago"). The model's tooltip keeps
// the absolute time. The age is computed at paint time, so the view must be
// repainted periodically (OrdersPanel does it once per second) while the
// model emits nothing.
class RelativeTimeDelegate : public QStyledItemDelegate
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RelativeTimeDelegate)

public:
    explicit RelativeTimeDelegate(QObject *parent = nullptr);
    ~RelativeTimeDelegate() override;

    QString displayText(const QVariant &value, const QLocale &locale) const override;

    // Formats the time from then to now in the largest whole unit: seconds,
    // minutes, hours or days. Times in the future read as "just now".
    static QString formatAge(const QDateTime &then, const QDateTime &now);
};
