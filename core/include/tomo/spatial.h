#pragma once

#include "tomo/volume.h"

#include <array>
#include <cstddef>
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

// Geometric operations. Each keeps the volume's ImageMeta and its voxels' world positions right:
// the exact ones (crop, pad, translate, rotateGrid, scaleGrid) change only the grid or cut
// voxels; rotate and scale move the object within its own grid and interpolate.

/// `volume`'s voxels and meta on `grid` (the voxels move with the grid). Exact.
/// Throws InvalidArgument if the voxel counts differ.
[[nodiscard]] Volume withGrid(Volume volume, const VolumeGrid& grid);

/// The voxels [begin, begin + size) of `volume`; the grid's origin becomes the centre of voxel
/// `begin`, so every kept voxel stays where it was. Throws InvalidArgument naming the axis when
/// the box is empty or leaves the volume.
[[nodiscard]] Volume crop(const Volume& volume, std::array<std::size_t, 3> begin,
                          std::array<std::size_t, 3> size);

/// `volume` with `lower` voxels added before index 0 and `upper` after the last, per axis,
/// filled with `value` (0 for μ; -1000 for HU air). The old voxels keep their world positions.
[[nodiscard]] Volume pad(const Volume& volume, std::array<std::size_t, 3> lower,
                         std::array<std::size_t, 3> upper, float value);

/// The same voxels moved by `offsetMm` in the world (the origin moves). Exact.
/// Throws InvalidArgument for a non-finite offset.
[[nodiscard]] Volume translate(const Volume& volume, Vec3 offsetMm);

/// `grid` turned by `angleRad` about the world line through `centreMm` along `axis` (right hand
/// rule): direction and origin turn, spacing and size stay. Throws InvalidArgument for a zero or
/// non-finite axis, a non-finite angle or centre.
[[nodiscard]] VolumeGrid rotateGrid(const VolumeGrid& grid, Vec3 axis, double angleRad,
                                    Vec3 centreMm);

/// `grid` stretched by `factors` along its own index axes about the world point `centreMm`:
/// spacing × factor, positions scaled about the centre. Throws InvalidArgument naming the axis
/// for a factor that is not finite and positive.
[[nodiscard]] VolumeGrid scaleGrid(const VolumeGrid& grid, std::array<double, 3> factors,
                                   Vec3 centreMm);

/// The object of `volume` turned as rotateGrid turns its grid, sampled back on the volume's own
/// grid; points that come from outside the volume get `outside`.
[[nodiscard]] Volume rotate(const Volume& volume, Vec3 axis, double angleRad, Vec3 centreMm,
                            Interpolation interpolation, float outside = 0.0f);

/// The object of `volume` stretched as scaleGrid stretches its grid, sampled back on the
/// volume's own grid; points from outside get `outside`.
[[nodiscard]] Volume scale(const Volume& volume, std::array<double, 3> factors, Vec3 centreMm,
                           Interpolation interpolation, float outside = 0.0f);

/// The world position of the centre of the volume's box (the middle of its voxel centres).
[[nodiscard]] Vec3 gridCentre(const VolumeGrid& grid);
} // namespace tomo
