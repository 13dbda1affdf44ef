#include "authsettingsdialog.h"

#include "jwtverifier.h"
#include "secretfile.h"

#include <QDialogButtonBox>
#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QVBoxLayout>

#include <cstdio>

namespace {

// Returns the permissions as the octal mode that ls and chmod use, such as 0600.
int unixMode(QFileDevice::Permissions permissions)
{
    const int bits = int(permissions);
    const int owner = (bits >> 12) & 7;
    const int group = (bits >> 4) & 7;
    const int other = bits & 7;
    return (owner << 6) | (group << 3) | other;
}

// Reads a key file. Returns an empty array with error set when it fails.
QByteArray readKeyFile(const QString &path, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = AuthSettingsDialog::tr("Cannot read %1: %2")
                         .arg(QDir::toNativeSeparators(path), file.errorString());
        return {};
    }
    return file.readAll();
}

bool parseInteger(const QString &text, int minimum, int maximum, int *value)
{
    bool ok = false;
    *value = text.trimmed().toInt(&ok);
    return ok && *value >= minimum && *value <= maximum;
}

} // namespace

AuthSettingsDialog::AuthSettingsDialog(QWidget *parent) : QDialog(parent)
{
    setObjectName(QStringLiteral("authSettingsDialog"));
    setWindowTitle(tr("Authentication Settings"));

    auto *restartNote = new QLabel(
            tr("Changes apply the next time the server starts. Command-line options such as "
               "--jwt-issuer override these settings, and the environment variable "
               "ORDERSTREAM_JWT_SECRET overrides the secret file."),
            this);
    restartNote->setObjectName(QStringLiteral("restartNote"));
    restartNote->setWordWrap(true);

    m_secretFile = addLineEdit(QStringLiteral("secretFile"),
                               tr("File with the HS256 secret; empty uses the default file"));
    m_secretFile->setPlaceholderText(QDir::toNativeSeparators(SecretFile::defaultPath()));
    m_secretStatus = new QLabel(this);
    m_secretStatus->setObjectName(QStringLiteral("secretStatus"));
    m_secretStatus->setTextFormat(Qt::PlainText);
    m_secretStatus->setWordWrap(true);
    m_generateButton = new QPushButton(tr("&Generate New Secret…"), this);
    m_generateButton->setObjectName(QStringLiteral("generateSecret"));
    m_generateButton->setToolTip(tr("Write a new random secret into the secret file. Every "
                                    "token signed with the current secret stops working."));
    m_publicKeyFile = addLineEdit(QStringLiteral("publicKeyFile"),
                                  tr("PEM public key (RSA or EC P-256) for RS256 or ES256 "
                                     "tokens; empty turns them off"));

    auto *keysBox = new QGroupBox(tr("Keys"), this);
    auto *keysForm = new QFormLayout(keysBox);
    keysForm->addRow(tr("HS256 &secret file:"),
                     withBrowseButton(m_secretFile, tr("Choose the Secret File")));
    keysForm->addRow(tr("Secret:"), m_secretStatus);
    keysForm->addRow(QString(), m_generateButton);
    keysForm->addRow(tr("&Public key file:"),
                     withBrowseButton(m_publicKeyFile, tr("Choose the Public Key")));

    m_issuer = addLineEdit(QStringLiteral("issuer"),
                           tr("Expected iss claim; empty accepts any issuer"));
    m_audience = addLineEdit(QStringLiteral("audience"),
                             tr("This server's name in the aud claim; empty rejects tokens "
                                "that have an aud claim"));
    m_leeway = addLineEdit(QStringLiteral("leeway"),
                           tr("Clock difference allowed for exp and nbf, in seconds from 0 "
                              "to %1")
                                   .arg(MaxJwtLeewaySeconds));
    auto *checksBox = new QGroupBox(tr("Token checks"), this);
    auto *checksForm = new QFormLayout(checksBox);
    checksForm->addRow(tr("&Issuer:"), m_issuer);
    checksForm->addRow(tr("&Audience:"), m_audience);
    checksForm->addRow(tr("&Leeway (seconds):"), m_leeway);

    m_subjectClaim = addLineEdit(QStringLiteral("subjectClaim"),
                                 tr("Claim that names the token holder"));
    m_ordersClaim = addLineEdit(QStringLiteral("ordersClaim"),
                                tr("Claim with the array of order ids the holder may watch"));
    m_scopeClaim = addLineEdit(QStringLiteral("scopeClaim"),
                               tr("Claim with the scopes, space-separated or an array"));
    m_staffScope = addLineEdit(QStringLiteral("staffScope"),
                               tr("Scope that lets the holder watch every order"));
    m_publishScope = addLineEdit(QStringLiteral("publishScope"),
                                 tr("Scope that lets the holder publish order events"));
    auto *claimsBox = new QGroupBox(tr("Claims and scopes"), this);
    auto *claimsForm = new QFormLayout(claimsBox);
    claimsForm->addRow(tr("S&ubject claim:"), m_subjectClaim);
    claimsForm->addRow(tr("&Orders claim:"), m_ordersClaim);
    claimsForm->addRow(tr("S&cope claim:"), m_scopeClaim);
    claimsForm->addRow(tr("S&taff scope:"), m_staffScope);
    claimsForm->addRow(tr("P&ublish scope:"), m_publishScope);

    m_tokenCookie = addLineEdit(QStringLiteral("tokenCookie"),
                                tr("Cookie that may carry the token when a request has no "
                                   "Authorization header"));
    m_failuresPerMinute = addLineEdit(QStringLiteral("failuresPerMinute"),
                                      tr("Failed authentications per address and minute before "
                                         "the server answers 429; 0 turns the limit off"));
    auto *requestsBox = new QGroupBox(tr("Requests"), this);
    auto *requestsForm = new QFormLayout(requestsBox);
    requestsForm->addRow(tr("Token &cookie:"), m_tokenCookie);
    requestsForm->addRow(tr("&Failures per minute:"), m_failuresPerMinute);

    m_errorLabel = new QLabel(this);
    m_errorLabel->setObjectName(QStringLiteral("validationError"));
    m_errorLabel->setTextFormat(Qt::PlainText);
    m_errorLabel->setWordWrap(true);
    m_errorLabel->hide();

    m_buttons = new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel, this);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(restartNote);
    layout->addWidget(keysBox);
    layout->addWidget(checksBox);
    layout->addWidget(claimsBox);
    layout->addWidget(requestsBox);
    layout->addWidget(m_errorLabel);
    layout->addWidget(m_buttons);

    setSettings(AuthSettings::load());

    connect(m_buttons, &QDialogButtonBox::accepted, this, &AuthSettingsDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &AuthSettingsDialog::reject);
    connect(m_generateButton, &QPushButton::clicked, this,
            [this] { generateNewSecret(); });
    const QList<QLineEdit *> edits = findChildren<QLineEdit *>();
    for (QLineEdit *edit : edits)
        connect(edit, &QLineEdit::textChanged, this, &AuthSettingsDialog::validate);
}

