#pragma once

#include "activityhistory.h"

#include <QWidget>

// One series of an ActivityHistory over the last hour, drawn with QPainter.
// The title and the current value in large text are on top. Below is the
// plot, with a y axis scaled to round numbers and a time axis from -60 min
// to now. Rates are bars, one per minute, and open connections is a line. Minutes
// without samples stay empty. Hovering a minute shows its value in a
// tooltip. Colors come from the palette, so light and dark themes work.
class ActivityChart : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ActivityChart)

public:
    // A y axis from 0 to top in steps of step.
    struct Axis
    {
        quint64 top = 1;
        quint64 step = 1;
    };

    // history must outlive the chart.
    ActivityChart(const ActivityHistory *history, ActivityHistory::Series series,
                  const QString &title, QWidget *parent = nullptr);
    ~ActivityChart() override;

    // Returns an axis with at most about four steps of 1, 2 or 5 times a
    // power of ten, whose top is at least maximum.
    static Axis niceAxis(quint64 maximum);

    ActivityHistory::Series series() const { return m_series; }
    QString title() const { return m_title; }
    // Returns the large figure: open connections at the newest sample, or
    // the count of the last full minute for rates; "–" without data.
    QString currentValueText() const;
    // Returns the minute under position, in minutes before the current one
    // (0 to 59), or -1 outside the plot.
    int minutesAgoAt(const QPoint &position) const;
    // Returns the tooltip for the minute minutesAgo before the current one.
    QString toolTipText(int minutesAgo) const;

    // Repaints and updates the accessible description after a new sample.
    void refresh();

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    bool event(QEvent *event) override;
    void paintEvent(QPaintEvent *event) override;

private:
    QRect plotRect() const;
    int headerHeight() const;
    QFont valueFont() const;
    QString describeValue(quint64 value) const;

    const ActivityHistory *const m_history;
    const ActivityHistory::Series m_series;
    const QString m_title;
};
