#include "lifecycle.h"
#include "ordersmodel.h"
#include "orderstreamservice.h"
#include "publishpanel.h"
#include "sseframe.h"
#include "ssetestclient.h"
#include "testservice.h"

#include <QAction>
#include <QComboBox>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <limits>
#include <memory>

// The Publish panel against a real service on 127.0.0.1: stage templates,
// the frame preview compared with what a real SSE client receives, and the
// override confirmation for a stage the lifecycle forbids.
class tst_PublishPanel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void templateFillsFields();
    void templatesListAllowedStagesFirst();
    void invalidDetailsShowLineAndColumn();
    void unknownStageDisablesPublish();
    void previewEqualsReceivedFrame();
    void previewFillsStageFromStatus();
    void forbiddenStageAsksForOverride();
    void cancelledOverridePublishesNothing();
    void loadEventFillsForm();

private:
    template<typename T>
    T *child(const char *objectName) const;
    // Publishes event through the service and waits until it is stored.
    bool publishAndWait(const QString &orderId, const QString &stage);
    // Copies the hub's orders into the model, as the window's snapshot tick does.
    void refreshOrders();
    void fillPanel(const QString &orderId, const QString &status, const QString &stage = {});
    // Returns the preview with the id and time the server assigned to the
    // event whose data line is received, so the rest compares byte for byte.
    QByteArray previewWithAssignedIdAndTime(const QByteArray &receivedData) const;

    QTemporaryDir m_dir;
    std::unique_ptr<OrderStreamService> m_service;
    std::unique_ptr<OrdersModel> m_orders;
    std::unique_ptr<PublishPanel> m_panel;
};

void tst_PublishPanel::init()
{
    QVERIFY(m_dir.isValid());
    QString error;
    QVERIFY2(startTestService(m_service, testServerConfig(m_dir, 1), &error), qPrintable(error));
    m_orders = std::make_unique<OrdersModel>();
    m_panel = std::make_unique<PublishPanel>(m_service.get(), m_orders.get());
    m_panel->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_panel.get()));
}

void tst_PublishPanel::cleanup()
{
    m_panel.reset();
    m_orders.reset();
    m_service.reset();
}

template<typename T>
T *tst_PublishPanel::child(const char *objectName) const
{
    T *widget = m_panel->findChild<T *>(QLatin1String(objectName));
    if (!widget)
        qWarning("no %s named %s in the panel", T::staticMetaObject.className(), objectName);
    return widget;
}

bool tst_PublishPanel::publishAndWait(const QString &orderId, const QString &stage)
{
    OrderEvent event;
    event.orderId = orderId;
    event.status = stage;
    event.stage = stage;
    event.source = QLatin1String(OrderEventSource::Api);
    QSignalSpy published(m_service.get(), &OrderStreamService::published);
    m_service->publishAsync(event);
    return published.wait(5000);
}

void tst_PublishPanel::refreshOrders()
{
    m_orders->update(m_service->snapshot(std::numeric_limits<quint64>::max(), 0).orders);
}

void tst_PublishPanel::fillPanel(const QString &orderId, const QString &status,
                                 const QString &stage)
{
    child<QLineEdit>("publishOrderId")->setText(orderId);
    child<QLineEdit>("publishStatus")->setText(status);
    child<QLineEdit>("publishStage")->setText(stage);
}

QByteArray tst_PublishPanel::previewWithAssignedIdAndTime(const QByteArray &receivedData) const
{
    const QJsonObject received = QJsonDocument::fromJson(receivedData).object();
    const QString id = QString::number(received.value(QLatin1String("id")).toInteger());
    const QString time = received.value(QLatin1String("time")).toString();

    QString preview = child<QPlainTextEdit>("publishPreview")->toPlainText();
    preview.replace(QRegularExpression(QStringLiteral("^id: \\d+"),
                                       QRegularExpression::MultilineOption),
                    QStringLiteral("id: ") + id);
    preview.replace(QRegularExpression(QStringLiteral("\"id\":\\d+")),
                    QStringLiteral("\"id\":") + id);
    preview.replace(QRegularExpression(QStringLiteral("\"time\":\"[^\"]*\"")),
                    QStringLiteral("\"time\":\"") + time + QLatin1Char('"'));
    return preview.toUtf8();
}

