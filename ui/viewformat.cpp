#include "viewformat.h"

#include <QCoreApplication>
#include <QHeaderView>
#include <QLocale>
#include <QTableView>

namespace ViewFormat {

QString missingValue()
{
    return QStringLiteral("\u2014");
}

QString endpoint(const QString &address, quint16 port)
{
    if (address.contains(QLatin1Char(':')))
        return QStringLiteral("[%1]:%2").arg(address).arg(port);
    return QStringLiteral("%1:%2").arg(address).arg(port);
}

QString duration(qint64 milliseconds)
{
    const QLocale locale;
    if (milliseconds < 1000)
        return QCoreApplication::translate("ViewFormat", "%1 ms")
            .arg(qMax<qint64>(0, milliseconds));
    if (milliseconds < 60 * 1000)
        return QCoreApplication::translate("ViewFormat", "%1 s")
            .arg(locale.toString(double(milliseconds) / 1000.0, 'f', 1));

    const qint64 seconds = milliseconds / 1000;
    const qint64 minutes = seconds / 60;
    if (minutes < 60)
        return QCoreApplication::translate("ViewFormat", "%1 min %2 s")
            .arg(minutes)
            .arg(seconds % 60);
    return QCoreApplication::translate("ViewFormat", "%1 h %2 min")
        .arg(minutes / 60)
        .arg(minutes % 60);
}

QString dataSize(qint64 bytes)
{
    return QLocale().formattedDataSize(qMax<qint64>(0, bytes), 1, QLocale::DataSizeSIFormat);
}

void setUpTable(QTableView *view)
{
    view->setSelectionBehavior(QAbstractItemView::SelectRows);
    view->setSelectionMode(QAbstractItemView::SingleSelection);
    view->setWordWrap(false);
    view->verticalHeader()->hide();
    view->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    view->verticalHeader()->setDefaultSectionSize(view->fontMetrics().height() + 6);
    view->horizontalHeader()->setHighlightSections(false);
}

int fitColumnToText(QTableView *view, int column, const QString &sample)
{
    const QFontMetrics metrics = view->fontMetrics();
    const QString header = view->model()->headerData(column, Qt::Horizontal).toString();
    const int textWidth
        = qMax(metrics.horizontalAdvance(sample), metrics.horizontalAdvance(header));
    const int width = textWidth + 2 * metrics.averageCharWidth() + 4;
    view->setColumnWidth(column, width);
    return width;
}

} // namespace ViewFormat
