#include "screenshotscenario.h"

#include "eventsmodel.h"
#include "eventtableview.h"
#include "mainwindow.h"
#include "orderstreamservice.h"

#include <QAbstractItemModel>
#include <QDeadlineTimer>
#include <QEventLoop>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QTableView>
#include <QTcpSocket>
#include <QTimer>
#include <QUrl>

#include <iterator>

namespace {

constexpr int StepTimeoutMs = 10000;

struct StreamSpec
{
    const char *orderId;
    int subscribers;
};

// Orders with open streams. ORD-10490 gets events but no subscriber.
constexpr StreamSpec Streams[] = {
    {"ORD-10472", 2},
    {"ORD-10473", 1},
    {"ORD-10481", 1},
};

struct EventSpec
{
    const char *orderId;
    const char *status;
    const char *stage;
    const char *message;
    const char *detailsJson;
};

constexpr EventSpec Events[] = {
    {"ORD-10472", "Activating", "Activating", "Activation started", R"({"plan":"fiber-500"})"},
    {"ORD-10473", "Activating", "Activating", "Activation started", R"({"plan":"fiber-100"})"},
    {"ORD-10490", "Received", "Draft", "Order received", "{}"},
    {"ORD-10481", "Activating", "Activating", "Activation started", R"({"plan":"fiber-1000"})"},
    {"ORD-10472", "Provisioning", "Provisioning", "Port reserved",
     R"({"plan":"fiber-500","port":"OLT-3/1/7"})"},
    {"ORD-10481", "Failed", "Failed", "No free port on the access node",
     R"({"errorCode":"PORT_UNAVAILABLE","node":"OLT-5"})"},
    {"ORD-10473", "Provisioning", "Provisioning", "Port reserved",
     R"({"plan":"fiber-100","port":"OLT-2/4/1"})"},
};

// The stream of this order drops after the first EventsBeforeReconnect
// events, misses the rest while away, and resumes with Last-Event-ID, so the
// server replays them and records a reconnect.
constexpr char ReconnectingOrder[] = "ORD-10473";
constexpr int EventsBeforeReconnect = 6;

QByteArray streamRequest(const QByteArray &orderId, const QByteArray &extraHeaders = {})
{
    return "GET /orders/" + orderId
            + "/events HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\n"
            + extraHeaders + "\r\n";
}

} // namespace

ScreenshotScenario::ScreenshotScenario(OrderStreamService *service, MainWindow *window,
                                       QObject *parent)
    : QObject(parent), m_service(service), m_window(window)
{
    // Traffic goes straight to the loopback server, never through a proxy
    // from the environment.
    m_network.setProxy(QNetworkProxy::NoProxy);
}

ScreenshotScenario::~ScreenshotScenario()
{
    for (QTcpSocket *stream : std::as_const(m_streams))
        stream->abort();
}

bool ScreenshotScenario::run(QString *errorMessage)
{
    return openStreams(errorMessage) && postEvents(0, EventsBeforeReconnect, errorMessage)
            && dropStream(errorMessage)
            && postEvents(EventsBeforeReconnect, int(std::size(Events)), errorMessage)
            && resumeStream(errorMessage) && publishFromPanel(errorMessage)
            && waitForWindow(errorMessage);
}

QTcpSocket *ScreenshotScenario::openStream(const QByteArray &requestWithoutToken)
{
    QByteArray request = requestWithoutToken;
    if (!m_token.isEmpty())
        request.insert(request.size() - 2, "Authorization: Bearer " + m_token + "\r\n");
    auto *socket = new QTcpSocket(this);
    socket->setProxy(QNetworkProxy::NoProxy);
    connect(socket, &QTcpSocket::connected, socket, [socket, request] { socket->write(request); });
    socket->connectToHost(m_service->config().bindAddress, m_service->port());
    return socket;
}

bool ScreenshotScenario::openStreams(QString *errorMessage)
{
    int expected = 0;
    for (const StreamSpec &spec : Streams) {
        for (int i = 0; i < spec.subscribers; ++i) {
            QTcpSocket *socket = openStream(streamRequest(spec.orderId));
            m_streams.append(socket);
            if (qstrcmp(spec.orderId, ReconnectingOrder) == 0)
                m_reconnectingStream = socket;
            ++expected;
        }
    }

    if (!waitUntil([&] { return m_service->snapshot(0, 0).connections == expected; },
                   StepTimeoutMs)) {
        *errorMessage = QStringLiteral("timed out waiting for %1 open streams").arg(expected);
        return false;
    }
    return true;
}

