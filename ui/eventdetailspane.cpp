#include "eventdetailspane.h"

#include "orderevent.h"
#include "sseframe.h"

#include <QFontDatabase>
#include <QGridLayout>
#include <QJsonDocument>
#include <QLabel>
#include <QLocale>
#include <QPlainTextEdit>

namespace {

QPlainTextEdit *createCodeView(const QString &objectName, const QString &accessibleName,
                               QWidget *parent)
{
    auto *view = new QPlainTextEdit(parent);
    view->setObjectName(objectName);
    view->setAccessibleName(accessibleName);
    view->setReadOnly(true);
    view->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    view->setLineWrapMode(QPlainTextEdit::WidgetWidth);
    view->setWordWrapMode(QTextOption::WrapAtWordBoundaryOrAnywhere);
    return view;
}

} // namespace

EventDetailsPane::EventDetailsPane(QWidget *parent) : QWidget(parent)
{
    m_title = new QLabel(this);
    m_frameTitle = new QLabel(this);
    m_json = createCodeView(QStringLiteral("eventJson"), tr("Event JSON"), this);
    m_frame = createCodeView(QStringLiteral("eventFrame"), tr("Server-Sent Events frame"), this);

    auto *layout = new QGridLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_title, 0, 0);
    layout->addWidget(m_frameTitle, 0, 1);
    layout->addWidget(m_json, 1, 0);
    layout->addWidget(m_frame, 1, 1);
    layout->setColumnStretch(0, 1);
    layout->setColumnStretch(1, 1);

    clear();
}

EventDetailsPane::~EventDetailsPane() = default;

void EventDetailsPane::setEvent(const OrderEvent &event)
{
    const QByteArray frame = SseFrame::encodeEvent(event);

    m_title->setText(tr("Event %1 of order %2").arg(QString::number(event.id), event.orderId));
    m_frameTitle->setText(tr("Frame as sent (%1 bytes)").arg(QLocale().toString(frame.size())));
    m_json->setPlainText(
            QString::fromUtf8(QJsonDocument(event.toJson()).toJson(QJsonDocument::Indented)));
    m_frame->setPlainText(QString::fromUtf8(frame));
}

void EventDetailsPane::clear()
{
    m_title->setText(tr("Select an event to see its JSON"));
    m_frameTitle->setText(tr("Frame as sent"));
    m_json->clear();
    m_frame->clear();
}
