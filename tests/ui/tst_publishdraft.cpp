#include "publishdraft.h"

#include <QJsonObject>
#include <QTest>

using Field = PublishDraftError::Field;
Q_DECLARE_METATYPE(PublishDraftError::Field)

class tst_PublishDraft : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void validDraft();
    void emptyDetailsMeanNone();
    void invalidDrafts_data();
    void invalidDrafts();
    void detailsErrorPosition_data();
    void detailsErrorPosition();
    void oversizedEventRejected();
    void publisherAndOverrideCopied();
    void resolveStage_data();
    void resolveStage();
    void lifecycleConflict_data();
    void lifecycleConflict();
};

namespace {

PublishDraft validDraftFields()
{
    PublishDraft draft;
    draft.orderId = QStringLiteral("ORD-42");
    draft.status = QStringLiteral("Activating");
    draft.stage = QStringLiteral("provisioning");
    draft.message = QStringLiteral("Provisioning started");
    draft.detailsText = QStringLiteral("{\"plan\": \"fiber-500\", \"attempt\": 2}");
    return draft;
}

} // namespace

void tst_PublishDraft::validDraft()
{
    const auto result = validDraftFields().toEvent();

    const OrderEvent *event = std::get_if<OrderEvent>(&result);
    QVERIFY(event);
    QCOMPARE(event->orderId, QStringLiteral("ORD-42"));
    QCOMPARE(event->status, QStringLiteral("Activating"));
    QCOMPARE(event->stage, QStringLiteral("provisioning"));
    QCOMPARE(event->message, QStringLiteral("Provisioning started"));
    QCOMPARE(event->details.value(QLatin1String("plan")).toString(), QStringLiteral("fiber-500"));
    QCOMPARE(event->details.value(QLatin1String("attempt")).toInt(), 2);
    QCOMPARE(event->type, QLatin1String(OrderEventType::Update));
    QCOMPARE(event->source, QLatin1String(OrderEventSource::Console));
    QCOMPARE(event->id, quint64(0));
    QVERIFY(!event->time.isValid());
}

void tst_PublishDraft::emptyDetailsMeanNone()
{
    PublishDraft draft = validDraftFields();
    draft.detailsText = QStringLiteral(" \n\t ");

    const auto result = draft.toEvent();

    const OrderEvent *event = std::get_if<OrderEvent>(&result);
    QVERIFY(event);
    QVERIFY(event->details.isEmpty());
}

void tst_PublishDraft::invalidDrafts_data()
{
    QTest::addColumn<QString>("orderId");
    QTest::addColumn<QString>("status");
    QTest::addColumn<QString>("details");
    QTest::addColumn<Field>("expectedField");
    QTest::addColumn<QString>("expectedMessagePart");

    const QString okId = QStringLiteral("ORD-42");
    const QString okStatus = QStringLiteral("Active");
    QTest::newRow("missing order id") << QString() << okStatus << QString() << Field::OrderId
                                      << QStringLiteral("required");
    QTest::newRow("order id with a slash") << QStringLiteral("ORD/42") << okStatus << QString()
                                           << Field::OrderId << QStringLiteral("64");
    QTest::newRow("order id too long") << QString(65, QLatin1Char('a')) << okStatus << QString()
                                       << Field::OrderId << QStringLiteral("64");
    QTest::newRow("missing status") << okId << QString() << QString() << Field::Status
                                    << QStringLiteral("required");
    QTest::newRow("blank status") << okId << QStringLiteral("   ") << QString() << Field::Status
                                  << QStringLiteral("required");
    QTest::newRow("details is an array") << okId << okStatus << QStringLiteral("[1, 2]")
                                         << Field::Details << QStringLiteral("JSON object");
    // Qt 6.4 rejects a scalar at the top level as a syntax error.
    QTest::newRow("details is a string") << okId << okStatus << QStringLiteral("\"text\"")
                                         << Field::Details << QStringLiteral("Details");
    QTest::newRow("details not closed") << okId << okStatus << QStringLiteral("{\"a\": 1")
                                        << Field::Details << QStringLiteral("line 1");
    QTest::newRow("details with trailing comma") << okId << okStatus
                                                 << QStringLiteral("{\"a\": 1,}")
                                                 << Field::Details << QStringLiteral("column");
}

void tst_PublishDraft::invalidDrafts()
{
    QFETCH(QString, orderId);
    QFETCH(QString, status);
    QFETCH(QString, details);
    QFETCH(Field, expectedField);
    QFETCH(QString, expectedMessagePart);

    PublishDraft draft;
    draft.orderId = orderId;
    draft.status = status;
    draft.detailsText = details;
    const auto result = draft.toEvent();

    const PublishDraftError *error = std::get_if<PublishDraftError>(&result);
    QVERIFY(error);
    QCOMPARE(error->field, expectedField);
    QVERIFY2(error->message.contains(expectedMessagePart), qPrintable(error->message));
}

void tst_PublishDraft::detailsErrorPosition_data()
{
    QTest::addColumn<QString>("details");
    QTest::addColumn<int>("expectedLine");
    QTest::addColumn<int>("expectedColumn");

    // The position is where Qt 6.4's parser stopped (QJsonParseError::offset),
    // which can be a character or two past the mistake.
    QTest::newRow("missing value before the closing brace")
            << QStringLiteral("{\n  \"a\": 1,\n  \"b\": \n}") << 4 << 2;
    QTest::newRow("bad token on line 2") << QStringLiteral("{\n  \"a\": nope\n}") << 2 << 10;
    QTest::newRow("columns count characters, not bytes")
            << QStringLiteral("{\"é\": x}") << 1 << 7;
}

