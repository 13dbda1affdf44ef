#pragma once

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>
#include <QStringView>

#include <optional>

// One stage of an order's fulfilment, the value of an event's "stage" field.
struct LifecycleStage
{
    QString name;
    // Default status and message for publish templates.
    QString status;
    QString message;
    // Statuses that map to this stage, compared ignoring case ("provisioned" maps to Active).
    QStringList aliases;
    // No stage may follow a final one.
    bool isFinal = false;
    // The final stage of a failed order: shown in red, and its event needs a reason in "message".
    bool isFailure = false;
};

// The stages an order passes through and the transitions allowed between them.
// The lifecycle governs an event's "stage"; its "status" stays free text. A
// Lifecycle is immutable once built, so one instance may be read from any thread.
class Lifecycle
{
public:
    // Draft, Activating, Provisioning, Active, Completed, with Failed and
    // Cancelled reachable from every stage that is not final.
    static Lifecycle defaultLifecycle();

    // Builds a lifecycle from JSON:
    // {"stages":[{"name":..,"status":..,"message":..,"aliases":[..],"final":bool,"failure":bool}],
    //  "initial":["Draft","Activating"], "transitions":{"Draft":["Activating","Cancelled"],...}}
    // Returns nullopt and sets *error (when error is not null) for invalid JSON,
    // a missing or mistyped member, a name or alias used twice, an unknown stage
    // in "initial" or "transitions", a final stage with transitions, or no final stage.
    static std::optional<Lifecycle> fromJson(const QByteArray &json, QString *error);
    // Reads path and builds the lifecycle with fromJson(); the error names the file.
    static std::optional<Lifecycle> fromFile(const QString &path, QString *error);

    const QList<LifecycleStage> &stages() const;
    // Stage by name or alias, ignoring case and surrounding spaces; nullptr when none matches.
    const LifecycleStage *findStage(QStringView nameOrStatus) const;
    // Returns whether an event in stage to may follow one in stage from. Both
    // are names or aliases; from empty = the order has no event yet. An unknown
    // stage is never allowed.
    bool isAllowed(const QString &from, const QString &to) const;
    // Names of the stages that may follow from (the initial stages when from is empty).
    QStringList nextStages(const QString &from) const;
    bool isFinal(const QString &stage) const;
    // Stages from an initial stage to the success final stage, in order (for
    // the simulator): the shortest path from the first initial stage to the
    // first final stage in stages() that is not a failure (Completed, not
    // Cancelled, by default). Empty when there is no such path.
    QList<LifecycleStage> successPath() const;
    // The failure final stage (Failed by default); nullptr when none.
    const LifecycleStage *failureStage() const;

private:
    int indexOf(QStringView nameOrStatus) const;

    QList<LifecycleStage> m_stages;
    // Indexes into m_stages.
    QList<int> m_initial;
    QList<QList<int>> m_next;
};
