#pragma once

#include <QByteArray>
#include <QHash>
#include <QObject>
#include <QString>
#include <QTcpServer>

class QTcpSocket;

// Serves one HTML page at "/" (any query string) on 127.0.0.1, on a port the
// OS picks, so that the page has an origin of its own. Other paths get 404.
// Each response closes its connection. Runs on the event loop of the thread
// that created it.
class PageServer : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(PageServer)

public:
    explicit PageServer(const QByteArray &html, QObject *parent = nullptr);

    // Returns false with errorMessage set when listening fails.
    bool listen(QString *errorMessage);
    quint16 port() const { return m_server.serverPort(); }
    // "http://127.0.0.1:<port>", the value a browser sends in Origin.
    QString origin() const;

private:
    void acceptConnections();
    void readRequest(QTcpSocket *socket);

    QTcpServer m_server;
    const QByteArray m_html;
    // Request bytes received so far, per connection, until the blank line.
    QHash<QTcpSocket *, QByteArray> m_requests;
};
