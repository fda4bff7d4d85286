// tomoscope-cli: the headless face of Tomoscope. Argument wiring only; the work is in tomo_core.
#include "cli_commands.h"
#include "tomo/error.h"

#include <CLI/CLI.hpp>

#include <exception>
#include <iostream>

int main(int argc, char** argv)
{
    using namespace tomo::cli;
    CLI::App app{"tomoscope-cli " TOMO_VERSION
                 ": simulate and reconstruct CT scans without a display.\n\n"
                 "Exit codes: 0 success, 1 user error (bad scene, parameter, file, device or "
                 "output folder), 2 internal error, 130 interrupted.",
                 "tomoscope-cli"};
    app.set_version_flag("--version", TOMO_VERSION);
    app.require_subcommand(1);

    RunOptions run;
    CLI::App* runCmd = app.add_subcommand(
        "run", "Simulate the scene's projections, reconstruct them, write images and metrics.\n"
               "Example: tomoscope-cli run resources/scenes/shepp-logan-2d-parallel.json -o out");
    runCmd->add_option("scene", run.scene, "scene file (tomoscope-scene JSON)")->required();
    runCmd->add_option("-o,--output", run.output, "output folder (created if missing)")->required();
    runCmd->add_option("--device", run.device,
                       "compute device: auto, cpu, opencl, an id from 'devices' or part of a "
                       "device name (default: $TOMO_CL_DEVICE, else auto)");
    runCmd->add_flag("--json", run.json, "print the results as JSON on stdout");
    runCmd->add_flag("-q,--quiet", run.quiet, "no progress bar");

    bool devicesJson = false;
    CLI::App* devicesCmd = app.add_subcommand(
        "devices", "List the compute devices Tomoscope can use.\nExample: tomoscope-cli devices");
    devicesCmd->add_flag("--json", devicesJson, "print the list as JSON");

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        const int code = app.exit(e);
        return code == 0 ? kExitSuccess : kExitUserError;
    }

    try {
        if (runCmd->parsed()) {
            return runCommand(run);
        }
        return devicesCommand(devicesJson);
    } catch (const tomo::Cancelled&) {
        std::cerr << "tomoscope-cli: interrupted; no output was written\n";
        return kExitCancelled;
    } catch (const tomo::InvalidArgument& e) {
        std::cerr << "tomoscope-cli: error: " << e.what() << "\n";
        return kExitUserError;
    } catch (const tomo::IoError& e) {
        std::cerr << "tomoscope-cli: error: " << e.what() << "\n";
        return kExitUserError;
    } catch (const tomo::DeviceError& e) {
        std::cerr << "tomoscope-cli: device error: " << e.what() << "\n";
        return kExitInternal;
    } catch (const std::exception& e) {
        std::cerr << "tomoscope-cli: internal error: " << e.what() << "\n";
        return kExitInternal;
    }
}
