// Derived quantities of a Geometry: projection matrices, magnification, fan and cone angles and
// the field of view (geometry.h documents the definitions and units).
#include "tomo/error.h"
#include "tomo/geometry.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

namespace tomo
{
namespace
{
// Below this (mm) the isocentre counts as lying in the source's plane parallel to the detector.
constexpr double kMinDepth = 1e-9;

// Unit normal of the detector plane pointing from the source towards the plane (divergent
// beams) or along the rays (parallel beams), whichever way û × v̂ points.
Vec3 towardsDetector(const ViewPose& p, bool parallel)
{
    const Vec3 n = cross(p.u, p.v);
    const double side = parallel ? dot(p.source, n) : dot(p.detector - p.source, n);
    return side >= 0.0 ? n : -1.0 * n;
}

// Angle (radians, in [0, π]) between two vectors, accurate also for small angles.
double angleBetween(Vec3 a, Vec3 b)
{
    return std::atan2(norm(cross(a, b)), dot(a, b));
}

// Signed distance from the z axis of the xy-projection of the line through p along q; 0 when
// the line is parallel to z (it then covers no circle in the z = 0 plane).
double signedAxisDistance(Vec3 p, Vec3 q)
{
    const double length = std::hypot(q.x, q.y);
    if (length == 0.0) {
        return 0.0;
    }
    return (p.x * q.y - p.y * q.x) / length;
}
} // namespace

std::array<double, 12> Geometry::projectionMatrix(std::size_t view) const
{
    const ViewPose& p = m_poses.at(view);
    if (m_detector.shape != DetectorShape::Flat) {
        throwInvalid("detector.shape", "\"" + std::string(toString(m_detector.shape)) + "\"",
                     "projection matrices exist only for flat detectors");
    }
    const double du = m_detector.pixelU;
    const double dv = m_detector.pixelV;
    // Pixel index of the detector centre d: iu = cu + û·(x - d)/du on the plane.
    const double cu = 0.5 * (static_cast<double>(m_detector.columns) - 1.0) - m_detector.offsetU;
    const double cv = 0.5 * (static_cast<double>(m_detector.rows) - 1.0) - m_detector.offsetV;
    std::array<double, 12> m{};
    if (isParallel(m_beam)) {
        // x projects along r onto the plane: x' = x + λr with n·(x' - d) = 0; then
        // iu = cu + û·(x' - d)/du is affine in x.
        const Vec3 r = p.source;
        const Vec3 n = cross(p.u, p.v);
        const double rn = dot(r, n);
        const Vec3 ru = p.u - (dot(p.u, r) / rn) * n; // û·(x + λr) with λ = n·(d - x)/(r·n)
        const Vec3 rv = p.v - (dot(p.v, r) / rn) * n;
        const Vec3 dd = p.detector;
        const double ou = -dot(ru, dd);
        const double ov = -dot(rv, dd);
        m = {ru.x / du, ru.y / du,    ru.z / du, cu + ou / du, rv.x / dv, rv.y / dv,
             rv.z / dv, cv + ov / dv, 0.0,       0.0,          0.0,       1.0};
        return m;
    }
    // Perspective: with m̂ from the source towards the plane and D = m̂·(d - s), a point x meets
    // the plane at q = s + D/(m̂·(x - s))·(x - s), and iu·w = [(D/du)û + au·m̂]·(x - s) with
    // w = m̂·(x - s) and au = cu + û·(s - d)/du the pixel index of the foot of the perpendicular.
    const Vec3 mh = towardsDetector(p, false);
    const Vec3 s = p.source;
    const double depth = dot(p.detector - s, mh);
    const double au = cu + dot(p.u, s - p.detector) / du;
    const double av = cv + dot(p.v, s - p.detector) / dv;
    const Vec3 r0 = (depth / du) * p.u + au * mh;
    const Vec3 r1 = (depth / dv) * p.v + av * mh;
    m = {r0.x, r0.y,        r0.z, -dot(r0, s), r1.x, r1.y,
         r1.z, -dot(r1, s), mh.x, mh.y,        mh.z, -dot(mh, s)};
    return m;
}

std::optional<std::array<double, 2>> Geometry::projectPoint(std::size_t view, Vec3 x) const
{
    const ViewPose& p = m_poses.at(view);
    if (m_detector.shape == DetectorShape::Flat) {
        const auto m = projectionMatrix(view);
        const double w = m[8] * x.x + m[9] * x.y + m[10] * x.z + m[11];
        if (!(w > 0.0)) {
            return std::nullopt; // on or behind the source's plane (parallel beams: w = 1)
        }
        return std::array<double, 2>{(m[0] * x.x + m[1] * x.y + m[2] * x.z + m[3]) / w,
                                     (m[4] * x.x + m[5] * x.y + m[6] * x.z + m[7]) / w};
    }
    // Cylindrical (divergent beams only): the surface is c + R(sinφ û − cosφ n̂) + t v̂ with
    // c = d + R n̂. In the (û, n̂) plane the ray s + λ(x − s) meets the circle |· − c| = R at
    // A λ² + B λ + C = 0; the farther root is the detector's side (b < 0).
    const double r = m_detector.radius;
    const Vec3 n = cross(p.u, p.v);
    const Vec3 c = p.detector + r * n;
    const Vec3 dir = x - p.source;
    if (!(dot(dir, towardsDetector(p, false)) > 0.0)) {
        return std::nullopt;
    }
    const double a0 = dot(p.source - c, p.u);
    const double b0 = dot(p.source - c, n);
    const double da = dot(dir, p.u);
    const double db = dot(dir, n);
    const double qa = da * da + db * db;
    const double qb = 2.0 * (a0 * da + b0 * db);
    const double qc = a0 * a0 + b0 * b0 - r * r;
    const double disc = qb * qb - 4.0 * qa * qc;
    if (!(qa > 0.0) || disc < 0.0) {
        return std::nullopt;
    }
    const double lambda = (-qb + std::sqrt(disc)) / (2.0 * qa);
    const double a = a0 + lambda * da;
    const double b = b0 + lambda * db;
    if (!(lambda > 0.0) || !(b < 0.0)) {
        return std::nullopt;
    }
    const double arc = r * std::atan2(a, -b);
    const Vec3 hit = p.source + lambda * dir;
    const double cu = 0.5 * (static_cast<double>(m_detector.columns) - 1.0) - m_detector.offsetU;
    const double cv = 0.5 * (static_cast<double>(m_detector.rows) - 1.0) - m_detector.offsetV;
    return std::array<double, 2>{cu + arc / m_detector.pixelU,
                                 cv + dot(hit - p.detector, p.v) / m_detector.pixelV};
}

double Geometry::magnification(std::size_t view) const
{
    const ViewPose& p = m_poses.at(view);
    if (isParallel(m_beam)) {
        return 1.0;
    }
    const Vec3 mh = towardsDetector(p, false);
    const double sdd = dot(p.detector - p.source, mh);
    const double sid = dot(Vec3{} - p.source, mh);
    if (std::abs(sid) < kMinDepth) {
        throwInvalid("views[" + std::to_string(view) + "].source", formatValue(sid),
                     "the isocentre (origin) lies in the source's plane parallel to the detector, "
                     "so the magnification is undefined");
    }
    return sdd / sid;
}

std::pair<double, double> Geometry::pixelSizeAtIsocentre(std::size_t view) const
{
    const double m = magnification(view);
    return {m_detector.pixelU / m, m_detector.pixelV / m};
}

double Geometry::fanAngle(std::size_t view) const
{
    const ViewPose& p = m_poses.at(view);
    if (isParallel(m_beam)) {
        return 0.0;
    }
    const double row = 0.5 * (static_cast<double>(m_detector.rows) - 1.0);
    const Vec3 first = pixelCentre(view, -0.5, row);
    const Vec3 last = pixelCentre(view, static_cast<double>(m_detector.columns) - 0.5, row);
    return angleBetween(first - p.source, last - p.source);
}

double Geometry::coneAngle(std::size_t view) const
{
    const ViewPose& p = m_poses.at(view);
    if (isParallel(m_beam)) {
        return 0.0;
    }
    const double column = 0.5 * (static_cast<double>(m_detector.columns) - 1.0);
    const Vec3 first = pixelCentre(view, column, -0.5);
    const Vec3 last = pixelCentre(view, column, static_cast<double>(m_detector.rows) - 0.5);
    return angleBetween(first - p.source, last - p.source);
}

double Geometry::fieldOfViewRadius() const
{
    const double row = 0.5 * (static_cast<double>(m_detector.rows) - 1.0);
    const double lastColumn = static_cast<double>(m_detector.columns) - 0.5;
    double radius = std::numeric_limits<double>::infinity();
    for (std::size_t k = 0; k < m_poses.size(); ++k) {
        const ViewPose& p = m_poses[k];
        const Vec3 first = pixelCentre(k, -0.5, row);
        const Vec3 last = pixelCentre(k, lastColumn, row);
        double a = 0.0;
        double b = 0.0;
        if (isParallel(m_beam)) {
            a = signedAxisDistance(first, p.source);
            b = signedAxisDistance(last, p.source);
        } else {
            a = signedAxisDistance(p.source, first - p.source);
            b = signedAxisDistance(p.source, last - p.source);
        }
        // The axis lies inside this view's fan only if the edge rays pass on opposite sides.
        const double covered = (a * b <= 0.0) ? std::min(std::abs(a), std::abs(b)) : 0.0;
        radius = std::min(radius, covered);
    }
    return radius;
}
} // namespace tomo
