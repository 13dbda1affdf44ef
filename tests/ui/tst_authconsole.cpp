#include "logdock.h"
#include "logfiltermodel.h"
#include "logmodel.h"
#include "mainwindow.h"
#include "orderstreamservice.h"
#include "ssetestclient.h"
#include "testservice.h"

#include <QAbstractItemModelTester>
#include <QLabel>
#include <QLoggingCategory>
#include <QRandomGenerator>
#include <QSettings>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QToolBar>

#include <memory>

// The console's view of authentication against a real service on
// 127.0.0.1: the no-auth banner, the status bar, and rejected requests in
// the Log dock.
class tst_AuthConsole : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();

    void bannerShownWithAuthOff();
    void bannerHiddenWithAuthOn();
    void unauthorizedRequestLoggedWithoutToken();
    void logDockToggleInViewMenu();

private:
    void startConsole(bool authEnabled);

    QTemporaryDir m_dir;
    std::unique_ptr<OrderStreamService> m_service;
    std::unique_ptr<MainWindow> m_window;
};

void tst_AuthConsole::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("OrderStreamTests"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_ui_authconsole"));
    // Enables the info level that 401 lines are logged at, whatever rules
    // the system sets.
    QLoggingCategory::setFilterRules(QStringLiteral("orderstream.http.info=true"));
}

void tst_AuthConsole::init()
{
    QSettings().clear();
    QVERIFY(m_dir.isValid());
}

void tst_AuthConsole::cleanup()
{
    m_window.reset();
    m_service.reset();
}

void tst_AuthConsole::startConsole(bool authEnabled)
{
    ServerConfig config = testServerConfig(m_dir, 1);
    config.authEnabled = authEnabled;
    if (authEnabled) {
        QByteArray secret(48, Qt::Uninitialized);
        QRandomGenerator::global()->fillRange(reinterpret_cast<quint32 *>(secret.data()),
                                              secret.size() / int(sizeof(quint32)));
        config.jwt.hs256Secret = secret;
    }
    QString error;
    QVERIFY2(startTestService(m_service, config, &error), qPrintable(error));

    m_window = std::make_unique<MainWindow>(m_service.get());
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
}

void tst_AuthConsole::bannerShownWithAuthOff()
{
    startConsole(false);
    if (QTest::currentTestFailed())
        return;

    const QString expected = QStringLiteral("Authentication is off: anyone who can reach "
                                            "http://127.0.0.1:%1 can watch and publish every "
                                            "order.")
                                     .arg(m_service->port());
    QCOMPARE(m_window->authBannerText(), expected);
    auto *bannerText = m_window->findChild<QLabel *>(QStringLiteral("noAuthText"));
    QVERIFY(bannerText);
    QVERIFY(bannerText->isVisible());
    auto *authMode = m_window->findChild<QLabel *>(QStringLiteral("authMode"));
    QVERIFY(authMode);
    QCOMPARE(authMode->text(), QStringLiteral("Auth: off"));
}

void tst_AuthConsole::bannerHiddenWithAuthOn()
{
    startConsole(true);
    if (QTest::currentTestFailed())
        return;

    QCOMPARE(m_window->authBannerText(), QString());
    auto *bannerText = m_window->findChild<QLabel *>(QStringLiteral("noAuthText"));
    QVERIFY(bannerText);
    QVERIFY(!bannerText->isVisible());
    auto *authMode = m_window->findChild<QLabel *>(QStringLiteral("authMode"));
    QVERIFY(authMode);
    QCOMPARE(authMode->text(), QStringLiteral("Auth: JWT (HS256)"));
}

void tst_AuthConsole::unauthorizedRequestLoggedWithoutToken()
{
    startConsole(true);
    if (QTest::currentTestFailed())
        return;
    auto *logDock = m_window->findChild<LogDock *>(QStringLiteral("logDock"));
    QVERIFY(logDock);
    QAbstractItemModelTester tester(logDock->model(),
                                    QAbstractItemModelTester::FailureReportingMode::QtTest);

    // Shaped like a JWT, but signed with no key the service has.
    const QByteArray token = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ0ZXN0LXVzZXIifQ."
                             "c2lnbmF0dXJlLXRoYXQtZG9lcy1ub3QtbWF0Y2g";
    const HttpTestResponse response =
            sendHttpRequest(m_service->port(), "GET", "/orders/A1/events", {},
                            {"Authorization: Bearer " + token});
    QCOMPARE(response.status, 401);

    const LogModel *model = logDock->model();
    const auto findRejection = [model] {
        for (int row = 0; row < model->rowCount(); ++row) {
            const QString message = model->index(row, LogModel::MessageColumn).data().toString();
            if (message.startsWith(QLatin1String("401 GET /orders/A1/events")))
                return row;
        }
        return -1;
    };
    QTRY_VERIFY(findRejection() >= 0);
    const int row = findRejection();
    QCOMPARE(model->index(row, LogModel::CategoryColumn).data().toString(),
             QStringLiteral("orderstream.http"));
    QCOMPARE(model->index(row, LogModel::LevelColumn).data().toString(), QStringLiteral("Info"));

    // No part of the token in any column of any row; the payload and the
    // signature are checked apart because either alone identifies it.
    const QList<QByteArray> tokenParts = token.split('.');
    for (int logRow = 0; logRow < model->rowCount(); ++logRow) {
        for (int column = 0; column < LogModel::ColumnCount; ++column) {
            const QString text = model->index(logRow, column).data().toString();
            QVERIFY2(!text.contains(QString::fromLatin1(tokenParts.at(1))), qPrintable(text));
            QVERIFY2(!text.contains(QString::fromLatin1(tokenParts.at(2))), qPrintable(text));
        }
    }
}

void tst_AuthConsole::logDockToggleInViewMenu()
{
    startConsole(true);
    if (QTest::currentTestFailed())
        return;
    auto *logDock = m_window->findChild<LogDock *>(QStringLiteral("logDock"));
    QVERIFY(logDock);
    QVERIFY(logDock->isVisible());

    logDock->toggleViewAction()->trigger();
    QVERIFY(!logDock->isVisible());
    logDock->toggleViewAction()->trigger();
    QVERIFY(logDock->isVisible());
    QCOMPARE(m_window->dockWidgetArea(logDock), Qt::BottomDockWidgetArea);
}

QTEST_MAIN(tst_AuthConsole)

#include "tst_authconsole.moc"
