// tomoscope-cli info and convert: what an image file holds and where it sits in the world; the
// same voxels in another format or orientation.
#include "cli_commands.h"
#include "tomo/io.h"
#include "tomo/recon.h"
#include "tomo/spatial.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>

namespace tomo::cli
{
int infoCommand(const std::string& path, bool json)
{
    const ImageInfo info = readImageInfo(path);
    const bool hasRange = !std::isnan(info.minimum);
    if (json) {
        nlohmann::json out = {{"file", path},
                              {"dimensions", info.dimensions},
                              {"components", info.components},
                              {"component_type", info.componentType},
                              {"size", info.size},
                              {"spacing_mm", info.spacing},
                              {"origin_mm", {info.origin.x, info.origin.y, info.origin.z}},
                              {"direction", info.direction},
                              {"orientation", info.orientation}};
        if (hasRange) {
            out["minimum"] = info.minimum;
            out["maximum"] = info.maximum;
        }
        std::printf("%s\n", out.dump(2).c_str());
        return kExitSuccess;
    }
    const auto& n = info.size;
    const auto& s = info.spacing;
    const auto& d = info.direction;
    std::printf("file:        %s\n", path.c_str());
    std::printf("image:       %uD, %u component%s of %s\n", info.dimensions, info.components,
                info.components == 1 ? "" : "s", info.componentType.c_str());
    std::printf("size:        %zu x %zu x %zu\n", n[0], n[1], n[2]);
    std::printf("spacing:     %g x %g x %g mm\n", s[0], s[1], s[2]);
    std::printf("origin:      (%g, %g, %g) mm (centre of voxel 0)\n", info.origin.x, info.origin.y,
                info.origin.z);
    std::printf("direction:   [%g %g %g; %g %g %g; %g %g %g] (columns: the index axes)\n", d[0],
                d[1], d[2], d[3], d[4], d[5], d[6], d[7], d[8]);
    std::printf("orientation: %s (axes towards; ITK names it by the opposite letters)\n",
                info.orientation.c_str());
    if (hasRange) {
        std::printf("values:      %g to %g\n", info.minimum, info.maximum);
    }
    return kExitSuccess;
}
int convertCommand(const ConvertOptions& options)
{
    Volume volume = readVolume(options.input);
    const Interpolation interpolation =
        parseInterpolation(options.interpolation, "--interpolation");
    if (!options.like.empty()) {
        volume = resample(volume, readGrid(options.like), interpolation);
    } else if (!options.spacing.empty()) {
        volume =
            resample(volume, withSpacing(volume.grid(), parseSpacing(options.spacing, "--spacing")),
                     interpolation);
    }
    if (!options.orientation.empty()) {
        volume = reorient(volume, options.orientation);
    }
    if (options.toHu) {
        convertToHu(volume, options.muWater);
    } else if (options.toMu) {
        convertToMu(volume, options.muWater);
    }
    writeVolume(volume, options.output);
    const auto& n = volume.grid().size();
    const auto& s = volume.grid().spacing();
    std::printf("wrote %s: %zu x %zu x %zu voxels of %g x %g x %g mm, orientation %s\n",
                options.output.c_str(), n[0], n[1], n[2], s[0], s[1], s[2],
                orientationCode(volume.grid().direction()).c_str());
    return kExitSuccess;
}
} // namespace tomo::cli
