#pragma once

#include "lifecycle.h"

#include <QStringList>
#include <QWidget>

#include <deque>

class OrderStreamService;
class OrdersModel;
class QAction;
class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QToolButton;
struct OrderEvent;
struct PublishDraft;

// Form for publishing an order.update event from the console.
//
// Every edit revalidates the draft with PublishDraft (the HTTP route's rules)
// and refreshes the frame preview, which shows the event as the hub will
// store it: the stage filled from the status, the publisher, and the
// override flag when the lifecycle forbids the transition. Publish stays
// disabled, with the reason shown, while the draft is invalid or the server
// is not running. A publish that the lifecycle forbids is sent as an
// override only after the user confirms it.
class PublishPanel : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(PublishPanel)

public:
    // orders supplies the order id completion and the orders' current
    // stages, and must outlive the panel.
    PublishPanel(OrderStreamService *service, OrdersModel *orders, QWidget *parent = nullptr);
    ~PublishPanel() override;

    // The action that triggers publish(), with the shortcut Ctrl+Return. The
    // window adds it to a menu.
    QAction *publishAction() const { return m_publishAction; }
    // Adds a button for action next to Publish, such as the window's Simulate action.
    void addToolAction(QAction *action);

    // Sets the stages that the templates offer and the override check uses.
    void setLifecycle(const Lifecycle &lifecycle);
    const Lifecycle &lifecycle() const { return m_lifecycle; }

    // The operating system user, sent as the publisher of every event.
    QString publisher() const { return m_publisher; }

    void setOrderId(const QString &orderId);
    // Sets the newest event id the hub has assigned, so the preview shows
    // the id the next publish gets unless another publisher comes first.
    void setLastEventId(quint64 lastEventId);

    // Fills the form with the order id, status, stage, message and details
    // of event, so that it can be edited and published again.
    void loadEvent(const OrderEvent &event);
    // Fills stage, status and message from the template of the stage named
    // stageName. Returns false, changing nothing, when the lifecycle has no
    // such stage.
    bool applyStageTemplate(const QString &stageName);
    // Names of the stages in the template chooser, in the order listed: the
    // stages allowed after the order's current stage first, then the others.
    QStringList stageTemplateNames() const;
    // How many of stageTemplateNames() the lifecycle allows next.
    int allowedStageTemplateCount() const { return m_allowedTemplateCount; }

    // Sends the draft to the service if it is valid and the server runs.
    // When the lifecycle forbids the draft's stage, first requests confirmation to
    // publish it as an override.
    void publish();

private:
    void buildForm();
    PublishDraft currentDraft() const;
    // Returns the stage of orderId in the latest snapshot, or an empty
    // string when the order has no events.
    QString listedStage(const QString &orderId) const;
    // Returns the stage of orderId as the hub has it now.
    QString hubStage(const QString &orderId) const;
    void revalidate();
    void refreshStageTemplates();
    void applyChosenTemplate(int index);
    void confirmOverride(const OrderEvent &event, const QString &conflict);
    void send(const OrderEvent &event);
    void showPublished(const OrderEvent &event);
    void showPublishFailed(const QString &orderId, const QString &reason);

    OrderStreamService *const m_service;
    OrdersModel *const m_orders;
    Lifecycle m_lifecycle = Lifecycle::defaultLifecycle();
    const QString m_publisher;
    quint64 m_lastEventId = 0;
    // Order ids of the publishes this panel sent whose result has not come
    // back, oldest first. The service reports results in request order, so
    // each result of a console publish belongs to the oldest.
    std::deque<QString> m_pendingOrderIds;
    // The order and stage the template chooser was last built for.
    QString m_templateOrderId;
    QString m_templateCurrentStage;
    bool m_templatesBuilt = false;
    int m_allowedTemplateCount = 0;

    QLineEdit *m_orderId = nullptr;
    QComboBox *m_stageTemplate = nullptr;
    QLineEdit *m_status = nullptr;
    QLineEdit *m_stage = nullptr;
    QLineEdit *m_message = nullptr;
    QLabel *m_publisherLabel = nullptr;
    QPlainTextEdit *m_details = nullptr;
    QLabel *m_detailsError = nullptr;
    QLabel *m_lifecycleWarning = nullptr;
    QPlainTextEdit *m_preview = nullptr;
    QLabel *m_reason = nullptr;
    QLabel *m_result = nullptr;
    QPushButton *m_publishButton = nullptr;
    QWidget *m_toolButtons = nullptr;
    QAction *m_publishAction = nullptr;
};
