#pragma once

#include <QDockWidget>

#include <memory>

class LogFilterModel;
class LogModel;
class LogSink;
class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QTableView;
class QTimer;

// The "Log" dock: the messages of every logging category, from any thread,
// with a minimum level, a text filter and auto-scroll.
//
// The dock installs a LogSink as Qt's message handler while it exists and
// moves the queued messages into its model every DrainIntervalMs on the GUI
// thread. Messages still go to the previous handler (stderr) as before.
class LogDock : public QDockWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LogDock)

public:
    static constexpr int DrainIntervalMs = 250;

    explicit LogDock(QWidget *parent = nullptr);
    ~LogDock() override;

    LogModel *model() const { return m_model; }
    LogFilterModel *filterModel() const { return m_filterModel; }
    LogSink *sink() const { return m_sink.get(); }
    // Moves the queued messages into the model now.
    void drain();

private:
    void applyTextFilter();
    void updateDroppedLabel();

    std::unique_ptr<LogSink> m_sink;
    LogModel *m_model = nullptr;
    LogFilterModel *m_filterModel = nullptr;
    QTableView *m_view = nullptr;
    QComboBox *m_levelCombo = nullptr;
    QLineEdit *m_textFilter = nullptr;
    QCheckBox *m_autoScroll = nullptr;
    QLabel *m_droppedLabel = nullptr;
    QTimer *m_drainTimer = nullptr;
    QTimer *m_filterDebounce = nullptr;
};
