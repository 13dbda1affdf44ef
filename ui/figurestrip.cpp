#include "figurestrip.h"

#include "orderhub.h"

#include <QFrame>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QStyle>
#include <QVBoxLayout>

FigureStrip::FigureStrip(QWidget *parent) : QWidget(parent)
{
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
    auto *layout = new QHBoxLayout;
    layout->setContentsMargins(0, 0, 0, 0);

    addTile(layout, OpenStreams, tr("Open streams"),
            tr("Server-Sent Events connections open right now"),
            QStringLiteral("openStreamsFigure"));
    addTile(layout, OrdersWatched, tr("Orders watched"),
            tr("Orders with at least one open stream"), QStringLiteral("ordersWatchedFigure"));
    addTile(layout, EventsPublished, tr("Events published"),
            tr("Events published since the server started"),
            QStringLiteral("eventsPublishedFigure"));
    addTile(layout, EventsPerMinute, tr("Events / min"),
            tr("Events published in the last minute, counted from the console's snapshots"),
            QStringLiteral("eventsPerMinuteFigure"));
    addTile(layout, ReconnectsPerMinute, tr("Reconnects / min"),
            tr("Clients that came back to an order's stream in the last 60 s"),
            QStringLiteral("reconnectsPerMinuteFigure"));
    addTile(layout, FramesDelivered, tr("Frames delivered"),
            tr("Event frames written to subscribers since the server started"),
            QStringLiteral("framesDeliveredFigure"));
    addTile(layout, SlowConsumersDropped, tr("Slow clients dropped"),
            tr("Streams closed because their unsent data passed the limit"),
            QStringLiteral("slowConsumersDroppedFigure"));
    addTile(layout, PublishesRejected, tr("Publishes rejected"),
            tr("Publishes rejected because the streaming queues were full"),
            QStringLiteral("publishesRejectedFigure"));

    auto *stripLayout = new QVBoxLayout(this);
    stripLayout->setContentsMargins(0, 0, 0, 0);
    stripLayout->addLayout(layout);
    stripLayout->addWidget(createStormBanner());

    m_clock.start();
}

FigureStrip::~FigureStrip() = default;

void FigureStrip::addTile(QHBoxLayout *layout, Figure figure, const QString &title,
                          const QString &toolTip, const QString &objectName)
{
    auto *tile = new QFrame(this);
    tile->setFrameShape(QFrame::StyledPanel);
    tile->setToolTip(toolTip);

    auto *titleLabel = new QLabel(title, tile);
    titleLabel->setForegroundRole(QPalette::PlaceholderText);

    auto *valueLabel = new QLabel(tile);
    valueLabel->setObjectName(objectName);
    valueLabel->setAccessibleName(title);
    valueLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    QFont valueFont = valueLabel->font();
    valueFont.setPointSizeF(valueFont.pointSizeF() * 1.6);
    valueFont.setBold(true);
    valueLabel->setFont(valueFont);
    valueLabel->setText(QStringLiteral("0"));

    auto *tileLayout = new QVBoxLayout(tile);
    tileLayout->setSpacing(2);
    tileLayout->addWidget(titleLabel);
    tileLayout->addWidget(valueLabel);

    layout->addWidget(tile, 1);
    m_values[figure] = valueLabel;
}

QFrame *FigureStrip::createStormBanner()
{
    // A warning icon and words carry the message. The tooltip colors of the
    // system palette set the banner apart in light and dark themes.
    m_stormBanner = new QFrame(this);
    m_stormBanner->setObjectName(QStringLiteral("reconnectStormBanner"));
    m_stormBanner->setFrameShape(QFrame::StyledPanel);
    m_stormBanner->setBackgroundRole(QPalette::ToolTipBase);
    m_stormBanner->setForegroundRole(QPalette::ToolTipText);
    m_stormBanner->setAutoFillBackground(true);

    auto *icon = new QLabel(m_stormBanner);
    const int iconSize = style()->pixelMetric(QStyle::PM_SmallIconSize, nullptr, this);
    icon->setPixmap(style()->standardIcon(QStyle::SP_MessageBoxWarning, nullptr, this)
                            .pixmap(iconSize, iconSize));
    m_stormText = new QLabel(m_stormBanner);
    m_stormText->setObjectName(QStringLiteral("reconnectStormText"));
    m_stormText->setForegroundRole(QPalette::ToolTipText);
    m_stormText->setTextFormat(Qt::PlainText);
    m_stormText->setWordWrap(true);
    QFont bold = m_stormText->font();
    bold.setBold(true);
    m_stormText->setFont(bold);

    auto *layout = new QHBoxLayout(m_stormBanner);
    layout->addWidget(icon);
    layout->addWidget(m_stormText, 1);
    m_stormBanner->hide();
    return m_stormBanner;
}

void FigureStrip::setReconnectStormThreshold(int reconnectsPerMinute)
{
    m_stormThreshold = reconnectsPerMinute;
}

void FigureStrip::showSnapshot(const HubSnapshot &snapshot)
{
    m_rateMeter.addReading(m_clock.elapsed(), snapshot.eventsPublished);

    setFigure(OpenStreams, quint64(snapshot.connections));
    setFigure(OrdersWatched, quint64(snapshot.ordersWatched));
    setFigure(EventsPublished, snapshot.eventsPublished);
    setFigure(EventsPerMinute, m_rateMeter.eventsInWindow());
    setFigure(ReconnectsPerMinute, quint64(snapshot.reconnectsLastMinute));
    setFigure(FramesDelivered, snapshot.framesDelivered);
    setFigure(SlowConsumersDropped, snapshot.slowConsumersDropped);
    setFigure(PublishesRejected, snapshot.publishesRejected);

    // Until a full minute of readings exists, the figure covers less time,
    // and the tooltip gives the time covered.
    const qint64 coveredSeconds = m_rateMeter.coveredMs() / 1000;
    if (m_rateMeter.coveredMs() < m_rateMeter.windowMs()) {
        m_values[EventsPerMinute]->setToolTip(
                tr("Events published in the last %1 s; the console has not watched a full "
                   "minute yet")
                        .arg(coveredSeconds));
    } else {
        m_values[EventsPerMinute]->setToolTip(tr("Events published in the last 60 s"));
    }
    m_values[ReconnectsPerMinute]->setToolTip(
            tr("Reconnects since the server started: %1")
                    .arg(QLocale().toString(snapshot.reconnectsTotal)));

    showReconnectStorm(snapshot.reconnectStorm, snapshot.reconnectsLastMinute);
}

void FigureStrip::showReconnectStorm(bool active, int reconnectsLastMinute)
{
    if (!active) {
        m_stormBanner->hide();
        m_stormText->clear();
        return;
    }

    const QLocale locale;
    m_stormText->setText(tr("Reconnect storm: %1 reconnects in the last minute (threshold %2)")
                                 .arg(locale.toString(reconnectsLastMinute),
                                      locale.toString(m_stormThreshold)));
    m_stormBanner->show();
}

void FigureStrip::resetRate()
{
    m_rateMeter.reset();
}

QString FigureStrip::figureText(Figure figure) const
{
    return m_values.at(figure)->text();
}

QString FigureStrip::stormBannerText() const
{
    return m_stormBanner->isHidden() ? QString() : m_stormText->text();
}

void FigureStrip::setFigure(Figure figure, quint64 value)
{
    m_values.at(figure)->setText(QLocale().toString(value));
}
