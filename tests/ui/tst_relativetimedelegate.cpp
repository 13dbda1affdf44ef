#include "relativetimedelegate.h"

#include <QDateTime>
#include <QTest>

class tst_RelativeTimeDelegate : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void formatAge_data();
    void formatAge();
    void displayTextOfOtherTypes();
};

void tst_RelativeTimeDelegate::formatAge_data()
{
    QTest::addColumn<qint64>("ageSeconds");
    QTest::addColumn<QString>("expected");

    QTest::newRow("same second") << qint64(0) << QStringLiteral("just now");
    QTest::newRow("in the future") << qint64(-5) << QStringLiteral("just now");
    QTest::newRow("seconds") << qint64(12) << QStringLiteral("12 s ago");
    QTest::newRow("last second before a minute") << qint64(59) << QStringLiteral("59 s ago");
    QTest::newRow("whole minutes round down") << qint64(125) << QStringLiteral("2 min ago");
    QTest::newRow("hours") << qint64(3 * 3600 + 59 * 60) << QStringLiteral("3 h ago");
    QTest::newRow("days") << qint64(2 * 86400 + 3600) << QStringLiteral("2 d ago");
}

void tst_RelativeTimeDelegate::formatAge()
{
    QFETCH(qint64, ageSeconds);
    QFETCH(QString, expected);

    const QDateTime now(QDate(2024, 5, 1), QTime(12, 0), Qt::UTC);
    QCOMPARE(RelativeTimeDelegate::formatAge(now.addSecs(-ageSeconds), now), expected);
}

void tst_RelativeTimeDelegate::displayTextOfOtherTypes()
{
    const RelativeTimeDelegate delegate;
    const QLocale locale(QLocale::English);

    QCOMPARE(delegate.displayText(QStringLiteral("text"), locale), QStringLiteral("text"));
    QCOMPARE(delegate.displayText(QDateTime(), locale), QString());
    QCOMPARE(delegate.displayText(QDateTime::currentDateTimeUtc().addSecs(-30), locale).right(5),
             QStringLiteral("s ago"));
}

QTEST_MAIN(tst_RelativeTimeDelegate)
#include "tst_relativetimedelegate.moc"
