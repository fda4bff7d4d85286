#pragma once

#include "project/view_params.h"

#include <cstddef>
#include <vector>

namespace tomo::detail
{
/// What the Siddon projector needs for a 2D or 3D geometry, in the form of
/// kernels/project_siddon.cl: 2D grids are 3D grids with n[2] = 1 and one detector row.
struct SiddonSetup
{
    int dims = 3;
    int n[3] = {1, 1, 1};
    float origin[3] = {0, 0, 0};
    float spacing[3] = {1, 1, 1};
    int nu = 1;
    int nv = 1;
    float pixelU = 1, pixelV = 1;
    float centreU = 0, centreV = 0;
    float radius = 0;
    bool parallel = false;
    std::vector<float> params; ///< 6 (2D) or 12 (3D) floats per view of the batch

    [[nodiscard]] std::size_t paramsPerView() const { return dims == 2 ? 6 : 12; }
};

/// Throws InvalidArgument as makeSetup2D / makeSetup3D do.
SiddonSetup makeSiddonSetup(const Geometry& geometry, const VolumeGrid& grid, std::size_t first,
                            std::size_t count);
} // namespace tomo::detail