void tst_PublishPanel::templateFillsFields()
{
    const Lifecycle lifecycle = Lifecycle::defaultLifecycle();
    const LifecycleStage *activating = lifecycle.findStage(u"Activating");
    QVERIFY(activating);
    child<QLineEdit>("publishOrderId")->setText(QStringLiteral("ORD-T1"));

    auto *chooser = child<QComboBox>("publishStageTemplate");
    const int index = chooser->findData(QStringLiteral("Activating"));
    QVERIFY(index > 0);
    Q_EMIT chooser->activated(index);

    QCOMPARE(child<QLineEdit>("publishStage")->text(), activating->name);
    QCOMPARE(child<QLineEdit>("publishStatus")->text(), activating->status);
    QCOMPARE(child<QLineEdit>("publishMessage")->text(), activating->message);

    // The filled fields stay editable, and the preview follows the edit.
    child<QLineEdit>("publishStatus")->setText(QStringLiteral("Activating the line"));
    QVERIFY(child<QPlainTextEdit>("publishPreview")->toPlainText().contains(
            QStringLiteral("\"status\":\"Activating the line\"")));
    QVERIFY(child<QPushButton>("publishButton")->isEnabled());

    QVERIFY(!m_panel->applyStageTemplate(QStringLiteral("Shipped")));
    QCOMPARE(child<QLineEdit>("publishStatus")->text(), QStringLiteral("Activating the line"));
}

void tst_PublishPanel::templatesListAllowedStagesFirst()
{
    const QString orderId = QStringLiteral("ORD-T2");
    const Lifecycle lifecycle = Lifecycle::defaultLifecycle();
    child<QLineEdit>("publishOrderId")->setText(orderId);

    // An order without events may start in an initial stage only.
    QStringList expectedFirst = lifecycle.nextStages(QString());
    QCOMPARE(m_panel->allowedStageTemplateCount(), int(expectedFirst.size()));
    QCOMPARE(m_panel->stageTemplateNames().mid(0, expectedFirst.size()), expectedFirst);
    QCOMPARE(m_panel->stageTemplateNames().size(), lifecycle.stages().size());

    QVERIFY(publishAndWait(orderId, QStringLiteral("Activating")));
    refreshOrders();

    expectedFirst = lifecycle.nextStages(QStringLiteral("Activating"));
    QCOMPARE(m_panel->allowedStageTemplateCount(), int(expectedFirst.size()));
    QCOMPARE(m_panel->stageTemplateNames().mid(0, expectedFirst.size()), expectedFirst);

    auto *chooser = child<QComboBox>("publishStageTemplate");
    const int draftIndex = chooser->findData(QStringLiteral("Draft"));
    QVERIFY(draftIndex > 0);
    QVERIFY2(chooser->itemText(draftIndex).contains(QStringLiteral("not allowed after Activating")),
             qPrintable(chooser->itemText(draftIndex)));
    const int provisioningIndex = chooser->findData(QStringLiteral("Provisioning"));
    QCOMPARE(chooser->itemText(provisioningIndex), QStringLiteral("Provisioning"));
}

void tst_PublishPanel::invalidDetailsShowLineAndColumn()
{
    fillPanel(QStringLiteral("ORD-T3"), QStringLiteral("Activating"));
    auto *details = child<QPlainTextEdit>("publishDetails");
    auto *detailsError = child<QLabel>("publishDetailsError");

    details->setPlainText(QStringLiteral("{\n  \"plan\": \"fiber\",\n  \"speed\": fast\n}"));

    QVERIFY(!detailsError->isHidden());
    // Qt 6.4's parser reports where it stopped, a few characters into the rejected word.
    QVERIFY2(detailsError->text().contains(QStringLiteral("line 3, column 15")),
             qPrintable(detailsError->text()));
    QVERIFY(!child<QPushButton>("publishButton")->isEnabled());
    QVERIFY(child<QPlainTextEdit>("publishPreview")->toPlainText().isEmpty());

    details->setPlainText(QStringLiteral("{\"plan\": \"fiber\"}"));
    QVERIFY(detailsError->isHidden());
    QVERIFY(child<QPushButton>("publishButton")->isEnabled());
}

