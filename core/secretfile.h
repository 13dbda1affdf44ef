#pragma once

#include <QByteArray>
#include <QString>

// The HS256 secret kept in a file readable by its owner only.
namespace SecretFile {

// The default place: jwt-secret in the platform's application config folder.
QString defaultPath();

// Reads the secret from path (surrounding white space removed). When the file
// does not exist and create is true, writes a new random secret there first,
// with permissions 0600. Returns an empty array with error set on failure.
QByteArray readOrCreate(const QString &path, bool create, QString *error);

} // namespace SecretFile
