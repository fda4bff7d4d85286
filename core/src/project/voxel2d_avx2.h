#pragma once

#include "project/view_params.h"

#include <cstddef>
#include <vector>

namespace tomo::detail
{
/// Each view of a 2D parallel or flat fan beam as a 2x3 projective map of a voxel centre (x, y)
/// to its fractional detector column f: f·w = P0·x + P1·y + P2, w = P3·x + P4·y + P5, with w > 0
/// in front of the source and w(0) = P5, so that the distance weight is (P5/w)² (1 for
/// parallel beams, where P3 = P4 = 0 and P5 = 1). 6 floats per view, computed in double.
[[nodiscard]] std::vector<float> makeColumnMaps2D(const Setup2D& s,
                                                  const std::vector<ViewParams2D>& views);

/// The AVX2 voxel-driven 2D backprojection (parallel and flat fan beams) of `count` views
/// (`maps` from makeColumnMaps2D, `proj` their rows of s.nu pixels) into `out`, adding `weight`
/// times the sum. Parallel beams sum each view along the grid axis (rows or columns) along which
/// its column changes least, eight voxels reading their two columns each out of one 8-float
/// window of the view's row (16 floats, or gathers, for pixels narrower than 0.71 voxels); fan
/// beams sum along rows, from a 16-float window where eight voxels fall within 14 columns.
/// Returns false, writing nothing, where the processor or the build has no AVX2 path or
/// TOMO_SIMD turns it off.
[[nodiscard]] bool voxelBack2DAvx2(const Setup2D& s, const float* maps, std::size_t count,
                                   const float* proj, float weight, float* out);
} // namespace tomo::detail