bool ScreenshotScenario::dropStream(QString *errorMessage)
{
    Q_ASSERT(m_reconnectingStream);
    QTcpSocket *stream = m_reconnectingStream;

    // The stream's last "id:" line is the Last-Event-ID a browser would send.
    const QRegularExpression idLine(QStringLiteral("^id: (\\d+)$"),
                                    QRegularExpression::MultilineOption);
    QByteArray received;
    const auto hasEvent = [&] {
        received += stream->readAll();
        return idLine.match(QString::fromUtf8(received)).hasMatch();
    };
    if (!waitUntil(hasEvent, StepTimeoutMs)) {
        *errorMessage = QStringLiteral("timed out waiting for an event on the stream of %1")
                                .arg(QLatin1String(ReconnectingOrder));
        return false;
    }
    QRegularExpressionMatchIterator ids = idLine.globalMatch(QString::fromUtf8(received));
    while (ids.hasNext())
        m_lastEventIdBeforeDrop = ids.next().captured(1).toULongLong();

    const int streamsBefore = m_service->snapshot(0, 0).connections;
    m_streams.removeOne(stream);
    stream->disconnectFromHost();
    stream->deleteLater();
    m_reconnectingStream = nullptr;
    if (!waitUntil([&] { return m_service->snapshot(0, 0).connections == streamsBefore - 1; },
                   StepTimeoutMs)) {
        *errorMessage = QStringLiteral("timed out waiting for the server to close the stream of %1")
                                .arg(QLatin1String(ReconnectingOrder));
        return false;
    }
    return true;
}

bool ScreenshotScenario::resumeStream(QString *errorMessage)
{
    const int streamsBefore = m_service->snapshot(0, 0).connections;
    const quint64 reconnectsBefore = m_service->snapshot(0, 0).reconnectsTotal;
    m_streams.append(openStream(streamRequest(
            ReconnectingOrder,
            "Last-Event-ID: " + QByteArray::number(m_lastEventIdBeforeDrop) + "\r\n")));

    const bool resumed = waitUntil(
            [&] {
                const HubSnapshot snapshot = m_service->snapshot(0, 0);
                return snapshot.connections == streamsBefore + 1
                        && snapshot.reconnectsTotal == reconnectsBefore + 1;
            },
            StepTimeoutMs);
    if (!resumed) {
        *errorMessage = QStringLiteral("timed out waiting for the stream of %1 to resume from "
                                       "event %2")
                                .arg(QLatin1String(ReconnectingOrder))
                                .arg(m_lastEventIdBeforeDrop);
        return false;
    }
    return true;
}

bool ScreenshotScenario::postEvents(int first, int last, QString *errorMessage)
{
    for (int index = first; index < last; ++index) {
        const EventSpec &spec = Events[index];
        QUrl url;
        url.setScheme(QStringLiteral("http"));
        url.setHost(m_service->config().bindAddress.toString());
        url.setPort(m_service->port());
        url.setPath(QStringLiteral("/orders/%1/events").arg(QLatin1String(spec.orderId)));

        QJsonObject body;
        body.insert(QLatin1String("status"), QLatin1String(spec.status));
        body.insert(QLatin1String("stage"), QLatin1String(spec.stage));
        body.insert(QLatin1String("message"), QLatin1String(spec.message));
        body.insert(QLatin1String("details"),
                    QJsonDocument::fromJson(QByteArray(spec.detailsJson)).object());

        QNetworkRequest request(url);
        request.setHeader(QNetworkRequest::ContentTypeHeader, QStringLiteral("application/json"));
        if (!m_token.isEmpty())
            request.setRawHeader("Authorization", "Bearer " + m_token);
        request.setTransferTimeout(StepTimeoutMs);
        QNetworkReply *reply =
                m_network.post(request, QJsonDocument(body).toJson(QJsonDocument::Compact));
        waitUntil([reply] { return reply->isFinished(); }, StepTimeoutMs);

        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        const QString error = reply->errorString();
        reply->deleteLater();
        if (status != 202) {
            *errorMessage = QStringLiteral("publish to %1 failed with HTTP status %2: %3")
                                    .arg(QLatin1String(spec.orderId))
                                    .arg(status)
                                    .arg(error);
            return false;
        }
        ++m_eventsPublished;
    }
    return true;
}

