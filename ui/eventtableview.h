#pragma once

#include <QTableView>

// The event history table. While the user keeps it scrolled to the newest
// events, it follows new rows. Scrolling away pauses that until the user
// scrolls back or scrollToNewest() is called.
//
// The newest events are at the bottom, or at the top when the table is
// sorted by time or id in descending order.
class EventTableView : public QTableView
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(EventTableView)

public:
    explicit EventTableView(QWidget *parent = nullptr);
    ~EventTableView() override;

    bool isFollowingNewest() const { return m_followingNewest; }

    // Scrolls to the newest events and follows new rows again.
    void scrollToNewest();

Q_SIGNALS:
    void followingNewestChanged(bool following);

private:
    bool newestAtTop() const;
    bool isAtNewestEdge() const;
    void moveToNewestEdge();
    void setFollowingNewest(bool following);

    bool m_followingNewest = true;
    // Set while this class moves the scroll bar itself, so that the move is
    // not taken for the user scrolling away.
    bool m_movingScrollBar = false;
};
