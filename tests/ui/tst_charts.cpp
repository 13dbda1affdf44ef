#include "activitychart.h"
#include "activityhistory.h"
#include "activitypanel.h"
#include "mainwindow.h"
#include "orderhub.h"
#include "orderstreamservice.h"
#include "snapshotpoller.h"
#include "ssetestclient.h"
#include "testservice.h"

#include <QApplication>
#include <QDockWidget>
#include <QMenu>
#include <QMenuBar>
#include <QSettings>
#include <QStandardPaths>
#include <QHelpEvent>
#include <QImage>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QToolTip>

#include <memory>

namespace {

// A minute boundary, in milliseconds since the epoch; tests place samples
// relative to it instead of reading a clock.
constexpr qint64 T0 = qint64(29000000) * 60000;
constexpr qint64 Minute0 = T0 / 60000;

qint64 at(int minutes, int seconds)
{
    return T0 + (qint64(minutes) * 60 + seconds) * 1000;
}

int countPixels(const QImage &image, const QColor &color)
{
    int count = 0;
    for (int y = 0; y < image.height(); ++y) {
        for (int x = 0; x < image.width(); ++x) {
            if (image.pixelColor(x, y).rgb() == color.rgb())
                ++count;
        }
    }
    return count;
}

} // namespace

// The Activity dock: its history of the last hour, the charts drawn from it,
// and the whole chain from a real service's snapshots.
class tst_Charts : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();

    void ratesFromCounters();
    void connectionsKeepLastSample();
    void gapAfterLongPause();
    void counterResetCountsNewTotal();
    void olderSampleIgnored();
    void wrapsAfterAnHour();
    void niceAxis_data();
    void niceAxis();
    void chartRendersBars();
    void chartFollowsDarkPalette();
    void chartAccessibleText();
    void tooltipForKnownMinute();
    void panelSamplesAtInterval();
    void eventsPerMinuteFromService();
    void mainWindowShowsActivityDock();
};

