#pragma once

#include "lifecycle.h"

#include <QDialog>

#include <memory>

class FulfilmentSimulator;
class OrderStreamService;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QRadioButton;
class QSpinBox;
struct OrderEvent;
struct SimulationSettings;

// Tools > Simulate: drives generated orders, or one given order, through the
// lifecycle with FulfilmentSimulator, publishing each event through the
// service like a console publish with source "simulator".
//
// The dialog is modeless and a run goes on while it is closed; reopening it
// shows the progress. The same seed and settings publish the same events.
class SimulateDialog : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SimulateDialog)

public:
    // service must outlive the dialog.
    SimulateDialog(OrderStreamService *service, const Lifecycle &lifecycle,
                   QWidget *parent = nullptr);
    ~SimulateDialog() override;

    // Applies to the next run.
    void setLifecycle(const Lifecycle &lifecycle);
    // The settings the fields describe.
    SimulationSettings settings() const;
    // Fills the fields from settings.
    void setSettings(const SimulationSettings &settings);

    bool isRunning() const;
    // Starts a run with the fields' settings. Returns false, showing the
    // reason in the dialog, when the server is not running, a run is going
    // or the settings are invalid.
    bool start();
    void stop();

    int finishedOrders() const;
    int failedOrders() const;
    // Publishes of this run that the service rejected, for example with a
    // lifecycle conflict because another publisher moved the order.
    int failedPublishes() const { return m_failedPublishes; }

Q_SIGNALS:
    // The run ended, by finishing every order or by stop().
    void runFinished(bool stopped);

private:
    void updateControls();
    void showProgress();
    void finishRun(bool stopped);
    void countPublishFailure(const QString &orderId, const QString &reason);
    bool belongsToRun(const QString &orderId) const;

    OrderStreamService *const m_service;
    Lifecycle m_lifecycle;
    std::unique_ptr<FulfilmentSimulator> m_simulator;
    // Order id or id prefix of the current run, to tell its publish
    // failures from other publishers'.
    QString m_runOrderId;
    QString m_runIdPrefix;
    int m_failedPublishes = 0;
    QString m_lastPublishError;

    QRadioButton *m_manyOrders = nullptr;
    QSpinBox *m_orderCount = nullptr;
    QLineEdit *m_idPrefix = nullptr;
    QRadioButton *m_oneOrder = nullptr;
    QLineEdit *m_orderId = nullptr;
    QSpinBox *m_minDelay = nullptr;
    QSpinBox *m_maxDelay = nullptr;
    QDoubleSpinBox *m_failureRate = nullptr;
    QSpinBox *m_seed = nullptr;
    QProgressBar *m_progress = nullptr;
    QLabel *m_status = nullptr;
    QPushButton *m_startButton = nullptr;
    QPushButton *m_stopButton = nullptr;
};
