#include "cli_commands.h"
#include "tomo/geometry_check.h"
#include "tomo/io.h"
#include "tomo/scene.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <iostream>

namespace tomo::cli
{
namespace
{
// The completeness map is a teaching overview: 32 samples per axis are enough to see the
// complete and incomplete regions and keep the run under a second.
constexpr std::size_t kCompletenessSamples = 32;
} // namespace

VolumeGrid coarseGridOver(const VolumeGrid& grid)
{
    std::array<std::size_t, 3> size{};
    std::array<double, 3> spacing{};
    for (std::size_t a = 0; a < 3; ++a) {
        const double extent = static_cast<double>(grid.size()[a]) * grid.spacing()[a];
        size[a] = std::min(grid.size()[a], kCompletenessSamples);
        spacing[a] = extent / static_cast<double>(size[a]);
    }
    // Same centre as the reconstruction grid.
    const Vec3 centre = grid.voxelCentre(0.5 * (static_cast<double>(grid.size()[0]) - 1.0),
                                         0.5 * (static_cast<double>(grid.size()[1]) - 1.0),
                                         0.5 * (static_cast<double>(grid.size()[2]) - 1.0));
    const Vec3 origin{centre.x - 0.5 * (static_cast<double>(size[0]) - 1.0) * spacing[0],
                      centre.y - 0.5 * (static_cast<double>(size[1]) - 1.0) * spacing[1],
                      centre.z - 0.5 * (static_cast<double>(size[2]) - 1.0) * spacing[2]};
    return VolumeGrid::make(size, spacing, origin);
}

int checkCommand(const std::string& scenePath, bool json, const std::string& completenessPath)
{
    const Scene scene = loadScene(scenePath);
    const Geometry geometry = scene.geometry();
    const VolumeGrid grid = scene.reconstructionGrid();
    const std::vector<Finding> findings = checkGeometry(geometry, grid);
    if (!completenessPath.empty()) {
        writeVolume(completenessMap(geometry, coarseGridOver(grid)), completenessPath);
    }
    if (json) {
        nlohmann::json out = nlohmann::json::array();
        for (const Finding& f : findings) {
            out.push_back({{"severity", std::string(toString(f.severity))},
                           {"code", f.code},
                           {"message", f.message},
                           {"views", f.views}});
        }
        std::cout << out.dump(2) << "\n";
        return kExitSuccess;
    }
    std::printf("%s (%s)\n", scene.name.c_str(), scenePath.c_str());
    for (const Finding& f : findings) {
        std::printf("  %-8s %-22s %s\n", std::string(toString(f.severity)).c_str(), f.code.c_str(),
                    f.message.c_str());
    }
    if (!completenessPath.empty()) {
        std::printf("completeness map (fraction of planes meeting the source path) written to "
                    "%s\n",
                    completenessPath.c_str());
    }
    return kExitSuccess;
}
} // namespace tomo::cli
