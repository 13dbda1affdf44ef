#include "logmodel.h"

#include <QDateTime>

LogModel::LogModel(QObject *parent, qsizetype capacity)
    : QAbstractTableModel(parent), m_capacity(qMax<qsizetype>(1, capacity))
{
}

LogModel::~LogModel() = default;

int LogModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_entries.size());
}

int LogModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant LogModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};

    const LogEntry &logEntry = entry(index.row());
    if (role == SeverityRole)
        return int(severity(logEntry.type));
    if (role == TimeMsRole && index.column() == TimeColumn)
        return logEntry.timeMs;
    if (role == Qt::ToolTipRole && index.column() == MessageColumn)
        return logEntry.message;
    if (role != Qt::DisplayRole)
        return {};

    switch (Column(index.column())) {
    case TimeColumn:
        return QDateTime::fromMSecsSinceEpoch(logEntry.timeMs)
                .toLocalTime()
                .toString(QStringLiteral("HH:mm:ss.zzz"));
    case LevelColumn:
        return severityName(severity(logEntry.type));
    case CategoryColumn:
        return logEntry.category;
    case MessageColumn:
        return logEntry.message;
    case ColumnCount:
        break;
    }
    return {};
}

QVariant LogModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};

    switch (Column(section)) {
    case TimeColumn:
        return tr("Time");
    case LevelColumn:
        return tr("Level");
    case CategoryColumn:
        return tr("Category");
    case MessageColumn:
        return tr("Message");
    case ColumnCount:
        break;
    }
    return {};
}

void LogModel::append(const QList<LogEntry> &entries)
{
    if (entries.isEmpty())
        return;

    // Of a batch larger than the capacity, only the newest entries are kept.
    const qsizetype skipped = qMax<qsizetype>(0, entries.size() - m_capacity);
    const qsizetype incoming = entries.size() - skipped;
    m_removed += quint64(skipped);

    const qsizetype excess = qsizetype(m_entries.size()) + incoming - m_capacity;
    if (excess > 0) {
        beginRemoveRows({}, 0, int(excess - 1));
        m_entries.erase(m_entries.begin(), m_entries.begin() + excess);
        endRemoveRows();
        m_removed += quint64(excess);
    }

    const int first = int(m_entries.size());
    beginInsertRows({}, first, first + int(incoming) - 1);
    m_entries.insert(m_entries.end(), entries.cbegin() + skipped, entries.cend());
    endInsertRows();
}

void LogModel::clear()
{
    if (m_entries.empty())
        return;
    beginRemoveRows({}, 0, int(m_entries.size()) - 1);
    m_entries.clear();
    endRemoveRows();
}

LogModel::Severity LogModel::severity(QtMsgType type)
{
    switch (type) {
    case QtDebugMsg:
        return DebugSeverity;
    case QtInfoMsg:
        return InfoSeverity;
    case QtWarningMsg:
        return WarningSeverity;
    case QtCriticalMsg:
        return CriticalSeverity;
    case QtFatalMsg:
        return FatalSeverity;
    }
    return DebugSeverity;
}

QString LogModel::severityName(Severity severity)
{
    switch (severity) {
    case DebugSeverity:
        return tr("Debug");
    case InfoSeverity:
        return tr("Info");
    case WarningSeverity:
        return tr("Warning");
    case CriticalSeverity:
        return tr("Critical");
    case FatalSeverity:
        return tr("Fatal");
    }
    return {};
}
