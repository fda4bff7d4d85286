#pragma once

#include "project/view_params.h"

#include <cstddef>

namespace tomo::detail
{
/// The AVX2 voxel-driven backprojection of `count` views (3x4 projection matrices, 12 floats
/// each; `proj` the batch's first pixel, `pixels` per view) into `out`, adding `weight` times
/// the sum. Returns false, writing nothing, where the processor or the build has no AVX2 path,
/// TOMO_SIMD turns it off, or a view has more pixels than 32-bit gather indices reach.
[[nodiscard]] bool voxelBack3DAvx2(const Setup3D& s, const float* matrices, std::size_t count,
                                   const float* proj, std::size_t pixels, float weight, float* out);
/// The same for a cylindrical detector whose rows run along z in every view (v̂ = ±z): `params`
/// the batch's view parameters (kViewParam3DFloats each, makeViewParams3D). Returns false,
/// writing nothing, where that does not hold or there is no AVX2 path.
[[nodiscard]] bool voxelBack3DCurvedAvx2(const Setup3D& s, const float* params, std::size_t count,
                                         const float* proj, std::size_t pixels, float weight,
                                         float* out);
} // namespace tomo::detail
