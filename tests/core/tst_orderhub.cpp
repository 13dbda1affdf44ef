#include "eventstore.h"
#include "httperror.h"
#include "lifecycle.h"
#include "orderhub.h"
#include "streamengine.h"

#include <QTest>

#include <deque>

namespace {

// An event store that keeps appends until the test commits or fails them, so
// a test controls what is stored when. Everything runs on the test's thread.
class ManualStore : public EventStore
{
public:
    struct Append
    {
        OrderEvent event;
        CommitCallback committed;
    };

    bool open(QString *) override { return true; }
    void close() override { }
    bool isOpen() const override { return true; }

    bool append(OrderEvent event, CommitCallback committed) override
    {
        if (!acceptAppends)
            return false;
        m_appends.push_back(Append{std::move(event), std::move(committed)});
        return true;
    }

    bool containsIngestKey(const QString &ingestKey) override
    {
        return m_storedKeys.contains(ingestKey);
    }

    // Stores the oldest waiting append, delivers it and runs its callback.
    // Returns the stored event.
    OrderEvent commitNext()
    {
        Append append = takeNext();
        append.event.id = ++m_lastId;
        append.event.time = QDateTime::currentDateTimeUtc();
        if (!append.event.ingestKey.isEmpty())
            m_storedKeys.insert(append.event.ingestKey);
        deliver(append.event);
        AppendResult result;
        result.stored = append.event;
        append.committed(result);
        return append.event;
    }

    // Fails the oldest waiting append.
    void failNext()
    {
        Append append = takeNext();
        AppendResult result;
        result.error = QStringLiteral("disk full");
        append.committed(result);
    }

    const std::deque<Append> &waiting() const { return m_appends; }

    ReplayResult readAfter(const QString &, quint64, int) override { return {}; }
    QList<OrderEvent> query(const JournalQuery &) override { return {}; }
    QList<OrderSummary> orderSummaries() override { return {}; }
    std::optional<OrderSummary> orderSummary(const QString &) override { return std::nullopt; }
    quint64 lastEventId() const override { return m_lastId; }
    qint64 sizeBytes() const override { return 0; }
    QString location() const override { return QStringLiteral("memory"); }
    void setRetention(int, qint64) override { }
    void runRetentionNow() override { }

    bool acceptAppends = true;

private:
    Append takeNext()
    {
        Q_ASSERT(!m_appends.empty());
        Append append = std::move(m_appends.front());
        m_appends.pop_front();
        return append;
    }

    std::deque<Append> m_appends;
    QSet<QString> m_storedKeys;
    quint64 m_lastId = 0;
};

OrderEvent makeEvent(const QString &status, const QString &stage = QString(),
                     const QString &message = QStringLiteral("note"))
{
    OrderEvent event;
    event.orderId = QStringLiteral("ORD-1");
    event.status = status;
    event.stage = stage;
    event.message = message;
    event.source = QString::fromLatin1(OrderEventSource::Api);
    return event;
}

} // namespace

// OrderHub's lifecycle check with a store that the test drives by hand.
class tst_OrderHub : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void acceptedPublishesCheckedInOrder();
    void failedStoreReleasesStage();
    void rejectedAppendReleasesStage();
    void stageResolvedFromLifecycle_data();
    void stageResolvedFromLifecycle();
    void unknownStageIs400();
    void failureNeedsMessage();
    void firstStageChecked();
    void overrideSkipsCheck();
    void informationKeepsStage();
    void repeatedDeliveryNotChecked();
    void customLifecycle();

private:
    // Publishes event and returns the error, or nullopt when it was queued.
    std::optional<HttpError> publish(const OrderEvent &event);
    QString stageOf(const QString &orderId) const;

    std::unique_ptr<StreamEngine> m_engine;
    std::unique_ptr<ManualStore> m_store;
    std::unique_ptr<OrderHub> m_hub;
    QList<AppendResult> m_results;
};

void tst_OrderHub::init()
{
    StreamEngineConfig config;
    config.workers = 1;
    m_engine = std::make_unique<StreamEngine>(config);
    m_store = std::make_unique<ManualStore>();
    m_hub = std::make_unique<OrderHub>(*m_engine, *m_store, 100);
    m_hub->loadFromStore();
    m_results.clear();
}

void tst_OrderHub::cleanup()
{
    m_hub.reset();
    m_store.reset();
    m_engine.reset();
}

std::optional<HttpError> tst_OrderHub::publish(const OrderEvent &event)
{
    return m_hub->publish(event, [this](const AppendResult &result) { m_results.append(result); });
}

QString tst_OrderHub::stageOf(const QString &orderId) const
{
    const std::optional<OrderSummary> summary = m_hub->order(orderId);
    return summary ? summary->lastStage : QString();
}

