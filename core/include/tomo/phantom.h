#pragma once

#include "tomo/vec3.h"
#include "tomo/volume.h"

#include <string>
#include <string_view>
#include <vector>

namespace tomo
{
/// An ellipse in the z = 0 plane with constant attenuation added to whatever lies beneath.
struct Ellipse
{
    double centreX = 0.0;   ///< mm
    double centreY = 0.0;   ///< mm
    double semiAxisA = 1.0; ///< mm, along the ellipse's own x axis before rotation
    double semiAxisB = 1.0; ///< mm
    double angle = 0.0;     ///< radians, counter-clockwise from +x to the A axis
    double value = 0.0;     ///< added attenuation, mm⁻¹
};

/// An analytic 2D phantom: a sum of ellipses, with exact line integrals along any ray.
struct Phantom
{
    std::string name;
    std::vector<Ellipse> ellipses;

    /// Throws InvalidArgument naming the ellipse index and field for a non-finite value or a
    /// non-positive semi-axis.
    void validate() const;
};

enum class SheppLoganVariant
{
    Original, ///< Shepp & Logan (1974) intensities
    Modified, ///< Toft's higher-contrast intensities (MATLAB's "Modified Shepp-Logan")
};

/// Parses "original" or "modified"; throws InvalidArgument naming `field` otherwise.
[[nodiscard]] SheppLoganVariant parseSheppLoganVariant(std::string_view text,
                                                       std::string_view field = "variant");

/// The 2D Shepp–Logan head: the unit-disc definition scaled so that the outer ellipse's
/// semi-axes are 0.69·radius by 0.92·radius (mm), intensities multiplied by `muPerUnit`
/// (mm⁻¹ per table unit). Throws InvalidArgument for a non-positive radius or non-finite scale.
[[nodiscard]] Phantom sheppLogan2D(SheppLoganVariant variant, double radiusMm, double muPerUnit);

/// Exact ∫μ dl along the line origin + t·direction (t ∈ ℝ, only x and y are used; direction
/// need not be unit length, the result is per mm of path).
[[nodiscard]] double lineIntegral(const Phantom& phantom, Vec3 origin, Vec3 direction);

/// Point value (mm⁻¹) at world position p (x, y used).
[[nodiscard]] double valueAt(const Phantom& phantom, Vec3 p);

/// Voxelises the phantom on `grid` (nz must be 1) as the mean of supersampling² point samples
/// per voxel. Throws InvalidArgument if supersampling is 0 or the grid is not 2D.
[[nodiscard]] Volume rasterise(const Phantom& phantom, const VolumeGrid& grid,
                               unsigned supersampling = 4);
} // namespace tomo
