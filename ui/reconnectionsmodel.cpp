#include "reconnectionsmodel.h"

#include "viewformat.h"

#include <QLocale>
#include <algorithm>

ReconnectionsModel::ReconnectionsModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

ReconnectionsModel::~ReconnectionsModel() = default;

int ReconnectionsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_records.size());
}

int ReconnectionsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ReconnectionsModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};

    const ReconnectRecord &record = m_records.at(size_t(index.row()));
    switch (role) {
    case Qt::DisplayRole:
        return displayData(record, index.column());
    case Qt::ToolTipRole:
        return toolTipData(record, index.column());
    case RawValueRole:
        return rawData(record, index.column());
    case Qt::TextAlignmentRole:
        switch (index.column()) {
        case TimeAway:
        case ResumedFrom:
        case Missed:
        case Replayed:
            return int(Qt::AlignRight | Qt::AlignVCenter);
        default:
            return {};
        }
    default:
        return {};
    }
}

QVariant ReconnectionsModel::displayData(const ReconnectRecord &record, int column) const
{
    const QLocale locale;
    switch (column) {
    case Time:
        return record.time.toLocalTime().toString(QStringLiteral("HH:mm:ss"));
    case OrderId:
        return record.orderId;
    case Client:
        return record.subject.isEmpty() ? record.remoteAddress
                                        : tr("%1 (%2)").arg(record.remoteAddress, record.subject);
    case TimeAway:
        return record.awayMs ? ViewFormat::duration(*record.awayMs) : ViewFormat::missingValue();
    case ResumedFrom:
        return record.resumedFromId ? QString::number(*record.resumedFromId)
                                    : ViewFormat::missingValue();
    case Missed:
        return record.eventsMissed < 0 ? tr("unknown") : locale.toString(record.eventsMissed);
    case Replayed:
        return locale.toString(record.eventsReplayed);
    case Resync:
        return record.resync ? tr("Yes: %1").arg(record.resyncReason) : tr("No");
    default:
        return {};
    }
}

QVariant ReconnectionsModel::toolTipData(const ReconnectRecord &record, int column) const
{
    switch (column) {
    case Time:
        return tr("%1 (%2 UTC)")
            .arg(QLocale().toString(record.time.toLocalTime(), QLocale::LongFormat),
                record.time.toUTC().toString(Qt::ISODateWithMs));
    case TimeAway:
        return record.awayMs ? QVariant()
                             : tr("No earlier stream of this client and order closed within the "
                                  "reconnect window");
    case ResumedFrom:
        return record.resumedFromId ? QVariant()
                                    : tr("The client sent no Last-Event-ID, so nothing was "
                                         "replayed");
    case Missed:
        return record.eventsMissed < 0
            ? tr("After a resync the stored history does not tell how many events were missed")
            : QVariant();
    case Resync:
        return record.resync
            ? tr("The client was told to re-fetch the order: %1").arg(record.resyncReason)
            : QVariant();
    default:
        return {};
    }
}

QVariant ReconnectionsModel::rawData(const ReconnectRecord &record, int column)
{
    switch (column) {
    case Time:
        return record.time;
    case OrderId:
        return record.orderId;
    case Client:
        return record.remoteAddress;
    case TimeAway:
        return record.awayMs ? QVariant(*record.awayMs) : QVariant();
    case ResumedFrom:
        return record.resumedFromId ? QVariant(*record.resumedFromId) : QVariant();
    case Missed:
        return record.eventsMissed;
    case Replayed:
        return record.eventsReplayed;
    case Resync:
        return record.resync;
    default:
        return {};
    }
}

QVariant ReconnectionsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);

    switch (section) {
    case Time:
        return tr("Time");
    case OrderId:
        return tr("Order");
    case Client:
        return tr("Client");
    case TimeAway:
        return tr("Time away");
    case ResumedFrom:
        return tr("Resumed from");
    case Missed:
        return tr("Missed");
    case Replayed:
        return tr("Replayed");
    case Resync:
        return tr("Resync");
    default:
        return {};
    }
}

void ReconnectionsModel::setMaxRows(int maxRows)
{
    m_maxRows = std::max(1, maxRows);
    removeOldest(int(m_records.size()) - m_maxRows);
}

void ReconnectionsModel::append(const QList<ReconnectRecord> &records)
{
    // Only the newest maxRows() of a large batch would survive the trim, so
    // the rest never become rows.
    const qsizetype skipped = std::max<qsizetype>(0, records.size() - m_maxRows);
    const qsizetype count = records.size() - skipped;
    if (count == 0)
        return;

    // Removing first keeps the row count within maxRows() at every signal.
    removeOldest(int(m_records.size() + count) - m_maxRows);

    const int first = int(m_records.size());
    beginInsertRows({}, first, first + int(count) - 1);
    m_records.insert(m_records.end(), records.cbegin() + skipped, records.cend());
    endInsertRows();
}

void ReconnectionsModel::clear()
{
    if (m_records.empty())
        return;

    beginRemoveRows({}, 0, int(m_records.size()) - 1);
    m_records.clear();
    endRemoveRows();
}

void ReconnectionsModel::removeOldest(int count)
{
    count = std::min(count, int(m_records.size()));
    if (count <= 0)
        return;

    beginRemoveRows({}, 0, count - 1);
    m_records.erase(m_records.begin(), m_records.begin() + count);
    endRemoveRows();
}