void tst_OrderHub::acceptedPublishesCheckedInOrder()
{
    // Nothing is stored yet: each check runs against the publish before it.
    QVERIFY(!publish(makeEvent(QStringLiteral("Activating"))));
    QVERIFY(!publish(makeEvent(QStringLiteral("Provisioning"))));
    const std::optional<HttpError> conflict = publish(makeEvent(QStringLiteral("Draft")));
    QVERIFY(conflict);
    QCOMPARE(conflict->status, 409);
    QCOMPARE(conflict->code, QStringLiteral("lifecycle_conflict"));
    QCOMPARE(conflict->message, QStringLiteral("order ORD-1 is Provisioning; Draft cannot follow it"));
    QCOMPARE(m_store->waiting().size(), size_t(2));

    QCOMPARE(m_store->commitNext().stage, QStringLiteral("Activating"));
    QCOMPARE(m_store->commitNext().stage, QStringLiteral("Provisioning"));
    QCOMPARE(stageOf(QStringLiteral("ORD-1")), QStringLiteral("Provisioning"));
    QCOMPARE(m_results.size(), 2);

    QVERIFY(publish(makeEvent(QStringLiteral("Provisioning"))));
    QVERIFY(!publish(makeEvent(QStringLiteral("Active"))));
}

void tst_OrderHub::failedStoreReleasesStage()
{
    QVERIFY(!publish(makeEvent(QStringLiteral("Activating"))));
    QVERIFY(!publish(makeEvent(QStringLiteral("Provisioning"))));
    m_store->commitNext();
    m_store->failNext();
    QCOMPARE(m_results.size(), 2);
    QVERIFY(!m_results.last().stored);
    QCOMPARE(m_results.last().error, QStringLiteral("disk full"));

    // The order is still Activating, so Provisioning may follow it again.
    QCOMPARE(stageOf(QStringLiteral("ORD-1")), QStringLiteral("Activating"));
    QVERIFY(publish(makeEvent(QStringLiteral("Active"))));
    QVERIFY(!publish(makeEvent(QStringLiteral("Provisioning"))));
}

void tst_OrderHub::rejectedAppendReleasesStage()
{
    m_store->acceptAppends = false;
    const std::optional<HttpError> busy = publish(makeEvent(QStringLiteral("Activating")));
    QVERIFY(busy);
    QCOMPARE(busy->status, 503);
    QVERIFY(m_results.isEmpty());

    m_store->acceptAppends = true;
    QVERIFY(!publish(makeEvent(QStringLiteral("Draft"))));
}

void tst_OrderHub::stageResolvedFromLifecycle_data()
{
    QTest::addColumn<QString>("status");
    QTest::addColumn<QString>("stage");
    QTest::addColumn<QString>("storedStage");

    QTest::newRow("status names stage") << "Activating" << "" << "Activating";
    QTest::newRow("status in lower case") << "activating" << "" << "Activating";
    QTest::newRow("stage in lower case") << "Started" << "draft" << "Draft";
    QTest::newRow("stage wins over status") << "Activating" << "Draft" << "Draft";
    QTest::newRow("free text") << "Waiting for the courier" << "" << "";
}

void tst_OrderHub::stageResolvedFromLifecycle()
{
    QFETCH(QString, status);
    QFETCH(QString, stage);
    QFETCH(QString, storedStage);

    QVERIFY(!publish(makeEvent(status, stage)));
    const OrderEvent stored = m_store->commitNext();
    QCOMPARE(stored.stage, storedStage);
    QCOMPARE(stored.status, status);
    QCOMPARE(stored.type, QStringLiteral("order.update"));
}

void tst_OrderHub::unknownStageIs400()
{
    const std::optional<HttpError> error = publish(makeEvent(QStringLiteral("Shipped"), QStringLiteral("Shipped")));
    QVERIFY(error);
    QCOMPARE(error->status, 400);
    QCOMPARE(error->code, QStringLiteral("unknown_stage"));
    QVERIFY2(error->message.contains(QStringLiteral("\"Shipped\"")), qPrintable(error->message));
    QVERIFY(m_store->waiting().empty());
}

void tst_OrderHub::failureNeedsMessage()
{
    QVERIFY(!publish(makeEvent(QStringLiteral("Activating"))));
    const std::optional<HttpError> error =
            publish(makeEvent(QStringLiteral("Failed"), QString(), QStringLiteral("  ")));
    QVERIFY(error);
    QCOMPARE(error->status, 400);
    QCOMPARE(error->code, QStringLiteral("missing_field"));
    QCOMPARE(error->message,
             QStringLiteral("\"message\" is missing: an event in stage Failed must give the reason"));

    QVERIFY(!publish(makeEvent(QStringLiteral("Failed"), QString(), QStringLiteral("SIM rejected"))));
}

