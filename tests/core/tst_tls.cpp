#include "orderstreamservice.h"
#include "ssetestclient.h"
#include "testservice.h"

#include <QDeadlineTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslSocket>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <functional>
#include <memory>

namespace {

using KeyPointer = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;

bool writePem(const QString &path, const std::function<int(BIO *)> &write)
{
    const std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
    if (write(bio.get()) != 1)
        return false;
    char *data = nullptr;
    const long size = BIO_get_mem_data(bio.get(), &data);
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(data, size) == size;
}

KeyPointer makeKey()
{
    return KeyPointer(EVP_EC_gen("P-256"), &EVP_PKEY_free);
}

bool writeKey(const QString &path, EVP_PKEY *key)
{
    return writePem(path, [key](BIO *bio) {
        return PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
    });
}

// Writes a self-signed certificate for 127.0.0.1 and localhost, valid for a
// day, made for the key.
bool writeSelfSignedCertificate(const QString &path, EVP_PKEY *key)
{
    const std::unique_ptr<X509, decltype(&X509_free)> certificate(X509_new(), &X509_free);
    X509 *x509 = certificate.get();
    X509_set_version(x509, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x509), 1);
    X509_gmtime_adj(X509_getm_notBefore(x509), -3600);
    X509_gmtime_adj(X509_getm_notAfter(x509), 24 * 3600);
    X509_set_pubkey(x509, key);
    X509_NAME *name = X509_get_subject_name(x509);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char *>("127.0.0.1"), -1, -1, 0);
    X509_set_issuer_name(x509, name);

    X509V3_CTX context;
    X509V3_set_ctx_nodb(&context);
    X509V3_set_ctx(&context, x509, x509, nullptr, nullptr, 0);
    const std::pair<int, const char *> extensions[] = {
        {NID_subject_alt_name, "IP:127.0.0.1,DNS:localhost"},
        {NID_basic_constraints, "critical,CA:TRUE"},
        {NID_key_usage, "critical,digitalSignature,keyCertSign"},
    };
    for (const auto &[nid, value] : extensions) {
        X509_EXTENSION *extension = X509V3_EXT_conf_nid(nullptr, &context, nid, value);
        if (!extension)
            return false;
        X509_add_ext(x509, extension, -1);
        X509_EXTENSION_free(extension);
    }
    if (X509_sign(x509, key, EVP_sha256()) == 0)
        return false;
    return writePem(path, [x509](BIO *bio) { return PEM_write_bio_X509(bio, x509); });
}

struct HttpsResponse
{
    int status = 0;
    QByteArray body;
};

// Sends one request over TLS with "Connection: close" and reads the response.
HttpsResponse httpsRequest(quint16 port, const QList<QSslCertificate> &trusted,
                           const QByteArray &method, const QByteArray &path,
                           const QByteArray &body = {})
{
    QSslSocket socket;
    QSslConfiguration configuration = socket.sslConfiguration();
    configuration.setCaCertificates(trusted);
    socket.setSslConfiguration(configuration);
    socket.connectToHostEncrypted(QStringLiteral("127.0.0.1"), port);
    if (!socket.waitForEncrypted(10000))
        return {};

    QByteArray request = method + ' ' + path
            + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
    if (!body.isEmpty()) {
        request += "Content-Type: application/json\r\nContent-Length: "
                + QByteArray::number(body.size()) + "\r\n";
    }
    socket.write(request + "\r\n" + body);

    QByteArray received;
    const QDeadlineTimer deadline(10000);
    while (socket.state() == QAbstractSocket::ConnectedState && !deadline.hasExpired()) {
        if (socket.waitForReadyRead(int(deadline.remainingTime())))
            received += socket.readAll();
    }
    received += socket.readAll();

    HttpsResponse response;
    const qsizetype end = received.indexOf("\r\n\r\n");
    if (received.startsWith("HTTP/1.1 ") && end > 0) {
        response.status = received.mid(9, 3).toInt();
        response.body = received.mid(end + 4);
    }
    return response;
}

} // namespace

