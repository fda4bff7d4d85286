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

/// The same over a 3D grid: `out[voxel] += weight * Σ_{view < count} sample(x, view)` with x the
/// voxel centre (3 floats, mm).
template <class SampleView>
void gatherOverVoxels3D(const Setup3D& s, std::size_t count, float weight, float* out,
                        SampleView sample)
{
    const auto plane = static_cast<std::ptrdiff_t>(s.n[0]) * s.n[1];
    const auto voxels = plane * s.n[2];
#pragma omp parallel for schedule(static)
    for (std::ptrdiff_t index = 0; index < voxels; ++index) {
        const float x[3] = {s.origin[0] + static_cast<float>(index % s.n[0]) * s.spacing[0],
                            s.origin[1] +
                                static_cast<float>((index / s.n[0]) % s.n[1]) * s.spacing[1],
                            s.origin[2] + static_cast<float>(index / plane) * s.spacing[2]};
        float sum = 0.0f;
        for (std::size_t view = 0; view < count; ++view) {
            sum += sample(x, view);
        }
        out[index] += weight * sum;
    }
}
} // namespace tomo::detail
