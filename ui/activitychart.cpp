#include "activitychart.h"

#include <QDateTime>
#include <QHelpEvent>
#include <QLocale>
#include <QPainter>
#include <QPainterPath>
#include <QToolTip>

#include <cmath>

namespace {

constexpr int Margin = 4;
constexpr int TickCount = 4;
// Time axis labels, in minutes before now.
constexpr int TimeLabelMinutes[] = {60, 45, 30, 15, 0};

} // namespace

ActivityChart::ActivityChart(const ActivityHistory *history, ActivityHistory::Series series,
                             const QString &title, QWidget *parent)
    : QWidget(parent), m_history(history), m_series(series), m_title(title)
{
    Q_ASSERT(m_history);
    setAccessibleName(title);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
    refresh();
}

ActivityChart::~ActivityChart() = default;

ActivityChart::Axis ActivityChart::niceAxis(quint64 maximum)
{
    if (maximum == 0)
        return {1, 1};

    // The smallest 1, 2 or 5 times a power of ten that covers maximum in
    // TickCount steps. Counts are integers, so the step is at least 1.
    const double rawStep = double(maximum) / TickCount;
    const double magnitude = std::pow(10.0, std::floor(std::log10(rawStep)));
    quint64 step = 1;
    for (const double factor : {1.0, 2.0, 5.0, 10.0}) {
        step = quint64(std::max(1.0, factor * magnitude));
        if (double(step) >= rawStep)
            break;
    }
    const quint64 top = (maximum + step - 1) / step * step;
    return {top, step};
}

QString ActivityChart::describeValue(quint64 value) const
{
    const QString number = QLocale().toString(value);
    switch (m_series) {
    case ActivityHistory::OpenConnections:
        return tr("%1 open connections").arg(number);
    case ActivityHistory::EventsPerMinute:
        return tr("%1 events").arg(number);
    case ActivityHistory::ReconnectsPerMinute:
        return tr("%1 reconnects").arg(number);
    case ActivityHistory::SeriesCount:
        break;
    }
    return number;
}

QString ActivityChart::currentValueText() const
{
    const qint64 now = m_history->currentMinute();
    const qint64 minute = m_series == ActivityHistory::OpenConnections ? now : now - 1;
    const std::optional<quint64> value = m_history->value(m_series, minute);
    return value ? QLocale().toString(*value) : QStringLiteral("\u2013");
}

int ActivityChart::minutesAgoAt(const QPoint &position) const
{
    const QRect plot = plotRect();
    if (!plot.contains(position) || plot.width() <= 0)
        return -1;
    const int slot = (position.x() - plot.left()) * ActivityHistory::MinuteCount / plot.width();
    return qBound(0, ActivityHistory::MinuteCount - 1 - slot, ActivityHistory::MinuteCount - 1);
}

QString ActivityChart::toolTipText(int minutesAgo) const
{
    if (minutesAgo < 0 || m_history->isEmpty())
        return {};

    const qint64 minute = m_history->currentMinute() - minutesAgo;
    const QDateTime start = QDateTime::fromMSecsSinceEpoch(minute * 60000).toLocalTime();
    const QString time = QLocale().toString(start.time(), QLocale::ShortFormat);
    const QString when = minutesAgo == 0 ? tr("%1 (this minute, so far)").arg(time)
                                         : tr("%1 (%2 min ago)").arg(time).arg(minutesAgo);
    const std::optional<quint64> value = m_history->value(m_series, minute);
    if (!value)
        return tr("%1: no data").arg(when);
    return tr("%1: %2").arg(when, describeValue(*value));
}

void ActivityChart::refresh()
{
    const QString highest = describeValue(m_history->maximum(m_series));
    setAccessibleDescription(tr("%1: now %2; highest in the last hour: %3")
                                     .arg(m_title, currentValueText(), highest));
    update();
}

QSize ActivityChart::sizeHint() const
{
    return {360, headerHeight() + 6 * fontMetrics().height()};
}

QSize ActivityChart::minimumSizeHint() const
{
    return {200, headerHeight() + 4 * fontMetrics().height()};
}

bool ActivityChart::event(QEvent *event)
{
    if (event->type() == QEvent::ToolTip) {
        auto *help = static_cast<QHelpEvent *>(event);
        const QString text = toolTipText(minutesAgoAt(help->pos()));
        if (text.isEmpty()) {
            QToolTip::hideText();
            event->ignore();
        } else {
            QToolTip::showText(help->globalPos(), text, this);
        }
        return true;
    }
    return QWidget::event(event);
}

QFont ActivityChart::valueFont() const
{
    QFont font = this->font();
    font.setPointSizeF(font.pointSizeF() * 1.6);
    font.setBold(true);
    return font;
}

