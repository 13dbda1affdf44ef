#include "authsettings.h"

#include "logging.h"
#include "serverconfig.h"

#include <QSettings>

namespace {

namespace Key {
const QLatin1String Group("auth");
const QLatin1String SecretFile("secretFile");
const QLatin1String PublicKeyFile("publicKeyFile");
const QLatin1String Issuer("issuer");
const QLatin1String Audience("audience");
const QLatin1String Leeway("leewaySeconds");
const QLatin1String SubjectClaim("subjectClaim");
const QLatin1String OrdersClaim("ordersClaim");
const QLatin1String ScopeClaim("scopeClaim");
const QLatin1String StaffScope("staffScope");
const QLatin1String PublishScope("publishScope");
const QLatin1String TokenCookie("tokenCookie");
const QLatin1String FailuresPerMinute("failuresPerMinute");
} // namespace Key

// Returns the key of name inside the "auth" group. QSettings::beginGroup is
// not const, so a const QSettings is read with full keys.
QString groupKey(QLatin1String name)
{
    return Key::Group + QLatin1Char('/') + name;
}

int readInteger(const QSettings &settings, QLatin1String name, int minimum, int maximum,
                int fallback)
{
    const QVariant stored = settings.value(groupKey(name));
    if (!stored.isValid())
        return fallback;

    bool ok = false;
    const int value = stored.toInt(&ok);
    if (!ok || value < minimum || value > maximum) {
        qCWarning(lcService, "ignored invalid setting auth/%s \"%ls\"; expected an integer "
                             "from %d to %d, using %d",
                  name.data(), qUtf16Printable(stored.toString()), minimum, maximum, fallback);
        return fallback;
    }
    return value;
}

QString readName(const QSettings &settings, QLatin1String name,
                 bool (*isValid)(const QString &), const QString &fallback)
{
    const QVariant stored = settings.value(groupKey(name));
    if (!stored.isValid())
        return fallback;

    const QString value = stored.toString();
    if (!isValid(value)) {
        qCWarning(lcService, "ignored invalid setting auth/%s \"%ls\"; expected a name without "
                             "spaces, using \"%ls\"",
                  name.data(), qUtf16Printable(value), qUtf16Printable(fallback));
        return fallback;
    }
    return value;
}

} // namespace

AuthSettings AuthSettings::load(const QSettings &settings)
{
    const AuthSettings defaults;
    AuthSettings result;

    const auto text = [&](QLatin1String name) { return settings.value(groupKey(name)).toString(); };

    result.secretFilePath = text(Key::SecretFile);
    result.publicKeyPath = text(Key::PublicKeyFile);
    result.issuer = text(Key::Issuer);
    result.audience = text(Key::Audience);

    result.leewaySeconds = readInteger(settings, Key::Leeway, 0, MaxJwtLeewaySeconds,
                                       defaults.leewaySeconds);
    result.authFailuresPerMinute = readInteger(settings, Key::FailuresPerMinute, 0,
                                               MaxAuthFailuresPerMinute,
                                               defaults.authFailuresPerMinute);

    struct NameField
    {
        QLatin1String name;
        QString AuthSettings::*field;
        bool (*isValid)(const QString &);
    };
    const NameField names[] = {
        {Key::SubjectClaim, &AuthSettings::subjectClaim, &AuthSettings::isValidName},
        {Key::OrdersClaim, &AuthSettings::ordersClaim, &AuthSettings::isValidName},
        {Key::ScopeClaim, &AuthSettings::scopeClaim, &AuthSettings::isValidName},
        {Key::StaffScope, &AuthSettings::staffScope, &AuthSettings::isValidName},
        {Key::PublishScope, &AuthSettings::publishScope, &AuthSettings::isValidName},
        {Key::TokenCookie, &AuthSettings::tokenCookieName, &AuthSettings::isValidCookieName},
    };
    for (const NameField &name : names)
        result.*name.field = readName(settings, name.name, name.isValid, defaults.*name.field);
    return result;
}

AuthSettings AuthSettings::load()
{
    const QSettings settings;
    return load(settings);
}

void AuthSettings::save(QSettings &settings) const
{
    settings.beginGroup(Key::Group);
    settings.setValue(Key::SecretFile, secretFilePath);
    settings.setValue(Key::PublicKeyFile, publicKeyPath);
    settings.setValue(Key::Issuer, issuer);
    settings.setValue(Key::Audience, audience);
    settings.setValue(Key::Leeway, leewaySeconds);
    settings.setValue(Key::SubjectClaim, subjectClaim);
    settings.setValue(Key::OrdersClaim, ordersClaim);
    settings.setValue(Key::ScopeClaim, scopeClaim);
    settings.setValue(Key::StaffScope, staffScope);
    settings.setValue(Key::PublishScope, publishScope);
    settings.setValue(Key::TokenCookie, tokenCookieName);
    settings.setValue(Key::FailuresPerMinute, authFailuresPerMinute);
    settings.endGroup();
}

void AuthSettings::save() const
{
    QSettings settings;
    save(settings);
}

void AuthSettings::applyTo(ServerConfig &config) const
{
    config.jwt.issuer = issuer;
    config.jwt.audience = audience;
    config.jwt.leewaySeconds = leewaySeconds;
    config.jwt.subjectClaim = subjectClaim;
    config.jwt.ordersClaim = ordersClaim;
    config.jwt.scopeClaim = scopeClaim;
    config.jwt.staffScope = staffScope;
    config.jwt.publishScope = publishScope;
    config.tokenCookieName = tokenCookieName;
    config.authFailuresPerMinute = authFailuresPerMinute;
}

bool AuthSettings::isValidName(const QString &name)
{
    if (name.isEmpty())
        return false;
    for (const QChar character : name) {
        if (character.isSpace())
            return false;
    }
    return true;
}

bool AuthSettings::isValidCookieName(const QString &name)
{
    if (!isValidName(name))
        return false;
    for (const QChar character : name) {
        if (character == QLatin1Char(';') || character == QLatin1Char(',')
            || character == QLatin1Char('=') || character == QLatin1Char('"'))
            return false;
    }
    return true;
}
