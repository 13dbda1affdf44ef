#pragma once

#include <QString>
#include <QtGlobal>

class QTableView;

// Formatting and table set-up shared by the console's panels, so that the
// same value reads the same way in every table.
namespace ViewFormat {

// Placeholder shown for a value that does not exist, such as a missing
// Last-Event-ID or a subject before authentication exists.
QString missingValue();

// Formats a client endpoint as "address:port", with IPv6 addresses in brackets.
QString endpoint(const QString &address, quint16 port);

// Formats a duration in milliseconds in its largest useful units: "850 ms",
// "4.2 s", "3 min 5 s", "2 h 10 min".
QString duration(qint64 milliseconds);

// Formats a file size with SI units (1 MB = 1,000,000 bytes), one decimal.
QString dataSize(qint64 bytes);

// Gives a table the console's common look: whole-row single selection, one
// text line per row, no row numbers.
void setUpTable(QTableView *view);

// Sizes a column for its header text or for sample, whichever is wider, and
// returns the width. The samples are typical values, not limits: columns
// stay resizable.
int fitColumnToText(QTableView *view, int column, const QString &sample);

} // namespace ViewFormat
