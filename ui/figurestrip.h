#pragma once

#include "eventratemeter.h"

#include <QElapsedTimer>
#include <QWidget>

#include <array>

class QHBoxLayout;
class QLabel;
struct HubSnapshot;

// The row of live figures across the top of the console. Every figure is
// read from the hub snapshot except events per minute, which EventRateMeter
// derives from successive snapshots' eventsPublished totals.
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
        FramesDelivered,
        SlowConsumersDropped,
        PublishesRejected,
        FigureCount
    };
    Q_ENUM(Figure)

    explicit FigureStrip(QWidget *parent = nullptr);
    ~FigureStrip() override;

    void showSnapshot(const HubSnapshot &snapshot);
    // Starts the events-per-minute window again, for a restarted server.
    void resetRate();

    // Returns the text the figure shows, as a user reads it.
    QString figureText(Figure figure) const;

private:
    void addTile(QHBoxLayout *layout, Figure figure, const QString &title,
                 const QString &toolTip, const QString &objectName);
    void setFigure(Figure figure, quint64 value);

    std::array<QLabel *, FigureCount> m_values{};
    EventRateMeter m_rateMeter;
    QElapsedTimer m_clock;
};
