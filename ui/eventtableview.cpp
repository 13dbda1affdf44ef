#include "eventtableview.h"

#include "eventsmodel.h"

#include <QHeaderView>
#include <QScrollBar>

EventTableView::EventTableView(QWidget *parent) : QTableView(parent)
{
    QScrollBar *scrollBar = verticalScrollBar();
    connect(scrollBar, &QScrollBar::valueChanged, this, [this] {
        if (!m_movingScrollBar)
            setFollowingNewest(isAtNewestEdge());
    });
    connect(scrollBar, &QScrollBar::rangeChanged, this, [this] {
        if (m_followingNewest)
            moveToNewestEdge();
    });
    // A new sort order can move the newest end to the other edge.
    connect(horizontalHeader(), &QHeaderView::sortIndicatorChanged, this, [this] {
        if (m_followingNewest)
            moveToNewestEdge();
        else
            setFollowingNewest(isAtNewestEdge());
    });
}

EventTableView::~EventTableView() = default;

void EventTableView::scrollToNewest()
{
    setFollowingNewest(true);
    moveToNewestEdge();
}

bool EventTableView::newestAtTop() const
{
    const QHeaderView *header = horizontalHeader();
    if (!isSortingEnabled() || header->sortIndicatorOrder() != Qt::DescendingOrder)
        return false;
    const int section = header->sortIndicatorSection();
    return section == EventsModel::Time || section == EventsModel::Id;
}

bool EventTableView::isAtNewestEdge() const
{
    const QScrollBar *scrollBar = verticalScrollBar();
    return newestAtTop() ? scrollBar->value() == scrollBar->minimum()
                         : scrollBar->value() == scrollBar->maximum();
}

void EventTableView::moveToNewestEdge()
{
    QScrollBar *scrollBar = verticalScrollBar();
    m_movingScrollBar = true;
    scrollBar->setValue(newestAtTop() ? scrollBar->minimum() : scrollBar->maximum());
    m_movingScrollBar = false;
}

void EventTableView::setFollowingNewest(bool following)
{
    if (following == m_followingNewest)
        return;

    m_followingNewest = following;
    Q_EMIT followingNewestChanged(following);
}
