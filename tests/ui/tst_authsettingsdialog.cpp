#include "authsettings.h"
#include "authsettingsdialog.h"

#include <QApplication>
#include <QDialogButtonBox>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSettings>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

// The authentication settings dialog with real files in a temporary folder
// and QSettings in Qt's test mode.
class tst_AuthSettingsDialog : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();

    void secretNeverShown();
    void invalidLeewayRejected_data();
    void invalidLeewayRejected();
    void invalidNamesRejected();
    void publicKeyMustParse();
    void missingPublicKeyRejected();
    void savesAndLoadsBack();
    void generateNewSecretWritesFile();
    void generateNewSecretCancelled();

private:
    QString writeFile(const QString &name, const QByteArray &contents);
    QLineEdit *field(AuthSettingsDialog &dialog, const char *objectName);
    // Clicks the button of the next message box once it is open.
    void answerNextMessageBox(QMessageBox::StandardButton button);

    QTemporaryDir m_dir;
    const QByteArray m_secret = "tst-secret-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFGHIJ";
};

void tst_AuthSettingsDialog::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("OrderStreamTests"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_ui_authsettingsdialog"));
    QVERIFY(m_dir.isValid());
}

void tst_AuthSettingsDialog::init()
{
    QSettings().clear();
}

QString tst_AuthSettingsDialog::writeFile(const QString &name, const QByteArray &contents)
{
    const QString path = m_dir.filePath(name);
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return {};
    file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    file.write(contents);
    return path;
}

QLineEdit *tst_AuthSettingsDialog::field(AuthSettingsDialog &dialog, const char *objectName)
{
    auto *edit = dialog.findChild<QLineEdit *>(QLatin1String(objectName));
    if (!edit)
        qWarning("no field named %s", objectName);
    return edit;
}

void tst_AuthSettingsDialog::answerNextMessageBox(QMessageBox::StandardButton button)
{
    QTimer::singleShot(0, this, [button] {
        auto *box = qobject_cast<QMessageBox *>(QApplication::activeModalWidget());
        QVERIFY(box);
        box->button(button)->click();
    });
}

void tst_AuthSettingsDialog::secretNeverShown()
{
    const QString secretPath = writeFile(QStringLiteral("shown-secret"), m_secret + '\n');
    QVERIFY(!secretPath.isEmpty());
    AuthSettings settings;
    settings.secretFilePath = secretPath;
    settings.save();

    AuthSettingsDialog dialog;
    dialog.show();
    QCOMPARE(dialog.validationError(), QString());

    auto *status = dialog.findChild<QLabel *>(QStringLiteral("secretStatus"));
    QVERIFY(status);
    QCOMPARE(status->text(), QStringLiteral("•••• %1 characters, file mode 0600").arg(m_secret.size()));

    // Not even a part of the secret: every 8-character piece is checked.
    QStringList pieces;
    for (qsizetype start = 0; start + 8 <= m_secret.size(); start += 8)
        pieces.append(QString::fromLatin1(m_secret.mid(start, 8)));
    QStringList texts;
    for (const QLineEdit *edit : dialog.findChildren<QLineEdit *>())
        texts << edit->text() << edit->placeholderText() << edit->toolTip();
    for (const QLabel *label : dialog.findChildren<QLabel *>())
        texts << label->text() << label->toolTip();
    for (const QPlainTextEdit *edit : dialog.findChildren<QPlainTextEdit *>())
        texts << edit->toPlainText();
    QVERIFY(texts.size() > 20);
    for (const QString &text : std::as_const(texts)) {
        for (const QString &piece : std::as_const(pieces))
            QVERIFY2(!text.contains(piece), qPrintable(text));
    }
}

void tst_AuthSettingsDialog::invalidLeewayRejected_data()
{
    QTest::addColumn<QString>("leeway");
    QTest::newRow("above maximum") << QStringLiteral("3601");
    QTest::newRow("negative") << QStringLiteral("-1");
    QTest::newRow("not a number") << QStringLiteral("thirty");
    QTest::newRow("empty") << QString();
    QTest::newRow("decimal") << QStringLiteral("1.5");
}