bool ScreenshotScenario::publishFromPanel(QString *errorMessage)
{
    auto *orderId = m_window->findChild<QLineEdit *>(QStringLiteral("publishOrderId"));
    auto *status = m_window->findChild<QLineEdit *>(QStringLiteral("publishStatus"));
    auto *stage = m_window->findChild<QLineEdit *>(QStringLiteral("publishStage"));
    auto *message = m_window->findChild<QLineEdit *>(QStringLiteral("publishMessage"));
    auto *details = m_window->findChild<QPlainTextEdit *>(QStringLiteral("publishDetails"));
    auto *button = m_window->findChild<QPushButton *>(QStringLiteral("publishButton"));
    Q_ASSERT(orderId && status && stage && message && details && button);

    orderId->setText(QStringLiteral("ORD-10473"));
    status->setText(QStringLiteral("Active"));
    stage->setText(QStringLiteral("Active"));
    message->setText(QStringLiteral("Line is live"));
    details->setPlainText(QStringLiteral("{\n  \"port\": \"OLT-2/4/1\",\n  \"speed\": 100\n}"));
    if (!button->isEnabled()) {
        *errorMessage = QStringLiteral("the Publish button is disabled for a valid draft");
        return false;
    }

    bool published = false;
    const QMetaObject::Connection connection = connect(
            m_service, &OrderStreamService::published, this, [&published] { published = true; });
    button->click();
    const bool done = waitUntil([&published] { return published; }, StepTimeoutMs);
    disconnect(connection);
    if (!done) {
        *errorMessage = QStringLiteral("timed out waiting for the console's publish");
        return false;
    }
    ++m_eventsPublished;

    // A second, still unfinished draft shows the frame preview.
    message->setText(QStringLiteral("Line handed over to the customer"));
    status->setText(QStringLiteral("Completed"));
    stage->setText(QStringLiteral("Completed"));
    return true;
}

bool ScreenshotScenario::waitForWindow(QString *errorMessage)
{
    auto *eventsModel = m_window->findChild<EventsModel *>(QStringLiteral("eventsModel"));
    Q_ASSERT(eventsModel);

    // The window has the events once its model lists them, and the streams
    // have them once every frame is delivered. framesDelivered counts live
    // frames only, so the events the dropped stream got by replay are not in it.
    quint64 expectedFrames = 0;
    for (int index = 0; index < int(std::size(Events)); ++index) {
        const EventSpec &event = Events[index];
        for (const StreamSpec &stream : Streams) {
            if (qstrcmp(event.orderId, stream.orderId) != 0)
                continue;
            expectedFrames += quint64(stream.subscribers);
            if (index >= EventsBeforeReconnect && qstrcmp(event.orderId, ReconnectingOrder) == 0)
                expectedFrames -= 1;
        }
    }
    expectedFrames += 1; // the console's publish to ORD-10473

    const bool ready = waitUntil(
            [&] {
                return quint64(eventsModel->rowCount()) == m_eventsPublished
                        && m_service->snapshot(0, 0).framesDelivered == expectedFrames;
            },
            StepTimeoutMs);
    if (!ready) {
        *errorMessage = QStringLiteral("timed out waiting for %1 events and %2 delivered frames")
                                .arg(m_eventsPublished)
                                .arg(expectedFrames);
        return false;
    }

    // The figures come from a later tick than the rows, so wait for them too.
    auto *framesFigure = m_window->findChild<QLabel *>(QStringLiteral("framesDeliveredFigure"));
    Q_ASSERT(framesFigure);
    const QString framesText = QLocale().toString(expectedFrames);
    if (!waitUntil([&] { return framesFigure->text() == framesText; }, StepTimeoutMs)) {
        *errorMessage = QStringLiteral("timed out waiting for the figures to show %1 delivered "
                                       "frames")
                                .arg(expectedFrames);
        return false;
    }

    selectEvent(QStringLiteral("Failed"));
    return true;
}

bool ScreenshotScenario::showTab(int tab, QString *errorMessage)
{
    m_window->showCentreTab(MainWindow::CentreTab(tab));

    const char *tableName = nullptr;
    switch (MainWindow::CentreTab(tab)) {
    case MainWindow::EventsTab:
    case MainWindow::ClusterTab: return true;
    case MainWindow::ConnectionsTab: tableName = "connectionsTable"; break;
    case MainWindow::ReconnectionsTab: tableName = "reconnectionsTable"; break;
    case MainWindow::HistoryTab: tableName = "historyTable"; break;
    }

    auto *view = m_window->findChild<QTableView *>(QLatin1String(tableName));
    Q_ASSERT(view);
    if (!waitUntil([view] { return view->model()->rowCount() > 0; }, StepTimeoutMs)) {
        *errorMessage =
                QStringLiteral("timed out waiting for rows in %1").arg(QLatin1String(tableName));
        return false;
    }
    view->selectRow(0);
    return true;
}

void ScreenshotScenario::selectEvent(const QString &status)
{
    auto *view = m_window->findChild<EventTableView *>(QStringLiteral("eventsTable"));
    Q_ASSERT(view);

    const QAbstractItemModel *model = view->model();
    for (int row = 0; row < model->rowCount(); ++row) {
        const QModelIndex index = model->index(row, EventsModel::Status);
        if (index.data(EventsModel::RawValueRole).toString() == status) {
            view->selectRow(row);
            return;
        }
    }
}

bool ScreenshotScenario::waitUntil(const std::function<bool()> &condition, int timeoutMs)
{
    const QDeadlineTimer deadline(timeoutMs);
    while (!condition()) {
        if (deadline.hasExpired())
            return false;
        QEventLoop loop;
        QTimer::singleShot(20, &loop, &QEventLoop::quit);
        loop.exec();
    }
    return true;
}
