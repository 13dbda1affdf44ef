#include "historypanel.h"

#include "eventdetailspane.h"
#include "eventpanelsetup.h"
#include "historymodel.h"
#include "orderstreamservice.h"
#include "viewformat.h"

#include <QAction>
#include <QCheckBox>
#include <QDateTimeEdit>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMessageBox>
#include <QPushButton>
#include <QSplitter>
#include <QStandardPaths>
#include <QTableView>
#include <QToolButton>
#include <QVBoxLayout>

namespace {

const QString DateTimeFormat = QStringLiteral("yyyy-MM-dd HH:mm");

// Returns the current local time rounded down to the minute, plus minutes.
QDateTime wholeMinutesFromNow(int minutes)
{
    const QDateTime now = QDateTime::currentDateTime();
    return QDateTime(now.date(), QTime(now.time().hour(), now.time().minute()))
        .addSecs(qint64(minutes) * 60);
}

} // namespace

HistoryPanel::HistoryPanel(OrderStreamService *service, QWidget *parent)
    : QWidget(parent)
    , m_service(service)
{
    Q_ASSERT(m_service);

    m_model = new HistoryModel(this);
    m_model->setObjectName(QStringLiteral("historyModel"));

    m_exportAction = new QAction(tr("&Export History\u2026"), this);
    m_exportAction->setObjectName(QStringLiteral("exportHistoryAction"));
    m_exportAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_E));
    m_exportAction->setStatusTip(tr("Save the events listed in the History tab as CSV or JSON"));
    connect(m_exportAction, &QAction::triggered, this, &HistoryPanel::exportWithDialog);

    // The journal lists newest first and pages backwards by id, so the
    // table keeps that order and offers no sorting.
    m_view = new QTableView(this);
    m_view->setObjectName(QStringLiteral("historyTable"));
    m_view->setModel(m_model);
    ViewFormat::setUpTable(m_view);
    EventPanelSetup::fitEventColumns(m_view, QStringLiteral("0000-00-00 00:00:00"));

    m_republishAction = new QAction(tr("&Re-publish\u2026"), this);
    m_republishAction->setObjectName(QStringLiteral("historyRepublishAction"));
    m_republishAction->setStatusTip(
        tr("Load the selected event into the Publish panel to edit and publish it again"));
    m_republishAction->setEnabled(false);
    connect(m_republishAction, &QAction::triggered, this, &HistoryPanel::requestRepublish);
    m_view->setContextMenuPolicy(Qt::ActionsContextMenu);
    m_view->addAction(m_republishAction);

    m_details = new EventDetailsPane(QStringLiteral("history"), this);
    m_splitter = EventPanelSetup::createTableSplitter(
        QStringLiteral("historySplitter"), m_view, m_details, this);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(createFilterBar());
    layout->addWidget(m_splitter, 1);

    connect(m_searchButton, &QPushButton::clicked, this, &HistoryPanel::search);
    connect(m_orderFilter, &QLineEdit::returnPressed, this, &HistoryPanel::search);
    connect(m_statusFilter, &QLineEdit::returnPressed, this, &HistoryPanel::search);
    // A time edit is disabled while its box is clear, so ticking the box
    // starts it from a time near now rather than from when the window opened.
    connect(m_fromEnabled, &QCheckBox::toggled, this, [this](bool enabled) {
        if (enabled)
            m_from->setDateTime(wholeMinutesFromNow(-60));
        m_from->setEnabled(enabled);
    });
    connect(m_toEnabled, &QCheckBox::toggled, this, [this](bool enabled) {
        if (enabled)
            m_to->setDateTime(wholeMinutesFromNow(1));
        m_to->setEnabled(enabled);
    });
    connect(m_loadOlderButton, &QPushButton::clicked, this, &HistoryPanel::loadOlder);
    connect(m_view->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
        &HistoryPanel::showCurrentEvent);
    connect(m_model, &QAbstractItemModel::rowsInserted, this, &HistoryPanel::updateControls);
    connect(m_model, &QAbstractItemModel::rowsRemoved, this, &HistoryPanel::updateControls);
    connect(m_service, &OrderStreamService::started, this, &HistoryPanel::requestSearch);
    connect(m_service, &OrderStreamService::stopped, this, &HistoryPanel::showServerStopped);

    showMessage(tr("Search the journal by order, status and time."));
    updateControls();
}

HistoryPanel::~HistoryPanel() = default;

