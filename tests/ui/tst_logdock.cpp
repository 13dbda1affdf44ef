#include "logdock.h"
#include "logfiltermodel.h"
#include "logmodel.h"
#include "logsink.h"

#include <QAbstractItemModelTester>
#include <QComboBox>
#include <QDateTime>
#include <QLineEdit>
#include <QLoggingCategory>
#include <QTest>
#include <QThread>

#include <memory>

namespace {

LogEntry makeEntry(QtMsgType type, const QString &message)
{
    return {QDateTime::currentMSecsSinceEpoch(), type, QStringLiteral("orderstream.test"), message};
}

// Returns the messages of the rows that model shows, top to bottom.
QStringList messages(const QAbstractItemModel *model)
{
    QStringList result;
    for (int row = 0; row < model->rowCount(); ++row)
        result.append(model->index(row, LogModel::MessageColumn).data().toString());
    return result;
}

} // namespace

// The log sink, its model and proxy, and the Log dock that ties them to
// Qt's message handler.
class tst_LogDock : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void modelAndProxyPassTester();
    void sinkDropsOldestWhenFull();
    void sinkCutsLongMessages();
    void modelRemovesOldestOverCapacity();
    void filterMatchesCategoryAndMessage();
    void messageFromOtherThreadAppears();
    void levelFilterHidesDebug();
    void dockChainsPreviousHandler();
    void twoDocksReceiveEveryMessage();
};

void tst_LogDock::modelAndProxyPassTester()
{
    LogModel model(nullptr, 4);
    LogFilterModel proxy;
    proxy.setSourceModel(&model);
    QAbstractItemModelTester modelTester(&model,
                                         QAbstractItemModelTester::FailureReportingMode::QtTest);
    QAbstractItemModelTester proxyTester(&proxy,
                                         QAbstractItemModelTester::FailureReportingMode::QtTest);

    model.append({makeEntry(QtDebugMsg, QStringLiteral("one")),
                  makeEntry(QtInfoMsg, QStringLiteral("two"))});
    model.append({makeEntry(QtWarningMsg, QStringLiteral("three")),
                  makeEntry(QtCriticalMsg, QStringLiteral("four")),
                  makeEntry(QtInfoMsg, QStringLiteral("five"))});
    QCOMPARE(model.rowCount(), 4);
    proxy.setMinimumSeverity(LogModel::WarningSeverity);
    QCOMPARE(proxy.rowCount(), 2);
    proxy.setFilterText(QStringLiteral("FOUR"));
    QCOMPARE(proxy.rowCount(), 1);
    proxy.setFilterText({});
    proxy.setMinimumSeverity(LogModel::DebugSeverity);
    QCOMPARE(proxy.rowCount(), 4);

    QCOMPARE(model.index(0, LogModel::LevelColumn).data().toString(), QStringLiteral("Info"));
    QCOMPARE(model.index(0, LogModel::CategoryColumn).data().toString(),
             QStringLiteral("orderstream.test"));
    QCOMPARE(model.headerData(LogModel::MessageColumn, Qt::Horizontal).toString(),
             QStringLiteral("Message"));

    model.clear();
    QCOMPARE(model.rowCount(), 0);
    QCOMPARE(proxy.rowCount(), 0);
}

void tst_LogDock::sinkDropsOldestWhenFull()
{
    LogSink sink(3);
    for (int i = 1; i <= 5; ++i)
        sink.append(makeEntry(QtInfoMsg, QString::number(i)));

    QCOMPARE(sink.droppedCount(), quint64(2));
    const QList<LogEntry> entries = sink.takeAll();
    QCOMPARE(entries.size(), 3);
    QCOMPARE(entries.at(0).message, QStringLiteral("3"));
    QCOMPARE(entries.at(2).message, QStringLiteral("5"));
    QVERIFY(sink.takeAll().isEmpty());

    sink.append(makeEntry(QtInfoMsg, QStringLiteral("6")));
    const QList<LogEntry> later = sink.takeAll();
    QCOMPARE(later.size(), 1);
    QCOMPARE(later.at(0).message, QStringLiteral("6"));
    QCOMPARE(sink.droppedCount(), quint64(2));
}

void tst_LogDock::sinkCutsLongMessages()
{
    LogSink sink(2);
    sink.install();
    QLoggingCategory category("orderstream.test");
    category.setEnabled(QtInfoMsg, true);
    const QString longMessage(LogSink::MaxMessageLength * 3, QLatin1Char('x'));
    qCInfo(category, "%ls", qUtf16Printable(longMessage));
    sink.uninstall();

    const QList<LogEntry> entries = sink.takeAll();
    QCOMPARE(entries.size(), 1);
    QCOMPARE(entries.at(0).message.size(), LogSink::MaxMessageLength + 1);
    QVERIFY(entries.at(0).message.endsWith(QChar(0x2026)));
}

void tst_LogDock::modelRemovesOldestOverCapacity()
{
    LogModel model(nullptr, 3);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);

    model.append({makeEntry(QtInfoMsg, QStringLiteral("a")), makeEntry(QtInfoMsg, QStringLiteral("b"))});
    model.append({makeEntry(QtInfoMsg, QStringLiteral("c")), makeEntry(QtInfoMsg, QStringLiteral("d"))});
    QCOMPARE(messages(&model), (QStringList{QStringLiteral("b"), QStringLiteral("c"), QStringLiteral("d")}));
    QCOMPARE(model.removedCount(), quint64(1));

    // A batch larger than the capacity keeps only its newest entries.
    QList<LogEntry> batch;
    for (int i = 0; i < 5; ++i)
        batch.append(makeEntry(QtInfoMsg, QStringLiteral("batch %1").arg(i)));
    model.append(batch);
    QCOMPARE(messages(&model), (QStringList{QStringLiteral("batch 2"), QStringLiteral("batch 3"),
                                            QStringLiteral("batch 4")}));
    QCOMPARE(model.removedCount(), quint64(1 + 3 + 2));
}

