#pragma once

#include <functional>
#include <string_view>

namespace tomo
{
enum class LogLevel
{
    Debug,
    Info,
    Warning,
    Error,
};

/// Receives every log line of the core. Installed by the host (app, CLI, tests); with none
/// installed, Info and above go to stderr. The sink may be called from any thread.
using LogSink = std::function<void(LogLevel level, std::string_view message)>;

/// Installs `sink` (an empty function restores the stderr default). Thread-safe.
void setLogSink(LogSink sink);

/// Sends one line to the installed sink. Thread-safe.
void log(LogLevel level, std::string_view message);

[[nodiscard]] std::string_view toString(LogLevel level);
} // namespace tomo
