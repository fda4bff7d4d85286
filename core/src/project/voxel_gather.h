#pragma once

#include "project/view_params.h"

#include <cstddef>

namespace tomo::detail
{
/// The voxel-driven CPU backprojector's loop: every voxel of the 2D grid in parallel (a gather, so
/// no two threads write one voxel), `out[voxel] += weight * sumOverViews(i, j, x, y)` with
/// (x, y) the voxel centre in mm.
template <class SumOverViews>
void gatherOverVoxels(const Setup2D& s, float weight, float* out, SumOverViews sumOverViews)
{
    const auto voxels = static_cast<std::ptrdiff_t>(s.nx) * s.ny;
#pragma omp parallel for schedule(static)
    for (std::ptrdiff_t index = 0; index < voxels; ++index) {
        const auto i = static_cast<int>(index % s.nx);
        const auto j = static_cast<int>(index / s.nx);
        const float x = s.originX + static_cast<float>(i) * s.spacingX;
        const float y = s.originY + static_cast<float>(j) * s.spacingY;
        out[index] += weight * sumOverViews(i, j, x, y);
    }
}
} // namespace tomo::detail