AuthSettingsDialog::~AuthSettingsDialog() = default;

QLineEdit *AuthSettingsDialog::addLineEdit(const QString &objectName, const QString &toolTip)
{
    auto *edit = new QLineEdit(this);
    edit->setObjectName(objectName);
    edit->setToolTip(toolTip);
    return edit;
}

QWidget *AuthSettingsDialog::withBrowseButton(QLineEdit *edit, const QString &title)
{
    auto *row = new QWidget(this);
    auto *browse = new QPushButton(tr("Browse…"), row);
    auto *layout = new QHBoxLayout(row);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(edit, 1);
    layout->addWidget(browse);
    connect(browse, &QPushButton::clicked, this, [this, edit, title] {
        const QString fileName = QFileDialog::getOpenFileName(this, title, edit->text());
        if (!fileName.isEmpty())
            edit->setText(QDir::toNativeSeparators(fileName));
    });
    return row;
}

AuthSettings AuthSettingsDialog::settings() const
{
    AuthSettings result;
    // The default file is stored as an empty path, so that the server still
    // creates it when it is missing.
    const QString secretPath = QDir::fromNativeSeparators(m_secretFile->text().trimmed());
    result.secretFilePath = secretPath == SecretFile::defaultPath() ? QString() : secretPath;
    result.publicKeyPath = QDir::fromNativeSeparators(m_publicKeyFile->text().trimmed());
    result.issuer = m_issuer->text();
    result.audience = m_audience->text();
    parseInteger(m_leeway->text(), 0, MaxJwtLeewaySeconds, &result.leewaySeconds);
    result.subjectClaim = m_subjectClaim->text();
    result.ordersClaim = m_ordersClaim->text();
    result.scopeClaim = m_scopeClaim->text();
    result.staffScope = m_staffScope->text();
    result.publishScope = m_publishScope->text();
    result.tokenCookieName = m_tokenCookie->text();
    parseInteger(m_failuresPerMinute->text(), 0, MaxAuthFailuresPerMinute,
                 &result.authFailuresPerMinute);
    return result;
}