// HTTPS over real sockets on 127.0.0.1 with a certificate made by the test:
// streams through the TLS relay to curl and to QSslSocket, errors for plain
// HTTP on the TLS port, and a clear start error for unusable files.
class tst_Tls : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();

    void curlStreamReceivesEvent();
    void clientCommandTrustsCacert();
    void qsslSocketStreamReceivesEvents();
    void plainHttpOnTlsPortIsRejected();
    void tlsStreamThatNeverReadsIsDropped();
    void unusableFilesStopStart_data();
    void unusableFilesStopStart();

private:
    ServerConfig tlsConfig() const;
    int publish(const QByteArray &orderId, const QByteArray &status);

    QTemporaryDir m_dir;
    QString m_certificatePath;
    QString m_keyPath;
    QString m_otherKeyPath;
    QList<QSslCertificate> m_trusted;
    std::unique_ptr<OrderStreamService> m_service;
    quint16 m_port = 0;
};

void tst_Tls::initTestCase()
{
    if (!QSslSocket::supportsSsl())
        QSKIP("Qt has no TLS backend here (package libqt6network6 provides the OpenSSL plugin)");
    QVERIFY(m_dir.isValid());
    m_certificatePath = m_dir.filePath(QStringLiteral("cert.pem"));
    m_keyPath = m_dir.filePath(QStringLiteral("key.pem"));
    m_otherKeyPath = m_dir.filePath(QStringLiteral("other-key.pem"));

    const KeyPointer key = makeKey();
    const KeyPointer otherKey = makeKey();
    QVERIFY(key && otherKey);
    QVERIFY(writeKey(m_keyPath, key.get()));
    QVERIFY(writeKey(m_otherKeyPath, otherKey.get()));
    QVERIFY(writeSelfSignedCertificate(m_certificatePath, key.get()));
    m_trusted = QSslCertificate::fromPath(m_certificatePath);
    QCOMPARE(m_trusted.size(), 1);
}

ServerConfig tst_Tls::tlsConfig() const
{
    ServerConfig config = testServerConfig(m_dir, 2);
    config.tlsCertificatePath = m_certificatePath;
    config.tlsKeyPath = m_keyPath;
    return config;
}

void tst_Tls::init()
{
    if (QByteArray(QTest::currentTestFunction()) == "unusableFilesStopStart")
        return;
    ServerConfig config = tlsConfig();
    if (QByteArray(QTest::currentTestFunction()) == "tlsStreamThatNeverReadsIsDropped")
        config.maxUnsentBytes = 64 * 1024;
    QString error;
    QVERIFY2(startTestService(m_service, config, &error), qPrintable(error));
    m_port = m_service->port();
}

void tst_Tls::cleanup()
{
    m_service.reset();
}

int tst_Tls::publish(const QByteArray &orderId, const QByteArray &status)
{
    const HttpsResponse response = httpsRequest(m_port, m_trusted, "POST",
                                                "/orders/" + orderId + "/events",
                                                R"({"status":")" + status + R"("})");
    return response.status;
}

