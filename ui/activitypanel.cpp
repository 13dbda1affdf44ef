#include "activitypanel.h"

#include "activitychart.h"
#include "orderhub.h"

#include <QDateTime>
#include <QBoxLayout>

ActivityPanel::ActivityPanel(QWidget *parent) : QWidget(parent)
{
    struct ChartSetup
    {
        ActivityHistory::Series series;
        QString title;
        QString toolTip;
        const char *objectName;
    };
    const ChartSetup setups[] = {
        {ActivityHistory::OpenConnections, tr("Open connections"),
         tr("Server-Sent Events connections open, sampled every %1 s")
                 .arg(SampleIntervalMs / 1000),
         "openConnectionsChart"},
        {ActivityHistory::EventsPerMinute, tr("Events per minute"),
         tr("Events published in each minute; the large figure is the last full minute"),
         "eventsPerMinuteChart"},
        {ActivityHistory::ReconnectsPerMinute, tr("Reconnects per minute"),
         tr("Clients that came back to an order's stream in each minute; the large figure "
            "is the last full minute"),
         "reconnectsPerMinuteChart"},
    };

    m_layout = new QBoxLayout(QBoxLayout::TopToBottom, this);
    for (const ChartSetup &setup : setups) {
        auto *chart = new ActivityChart(&m_history, setup.series, setup.title, this);
        chart->setObjectName(QLatin1String(setup.objectName));
        chart->setWhatsThis(setup.toolTip);
        m_layout->addWidget(chart, 1);
        m_charts[setup.series] = chart;
    }
}

ActivityPanel::~ActivityPanel() = default;

void ActivityPanel::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    m_layout->setDirection(width() > 2 * height() ? QBoxLayout::LeftToRight
                                                  : QBoxLayout::TopToBottom);
}

void ActivityPanel::showSnapshot(const HubSnapshot &snapshot)
{
    const qint64 nowMs = QDateTime::currentMSecsSinceEpoch();
    // A clock set back starts the interval again instead of pausing sampling.
    if (m_lastRecordedMs >= 0 && nowMs >= m_lastRecordedMs
        && nowMs - m_lastRecordedMs < SampleIntervalMs)
        return;
    recordSnapshot(nowMs, snapshot);
}

void ActivityPanel::recordSnapshot(qint64 nowMs, const HubSnapshot &snapshot)
{
    if (nowMs < m_lastRecordedMs)
        m_history.clear();
    m_history.addSample(nowMs, snapshot.connections, snapshot.eventsPublished,
                        snapshot.reconnectsTotal);
    m_lastRecordedMs = nowMs;
    for (ActivityChart *chart : m_charts)
        chart->refresh();
}

void ActivityPanel::clear()
{
    m_history.clear();
    m_lastRecordedMs = -1;
    for (ActivityChart *chart : m_charts)
        chart->refresh();
}

ActivityChart *ActivityPanel::chart(ActivityHistory::Series series) const
{
    return m_charts.at(series);
}
