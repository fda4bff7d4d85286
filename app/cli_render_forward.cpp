// tomoscope-cli render, as tomoscope-cli itself runs it: by handing the command line to the render
// helper, tomoscope-cli-render, the same command line program linked with render/ and VTK
// (cli_render.cpp). Loading VTK's rendering libraries and resolving their symbols was half of
// tomoscope-cli's start-up (0.05 of 0.10 s; docs/benchmarks.md), which every command paid,
// including 2D reconstructions that take tens of milliseconds; only render needs them.
#include "cli_commands.h"
#include "tomo/error.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <system_error>
#include <unistd.h>
#include <vector>

namespace tomo::cli
{
#ifdef TOMO_RENDER_HELPER
int renderCommand(const RenderOptions& options)
{
    // Beside tomoscope-cli in a build tree; in libexec/tomoscope, relative to bin, installed.
    std::error_code error;
    const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", error);
    if (error) {
        throw Error("render: cannot find this program's own folder to start its render helper "
                    "(/proc/self/exe: " +
                    error.message() + ")");
    }
    const std::filesystem::path folder = self.parent_path();
    const std::filesystem::path candidates[] = {
        folder / TOMO_RENDER_HELPER,
        (folder / TOMO_RENDER_HELPER_FROM_BIN / TOMO_RENDER_HELPER).lexically_normal()};
    std::string looked;
    for (const std::filesystem::path& helper : candidates) {
        looked += (looked.empty() ? "" : ", ") + helper.string();
        if (::access(helper.c_str(), X_OK) != 0) {
            continue;
        }
        std::vector<std::string> arguments = options.commandLine;
        if (arguments.empty()) {
            arguments.emplace_back();
        }
        arguments[0] = helper.string();
        std::vector<char*> argv;
        for (std::string& argument : arguments) {
            argv.push_back(argument.data());
        }
        argv.push_back(nullptr);
        std::fflush(stdout);
        std::fflush(stderr);
        ::execv(helper.c_str(), argv.data()); // returns only on failure
        throw Error("render: cannot start the render helper " + helper.string() + ": " +
                    std::strerror(errno));
    }
    throw Error("render: the render helper " TOMO_RENDER_HELPER " is missing (looked for " +
                looked + "); reinstall tomoscope, or build the target " TOMO_RENDER_HELPER);
}
#else
int renderCommand(const RenderOptions& /*options*/)
{
    throw Error("this tomoscope-cli was built without render/ (TOMO_BUILD_GUI=OFF): rebuild with "
                "-DTOMO_BUILD_GUI=ON to render scenes");
}
#endif
} // namespace tomo::cli
