// tomoscope-cli phantom: voxelise a built-in phantom or a phantom file onto a grid.
#include "cli_commands.h"
#include "terminal_run_context.h"
#include "tomo/error.h"
#include "tomo/io.h"
#include "tomo/phantom.h"
#include "tomo/phantom_io.h"
#include "tomo/scene.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

namespace tomo::cli
{
namespace
{

void requireFinite(double value, const char* option, bool positive, const char* accepted)
{
    if (!std::isfinite(value) || (positive && value <= 0.0)) {
        throwInvalid(option, formatValue(value), accepted);
    }
}

// A built-in phantom by name, with the sizes of `options.object`, or a phantom file.
Phantom loadPhantom(const PhantomOptions& options)
{
    const std::string& nameOrFile = options.phantom;
    const auto& names = builtInPhantomNames();
    if (std::find(names.begin(), names.end(), nameOrFile) != names.end()) {
        requireFinite(options.object.radiusMm, "--radius", true, "must be a length > 0 mm");
        requireFinite(options.object.heightMm, "--height", true, "must be a length > 0 mm");
        requireFinite(options.object.muPerUnit, "--mu", false, "must be finite (mm^-1)");
        ObjectSpec object = options.object;
        object.phantom = nameOrFile;
        return makePhantom(object);
    }
    const std::filesystem::path path(nameOrFile);
    const std::string extension = path.extension().string();
    if (std::filesystem::exists(path) || extension == ".json" || extension == ".phm" ||
        nameOrFile.find('/') != std::string::npos) {
        if (!options.parametersGiven.empty()) {
            throwInvalid(options.parametersGiven.front(), "given with the file " + nameOrFile,
                         "--radius, --height and --mu size built-in phantoms only; a phantom "
                         "file holds its own sizes and values");
        }
        return readPhantom(path); // IoError naming the file if it cannot be read
    }
    std::string accepted = "accepted: ";
    for (const std::string& name : names) {
        accepted += name + ", ";
    }
    throwInvalid("phantom", "\"" + nameOrFile + "\"",
                 accepted + "or the path of a phantom file (.json or CTSim .phm)");
}
} // namespace

// Shared with cli_reconstruct.cpp (declared in cli_commands.h).
// The comma-separated fields of `text` ("1,2,3" → {"1", "2", "3"}).
namespace
{
std::vector<std::string> splitCommas(const std::string& text)
{
    std::vector<std::string> fields;
    std::size_t start = 0;
    while (true) {
        const std::size_t comma = text.find(',', start);
        fields.push_back(text.substr(start, comma - start));
        if (comma == std::string::npos) {
            return fields;
        }
        start = comma + 1;
    }
}

template <typename T> bool parseWhole(const std::string& text, T& value)
{
    const auto result = std::from_chars(text.data(), text.data() + text.size(), value);
    return result.ec == std::errc() && result.ptr == text.data() + text.size();
}
} // namespace

// "NX,NY,NZ" as three counts > 0.
std::array<std::size_t, 3> parseSize(const std::string& text, const std::string& field)
{
    const std::vector<std::string> fields = splitCommas(text);
    std::array<std::size_t, 3> size{};
    bool ok = fields.size() == 3;
    for (std::size_t a = 0; ok && a < 3; ++a) {
        ok = parseWhole(fields[a], size[a]) && size[a] > 0;
    }
    if (!ok) {
        throwInvalid(field, "\"" + text + "\"",
                     "give the grid size as NX,NY,NZ: three whole numbers > 0 (NZ = 1 for a 2D "
                     "image)");
    }
    return size;
}

// "S" (every axis) or "SX,SY,SZ" as finite lengths > 0 in mm.
std::array<double, 3> parseSpacing(const std::string& text, const std::string& field)
{
    const std::vector<std::string> fields = splitCommas(text);
    std::array<double, 3> spacing{};
    bool ok = fields.size() == 1 || fields.size() == 3;
    for (std::size_t a = 0; ok && a < fields.size(); ++a) {
        ok = parseWhole(fields[a], spacing[a]) && std::isfinite(spacing[a]) && spacing[a] > 0.0;
    }
    if (!ok) {
        throwInvalid(field, "\"" + text + "\"",
                     "give the voxel spacing in mm as S (every axis) or SX,SY,SZ: numbers > 0");
    }
    if (fields.size() == 1) {
        spacing[1] = spacing[2] = spacing[0];
    }
    return spacing;
}

int phantomCommand(const PhantomOptions& options)
{
    if (options.supersample < 1) {
        throwInvalid("--supersample", std::to_string(options.supersample),
                     "give the samples per voxel axis as a whole number >= 1");
    }
    const VolumeGrid grid = options.grid.empty()
                                ? VolumeGrid::centred(parseSize(options.size, "--size"),
                                                      parseSpacing(options.spacing, "--spacing"))
                                : loadScene(options.grid).reconstructionGrid();
    const Phantom phantom = loadPhantom(options);
    const auto samples = static_cast<unsigned>(options.supersample);
    Volume volume = [&] {
        TerminalRunContext ctx(options.quiet);
        return rasterise(phantom, grid, samples, ctx);
    }();
    volume.meta().subtype = "phantom";
    volume.meta().unit = ValueUnit::MuPerMm;
    volume.meta().dictionary[std::string(meta_key::kSource)] = options.phantom;
    volume.meta().dictionary["tomoscope_supersampling"] = std::to_string(samples);
    writeVolume(volume, options.output);
    const auto& size = grid.size();
    const auto& spacing = grid.spacing();
    const std::string label = phantom.name.empty() ? options.phantom : phantom.name;
    if (options.json) {
        const nlohmann::json out = {{"output", options.output},
                                    {"phantom", label},
                                    {"size", {size[0], size[1], size[2]}},
                                    {"spacing_mm", {spacing[0], spacing[1], spacing[2]}},
                                    {"samples_per_axis", samples},
                                    {"unit", "mu_per_mm"}};
        std::printf("%s\n", out.dump(2).c_str());
        return kExitSuccess;
    }
    std::printf("wrote %s: %s on %zu x %zu x %zu voxels of %g x %g x %g mm (%u^%d samples per "
                "voxel)\n",
                options.output.c_str(), label.c_str(), size[0], size[1], size[2], spacing[0],
                spacing[1], spacing[2], samples, grid.is2D() ? 2 : 3);
    return kExitSuccess;
}
} // namespace tomo::cli
