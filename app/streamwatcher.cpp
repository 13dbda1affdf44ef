#include "streamwatcher.h"

#include "orderevent.h"

#include <QCoreApplication>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkReply>
#include <QNetworkRequest>

#include <cstdio>

StreamWatcher::StreamWatcher(WatchSettings settings, QObject *parent)
    : QObject(parent)
    , m_settings(std::move(settings))
{
    m_reconnectTimer.setSingleShot(true);
    connect(&m_reconnectTimer, &QTimer::timeout, this, &StreamWatcher::openStream);
}

void StreamWatcher::stop()
{
    m_reconnectTimer.stop();
    if (m_reply) {
        m_reply->disconnect(this);
        m_reply->abort();
    }
}

void StreamWatcher::openStream()
{
    QString error;
    const QByteArray token = m_settings.connection.token(&error);
    if (token.isEmpty()) {
        fail(error);
        return;
    }

    QNetworkRequest request = makeClientRequest(
            m_settings.connection.url(QStringLiteral("/orders/%1/events").arg(m_settings.orderId)),
            token);
    // A stream may stay quiet for longer than any transfer timeout when
    // the server sends no heartbeats.
    request.setTransferTimeout(0);
    request.setRawHeader("Accept", "text/event-stream");
    request.setRawHeader("Cache-Control", "no-cache");
    if (!m_settings.lastEventId.isEmpty())
        request.setRawHeader("Last-Event-ID", m_settings.lastEventId);

    m_buffer.clear();
    m_data.clear();
    m_eventType.clear();
    m_streamOpen = false;
    m_reply = m_network.get(request);
    connect(m_reply, &QNetworkReply::metaDataChanged, this, &StreamWatcher::readHead);
    connect(m_reply, &QNetworkReply::readyRead, this, &StreamWatcher::readAvailable);
    connect(m_reply, &QNetworkReply::finished, this, &StreamWatcher::streamEnded);
}

void StreamWatcher::readHead()
{
    const int status = httpStatus(m_reply);
    if (status != 200 || m_streamOpen)
        return;

    m_streamOpen = true;
    if (m_reconnecting) {
        std::fprintf(stderr, "%s\n",
                     qPrintable(ClientCommands::tr("orderstream watch: reconnected to %1 "
                                                   "after event %2")
                                        .arg(m_reply->url().toString(QUrl::RemoveQuery),
                                             m_settings.lastEventId.isEmpty()
                                                     ? QStringLiteral("(none)")
                                                     : QString::fromLatin1(m_settings.lastEventId))));
        m_reconnecting = false;
    }
    m_everOpened = true;
}

void StreamWatcher::readAvailable()
{
    if (httpStatus(m_reply) != 200)
        return;
    readHead();
    m_buffer += m_reply->readAll();

    // Lines end with CRLF, LF or CR. A CR at the end of the buffer may be
    // the first half of a CRLF, so it waits for more data.
    qsizetype start = 0;
    while (start < m_buffer.size()) {
        qsizetype end = start;
        while (end < m_buffer.size() && m_buffer[end] != '\n' && m_buffer[end] != '\r')
            ++end;
        if (end == m_buffer.size())
            break;
        qsizetype next = end + 1;
        if (m_buffer[end] == '\r') {
            if (next == m_buffer.size())
                break;
            if (m_buffer[next] == '\n')
                ++next;
        }
        processLine(QByteArrayView(m_buffer).sliced(start, end - start));
        start = next;
    }
    m_buffer.remove(0, start);
}

void StreamWatcher::processLine(QByteArrayView line)
{
    if (line.isEmpty()) {
        dispatch();
        return;
    }
    // Comments such as ": heartbeat" keep the connection open and are ignored.
    if (line.startsWith(':'))
        return;

    const qsizetype colon = line.indexOf(':');
    const QByteArrayView field = colon < 0 ? line : line.first(colon);
    QByteArrayView value = colon < 0 ? QByteArrayView() : line.sliced(colon + 1);
    if (value.startsWith(' '))
        value = value.sliced(1);

    if (field == "event") {
        m_eventType = value.toByteArray();
    } else if (field == "data") {
        m_data += value.toByteArray() + '\n';
    } else if (field == "id") {
        if (!value.contains('\0'))
            m_idBuffer = value.toByteArray();
    } else if (field == "retry") {
        bool ok = false;
        const int retryMs = value.toByteArray().toInt(&ok);
        if (ok && retryMs >= 0)
            m_retryMs = retryMs;
    }
}

