#include "eventexport.h"

#include "orderevent.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSaveFile>

namespace EventExport {

namespace {

    const QByteArray CsvLineEnd = QByteArrayLiteral("\r\n");

    QByteArray csvField(const QString &value)
    {
        QByteArray field = value.toUtf8();
        const bool needsQuotes = field.contains(',') || field.contains('"') || field.contains('\r')
            || field.contains('\n');
        if (!needsQuotes)
            return field;

        field.replace("\"", "\"\"");
        return '"' + field + '"';
    }

    QByteArray csvRecord(const QList<QString> &values)
    {
        QByteArray record;
        for (qsizetype i = 0; i < values.size(); ++i) {
            if (i > 0)
                record += ',';
            record += csvField(values.at(i));
        }
        return record + CsvLineEnd;
    }

} // namespace

QList<QByteArray> csvColumns()
{
    return {"id", "time", "orderId", "type", "status", "stage", "message", "details", "source"};
}

QByteArray encodeCsv(const QList<OrderEvent> &events)
{
    QList<QString> header;
    for (const QByteArray &column : csvColumns())
        header.append(QString::fromLatin1(column));
    QByteArray csv = csvRecord(header);

    for (const OrderEvent &event : events) {
        csv += csvRecord({
            QString::number(event.id),
            event.time.toUTC().toString(Qt::ISODateWithMs),
            event.orderId,
            event.type,
            event.status,
            event.stage,
            event.message,
            QString::fromUtf8(QJsonDocument(event.details).toJson(QJsonDocument::Compact)),
            event.source,
        });
    }
    return csv;
}

QByteArray encodeJson(const QList<OrderEvent> &events)
{
    QJsonArray array;
    for (const OrderEvent &event : events)
        array.append(event.toJson());
    return QJsonDocument(array).toJson(QJsonDocument::Indented);
}

bool writeFile(
    const QString &fileName, const QList<OrderEvent> &events, Format format, QString *errorMessage)
{
    const QByteArray content = format == Format::Json ? encodeJson(events) : encodeCsv(events);

    QSaveFile file(fileName);
    if (!file.open(QIODevice::WriteOnly)) {
        *errorMessage = file.errorString();
        return false;
    }
    if (file.write(content) != content.size()) {
        *errorMessage = file.errorString();
        file.cancelWriting();
        return false;
    }
    if (!file.commit()) {
        *errorMessage = file.errorString();
        return false;
    }
    return true;
}

} // namespace EventExport