void tst_LogDock::filterMatchesCategoryAndMessage()
{
    LogModel model;
    LogFilterModel proxy;
    proxy.setSourceModel(&model);
    LogEntry http = makeEntry(QtInfoMsg, QStringLiteral("401 GET /orders/A1/events"));
    http.category = QStringLiteral("orderstream.http");
    model.append({http, makeEntry(QtInfoMsg, QStringLiteral("journal opened"))});

    proxy.setFilterText(QStringLiteral("orderstream.http"));
    QCOMPARE(messages(&proxy), QStringList{http.message});
    proxy.setFilterText(QStringLiteral("Journal"));
    QCOMPARE(messages(&proxy), QStringList{QStringLiteral("journal opened")});
    proxy.setFilterText(QStringLiteral("nothing like this"));
    QCOMPARE(proxy.rowCount(), 0);
}

void tst_LogDock::messageFromOtherThreadAppears()
{
    LogDock dock;
    QAbstractItemModelTester tester(dock.model(),
                                    QAbstractItemModelTester::FailureReportingMode::QtTest);
    QAbstractItemModelTester proxyTester(dock.filterModel(),
                                         QAbstractItemModelTester::FailureReportingMode::QtTest);

    std::unique_ptr<QThread> thread(QThread::create([] {
        QLoggingCategory category("orderstream.worker");
        category.setEnabled(QtInfoMsg, true);
        for (int i = 0; i < 3; ++i)
            qCInfo(category, "message %d from the worker thread", i);
    }));
    thread->start();
    QVERIFY(thread->wait(10000));

    QTRY_VERIFY(messages(dock.filterModel()).contains(
            QStringLiteral("message 2 from the worker thread")));
    const QStringList shownMessages = messages(dock.filterModel());
    const int row = int(shownMessages.indexOf(QStringLiteral("message 0 from the worker thread")));
    QVERIFY(row >= 0);
    QCOMPARE(dock.filterModel()->index(row, LogModel::CategoryColumn).data().toString(),
             QStringLiteral("orderstream.worker"));
    QCOMPARE(dock.filterModel()->index(row, LogModel::LevelColumn).data().toString(),
             QStringLiteral("Info"));
}

void tst_LogDock::levelFilterHidesDebug()
{
    LogDock dock;
    auto *levelFilter = dock.findChild<QComboBox *>(QStringLiteral("logLevelFilter"));
    QVERIFY(levelFilter);

    QLoggingCategory category("orderstream.leveltest");
    category.setEnabled(QtDebugMsg, true);
    qCDebug(category, "debug line");
    qCInfo(category, "info line");
    QTRY_VERIFY(messages(dock.filterModel()).contains(QStringLiteral("info line")));
    QVERIFY(messages(dock.filterModel()).contains(QStringLiteral("debug line")));

    levelFilter->setCurrentIndex(levelFilter->findData(int(LogModel::InfoSeverity)));
    QVERIFY(!messages(dock.filterModel()).contains(QStringLiteral("debug line")));
    QVERIFY(messages(dock.filterModel()).contains(QStringLiteral("info line")));
    // The model keeps the hidden line, so lowering the level shows it again.
    QVERIFY(messages(dock.model()).contains(QStringLiteral("debug line")));
}

void tst_LogDock::dockChainsPreviousHandler()
{
    // The handler that QTest installed must still see messages, so that
    // ignoreMessage() matches this warning while the dock is open.
    LogDock dock;
    QVERIFY(dock.sink()->isInstalled());
    QTest::ignoreMessage(QtWarningMsg, "chained warning");
    qWarning("chained warning");
    QTRY_VERIFY(messages(dock.model()).contains(QStringLiteral("chained warning")));

    auto *textFilter = dock.findChild<QLineEdit *>(QStringLiteral("logTextFilter"));
    QVERIFY(textFilter);
    textFilter->setText(QStringLiteral("no such message"));
    QTRY_COMPARE(dock.filterModel()->rowCount(), 0);
}

void tst_LogDock::twoDocksReceiveEveryMessage()
{
    // Two windows each have a dock. Closing the first one must leave the
    // second receiving messages, and closing both restores QTest's handler.
    auto first = std::make_unique<LogDock>();
    auto second = std::make_unique<LogDock>();
    QTest::ignoreMessage(QtWarningMsg, "seen by both docks");
    qWarning("seen by both docks");
    QTRY_VERIFY(messages(second->model()).contains(QStringLiteral("seen by both docks")));
    QTRY_VERIFY(messages(first->model()).contains(QStringLiteral("seen by both docks")));

    first.reset();
    QVERIFY(second->sink()->isInstalled());
    QTest::ignoreMessage(QtWarningMsg, "seen by the second dock");
    qWarning("seen by the second dock");
    QTRY_VERIFY(messages(second->model()).contains(QStringLiteral("seen by the second dock")));

    second.reset();
    QTest::ignoreMessage(QtWarningMsg, "seen by QTest only");
    qWarning("seen by QTest only");
}

QTEST_MAIN(tst_LogDock)

#include "tst_logdock.moc"
