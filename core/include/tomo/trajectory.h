#pragma once

#include "tomo/geometry.h"

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace tomo
{
/// The scan paths Tomoscope generates (DESIGN.md §4 conventions; angles in radians, lengths in
/// mm). Every kind is a pure function of a TrajectorySpec.
enum class TrajectoryKind
{
    Circular,       ///< full or short scan: any start and range, in the plane z = zOffset
    Helical,        ///< circular in xy, z advancing pitchMm per turn from zOffset
    Sinusoidal,     ///< circular with SID and/or z oscillating `frequency` times per turn
    Saddle,         ///< z = zAmplitude·cos(2θ), SID = sid + radialAmplitude·cos(2θ)
    MultiCircle,    ///< one circle of `views` views in each plane of zPlanes
    RandomCircular, ///< circular with seeded Gaussian perturbations of source, SID and detector
    Tomosynthesis,  ///< limited-angle arc of the source over a detector that does not move
    Custom,         ///< muparser formulas of t for the source angle, z, SID and SDD
    Explicit,       ///< poses given one by one (imported files, CSV of vectors)
};

[[nodiscard]] std::string_view toString(TrajectoryKind kind);
/// Parses the names toString gives ("circular", "helical", "sinusoidal", "saddle",
/// "multi-circle", "random-circular", "tomosynthesis", "custom", "explicit");
/// throws InvalidArgument naming `field` otherwise.
[[nodiscard]] TrajectoryKind parseTrajectoryKind(std::string_view text,
                                                 std::string_view field = "trajectory.kind");

/// Rotations of the detector about its own centre, applied to every generated view (radians).
struct DetectorTilt
{
    double inPlane = 0.0; ///< about the detector normal, turning û towards v̂
    double aboutU = 0.0;  ///< out-of-plane, about û (turns v̂ towards the source)
    double aboutV = 0.0;  ///< out-of-plane, about v̂ (slant: turns û towards the source)

    friend bool operator==(const DetectorTilt&, const DetectorTilt&) = default;
};

/// Everything that defines a scan path. Fields not used by `kind` are ignored (and not written to
/// scene files). Defaults are the circular reference.
struct TrajectorySpec
{
    TrajectoryKind kind = TrajectoryKind::Circular;
    // Shared by all generated kinds.
    std::size_t views = 360;
    double startAngle = 0.0;                      ///< θ₀, radians
    double angularRange = 3.14159265358979323846; ///< radians; [θ₀, θ₀ + range) without end point
    double sourceIsocentre = 500.0;               ///< SID, mm
    double sourceDetector = 1000.0;               ///< SDD, mm
    double zOffset = 0.0;                         ///< mm, z of the (first) orbit plane
    DetectorTilt tilt;
    // Helical.
    double pitchMm = 10.0; ///< z advance per full turn, mm (negative: downwards)
    // Sinusoidal and saddle.
    double sidAmplitude = 0.0; ///< mm (sinusoidal: SID oscillation; saddle: radial amplitude)
    double zAmplitude = 0.0;   ///< mm
    double frequency = 2.0;    ///< sinusoidal: oscillations per full turn
    // Multi-circle.
    std::vector<double> zPlanes{-20.0, 0.0, 20.0}; ///< mm
    // Random-perturbed circular.
    std::uint64_t seed = 1;
    double sigmaSourceMm = 0.0;         ///< isotropic σ of the source position
    double sigmaSidMm = 0.0;            ///< σ of SID (source and detector move together)
    double sigmaDetectorRotation = 0.0; ///< σ of an in-plane detector rotation, radians
    // Custom formulas of t ∈ [tStart, tEnd) (views equally spaced, no end point), muparser syntax,
    // with the constants _pi and _e and the variable t. Angles in radians, lengths in mm.
    double tStart = 0.0;
    double tEnd = 1.0;
    std::string angleFormula = "2*_pi*t";
    std::string zFormula = "0";
    std::string sidFormula = "500";
    std::string sddFormula = "1000";
    // Explicit poses.
    std::vector<ViewPose> poses;

    friend bool operator==(const TrajectorySpec&, const TrajectorySpec&) = default;
};

/// The geometry of `spec` with `detector`. For generated kinds a view at angle θ, height z,
/// distances SID and SDD has s = R_z(θ)(0, −SID, z), d = R_z(θ)(0, SDD − SID, z) (for parallel
/// beams s is the ray direction R_z(θ)(0, 1, 0)), û = R_z(θ)(1, 0, 0), v̂ = (0, 0, 1), then the
/// tilt (in-plane about û×v̂, then about û, then about v̂, each about the current axes).
/// Tomosynthesis keeps d, û, v̂ of the arc's centre angle θ₀ + range/2 for every view and moves
/// the source along the arc. Random perturbations draw from std::mt19937_64 (exactly specified by
/// the standard) through Box–Muller, so a seed gives the same scan on every platform.
[[nodiscard]] Geometry makeGeometry(BeamType beam, const Detector& detector,
                                    const TrajectorySpec& spec);

/// Per-view poses from a CSV file: a header line naming the columns, then one view per line,
/// 12 numbers: sx,sy,sz,dx,dy,dz,ux,uy,uz,vx,vy,vz (mm; û and v̂ unit vectors; for parallel
/// beams s is the ray direction). Lines starting with '#' are comments.
/// Throws IoError if the file cannot be read, InvalidArgument naming the file, line and column
/// for a bad number or a wrong column count.
[[nodiscard]] std::vector<ViewPose> readPoseCsv(const std::filesystem::path& path);

/// Writes poses in the format readPoseCsv reads, atomically, full double precision.
void writePoseCsv(const std::vector<ViewPose>& poses, const std::filesystem::path& path);
} // namespace tomo
