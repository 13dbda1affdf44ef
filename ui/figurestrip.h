#pragma once

#include "eventratemeter.h"

#include <QElapsedTimer>
#include <QWidget>

#include <array>

class QFrame;
class QHBoxLayout;
class QLabel;
struct HubSnapshot;

// The row of live figures across the top of the console. Every figure is
// read from the hub snapshot except events per minute, which EventRateMeter
// derives from successive snapshots' eventsPublished totals.
//
// Below the figures, a banner states a reconnect storm in words while the
// snapshot reports one, and hides when it ends.
class FigureStrip : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(FigureStrip)

public:
    enum Figure {
        OpenStreams,
        OrdersWatched,
        EventsPublished,
        EventsPerMinute,
        ReconnectsPerMinute,
        FramesDelivered,
        SlowConsumersDropped,
        PublishesRejected,
        FigureCount
    };
    Q_ENUM(Figure)

    explicit FigureStrip(QWidget *parent = nullptr);
    ~FigureStrip() override;

    void showSnapshot(const HubSnapshot &snapshot);
    // Sets the reconnects per minute at which the service reports a storm,
    // for the banner's text (ServerConfig::reconnectStormPerMinute).
    void setReconnectStormThreshold(int reconnectsPerMinute);
    // Starts the events-per-minute window again, for a restarted server.
    void resetRate();

    // Returns the text the figure shows, as a user reads it.
    QString figureText(Figure figure) const;
    // Returns the storm banner's text, or an empty string while it is hidden.
    QString stormBannerText() const;

private:
    void addTile(QHBoxLayout *layout, Figure figure, const QString &title,
                 const QString &toolTip, const QString &objectName);
    QFrame *createStormBanner();
    void setFigure(Figure figure, quint64 value);
    void showReconnectStorm(bool active, int reconnectsLastMinute);

    std::array<QLabel *, FigureCount> m_values{};
    QFrame *m_stormBanner = nullptr;
    QLabel *m_stormText = nullptr;
    int m_stormThreshold = 0;
    EventRateMeter m_rateMeter;
    QElapsedTimer m_clock;
};
