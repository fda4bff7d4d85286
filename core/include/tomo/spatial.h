#pragma once

#include "tomo/volume.h"

#include <array>
#include <string_view>

namespace tomo
{
/// The same voxels re-indexed so that the index axes point towards `code` (orientationCode in
/// io.h: three letters, one of L/R, one of P/A, one of S/I, e.g. "RAS", "LPS", "RAI"): axes
/// permuted and flipped, spacing permuted, direction and origin set so that every voxel keeps
/// its world position. Exact (no interpolation). The volume's own axes are matched to the code
/// by orientationCode's nearest assignment, so an oblique volume stays oblique.
/// Throws InvalidArgument naming the code and what is accepted.
[[nodiscard]] Volume reorient(const Volume& volume, std::string_view code);
/// How resample() takes values between voxel centres.
enum class Interpolation
{
    Nearest, ///< the nearest voxel's value (label maps)
    Linear,  ///< trilinear
    BSpline, ///< cubic B-spline (ITK's BSplineInterpolateImageFunction, order 3)
};

[[nodiscard]] std::string_view toString(Interpolation interpolation);
/// Parses "nearest", "linear", "bspline"; throws InvalidArgument naming `field` otherwise.
[[nodiscard]] Interpolation parseInterpolation(std::string_view text,
                                               std::string_view field = "interpolation");

/// `volume` sampled at the voxel centres of `target` (any size, spacing, origin and direction:
/// the physical positions decide), through ITK's ResampleImageFilter. Points outside `volume`
/// get `outside`.
[[nodiscard]] Volume resample(const Volume& volume, const VolumeGrid& target,
                              Interpolation interpolation, float outside = 0.0f);

/// The grid covering the same box as `grid` (same first voxel centre, direction and extent to the
/// last voxel's outer edge, rounded to whole voxels) with `spacingMm`.
/// Throws InvalidArgument for a spacing that is not finite and positive.
[[nodiscard]] VolumeGrid withSpacing(const VolumeGrid& grid, std::array<double, 3> spacingMm);
} // namespace tomo
