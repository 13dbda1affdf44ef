#include "lifecycle.h"

#include <QTemporaryDir>
#include <QTest>

#include <algorithm>

namespace {

const QStringList defaultStageNames = {
    QStringLiteral("Draft"),     QStringLiteral("Activating"), QStringLiteral("Provisioning"),
    QStringLiteral("Active"),    QStringLiteral("Completed"),  QStringLiteral("Failed"),
    QStringLiteral("Cancelled"),
};

// The transitions of the default lifecycle, written out by hand; an empty
// source is an order's first event.
const QList<QPair<QString, QString>> defaultAllowed = {
    {QString(), QStringLiteral("Draft")},
    {QString(), QStringLiteral("Activating")},
    {QStringLiteral("Draft"), QStringLiteral("Activating")},
    {QStringLiteral("Draft"), QStringLiteral("Failed")},
    {QStringLiteral("Draft"), QStringLiteral("Cancelled")},
    {QStringLiteral("Activating"), QStringLiteral("Provisioning")},
    {QStringLiteral("Activating"), QStringLiteral("Failed")},
    {QStringLiteral("Activating"), QStringLiteral("Cancelled")},
    {QStringLiteral("Provisioning"), QStringLiteral("Active")},
    {QStringLiteral("Provisioning"), QStringLiteral("Failed")},
    {QStringLiteral("Provisioning"), QStringLiteral("Cancelled")},
    {QStringLiteral("Active"), QStringLiteral("Completed")},
    {QStringLiteral("Active"), QStringLiteral("Failed")},
    {QStringLiteral("Active"), QStringLiteral("Cancelled")},
};

// A small valid lifecycle; tests break one part of it at a time.
const char validJson[] = R"({
    "stages": [
        {"name": "Open", "status": "Opened", "message": "Ticket opened", "aliases": ["new"]},
        {"name": "Done", "final": true, "aliases": ["closed", "resolved"]},
        {"name": "Rejected", "final": true, "failure": true}
    ],
    "initial": ["Open"],
    "transitions": {"Open": ["Done", "Rejected"]}
})";

QStringList stageNames(const QList<LifecycleStage> &stages)
{
    QStringList names;
    for (const LifecycleStage &stage : stages)
        names.append(stage.name);
    return names;
}

} // namespace

class tst_Lifecycle : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void defaultTransition_data();
    void defaultTransition();
    void defaultNextStages();
    void defaultStages();
    void unknownStageNeverAllowed();
    void findStageByAlias_data();
    void findStageByAlias();
    void successPathAndFailure();
    void loadValidJson();
    void loadInvalidJson_data();
    void loadInvalidJson();
    void loadFile();
    void loadMissingFile();
    void loadInvalidFileNamesFile();
};

void tst_Lifecycle::defaultTransition_data()
{
    QTest::addColumn<QString>("from");
    QTest::addColumn<QString>("to");
    QTest::addColumn<bool>("allowed");

    const QStringList sources = QStringList(QString()) + defaultStageNames;
    for (const QString &from : sources) {
        for (const QString &to : defaultStageNames) {
            const bool allowed = defaultAllowed.contains(qMakePair(from, to));
            const QString name = QStringLiteral("%1 -> %2")
                                         .arg(from.isEmpty() ? QStringLiteral("(first)") : from, to);
            QTest::newRow(qPrintable(name)) << from << to << allowed;
        }
    }
}

void tst_Lifecycle::defaultTransition()
{
    QFETCH(QString, from);
    QFETCH(QString, to);
    QFETCH(bool, allowed);

    const Lifecycle lifecycle = Lifecycle::defaultLifecycle();
    QCOMPARE(lifecycle.isAllowed(from, to), allowed);
    // Names compare ignoring case.
    QCOMPARE(lifecycle.isAllowed(from.toLower(), to.toUpper()), allowed);
    QCOMPARE(lifecycle.nextStages(from).contains(to), allowed);
}

void tst_Lifecycle::defaultNextStages()
{
    const Lifecycle lifecycle = Lifecycle::defaultLifecycle();
    QCOMPARE(lifecycle.nextStages(QString()),
             QStringList({QStringLiteral("Draft"), QStringLiteral("Activating")}));
    QCOMPARE(lifecycle.nextStages(QStringLiteral("Active")),
             QStringList({QStringLiteral("Completed"), QStringLiteral("Failed"),
                          QStringLiteral("Cancelled")}));
    QVERIFY(lifecycle.nextStages(QStringLiteral("Completed")).isEmpty());
    QVERIFY(lifecycle.nextStages(QStringLiteral("Shipped")).isEmpty());
}

void tst_Lifecycle::defaultStages()
{
    const Lifecycle lifecycle = Lifecycle::defaultLifecycle();
    QCOMPARE(stageNames(lifecycle.stages()), defaultStageNames);

    for (const LifecycleStage &stage : lifecycle.stages()) {
        const bool final = stage.name == QLatin1String("Completed")
                || stage.name == QLatin1String("Failed") || stage.name == QLatin1String("Cancelled");
        QCOMPARE(stage.isFinal, final);
        QCOMPARE(lifecycle.isFinal(stage.name), final);
        QCOMPARE(stage.isFailure, stage.name == QLatin1String("Failed"));
        QCOMPARE(stage.status, stage.name);
        QVERIFY2(!stage.message.isEmpty(), qPrintable(stage.name));
    }
    QVERIFY(!lifecycle.isFinal(QStringLiteral("Shipped")));
    QVERIFY(!lifecycle.isFinal(QString()));
}

