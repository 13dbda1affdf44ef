#pragma once

#include <QWidget>

class QLabel;
class QPlainTextEdit;
struct OrderEvent;

// Read-only view of one event: its JSON as subscribers receive it on the
// data line, pretty-printed, and the exact Server-Sent Events frame the
// server wrote for it.
class EventDetailsPane : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(EventDetailsPane)

public:
    explicit EventDetailsPane(QWidget *parent = nullptr);
    // objectNamePrefix names the JSON and frame views "<prefix>EventJson" and
    // "<prefix>EventFrame", so that findChild() can tell two panes in one
    // window apart. Without a prefix they are "eventJson" and "eventFrame".
    explicit EventDetailsPane(const QString &objectNamePrefix, QWidget *parent = nullptr);
    ~EventDetailsPane() override;

    void setEvent(const OrderEvent &event);
    // Shows the hint that no event is selected.
    void clear();

private:
    QLabel *m_title = nullptr;
    QLabel *m_frameTitle = nullptr;
    QPlainTextEdit *m_json = nullptr;
    QPlainTextEdit *m_frame = nullptr;
};