void tst_Tls::clientCommandTrustsCacert()
{
    const auto runPublish = [this](const QStringList &extraArguments) {
        QProcess process;
        QStringList arguments{QStringLiteral("publish"), QStringLiteral("TLS-CLI"),
                              QStringLiteral("--status"), QStringLiteral("Activating"),
                              QStringLiteral("--server"),
                              QStringLiteral("https://127.0.0.1:%1").arg(m_port),
                              // Authentication is off; the token only spares the client
                              // from signing one with a secret file.
                              QStringLiteral("--token"), QStringLiteral("unused")};
        process.start(QStringLiteral(ORDERSTREAM_BINARY), arguments + extraArguments);
        if (!process.waitForFinished(20000))
            return std::make_pair(-1, QByteArray());
        const QByteArray output = process.readAllStandardOutput() + process.readAllStandardError();
        return std::make_pair(process.exitCode(), output);
    };

    // The self-signed certificate is not trusted without --cacert.
    const auto untrusted = runPublish({});
    QCOMPARE(untrusted.first, 1);
    QVERIFY2(untrusted.second.contains("SSL"), untrusted.second.constData());

    const auto trusted = runPublish({QStringLiteral("--cacert"), m_certificatePath});
    QCOMPARE(trusted.first, 0);
    QCOMPARE(trusted.second.trimmed(), QByteArray("1"));

    const auto missing = runPublish({QStringLiteral("--cacert"), m_dir.filePath(QStringLiteral("none.pem"))});
    QCOMPARE(missing.first, 2);
    QVERIFY2(missing.second.contains("no PEM certificate"), missing.second.constData());
}

void tst_Tls::curlStreamReceivesEvent()
{
    const QString curl = QStandardPaths::findExecutable(QStringLiteral("curl"));
    if (curl.isEmpty())
        QSKIP("curl is not installed (Debian package curl)");

    QProcess client;
    client.start(curl, {QStringLiteral("--cacert"), m_certificatePath, QStringLiteral("-N"),
                        QStringLiteral("-s"), QStringLiteral("--max-time"), QStringLiteral("30"),
                        QStringLiteral("https://127.0.0.1:%1/orders/ORD-1/events").arg(m_port)});
    QVERIFY(client.waitForStarted());
    QByteArray output;
    connect(&client, &QProcess::readyReadStandardOutput, this,
            [&] { output += client.readAllStandardOutput(); });

    QTRY_COMPARE_WITH_TIMEOUT(m_service->snapshot(0, 0).connections, 1, 10000);
    QTRY_VERIFY(output.contains("retry: "));
    QCOMPARE(publish("ORD-1", "Activating"), 202);

    QTRY_VERIFY_WITH_TIMEOUT(output.contains("event: order.update"), 10000);
    QVERIFY(output.contains("\"status\":\"Activating\""));
    QVERIFY2(client.state() == QProcess::Running, client.readAllStandardError().constData());

    client.kill();
    client.waitForFinished();
    QTRY_COMPARE(m_service->snapshot(0, 0).connections, 0);
}

