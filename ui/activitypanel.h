#pragma once

#include "activityhistory.h"

#include <QWidget>

#include <array>

class ActivityChart;
class QBoxLayout;
struct HubSnapshot;

// The Activity dock's content: open connections, events per minute and
// reconnects per minute over the last hour, one ActivityChart each. They
// stand side by side in a panel more than twice as wide as high, else stacked.
// Fed from the console's snapshots, one sample every SampleIntervalMs at
// most, so the work per tick is a comparison and, every few seconds, three
// repaints.
class ActivityPanel : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ActivityPanel)

public:
    static constexpr qint64 SampleIntervalMs = 5000;

    explicit ActivityPanel(QWidget *parent = nullptr);
    ~ActivityPanel() override;

    // Records the snapshot when SampleIntervalMs have passed since the last
    // recorded one, by the system clock.
    void showSnapshot(const HubSnapshot &snapshot);
    // Records the snapshot as taken at nowMs (milliseconds since the epoch),
    // whatever the interval.
    void recordSnapshot(qint64 nowMs, const HubSnapshot &snapshot);
    // Forgets every sample. A restarted server needs no clear(), because
    // ActivityHistory counts a counter that went down as a new total.
    void clear();

    const ActivityHistory &history() const { return m_history; }
    ActivityChart *chart(ActivityHistory::Series series) const;

protected:
    void resizeEvent(QResizeEvent *event) override;

private:
    ActivityHistory m_history;
    std::array<ActivityChart *, ActivityHistory::SeriesCount> m_charts{};
    qint64 m_lastRecordedMs = -1;
    QBoxLayout *m_layout = nullptr;
};
