#pragma once

#include <QWidget>

class OrderStreamService;
class OrdersModel;
class QAction;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
struct OrderEvent;
struct PublishDraft;

// Form for publishing an order.update event from the console.
//
// Every edit revalidates the draft with PublishDraft (the HTTP route's rules)
// and refreshes the frame preview. Publish stays disabled, with the reason
// shown, while the draft is invalid or the server is not running.
class PublishPanel : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(PublishPanel)

public:
    // orders supplies the order id completion and must outlive the panel.
    PublishPanel(OrderStreamService *service, OrdersModel *orders, QWidget *parent = nullptr);
    ~PublishPanel() override;

    // The action that triggers publish(), with the shortcut Ctrl+Return. The
    // window adds it to a menu.
    QAction *publishAction() const { return m_publishAction; }

    void setOrderId(const QString &orderId);
    // Sets the newest event id the hub has assigned, so the preview shows
    // the id the next publish gets unless another publisher comes first.
    void setLastEventId(quint64 lastEventId);

    // Sends the draft to the service if it is valid and the server runs.
    void publish();

private:
    void buildForm();
    PublishDraft currentDraft() const;
    void revalidate();
    void showPublished(const OrderEvent &event);
    void showPublishFailed(const QString &orderId, const QString &reason);

    OrderStreamService *const m_service;
    OrdersModel *const m_orders;
    quint64 m_lastEventId = 0;
    // Publishes this panel sent whose result has not come back. The service
    // reports results in request order, so each result belongs to the oldest.
    int m_pendingPublishes = 0;

    QLineEdit *m_orderId = nullptr;
    QLineEdit *m_status = nullptr;
    QLineEdit *m_stage = nullptr;
    QLineEdit *m_message = nullptr;
    QPlainTextEdit *m_details = nullptr;
    QLabel *m_detailsError = nullptr;
    QPlainTextEdit *m_preview = nullptr;
    QLabel *m_reason = nullptr;
    QLabel *m_result = nullptr;
    QPushButton *m_publishButton = nullptr;
    QAction *m_publishAction = nullptr;
};