void tst_Tls::qsslSocketStreamReceivesEvents()
{
    QSslSocket stream;
    QSslConfiguration configuration = stream.sslConfiguration();
    configuration.setCaCertificates(m_trusted);
    stream.setSslConfiguration(configuration);
    QByteArray received;
    connect(&stream, &QIODevice::readyRead, this, [&] { received += stream.readAll(); });
    stream.connectToHostEncrypted(QStringLiteral("127.0.0.1"), m_port);
    QTRY_VERIFY(stream.isEncrypted());
    stream.write("GET /orders/ORD-2/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");

    QTRY_COMPARE(m_service->snapshot(0, 0).connections, 1);
    QTRY_VERIFY(received.contains("\r\n\r\nretry: "));
    QVERIFY(received.startsWith("HTTP/1.1 200 OK\r\n"));
    QVERIFY(received.contains("Content-Type: text/event-stream\r\n"));

    // The stream's peer is the TLS client, not the relay.
    const QList<StreamConnection> connections = m_service->connections(10);
    QCOMPARE(connections.size(), 1);
    QCOMPARE(connections.first().info.remoteAddress, QStringLiteral("127.0.0.1"));
    QCOMPARE(connections.first().info.remotePort, stream.localPort());

    // Input on an open stream is discarded, not parsed as a request.
    stream.write("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    for (int i = 0; i < 20; ++i)
        QCOMPARE(publish("ORD-2", "step-" + QByteArray::number(i)), 202);
    QTRY_COMPARE(received.count("event: order.update"), 20);
    QCOMPARE(received.count("HTTP/1.1"), 1);
    QVERIFY(received.indexOf("step-0") < received.indexOf("step-19"));

    // The client leaving closes the stream on the engine's side.
    stream.abort();
    QTRY_COMPARE(m_service->snapshot(0, 0).connections, 0);
    QCOMPARE(httpsRequest(m_port, m_trusted, "GET", "/healthz").status, 200);
}

void tst_Tls::plainHttpOnTlsPortIsRejected()
{
    const HttpTestResponse plain = sendHttpRequest(m_port, "GET", "/healthz");
    QCOMPARE(plain.status, 400);
    QCOMPARE(QJsonDocument::fromJson(plain.body).object().value(QStringLiteral("error")).toString(),
             QStringLiteral("tls_required"));

    // Garbage that is neither HTTP nor TLS.
    QTcpSocket garbage;
    garbage.connectToHost(QHostAddress::LocalHost, m_port);
    QVERIFY(garbage.waitForConnected(5000));
    garbage.write(QByteArray(1024, '\0'));
    QTRY_VERIFY(garbage.state() == QAbstractSocket::UnconnectedState);

    QCOMPARE(httpsRequest(m_port, m_trusted, "GET", "/healthz").status, 200);
}

void tst_Tls::tlsStreamThatNeverReadsIsDropped()
{
    // The relay stops reading from the engine while the TLS client does not
    // take its bytes, so the engine's bound on unsent bytes drops it.
    QSslSocket stalled;
    QSslConfiguration configuration = stalled.sslConfiguration();
    configuration.setCaCertificates(m_trusted);
    stalled.setSslConfiguration(configuration);
    stalled.setSocketOption(QAbstractSocket::ReceiveBufferSizeSocketOption, 4096);
    stalled.setReadBufferSize(1024);
    stalled.connectToHostEncrypted(QStringLiteral("127.0.0.1"), m_port);
    QTRY_VERIFY(stalled.isEncrypted());
    stalled.write("GET /orders/ORD-3/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    QTRY_COMPARE(m_service->snapshot(0, 0).connections, 1);

    // Bounded, so a server that never drops the stream fails the test.
    const QByteArray padding(60 * 1024, 'p');
    int published = 0;
    while (m_service->snapshot(0, 0).connections > 0 && published < 400) {
        QCOMPARE(publish("ORD-3", padding), 202);
        ++published;
    }
    QTRY_COMPARE(m_service->snapshot(0, 0).connections, 0);
    QCOMPARE(httpsRequest(m_port, m_trusted, "GET", "/healthz").status, 200);
}

void tst_Tls::unusableFilesStopStart_data()
{
    QTest::addColumn<QString>("certificate");
    QTest::addColumn<QString>("key");
    QTest::addColumn<QString>("expected");

    const QString missing = m_dir.filePath(QStringLiteral("missing.pem"));
    QTest::newRow("missing certificate") << missing << m_keyPath << missing;
    QTest::newRow("missing key") << m_certificatePath << missing << missing;
    QTest::newRow("key as certificate") << m_keyPath << m_keyPath << "contains no PEM certificate";
    QTest::newRow("certificate as key") << m_certificatePath << m_certificatePath
                                        << "contains no unencrypted PEM private key";
    QTest::newRow("key of another certificate") << m_certificatePath << m_otherKeyPath
                                                << "does not belong to the certificate";
    QTest::newRow("certificate without key") << m_certificatePath << QString()
                                             << "needs both a certificate and a private key";
}

void tst_Tls::unusableFilesStopStart()
{
    QFETCH(QString, certificate);
    QFETCH(QString, key);
    QFETCH(QString, expected);

    ServerConfig config = tlsConfig();
    config.tlsCertificatePath = certificate;
    config.tlsKeyPath = key;
    QString error;
    QVERIFY(!startTestService(m_service, config, &error));
    QVERIFY2(error.contains(expected), qPrintable(error));
    QVERIFY(!m_service->isRunning());
}

QTEST_GUILESS_MAIN(tst_Tls)
#include "tst_tls.moc"