void tst_PublishDraft::detailsErrorPosition()
{
    QFETCH(QString, details);
    QFETCH(int, expectedLine);
    QFETCH(int, expectedColumn);

    PublishDraft draft = validDraftFields();
    draft.detailsText = details;
    const auto result = draft.toEvent();

    const PublishDraftError *error = std::get_if<PublishDraftError>(&result);
    QVERIFY(error);
    QCOMPARE(error->field, Field::Details);
    QCOMPARE(error->line, expectedLine);
    QCOMPARE(error->column, expectedColumn);
    QVERIFY2(error->message.contains(QStringLiteral("line %1, column %2")
                                             .arg(expectedLine)
                                             .arg(expectedColumn)),
             qPrintable(error->message));
}

void tst_PublishDraft::oversizedEventRejected()
{
    PublishDraft draft = validDraftFields();
    draft.message = QString(70 * 1024, QLatin1Char('m'));

    const auto result = draft.toEvent();

    const PublishDraftError *error = std::get_if<PublishDraftError>(&result);
    QVERIFY(error);
    QCOMPARE(error->field, Field::Body);
    QVERIFY2(error->message.contains(QStringLiteral("65536")), qPrintable(error->message));
}

void tst_PublishDraft::publisherAndOverrideCopied()
{
    PublishDraft draft = validDraftFields();
    draft.publisher = QStringLiteral("alice");
    draft.lifecycleOverride = true;

    const auto result = draft.toEvent();

    const OrderEvent *event = std::get_if<OrderEvent>(&result);
    QVERIFY(event);
    QCOMPARE(event->publisher, QStringLiteral("alice"));
    QVERIFY(event->lifecycleOverride);
}

void tst_PublishDraft::resolveStage_data()
{
    QTest::addColumn<QString>("status");
    QTest::addColumn<QString>("stage");
    QTest::addColumn<QString>("message");
    QTest::addColumn<QString>("expectedStage");
    QTest::addColumn<QString>("expectedErrorPart");

    QTest::newRow("stage in other case") << QStringLiteral("x") << QStringLiteral("activating")
                                         << QString() << QStringLiteral("Activating") << QString();
    QTest::newRow("status names a stage") << QStringLiteral("completed") << QString() << QString()
                                          << QStringLiteral("Completed") << QString();
    QTest::newRow("status is an alias") << QStringLiteral("provisioned") << QString() << QString()
                                        << QStringLiteral("Active") << QString();
    QTest::newRow("informational status") << QStringLiteral("Technician booked") << QString()
                                          << QString() << QString() << QString();
    QTest::newRow("unknown stage") << QStringLiteral("Shipped") << QStringLiteral("transit")
                                   << QString() << QStringLiteral("transit")
                                   << QStringLiteral("\"transit\" is not in the lifecycle");
    QTest::newRow("failure without reason") << QStringLiteral("Failed") << QString() << QString()
                                            << QStringLiteral("Failed")
                                            << QStringLiteral("Message is required");
    QTest::newRow("failure with reason") << QStringLiteral("Failed") << QString()
                                         << QStringLiteral("Card declined")
                                         << QStringLiteral("Failed") << QString();
}

void tst_PublishDraft::resolveStage()
{
    QFETCH(QString, status);
    QFETCH(QString, stage);
    QFETCH(QString, message);
    QFETCH(QString, expectedStage);
    QFETCH(QString, expectedErrorPart);

    OrderEvent event;
    event.orderId = QStringLiteral("ORD-1");
    event.status = status;
    event.stage = stage;
    event.message = message;
    const QString error = PublishDraft::resolveStage(event, Lifecycle::defaultLifecycle());

    QCOMPARE(event.stage, expectedStage);
    if (expectedErrorPart.isEmpty())
        QVERIFY2(error.isEmpty(), qPrintable(error));
    else
        QVERIFY2(error.contains(expectedErrorPart), qPrintable(error));
}

void tst_PublishDraft::lifecycleConflict_data()
{
    QTest::addColumn<QString>("currentStage");
    QTest::addColumn<QString>("stage");
    QTest::addColumn<QString>("expectedConflict");

    QTest::newRow("first stage allowed") << QString() << QStringLiteral("Draft") << QString();
    QTest::newRow("first stage forbidden")
            << QString() << QStringLiteral("Active")
            << QStringLiteral("ORD-1 has no events yet; Active cannot be its first stage.");
    QTest::newRow("next stage allowed") << QStringLiteral("Provisioning")
                                        << QStringLiteral("Active") << QString();
    QTest::newRow("after final stage")
            << QStringLiteral("Completed") << QStringLiteral("Activating")
            << QStringLiteral("ORD-1 is Completed; Activating cannot follow it.");
    QTest::newRow("current stage in other case")
            << QStringLiteral("completed") << QStringLiteral("Activating")
            << QStringLiteral("ORD-1 is Completed; Activating cannot follow it.");
    QTest::newRow("informational update") << QStringLiteral("Completed") << QString() << QString();
    QTest::newRow("current stage unknown to the lifecycle")
            << QStringLiteral("intake") << QStringLiteral("Active") << QString();
}

void tst_PublishDraft::lifecycleConflict()
{
    QFETCH(QString, currentStage);
    QFETCH(QString, stage);
    QFETCH(QString, expectedConflict);

    OrderEvent event;
    event.orderId = QStringLiteral("ORD-1");
    event.status = QStringLiteral("Update");
    event.stage = stage;

    QCOMPARE(PublishDraft::lifecycleConflict(event, currentStage, Lifecycle::defaultLifecycle()),
             expectedConflict);
}

QTEST_APPLESS_MAIN(tst_PublishDraft)
#include "tst_publishdraft.moc"
