#include "tomo/ui/log_panel.h"

#include "tomo/log.h"

#include <QDateTime>
#include <QMetaObject>
#include <QPointer>
#include <QScrollBar>

#include <memory>
#include <mutex>

namespace tomo::ui
{
namespace
{
// The sink outlives no panel: the panel's destructor uninstalls it, and the pointer it reaches
// through is cleared under this mutex first, so a worker logging at that moment posts nothing.
std::mutex g_sinkMutex;
LogPanel* g_panel = nullptr;
} // namespace

LogPanel::LogPanel(QWidget* parent) : QPlainTextEdit(parent)
{
    setReadOnly(true);
    setMaximumBlockCount(kMaxLines);
    setLineWrapMode(QPlainTextEdit::NoWrap);
    QFont mono(QStringLiteral("monospace"));
    mono.setStyleHint(QFont::TypeWriter);
    setFont(mono);
    {
        std::lock_guard lock(g_sinkMutex);
        g_panel = this;
    }
    setLogSink([](LogLevel level, std::string_view message) {
        const QString levelText = QString::fromUtf8(toString(level).data(),
                                                    static_cast<qsizetype>(toString(level).size()));
        const QString text =
            QString::fromUtf8(message.data(), static_cast<qsizetype>(message.size()));
        std::lock_guard lock(g_sinkMutex);
        if (g_panel != nullptr) {
            LogPanel* panel = g_panel;
            QMetaObject::invokeMethod(
                panel, [panel, levelText, text] { panel->appendLine(levelText, text); },
                Qt::QueuedConnection);
        }
    });
}

LogPanel::~LogPanel()
{
    {
        std::lock_guard lock(g_sinkMutex);
        if (g_panel == this) {
            g_panel = nullptr;
        }
    }
    setLogSink({});
}

void LogPanel::appendLine(const QString& level, const QString& message)
{
    const QString time = QDateTime::currentDateTime().toString(QStringLiteral("HH:mm:ss"));
    appendPlainText(QStringLiteral("%1  %2  %3").arg(time, level.leftJustified(7), message));
    verticalScrollBar()->setValue(verticalScrollBar()->maximum());
}
} // namespace tomo::ui
