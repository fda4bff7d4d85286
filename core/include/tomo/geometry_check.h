#pragma once

#include "tomo/geometry.h"
#include "tomo/volume.h"

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace tomo
{
enum class Severity
{
    Info,    ///< a fact worth knowing (short scan detected, magnification)
    Warning, ///< the data will show it (truncation, limited angle, FDK not exact)
};

[[nodiscard]] std::string_view toString(Severity severity);

/// One finding of checkGeometry: a stable code for programs, a one-line explanation for people,
/// and the views concerned (empty when it is about the whole scan).
struct Finding
{
    Severity severity = Severity::Info;
    std::string code; ///< "summary", "truncation", "full-scan", "short-scan", "half-scan"
                      ///< (parallel beams over 180 deg), "limited-angle",
                      ///< "offset-detector", "non-circular-orbit", "cone-beam-incomplete"
    std::string message;
    std::vector<std::size_t> views;
};

/// How far the source strays from one circle about z: the ranges of its height and of its
/// distance from the z axis over all views (mm). Divergent beams only (for parallel beams the
/// stored "source" is a direction).
struct OrbitExtent
{
    double zMin = 0.0;
    double zMax = 0.0;
    double radiusMin = 0.0;
    double radiusMax = 0.0;

    /// Whether both ranges are below `toleranceMm`.
    [[nodiscard]] bool isCircle(double toleranceMm) const
    {
        return zMax - zMin < toleranceMm && radiusMax - radiusMin < toleranceMm;
    }
};

[[nodiscard]] OrbitExtent orbitExtent(const Geometry& geometry);

/// Sanity analysis of a scan of the box of `volume`: truncation (views whose detector does not
/// cover the whole box, named), angular coverage against π + fan angle (full, short, limited),
/// an offset detector, an orbit that leaves a single circle (FDK not exact), a circular cone-beam
/// orbit (incomplete off the mid-plane). The first finding is a one-line summary (magnification,
/// fan and cone angle, pixel size at the isocentre, field of view). Never throws for a valid
/// Geometry; analyses that need a flat detector say so in a finding on cylindrical ones.
[[nodiscard]] std::vector<Finding> checkGeometry(const Geometry& geometry,
                                                 const VolumeGrid& volume);

/// Tuy's data-completeness map of a divergent-beam scan on `grid` (use a coarse one: 16³–32³):
/// for each voxel centre x, the fraction of `directions` plane normals (a Fibonacci half-sphere)
/// whose plane through x meets the source path. Consecutive views are taken as joined by a
/// continuous path, except across jumps larger than kPathGapFactor times the median step (the
/// separate circles of a multi-circle scan). 1 means every plane is met (exact reconstruction
/// possible); a circular orbit gives 1 only in its own plane.
/// Throws InvalidArgument for a parallel beam (Tuy's condition is about a source path) or
/// directions < 16.
[[nodiscard]] Volume completenessMap(const Geometry& geometry, const VolumeGrid& grid,
                                     std::size_t directions = 1024);

/// Consecutive source positions farther apart than this many median steps are separate paths.
inline constexpr double kPathGapFactor = 5.0;
} // namespace tomo
