#pragma once
// Geometry helpers of the app's teaching and tuning views (private to tomo_ui).

#include "tomo/geometry.h"
#include "tomo/volume.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace tomo::ui::detail
{
/// The axial slice of `grid` nearest to world z: a one-slice grid with the same x/y sampling
/// (the grid itself when it is 2D).
[[nodiscard]] inline VolumeGrid axialSliceGrid(const VolumeGrid& grid, double z)
{
    if (grid.is2D()) {
        return grid;
    }
    const auto& size = grid.size();
    const double k = std::clamp(std::round((z - grid.origin().z) / grid.spacing()[2]), 0.0,
                                static_cast<double>(size[2] - 1));
    return VolumeGrid::make({size[0], size[1], 1}, grid.spacing(), grid.voxelCentre(0.0, 0.0, k),
                            grid.direction());
}

/// The axial slice of `volume` nearest to world z, as a volume on axialSliceGrid (the volume
/// itself, copied, when it is 2D).
[[nodiscard]] inline Volume axialSliceOf(const Volume& volume, double z)
{
    const VolumeGrid slice = axialSliceGrid(volume.grid(), z);
    const VolumeGrid& grid = volume.grid();
    const auto k = static_cast<std::size_t>(
        grid.is2D() ? 0.0 : std::round((slice.origin().z - grid.origin().z) / grid.spacing()[2]));
    const std::size_t n = grid.size()[0] * grid.size()[1];
    const auto values = volume.data().subspan(k * n, n);
    return Volume::fromData(slice, std::vector<float>(values.begin(), values.end()));
}

/// `geometry` with every view's detector moved by `offsetMm` along its û (a centre-of-rotation
/// error) and turned by `tiltRad` about its normal û × v̂ (û towards v̂), about its centre.
[[nodiscard]] inline Geometry tunedGeometry(const Geometry& geometry, double offsetMm,
                                            double tiltRad)
{
    std::vector<ViewPose> poses(geometry.poses().begin(), geometry.poses().end());
    const double c = std::cos(tiltRad);
    const double s = std::sin(tiltRad);
    for (ViewPose& p : poses) {
        p.detector = p.detector + offsetMm * p.u;
        const Vec3 u = c * p.u + s * p.v;
        const Vec3 v = c * p.v - s * p.u;
        p.u = u;
        p.v = v;
    }
    return Geometry::fromPoses(geometry.beam(), geometry.detector(), std::move(poses));
}
} // namespace tomo::ui::detail