QWidget *HistoryPanel::createFilterBar()
{
    auto *bar = new QWidget(this);

    m_orderFilter = EventPanelSetup::createFilterEdit(
        QStringLiteral("historyOrderFilter"), tr("Any order"), tr("Order id"), bar);

    m_statusFilter = EventPanelSetup::createFilterEdit(
        QStringLiteral("historyStatusFilter"), tr("Any status"), tr("Status"), bar);
    m_statusFilter->setToolTip(tr("Matches the whole status, ignoring letter case"));

    // Each end of the range is off until its box is ticked. "To" is exclusive.
    m_fromEnabled = new QCheckBox(tr("From"), bar);
    m_fromEnabled->setObjectName(QStringLiteral("historyFromEnabled"));
    m_from = new QDateTimeEdit(wholeMinutesFromNow(-60), bar);
    m_from->setObjectName(QStringLiteral("historyFrom"));
    m_from->setAccessibleName(tr("From time"));
    m_from->setToolTip(tr("Events at or after this local time"));
    m_toEnabled = new QCheckBox(tr("To"), bar);
    m_toEnabled->setObjectName(QStringLiteral("historyToEnabled"));
    m_to = new QDateTimeEdit(wholeMinutesFromNow(1), bar);
    m_to->setObjectName(QStringLiteral("historyTo"));
    m_to->setAccessibleName(tr("To time"));
    m_to->setToolTip(tr("Events before this local time"));
    for (QDateTimeEdit *edit : {m_from, m_to}) {
        edit->setDisplayFormat(DateTimeFormat);
        edit->setCalendarPopup(true);
        edit->setEnabled(false);
    }

    m_searchButton = new QPushButton(tr("Search"), bar);
    m_searchButton->setObjectName(QStringLiteral("historySearchButton"));

    m_message = new QLabel(bar);
    m_message->setObjectName(QStringLiteral("historyMessage"));
    m_message->setTextFormat(Qt::PlainText);
    m_message->setWordWrap(true);
    m_message->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_loadOlderButton = new QPushButton(tr("Load Older"), bar);
    m_loadOlderButton->setObjectName(QStringLiteral("historyLoadOlderButton"));

    auto *orderLabel = new QLabel(tr("&Order:"), bar);
    orderLabel->setBuddy(m_orderFilter);
    auto *statusLabel = new QLabel(tr("&Status:"), bar);
    statusLabel->setBuddy(m_statusFilter);

    auto *grid = new QGridLayout(bar);
    grid->setContentsMargins(0, 0, 0, 0);
    grid->addWidget(orderLabel, 0, 0);
    grid->addWidget(m_orderFilter, 0, 1);
    grid->addWidget(statusLabel, 0, 2);
    grid->addWidget(m_statusFilter, 0, 3);
    grid->addWidget(m_searchButton, 0, 4);
    grid->addWidget(m_fromEnabled, 1, 0);
    grid->addWidget(m_from, 1, 1);
    grid->addWidget(m_toEnabled, 1, 2);
    grid->addWidget(m_to, 1, 3);
    grid->setColumnStretch(1, 1);
    grid->setColumnStretch(3, 1);

    auto *messageRow = new QHBoxLayout;
    messageRow->addWidget(m_message, 1);
    messageRow->addWidget(m_loadOlderButton);
    auto *republishButton = new QToolButton(bar);
    republishButton->setObjectName(QStringLiteral("historyRepublishButton"));
    republishButton->setDefaultAction(m_republishAction);
    messageRow->addWidget(republishButton);
    grid->addLayout(messageRow, 2, 0, 1, 5);
    return bar;
}

void HistoryPanel::setPageSize(int pageSize)
{
    m_pageSize = qMax(1, pageSize);
}

QString HistoryPanel::orderFilterText() const
{
    return m_orderFilter->text();
}

QString HistoryPanel::statusFilterText() const
{
    return m_statusFilter->text();
}

void HistoryPanel::setFilterTexts(const QString &orderId, const QString &status)
{
    m_orderFilter->setText(orderId);
    m_statusFilter->setText(status);
}

void HistoryPanel::setFocusedOrderId(const QString &orderId)
{
    if (orderId == m_orderFilter->text().trimmed())
        return;

    m_orderFilter->setText(orderId);
    requestSearch();
}

void HistoryPanel::requestSearch()
{
    if (isVisible())
        search();
    else
        m_searchPending = true;
}

void HistoryPanel::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    if (m_searchPending)
        search();
}

std::optional<JournalQuery> HistoryPanel::queryFromFilters()
{
    JournalQuery query;
    query.orderId = m_orderFilter->text().trimmed();
    query.status = m_statusFilter->text().trimmed();
    if (m_fromEnabled->isChecked())
        query.from = m_from->dateTime();
    if (m_toEnabled->isChecked())
        query.to = m_to->dateTime();
    query.limit = m_pageSize;

    if (!query.orderId.isEmpty() && !isValidOrderId(query.orderId)) {
        showMessage(tr("Order id \"%1\" is invalid: use 1 to 64 letters, digits, '-' or '_'.")
                        .arg(query.orderId));
        return std::nullopt;
    }
    if (query.from.isValid() && query.to.isValid() && query.from >= query.to) {
        showMessage(tr("The time range is empty: \"From\" must be before \"To\"."));
        return std::nullopt;
    }
    return query;
}

std::optional<QList<OrderEvent>> HistoryPanel::readPage(
    const JournalQuery &query, QString *errorMessage)
{
    // The service replaces its store object on every start, so it is
    // looked up for each read and never kept.
    EventStore *journal = m_service->store();
    if (!journal) {
        *errorMessage = tr("The journal is not open; start the server to read history.");
        return std::nullopt;
    }
    // After stop() the journal object remains but is closed, and its reads
    // fail. Checking first gives the user the reason.
    if (!journal->isOpen()) {
        *errorMessage = tr("The journal is closed; start the server to read history.");
        return std::nullopt;
    }

    // NOTE: EventStore::query() returns an empty list when the read
    // fails (it logs the error), so a failed read shows as "no events".
    return journal->query(query);
}

