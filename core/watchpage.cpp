#include "watchpage.h"

#include <QCryptographicHash>
#include <QFile>

namespace {

QByteArray readPage()
{
    QFile file(QStringLiteral(":/orderstream/watchpage.html"));
    // The file is compiled in, so it can only be missing from a broken build.
    const bool opened = file.open(QIODevice::ReadOnly);
    Q_ASSERT(opened);
    Q_UNUSED(opened)
    return file.readAll();
}

// The CSP source expression of the text between open and close, as the
// browser hashes an inline element: its exact content, in UTF-8.
QByteArray hashSource(const QByteArray &html, const QByteArray &open, const QByteArray &close)
{
    const qsizetype start = html.indexOf(open);
    const qsizetype end = html.indexOf(close, start);
    Q_ASSERT(start >= 0 && end > start);
    const QByteArray content = html.mid(start + open.size(), end - start - open.size());
    return "'sha256-" + QCryptographicHash::hash(content, QCryptographicHash::Sha256).toBase64() + '\'';
}

} // namespace

namespace WatchPage {

QByteArray html()
{
    static const QByteArray page = readPage();
    return page;
}

QByteArray contentSecurityPolicy()
{
    static const QByteArray policy = "default-src 'self'; script-src "
            + hashSource(html(), "<script>", "</script>") + "; style-src "
            + hashSource(html(), "<style>", "</style>")
            + "; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
    return policy;
}

} // namespace WatchPage