void tst_Lifecycle::unknownStageNeverAllowed()
{
    const Lifecycle lifecycle = Lifecycle::defaultLifecycle();
    QVERIFY(!lifecycle.isAllowed(QString(), QStringLiteral("Shipped")));
    QVERIFY(!lifecycle.isAllowed(QStringLiteral("Shipped"), QStringLiteral("Active")));
    QVERIFY(!lifecycle.isAllowed(QStringLiteral("Active"), QString()));
}

void tst_Lifecycle::findStageByAlias_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("stage");

    QTest::newRow("name") << "Provisioning" << "Provisioning";
    QTest::newRow("name lower case") << "activating" << "Activating";
    QTest::newRow("name upper case") << "COMPLETED" << "Completed";
    QTest::newRow("surrounding spaces") << "  Draft " << "Draft";
    QTest::newRow("alias provisioned") << "provisioned" << "Active";
    QTest::newRow("alias mixed case") << "Provisioned" << "Active";
    QTest::newRow("alias canceled") << "canceled" << "Cancelled";
    QTest::newRow("alias failure") << "Failure" << "Failed";
    QTest::newRow("free text") << "Waiting for the courier" << "";
    QTest::newRow("empty") << "" << "";
    QTest::newRow("prefix only") << "Activ" << "";
}

void tst_Lifecycle::findStageByAlias()
{
    QFETCH(QString, text);
    QFETCH(QString, stage);

    const Lifecycle lifecycle = Lifecycle::defaultLifecycle();
    const LifecycleStage *found = lifecycle.findStage(text);
    if (stage.isEmpty()) {
        QVERIFY2(!found, qPrintable(found ? found->name : QString()));
        return;
    }
    QVERIFY(found);
    QCOMPARE(found->name, stage);
    // An alias works wherever a stage name does.
    QCOMPARE(lifecycle.isFinal(text), found->isFinal);
}

void tst_Lifecycle::successPathAndFailure()
{
    const Lifecycle lifecycle = Lifecycle::defaultLifecycle();
    QCOMPARE(stageNames(lifecycle.successPath()),
             QStringList({QStringLiteral("Draft"), QStringLiteral("Activating"),
                          QStringLiteral("Provisioning"), QStringLiteral("Active"),
                          QStringLiteral("Completed")}));
    QVERIFY(lifecycle.failureStage());
    QCOMPARE(lifecycle.failureStage()->name, QStringLiteral("Failed"));
    QVERIFY(lifecycle.isAllowed(QStringLiteral("Active"), QStringLiteral("provisioned")) == false);
    QVERIFY(lifecycle.isAllowed(QStringLiteral("Provisioning"), QStringLiteral("provisioned")));
}

void tst_Lifecycle::loadValidJson()
{
    QString error;
    const auto lifecycle = Lifecycle::fromJson(validJson, &error);
    QVERIFY2(lifecycle, qPrintable(error));
    QVERIFY(error.isEmpty());

    QCOMPARE(stageNames(lifecycle->stages()),
             QStringList({QStringLiteral("Open"), QStringLiteral("Done"), QStringLiteral("Rejected")}));
    const LifecycleStage &open = lifecycle->stages().first();
    QCOMPARE(open.status, QStringLiteral("Opened"));
    QCOMPARE(open.message, QStringLiteral("Ticket opened"));
    QCOMPARE(open.aliases, QStringList(QStringLiteral("new")));
    QVERIFY(!open.isFinal);
    // A stage without "status" uses its name.
    QCOMPARE(lifecycle->stages().at(1).status, QStringLiteral("Done"));

    QVERIFY(lifecycle->isAllowed(QString(), QStringLiteral("open")));
    QVERIFY(!lifecycle->isAllowed(QString(), QStringLiteral("Done")));
    QVERIFY(lifecycle->isAllowed(QStringLiteral("new"), QStringLiteral("resolved")));
    QVERIFY(!lifecycle->isAllowed(QStringLiteral("Done"), QStringLiteral("Open")));
    QCOMPARE(lifecycle->findStage(u"CLOSED")->name, QStringLiteral("Done"));
    QCOMPARE(stageNames(lifecycle->successPath()),
             QStringList({QStringLiteral("Open"), QStringLiteral("Done")}));
    QCOMPARE(lifecycle->failureStage()->name, QStringLiteral("Rejected"));
}

