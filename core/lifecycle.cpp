#include "lifecycle.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>

namespace {

LifecycleStage makeStage(const char *name, const char *message, QStringList aliases = {},
                         bool isFinal = false, bool isFailure = false)
{
    LifecycleStage stage;
    stage.name = QLatin1String(name);
    stage.status = stage.name;
    stage.message = QLatin1String(message);
    stage.aliases = std::move(aliases);
    stage.isFinal = isFinal;
    stage.isFailure = isFailure;
    return stage;
}

bool sameName(QStringView a, QStringView b)
{
    return a.compare(b, Qt::CaseInsensitive) == 0;
}

void setError(QString *error, const QString &message)
{
    if (error)
        *error = message;
}

// Reads an optional string member of a stage object into out.
bool readString(const QJsonObject &object, QLatin1String key, const QString &where, QString &out,
                QString *error)
{
    const QJsonValue value = object.value(key);
    if (value.isUndefined())
        return true;
    if (!value.isString()) {
        setError(error, QStringLiteral("%1: \"%2\" must be a string").arg(where, key));
        return false;
    }
    out = value.toString();
    return true;
}

bool readBool(const QJsonObject &object, QLatin1String key, const QString &where, bool &out,
              QString *error)
{
    const QJsonValue value = object.value(key);
    if (value.isUndefined())
        return true;
    if (!value.isBool()) {
        setError(error, QStringLiteral("%1: \"%2\" must be true or false").arg(where, key));
        return false;
    }
    out = value.toBool();
    return true;
}

// Reads a JSON array of strings; where names it in the error.
std::optional<QStringList> readStringList(const QJsonValue &value, const QString &where,
                                          QString *error)
{
    if (!value.isArray()) {
        setError(error, QStringLiteral("%1 must be an array of strings").arg(where));
        return std::nullopt;
    }
    QStringList list;
    for (const QJsonValue item : value.toArray()) {
        if (!item.isString() || item.toString().trimmed().isEmpty()) {
            setError(error, QStringLiteral("%1 must contain only non-empty strings").arg(where));
            return std::nullopt;
        }
        list.append(item.toString().trimmed());
    }
    return list;
}

} // namespace

Lifecycle Lifecycle::defaultLifecycle()
{
    Lifecycle lifecycle;
    lifecycle.m_stages = {
        makeStage("Draft", "Order received"),
        makeStage("Activating", "Activation started"),
        makeStage("Provisioning", "Provisioning services"),
        makeStage("Active", "Services are active", {QStringLiteral("provisioned"), QStringLiteral("activated")}),
        makeStage("Completed", "Order completed", {QStringLiteral("complete"), QStringLiteral("fulfilled")},
                  true),
        makeStage("Failed", "Order failed", {QStringLiteral("failure")}, true, true),
        makeStage("Cancelled", "Order cancelled", {QStringLiteral("canceled")}, true),
    };
    enum { Draft, Activating, Provisioning, Active, Completed, Failed, Cancelled };
    lifecycle.m_initial = {Draft, Activating};
    lifecycle.m_next = {
        {Activating, Failed, Cancelled},
        {Provisioning, Failed, Cancelled},
        {Active, Failed, Cancelled},
        {Completed, Failed, Cancelled},
        {},
        {},
        {},
    };
    return lifecycle;
}