void tst_Charts::initTestCase()
{
    // MainWindow saves its layout; keep it apart from the user's settings.
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("OrderStreamTests"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_ui_charts"));
    QSettings().clear();
}

void tst_Charts::ratesFromCounters()
{
    ActivityHistory history;
    history.addSample(at(0, 0), 2, 100, 10);
    // The first sample is the baseline; it counts nothing.
    QCOMPARE(history.value(ActivityHistory::EventsPerMinute, Minute0), quint64(0));

    history.addSample(at(0, 5), 3, 130, 12);
    history.addSample(at(1, 5), 1, 150, 12);

    QCOMPARE(history.currentMinute(), Minute0 + 1);
    QCOMPARE(history.value(ActivityHistory::EventsPerMinute, Minute0), quint64(30));
    QCOMPARE(history.value(ActivityHistory::ReconnectsPerMinute, Minute0), quint64(2));
    QCOMPARE(history.value(ActivityHistory::EventsPerMinute, Minute0 + 1), quint64(20));
    QCOMPARE(history.value(ActivityHistory::ReconnectsPerMinute, Minute0 + 1), quint64(0));
    QCOMPARE(history.maximum(ActivityHistory::EventsPerMinute), quint64(30));
    QVERIFY(!history.value(ActivityHistory::EventsPerMinute, Minute0 + 2));
}

void tst_Charts::connectionsKeepLastSample()
{
    ActivityHistory history;
    history.addSample(at(0, 0), 7, 0, 0);
    history.addSample(at(0, 30), 4, 0, 0);
    history.addSample(at(1, 0), 9, 0, 0);

    QCOMPARE(history.value(ActivityHistory::OpenConnections, Minute0), quint64(4));
    QCOMPARE(history.value(ActivityHistory::OpenConnections, Minute0 + 1), quint64(9));
    QCOMPARE(history.maximum(ActivityHistory::OpenConnections), quint64(9));
}

void tst_Charts::gapAfterLongPause()
{
    ActivityHistory history;
    history.addSample(at(0, 0), 1, 10, 0);
    history.addSample(at(0, 10), 1, 15, 0);
    // Four minutes without samples; the 500 events in between cannot be
    // placed in a minute, so they are not counted.
    history.addSample(at(4, 10), 1, 515, 0);
    history.addSample(at(4, 20), 1, 522, 0);

    QCOMPARE(history.value(ActivityHistory::EventsPerMinute, Minute0), quint64(5));
    for (int minute = 1; minute <= 3; ++minute)
        QVERIFY2(!history.value(ActivityHistory::EventsPerMinute, Minute0 + minute),
                 qPrintable(QString::number(minute)));
    QCOMPARE(history.value(ActivityHistory::EventsPerMinute, Minute0 + 4), quint64(7));
}

void tst_Charts::counterResetCountsNewTotal()
{
    ActivityHistory history;
    history.addSample(at(0, 0), 0, 100, 40);
    // A restarted server's hub counts from zero again.
    history.addSample(at(0, 5), 0, 6, 1);

    QCOMPARE(history.value(ActivityHistory::EventsPerMinute, Minute0), quint64(6));
    QCOMPARE(history.value(ActivityHistory::ReconnectsPerMinute, Minute0), quint64(1));
}

void tst_Charts::olderSampleIgnored()
{
    ActivityHistory history;
    history.addSample(at(2, 0), 3, 10, 0);
    history.addSample(at(1, 0), 8, 50, 0);

    QCOMPARE(history.currentMinute(), Minute0 + 2);
    QVERIFY(!history.value(ActivityHistory::OpenConnections, Minute0 + 1));
    QCOMPARE(history.value(ActivityHistory::OpenConnections, Minute0 + 2), quint64(3));
}

void tst_Charts::wrapsAfterAnHour()
{
    ActivityHistory history;
    // Two hours of samples every 30 s, one event each.
    quint64 events = 0;
    for (int second = 0; second < 2 * 3600; second += 30)
        history.addSample(T0 + qint64(second) * 1000, second / 60, ++events, 0);

    const qint64 now = history.currentMinute();
    QCOMPARE(now, Minute0 + 119);
    for (qint64 minute = now - ActivityHistory::MinuteCount + 1; minute <= now; ++minute) {
        QCOMPARE(history.value(ActivityHistory::EventsPerMinute, minute), quint64(2));
        QCOMPARE(history.value(ActivityHistory::OpenConnections, minute),
                 quint64(minute - Minute0));
    }
    // The first hour is gone, although its slots held data once.
    QVERIFY(!history.value(ActivityHistory::EventsPerMinute, now - ActivityHistory::MinuteCount));
    QVERIFY(!history.value(ActivityHistory::EventsPerMinute, Minute0));
    QCOMPARE(history.maximum(ActivityHistory::OpenConnections), quint64(119));
}

void tst_Charts::niceAxis_data()
{
    QTest::addColumn<quint64>("maximum");
    QTest::addColumn<quint64>("top");
    QTest::addColumn<quint64>("step");

    QTest::newRow("no data") << quint64(0) << quint64(1) << quint64(1);
    QTest::newRow("one") << quint64(1) << quint64(1) << quint64(1);
    QTest::newRow("seven") << quint64(7) << quint64(8) << quint64(2);
    QTest::newRow("thirty") << quint64(30) << quint64(30) << quint64(10);
    QTest::newRow("ninety-nine") << quint64(99) << quint64(100) << quint64(50);
    QTest::newRow("1234") << quint64(1234) << quint64(1500) << quint64(500);
    QTest::newRow("a million") << quint64(1000000) << quint64(1000000) << quint64(500000);
}

void tst_Charts::niceAxis()
{
    QFETCH(quint64, maximum);
    QFETCH(quint64, top);
    QFETCH(quint64, step);

    const ActivityChart::Axis axis = ActivityChart::niceAxis(maximum);
    QCOMPARE(axis.top, top);
    QCOMPARE(axis.step, step);
    QVERIFY(axis.top >= maximum);
    QVERIFY(axis.top / axis.step <= 5);
}

void tst_Charts::chartRendersBars()
{
    ActivityHistory history;
    ActivityChart chart(&history, ActivityHistory::EventsPerMinute, QStringLiteral("Events"));
    chart.resize(480, 200);
    const QColor highlight = chart.palette().color(QPalette::Highlight);
    QCOMPARE(countPixels(chart.grab().toImage(), highlight), 0);

    history.addSample(at(0, 0), 0, 0, 0);
    for (int minute = 1; minute <= 30; ++minute)
        history.addSample(at(minute, 0), 0, quint64(minute * 10), 0);
    chart.refresh();

    const QImage image = chart.grab().toImage();
    QVERIFY(!image.isNull());
    QVERIFY2(countPixels(image, highlight) > 200,
             qPrintable(QString::number(countPixels(image, highlight))));
}

void tst_Charts::chartFollowsDarkPalette()
{
    ActivityHistory history;
    history.addSample(at(0, 0), 5, 0, 0);
    history.addSample(at(1, 0), 12, 0, 0);
    ActivityChart chart(&history, ActivityHistory::OpenConnections, QStringLiteral("Open"));
    chart.resize(480, 200);

    QPalette dark;
    dark.setColor(QPalette::Window, QColor(30, 30, 30));
    dark.setColor(QPalette::WindowText, QColor(230, 230, 230));
    dark.setColor(QPalette::PlaceholderText, QColor(160, 160, 160));
    dark.setColor(QPalette::Highlight, QColor(90, 160, 255));
    chart.setPalette(dark);
    chart.setAutoFillBackground(true);

    const QImage image = chart.grab().toImage();
    QVERIFY(countPixels(image, dark.color(QPalette::Window)) > 0);
    QVERIFY(countPixels(image, dark.color(QPalette::Highlight)) > 0);
    // The large figure is drawn in the palette's text color.
    QVERIFY(countPixels(image, dark.color(QPalette::WindowText)) > 0);
}

void tst_Charts::chartAccessibleText()
{
    ActivityHistory history;
    history.addSample(at(0, 0), 0, 0, 0);
    history.addSample(at(0, 30), 0, 42, 3);
    history.addSample(at(1, 10), 0, 50, 3);
    ActivityChart chart(&history, ActivityHistory::EventsPerMinute,
                        QStringLiteral("Events per minute"));
    chart.refresh();

    QCOMPARE(chart.accessibleName(), QStringLiteral("Events per minute"));
    // The large figure is the last full minute, not the one in progress.
    QCOMPARE(chart.currentValueText(), QLocale().toString(42));
    QVERIFY2(chart.accessibleDescription().contains(QLocale().toString(42)),
             qPrintable(chart.accessibleDescription()));

    ActivityHistory empty;
    ActivityChart emptyChart(&empty, ActivityHistory::OpenConnections, QStringLiteral("Open"));
    QCOMPARE(emptyChart.currentValueText(), QStringLiteral("\u2013"));
    QCOMPARE(emptyChart.toolTipText(0), QString());
}

void tst_Charts::tooltipForKnownMinute()
{
    ActivityHistory history;
    history.addSample(at(0, 0), 0, 0, 0);
    history.addSample(at(0, 20), 0, 1234, 0);
    history.addSample(at(3, 0), 0, 1234, 0);
    history.addSample(at(3, 50), 0, 1240, 0);
    ActivityChart chart(&history, ActivityHistory::EventsPerMinute, QStringLiteral("Events"));
    chart.resize(600, 220);
    chart.refresh();

    const QString threeAgo = chart.toolTipText(3);
    QVERIFY2(threeAgo.contains(QLocale().toString(1234) + QStringLiteral(" events")),
             qPrintable(threeAgo));
    QVERIFY2(threeAgo.contains(QStringLiteral("3 min ago")), qPrintable(threeAgo));
    QVERIFY2(chart.toolTipText(1).contains(QStringLiteral("no data")),
             qPrintable(chart.toolTipText(1)));
    QVERIFY2(chart.toolTipText(0).contains(QStringLiteral("6 events")),
             qPrintable(chart.toolTipText(0)));

    // Hover positions map to minutes: the right edge is now, the left an hour ago.
    const int y = chart.height() / 2;
    int leftmost = -1;
    int rightmost = -1;
    int rightmostX = -1;
    int previous = ActivityHistory::MinuteCount;
    for (int x = 0; x < chart.width(); ++x) {
        const int minutesAgo = chart.minutesAgoAt(QPoint(x, y));
        if (minutesAgo < 0)
            continue;
        QVERIFY(minutesAgo <= previous);
        previous = minutesAgo;
        if (leftmost < 0)
            leftmost = minutesAgo;
        rightmost = minutesAgo;
        rightmostX = x;
    }
    QCOMPARE(leftmost, 59);
    QCOMPARE(rightmost, 0);
    QCOMPARE(chart.minutesAgoAt(QPoint(2, 2)), -1);

    chart.show();
    QVERIFY(QTest::qWaitForWindowExposed(&chart));
    const QPoint rightEdge(rightmostX, y);
    QHelpEvent help(QEvent::ToolTip, rightEdge, chart.mapToGlobal(rightEdge));
    QApplication::sendEvent(&chart, &help);
    QCOMPARE(QToolTip::text(), chart.toolTipText(0));
}

void tst_Charts::panelSamplesAtInterval()
{
    ActivityPanel panel;
    HubSnapshot snapshot;
    snapshot.connections = 3;
    panel.showSnapshot(snapshot);
    QCOMPARE(panel.history().value(ActivityHistory::OpenConnections,
                                   panel.history().currentMinute()),
             quint64(3));

    // A second snapshot within SampleIntervalMs is not recorded; the test
    // runs in far less than the five seconds.
    snapshot.connections = 8;
    panel.showSnapshot(snapshot);
    QCOMPARE(panel.history().value(ActivityHistory::OpenConnections,
                                   panel.history().currentMinute()),
             quint64(3));

    for (const auto series : {ActivityHistory::OpenConnections, ActivityHistory::EventsPerMinute,
                              ActivityHistory::ReconnectsPerMinute}) {
        QVERIFY(panel.chart(series));
        QVERIFY(!panel.chart(series)->accessibleName().isEmpty());
    }
}

void tst_Charts::eventsPerMinuteFromService()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    std::unique_ptr<OrderStreamService> service;
    QString error;
    QVERIFY2(startTestService(service, testServerConfig(dir, 1), &error), qPrintable(error));

    SnapshotPoller poller(service.get());
    ActivityPanel panel;
    connect(&poller, &SnapshotPoller::snapshotTaken, &panel,
            [&panel](const HubSnapshot &snapshot) { panel.recordSnapshot(at(0, 1), snapshot); });
    poller.poll();

    SseTestClient client;
    client.open(service->port(), "/orders/CHART-1/events");
    QTRY_VERIFY(client.headComplete());

    const int count = 37;
    for (int i = 0; i < count; ++i) {
        const HttpTestResponse response = sendHttpRequest(
                service->port(), "POST", "/orders/CHART-1/events",
                R"({"status":"step )" + QByteArray::number(i) + R"("})");
        QCOMPARE(response.status, 202);
    }
    QTRY_COMPARE(client.events().size(), count);

    disconnect(&poller, &SnapshotPoller::snapshotTaken, &panel, nullptr);
    connect(&poller, &SnapshotPoller::snapshotTaken, &panel,
            [&panel](const HubSnapshot &snapshot) { panel.recordSnapshot(at(0, 6), snapshot); });
    poller.poll();

    const ActivityHistory &history = panel.history();
    QCOMPARE(history.value(ActivityHistory::EventsPerMinute, Minute0), quint64(count));
    QCOMPARE(history.value(ActivityHistory::OpenConnections, Minute0), quint64(1));
    const QString toolTip = panel.chart(ActivityHistory::EventsPerMinute)->toolTipText(0);
    QVERIFY2(toolTip.contains(QStringLiteral("37 events")), qPrintable(toolTip));
    service->stop();
}

void tst_Charts::mainWindowShowsActivityDock()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    std::unique_ptr<OrderStreamService> service;
    QString error;
    QVERIFY2(startTestService(service, testServerConfig(dir, 1), &error), qPrintable(error));

    MainWindow window(service.get());
    auto *dock = window.findChild<QDockWidget *>(QStringLiteral("activityDock"));
    QVERIFY(dock);
    auto *panel = window.findChild<ActivityPanel *>(QStringLiteral("activityPanel"));
    QVERIFY(panel);
    QCOMPARE(dock->widget(), panel);

    // The dock's toggle is in the View menu.
    bool listed = false;
    const QList<QAction *> menus = window.menuBar()->actions();
    for (const QAction *menu : menus) {
        if (menu->menu() && menu->menu()->actions().contains(dock->toggleViewAction()))
            listed = true;
    }
    QVERIFY(listed);

    // The window's first snapshot is the first sample.
    QTRY_VERIFY(!panel->history().isEmpty());
    QCOMPARE(panel->history().value(ActivityHistory::OpenConnections,
                                    panel->history().currentMinute()),
             quint64(0));
    window.close();
    service->stop();
}

QTEST_MAIN(tst_Charts)
#include "tst_charts.moc"
