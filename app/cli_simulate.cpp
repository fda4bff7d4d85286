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
        volume = readVolume(options.volume);
        ValueUnit unit = volume->meta().unit;
        if (!options.unit.empty()) {
            const auto given = parseValueUnit(options.unit);
            if (!given || (*given != ValueUnit::Hu && *given != ValueUnit::MuPerMm)) {
                throwInvalid("--unit", "\"" + options.unit + "\"", "HU or mu_per_mm");
            }
            unit = *given;
        }
        // μ at the materials' reference energy, which is what the object's values mean: the
        // water μ the file was converted with if it says, else water's at that energy.
        double muWater = muPerMm(findMaterial("water"), scene.physics.materials.referenceKeV);
        const auto& dictionary = volume->meta().dictionary;
        if (const auto it = dictionary.find("tomoscope_mu_water_per_mm"); it != dictionary.end()) {
            try {
                muWater = std::stod(it->second);
            } catch (const std::exception&) {
                throwInvalid("tomoscope_mu_water_per_mm of " + options.volume,
                             "\"" + it->second + "\"", "a number in mm^-1");
            }
        }
        if (unit == ValueUnit::Hu) {
            convertToMu(*volume, muWater);
        } else if (unit != ValueUnit::MuPerMm) {
            throwInvalid("--unit", std::string(toString(unit)) + " (from " + options.volume + ")",
                         "HU or mu_per_mm: say which with --unit");
        }
        // Scanners pad outside their field of view with HU far below air (−3024 is common):
        // negative μ, which no material has. Such voxels are vacuum, and the user is told.
        std::size_t negative = 0;
        for (float& v : volume->data()) {
            if (v < 0.0f) {
                v = 0.0f;
                ++negative;
            }
        }
        if (negative > 0 && !options.quiet) {
            std::fprintf(stderr,
                         "%zu voxels of %s lie below 0 mm^-1 (below -1000 HU: scanner padding) "
                         "and are taken as vacuum\n",
                         negative, options.volume.c_str());
        }
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
