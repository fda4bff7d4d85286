#pragma once

#include "tomo/run_context.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <string>

namespace tomo::cli
{
/// A RunContext for the terminal: draws one progress bar line on stderr when stderr is a TTY
/// (redrawn at most every 100 ms), stays quiet otherwise, and is cancelled by Ctrl-C (SIGINT).
class TerminalRunContext final : public RunContext
{
public:
    explicit TerminalRunContext(bool quiet);
    ~TerminalRunContext() override;
    TerminalRunContext(const TerminalRunContext&) = delete;
    TerminalRunContext& operator=(const TerminalRunContext&) = delete;

    [[nodiscard]] bool isCancelled() const override;
    void reportProgress(std::size_t done, std::size_t total, std::string_view message) override;

    /// Ends the progress line so the next output starts on a fresh line.
    void finish();

private:
    bool m_draw = false;
    bool m_lineOpen = false;
    std::string m_lastStage;
    std::chrono::steady_clock::time_point m_lastDraw{};
};
} // namespace tomo::cli