std::optional<Lifecycle> Lifecycle::fromJson(const QByteArray &json, QString *error)
{
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(json, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        setError(error, QStringLiteral("invalid JSON: %1 at offset %2")
                                .arg(parseError.errorString())
                                .arg(parseError.offset));
        return std::nullopt;
    }
    if (!document.isObject()) {
        setError(error, QStringLiteral("the lifecycle must be a JSON object"));
        return std::nullopt;
    }
    const QJsonObject root = document.object();

    Lifecycle lifecycle;
    const QJsonValue stages = root.value(QLatin1String("stages"));
    if (!stages.isArray() || stages.toArray().isEmpty()) {
        setError(error, QStringLiteral("\"stages\" must be a non-empty array"));
        return std::nullopt;
    }
    for (const QJsonValue value : stages.toArray()) {
        const QString where = QStringLiteral("stage %1").arg(lifecycle.m_stages.size() + 1);
        if (!value.isObject()) {
            setError(error, QStringLiteral("%1 must be a JSON object").arg(where));
            return std::nullopt;
        }
        const QJsonObject object = value.toObject();
        LifecycleStage stage;
        if (!readString(object, QLatin1String("name"), where, stage.name, error))
            return std::nullopt;
        stage.name = stage.name.trimmed();
        if (stage.name.isEmpty()) {
            setError(error, QStringLiteral("%1 has no \"name\"").arg(where));
            return std::nullopt;
        }
        const QString named = QStringLiteral("stage \"%1\"").arg(stage.name);
        stage.status = stage.name;
        if (!readString(object, QLatin1String("status"), named, stage.status, error)
            || !readString(object, QLatin1String("message"), named, stage.message, error)
            || !readBool(object, QLatin1String("final"), named, stage.isFinal, error)
            || !readBool(object, QLatin1String("failure"), named, stage.isFailure, error)) {
            return std::nullopt;
        }
        const QJsonValue aliases = object.value(QLatin1String("aliases"));
        if (!aliases.isUndefined()) {
            const auto list = readStringList(aliases, named + QStringLiteral(": \"aliases\""), error);
            if (!list)
                return std::nullopt;
            stage.aliases = *list;
        }
        if (stage.isFailure && !stage.isFinal) {
            setError(error, QStringLiteral("%1 is a failure stage, so it must be final").arg(named));
            return std::nullopt;
        }

        // A name or alias must identify one stage, or findStage() would be ambiguous.
        const QStringList names = QStringList(stage.name) + stage.aliases;
        for (qsizetype i = 0; i < names.size(); ++i) {
            const QString &candidate = names.at(i);
            bool duplicate = lifecycle.findStage(candidate) != nullptr;
            for (qsizetype j = 0; j < i && !duplicate; ++j)
                duplicate = sameName(names.at(j), candidate);
            if (duplicate) {
                setError(error, QStringLiteral("duplicate stage name or alias \"%1\"").arg(candidate));
                return std::nullopt;
            }
        }
        lifecycle.m_stages.append(stage);
    }

    const QJsonValue initial = root.value(QLatin1String("initial"));
    const auto initialNames = readStringList(initial, QStringLiteral("\"initial\""), error);
    if (!initialNames)
        return std::nullopt;
    if (initialNames->isEmpty()) {
        setError(error, QStringLiteral("\"initial\" must name at least one stage"));
        return std::nullopt;
    }
    for (const QString &name : *initialNames) {
        const int index = lifecycle.indexOf(name);
        if (index < 0) {
            setError(error, QStringLiteral("\"initial\" names unknown stage \"%1\"").arg(name));
            return std::nullopt;
        }
        lifecycle.m_initial.append(index);
    }

    const QJsonValue transitions = root.value(QLatin1String("transitions"));
    if (!transitions.isObject()) {
        setError(error, QStringLiteral("\"transitions\" must be a JSON object"));
        return std::nullopt;
    }
    lifecycle.m_next.resize(lifecycle.m_stages.size());
    const QJsonObject transitionObject = transitions.toObject();
    for (auto it = transitionObject.begin(); it != transitionObject.end(); ++it) {
        const int from = lifecycle.indexOf(it.key());
        if (from < 0) {
            setError(error, QStringLiteral("\"transitions\" has unknown stage \"%1\"").arg(it.key()));
            return std::nullopt;
        }
        const QString where = QStringLiteral("\"transitions\".\"%1\"").arg(it.key());
        const auto targets = readStringList(it.value(), where, error);
        if (!targets)
            return std::nullopt;
        if (!targets->isEmpty() && lifecycle.m_stages.at(from).isFinal) {
            setError(error, QStringLiteral("%1: stage \"%2\" is final, so nothing may follow it")
                                    .arg(where, lifecycle.m_stages.at(from).name));
            return std::nullopt;
        }
        for (const QString &target : *targets) {
            const int to = lifecycle.indexOf(target);
            if (to < 0) {
                setError(error, QStringLiteral("%1 lists unknown stage \"%2\"").arg(where, target));
                return std::nullopt;
            }
            if (!lifecycle.m_next[from].contains(to))
                lifecycle.m_next[from].append(to);
        }
    }

    const bool hasFinal = std::any_of(lifecycle.m_stages.cbegin(), lifecycle.m_stages.cend(),
                                      [](const LifecycleStage &stage) { return stage.isFinal; });
    if (!hasFinal) {
        setError(error, QStringLiteral("no stage is final, so no order could finish. Set \"final\": true on at least one stage"));
        return std::nullopt;
    }
    return lifecycle;
}

