#pragma once

#include <string>

namespace tomo::cli
{
/// Exit codes of tomoscope-cli (documented in its --help).
enum ExitCode : int
{
    kExitSuccess = 0,
    kExitUserError = 1, ///< bad scene, parameter, file, device name or output folder
    kExitInternal = 2,  ///< a bug or a failing device driver
    kExitCancelled = 130,
};

struct RunOptions
{
    std::string scene;
    std::string output;
    std::string device;
    bool json = false;
    bool quiet = false;
};

/// `tomoscope-cli run`: simulate and reconstruct a scene, write images, print metrics.
int runCommand(const RunOptions& options);

/// `tomoscope-cli devices`: list the compute devices.
int devicesCommand(bool json);
} // namespace tomo::cli