void tst_PublishPanel::unknownStageDisablesPublish()
{
    fillPanel(QStringLiteral("ORD-T9"), QStringLiteral("Shipped"), QStringLiteral("transit"));
    QVERIFY(!child<QPushButton>("publishButton")->isEnabled());
    QVERIFY2(child<QLabel>("publishReason")->text().contains(QStringLiteral("\"transit\"")),
             qPrintable(child<QLabel>("publishReason")->text()));
    QVERIFY(child<QPlainTextEdit>("publishPreview")->toPlainText().isEmpty());

    // A failure needs its reason in the message, as the hub requires.
    fillPanel(QStringLiteral("ORD-T9"), QStringLiteral("Failed"), QStringLiteral("Failed"));
    QVERIFY(!child<QPushButton>("publishButton")->isEnabled());
    child<QLineEdit>("publishMessage")->setText(QStringLiteral("Card declined"));
    QVERIFY(child<QPushButton>("publishButton")->isEnabled());

    // A status that names no stage is an informational update.
    fillPanel(QStringLiteral("ORD-T9"), QStringLiteral("Technician on the way"));
    QVERIFY(child<QPushButton>("publishButton")->isEnabled());
    QVERIFY(child<QPlainTextEdit>("publishPreview")->toPlainText().contains(
            QStringLiteral("\"stage\":\"\"")));
}

void tst_PublishPanel::previewEqualsReceivedFrame()
{
    const QString orderId = QStringLiteral("ORD-T4");
    SseTestClient client;
    client.open(m_service->port(), "/orders/" + orderId.toLatin1() + "/events");
    QTRY_VERIFY(client.headComplete());

    fillPanel(orderId, QStringLiteral("Activating"), QStringLiteral("Activating"));
    child<QLineEdit>("publishMessage")->setText(QStringLiteral("Line \"A\"\nsecond line"));
    child<QPlainTextEdit>("publishDetails")->setPlainText(
            QStringLiteral("{\"plan\": \"fiber-500\", \"ports\": [1, 2]}"));
    QTest::mouseClick(child<QPushButton>("publishButton"), Qt::LeftButton);

    QTRY_COMPARE(client.events().size(), 1);
    const SseTestClient::Frame frame = client.events().constFirst();
    QCOMPARE(previewWithAssignedIdAndTime(frame.data), frame.raw);
    const QJsonObject data = QJsonDocument::fromJson(frame.data).object();
    QCOMPARE(data.value(QLatin1String("source")).toString(), QStringLiteral("console"));
    QCOMPARE(data.value(QLatin1String("publisher")).toString(), m_panel->publisher());
}

void tst_PublishPanel::previewFillsStageFromStatus()
{
    const QString orderId = QStringLiteral("ORD-T5");
    SseTestClient client;
    client.open(m_service->port(), "/orders/" + orderId.toLatin1() + "/events");
    QTRY_VERIFY(client.headComplete());

    // "activating" names the Activating stage, so the hub fills the stage.
    fillPanel(orderId, QStringLiteral("activating"));
    QVERIFY(child<QPlainTextEdit>("publishPreview")->toPlainText().contains(
            QStringLiteral("\"stage\":\"Activating\"")));
    QTest::mouseClick(child<QPushButton>("publishButton"), Qt::LeftButton);

    QTRY_COMPARE(client.events().size(), 1);
    const SseTestClient::Frame frame = client.events().constFirst();
    QCOMPARE(previewWithAssignedIdAndTime(frame.data), frame.raw);
}

