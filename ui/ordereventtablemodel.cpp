#include "ordereventtablemodel.h"

#include <QLocale>

OrderEventTableModel::OrderEventTableModel(const QString &timeFormat, QObject *parent)
    : QAbstractTableModel(parent), m_timeFormat(timeFormat)
{
}

OrderEventTableModel::~OrderEventTableModel() = default;

int OrderEventTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant OrderEventTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};

    const OrderEvent &event = this->event(index.row());
    switch (role) {
    case Qt::DisplayRole:
        return displayData(event, index.column());
    case Qt::ToolTipRole:
        return toolTipData(event, index.column());
    case RawValueRole:
        return rawData(event, index.column());
    case Qt::TextAlignmentRole:
        if (index.column() == Id)
            return int(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    default:
        return {};
    }
}

QVariant OrderEventTableModel::displayData(const OrderEvent &event, int column) const
{
    switch (column) {
    case Time: return event.time.toLocalTime().toString(m_timeFormat);
    case Id: return QString::number(event.id);
    case OrderId: return event.orderId;
    case Type: return event.type;
    case Status: return event.status;
    case Stage: return event.stage;
    // A table cell shows one line, and the tooltip keeps the line breaks.
    case Message: return QString(event.message).replace(QLatin1Char('\n'), QLatin1Char(' '));
    case Source: return event.source;
    default: return {};
    }
}

QVariant OrderEventTableModel::toolTipData(const OrderEvent &event, int column) const
{
    switch (column) {
    case Time:
        return tr("%1 (%2 UTC)")
                .arg(QLocale().toString(event.time.toLocalTime(), QLocale::LongFormat),
                     event.time.toUTC().toString(Qt::ISODateWithMs));
    case Message:
        return event.message.isEmpty() ? QVariant() : QVariant(event.message);
    default:
        return {};
    }
}

QVariant OrderEventTableModel::rawData(const OrderEvent &event, int column)
{
    switch (column) {
    case Time: return event.time;
    case Id: return event.id;
    case OrderId: return event.orderId;
    case Type: return event.type;
    case Status: return event.status;
    case Stage: return event.stage;
    case Message: return event.message;
    case Source: return event.source;
    default: return {};
    }
}

QVariant OrderEventTableModel::headerData(int section, Qt::Orientation orientation,
                                          int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);

    switch (section) {
    case Time: return tr("Time");
    case Id: return tr("Id");
    case OrderId: return tr("Order");
    case Type: return tr("Type");
    case Status: return tr("Status");
    case Stage: return tr("Stage");
    case Message: return tr("Message");
    case Source: return tr("Source");
    default: return {};
    }
}
