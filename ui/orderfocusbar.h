#pragma once

#include <QWidget>

class QLabel;
class QPushButton;

// The row above a table that can be narrowed to one order: which order it
// shows, a button to show every order again, and a summary on the right.
class OrderFocusBar : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(OrderFocusBar)

public:
    // The children are named prefix + "Focus", "ShowAllButton" and "Summary",
    // so that tests and the saved window state can find them.
    explicit OrderFocusBar(const QString &objectNamePrefix, QWidget *parent = nullptr);
    ~OrderFocusBar() override;

    void setFocusedOrderId(const QString &orderId);
    void setSummary(const QString &text, const QString &toolTip = {});

Q_SIGNALS:
    void showAllRequested();

private:
    QLabel *m_focusLabel = nullptr;
    QPushButton *m_showAllButton = nullptr;
    QLabel *m_summaryLabel = nullptr;
};