void tst_PublishPanel::forbiddenStageAsksForOverride()
{
    const QString orderId = QStringLiteral("ORD-T6");
    for (const char *stage : {"Activating", "Provisioning", "Active", "Completed"})
        QVERIFY(publishAndWait(orderId, QLatin1String(stage)));
    refreshOrders();

    fillPanel(orderId, QStringLiteral("Activating"), QStringLiteral("Activating"));
    auto *warning = child<QLabel>("publishLifecycleWarning");
    QVERIFY(!warning->isHidden());
    QVERIFY2(warning->text().contains(
                     QStringLiteral("ORD-T6 is Completed; Activating cannot follow it.")),
             qPrintable(warning->text()));
    QVERIFY(child<QPlainTextEdit>("publishPreview")->toPlainText().contains(
            QStringLiteral("\"override\":true")));

    QSignalSpy published(m_service.get(), &OrderStreamService::published);
    QTest::mouseClick(child<QPushButton>("publishButton"), Qt::LeftButton);
    QMessageBox *box = nullptr;
    QTRY_VERIFY((box = m_panel->findChild<QMessageBox *>(QStringLiteral("overrideConfirmation"))));
    QVERIFY2(box->text().contains(QStringLiteral(
                     "ORD-T6 is Completed; Activating cannot follow it. Publish anyway as an "
                     "override?")),
             qPrintable(box->text()));
    QCOMPARE(published.size(), 0);

    auto *overrideButton = box->findChild<QPushButton *>(QStringLiteral("overrideButton"));
    QVERIFY(overrideButton);
    overrideButton->click();

    QTRY_COMPARE(published.size(), 1);
    const auto stored = published.constFirst().constFirst().value<OrderEvent>();
    QVERIFY(stored.lifecycleOverride);
    QCOMPARE(stored.stage, QStringLiteral("Activating"));
    QCOMPARE(stored.publisher, m_panel->publisher());
    // A stream of a finished order closes after its final event, so the
    // frame is the stored event encoded the way the hub encodes it.
    const QByteArray frame = SseFrame::encodeEvent(stored);
    const QByteArray data = QJsonDocument(stored.toJson()).toJson(QJsonDocument::Compact);
    QVERIFY2(frame.contains("\"override\":true"), frame.constData());
    QCOMPARE(previewWithAssignedIdAndTime(data), frame);
    QTRY_VERIFY(child<QLabel>("publishResult")->text().contains(QStringLiteral("as an override")));
}

void tst_PublishPanel::cancelledOverridePublishesNothing()
{
    const QString orderId = QStringLiteral("ORD-T7");
    for (const char *stage : {"Activating", "Cancelled"})
        QVERIFY(publishAndWait(orderId, QLatin1String(stage)));
    refreshOrders();

    fillPanel(orderId, QStringLiteral("Provisioning"), QStringLiteral("Provisioning"));
    QSignalSpy published(m_service.get(), &OrderStreamService::published);
    QSignalSpy failed(m_service.get(), &OrderStreamService::publishFailed);
    m_panel->publishAction()->trigger();
    QMessageBox *box = nullptr;
    QTRY_VERIFY((box = m_panel->findChild<QMessageBox *>(QStringLiteral("overrideConfirmation"))));
    box->button(QMessageBox::Cancel)->click();

    QTRY_VERIFY(child<QLabel>("publishResult")->text().contains(QStringLiteral("Not published")));
    QVERIFY(!published.wait(300));
    QCOMPARE(failed.size(), 0);
    QCOMPARE(m_service->snapshot(std::numeric_limits<quint64>::max(), 0).lastEventId, quint64(2));
}

void tst_PublishPanel::loadEventFillsForm()
{
    OrderEvent event;
    event.id = 41;
    event.orderId = QStringLiteral("ORD-T8");
    event.status = QStringLiteral("Provisioning");
    event.stage = QStringLiteral("Provisioning");
    event.message = QStringLiteral("Port 3 reserved");
    event.details.insert(QLatin1String("port"), 3);

    m_panel->loadEvent(event);

    QCOMPARE(child<QLineEdit>("publishOrderId")->text(), event.orderId);
    QCOMPARE(child<QLineEdit>("publishStatus")->text(), event.status);
    QCOMPARE(child<QLineEdit>("publishStage")->text(), event.stage);
    QCOMPARE(child<QLineEdit>("publishMessage")->text(), event.message);
    const QJsonObject details = QJsonDocument::fromJson(
            child<QPlainTextEdit>("publishDetails")->toPlainText().toUtf8()).object();
    QCOMPARE(details, event.details);
    QVERIFY(child<QPushButton>("publishButton")->isEnabled());
}

QTEST_MAIN(tst_PublishPanel)
#include "tst_publishpanel.moc"
