#pragma once

#include "eventexport.h"
#include "eventstore.h"

#include <QWidget>
#include <optional>

class EventDetailsPane;
class HistoryModel;
class OrderStreamService;
class QAction;
class QCheckBox;
class QDateTimeEdit;
class QLabel;
class QLineEdit;
class QPushButton;
class QSplitter;
class QTableView;

// The History tab: events stored in the journal, queried by order id,
// status and time range, newest first, with older pages on request.
//
// It is a tab of its own rather than a mode of the Events tab, so that the
// live view keeps following new events and its bounded rows while the user
// reads and exports older ones.
//
// Queries run on the GUI thread, one page per user request. EventJournal
// gives this thread a read connection of its own.
class HistoryPanel : public QWidget {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HistoryPanel)

public:
    static constexpr int DefaultPageSize = 500;

    // service must outlive the panel.
    explicit HistoryPanel(OrderStreamService *service, QWidget *parent = nullptr);
    ~HistoryPanel() override;

    HistoryModel *model() const { return m_model; }
    QTableView *tableView() const { return m_view; }
    // File > Export History, enabled while the table lists events.
    QAction *exportAction() const { return m_exportAction; }
    // Loads the selected event into the Publish panel; in the table's context menu.
    QAction *republishAction() const { return m_republishAction; }

    int pageSize() const { return m_pageSize; }
    // Sets the events read per query (at least 1) for the next search.
    void setPageSize(int pageSize);

    QString orderFilterText() const;
    QString statusFilterText() const;
    // Sets the filter fields without searching.
    void setFilterTexts(const QString &orderId, const QString &status);

    // Fills the order filter with orderId (empty for every order) and
    // searches, now when the panel is visible or else when it is next shown.
    void setFocusedOrderId(const QString &orderId);

    // Replaces the rows with the newest page matching the filter fields.
    // Returns false, keeping the rows, when a filter is invalid or the
    // journal cannot be read. The panel then shows the reason.
    bool search();
    // Appends the next older page of the last search. Returns false when
    // there is none or the journal cannot be read.
    bool loadOlder();

    // Writes the listed events to fileName. Shows a message box with the
    // file name and the reason, and returns false, when writing fails.
    bool exportToFile(const QString &fileName, EventExport::Format format);
    // Asks for a file name and format, then calls exportToFile().
    void exportWithDialog();

Q_SIGNALS:
    void historyExported(const QString &fileName, int eventCount);
    // The user asked to publish event again, after editing it.
    void republishRequested(const OrderEvent &event);

protected:
    void showEvent(QShowEvent *event) override;

private:
    QWidget *createFilterBar();
    // Returns the query the filter fields describe, or nullopt after showing
    // why a field is invalid.
    std::optional<JournalQuery> queryFromFilters();
    // Runs query on the service's current journal. Returns nullopt with
    // errorMessage set when no open journal exists.
    std::optional<QList<OrderEvent>> readPage(const JournalQuery &query, QString *errorMessage);
    void requestSearch();
    void showServerStopped();
    void showResultSummary();
    void showMessage(const QString &text);
    void updateControls();
    void showCurrentEvent();
    void requestRepublish();

    OrderStreamService *const m_service;
    HistoryModel *m_model = nullptr;
    int m_pageSize = DefaultPageSize;
    // The filters of the rows shown, for loadOlder().
    JournalQuery m_query;
    // Set when the last page read was full, so an older page may exist.
    bool m_olderMayExist = false;
    // Set when a search was requested while the panel was hidden.
    bool m_searchPending = true;

    QLineEdit *m_orderFilter = nullptr;
    QLineEdit *m_statusFilter = nullptr;
    QCheckBox *m_fromEnabled = nullptr;
    QDateTimeEdit *m_from = nullptr;
    QCheckBox *m_toEnabled = nullptr;
    QDateTimeEdit *m_to = nullptr;
    QPushButton *m_searchButton = nullptr;
    QLabel *m_message = nullptr;
    QPushButton *m_loadOlderButton = nullptr;
    QTableView *m_view = nullptr;
    EventDetailsPane *m_details = nullptr;
    QSplitter *m_splitter = nullptr;
    QAction *m_exportAction = nullptr;
    QAction *m_republishAction = nullptr;
};
