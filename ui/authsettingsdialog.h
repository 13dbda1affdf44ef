#pragma once

#include "authsettings.h"

#include <QDialog>

class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QPushButton;

// Edits the saved authentication settings (AuthSettings). The HS256 secret
// is only described, by length and file mode, and never shown. Saving writes
// QSettings, and the server reads them the next time it starts.
class AuthSettingsDialog : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AuthSettingsDialog)

public:
    explicit AuthSettingsDialog(QWidget *parent = nullptr);
    ~AuthSettingsDialog() override;

    // Returns the settings as the fields show them. Meaningful only while
    // validationError() is empty.
    AuthSettings settings() const;
    void setSettings(const AuthSettings &settings);
    // Returns the first problem of the fields, or an empty string.
    QString validationError() const { return m_validationError; }

    // Writes the fields to QSettings and closes the dialog. Does nothing
    // while a field is invalid.
    void accept() override;

    // Writes a new random secret into the secret file after the user
    // confirms. Returns false when the user cancels or writing fails.
    bool generateNewSecret();

private:
    QLineEdit *addLineEdit(const QString &objectName, const QString &toolTip);
    QWidget *withBrowseButton(QLineEdit *edit, const QString &title);
    QString effectiveSecretPath() const;
    void validate();
    QString checkFields() const;
    QString checkKeys() const;
    void describeSecret();

    QLineEdit *m_secretFile = nullptr;
    QLabel *m_secretStatus = nullptr;
    QPushButton *m_generateButton = nullptr;
    QLineEdit *m_publicKeyFile = nullptr;
    QLineEdit *m_issuer = nullptr;
    QLineEdit *m_audience = nullptr;
    QLineEdit *m_leeway = nullptr;
    QLineEdit *m_subjectClaim = nullptr;
    QLineEdit *m_ordersClaim = nullptr;
    QLineEdit *m_scopeClaim = nullptr;
    QLineEdit *m_staffScope = nullptr;
    QLineEdit *m_publishScope = nullptr;
    QLineEdit *m_tokenCookie = nullptr;
    QLineEdit *m_failuresPerMinute = nullptr;
    QLabel *m_errorLabel = nullptr;
    QDialogButtonBox *m_buttons = nullptr;
    QString m_validationError;
};
