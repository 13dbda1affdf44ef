#pragma once

#include <QByteArray>
#include <QList>
#include <QString>
#include <optional>

// A strict RFC 4180 reader for the export tests, written independently of
// the exporter: records end with CRLF, a quoted field may contain commas,
// CRLF, LF and doubled quotes, and an unquoted field may contain none of
// them. Returns nullopt for input that breaks these rules.
inline std::optional<QList<QStringList>> readCsv(const QByteArray &csv)
{
    QList<QStringList> records;
    QStringList record;
    QByteArray field;
    qsizetype i = 0;

    while (i < csv.size()) {
        if (csv.at(i) == '"') {
            // A quoted field runs to the closing quote, and "" inside it is one quote.
            ++i;
            for (;;) {
                if (i >= csv.size())
                    return std::nullopt;
                if (csv.at(i) == '"') {
                    if (i + 1 < csv.size() && csv.at(i + 1) == '"') {
                        field += '"';
                        i += 2;
                        continue;
                    }
                    ++i;
                    break;
                }
                field += csv.at(i++);
            }
        } else {
            while (i < csv.size() && csv.at(i) != ',' && csv.at(i) != '\r') {
                if (csv.at(i) == '"' || csv.at(i) == '\n')
                    return std::nullopt;
                field += csv.at(i++);
            }
        }

        record.append(QString::fromUtf8(field));
        field.clear();
        if (i < csv.size() && csv.at(i) == ',') {
            ++i;
            continue;
        }
        if (i + 1 < csv.size() && csv.at(i) == '\r' && csv.at(i + 1) == '\n') {
            records.append(record);
            record.clear();
            i += 2;
            continue;
        }
        // Anything else after a field, including a missing final CRLF, is invalid.
        return std::nullopt;
    }

    if (!record.isEmpty())
        return std::nullopt;
    return records;
}