void AuthSettingsDialog::setSettings(const AuthSettings &settings)
{
    m_secretFile->setText(QDir::toNativeSeparators(settings.secretFilePath));
    m_publicKeyFile->setText(QDir::toNativeSeparators(settings.publicKeyPath));
    m_issuer->setText(settings.issuer);
    m_audience->setText(settings.audience);
    m_leeway->setText(QString::number(settings.leewaySeconds));
    m_subjectClaim->setText(settings.subjectClaim);
    m_ordersClaim->setText(settings.ordersClaim);
    m_scopeClaim->setText(settings.scopeClaim);
    m_staffScope->setText(settings.staffScope);
    m_publishScope->setText(settings.publishScope);
    m_tokenCookie->setText(settings.tokenCookieName);
    m_failuresPerMinute->setText(QString::number(settings.authFailuresPerMinute));
    validate();
}

void AuthSettingsDialog::accept()
{
    validate();
    if (!m_validationError.isEmpty())
        return;

    settings().save();
    QDialog::accept();
}

QString AuthSettingsDialog::effectiveSecretPath() const
{
    const QString path = QDir::fromNativeSeparators(m_secretFile->text().trimmed());
    return path.isEmpty() ? SecretFile::defaultPath() : path;
}

void AuthSettingsDialog::validate()
{
    describeSecret();
    m_validationError = checkFields();
    if (m_validationError.isEmpty())
        m_validationError = checkKeys();

    m_errorLabel->setText(m_validationError);
    m_errorLabel->setVisible(!m_validationError.isEmpty());
    m_buttons->button(QDialogButtonBox::Save)->setEnabled(m_validationError.isEmpty());
}

QString AuthSettingsDialog::checkFields() const
{
    int number = 0;
    if (!parseInteger(m_leeway->text(), 0, MaxJwtLeewaySeconds, &number)) {
        return tr("Invalid leeway \"%1\": enter whole seconds from 0 to %2.")
                .arg(m_leeway->text())
                .arg(MaxJwtLeewaySeconds);
    }
    if (!parseInteger(m_failuresPerMinute->text(), 0, MaxAuthFailuresPerMinute, &number)) {
        return tr("Invalid failures per minute \"%1\": enter a whole number from 0 to %2.")
                .arg(m_failuresPerMinute->text())
                .arg(MaxAuthFailuresPerMinute);
    }

    const struct
    {
        const QLineEdit *edit;
        QString name;
    } names[] = {
        {m_subjectClaim, tr("subject claim")}, {m_ordersClaim, tr("orders claim")},
        {m_scopeClaim, tr("scope claim")},     {m_staffScope, tr("staff scope")},
        {m_publishScope, tr("publish scope")},
    };
    for (const auto &name : names) {
        if (!AuthSettings::isValidName(name.edit->text()))
            return tr("Invalid %1: enter a name without spaces.").arg(name.name);
    }
    if (!AuthSettings::isValidCookieName(m_tokenCookie->text()))
        return tr("Invalid token cookie name: enter a name without spaces, ; , = or \".");

    const AuthSettings current = settings();
    if (!current.secretFilePath.isEmpty()) {
        const QFileInfo secret(current.secretFilePath);
        if (!secret.isFile() || !secret.isReadable()) {
            return tr("The secret file %1 does not exist or cannot be read. Choose another "
                      "file, clear the field to use the default file, or generate a new secret.")
                    .arg(QDir::toNativeSeparators(current.secretFilePath));
        }
    }
    if (!current.publicKeyPath.isEmpty()) {
        const QFileInfo publicKey(current.publicKeyPath);
        if (!publicKey.isFile() || !publicKey.isReadable()) {
            return tr("The public key file %1 does not exist or cannot be read.")
                    .arg(QDir::toNativeSeparators(current.publicKeyPath));
        }
    }
    return {};
}

