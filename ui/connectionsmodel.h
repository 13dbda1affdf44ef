#pragma once

#include "streamengine.h"

#include <QAbstractTableModel>
#include <QList>

// One row per open stream, kept sorted by connection id (the order in which
// the server accepted them). update() merges a new listing with inserts,
// removals and dataChanged for the rows that differ, so views keep their
// selection and scroll position between refreshes.
class ConnectionsModel : public QAbstractTableModel {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ConnectionsModel)

public:
    enum Column {
        Client,
        OrderId,
        Subject,
        ConnectedSince,
        EventsSent,
        LastSentId,
        ResumedFrom,
        ColumnCount
    };
    Q_ENUM(Column)

    enum Role {
        // The unformatted value of a cell: QString, quint64 or QDateTime
        // (UTC). LastSentId and ResumedFrom are invalid when there is no id.
        RawValueRole = Qt::UserRole,
    };

    explicit ConnectionsModel(QObject *parent = nullptr);
    ~ConnectionsModel() override;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(
        int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // Merges a listing of open streams, in any order. Streams missing from
    // it are removed.
    void update(QList<StreamConnection> connections);

    const StreamConnection &connection(int row) const { return m_connections.at(row); }
    // Returns the row of connectionId, or -1 when it is not listed.
    int rowOfConnection(quint64 connectionId) const;

private:
    QVariant displayData(const StreamConnection &connection, int column) const;
    QVariant toolTipData(const StreamConnection &connection, int column) const;
    static QVariant rawData(const StreamConnection &connection, int column);

    void insertConnections(int row, QList<StreamConnection>::const_iterator first,
        QList<StreamConnection>::const_iterator last);
    void removeConnections(int row, int count);

    QList<StreamConnection> m_connections;
};
