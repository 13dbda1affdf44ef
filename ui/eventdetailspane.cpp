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

EventDetailsPane::EventDetailsPane(QWidget *parent) : EventDetailsPane(QString(), parent) { }

EventDetailsPane::EventDetailsPane(const QString &objectNamePrefix, QWidget *parent)
    : QWidget(parent)
{
    const QString jsonName = objectNamePrefix.isEmpty()
            ? QStringLiteral("eventJson")
            : objectNamePrefix + QLatin1String("EventJson");
    const QString frameName = objectNamePrefix.isEmpty()
            ? QStringLiteral("eventFrame")
            : objectNamePrefix + QLatin1String("EventFrame");

    m_title = new QLabel(this);
    m_frameTitle = new QLabel(this);
    m_json = createCodeView(jsonName, tr("Event JSON"), this);
    m_frame = createCodeView(frameName, tr("Server-Sent Events frame"), this);

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
