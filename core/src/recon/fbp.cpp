// Filtered backprojection for every beam: parallel FBP, fan-beam FBP (flat and equiangular
// detectors) and FDK, as one pipeline of per-pixel weights, a row-wise ramp filter and the
// voxel-driven backprojection (which applies the distance weight).
//
// With β the view angle, γ the fan angle of a column, D the source–isocentre distance and the
// backprojector's weight (D/L)² (projector.h), Kak & Slaney ch. 3.4 and Feldkamp et al. give
//   flat:        f = Σ_k Δβ_k r_k (D/U)² [ (M · SDD/√(SDD² + a² + b²)) p ⊛ h ](a, b)
//   equiangular: f = Σ_k Δβ_k r_k (D/L)² [ (cos γ · R/√(R² + b²) / D) p ⊛ (γ/sin γ)² h ](γ, b)
// where h is the band-limited ramp on the detector's own sampling (mm, or radians for
// equiangular rows), M = SDD/SID folds the filter's scaling from the isocentre to the detector,
// and r_k is the redundancy weight: ½ for a full turn, Parker's for a short scan, Wang's for a
// displaced detector. Parallel beams drop the cosine and distance weights.
#include "recon/ramp_filter.h"
#include "tomo/error.h"
#include "tomo/geometry_check.h"
#include "tomo/log.h"
#include "tomo/projector.h"
#include "tomo/recon.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <memory>
#include <numbers>
#include <string>
#include <vector>