void tst_Lifecycle::loadInvalidJson_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("messagePart");

    const auto replace = [](const char *before, const char *after) {
        QByteArray json(validJson);
        const int index = json.indexOf(before);
        if (index < 0)
            qFatal("the test's JSON has no \"%s\"", before);
        return json.replace(index, int(qstrlen(before)), after);
    };

    QTest::newRow("empty") << QByteArray() << "invalid JSON";
    QTest::newRow("bad JSON") << QByteArray(validJson).left(40) << "invalid JSON";
    QTest::newRow("array") << QByteArray("[]") << "JSON object";
    QTest::newRow("no stages") << QByteArray(R"({"initial":["A"],"transitions":{}})")
                               << "\"stages\" must be a non-empty array";
    QTest::newRow("stage not object") << replace(R"({"name": "Done",)", R"("Done", {)")
                                      << "stage 2 must be a JSON object";
    QTest::newRow("stage without name") << replace(R"("name": "Done",)", "")
                                        << "stage 2 has no \"name\"";
    QTest::newRow("numeric message") << replace(R"("Ticket opened")", "3")
                                     << "stage \"Open\": \"message\" must be a string";
    QTest::newRow("string final") << replace(R"("final": true, "aliases")", R"("final": "yes", "aliases")")
                                  << "stage \"Done\": \"final\" must be true or false";
    QTest::newRow("aliases not array") << replace(R"(["new"])", R"("new")")
                                       << "stage \"Open\": \"aliases\" must be an array";
    QTest::newRow("failure not final") << replace(R"("final": true, "failure")", R"("failure")")
                                       << "\"Rejected\" is a failure stage, so it must be final";
    QTest::newRow("duplicate names") << replace(R"("name": "Rejected")", R"("name": "Done")")
                                     << "duplicate stage name or alias \"Done\"";
    QTest::newRow("duplicate names ignoring case") << replace(R"("name": "Rejected")", R"("name": "OPEN")")
                                                   << "duplicate stage name or alias \"OPEN\"";
    QTest::newRow("alias is another name") << replace(R"(["closed", "resolved"])", R"(["open"])")
                                           << "duplicate stage name or alias \"open\"";
    QTest::newRow("alias repeated") << replace(R"(["closed", "resolved"])", R"(["closed", "Closed"])")
                                    << "duplicate stage name or alias \"Closed\"";
    QTest::newRow("no initial") << replace(R"("initial": ["Open"],)", "")
                                << "\"initial\" must be an array";
    QTest::newRow("empty initial") << replace(R"(["Open"],)", "[],") << "\"initial\" must name";
    QTest::newRow("unknown initial") << replace(R"(["Open"],)", R"(["Opened"],)")
                                     << "\"initial\" names unknown stage \"Opened\"";
    QTest::newRow("no transitions") << replace(R"("transitions")", R"("edges")")
                                    << "\"transitions\" must be a JSON object";
    QTest::newRow("unknown source in transitions")
            << replace(R"({"Open": ["Done")", R"({"Shipped": ["Done")")
            << "\"transitions\" has unknown stage \"Shipped\"";
    QTest::newRow("unknown target in transitions")
            << replace(R"(["Done", "Rejected"])", R"(["Done", "Shipped"])")
            << "\"transitions\".\"Open\" lists unknown stage \"Shipped\"";
    QTest::newRow("target not string") << replace(R"(["Done", "Rejected"])", R"(["Done", 2])")
                                       << "\"transitions\".\"Open\" must contain only non-empty strings";
    QTest::newRow("transition from final")
            << replace(R"("Open": ["Done", "Rejected"])", R"("Open": ["Done"], "Done": ["Open"])")
            << "stage \"Done\" is final, so nothing may follow it";
    QTest::newRow("no final stage") << QByteArray(R"({"stages":[{"name":"A"},{"name":"B"}],
                                                     "initial":["A"],"transitions":{"A":["B"]}})")
                                    << "no stage is final";
}

void tst_Lifecycle::loadInvalidJson()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, messagePart);

    QString error;
    const auto lifecycle = Lifecycle::fromJson(json, &error);
    QVERIFY(!lifecycle);
    QVERIFY2(error.contains(messagePart), qPrintable(error));
    // A null error pointer is allowed.
    QVERIFY(!Lifecycle::fromJson(json, nullptr));
}

void tst_Lifecycle::loadFile()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("lifecycle.json"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(validJson);
    file.close();

    QString error;
    const auto lifecycle = Lifecycle::fromFile(path, &error);
    QVERIFY2(lifecycle, qPrintable(error));
    QCOMPARE(lifecycle->stages().size(), 3);
}

void tst_Lifecycle::loadMissingFile()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("missing.json"));

    QString error;
    QVERIFY(!Lifecycle::fromFile(path, &error));
    QVERIFY2(error.startsWith(QStringLiteral("failed to read lifecycle file ") + path), qPrintable(error));
}

void tst_Lifecycle::loadInvalidFileNamesFile()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("lifecycle.json"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(R"({"stages":[{"name":"A"}],"initial":["A"],"transitions":{"A":["B"]}})");
    file.close();

    QString error;
    QVERIFY(!Lifecycle::fromFile(path, &error));
    QVERIFY2(error.contains(path), qPrintable(error));
    QVERIFY2(error.contains(QStringLiteral("unknown stage \"B\"")), qPrintable(error));
}

QTEST_GUILESS_MAIN(tst_Lifecycle)
#include "tst_lifecycle.moc"