void StreamWatcher::dispatch()
{
    m_settings.lastEventId = m_idBuffer;
    if (m_data.isEmpty()) {
        m_eventType.clear();
        return;
    }

    m_data.chop(1);
    const QByteArray type = m_eventType.isEmpty() ? QByteArray("message") : m_eventType;
    const QByteArray data = m_data;
    m_data.clear();
    m_eventType.clear();

    const QJsonObject event = QJsonDocument::fromJson(data).object();
    if (type == OrderEventType::Resync) {
        printResync(data, event);
        return;
    }

    const QString stage = event.value(QLatin1String("stage")).toString();
    // An informational update without a stage leaves the order's stage as it was.
    if (!stage.isEmpty())
        m_lastStage = stage;
    if (m_settings.json) {
        std::printf("%s\n", data.constData());
    } else {
        printLine(event.value(QLatin1String("time")).toString(),
                  QString::fromLatin1(m_settings.lastEventId), stage,
                  event.value(QLatin1String("status")).toString(),
                  event.value(QLatin1String("message")).toString());
    }
    std::fflush(stdout);
}

void StreamWatcher::printLine(const QString &time, const QString &id, const QString &stage,
                      const QString &status, const QString &message)
{
    const QString line = QStringLiteral("%1  #%2  %3  %4%5")
                                 .arg(time, id, stage.isEmpty() ? QStringLiteral("-") : stage,
                                      status,
                                      message.isEmpty() ? QString()
                                                        : QStringLiteral("  ") + message);
    std::printf("%s\n", qPrintable(line));
}

void StreamWatcher::printResync(const QByteArray &data, const QJsonObject &event)
{
    if (m_settings.json)
        std::printf("%s\n", data.constData());
    else
        std::printf("%s\n", qPrintable(ClientCommands::tr("#%1  order.resync: %2")
                                               .arg(QString::fromLatin1(m_settings.lastEventId),
                                                    event.value(QLatin1String("reason")).toString())));
    std::fflush(stdout);

    QString error;
    const QByteArray token = m_settings.connection.token(&error);
    QNetworkReply *reply = m_network.get(makeClientRequest(
            m_settings.connection.url(QStringLiteral("/orders/%1").arg(m_settings.orderId)),
            token));
    connect(reply, &QNetworkReply::finished, this, [this, reply] { printOrder(reply); });
}

void StreamWatcher::printOrder(QNetworkReply *reply)
{
    reply->deleteLater();
    const QByteArray body = reply->readAll();
    if (reply->error() != QNetworkReply::NoError) {
        std::fprintf(stderr, "orderstream watch: %s\n", qPrintable(describeFailure(reply, body)));
        return;
    }

    const QJsonObject order = QJsonDocument::fromJson(body).object();
    m_lastStage = order.value(QLatin1String("stage")).toString();
    if (m_settings.json) {
        std::printf("%s\n", body.trimmed().constData());
    } else {
        printLine(order.value(QLatin1String("lastEventTime")).toString(),
                  QString::number(order.value(QLatin1String("lastEventId")).toInteger()),
                  m_lastStage, order.value(QLatin1String("status")).toString(), {});
    }
    std::fflush(stdout);
}

void StreamWatcher::streamEnded()
{
    QNetworkReply *reply = m_reply;
    m_reply = nullptr;
    reply->deleteLater();
    const int status = httpStatus(reply);

    // 204 is the server's way to tell EventSource not to reconnect.
    if (status == 204) {
        std::fprintf(stderr, "%s\n",
                     qPrintable(ClientCommands::tr("orderstream watch: the server has no more "
                                                   "events for order %1")
                                        .arg(m_settings.orderId)));
        finish(ExitSuccess);
        return;
    }
    // EventSource gives up on any other status but 200, and so does watch.
    if (status != 0 && status != 200) {
        fail(describeFailure(reply, reply->readAll()));
        return;
    }
    if (status == 0 && !m_everOpened) {
        fail(describeFailure(reply, {}));
        return;
    }
    if (!m_lastStage.isEmpty() && m_settings.lifecycle.isFinal(m_lastStage)) {
        std::fprintf(stderr, "%s\n",
                     qPrintable(ClientCommands::tr("orderstream watch: order %1 is %2, and the "
                                                   "server closed its stream")
                                        .arg(m_settings.orderId, m_lastStage)));
        finish(ExitSuccess);
        return;
    }

    if (!m_reconnecting) {
        std::fprintf(stderr, "%s\n",
                     qPrintable(ClientCommands::tr("orderstream watch: the connection to %1 "
                                                   "was lost (%2); reconnecting every %3 ms")
                                        .arg(reply->url().toString(QUrl::RemoveQuery),
                                             reply->error() == QNetworkReply::NoError
                                                     ? ClientCommands::tr("end of stream")
                                                     : reply->errorString())
                                        .arg(m_retryMs)));
    }
    m_reconnecting = true;
    m_reconnectTimer.start(m_retryMs);
}

void StreamWatcher::fail(const QString &message)
{
    std::fprintf(stderr, "orderstream watch: %s\n", qPrintable(message));
    finish(ExitFailure);
}

void StreamWatcher::finish(int exitCode)
{
    stop();
    QCoreApplication::exit(exitCode);
}