QString AuthSettingsDialog::checkKeys() const
{
    const AuthSettings current = settings();
    JwtConfig config;
    config.leewaySeconds = current.leewaySeconds;

    QString error;
    if (!current.publicKeyPath.isEmpty()) {
        config.publicKeyPem = readKeyFile(current.publicKeyPath, &error);
        if (!error.isEmpty())
            return error;
    }

    // Like the command line: a public key without a secret file needs no
    // secret, and a missing default secret file is created at start.
    const bool secretUsed = !(current.secretFilePath.isEmpty() && !current.publicKeyPath.isEmpty());
    const QString secretPath = effectiveSecretPath();
    if (secretUsed && QFileInfo::exists(secretPath)) {
        config.hs256Secret = readKeyFile(secretPath, &error).trimmed();
        if (!error.isEmpty())
            return error;
    }
    if (config.hs256Secret.isEmpty() && config.publicKeyPem.isEmpty())
        return {};

    const bool valid = JwtVerifier(config).isValid(&error);
    config.hs256Secret.fill('\0');
    if (!valid)
        return tr("The keys cannot verify tokens: %1.").arg(error);
    return {};
}

void AuthSettingsDialog::describeSecret()
{
    const bool publicKeyOnly = m_secretFile->text().trimmed().isEmpty()
            && !m_publicKeyFile->text().trimmed().isEmpty();
    if (publicKeyOnly) {
        m_secretStatus->setText(tr("Not used: with a public key and no secret file, the server "
                                   "accepts only RS256 or ES256 tokens."));
        return;
    }

    const QString path = effectiveSecretPath();
    const QFileInfo info(path);
    if (!info.exists()) {
        m_secretStatus->setText(m_secretFile->text().trimmed().isEmpty()
                                        ? tr("No secret file yet. The server creates one with a "
                                             "random secret when it starts.")
                                        : tr("The file does not exist."));
        return;
    }

    QString error;
    QByteArray secret = readKeyFile(path, &error).trimmed();
    if (!error.isEmpty()) {
        m_secretStatus->setText(error);
        return;
    }
    // Only the length and the file mode are shown, never any character of
    // the secret.
    const qsizetype length = secret.size();
    secret.fill('\0');
    const int mode = unixMode(info.permissions());
    QString text = tr("•••• %n characters, file mode %1", nullptr, int(length))
                           .arg(mode, 4, 8, QLatin1Char('0'));
    if (mode & 077)
        text += tr(". Other users can read it; restrict it with chmod 600.");
    m_secretStatus->setText(text);
}

bool AuthSettingsDialog::generateNewSecret()
{
    const QString path = effectiveSecretPath();
    const QMessageBox::StandardButton answer = QMessageBox::warning(
            this, tr("Generate New Secret"),
            tr("Write a new random secret into %1?\n\nEvery token issued with the current "
               "secret stops working when the server restarts, so every client needs a new "
               "token.")
                    .arg(QDir::toNativeSeparators(path)),
            QMessageBox::Yes | QMessageBox::Cancel, QMessageBox::Cancel);
    if (answer != QMessageBox::Yes)
        return false;

    // SecretFile creates a secret only where no file exists, so the new one
    // goes into a file beside the old and then replaces it in one rename.
    const QString newPath = path + QStringLiteral(".new");
    QFile::remove(newPath);
    QString error;
    const bool created = !SecretFile::readOrCreate(newPath, true, &error).isEmpty();
    const bool replaced = created
            && std::rename(QFile::encodeName(newPath).constData(),
                           QFile::encodeName(path).constData())
                    == 0;
    if (!replaced) {
        if (error.isEmpty())
            error = tr("cannot replace %1").arg(QDir::toNativeSeparators(path));
        QFile::remove(newPath);
        m_secretStatus->setText(tr("Generating a new secret failed: %1").arg(error));
        return false;
    }

    validate();
    return true;
}