namespace tomo
{
namespace
{
constexpr double kPi = std::numbers::pi;
constexpr double kDegrees = 180.0 / std::numbers::pi;
// A cylindrical detector is equiangular when its radius is the source–detector distance; 0.1%
// allows radii typed to a few digits.
constexpr double kEquiangularTolerance = 1e-3;
// A source path is a circle when its height and in-plane radius vary by less than this
// fraction of the source–isocentre distance.
constexpr double kCircularTolerance = 1e-3;

double wrapToPi(double a)
{
    while (a > kPi) {
        a -= 2.0 * kPi;
    }
    while (a <= -kPi) {
        a += 2.0 * kPi;
    }
    return a;
}

std::string degrees(double radians)
{
    return formatValue(std::round(radians * kDegrees * 100.0) / 100.0) + " deg";
}

/// A length for messages, to 0.01 mm.
std::string millimetres(double mm)
{
    return formatValue(std::round(mm * 100.0) / 100.0);
}

/// Where a view's detector sits relative to its source, in the detector's own coordinates.
struct ViewFrame
{
    double sdd = 1.0;      ///< flat: source to detector plane along the normal; curved: radius
    double sid = 1.0;      ///< flat: source to isocentre along the normal; curved: across v̂
    double pu = 0.0;       ///< flat: foot of the source's perpendicular on the detector, mm
    double pv = 0.0;       ///< along v̂, mm (both detector kinds)
    double centralU = 0.0; ///< detector coordinate a of the ray through the isocentre, mm
};

/// A grid with direction cosines M (a tilted slice or volume) is backprojected as the
/// axis-aligned grid of origin Mᵀ·o in a world turned by Mᵀ about the isocentre: every pose turned
/// the same way, so each voxel meets the same detector pixel and keeps its distance weight (the
/// isocentre stays where it is). The weights and the filter are the scan's own.
struct Alignment
{
    bool turned = false;
    std::array<double, 9> m{1, 0, 0, 0, 1, 0, 0, 0, 1}; ///< the grid's direction, row-major
    VolumeGrid grid;                                    ///< the axis-aligned grid
};

Vec3 turnBack(const std::array<double, 9>& m, Vec3 a)
{
    // Mᵀ·a: column c of M is index axis c's world direction.
    return {m[0] * a.x + m[3] * a.y + m[6] * a.z, m[1] * a.x + m[4] * a.y + m[7] * a.z,
            m[2] * a.x + m[5] * a.y + m[8] * a.z};
}

Alignment alignGrid(const VolumeGrid& grid)
{
    Alignment a{false, grid.direction(), grid};
    if (grid.direction() == std::array<double, 9>{1, 0, 0, 0, 1, 0, 0, 0, 1}) {
        return a;
    }
    a.turned = true;
    a.grid = VolumeGrid::make(grid.size(), grid.spacing(), turnBack(a.m, grid.origin()));
    return a;
}

/// Everything reconstructAnalytic needs beyond the public plan.
struct Setup
{
    AnalyticPlan plan{};
    bool parallel = false;
    bool curved = false;
    double radius = 0.0;
    std::vector<double> beta{}; ///< view angles from the first, along the rotation, radians
    std::vector<double> step{}; ///< Δβ_k, radians
    int direction = 1;          ///< +1 counter-clockwise about +z, -1 clockwise
    std::vector<ViewFrame> frames{};
    double parkerDelta = 0.0; ///< δ' = (β_last − π)/2 of Parker's weights
    double wangOverlap = 0.0; ///< half-width of the overlap (lateral units) for Wang's weights
    bool wangLongSidePositive = true;
    Alignment aligned; ///< the grid as the backprojection sees it
};

ViewFrame makeFrame(const Geometry& g, std::size_t view, bool parallel, bool curved)
{
    const ViewPose& p = g.poses()[view];
    const Vec3 n = cross(p.u, p.v); // towards the source
    ViewFrame f;
    if (parallel) {
        // The ray through the origin meets the detector at -d projected along the ray.
        f.centralU = dot(Vec3{} - p.detector, p.u);
        return f;
    }
    const Vec3 sd = p.source - p.detector;
    f.pv = dot(sd, p.v);
    if (curved) {
        f.sdd = g.detector().radius;
        const Vec3 s = p.source;
        f.sid = std::sqrt(std::max(dot(s, s) - dot(s, p.v) * dot(s, p.v), 0.0));
        const Vec3 e = Vec3{} - p.source; // towards the isocentre
        f.centralU = f.sdd * std::atan2(dot(e, p.u), -dot(e, n));
        return f;
    }
    f.sdd = dot(sd, n);
    f.sid = dot(p.source, n);
    f.pu = dot(sd, p.u);
    const double t = f.sdd / f.sid; // source + t·(origin − source) lies on the detector plane
    f.centralU = f.pu - t * dot(p.source, p.u);
    return f;
}

/// The lateral position of detector coordinate a that redundancy weights are functions of:
/// the fan angle γ from the ray through the isocentre (radians), or for parallel beams the
/// distance from that ray (mm).
double lateral(const Setup& s, const ViewFrame& f, double a)
{
    if (s.parallel) {
        return a - f.centralU;
    }
    if (s.curved) {
        return (a - f.centralU) / s.radius;
    }
    return std::atan((a - f.pu) / f.sdd) - std::atan((f.centralU - f.pu) / f.sdd);
}

/// Parker's weight (Parker 1982; over-scan form of Silver 2000) for view angle β and fan angle
/// γ, with δ' = parkerDelta. β runs along the rotation and the conjugate of (β, γ) is
/// (β + π − 2γ·direction, −γ) with γ measured along û, so Parker's γ is −direction·γ.
double parkerWeight(const Setup& s, double beta, double gamma)
{
    const double delta = s.parkerDelta;
    const double margin = 1e-9;
    const double g =
        std::clamp(-static_cast<double>(s.direction) * gamma, -delta + margin, delta - margin);
    if (beta < 2.0 * (delta - g)) {
        const double x = 0.25 * kPi * beta / (delta - g);
        return std::sin(x) * std::sin(x);
    }
    if (beta <= kPi - 2.0 * g) {
        return 1.0;
    }
    const double x = 0.25 * kPi * std::max(kPi + 2.0 * delta - beta, 0.0) / (delta + g);
    return std::sin(x) * std::sin(x);
}

/// Wang's weight (Wang 2002) for a full scan with a displaced detector, times 2: 1 where only
/// this side is measured, a smooth sin² step over the overlap |l| < overlap, 0 beyond.
double wangWeight(const Setup& s, double l)
{
    const double x = s.wangLongSidePositive ? l : -l;
    if (x >= s.wangOverlap) {
        return 1.0;
    }
    if (x <= -s.wangOverlap) {
        return 0.0;
    }
    const double a = 0.25 * kPi * (x + s.wangOverlap) / s.wangOverlap;
    return std::sin(a) * std::sin(a);
}

double redundancyWeight(const Setup& s, std::size_t view, double l)
{
    switch (s.plan.weighting) {
    case RedundancyWeighting::HalfTurn:
    case RedundancyWeighting::LimitedAngle:
        return 1.0;
    case RedundancyWeighting::FullTurn:
        return 0.5;
    case RedundancyWeighting::Parker:
        return parkerWeight(s, s.beta[view], s.parallel ? 0.0 : l);
    case RedundancyWeighting::Wang:
        return wangWeight(s, l);
    case RedundancyWeighting::SeveralTurns:
        return kPi / s.plan.coverage;
    }
    return 1.0;
}

/// Unwrapped view angles along the rotation, and each view's share Δβ_k of the scan.
void measureAngles(const Geometry& g, Setup& s)
{
    const std::size_t n = g.viewCount();
    if (n < 2) {
        throwInvalid("trajectory.views", std::to_string(n),
                     "filtered backprojection needs at least 2 views");
    }
    std::vector<double> theta(n);
    theta[0] = g.viewAngle(0);
    for (std::size_t k = 1; k < n; ++k) {
        theta[k] = theta[k - 1] + wrapToPi(g.viewAngle(k) - g.viewAngle(k - 1));
    }
    s.direction = theta[n - 1] >= theta[0] ? 1 : -1;
    s.beta.resize(n);
    for (std::size_t k = 0; k < n; ++k) {
        s.beta[k] = static_cast<double>(s.direction) * (theta[k] - theta[0]);
        if (k > 0 && !(s.beta[k] > s.beta[k - 1])) {
            throwInvalid("trajectory (view " + std::to_string(k) + ")",
                         "angle " + degrees(g.viewAngle(k)),
                         "filtered backprojection needs views that advance in one direction "
                         "about the z axis (view " +
                             std::to_string(k - 1) + " is at " + degrees(g.viewAngle(k - 1)) +
                             "); reconstruct this trajectory iteratively");
        }
    }
    s.step.resize(n);
    s.step[0] = s.beta[1] - s.beta[0];
    s.step[n - 1] = s.beta[n - 1] - s.beta[n - 2];
    for (std::size_t k = 1; k + 1 < n; ++k) {
        s.step[k] = 0.5 * (s.beta[k + 1] - s.beta[k - 1]);
    }
    s.plan.coverage = s.beta[n - 1] + 0.5 * (s.step[0] + s.step[n - 1]);
}

/// Warnings for source paths that are not one circle about z (FDK's assumption).
void checkOrbit(const Geometry& g, Setup& s)
{
    if (s.parallel) {
        return;
    }
    double tilt = 0.0;
    for (const ViewPose& p : g.poses()) {
        tilt = std::max(tilt, std::acos(std::clamp(std::abs(p.v.z), 0.0, 1.0)));
    }
    const OrbitExtent orbit = orbitExtent(g);
    if (!orbit.isCircle(kCircularTolerance * orbit.radiusMin)) {
        s.plan.warnings.push_back(
            s.plan.method + " assumes the source moves on one circle about the z axis; this " +
            "source's height spans " + millimetres(orbit.zMin) + " to " + millimetres(orbit.zMax) +
            " mm and its distance from the axis " + millimetres(orbit.radiusMin) + " to " +
            millimetres(orbit.radiusMax) +
            " mm (a helix, saddle or other non-circular orbit), so the image has cone-beam "
            "artefacts and, over several turns, no calibrated amplitude; the iterative methods "
            "reconstruct any trajectory");
    }
    if (tilt > 1e-3) {
        s.plan.warnings.push_back("the detector rows are tilted by up to " + degrees(tilt) +
                                  " from the rotation plane; " + s.plan.method +
                                  " filters along rows, which is exact only for untilted rows");
    }
}

/// The poses of `g` turned by Mᵀ (see Alignment), on `detector`.
Geometry turnedGeometry(const Geometry& g, const Alignment& a, const Detector& detector)
{
    std::vector<ViewPose> poses(g.poses().begin(), g.poses().end());
    if (a.turned) {
        for (ViewPose& p : poses) {
            p = {turnBack(a.m, p.source), turnBack(a.m, p.detector), turnBack(a.m, p.u),
                 turnBack(a.m, p.v)};
        }
    }
    return Geometry::fromPoses(g.beam(), detector, std::move(poses));
}

Setup makeSetup(const Geometry& g, const VolumeGrid& grid)
{
    Setup s{.aligned = alignGrid(grid)};
    const Alignment& aligned = s.aligned;
    if (aligned.turned && is2D(g.beam()) &&
        !(grid.direction()[8] == 1.0 && grid.direction()[2] == 0.0 && grid.direction()[5] == 0.0)) {
        throwInvalid("grid.direction", "out of the scan plane",
                     "a 2D scan reconstructs images in its plane; tilt the grid about z only");
    }
    checkProjectable(aligned.turned ? turnedGeometry(g, aligned, g.detector()) : g, aligned.grid);
    const Detector& det = g.detector();
    s.parallel = isParallel(g.beam());
    s.curved = !s.parallel && det.shape == DetectorShape::Cylindrical;
    s.radius = det.radius;
    const bool twoD = is2D(g.beam());
    if (s.parallel) {
        s.plan.method = "parallel-beam FBP";
    } else if (twoD) {
        s.plan.method =
            s.curved ? "fan-beam FBP (equiangular detector)" : "fan-beam FBP (flat detector)";
    } else {
        s.plan.method = s.curved ? "FDK (cylindrical detector)" : "FDK (flat detector)";
    }
    measureAngles(g, s);
    s.frames.reserve(g.viewCount());
    for (std::size_t k = 0; k < g.viewCount(); ++k) {
        s.frames.push_back(makeFrame(g, k, s.parallel, s.curved));
        const ViewFrame& f = s.frames.back();
        if (s.curved) {
            const double sdd = norm(g.poses()[k].source - g.poses()[k].detector);
            if (std::abs(f.sdd - sdd) > kEquiangularTolerance * sdd) {
                throwInvalid("detector.radius_mm", formatValue(f.sdd),
                             "filtered backprojection on a cylindrical detector needs "
                             "equiangular columns, radius = the source-detector distance (" +
                                 formatValue(sdd) + " mm in view " + std::to_string(k) + ")");
            }
        } else if (!s.parallel && !(f.sid > 0.0 && f.sdd > f.sid)) {
            throwInvalid("trajectory (view " + std::to_string(k) + ")",
                         "source-isocentre " + formatValue(f.sid) + " mm, source-detector " +
                             formatValue(f.sdd) + " mm",
                         "the isocentre must lie between the source and the detector");
        }
    }

    // The detector's lateral extent (pixel centres) in the first view.
    const ViewFrame& f0 = s.frames[0];
    const double low = lateral(s, f0, det.columnPosition(0.0));
    const double high = lateral(s, f0, det.columnPosition(static_cast<double>(det.columns - 1)));
    const double pixel =
        std::abs(lateral(s, f0, det.columnPosition(0.5 * static_cast<double>(det.columns))) -
                 lateral(s, f0, det.columnPosition(0.5 * static_cast<double>(det.columns) - 1.0)));
    const double halfFan = s.parallel ? 0.0 : std::max(std::abs(low), std::abs(high));
    s.plan.fanAngle = s.parallel ? 0.0 : g.fanAngle(0);

    const double stepMean = s.plan.coverage / static_cast<double>(g.viewCount());
    const double c = s.plan.coverage;
    const double last = s.beta.back();
    const bool asymmetric = std::abs(high + low) > pixel;
    if (std::abs(c - 2.0 * kPi) < 0.5 * stepMean) {
        s.plan.weighting = RedundancyWeighting::FullTurn;
    } else if (c > 2.0 * kPi) {
        s.plan.weighting = RedundancyWeighting::SeveralTurns;
    } else if (s.parallel && std::abs(c - kPi) < 0.5 * stepMean) {
        s.plan.weighting = RedundancyWeighting::HalfTurn;
    } else if (last >= kPi + 2.0 * halfFan - 0.5 * stepMean) {
        s.plan.weighting = RedundancyWeighting::Parker;
        s.parkerDelta = std::max(0.5 * (last - kPi), halfFan);
    } else {
        s.plan.weighting = RedundancyWeighting::LimitedAngle;
        s.plan.warnings.push_back(
            "the views cover " + degrees(c) + ", less than the " +
            degrees(kPi + (s.parallel ? 0.0 : s.plan.fanAngle)) +
            " a complete scan needs (180 deg plus the fan angle): the image has limited-angle "
            "artefacts");
    }
    if (asymmetric && (s.plan.weighting == RedundancyWeighting::FullTurn ||
                       s.plan.weighting == RedundancyWeighting::SeveralTurns)) {
        if (!(low < 0.0 && high > 0.0)) {
            throwInvalid("detector.offset_u", formatValue(det.offsetU),
                         "the detector must see the rotation axis (its columns reach only " +
                             formatValue(low) + " to " + formatValue(high) +
                             (s.parallel ? " mm" : " rad") + " from the central ray)");
        }
        s.plan.weighting = RedundancyWeighting::Wang;
        s.wangOverlap = std::min(-low, high);
        s.wangLongSidePositive = high > -low;
        if (c > 2.0 * kPi + 0.5 * stepMean) {
            s.plan.warnings.push_back("the views cover " + degrees(c) +
                                      "; Wang's weights assume one full turn, so lines seen "
                                      "more than twice are weighted as if seen twice");
        }
    } else if (asymmetric && s.plan.weighting == RedundancyWeighting::Parker) {
        throwInvalid("detector.offset_u", formatValue(det.offsetU),
                     "a short scan (" + degrees(c) +
                         ") needs a detector centred on the rotation axis: Wang's weights for "
                         "an offset detector are not combined with Parker's; centre the "
                         "detector or scan 360 deg");
    }
    checkOrbit(g, s);
    return s;
}

/// The per-pixel weight applied before filtering: cosine (cone) weight, the filter's scaling,
/// the view's angular share and the redundancy weight. `columns` is scratch of nu doubles.
void weightProjections(const Setup& s, const Detector& det, std::size_t view, float* image,
                       std::vector<double>& columns)
{
    const ViewFrame& f = s.frames[view];
    columns.resize(det.columns);
    for (std::size_t iu = 0; iu < det.columns; ++iu) {
        const double a = det.columnPosition(static_cast<double>(iu));
        double w = s.step[view] * redundancyWeight(s, view, lateral(s, f, a));
        if (s.curved) {
            w *= std::cos(a / s.radius) / f.sid;
        } else if (!s.parallel) {
            w *= f.sdd / f.sid;
        }
        columns[iu] = w;
    }
    for (std::size_t iv = 0; iv < det.rows; ++iv) {
        const double b = det.rowPosition(static_cast<double>(iv)) - f.pv;
        float* row = image + iv * det.columns;
        if (s.parallel) {
            for (std::size_t iu = 0; iu < det.columns; ++iu) {
                row[iu] = static_cast<float>(columns[iu] * row[iu]);
            }
        } else if (s.curved) {
            const double cone = s.radius / std::sqrt(s.radius * s.radius + b * b);
            for (std::size_t iu = 0; iu < det.columns; ++iu) {
                row[iu] = static_cast<float>(cone * columns[iu] * row[iu]);
            }
        } else {
            for (std::size_t iu = 0; iu < det.columns; ++iu) {
                const double du = det.columnPosition(static_cast<double>(iu)) - f.pu;
                const double cosine = f.sdd / std::sqrt(f.sdd * f.sdd + du * du + b * b);
                row[iu] = static_cast<float>(cosine * columns[iu] * row[iu]);
            }
        }
    }
}

/// For Wang's weights: the projections on a detector widened on its short side until it is
/// symmetric about the central ray, the new columns zero. The filtered projection is not zero
/// beyond the physical detector (the ramp's tails), and the backprojection of the voxels whose
/// rays fall there needs those values; Wang's weight is zero on the new columns' data but not on
/// their filtered values. RTK's displaced-detector filter widens the same way.
ProjectionStack widenForWang(const ProjectionStack& projections, const Setup& s,
                             const Alignment& aligned)
{
    const Geometry& g = projections.geometry();
    const Detector& det = g.detector();
    const ViewFrame& f = s.frames[0];
    double farSide = 0.0; // the long side's lateral extent, to be mirrored
    for (double iu : {0.0, static_cast<double>(det.columns - 1)}) {
        farSide = std::max(farSide, std::abs(lateral(s, f, det.columnPosition(iu))));
    }
    // Detector coordinate whose lateral position is −farSide on the short side's sign.
    const double sign = s.wangLongSidePositive ? -1.0 : 1.0;
    double target = 0.0;
    if (s.parallel) {
        target = f.centralU + sign * farSide;
    } else if (s.curved) {
        target = f.centralU + sign * farSide * s.radius;
    } else {
        target = f.pu + f.sdd * std::tan(sign * farSide + std::atan((f.centralU - f.pu) / f.sdd));
    }
    const double edge =
        det.columnPosition(s.wangLongSidePositive ? 0.0 : static_cast<double>(det.columns - 1));
    const auto extra = static_cast<std::size_t>(std::ceil(std::abs(edge - target) / det.pixelU));
    Detector wide = det;
    wide.columns = det.columns + extra;
    wide.offsetU = det.offsetU + (s.wangLongSidePositive ? -0.5 : 0.5) * static_cast<double>(extra);
    ProjectionStack out = ProjectionStack::zeros(turnedGeometry(g, aligned, wide));
    const std::size_t first = s.wangLongSidePositive ? extra : 0;
    for (std::size_t view = 0; view < projections.views(); ++view) {
        for (std::size_t iv = 0; iv < det.rows; ++iv) {
            const float* from = projections.view(view).data() + iv * det.columns;
            std::copy(from, from + det.columns, out.view(view).data() + iv * wide.columns + first);
        }
    }
    return out;
}

void checkFinite(const ProjectionStack& p)
{
    const std::span<const float> data = p.data();
    const auto size = static_cast<std::ptrdiff_t>(data.size());
    std::ptrdiff_t firstBad = size; // the first value that is not finite
#pragma omp parallel for schedule(static) reduction(min : firstBad)
    for (std::ptrdiff_t i = 0; i < size; ++i) {
        if (!std::isfinite(data[static_cast<std::size_t>(i)])) {
            firstBad = std::min(firstBad, i);
        }
    }
    if (firstBad < size) {
        const auto i = static_cast<std::size_t>(firstBad);
        const std::size_t view = i / p.pixelsPerView();
        const std::size_t pixel = i % p.pixelsPerView();
        throwInvalid("projections (view " + std::to_string(view) + ", row " +
                         std::to_string(pixel / p.columns()) + ", column " +
                         std::to_string(pixel % p.columns()) + ")",
                     formatValue(data[i]),
                     "projection values must be finite line integrals; replace NaN and "
                     "infinite values (dead pixels, log of zero counts) before reconstructing");
    }
}
} // namespace

std::string_view toString(RedundancyWeighting weighting)
{
    switch (weighting) {
    case RedundancyWeighting::HalfTurn:
        return "half turn (parallel)";
    case RedundancyWeighting::FullTurn:
        return "full turn";
    case RedundancyWeighting::Parker:
        return "Parker short scan";
    case RedundancyWeighting::Wang:
        return "Wang offset detector";
    case RedundancyWeighting::SeveralTurns:
        return "several turns";
    case RedundancyWeighting::LimitedAngle:
        return "limited angle";
    }
    return "unknown";
}

AnalyticPlan planAnalytic(const Geometry& geometry, const VolumeGrid& grid)
{
    return makeSetup(geometry, grid).plan;
}

namespace
{
/// What reconstructAnalytic and filterForBackprojection share: the setup of the geometry, the
/// stack being weighted and filtered in place (on the geometry the backprojection sees: turned
/// for a tilted grid, widened for Wang's weights), and the ramp filter.
class AnalyticFilter
{
public:
    AnalyticFilter(const ProjectionStack& projections, const VolumeGrid& grid,
                   const FbpOptions& options)
        : m_setup(makeSetup(projections.geometry(), grid)),
          m_filtered(prepare(projections, m_setup)),
          m_ramp(m_filtered.geometry().detector().columns,
                 {.spacing = m_setup.curved
                                 ? m_filtered.geometry().detector().pixelU / m_setup.radius
                                 : m_filtered.geometry().detector().pixelU,
                  .angular = m_setup.curved},
                 options)
    {
        checkFinite(projections);
    }

