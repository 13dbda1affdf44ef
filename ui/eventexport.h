#pragma once

#include <QByteArray>
#include <QList>
#include <QString>

struct OrderEvent;

// Writers for the History tab's File > Export History: CSV and JSON files of
// journal events.
namespace EventExport {

enum class Format { Csv, Json };

// Column names of the CSV header row, the same as the keys of OrderEvent::toJson().
QList<QByteArray> csvColumns();

// Encodes events as CSV (RFC 4180): a header row, then one record per event,
// CRLF line ends, UTF-8. A field is quoted when it contains a comma, a double
// quote, CR or LF, and its double quotes are doubled. details is compact JSON.
QByteArray encodeCsv(const QList<OrderEvent> &events);

// Encodes events as an indented JSON array of OrderEvent::toJson() objects.
QByteArray encodeJson(const QList<OrderEvent> &events);

// Writes events to fileName through QSaveFile, so the file is replaced only
// once every byte is written and a failed export leaves no partial file.
// Returns false with errorMessage set to the reason when it fails.
bool writeFile(
    const QString &fileName, const QList<OrderEvent> &events, Format format, QString *errorMessage);

} // namespace EventExport
