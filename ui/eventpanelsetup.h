#pragma once

#include <QString>

class QLineEdit;
class QSplitter;
class QTableView;
class QWidget;

// Widget set-up that the Events and History panels share, so that both
// tabs lay out and size their OrderEventTableModel columns alike.
namespace EventPanelSetup {

// Stretches the Message column and sizes the other columns of view, whose
// model is an OrderEventTableModel, for typical values. timeSample is a
// typical Time cell, because each model formats the time differently.
void fitEventColumns(QTableView *view, const QString &timeSample);

// Creates a filter field with a clear button for a panel's filter bar.
QLineEdit *createFilterEdit(const QString &objectName, const QString &placeholderText,
                            const QString &accessibleName, QWidget *parent);

// Creates a vertical splitter with table above details, in a 3:2 ratio,
// where neither part can be collapsed.
QSplitter *createTableSplitter(const QString &objectName, QWidget *table, QWidget *details,
                               QWidget *parent);

} // namespace EventPanelSetup
