#include "tomo/log.h"

#include <iostream>
#include <mutex>

namespace tomo
{
namespace
{
std::mutex& sinkMutex()
{
    static std::mutex mutex;
    return mutex;
}

LogSink& installedSink()
{
    static LogSink sink;
    return sink;
}
} // namespace

std::string_view toString(LogLevel level)
{
    switch (level) {
    case LogLevel::Debug:
        return "debug";
    case LogLevel::Info:
        return "info";
    case LogLevel::Warning:
        return "warning";
    case LogLevel::Error:
        return "error";
    }
    return "unknown";
}

void setLogSink(LogSink sink)
{
    const std::lock_guard lock(sinkMutex());
    installedSink() = std::move(sink);
}

void log(LogLevel level, std::string_view message)
{
    const std::lock_guard lock(sinkMutex());
    if (installedSink()) {
        installedSink()(level, message);
        return;
    }
    if (level >= LogLevel::Info) {
        std::cerr << "tomoscope: " << toString(level) << ": " << message << '\n';
    }
}
} // namespace tomo