    [[nodiscard]] const Setup& setup() const { return m_setup; }
    [[nodiscard]] ProjectionStack& filtered() { return m_filtered; }

    /// Weights and ramp-filters views [first, first + count) in place.
    void filterViews(std::size_t first, std::size_t count)
    {
        const Detector& det = m_filtered.geometry().detector();
#pragma omp parallel
        {
            std::vector<double> columns;
#pragma omp for schedule(static)
            for (std::ptrdiff_t k = 0; k < static_cast<std::ptrdiff_t>(count); ++k) {
                const std::size_t view = first + static_cast<std::size_t>(k);
                weightProjections(m_setup, det, view, m_filtered.view(view).data(), columns);
            }
        }
        m_ramp.apply(m_filtered.data().subspan(first * m_filtered.pixelsPerView(),
                                               count * m_filtered.pixelsPerView()),
                     count * det.rows);
    }

private:
    static ProjectionStack prepare(const ProjectionStack& projections, const Setup& s)
    {
        const Geometry& geometry = projections.geometry();
        const Alignment& aligned = s.aligned;
        if (s.plan.weighting == RedundancyWeighting::Wang) {
            return widenForWang(projections, s, aligned);
        }
        if (aligned.turned) {
            return ProjectionStack::fromData(
                turnedGeometry(geometry, aligned, geometry.detector()),
                std::vector<float>(projections.data().begin(), projections.data().end()));
        }
        return projections;
    }

