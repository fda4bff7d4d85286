#include "terminal_run_context.h"

#include <csignal>
#include <cstdio>
#include <unistd.h>

namespace tomo::cli
{
namespace
{
volatile std::sig_atomic_t g_interrupted = 0;

extern "C" void onInterrupt(int /*signal*/)
{
    g_interrupted = 1;
}

// Redrawing more often than this only costs terminal bandwidth.
constexpr auto kRedrawInterval = std::chrono::milliseconds(100);
constexpr int kBarWidth = 30;
} // namespace

TerminalRunContext::TerminalRunContext(bool quiet) : m_draw(!quiet && ::isatty(STDERR_FILENO))
{
    g_interrupted = 0;
    std::signal(SIGINT, onInterrupt);
}

TerminalRunContext::~TerminalRunContext()
{
    finish();
    std::signal(SIGINT, SIG_DFL);
}

bool TerminalRunContext::isCancelled() const
{
    return g_interrupted != 0;
}

void TerminalRunContext::reportProgress(std::size_t done, std::size_t total,
                                        std::string_view message)
{
    if (!m_draw) {
        return;
    }
    const auto now = std::chrono::steady_clock::now();
    const bool newStage = message != m_lastStage;
    const bool last = total > 0 && done >= total;
    if (!newStage && !last && now - m_lastDraw < kRedrawInterval) {
        return;
    }
    m_lastDraw = now;
    m_lastStage = std::string(message);
    const double fraction =
        total > 0 ? static_cast<double>(done) / static_cast<double>(total) : 0.0;
    const int filled = static_cast<int>(fraction * kBarWidth);
    std::string bar(static_cast<std::size_t>(filled), '#');
    bar.resize(kBarWidth, '-');
    std::fprintf(stderr, "\r%-22.22s [%s] %3d%% (%zu/%zu)", m_lastStage.c_str(), bar.c_str(),
                 static_cast<int>(fraction * 100.0), done, total);
    std::fflush(stderr);
    m_lineOpen = true;
}

void TerminalRunContext::finish()
{
    if (m_lineOpen) {
        std::fputc('\n', stderr);
        m_lineOpen = false;
    }
}
} // namespace tomo::cli
