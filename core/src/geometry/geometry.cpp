#include "tomo/geometry.h"

#include "tomo/error.h"

#include <cmath>
#include <numbers>
#include <string>

namespace tomo
{
namespace
{
// Pose vectors come from files and trigonometry; 1e-6 accepts float-rounded unit vectors and
// rejects anything a user could mean as a different direction.
constexpr double kUnitTolerance = 1e-6;

std::string formatVec(Vec3 a)
{
    return "(" + formatValue(a.x) + ", " + formatValue(a.y) + ", " + formatValue(a.z) + ")";
}

void checkUnit(Vec3 a, const std::string& field)
{
    if (!isFinite(a) || std::abs(norm(a) - 1.0) > kUnitTolerance) {
        throwInvalid(field, formatVec(a), "must be a finite unit vector (length 1)");
    }
}
} // namespace

std::string_view toString(BeamType beam)
{
    switch (beam) {
    case BeamType::Parallel2D:
        return "parallel2d";
    case BeamType::Fan2D:
        return "fan2d";
    case BeamType::Parallel3D:
        return "parallel3d";
    case BeamType::Cone3D:
        return "cone3d";
    }
    return "unknown";
}

BeamType parseBeamType(std::string_view text, std::string_view field)
{
    for (BeamType b :
         {BeamType::Parallel2D, BeamType::Fan2D, BeamType::Parallel3D, BeamType::Cone3D}) {
        if (text == toString(b)) {
            return b;
        }
    }
    throwInvalid(std::string(field), "\"" + std::string(text) + "\"",
                 "accepted: parallel2d, fan2d, parallel3d, cone3d");
}

std::string_view toString(DetectorShape shape)
{
    switch (shape) {
    case DetectorShape::Flat:
        return "flat";
    case DetectorShape::Cylindrical:
        return "cylindrical";
    }
    return "unknown";
}

DetectorShape parseDetectorShape(std::string_view text, std::string_view field)
{
    for (DetectorShape shape : {DetectorShape::Flat, DetectorShape::Cylindrical}) {
        if (text == toString(shape)) {
            return shape;
        }
    }
    throwInvalid(std::string(field), "\"" + std::string(text) + "\"",
                 "accepted: flat, cylindrical");
}

void Detector::validate() const
{
    if (columns == 0) {
        throwInvalid("detector.columns", "0", "a detector needs at least 1 column");
    }
    if (rows == 0) {
        throwInvalid("detector.rows", "0", "a detector needs at least 1 row");
    }
    if (!std::isfinite(pixelU) || pixelU <= 0.0) {
        throwInvalid("detector.pixel_u_mm", formatValue(pixelU), "must be a finite length > 0 mm");
    }
    if (!std::isfinite(pixelV) || pixelV <= 0.0) {
        throwInvalid("detector.pixel_v_mm", formatValue(pixelV), "must be a finite length > 0 mm");
    }
    if (!std::isfinite(offsetU)) {
        throwInvalid("detector.offset_u_px", formatValue(offsetU), "must be finite (pixels)");
    }
    if (!std::isfinite(offsetV)) {
        throwInvalid("detector.offset_v_px", formatValue(offsetV), "must be finite (pixels)");
    }
    if (shape == DetectorShape::Cylindrical && (!std::isfinite(radius) || radius <= 0.0)) {
        throwInvalid("detector.radius_mm", formatValue(radius),
                     "a cylindrical detector needs detector.radius_mm > 0 (finite, mm)");
    }
}

Geometry Geometry::circular(BeamType beam, const Detector& detector,
                            const CircularTrajectory& trajectory)
{
    detector.validate();
    if (trajectory.views == 0) {
        throwInvalid("trajectory.views", "0", "a scan needs at least 1 view");
    }
    if (!std::isfinite(trajectory.startAngle)) {
        throwInvalid("trajectory.start_angle", formatValue(trajectory.startAngle),
                     "must be a finite angle");
    }
    if (!std::isfinite(trajectory.angularRange) || trajectory.angularRange <= 0.0) {
        throwInvalid("trajectory.range (rad)", formatValue(trajectory.angularRange),
                     "must be a finite angle > 0");
    }
    if (!std::isfinite(trajectory.sourceIsocentre) || trajectory.sourceIsocentre <= 0.0) {
        throwInvalid("trajectory.sid_mm", formatValue(trajectory.sourceIsocentre),
                     "the source-isocentre distance must be a finite length > 0 mm");
    }
    if (!std::isfinite(trajectory.sourceDetector) ||
        trajectory.sourceDetector <= trajectory.sourceIsocentre) {
        throwInvalid("trajectory.sdd_mm", formatValue(trajectory.sourceDetector),
                     "the source-detector distance must be finite and greater than sid_mm = " +
                         formatValue(trajectory.sourceIsocentre) +
                         " (the detector lies beyond the isocentre)");
    }
    std::vector<ViewPose> poses;
    poses.reserve(trajectory.views);
    const double sid = trajectory.sourceIsocentre;
    const double sdd = trajectory.sourceDetector;
    for (std::size_t k = 0; k < trajectory.views; ++k) {
        const double theta = trajectory.startAngle + trajectory.angularRange *
                                                         static_cast<double>(k) /
                                                         static_cast<double>(trajectory.views);
        ViewPose pose;
        pose.source =
            isParallel(beam) ? rotateZ({0.0, 1.0, 0.0}, theta) : rotateZ({0.0, -sid, 0.0}, theta);
        pose.detector = rotateZ({0.0, sdd - sid, 0.0}, theta);
        pose.u = rotateZ({1.0, 0.0, 0.0}, theta);
        pose.v = {0.0, 0.0, 1.0};
        poses.push_back(pose);
    }
    return fromPoses(beam, detector, std::move(poses));
}

Geometry Geometry::fromPoses(BeamType beam, const Detector& detector, std::vector<ViewPose> poses)
{
    detector.validate();
    if (is2D(beam) && detector.rows != 1) {
        throwInvalid("detector.rows", std::to_string(detector.rows),
                     std::string("a ") + std::string(toString(beam)) +
                         " geometry has exactly 1 detector row");
    }
    if (poses.empty()) {
        throwInvalid("views", "0", "a scan needs at least 1 view");
    }
    if (detector.shape == DetectorShape::Cylindrical && isParallel(beam)) {
        throwInvalid("detector.shape", "\"cylindrical\"",
                     std::string("a ") + std::string(toString(beam)) +
                         " geometry needs a flat detector; only fan2d and cone3d beams may use a "
                         "cylindrical one");
    }
    for (std::size_t k = 0; k < poses.size(); ++k) {
        const ViewPose& p = poses[k];
        const std::string prefix = "views[" + std::to_string(k) + "].";
        checkUnit(p.u, prefix + "u");
        checkUnit(p.v, prefix + "v");
        if (!isFinite(p.detector)) {
            throwInvalid(prefix + "detector", formatVec(p.detector), "must be finite (mm)");
        }
        if (std::abs(dot(p.u, p.v)) > kUnitTolerance) {
            throwInvalid(prefix + "u·v", formatValue(dot(p.u, p.v)),
                         "the detector's column and row directions must be orthogonal");
        }
        const Vec3 normal = cross(p.u, p.v);
        if (isParallel(beam)) {
            checkUnit(p.source, prefix + "ray");
            if (std::abs(dot(p.source, normal)) < kUnitTolerance) {
                throwInvalid(prefix + "ray", formatVec(p.source),
                             "the ray direction must not lie in the detector plane");
            }
        } else {
            if (!isFinite(p.source)) {
                throwInvalid(prefix + "source", formatVec(p.source), "must be finite (mm)");
            }
            const double distance = dot(p.detector - p.source, normal);
            if (std::abs(distance) < kUnitTolerance) {
                throwInvalid(prefix + "source", formatVec(p.source),
                             "the source must not lie in the detector plane");
            }
        }
        if (is2D(beam)) {
            // 2D scans live in the z = 0 plane with v̂ = +z.
            if (std::abs(p.u.z) > kUnitTolerance || std::abs(p.v.z - 1.0) > kUnitTolerance) {
                throwInvalid(prefix + "u/v", formatVec(p.u) + "/" + formatVec(p.v),
                             "a 2D geometry needs u in the xy-plane and v = (0, 0, 1)");
            }
        }
    }
    Geometry g;
    g.m_beam = beam;
    g.m_detector = detector;
    g.m_poses = std::move(poses);
    return g;
}

Vec3 Geometry::pixelCentre(std::size_t view, double iu, double iv) const
{
    const ViewPose& p = m_poses.at(view);
    const double s = m_detector.columnPosition(iu);
    const double t = m_detector.rowPosition(iv);
    if (m_detector.shape == DetectorShape::Cylindrical) {
        const double r = m_detector.radius;
        const double phi = s / r;
        return p.detector + (r * std::sin(phi)) * p.u +
               (r * (1.0 - std::cos(phi))) * cross(p.u, p.v) + t * p.v;
    }
    return p.detector + s * p.u + t * p.v;
}

double Geometry::viewAngle(std::size_t view) const
{
    const ViewPose& p = m_poses.at(view);
    double theta = std::atan2(p.u.y, p.u.x);
    if (theta < 0.0) {
        theta += 2.0 * std::numbers::pi;
    }
    return theta;
}
} // namespace tomo
