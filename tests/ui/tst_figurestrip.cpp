#include "figurestrip.h"
#include "orderhub.h"

#include <QLabel>
#include <QTest>

// The strip fed with snapshots as OrderStreamService::snapshot() fills them.
class tst_FigureStrip : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void showsReconnectsPerMinute();
    void stormBannerShowsAndHides();
};

void tst_FigureStrip::showsReconnectsPerMinute()
{
    FigureStrip strip;
    HubSnapshot snapshot;
    snapshot.reconnectsLastMinute = 1234;
    snapshot.reconnectsTotal = 5000;

    strip.showSnapshot(snapshot);

    QCOMPARE(strip.figureText(FigureStrip::ReconnectsPerMinute), QLocale().toString(1234));
    const auto *label = strip.findChild<QLabel *>(QStringLiteral("reconnectsPerMinuteFigure"));
    QVERIFY(label);
    QVERIFY2(label->toolTip().contains(QLocale().toString(5000)), qPrintable(label->toolTip()));
}

void tst_FigureStrip::stormBannerShowsAndHides()
{
    FigureStrip strip;
    strip.setReconnectStormThreshold(120);
    strip.show();
    QVERIFY(QTest::qWaitForWindowExposed(&strip));
    auto *banner = strip.findChild<QWidget *>(QStringLiteral("reconnectStormBanner"));
    QVERIFY(banner);
    HubSnapshot snapshot;
    snapshot.reconnectsLastMinute = 10;

    strip.showSnapshot(snapshot);
    QVERIFY(!banner->isVisible());
    QVERIFY(strip.stormBannerText().isEmpty());

    snapshot.reconnectsLastMinute = 340;
    snapshot.reconnectStorm = true;
    strip.showSnapshot(snapshot);
    QVERIFY(banner->isVisible());
    QCOMPARE(strip.stormBannerText(),
        QStringLiteral("Reconnect storm: 340 reconnects in the last minute (threshold 120)"));

    snapshot.reconnectsLastMinute = 90;
    snapshot.reconnectStorm = false;
    strip.showSnapshot(snapshot);
    QVERIFY(!banner->isVisible());
    QVERIFY(strip.stormBannerText().isEmpty());
}

QTEST_MAIN(tst_FigureStrip)
#include "tst_figurestrip.moc"
