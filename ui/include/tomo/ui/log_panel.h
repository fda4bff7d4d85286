#pragma once

#include <QPlainTextEdit>
#include <QString>

namespace tomo::ui
{
/// The log: every line of the core's log (tomo::log, from any thread) and of the app, with its
/// time and level, newest at the bottom, the oldest dropped beyond kMaxLines.
/// While one LogPanel exists it is the core's log sink; it restores the default on destruction.
class LogPanel : public QPlainTextEdit
{
    Q_OBJECT

public:
    static constexpr int kMaxLines = 5000;

    explicit LogPanel(QWidget* parent = nullptr);
    ~LogPanel() override;
    LogPanel(const LogPanel&) = delete;
    LogPanel& operator=(const LogPanel&) = delete;

    /// Appends one line (UI thread). `level` as tomo::toString(LogLevel) writes it.
    void appendLine(const QString& level, const QString& message);
};
} // namespace tomo::ui
