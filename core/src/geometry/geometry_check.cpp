#include "tomo/geometry_check.h"

#include "tomo/error.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numbers>
#include <string>

namespace tomo
{
namespace
{
constexpr double kDeg = 180.0 / std::numbers::pi;
// Source positions that differ by less than this are the same circle (mm).
constexpr double kSameOrbitMm = 1e-6;

std::string fmt(double value, int decimals = 1)
{
    char buffer[64];
    std::snprintf(buffer, sizeof(buffer), "%.*f", decimals, value);
    return buffer;
}

// "0-44, 316-359" from sorted view indices.
std::string describeViews(const std::vector<std::size_t>& views)
{
    std::string out;
    for (std::size_t i = 0; i < views.size();) {
        std::size_t j = i;
        while (j + 1 < views.size() && views[j + 1] == views[j] + 1) {
            ++j;
        }
        if (!out.empty()) {
            out += ", ";
        }
        out += std::to_string(views[i]);
        if (j > i) {
            out += "-" + std::to_string(views[j]);
        }
        i = j + 1;
    }
    return out;
}

std::vector<Vec3> boxCorners(const VolumeGrid& grid, bool planar)
{
    // The box is the outer faces of the voxels, half a voxel beyond the centres.
    std::vector<Vec3> corners;
    const auto& n = grid.size();
    for (int c = 0; c < 8; ++c) {
        const double i = (c & 1) ? static_cast<double>(n[0]) - 0.5 : -0.5;
        const double j = (c & 2) ? static_cast<double>(n[1]) - 0.5 : -0.5;
        const double k = (c & 4) ? static_cast<double>(n[2]) - 0.5 : -0.5;
        Vec3 p = grid.voxelCentre(i, j, k);
        if (planar) {
            p.z = 0.0;
        }
        corners.push_back(p);
    }
    return corners;
}

// Angle of the source (or ray) of a view about +z, in [0, 2π).
double sourceAngle(const Geometry& g, std::size_t view)
{
    const Vec3 s = g.poses()[view].source;
    // Divergent: s = R(θ)(0, −SID, z) → θ = atan2(x, −y); parallel: r = R(θ)(0, 1, 0).
    double a = isParallel(g.beam()) ? std::atan2(-s.x, s.y) : std::atan2(s.x, -s.y);
    if (a < 0.0) {
        a += 2.0 * std::numbers::pi;
    }
    return a;
}

// Angular coverage (radians) of the sources about z: 2π minus the largest gap between the
// sorted angles, plus one view step (each view stands for its own step). The step is the median
// step between consecutive views in scan order, so several turns (a helix) do not shrink it.
double angularCoverage(const Geometry& g)
{
    const std::size_t n = g.viewCount();
    std::vector<double> angles;
    std::vector<double> steps;
    for (std::size_t k = 0; k < n; ++k) {
        angles.push_back(sourceAngle(g, k));
        if (k > 0) {
            steps.push_back(
                std::abs(std::remainder(angles[k] - angles[k - 1], 2.0 * std::numbers::pi)));
        }
    }
    std::nth_element(steps.begin(), steps.begin() + static_cast<std::ptrdiff_t>(steps.size() / 2),
                     steps.end());
    const double step = steps[steps.size() / 2];
    std::sort(angles.begin(), angles.end());
    double largestGap = angles.front() + 2.0 * std::numbers::pi - angles.back();
    for (std::size_t k = 1; k < n; ++k) {
        largestGap = std::max(largestGap, angles[k] - angles[k - 1]);
    }
    return std::min(2.0 * std::numbers::pi, 2.0 * std::numbers::pi - largestGap + step);
}
} // namespace

std::string_view toString(Severity severity)
{
    return severity == Severity::Info ? "info" : "warning";
}

OrbitExtent orbitExtent(const Geometry& geometry)
{
    OrbitExtent e{1e300, -1e300, 1e300, -1e300};
    for (const ViewPose& p : geometry.poses()) {
        e.zMin = std::min(e.zMin, p.source.z);
        e.zMax = std::max(e.zMax, p.source.z);
        const double r = std::hypot(p.source.x, p.source.y);
        e.radiusMin = std::min(e.radiusMin, r);
        e.radiusMax = std::max(e.radiusMax, r);
    }
    return e;
}

std::vector<Finding> checkGeometry(const Geometry& g, const VolumeGrid& volume)
{
    std::vector<Finding> findings;
    const bool flat = g.detector().shape == DetectorShape::Flat;
    const bool divergent = !isParallel(g.beam());

    // Summary of the central view.
    {
        Finding f;
        f.code = "summary";
        std::string text = std::string(toString(g.beam())) + ", " + std::to_string(g.viewCount()) +
                           " views, detector " + std::to_string(g.detector().columns) + "x" +
                           std::to_string(g.detector().rows);
        const std::size_t mid = g.viewCount() / 2;
        if (divergent) {
            const auto [pu, pv] = g.pixelSizeAtIsocentre(mid);
            text += "; magnification " + fmt(g.magnification(mid), 3) + ", fan angle " +
                    fmt(g.fanAngle(mid) * kDeg) + " deg";
            if (!is2D(g.beam())) {
                text += ", cone angle " + fmt(g.coneAngle(mid) * kDeg) + " deg";
            }
            text += ", pixel at isocentre " + fmt(pu, 3) + " x " + fmt(pv, 3) + " mm";
        }
        text += "; field of view radius " + fmt(g.fieldOfViewRadius()) + " mm";
        f.message = text;
        findings.push_back(std::move(f));
    }

    // Truncation: a corner of the volume box projecting outside the detector.
    if (!flat) {
        findings.push_back({Severity::Info,
                            "truncation",
                            "truncation is not analysed for cylindrical detectors yet",
                            {}});
    } else {
        const auto corners = boxCorners(volume, is2D(g.beam()));
        const double nu = static_cast<double>(g.detector().columns);
        const double nv = static_cast<double>(g.detector().rows);
        std::vector<std::size_t> truncated;
        for (std::size_t k = 0; k < g.viewCount(); ++k) {
            const auto P = g.projectionMatrix(k);
            bool outside = false;
            for (const Vec3& c : corners) {
                const double w = P[8] * c.x + P[9] * c.y + P[10] * c.z + P[11];
                if (w <= 0.0) {
                    outside = true; // the box reaches behind the source
                    break;
                }
                const double iu = (P[0] * c.x + P[1] * c.y + P[2] * c.z + P[3]) / w;
                const double iv = (P[4] * c.x + P[5] * c.y + P[6] * c.z + P[7]) / w;
                // The detector's outer edges are half a pixel beyond the first and last centres.
                if (iu < -0.5 || iu > nu - 0.5 ||
                    (!is2D(g.beam()) && (iv < -0.5 || iv > nv - 0.5))) {
                    outside = true;
                    break;
                }
            }
            if (outside) {
                truncated.push_back(k);
            }
        }
        if (!truncated.empty()) {
            findings.push_back(
                {Severity::Warning, "truncation",
                 "the volume box is not fully on the detector in " +
                     std::to_string(truncated.size()) + " of " + std::to_string(g.viewCount()) +
                     " views (" + describeViews(truncated) +
                     "): expect truncation artefacts; enlarge the detector or shrink the volume",
                 truncated});
        }
    }

    // Angular coverage about z against π (+ fan angle for divergent beams).
    if (g.viewCount() >= 2) {
        const double coverage = angularCoverage(g);
        const double fan = divergent ? g.fanAngle(g.viewCount() / 2) : 0.0;
        const double needed = std::numbers::pi + fan;
        // Half a view step of slack: N views over a range R cover R, sampled every R/N.
        const double slack = 0.5 * coverage / static_cast<double>(g.viewCount());
        if (coverage >= 2.0 * std::numbers::pi - slack) {
            findings.push_back({Severity::Info,
                                "full-scan",
                                "full scan: the sources cover 360 deg about the rotation axis",
                                {}});
        } else if (coverage + slack >= needed) {
            findings.push_back(
                divergent ? Finding{Severity::Info,
                                    "short-scan",
                                    "short scan: " + fmt(coverage * kDeg) +
                                        " deg covers 180 deg + fan angle " + fmt(fan * kDeg) +
                                        " deg; redundant rays need Parker weights in FBP/FDK",
                                    {}}
                          : Finding{Severity::Info,
                                    "half-scan",
                                    "parallel beam over " + fmt(coverage * kDeg) +
                                        " deg: every line is measured (180 deg suffice)",
                                    {}});
        } else {
            findings.push_back(
                {Severity::Warning,
                 "limited-angle",
                 "limited angle: " + fmt(coverage * kDeg) + " deg is less than the " +
                     fmt(needed * kDeg) + " deg" + (divergent ? " (180 deg + fan angle)" : "") +
                     " a complete scan needs; expect streaks along the missing directions",
                 {}});
        }
    }

    const Detector& d = g.detector();
    if (d.offsetU != 0.0) {
        const bool halfFan = g.fieldOfViewRadius() == 0.0;
        findings.push_back(
            {halfFan ? Severity::Warning : Severity::Info,
             "offset-detector",
             "detector offset by " + fmt(d.offsetU, 2) + " px (" + fmt(d.offsetU * d.pixelU, 2) +
                 " mm) along u: " +
                 (halfFan ? "the rotation axis is outside some views' fan, so the scan needs 360 "
                            "deg and offset-detector (Wang) weights"
                          : "FBP/FDK need offset-detector (Wang) weights"),
             {}});
    }

    if (divergent) {
        const OrbitExtent orbit = orbitExtent(g);
        const double zMin = orbit.zMin;
        if (!orbit.isCircle(kSameOrbitMm)) {
            findings.push_back({Severity::Warning,
                                "non-circular-orbit",
                                "the source leaves a single circle (z " + fmt(orbit.zMin) + " to " +
                                    fmt(orbit.zMax) + " mm, distance from the axis " +
                                    fmt(orbit.radiusMin) + " to " + fmt(orbit.radiusMax) +
                                    " mm): FDK is not exact for this orbit; use iterative methods",
                                {}});
        } else if (!is2D(g.beam())) {
            findings.push_back(
                {Severity::Info,
                 "cone-beam-incomplete",
                 "circular cone-beam orbit: only the plane z = " + fmt(zMin) +
                     " mm meets Tuy's condition; slices away from it lose data (cone-beam "
                     "artefacts grow with the cone angle)",
                 {}});
        }
    }
    return findings;
}

Volume completenessMap(const Geometry& g, const VolumeGrid& grid, std::size_t directions)
{
    if (isParallel(g.beam())) {
        throwInvalid("geometry.beam", "\"" + std::string(toString(g.beam())) + "\"",
                     "the completeness map follows Tuy's condition for a source path: fan2d or "
                     "cone3d");
    }
    if (directions < 16) {
        throwInvalid("directions", std::to_string(directions), "must be at least 16");
    }
    // Split the source path where it jumps (separate circles).
    const auto poses = g.poses();
    std::vector<double> steps;
    for (std::size_t k = 1; k < poses.size(); ++k) {
        steps.push_back(norm(poses[k].source - poses[k - 1].source));
    }
    double median = 0.0;
    if (!steps.empty()) {
        std::vector<double> sorted = steps;
        std::nth_element(sorted.begin(),
                         sorted.begin() + static_cast<std::ptrdiff_t>(sorted.size() / 2),
                         sorted.end());
        median = sorted[sorted.size() / 2];
    }
    std::vector<std::pair<std::size_t, std::size_t>> paths; // [first, last]
    std::size_t first = 0;
    for (std::size_t k = 1; k < poses.size(); ++k) {
        if (steps[k - 1] > kPathGapFactor * median) {
            paths.emplace_back(first, k - 1);
            first = k;
        }
    }
    paths.emplace_back(first, poses.size() - 1);

    // Fibonacci half-sphere of plane normals (n and −n give the same plane).
    std::vector<Vec3> normals;
    const double golden = std::numbers::pi * (3.0 - std::sqrt(5.0));
    for (std::size_t i = 0; i < directions; ++i) {
        const double z = (static_cast<double>(i) + 0.5) / static_cast<double>(directions);
        const double r = std::sqrt(1.0 - z * z);
        const double phi = golden * static_cast<double>(i);
        normals.push_back({r * std::cos(phi), r * std::sin(phi), z});
    }
    // A plane n·x = c meets a connected path iff min n·s ≤ c ≤ max n·s over it. Closed circles
    // are sampled finely enough that the sampled extremes are the path's to within the step.
    const std::size_t nPaths = paths.size();
    std::vector<double> lo(directions * nPaths);
    std::vector<double> hi(directions * nPaths);
    for (std::size_t i = 0; i < directions; ++i) {
        for (std::size_t p = 0; p < nPaths; ++p) {
            double a = 1e300;
            double b = -1e300;
            for (std::size_t k = paths[p].first; k <= paths[p].second; ++k) {
                const double v = dot(normals[i], poses[k].source);
                a = std::min(a, v);
                b = std::max(b, v);
            }
            lo[i * nPaths + p] = a;
            hi[i * nPaths + p] = b;
        }
    }
    Volume map = Volume::zeros(grid);
    const auto& n = grid.size();
    const auto voxels = static_cast<std::ptrdiff_t>(grid.voxelCount());
#pragma omp parallel for schedule(static)
    for (std::ptrdiff_t index = 0; index < voxels; ++index) {
        const auto u = static_cast<std::size_t>(index);
        const Vec3 x =
            grid.voxelCentre(static_cast<double>(u % n[0]), static_cast<double>((u / n[0]) % n[1]),
                             static_cast<double>(u / (n[0] * n[1])));
        std::size_t met = 0;
        for (std::size_t i = 0; i < directions; ++i) {
            const double c = dot(normals[i], x);
            for (std::size_t p = 0; p < nPaths; ++p) {
                if (lo[i * nPaths + p] <= c && c <= hi[i * nPaths + p]) {
                    ++met;
                    break;
                }
            }
        }
        map.data()[u] =
            static_cast<float>(static_cast<double>(met) / static_cast<double>(directions));
    }
    return map;
}
} // namespace tomo
