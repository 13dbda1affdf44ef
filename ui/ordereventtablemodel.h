#pragma once

#include "orderevent.h"

#include <QAbstractTableModel>
#include <QString>

// Base of the table models that list OrderEvent rows: the columns, their
// headers and every cell's data. Subclasses store the events, decide their
// order and count the rows.
class OrderEventTableModel : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(OrderEventTableModel)

public:
    enum Column { Time, Id, OrderId, Type, Status, Stage, Message, Source, ColumnCount };
    Q_ENUM(Column)

    enum Role {
        // The unformatted value of a cell: QString, quint64 or QDateTime (UTC).
        RawValueRole = Qt::UserRole,
    };

    ~OrderEventTableModel() override;

    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

    // Returns the event shown in row, which must be a valid row.
    virtual const OrderEvent &event(int row) const = 0;

protected:
    // timeFormat is the QDateTime format of the Time cells, in local time.
    OrderEventTableModel(const QString &timeFormat, QObject *parent);

private:
    QVariant displayData(const OrderEvent &event, int column) const;
    QVariant toolTipData(const OrderEvent &event, int column) const;
    static QVariant rawData(const OrderEvent &event, int column);

    const QString m_timeFormat;
};