void tst_AuthSettingsDialog::invalidLeewayRejected()
{
    QFETCH(QString, leeway);
    AuthSettingsDialog dialog;
    QLineEdit *leewayEdit = field(dialog, "leeway");
    QVERIFY(leewayEdit);
    leewayEdit->setText(leeway);

    QVERIFY(dialog.validationError().startsWith(QLatin1String("Invalid leeway")));
    auto *errorLabel = dialog.findChild<QLabel *>(QStringLiteral("validationError"));
    QVERIFY(errorLabel);
    QCOMPARE(errorLabel->text(), dialog.validationError());
    auto *buttons = dialog.findChild<QDialogButtonBox *>();
    QVERIFY(buttons);
    QVERIFY(!buttons->button(QDialogButtonBox::Save)->isEnabled());

    dialog.accept();
    QCOMPARE(dialog.result(), int(QDialog::Rejected));
    QVERIFY(!QSettings().contains(QStringLiteral("auth/leewaySeconds")));

    leewayEdit->setText(QStringLiteral("3600"));
    QCOMPARE(dialog.validationError(), QString());
    QVERIFY(buttons->button(QDialogButtonBox::Save)->isEnabled());
}

void tst_AuthSettingsDialog::invalidNamesRejected()
{
    AuthSettingsDialog dialog;
    for (const char *name : {"subjectClaim", "ordersClaim", "scopeClaim", "staffScope",
                             "publishScope", "tokenCookie"}) {
        QLineEdit *edit = field(dialog, name);
        QVERIFY(edit);
        const QString valid = edit->text();

        edit->setText(QStringLiteral("with space"));
        QVERIFY2(dialog.validationError().startsWith(QLatin1String("Invalid")), name);
        edit->clear();
        QVERIFY2(dialog.validationError().startsWith(QLatin1String("Invalid")), name);
        edit->setText(valid);
        QVERIFY2(dialog.validationError().isEmpty(), name);
    }

    QLineEdit *cookie = field(dialog, "tokenCookie");
    cookie->setText(QStringLiteral("a=b"));
    QVERIFY(dialog.validationError().startsWith(QLatin1String("Invalid token cookie")));
}

void tst_AuthSettingsDialog::publicKeyMustParse()
{
    const QString notAKey = writeFile(QStringLiteral("not-a-key.pem"),
                                      "-----BEGIN PUBLIC KEY-----\nbm90IGEga2V5\n"
                                      "-----END PUBLIC KEY-----\n");
    QVERIFY(!notAKey.isEmpty());
    AuthSettingsDialog dialog;
    QLineEdit *publicKey = field(dialog, "publicKeyFile");
    QVERIFY(publicKey);
    publicKey->setText(notAKey);
    QVERIFY2(dialog.validationError().startsWith(QLatin1String("The keys cannot verify tokens: ")),
             qPrintable(dialog.validationError()));

    const QString realKey = QStringLiteral(ORDERSTREAM_JWT_FIXTURES "/rsa-public.pem");
    QVERIFY(QFile::exists(realKey));
    publicKey->setText(realKey);
    QCOMPARE(dialog.validationError(), QString());

    // A 1024-bit RSA key parses but is too short for RS256.
    publicKey->setText(QStringLiteral(ORDERSTREAM_JWT_FIXTURES "/rsa1024-public.pem"));
    QVERIFY(dialog.validationError().startsWith(QLatin1String("The keys cannot verify tokens: ")));
}

void tst_AuthSettingsDialog::missingPublicKeyRejected()
{
    AuthSettingsDialog dialog;
    QLineEdit *publicKey = field(dialog, "publicKeyFile");
    QVERIFY(publicKey);
    publicKey->setText(m_dir.filePath(QStringLiteral("missing.pem")));
    QVERIFY(dialog.validationError().contains(QLatin1String("does not exist")));

    QLineEdit *secretFile = field(dialog, "secretFile");
    publicKey->clear();
    secretFile->setText(m_dir.filePath(QStringLiteral("missing-secret")));
    QVERIFY(dialog.validationError().contains(QLatin1String("does not exist")));
}