    Setup m_setup;
    ProjectionStack m_filtered;
    detail::RampFilter m_ramp;
};
} // namespace

Volume reconstructAnalytic(const ProjectionStack& projections, const VolumeGrid& grid,
                           const FbpOptions& options, ComputeContext& compute, RunContext& ctx,
                           AnalyticPlan* plan)
{
    options.validate();
    // Weight and filter batch by batch, so a cancel is prompt and a preview comes early.
    AnalyticFilter filter(projections, grid, options);
    const Setup& s = filter.setup();
    for (const std::string& warning : s.plan.warnings) {
        log(LogLevel::Warning, warning);
    }
    if (plan != nullptr) {
        *plan = s.plan;
    }
    const std::size_t views = projections.geometry().viewCount();
    ctx.reportProgress(0, views, "weighting and ramp filter");

    const Alignment& aligned = s.aligned;
    const auto projector = makeProjector(ProjectorModel::VoxelDriven, compute);
    Volume image = Volume::zeros(aligned.grid);
    // The image with the requested (tilted) grid: the same voxels in the same order.
    const auto onGrid = [&grid](const Volume& v) {
        return Volume::fromData(grid, std::vector<float>(v.data().begin(), v.data().end()));
    };
    for (std::size_t first = 0; first < views; first += options.batchViews) {
        ctx.throwIfCancelled();
        const std::size_t count = std::min(options.batchViews, views - first);
        filter.filterViews(first, count);
        ctx.throwIfCancelled();
        projector->backAccumulate(filter.filtered(), first, count, 1.0f, image);
        ctx.reportProgress(first + count, views, "backprojection");
        if (ctx.wantsPreviews()) {
            Preview preview;
            preview.volume = std::make_shared<const Volume>(onGrid(image));
            preview.stage = s.plan.method;
            ctx.publishPreview(std::move(preview));
        }
    }
    if (options.hu) {
        convertToHu(image, options.muWater);
    }
    if (aligned.turned) {
        return Volume::fromData(grid, std::move(image).takeData());
    }
    return image;
}

FilteredProjections filterForBackprojection(const ProjectionStack& projections,
                                            const VolumeGrid& grid, const FbpOptions& options)
{
    options.validate();
    AnalyticFilter filter(projections, grid, options);
    filter.filterViews(0, projections.geometry().viewCount());
    return {std::move(filter.filtered()), filter.setup().aligned.grid, filter.setup().plan};
}

namespace
{
void checkMuWater(double muWater)
{
    if (!std::isfinite(muWater) || muWater <= 0.0) {
        throwInvalid("mu_water_per_mm", formatValue(muWater),
                     "must be a positive attenuation in mm^-1 (water at 70 keV: 0.019288)");
    }
}
} // namespace

void convertToHu(Volume& volume, double muWater)
{
    checkMuWater(muWater);
    const auto mu = static_cast<float>(muWater);
    for (float& value : volume.data()) {
        value = 1000.0f * (value - mu) / mu;
    }
    volume.meta().unit = ValueUnit::Hu;
    volume.meta().dictionary["tomoscope_mu_water_per_mm"] = formatValue(muWater);
}

void convertToMu(Volume& volume, double muWater)
{
    checkMuWater(muWater);
    const auto mu = static_cast<float>(muWater);
    for (float& value : volume.data()) {
        value = mu * (1.0f + value / 1000.0f);
    }
    volume.meta().unit = ValueUnit::MuPerMm;
    volume.meta().dictionary["tomoscope_mu_water_per_mm"] = formatValue(muWater);
}

void checkFbp2D(const Geometry& geometry, const VolumeGrid& grid)
{
    if (!is2D(geometry.beam())) {
        throwInvalid("geometry.beam", "\"" + std::string(toString(geometry.beam())) + "\"",
                     "2D FBP reconstructs parallel2d and fan2d scans; reconstruct a 3D beam with "
                     "FDK (algorithm \"fdk\")");
    }
    (void)planAnalytic(geometry, grid);
}

Volume reconstructFbp2D(const ProjectionStack& projections, const VolumeGrid& grid,
                        const FbpOptions& options, ComputeContext& compute, RunContext& ctx)
{
    checkFbp2D(projections.geometry(), grid);
    return reconstructAnalytic(projections, grid, options, compute, ctx);
}

Volume reconstructFdk(const ProjectionStack& projections, const VolumeGrid& grid,
                      const FbpOptions& options, ComputeContext& compute, RunContext& ctx)
{
    if (is2D(projections.geometry().beam())) {
        throwInvalid("geometry.beam",
                     "\"" + std::string(toString(projections.geometry().beam())) + "\"",
                     "FDK reconstructs cone3d and parallel3d scans; reconstruct a 2D beam with "
                     "2D FBP (algorithm \"fbp\")");
    }
    return reconstructAnalytic(projections, grid, options, compute, ctx);
}
} // namespace tomo
