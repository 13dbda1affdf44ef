#include "eventpanelsetup.h"

#include "ordereventtablemodel.h"
#include "viewformat.h"

#include <QHeaderView>
#include <QLineEdit>
#include <QSplitter>
#include <QTableView>

namespace EventPanelSetup {

void fitEventColumns(QTableView *view, const QString &timeSample)
{
    using Column = OrderEventTableModel::Column;

    view->horizontalHeader()->setSectionResizeMode(Column::Message, QHeaderView::Stretch);
    ViewFormat::fitColumnToText(view, Column::Time, timeSample);
    ViewFormat::fitColumnToText(view, Column::Id, QStringLiteral("0000000"));
    ViewFormat::fitColumnToText(view, Column::OrderId, QStringLiteral("ORD-0000000"));
    ViewFormat::fitColumnToText(view, Column::Type, QStringLiteral("order.update"));
    ViewFormat::fitColumnToText(view, Column::Status, QStringLiteral("Activating"));
    ViewFormat::fitColumnToText(view, Column::Stage, QStringLiteral("provisioning"));
    ViewFormat::fitColumnToText(view, Column::Source, QStringLiteral("console"));
}

QLineEdit *createFilterEdit(const QString &objectName, const QString &placeholderText,
                            const QString &accessibleName, QWidget *parent)
{
    auto *edit = new QLineEdit(parent);
    edit->setObjectName(objectName);
    edit->setPlaceholderText(placeholderText);
    edit->setClearButtonEnabled(true);
    edit->setAccessibleName(accessibleName);
    return edit;
}

QSplitter *createTableSplitter(const QString &objectName, QWidget *table, QWidget *details,
                               QWidget *parent)
{
    auto *splitter = new QSplitter(Qt::Vertical, parent);
    splitter->setObjectName(objectName);
    splitter->setChildrenCollapsible(false);
    splitter->addWidget(table);
    splitter->addWidget(details);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);
    return splitter;
}

} // namespace EventPanelSetup