void tst_AuthSettingsDialog::savesAndLoadsBack()
{
    const QString secretPath = writeFile(QStringLiteral("saved-secret"), m_secret);
    AuthSettingsDialog dialog;
    field(dialog, "secretFile")->setText(secretPath);
    field(dialog, "publicKeyFile")->setText(QStringLiteral(ORDERSTREAM_JWT_FIXTURES "/ec-public.pem"));
    field(dialog, "issuer")->setText(QStringLiteral("https://issuer.example"));
    field(dialog, "audience")->setText(QStringLiteral("orderstream-test"));
    field(dialog, "leeway")->setText(QStringLiteral("120"));
    field(dialog, "subjectClaim")->setText(QStringLiteral("uid"));
    field(dialog, "ordersClaim")->setText(QStringLiteral("order_ids"));
    field(dialog, "scopeClaim")->setText(QStringLiteral("scp"));
    field(dialog, "staffScope")->setText(QStringLiteral("staff"));
    field(dialog, "publishScope")->setText(QStringLiteral("publisher"));
    field(dialog, "tokenCookie")->setText(QStringLiteral("session_token"));
    field(dialog, "failuresPerMinute")->setText(QStringLiteral("0"));
    QCOMPARE(dialog.validationError(), QString());

    dialog.accept();
    QCOMPARE(dialog.result(), int(QDialog::Accepted));

    const AuthSettings loaded = AuthSettings::load();
    QCOMPARE(loaded.secretFilePath, secretPath);
    QCOMPARE(loaded.publicKeyPath, QStringLiteral(ORDERSTREAM_JWT_FIXTURES "/ec-public.pem"));
    QCOMPARE(loaded.issuer, QStringLiteral("https://issuer.example"));
    QCOMPARE(loaded.audience, QStringLiteral("orderstream-test"));
    QCOMPARE(loaded.leewaySeconds, 120);
    QCOMPARE(loaded.subjectClaim, QStringLiteral("uid"));
    QCOMPARE(loaded.ordersClaim, QStringLiteral("order_ids"));
    QCOMPARE(loaded.scopeClaim, QStringLiteral("scp"));
    QCOMPARE(loaded.staffScope, QStringLiteral("staff"));
    QCOMPARE(loaded.publishScope, QStringLiteral("publisher"));
    QCOMPARE(loaded.tokenCookieName, QStringLiteral("session_token"));
    QCOMPARE(loaded.authFailuresPerMinute, 0);

    // The secret itself is nowhere in the settings.
    const QSettings settings;
    for (const QString &key : settings.allKeys())
        QVERIFY2(!settings.value(key).toString().contains(QString::fromLatin1(m_secret)),
                 qPrintable(key));

    AuthSettingsDialog reopened;
    QCOMPARE(field(reopened, "issuer")->text(), QStringLiteral("https://issuer.example"));
    QCOMPARE(field(reopened, "leeway")->text(), QStringLiteral("120"));
    QCOMPARE(field(reopened, "tokenCookie")->text(), QStringLiteral("session_token"));
}

void tst_AuthSettingsDialog::generateNewSecretWritesFile()
{
    const QString secretPath = writeFile(QStringLiteral("rotated-secret"), m_secret + '\n');
    AuthSettingsDialog dialog;
    field(dialog, "secretFile")->setText(secretPath);

    answerNextMessageBox(QMessageBox::Yes);
    QVERIFY(dialog.generateNewSecret());

    QFile file(secretPath);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray newSecret = file.readAll().trimmed();
    QVERIFY(!newSecret.isEmpty());
    QVERIFY(newSecret != m_secret);
    QVERIFY(newSecret.size() >= 32);
    QCOMPARE(file.permissions() & ~(QFileDevice::ReadUser | QFileDevice::WriteUser),
             QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    QVERIFY(!QFile::exists(secretPath + QStringLiteral(".new")));

    auto *status = dialog.findChild<QLabel *>(QStringLiteral("secretStatus"));
    QCOMPARE(status->text(), QStringLiteral("•••• %1 characters, file mode 0600").arg(newSecret.size()));
    for (const QLabel *label : dialog.findChildren<QLabel *>())
        QVERIFY(!label->text().contains(QString::fromLatin1(newSecret.left(8))));
}

void tst_AuthSettingsDialog::generateNewSecretCancelled()
{
    const QString secretPath = writeFile(QStringLiteral("kept-secret"), m_secret);
    AuthSettingsDialog dialog;
    field(dialog, "secretFile")->setText(secretPath);

    answerNextMessageBox(QMessageBox::Cancel);
    QVERIFY(!dialog.generateNewSecret());

    QFile file(secretPath);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QCOMPARE(file.readAll(), m_secret);
}

QTEST_MAIN(tst_AuthSettingsDialog)

#include "tst_authsettingsdialog.moc"
