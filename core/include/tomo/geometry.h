#pragma once

#include "tomo/vec3.h"

#include <array>
#include <cstddef>
#include <optional>
#include <span>
#include <string_view>
#include <utility>
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

/// The shape of the detector surface (DESIGN.md §4).
enum class DetectorShape
{
    Flat,        ///< a plane through d spanned by û and v̂
    Cylindrical, ///< a cylinder of radius `Detector::radius` with its axis along v̂; equal-arc
                 ///< columns
};

[[nodiscard]] std::string_view toString(DetectorShape shape);
/// Parses "flat" or "cylindrical". Throws InvalidArgument naming `field` otherwise.
[[nodiscard]] DetectorShape parseDetectorShape(std::string_view text,
                                               std::string_view field = "detector.shape");

/// A detector of columns (u) by rows (v) pixels. On a flat detector pixel (iu, iv) of a view has
/// its centre at d + s*û + t*v̂ with s = columnPosition(iu) = (iu - (nu-1)/2 + offsetU)*du and
/// t = rowPosition(iv) = (iv - (nv-1)/2 + offsetV)*dv (offsets in pixels). On a cylindrical
/// detector s is an arc length: with φ = s/R and n̂ = û × v̂ (pointing from the detector towards
/// the source in the circular reference) the centre is d + R sinφ û + R (1 - cosφ) n̂ + t v̂;
/// R = SDD makes the columns equiangular about the source.
struct Detector
{
    std::size_t columns = 0; ///< nu
    std::size_t rows = 0;    ///< nv (1 for 2D beams)
    double pixelU = 0.0;     ///< du, mm (an arc length on a cylindrical detector)
    double pixelV = 0.0;     ///< dv, mm
    double offsetU = 0.0;    ///< pixels
    double offsetV = 0.0;    ///< pixels
    DetectorShape shape = DetectorShape::Flat;
    double radius = 0.0; ///< R, mm; used only when shape is Cylindrical

    /// Throws InvalidArgument for a zero count, a non-finite or non-positive pixel size, a
    /// non-finite offset, or a cylindrical detector without a finite radius > 0.
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
    /// orthogonal to v̂, the source lies on the detector plane, or a parallel beam is given a
    /// cylindrical detector (only fan and cone beams may use one).
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

    /// The 3×4 projection matrix P of view `view`, row-major, such that
    /// [iu·w, iv·w, w]ᵀ = P·[x, y, z, 1]ᵀ for a world point (x, y, z) in mm, where (iu, iv) are
    /// the fractional pixel indices (column, row) of DESIGN.md §4 (integers at pixel centres).
    /// Divergent beams: the perspective projection through s onto the detector plane; the third
    /// row is the unit normal m̂ pointing from the source towards the detector plane with
    /// -m̂·s in its last entry, so w is the depth (mm) of the point along m̂ from the source.
    /// Parallel beams: the affine projection along the ray direction; third row (0, 0, 0, 1).
    /// Throws InvalidArgument for a cylindrical detector (no matrix describes it) and
    /// std::out_of_range for a view index ≥ viewCount().
    [[nodiscard]] std::array<double, 12> projectionMatrix(std::size_t view) const;

    /// Where the ray through the world point `pointMm` meets the detector of view `view`, as
    /// fractional pixel indices (column, row) of DESIGN.md §4 (integers at pixel centres; the
    /// detector covers [-0.5, n - 0.5] on each axis). Divergent beams: the ray from the source
    /// through the point; parallel beams: the ray along the view's direction. Works on flat and
    /// cylindrical detectors (on the flat ones it is projectionMatrix applied to the point).
    /// nullopt if the point is not in front of the source (on or behind its plane parallel to
    /// the detector) or the ray misses the detector's cylinder. Throws std::out_of_range for a
    /// view index ≥ viewCount().
    [[nodiscard]] std::optional<std::array<double, 2>> projectPoint(std::size_t view,
                                                                    Vec3 pointMm) const;

    /// Magnification of view `view` (dimensionless): SDD/SID, both measured from the source
    /// along the detector normal (SID to the isocentre, the world origin); 1 for parallel beams.
    /// Throws InvalidArgument if the isocentre lies in the source's plane parallel to the
    /// detector (SID = 0), std::out_of_range for a bad view index.
    [[nodiscard]] double magnification(std::size_t view) const;

    /// Pixel size (mm) projected back to the isocentre: (du/M, dv/M) with M = magnification.
    /// Throws as magnification().
    [[nodiscard]] std::pair<double, double> pixelSizeAtIsocentre(std::size_t view) const;

    /// Full angle (radians) subtended at the source by the detector's column extent (from the
    /// outer edge of the first column to the outer edge of the last, in the plane of the central
    /// row); 0 for parallel beams. Throws std::out_of_range for a bad view index.
    [[nodiscard]] double fanAngle(std::size_t view) const;

    /// Full angle (radians) subtended at the source by the detector's row extent (outer edges of
    /// the first and last rows, along the central column); 0 for parallel beams.
    /// Throws std::out_of_range for a bad view index.
    [[nodiscard]] double coneAngle(std::size_t view) const;

    /// Radius (mm) of the largest circle about the z axis in the plane z = 0 that the rays of
    /// every view cover: the minimum over views of the distance from the z axis (measured in
    /// the xy-plane) of the rays through the outer edges of the first and last columns of the
    /// central row, detector offsets included; 0 if some view's fan does not contain the axis.
    [[nodiscard]] double fieldOfViewRadius() const;
    friend bool operator==(const Geometry&, const Geometry&) = default;

private:
    Geometry() = default;
    BeamType m_beam = BeamType::Parallel2D;
    Detector m_detector;
    std::vector<ViewPose> m_poses;
};
} // namespace tomo