bool HistoryPanel::search()
{
    m_searchPending = false;
    const std::optional<JournalQuery> query = queryFromFilters();
    if (!query)
        return false;

    QString error;
    const std::optional<QList<OrderEvent>> events = readPage(*query, &error);
    if (!events) {
        showMessage(m_model->rowCount() == 0
                ? error
                : tr("%1 The rows below are from an earlier search.").arg(error));
        m_olderMayExist = false;
        updateControls();
        return false;
    }

    m_query = *query;
    m_model->setEvents(*events);
    m_olderMayExist = events->size() == query->limit && !m_model->isFull();
    showResultSummary();
    updateControls();
    if (m_model->rowCount() > 0)
        m_view->scrollToTop();
    return true;
}

bool HistoryPanel::loadOlder()
{
    if (m_model->rowCount() == 0 || m_model->isFull())
        return false;

    JournalQuery query = m_query;
    query.beforeId = m_model->oldestEventId();
    query.limit = qMin(m_pageSize, m_model->maxRows() - m_model->rowCount());

    QString error;
    const std::optional<QList<OrderEvent>> events = readPage(query, &error);
    if (!events) {
        showMessage(error);
        m_olderMayExist = false;
        updateControls();
        return false;
    }

    m_model->appendOlder(*events);
    m_olderMayExist = events->size() == query.limit && !m_model->isFull();
    showResultSummary();
    updateControls();
    return !events->isEmpty();
}

void HistoryPanel::showServerStopped()
{
    m_olderMayExist = false;
    updateControls();
    showMessage(m_model->rowCount() == 0
            ? tr("The journal is closed; start the server to read history.")
            : tr("The journal is closed; start the server to read history. The rows "
                 "below stay available for export."));
}

void HistoryPanel::showResultSummary()
{
    const int rows = m_model->rowCount();
    const QString count = QLocale().toString(rows);
    if (rows == 0)
        showMessage(tr("No stored event matches these filters."));
    else if (m_model->isFull())
        showMessage(tr("Showing %1 events, newest first, the most this table holds. Narrow the "
                       "filters to see older ones.")
                        .arg(count));
    else if (m_olderMayExist)
        showMessage(tr("Showing the newest %1 matching events. Load Older reads the next %2.")
                        .arg(count, QLocale().toString(m_pageSize)));
    else
        showMessage(tr("Showing all %1 matching events, newest first.").arg(count));
}

void HistoryPanel::showMessage(const QString &text)
{
    m_message->setText(text);
}

void HistoryPanel::updateControls()
{
    m_loadOlderButton->setEnabled(m_olderMayExist);
    m_exportAction->setEnabled(m_model->rowCount() > 0);
}

void HistoryPanel::showCurrentEvent()
{
    const QModelIndex current = m_view->currentIndex();
    m_republishAction->setEnabled(current.isValid());
    if (!current.isValid()) {
        m_details->clear();
        return;
    }
    m_details->setEvent(m_model->event(current.row()));
}

void HistoryPanel::requestRepublish()
{
    const QModelIndex current = m_view->currentIndex();
    if (current.isValid())
        Q_EMIT republishRequested(m_model->event(current.row()));
}

bool HistoryPanel::exportToFile(const QString &fileName, EventExport::Format format)
{
    QString error;
    if (!EventExport::writeFile(fileName, m_model->events(), format, &error)) {
        QMessageBox::warning(this, tr("Export Failed"),
            tr("The history could not be exported to \"%1\": %2")
                .arg(QDir::toNativeSeparators(fileName), error));
        return false;
    }

    Q_EMIT historyExported(fileName, m_model->rowCount());
    return true;
}

void HistoryPanel::exportWithDialog()
{
    if (m_model->rowCount() == 0)
        return;

    const QString csvFilter = tr("CSV files (*.csv)");
    const QString jsonFilter = tr("JSON files (*.json)");
    const QString folder = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
    QString selectedFilter = csvFilter;
    QString fileName = QFileDialog::getSaveFileName(this, tr("Export History"),
        QDir(folder).filePath(QStringLiteral("orderstream-history.csv")),
        csvFilter + QLatin1String(";;") + jsonFilter, &selectedFilter);
    if (fileName.isEmpty())
        return;

    // The file's suffix decides the format. Without a known suffix the chosen
    // filter decides, and a missing suffix is added.
    const QString suffix = QFileInfo(fileName).suffix().toLower();
    EventExport::Format format = EventExport::Format::Csv;
    if (suffix == QLatin1String("json")) {
        format = EventExport::Format::Json;
    } else if (suffix != QLatin1String("csv")) {
        format
            = selectedFilter == jsonFilter ? EventExport::Format::Json : EventExport::Format::Csv;
        if (suffix.isEmpty())
            fileName += format == EventExport::Format::Json ? QLatin1String(".json")
                                                            : QLatin1String(".csv");
    }
    exportToFile(fileName, format);
}
