#include "orderfocusbar.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>

OrderFocusBar::OrderFocusBar(const QString &objectNamePrefix, QWidget *parent) : QWidget(parent)
{
    m_focusLabel = new QLabel(this);
    m_focusLabel->setObjectName(objectNamePrefix + QLatin1String("Focus"));
    m_showAllButton = new QPushButton(tr("Show All Orders"), this);
    m_showAllButton->setObjectName(objectNamePrefix + QLatin1String("ShowAllButton"));
    m_summaryLabel = new QLabel(this);
    m_summaryLabel->setObjectName(objectNamePrefix + QLatin1String("Summary"));

    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_focusLabel);
    layout->addWidget(m_showAllButton);
    layout->addStretch(1);
    layout->addWidget(m_summaryLabel);

    connect(m_showAllButton, &QPushButton::clicked, this, &OrderFocusBar::showAllRequested);
}

OrderFocusBar::~OrderFocusBar() = default;

void OrderFocusBar::setFocusedOrderId(const QString &orderId)
{
    m_focusLabel->setText(orderId.isEmpty() ? tr("All orders") : tr("Only order %1").arg(orderId));
    m_showAllButton->setVisible(!orderId.isEmpty());
}

void OrderFocusBar::setSummary(const QString &text, const QString &toolTip)
{
    m_summaryLabel->setText(text);
    m_summaryLabel->setToolTip(toolTip);
}
