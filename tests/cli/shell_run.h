#pragma once
// Runs a shell command line and collects what it writes on standard output: how the CLI tests
// drive the real tomoscope-cli binary.

#include <array>
#include <cstdio>
#include <string>
#include <sys/wait.h>

namespace tomo::test
{
struct ShellOutcome
{
    int exitCode = -1;  ///< the exit status, or -1 if the command did not exit normally
    std::string output; ///< standard output (add 2>&1 to the command for standard error too)
};

inline ShellOutcome runShell(const std::string& command)
{
    ShellOutcome o;
    FILE* pipe = popen(command.c_str(), "r");
    if (pipe == nullptr) {
        return o;
    }
    std::array<char, 4096> buffer{};
    std::size_t n = 0;
    while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0) {
        o.output.append(buffer.data(), n);
    }
    const int status = pclose(pipe);
    o.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return o;
}
} // namespace tomo::test