int ActivityChart::headerHeight() const
{
    return QFontMetrics(valueFont()).height() + Margin;
}

QRect ActivityChart::plotRect() const
{
    const QFontMetrics metrics = fontMetrics();
    const Axis axis = niceAxis(m_history->maximum(m_series));
    const int labelWidth = metrics.horizontalAdvance(QLocale().toString(axis.top));
    const int left = Margin + labelWidth + Margin;
    const int top = headerHeight() + metrics.height() / 2;
    const int bottom = height() - Margin - metrics.height() - Margin;
    const int right = width() - Margin - metrics.horizontalAdvance(tr("now")) / 2;
    return QRect(QPoint(left, top), QPoint(right, bottom));
}

void ActivityChart::paintEvent(QPaintEvent *)
{
    QPainter painter(this);
    painter.setRenderHint(QPainter::Antialiasing);
    const QPalette palette = this->palette();
    const QFontMetrics metrics = fontMetrics();
    const QLocale locale;

    // Header: the title, and the current value in large text.
    painter.setPen(palette.color(QPalette::PlaceholderText));
    painter.drawText(QRect(Margin, 0, width() / 2, headerHeight()),
                     Qt::AlignLeft | Qt::AlignVCenter, m_title);
    painter.setPen(palette.color(QPalette::WindowText));
    painter.setFont(valueFont());
    painter.drawText(QRect(width() / 2, 0, width() / 2 - Margin, headerHeight()),
                     Qt::AlignRight | Qt::AlignVCenter, currentValueText());
    painter.setFont(font());

    const QRect plot = plotRect();
    if (plot.width() <= 0 || plot.height() <= 0)
        return;

    // The y axis: grid lines and labels at round numbers.
    const Axis axis = niceAxis(m_history->maximum(m_series));
    const auto yFor = [&](quint64 value) {
        return plot.bottom() - int(double(value) / double(axis.top) * plot.height());
    };
    QColor gridColor = palette.color(QPalette::WindowText);
    gridColor.setAlphaF(0.15);
    for (quint64 value = 0; value <= axis.top; value += axis.step) {
        const int y = yFor(value);
        painter.setPen(gridColor);
        painter.drawLine(plot.left(), y, plot.right(), y);
        painter.setPen(palette.color(QPalette::PlaceholderText));
        painter.drawText(QRect(0, y - metrics.height() / 2, plot.left() - Margin, metrics.height()),
                         Qt::AlignRight | Qt::AlignVCenter, locale.toString(value));
    }

    // The time axis: -60 min on the left, now on the right.
    painter.setPen(palette.color(QPalette::PlaceholderText));
    for (const int minutes : TimeLabelMinutes) {
        const int x = plot.left()
                + (ActivityHistory::MinuteCount - minutes) * plot.width() / ActivityHistory::MinuteCount;
        const QString label = minutes == 0 ? tr("now") : tr("\u2212%1 min").arg(minutes);
        const int labelWidth = metrics.horizontalAdvance(label);
        const int labelLeft = qBound(0, x - labelWidth / 2, width() - labelWidth);
        painter.drawText(QRect(labelLeft, plot.bottom() + Margin, labelWidth, metrics.height()),
                         Qt::AlignCenter, label);
    }

    if (m_history->isEmpty())
        return;

    const QColor dataColor = palette.color(QPalette::Highlight);
    const double slotWidth = double(plot.width()) / ActivityHistory::MinuteCount;
    const qint64 now = m_history->currentMinute();
    QPainterPath line;
    bool lineOpen = false;
    for (int slot = 0; slot < ActivityHistory::MinuteCount; ++slot) {
        const qint64 minute = now - (ActivityHistory::MinuteCount - 1 - slot);
        const std::optional<quint64> value = m_history->value(m_series, minute);
        if (!value) {
            lineOpen = false;
            continue;
        }
        const double left = plot.left() + slot * slotWidth;
        const int y = yFor(*value);
        if (m_series == ActivityHistory::OpenConnections) {
            const QPointF point(left + slotWidth / 2, y);
            if (lineOpen)
                line.lineTo(point);
            else
                line.moveTo(point);
            lineOpen = true;
            painter.setPen(Qt::NoPen);
            painter.setBrush(dataColor);
            painter.drawEllipse(point, 1.5, 1.5);
        } else {
            const double gap = slotWidth > 4 ? 1.0 : 0.0;
            painter.fillRect(QRectF(left + gap / 2, y, slotWidth - gap, plot.bottom() - y),
                             dataColor);
        }
    }
    if (m_series == ActivityHistory::OpenConnections) {
        painter.setBrush(Qt::NoBrush);
        painter.setPen(QPen(dataColor, 2));
        painter.drawPath(line);
    }
}
