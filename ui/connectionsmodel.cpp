#include "connectionsmodel.h"

#include "viewformat.h"

#include <QLocale>
#include <algorithm>

namespace {

bool connectionsEqual(const StreamConnection &a, const StreamConnection &b)
{
    return a.eventsSent == b.eventsSent && a.lastSentId == b.lastSentId && a.worker == b.worker
        && a.info.orderId == b.info.orderId && a.info.subject == b.info.subject
        && a.info.remoteAddress == b.info.remoteAddress && a.info.remotePort == b.info.remotePort
        && a.info.connectedAt == b.info.connectedAt && a.info.lastEventId == b.info.lastEventId;
}

bool lessByConnectionId(const StreamConnection &a, const StreamConnection &b)
{
    return a.info.connectionId < b.info.connectionId;
}

} // namespace

ConnectionsModel::ConnectionsModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

ConnectionsModel::~ConnectionsModel() = default;

int ConnectionsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_connections.size());
}

int ConnectionsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ConnectionsModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};

    const StreamConnection &connection = m_connections.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        return displayData(connection, index.column());
    case Qt::ToolTipRole:
        return toolTipData(connection, index.column());
    case RawValueRole:
        return rawData(connection, index.column());
    case Qt::TextAlignmentRole:
        if (index.column() == EventsSent || index.column() == LastSentId
            || index.column() == ResumedFrom)
            return int(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    default:
        return {};
    }
}

QVariant ConnectionsModel::displayData(const StreamConnection &connection, int column) const
{
    const StreamInfo &info = connection.info;
    switch (column) {
    case Client:
        return ViewFormat::endpoint(info.remoteAddress, info.remotePort);
    case OrderId:
        return info.orderId;
    case Subject:
        return info.subject.isEmpty() ? ViewFormat::missingValue() : info.subject;
    // RelativeTimeDelegate renders the age. The local time is the fallback
    // for views without that delegate.
    case ConnectedSince:
        return info.connectedAt.toLocalTime();
    case EventsSent:
        return QLocale().toString(connection.eventsSent);
    case LastSentId:
        return connection.lastSentId == 0 ? ViewFormat::missingValue()
                                          : QString::number(connection.lastSentId);
    case ResumedFrom:
        return info.lastEventId ? QString::number(*info.lastEventId) : ViewFormat::missingValue();
    default:
        return {};
    }
}

QVariant ConnectionsModel::toolTipData(const StreamConnection &connection, int column) const
{
    const StreamInfo &info = connection.info;
    switch (column) {
    case Client:
        return tr("Connection %1, served by streaming worker %2")
            .arg(info.connectionId)
            .arg(connection.worker);
    case Subject:
        return info.subject.isEmpty() ? tr("The stream carried no authenticated subject")
                                      : QVariant();
    case ConnectedSince:
        return tr("Connected %1 (%2 UTC)")
            .arg(QLocale().toString(info.connectedAt.toLocalTime(), QLocale::LongFormat),
                info.connectedAt.toUTC().toString(Qt::ISODateWithMs));
    case ResumedFrom:
        return info.lastEventId ? tr("The client sent Last-Event-ID %1, and the server replayed "
                                     "the events after it")
                                      .arg(*info.lastEventId)
                                : tr("The client sent no Last-Event-ID");
    default:
        return {};
    }
}

QVariant ConnectionsModel::rawData(const StreamConnection &connection, int column)
{
    const StreamInfo &info = connection.info;
    switch (column) {
    case Client:
        return ViewFormat::endpoint(info.remoteAddress, info.remotePort);
    case OrderId:
        return info.orderId;
    case Subject:
        return info.subject;
    case ConnectedSince:
        return info.connectedAt;
    case EventsSent:
        return connection.eventsSent;
    case LastSentId:
        return connection.lastSentId == 0 ? QVariant() : QVariant(connection.lastSentId);
    case ResumedFrom:
        return info.lastEventId ? QVariant(*info.lastEventId) : QVariant();
    default:
        return {};
    }
}

QVariant ConnectionsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);

    switch (section) {
    case Client:
        return tr("Client");
    case OrderId:
        return tr("Order");
    case Subject:
        return tr("Subject");
    case ConnectedSince:
        return tr("Connected");
    case EventsSent:
        return tr("Events sent");
    case LastSentId:
        return tr("Last event id");
    case ResumedFrom:
        return tr("Resumed from");
    default:
        return {};
    }
}

int ConnectionsModel::rowOfConnection(quint64 connectionId) const
{
    const auto it = std::lower_bound(m_connections.cbegin(), m_connections.cend(), connectionId,
        [](const StreamConnection &connection, quint64 id) {
            return connection.info.connectionId < id;
        });
    if (it == m_connections.cend() || it->info.connectionId != connectionId)
        return -1;
    return int(std::distance(m_connections.cbegin(), it));
}

void ConnectionsModel::update(QList<StreamConnection> connections)
{
    // The engine lists each worker's streams in turn, so sort them first.
    std::sort(connections.begin(), connections.end(), lessByConnectionId);

    // Both lists are sorted by connection id, so one merge pass finds every
    // new, closed and changed stream. Adjacent new or closed streams are
    // reported with one signal each, and each changed row with its own.
    int row = 0;
    auto incoming = connections.cbegin();
    while (row < m_connections.size() || incoming != connections.cend()) {
        if (incoming == connections.cend()) {
            removeConnections(row, int(m_connections.size()) - row);
            break;
        }

        const quint64 incomingId = incoming->info.connectionId;
        if (row == m_connections.size() || incomingId < m_connections.at(row).info.connectionId) {
            auto last = incoming;
            while (last != connections.cend()
                && (row == m_connections.size()
                    || last->info.connectionId < m_connections.at(row).info.connectionId))
                ++last;
            insertConnections(row, incoming, last);
            row += int(std::distance(incoming, last));
            incoming = last;
            continue;
        }

        if (m_connections.at(row).info.connectionId < incomingId) {
            int count = 0;
            while (row + count < m_connections.size()
                && m_connections.at(row + count).info.connectionId < incomingId)
                ++count;
            removeConnections(row, count);
            continue;
        }

        if (!connectionsEqual(m_connections.at(row), *incoming)) {
            m_connections[row] = *incoming;
            Q_EMIT dataChanged(index(row, 0), index(row, ColumnCount - 1));
        }
        ++row;
        ++incoming;
    }
}

void ConnectionsModel::insertConnections(int row, QList<StreamConnection>::const_iterator first,
    QList<StreamConnection>::const_iterator last)
{
    const int count = int(std::distance(first, last));
    if (count == 0)
        return;

    beginInsertRows({}, row, row + count - 1);
    m_connections.insert(row, count, StreamConnection());
    std::copy(first, last, m_connections.begin() + row);
    endInsertRows();
}

void ConnectionsModel::removeConnections(int row, int count)
{
    if (count <= 0)
        return;

    beginRemoveRows({}, row, row + count - 1);
    m_connections.remove(row, count);
    endRemoveRows();
}
