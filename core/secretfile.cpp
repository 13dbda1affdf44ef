#include "secretfile.h"

#include "logging.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRandomGenerator>
#include <QSaveFile>
#include <QStandardPaths>

namespace SecretFile {

QString defaultPath()
{
    return QDir(QStandardPaths::writableLocation(QStandardPaths::AppConfigLocation))
            .filePath(QStringLiteral("jwt-secret"));
}

namespace {

bool writeNewSecret(const QString &path, QString *error)
{
    if (!QDir().mkpath(QFileInfo(path).absolutePath())) {
        *error = QStringLiteral("cannot create the folder of %1").arg(path);
        return false;
    }

    // 48 random bytes, 64 characters of base64url: above the 32 bytes HS256 needs.
    QByteArray random(48, Qt::Uninitialized);
    QRandomGenerator::system()->fillRange(reinterpret_cast<quint32 *>(random.data()),
                                          random.size() / sizeof(quint32));
    const QByteArray secret =
            random.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);

    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        *error = QStringLiteral("cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    // Restrict the temporary file before the secret is in it.
    file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    file.write(secret + '\n');
    if (!file.commit()) {
        *error = QStringLiteral("cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    qCInfo(lcService, "created a new JWT secret in %ls", qUtf16Printable(path));
    return true;
}

} // namespace

QByteArray readOrCreate(const QString &path, bool create, QString *error)
{
    if (!QFileInfo::exists(path)) {
        if (!create) {
            *error = QStringLiteral("the JWT secret file %1 does not exist; create it with at "
                                    "least 32 random characters and mode 0600, or leave out "
                                    "--jwt-secret-file to use the default file")
                             .arg(path);
            return {};
        }
        if (!writeNewSecret(path, error))
            return {};
    }

    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read the JWT secret file %1: %2").arg(path, file.errorString());
        return {};
    }
    const QFileDevice::Permissions others = QFileDevice::ReadGroup | QFileDevice::WriteGroup
            | QFileDevice::ReadOther | QFileDevice::WriteOther;
    if (file.permissions() & others) {
        qCWarning(lcService, "the JWT secret file %ls can be read by other users; "
                             "restrict it with chmod 600", qUtf16Printable(path));
    }
    const QByteArray secret = file.readAll().trimmed();
    if (secret.isEmpty())
        *error = QStringLiteral("the JWT secret file %1 is empty").arg(path);
    return secret;
}

} // namespace SecretFile
