// tomoscope-cli simulate: the scene's object through its X-ray physics, written as projections.
#include "cli_commands.h"
#include "terminal_run_context.h"
#include "tomo/compute.h"
#include "tomo/error.h"
#include "tomo/io.h"
#include "tomo/pipeline.h"
#include "tomo/recon.h"
#include "tomo/scene.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <string>

namespace tomo::cli
{
namespace
{
void checkOutputFolder(const std::string& path, const std::string& option)
{
    if (path.empty()) {
        throwInvalid(option, "\"\"", "an output file such as projections.mha");
    }
    const std::filesystem::path parent = std::filesystem::absolute(path).parent_path();
    if (!std::filesystem::is_directory(parent)) {
        throwInvalid(option, "\"" + path + "\"",
                     "a file in an existing folder (" + parent.string() + " does not exist)");
    }
}
} // namespace

int simulateCommand(const SimulateOptions& options)
{
    Scene scene = loadScene(options.scene);
    if (options.seed) {
        scene.physics.seed = *options.seed;
    }
    scene.validate();
    // Refuse an output that cannot be written before the simulation, not after it.
    checkOutputFolder(options.output, "-o");
    if (!options.raw.empty()) {
        checkOutputFolder(options.raw, "--raw");
    }
    auto compute = ComputeContext::create(options.device);
    const auto start = std::chrono::steady_clock::now();
    std::optional<Volume> volume;
    if (!options.volume.empty()) {
        std::optional<ValueUnit> unit;
        if (!options.unit.empty()) {
            unit = parseObjectUnit(options.unit, "--unit");
        }
        // μ at the materials' reference energy, which is what the object's values mean.
        AttenuationImage mu =
            toAttenuation(readVolume(options.volume), unit, scene.physics.materials.referenceKeV,
                          options.volume, "--unit");
        if (mu.clampedVoxels > 0 && !options.quiet) {
            std::fprintf(stderr,
                         "%zu voxels of %s lie below 0 mm^-1 (below -1000 HU: scanner padding) "
                         "and are taken as vacuum\n",
                         mu.clampedVoxels, options.volume.c_str());
        }
        volume = std::move(mu.mu);
    }
    const SimulationResult sim = [&] {
        TerminalRunContext ctx(options.quiet);
        if (volume) {
            return simulateScan(*volume, scene.geometry(), scene.physics, *compute, ctx,
                                !options.raw.empty(), scene.reconstruction.fbp.batchViews);
        }
        return simulateScene(scene, *compute, ctx, !options.raw.empty());
    }();
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

    ImageMeta meta;
    meta.dictionary[std::string(meta_key::kScene)] = scene.name;
    const nlohmann::json sceneJson = nlohmann::json::parse(toJson(scene));
    meta.dictionary["tomoscope_simulation"] = sceneJson["simulation"].dump();
    meta.dictionary[std::string(meta_key::kSource)] =
        options.volume.empty() ? "the scene's phantom" : options.volume;
    writeProjections(sim.lineIntegrals, options.output, meta);
    if (!options.raw.empty()) {
        ImageMeta rawMeta = meta;
        rawMeta.unit = ValueUnit::Counts;
        rawMeta.dictionary["tomoscope_readings"] =
            "detector readings in photon units; open beam " + formatValue(sim.flatReading);
        writeProjections(*sim.readings, options.raw, rawMeta);
    }
    if (options.json) {
        const nlohmann::json out = {
            {"output", options.output},
            {"raw", options.raw.empty() ? nlohmann::json(nullptr) : nlohmann::json(options.raw)},
            {"views", sim.lineIntegrals.views()},
            {"columns", sim.lineIntegrals.columns()},
            {"rows", sim.lineIntegrals.rows()},
            {"device", compute->device().label()},
            {"seconds", seconds},
            {"mean_energy_kev", sim.meanEnergyKeV},
            {"open_beam_reading", sim.flatReading},
            {"starved_pixels", sim.starvedPixels}};
        std::printf("%s\n", out.dump(2).c_str());
        return kExitSuccess;
    }
    std::printf("wrote %s: %zu views of %zu x %zu pixels (%s, %.2f s)\n", options.output.c_str(),
                sim.lineIntegrals.views(), sim.lineIntegrals.columns(), sim.lineIntegrals.rows(),
                compute->device().label().c_str(), seconds);
    std::printf("spectrum mean %.1f keV; open-beam reading %.6g; starved pixels %zu\n",
                sim.meanEnergyKeV, sim.flatReading, sim.starvedPixels);
    if (!options.raw.empty()) {
        std::printf("wrote %s (detector readings)\n", options.raw.c_str());
    }
    return kExitSuccess;
}
} // namespace tomo::cli