void tst_OrderHub::firstStageChecked()
{
    const std::optional<HttpError> conflict = publish(makeEvent(QStringLiteral("Active")));
    QVERIFY(conflict);
    QCOMPARE(conflict->status, 409);
    QCOMPARE(conflict->message, QStringLiteral("order ORD-1 has no stage yet; Active cannot be its "
                                               "first stage (use Draft or Activating)"));
}

void tst_OrderHub::overrideSkipsCheck()
{
    for (const char *stage : {"Activating", "Provisioning", "Active", "Completed"}) {
        QVERIFY(!publish(makeEvent(QString::fromLatin1(stage))));
        m_store->commitNext();
    }
    QCOMPARE(m_hub->finalEventId(QStringLiteral("ORD-1")), std::optional<quint64>(4));
    QCOMPARE(publish(makeEvent(QStringLiteral("Active")))->message,
             QStringLiteral("order ORD-1 is Completed; Active cannot follow it"));

    OrderEvent reopen = makeEvent(QStringLiteral("Active"));
    reopen.lifecycleOverride = true;
    QVERIFY(!publish(reopen));
    const OrderEvent stored = m_store->commitNext();
    QVERIFY(stored.lifecycleOverride);
    QCOMPARE(stageOf(QStringLiteral("ORD-1")), QStringLiteral("Active"));
    QVERIFY(!m_hub->finalEventId(QStringLiteral("ORD-1")));
}

void tst_OrderHub::informationKeepsStage()
{
    QVERIFY(!publish(makeEvent(QStringLiteral("Activating"))));
    m_store->commitNext();
    QVERIFY(!publish(makeEvent(QStringLiteral("Engineer booked for Monday"))));
    const OrderEvent information = m_store->commitNext();
    QVERIFY(information.stage.isEmpty());

    const std::optional<OrderSummary> summary = m_hub->order(QStringLiteral("ORD-1"));
    QVERIFY(summary);
    QCOMPARE(summary->lastStatus, QStringLiteral("Engineer booked for Monday"));
    QCOMPARE(summary->lastStage, QStringLiteral("Activating"));
    QCOMPARE(summary->lastStageEventId, quint64(1));
    QCOMPARE(summary->lastEventId, quint64(2));

    // The lifecycle still applies from Activating, and information may follow a final stage.
    QVERIFY(publish(makeEvent(QStringLiteral("Active"))));
    QVERIFY(!publish(makeEvent(QStringLiteral("Cancelled"))));
    m_store->commitNext();
    QCOMPARE(m_hub->finalEventId(QStringLiteral("ORD-1")), std::optional<quint64>(3));
    QVERIFY(!publish(makeEvent(QStringLiteral("Refund issued"))));
    m_store->commitNext();
    QCOMPARE(m_hub->finalEventId(QStringLiteral("ORD-1")), std::optional<quint64>(3));
}

void tst_OrderHub::repeatedDeliveryNotChecked()
{
    OrderEvent delivery = makeEvent(QStringLiteral("Activating"));
    delivery.ingestKey = QStringLiteral("/event/Order_Status__e:7");

    // Repeated while the first delivery waits in the store's queue.
    QVERIFY(!publish(delivery));
    QVERIFY(!publish(delivery));
    QCOMPARE(m_store->waiting().size(), size_t(2));
    m_store->commitNext();
    m_store->failNext();

    // Repeated after it was stored.
    QVERIFY(!publish(delivery));
    QCOMPARE(m_store->waiting().size(), size_t(1));

    // A new delivery with the same stage is still a conflict.
    OrderEvent other = delivery;
    other.ingestKey = QStringLiteral("/event/Order_Status__e:8");
    QVERIFY(publish(other));
}

void tst_OrderHub::customLifecycle()
{
    QString error;
    const std::optional<Lifecycle> lifecycle = Lifecycle::fromJson(
            R"({"stages":[{"name":"Open"},{"name":"Done","final":true,"aliases":["closed"]}],
                "initial":["Open"],"transitions":{"Open":["Done"]}})",
            &error);
    QVERIFY2(lifecycle, qPrintable(error));
    m_hub->setLifecycle(*lifecycle);

    // Default stage names are free text now.
    QVERIFY(!publish(makeEvent(QStringLiteral("Activating"))));
    QVERIFY(m_store->commitNext().stage.isEmpty());
    QVERIFY(!publish(makeEvent(QStringLiteral("Open"))));
    QVERIFY(!publish(makeEvent(QStringLiteral("closed"))));
    m_store->commitNext();
    QCOMPARE(m_store->commitNext().stage, QStringLiteral("Done"));
    QCOMPARE(m_hub->finalEventId(QStringLiteral("ORD-1")), std::optional<quint64>(3));
}

QTEST_GUILESS_MAIN(tst_OrderHub)
#include "tst_orderhub.moc"
