#include "browsertesthelpers.h"

#include <QList>
#include <QRandomGenerator>

QByteArray makeHs256Secret()
{
    QByteArray secret;
    for (int i = 0; i < 12; ++i) {
        const quint32 word = QRandomGenerator::system()->generate();
        secret.append(reinterpret_cast<const char *>(&word), sizeof word);
    }
    return secret;
}

QByteArray withoutDbusErrors(const QByteArray &output)
{
    QByteArray filtered;
    const QList<QByteArray> lines = output.split('\n');
    for (const QByteArray &line : lines) {
        if (!line.contains(":ERROR:dbus/"))
            filtered += line + '\n';
    }
    return filtered;
}

QByteArray signTestToken(const JwtConfig &jwt, const JwtTokenRequest &request)
{
    QString error;
    const QByteArray token = JwtSigner(jwt).sign(request, &error);
    if (token.isEmpty())
        qWarning("signing a token for %ls failed: %ls", qUtf16Printable(request.subject),
                 qUtf16Printable(error));
    return token;
}
