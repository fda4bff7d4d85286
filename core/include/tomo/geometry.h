#pragma once

#include "tomo/vec3.h"

#include <cstddef>
#include <span>
#include <string_view>
#include <vector>

namespace tomo
{
/// How rays leave the source (DESIGN.md §4). 2D beams have one detector row.
enum class BeamType
{
    Parallel2D,
    Fan2D,
    Parallel3D,
    Cone3D,
};

[[nodiscard]] std::string_view toString(BeamType beam);
/// Parses "parallel2d", "fan2d", "parallel3d", "cone3d".
/// Throws InvalidArgument naming `field` if `text` is none of them.
[[nodiscard]] BeamType parseBeamType(std::string_view text, std::string_view field = "beam");
[[nodiscard]] constexpr bool isParallel(BeamType b)
{
    return b == BeamType::Parallel2D || b == BeamType::Parallel3D;
}
[[nodiscard]] constexpr bool is2D(BeamType b)
{
    return b == BeamType::Parallel2D || b == BeamType::Fan2D;
}

/// A flat detector of columns (u) by rows (v) pixels. Pixel (iu, iv) of a view has its centre at
/// d + (iu - (nu-1)/2 + offsetU)*du*û + (iv - (nv-1)/2 + offsetV)*dv*v̂, offsets in pixels.
struct Detector
{
    std::size_t columns = 0; ///< nu
    std::size_t rows = 0;    ///< nv (1 for 2D beams)
    double pixelU = 0.0;     ///< du, mm
    double pixelV = 0.0;     ///< dv, mm
    double offsetU = 0.0;    ///< pixels
    double offsetV = 0.0;    ///< pixels

    /// Throws InvalidArgument for a zero count, a non-finite or non-positive pixel size or a
    /// non-finite offset.
    void validate() const;

    /// Signed distance (mm) of column iu's centre from the detector centre along û.
    [[nodiscard]] double columnPosition(double iu) const
    {
        return (iu - 0.5 * (static_cast<double>(columns) - 1.0) + offsetU) * pixelU;
    }
    /// Signed distance (mm) of row iv's centre from the detector centre along v̂.
    [[nodiscard]] double rowPosition(double iv) const
    {
        return (iv - 0.5 * (static_cast<double>(rows) - 1.0) + offsetV) * pixelV;
    }

    friend bool operator==(const Detector&, const Detector&) = default;
};

/// One view: where the source (or, for parallel beams, the ray direction) and the detector are.
struct ViewPose
{
    Vec3 source;     ///< mm; for parallel beams: the unit ray direction r
    Vec3 detector;   ///< detector centre d, mm
    Vec3 u{1, 0, 0}; ///< unit column direction û
    Vec3 v{0, 0, 1}; ///< unit row direction v̂

    friend bool operator==(const ViewPose&, const ViewPose&) = default;
};

/// Parameters of the circular reference trajectory (DESIGN.md §4).
struct CircularTrajectory
{
    std::size_t views = 360;
    double startAngle = 0.0;                      ///< θ₀, radians
    double angularRange = 3.14159265358979323846; ///< radians; views cover [θ₀, θ₀ + range)
    double sourceIsocentre = 500.0;               ///< SID, mm
    double sourceDetector = 1000.0;               ///< SDD, mm
};

/// A detector plus one ViewPose per view: the complete description of a scan.
/// Every object that exists has passed validation (factories throw).
class Geometry
{
public:
    /// A circular scan: at angle θ, s = R_z(θ)(0, -SID, 0), d = R_z(θ)(0, SDD - SID, 0),
    /// û = R_z(θ)(1, 0, 0), v̂ = (0, 0, 1). For parallel beams the stored "source" is the ray
    /// direction R_z(θ)(0, 1, 0) and SID only places the drawn source plane.
    /// Throws InvalidArgument for zero views, a non-positive or non-finite range, SID ≤ 0,
    /// SDD ≤ SID (divergent beams), a 2D beam with detector rows ≠ 1, or an invalid detector.
    [[nodiscard]] static Geometry circular(BeamType beam, const Detector& detector,
                                           const CircularTrajectory& trajectory);

    /// A geometry from explicit poses. Throws InvalidArgument if `poses` is empty, any vector is
    /// not finite, û or v̂ (or a parallel ray direction) is not of unit length, û is not
    /// orthogonal to v̂, or the source lies on the detector plane.
    [[nodiscard]] static Geometry fromPoses(BeamType beam, const Detector& detector,
                                            std::vector<ViewPose> poses);

    [[nodiscard]] BeamType beam() const { return m_beam; }
    [[nodiscard]] const Detector& detector() const { return m_detector; }
    [[nodiscard]] std::span<const ViewPose> poses() const { return m_poses; }
    [[nodiscard]] std::size_t viewCount() const { return m_poses.size(); }

    /// World position (mm) of the centre of pixel (iu, iv) in view `view`.
    [[nodiscard]] Vec3 pixelCentre(std::size_t view, double iu, double iv) const;

    /// Angle (radians, in [0, 2π)) of view `view` about +z, read from its detector direction û
    /// (θ such that û = R_z(θ)(1,0,0) for a circular scan).
    [[nodiscard]] double viewAngle(std::size_t view) const;

    friend bool operator==(const Geometry&, const Geometry&) = default;

private:
    Geometry() = default;
    BeamType m_beam = BeamType::Parallel2D;
    Detector m_detector;
    std::vector<ViewPose> m_poses;
};
} // namespace tomo