std::optional<Lifecycle> Lifecycle::fromFile(const QString &path, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        setError(error, QStringLiteral("failed to read lifecycle file %1: %2").arg(path, file.errorString()));
        return std::nullopt;
    }

    QString problem;
    auto lifecycle = fromJson(file.readAll(), &problem);
    if (!lifecycle)
        setError(error, QStringLiteral("invalid lifecycle file %1: %2").arg(path, problem));
    return lifecycle;
}

const QList<LifecycleStage> &Lifecycle::stages() const
{
    return m_stages;
}

int Lifecycle::indexOf(QStringView nameOrStatus) const
{
    const QStringView key = nameOrStatus.trimmed();
    if (key.isEmpty())
        return -1;

    // Names first, so a stage's own name wins over another stage's alias.
    for (int i = 0; i < m_stages.size(); ++i) {
        if (sameName(m_stages.at(i).name, key))
            return i;
    }
    for (int i = 0; i < m_stages.size(); ++i) {
        for (const QString &alias : m_stages.at(i).aliases) {
            if (sameName(alias, key))
                return i;
        }
    }
    return -1;
}

const LifecycleStage *Lifecycle::findStage(QStringView nameOrStatus) const
{
    const int index = indexOf(nameOrStatus);
    return index < 0 ? nullptr : &m_stages.at(index);
}

bool Lifecycle::isAllowed(const QString &from, const QString &to) const
{
    const int target = indexOf(to);
    if (target < 0)
        return false;
    if (from.trimmed().isEmpty())
        return m_initial.contains(target);

    const int source = indexOf(from);
    return source >= 0 && m_next.value(source).contains(target);
}

QStringList Lifecycle::nextStages(const QString &from) const
{
    QList<int> indexes;
    if (from.trimmed().isEmpty()) {
        indexes = m_initial;
    } else {
        const int source = indexOf(from);
        if (source >= 0)
            indexes = m_next.value(source);
    }

    QStringList names;
    for (const int index : std::as_const(indexes))
        names.append(m_stages.at(index).name);
    return names;
}

bool Lifecycle::isFinal(const QString &stage) const
{
    const LifecycleStage *found = findStage(stage);
    return found && found->isFinal;
}

QList<LifecycleStage> Lifecycle::successPath() const
{
    if (m_initial.isEmpty())
        return {};

    const auto success = std::find_if(m_stages.cbegin(), m_stages.cend(), [](const LifecycleStage &stage) {
        return stage.isFinal && !stage.isFailure;
    });
    if (success == m_stages.cend())
        return {};
    const int end = int(success - m_stages.cbegin());

    // Breadth-first search finds the shortest path. It passes no other final stage.
    const int start = m_initial.first();
    QList<int> previous(m_stages.size(), -1);
    QList<bool> seen(m_stages.size(), false);
    QList<int> queue{start};
    seen[start] = true;
    for (int head = 0; head < queue.size() && !seen.at(end); ++head) {
        const int current = queue.at(head);
        if (m_stages.at(current).isFinal)
            continue;
        for (const int next : m_next.at(current)) {
            if (seen.at(next))
                continue;
            seen[next] = true;
            previous[next] = current;
            queue.append(next);
        }
    }
    if (!seen.at(end))
        return {};

    QList<LifecycleStage> path;
    for (int index = end; index >= 0; index = previous.at(index))
        path.prepend(m_stages.at(index));
    return path;
}

const LifecycleStage *Lifecycle::failureStage() const
{
    for (const LifecycleStage &stage : m_stages) {
        if (stage.isFailure)
            return &stage;
    }
    return nullptr;
}
