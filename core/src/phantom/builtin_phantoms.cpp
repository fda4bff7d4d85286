// Built-in test phantoms beyond Shepp–Logan: the FORBILD head (3D and its central slice), a
// line-pair resolution pattern and a contrast-detail set. phantom.h documents each geometry;
// docs/phantoms.md lists them with their sources.
#include "phantom/phantom_checks.h"
#include "tomo/error.h"
#include "tomo/phantom.h"

#include <array>
#include <cmath>
#include <cstddef>
#include <limits>
#include <numbers>
#include <optional>
#include <vector>

namespace tomo
{
namespace
{
constexpr double kDegree = std::numbers::pi / 180.0;
constexpr double kInfinity = std::numeric_limits<double>::infinity();

// The rotation whose columns are the local axes ex, ey, ez (each a unit vector, orthogonal).
Rotation rotationFromAxes(Vec3 ex, Vec3 ey, Vec3 ez)
{
    return {ex.x, ey.x, ez.x, ex.y, ey.y, ez.y, ex.z, ey.z, ez.z};
}

// One object of the FORBILD head in the published units (cm) and densities.
struct ForbildPart
{
    ShapeKind kind = ShapeKind::Ellipsoid;
    Vec3 centre;   // cm
    Vec3 semiAxes; // cm; a cylinder's third entry is its half-length (FORBILD's "l" is the length)
    Rotation rotation = kIdentityRotation;
    double density = 0.0;          // FORBILD's rho
    double enclosingDensity = 0.0; // rho of the object it replaces; objects here add
    // Only for the two cylinders whose axis is not along z: their section with z = 0 as an
    // axis-aligned rectangle of these half-sizes, see forbildParts.
    double sliceHalfX = 0.0;
    double sliceHalfY = 0.0;
};

constexpr double kSkull = 1.8;
constexpr double kBrain = 1.05;
constexpr double kBone = 1.8;
constexpr double kAir = 0.0;

// The FORBILD head of Lauritsch & Bruder, from the phantom file HeadPhantom.pha (RTK Consortium,
// github.com/RTKConsortium/Forbild, a copy of the file of www.imp.uni-erlangen.de/phantoms/head),
// in its own order and numbering. FORBILD syntax: "Ellipsoid_free" gives the local axes a_x and
// a_z; "Ellipt_Cyl" gives its axis (local z), one cross-section axis a_x or a_y, the two
// cross-section semi-axes dx, dy and the full length l. Each object replaces the density of the
// one it lies in (checked by sampling: every object lies wholly in the brain, except the septum
// 15, which lies wholly in the sinus 7), so its added value is its density minus that one's.
std::vector<ForbildPart> forbildParts()
{
    const double c15 = std::cos(15 * kDegree);
    const double s15 = std::sin(15 * kDegree);
    const double c30 = std::cos(30 * kDegree);
    const double s30 = std::sin(30 * kDegree);
    const Vec3 zAxis{0, 0, 1};
    std::vector<ForbildPart> parts;
    const auto ellipsoid = [&](Vec3 centre, Vec3 semiAxes, double density, double enclosing) {
        parts.push_back({.kind = ShapeKind::Ellipsoid,
                         .centre = centre,
                         .semiAxes = semiAxes,
                         .density = density,
                         .enclosingDensity = enclosing});
        return &parts.back();
    };
    ellipsoid({0, 0, 0}, {9.6, 12.0, 12.5}, kSkull, kAir);      // 5: skull
    ellipsoid({0, 0, 0}, {9.0, 11.4, 11.9}, kBrain, kSkull);    // 6: brain
    ellipsoid({0, -3.6, 0}, {1.8, 3.6, 3.6}, 1.045, kBrain);    // 12
    ellipsoid({0, 8.4, 0}, {1.8, 3.0, 3.0}, kAir, kBrain);      // 7: frontal sinus
    ellipsoid({-4.7, 4.3, 0.872}, {2, 2, 2}, 1.06, kBrain);     // 1: eye
    ellipsoid({4.7, 4.3, 0.872}, {2, 2, 2}, 1.06, kBrain);      // 2: eye
    ellipsoid({-1.08, -9, 0}, {0.4, 0.4, 0.4}, 1.0525, kBrain); // 3
    ellipsoid({1.08, -9, 0}, {0.4, 0.4, 0.4}, 1.0475, kBrain);  // 4

    // 14: Ellipt_Cyl y=3.6 dx=1.2 dy=4.0 l=0.5·cos 15°, axis (0, −cos 30°, sin 30°),
    // a_y (0, sin 30°, cos 30°); so a_x = a_y × axis = (1, 0, 0).
    {
        const Vec3 ez{0, -c30, s30};
        const Vec3 ey{0, s30, c30};
        const double halfLength = 0.5 * c15 / 2.0;
        ForbildPart& p = parts.emplace_back();
        p = {.kind = ShapeKind::Cylinder,
             .centre = {0, 3.6, 0},
             .semiAxes = {1.2, 4.0, halfLength},
             .rotation = rotationFromAxes(cross(ey, ez), ey, ez),
             .density = kBone,
             .enclosingDensity = kBrain};
        // In z = 0 a step Δy along y is −Δy·cos 30° along the axis, so the end caps bound
        // |Δy| ≤ halfLength / cos 30°, where the section of the elliptic cross-section is
        // |x| ≤ 1.2·√(1 − (Δy·sin 30°/4)²) ≥ 0.99939·1.2: a rectangle with slightly curved ends.
        p.sliceHalfX = 1.2;
        p.sliceHalfY = halfLength / c30;
    }
    // 15: Ellipt_Cyl y=9.6 dx=0.525561 dy=2 l=0.4, axis (1, 0, 0), a_y (0, −sin 30°, cos 30°);
    // so a_x = a_y × axis = (0, cos 30°, sin 30°). A septum in the sinus.
    {
        const Vec3 ez{1, 0, 0};
        const Vec3 ey{0, -s30, c30};
        const Vec3 ex = cross(ey, ez);
        ForbildPart& p = parts.emplace_back();
        p = {.kind = ShapeKind::Cylinder,
             .centre = {0, 9.6, 0},
             .semiAxes = {0.525561, 2.0, 0.2},
             .rotation = rotationFromAxes(ex, ey, ez),
             .density = kBone,
             .enclosingDensity = kAir};
        // The axis lies in z = 0, so the section is exactly the rectangle |x| ≤ 0.2 by the
        // cross-section's chord along y: 1/√((ex·ŷ/dx)² + (ey·ŷ/dy)²) (0.6 cm).
        p.sliceHalfX = 0.2;
        p.sliceHalfY = 1.0 / std::hypot(ex.y / 0.525561, ey.y / 2.0);
    }
    // 8 and 9: Ellipsoid_free with a_z tilted 15° about y and a_x at 120° and 60°. The file
    // gives 8 the sizes 1.206483·cos 15°, 0.420276·cos 15° and 9 the rounder 1.2·cos 15°,
    // 0.42·cos 15°; both are kept as published.
    {
        const Vec3 ez{s15, 0, c15};
        const Vec3 ex{c15 * std::cos(120 * kDegree), std::sin(120 * kDegree),
                      -s15 * std::cos(120 * kDegree)};
        ForbildPart* p =
            ellipsoid({-1.9, 5.4, 0}, {1.206483 * c15, 0.420276 * c15, 3.0}, kBone, kBrain);
        p->rotation = rotationFromAxes(ex, cross(ez, ex), ez);
    }
    {
        const Vec3 ez{-s15, 0, c15};
        const Vec3 ex{c15 * std::cos(60 * kDegree), std::sin(60 * kDegree),
                      s15 * std::cos(60 * kDegree)};
        ForbildPart* p = ellipsoid({1.9, 5.4, 0}, {1.2 * c15, 0.42 * c15, 3.0}, kBone, kBrain);
        p->rotation = rotationFromAxes(ex, cross(ez, ex), ez);
    }
    // 10 and 11: Ellipt_Cyl along z from z = −3 to 1 (centre z = −1, l = 4), a_x at 150° and 30°.
    for (const double sign : {-1.0, 1.0}) {
        const double angle = (sign < 0 ? 150.0 : 30.0) * kDegree;
        const Vec3 ex{std::cos(angle), std::sin(angle), 0};
        parts.push_back({.kind = ShapeKind::Cylinder,
                         .centre = {sign * 4.3, 6.8, -1.0},
                         .semiAxes = {1.8, 0.24, 2.0},
                         .rotation = rotationFromAxes(ex, cross(zAxis, ex), zAxis),
                         .density = kBone,
                         .enclosingDensity = kBrain});
    }
    // 13: Ellipsoid_free with a_x at 58.1° in the plane: the clot.
    {
        const Vec3 ex{std::cos(58.1 * kDegree), std::sin(58.1 * kDegree), 0};
        ForbildPart* p = ellipsoid({6.393945, -6.393945, 0}, {1.2, 0.42, 1.2}, 1.055, kBrain);
        p->rotation = rotationFromAxes(ex, cross(zAxis, ex), zAxis);
    }
    // The resolution pattern on the left: 4 × 4 elements of bone ellipsoids. Element (i, j)
    // has in-plane diameter d_xy[i] and length d_z[j]: five ellipsoids 2·d_xy[i] apart along y
    // at z = 0, and four more 2·d_z[j] apart along z above the first one.
    constexpr double kD0 = 0.04;
    constexpr std::array<double, 4> kDxy{0.0357, 0.0312, 0.0278, 0.0250};
    constexpr std::array<double, 4> kDz{0.4, 0.2, 0.1, 0.05};
    constexpr Vec3 kOrigin{-7.0, -1.0, 0.0};
    for (std::size_t i = 0; i < kDxy.size(); ++i) {
        for (std::size_t j = 0; j < kDz.size(); ++j) {
            const double x = kOrigin.x + 2.0 * static_cast<double>(i) * kD0;
            const double y = kOrigin.y + 12.0 * static_cast<double>(j) * kD0;
            const Vec3 semi{kDxy[i] / 2, kDxy[i] / 2, kDz[j] / 2};
            for (int n = 0; n < 5; ++n) {
                ellipsoid({x, y + 2.0 * n * kDxy[i], kOrigin.z}, semi, kBone, kBrain);
            }
            for (int n = 1; n < 5; ++n) {
                ellipsoid({x, y, kOrigin.z + 2.0 * n * kDz[j]}, semi, kBone, kBrain);
            }
        }
    }
    return parts;
}

AnalyticObject scaled(const ForbildPart& p, double mmPerCm, double muPerUnit)
{
    return {.kind = p.kind,
            .centre = mmPerCm * p.centre,
            .semiAxes = mmPerCm * p.semiAxes,
            .rotation = p.rotation,
            .value = (p.density - p.enclosingDensity) * muPerUnit};
}

// The section of an ellipsoid with the plane z = 0, as an ellipse (or nothing). With M the
// quadratic form of the ellipsoid (x − c)ᵀM(x − c) ≤ 1 and w = −c_z, the section is
// uᵀAu + 2w·bᵀu + M₂₂w² ≤ 1 for the in-plane offset u, A the upper-left 2×2 block of M and
// b = (M₀₂, M₁₂): an ellipse centred at −w·A⁻¹b with matrix A/k, k = 1 − M₂₂w² + w²·bᵀA⁻¹b.
std::optional<Ellipse> sectionAtZ0(const AnalyticObject& o)
{
    const Rotation& r = o.rotation;
    const double inv[3] = {1.0 / (o.semiAxes.x * o.semiAxes.x), 1.0 / (o.semiAxes.y * o.semiAxes.y),
                           1.0 / (o.semiAxes.z * o.semiAxes.z)};
    // M = R·diag(inv)·Rᵀ, row-major R: M_ij = Σ_a R_ia R_ja inv_a.
    const auto m = [&](int i, int j) {
        double sum = 0.0;
        for (int a = 0; a < 3; ++a) {
            sum += r[static_cast<std::size_t>(3 * i + a)] * r[static_cast<std::size_t>(3 * j + a)] *
                   inv[a];
        }
        return sum;
    };
    const double p = m(0, 0);
    const double q = m(0, 1);
    const double s = m(1, 1);
    const double w = -o.centre.z;
    const double bx = w * m(0, 2);
    const double by = w * m(1, 2);
    const double det = p * s - q * q;
    // u0 = −A⁻¹·(bx, by)
    const double u0x = -(s * bx - q * by) / det;
    const double u0y = -(-q * bx + p * by) / det;
    const double k = 1.0 - m(2, 2) * w * w - (bx * u0x + by * u0y);
    if (!(k > 0.0)) {
        return std::nullopt;
    }
    Ellipse e;
    e.centreX = o.centre.x + u0x;
    e.centreY = o.centre.y + u0y;
    e.value = o.value;
    if (q == 0.0) {
        // Axis-aligned: no eigen-decomposition, so that sections of unrotated objects are exact.
        e.semiAxisA = std::sqrt(k / p);
        e.semiAxisB = std::sqrt(k / s);
        return e;
    }
    // Eigenvalues of A: the larger one belongs to the direction at `angle`, the shorter axis.
    const double mean = 0.5 * (p + s);
    const double radius = std::hypot(0.5 * (p - s), q);
    e.angle = 0.5 * std::atan2(2.0 * q, p - s);
    e.semiAxisA = std::sqrt(k / (mean + radius));
    e.semiAxisB = std::sqrt(k / (mean - radius));
    return e;
}

// Line-pair layout (phantom.h): line pairs per radius of the eight groups, bars per group,
// and the ring radius and bar length as fractions of the disc radius.
constexpr std::array<double, 8> kLinePairsPerRadius{10, 15, 20, 25, 30, 40, 50, 60};
constexpr int kBarsPerGroup = 4;
constexpr double kRingRadius = 0.6;
constexpr double kBarLength = 0.2;
constexpr double kBarContrast = 1.0;

// Contrast-detail layout (phantom.h): diameters by column and contrasts by row, as fractions
// of the radius and of muPerUnit; the grid pitch as a fraction of the radius.
constexpr std::array<double, 5> kInsertDiameters{0.16, 0.12, 0.08, 0.05, 0.03};
constexpr std::array<double, 5> kInsertContrasts{0.10, 0.05, 0.02, 0.01, 0.005};
constexpr double kInsertPitch = 0.25;

AnalyticObject waterDisc(double radiusMm, double halfHeight, double muPerUnit)
{
    return {.kind = ShapeKind::Cylinder,
            .centre = {},
            .semiAxes = {radiusMm, radiusMm, halfHeight},
            .value = muPerUnit};
}

Phantom linePairs(double radiusMm, double halfHeight, double muPerUnit)
{
    Phantom p;
    p.objects.push_back(waterDisc(radiusMm, halfHeight, muPerUnit));
    const std::array<double, 8> frequencies = linePairFrequencies(radiusMm);
    for (std::size_t k = 0; k < frequencies.size(); ++k) {
        const double angle = (90.0 - 45.0 * static_cast<double>(k)) * kDegree;
        const double width = 1.0 / (2.0 * frequencies[k]);
        const Vec3 groupCentre = kRingRadius * radiusMm * Vec3{std::cos(angle), std::sin(angle), 0};
        // Local y along the radius, local x across it: the in-plane rotation by angle − 90°
        // (exactly the identity for group 0).
        const double turn = angle - 90.0 * kDegree;
        const Vec3 across{std::cos(turn), std::sin(turn), 0};
        for (int bar = 0; bar < kBarsPerGroup; ++bar) {
            const double offset = (bar - 0.5 * (kBarsPerGroup - 1)) * 2.0 * width;
            p.objects.push_back({.kind = ShapeKind::Box,
                                 .centre = groupCentre + offset * across,
                                 .semiAxes = {0.5 * width, 0.5 * kBarLength * radiusMm, halfHeight},
                                 .rotation = rotationFromEuler(turn, 0.0, 0.0),
                                 .value = kBarContrast * muPerUnit});
        }
    }
    return p;
}

Phantom contrastDetail(double radiusMm, double halfHeight, double muPerUnit)
{
    Phantom p;
    p.objects.push_back(waterDisc(radiusMm, halfHeight, muPerUnit));
    for (std::size_t row = 0; row < kInsertContrasts.size(); ++row) {
        for (std::size_t column = 0; column < kInsertDiameters.size(); ++column) {
            const double radius = 0.5 * kInsertDiameters[column] * radiusMm;
            p.objects.push_back(
                {.kind = ShapeKind::Cylinder,
                 .centre = {(static_cast<double>(column) - 2.0) * kInsertPitch * radiusMm,
                            (2.0 - static_cast<double>(row)) * kInsertPitch * radiusMm, 0.0},
                 .semiAxes = {radius, radius, halfHeight},
                 .value = kInsertContrasts[row] * muPerUnit});
        }
    }
    return p;
}

double halfHeightOf(double heightMm)
{
    detail::requirePositive(heightMm, "object.height_mm", "must be a finite length > 0 mm");
    return 0.5 * heightMm;
}
} // namespace

Phantom forbildHead3D(double radiusMm, double muPerUnit)
{
    detail::checkScale(radiusMm, muPerUnit);
    const double mmPerCm = radiusMm / 12.0;
    Phantom p;
    p.name = "FORBILD head 3D";
    for (const ForbildPart& part : forbildParts()) {
        p.objects.push_back(scaled(part, mmPerCm, muPerUnit));
    }
    return p;
}

Phantom forbildHead2D(double radiusMm, double muPerUnit)
{
    detail::checkScale(radiusMm, muPerUnit);
    const double mmPerCm = radiusMm / 12.0;
    Phantom p;
    p.name = "FORBILD head 2D (central slice)";
    for (const ForbildPart& part : forbildParts()) {
        const AnalyticObject o = scaled(part, mmPerCm, muPerUnit);
        if (part.sliceHalfX > 0.0) {
            // A tilted cylinder: its section is the rectangle given with it, in the plane.
            p.objects.push_back(
                {.kind = ShapeKind::Box,
                 .centre = {o.centre.x, o.centre.y, 0.0},
                 .semiAxes = {mmPerCm * part.sliceHalfX, mmPerCm * part.sliceHalfY, kInfinity},
                 .value = o.value});
        } else if (o.kind == ShapeKind::Cylinder) {
            // Along z (objects 10 and 11): the cross-section, if the cylinder reaches z = 0.
            if (std::abs(o.centre.z) <= o.semiAxes.z) {
                p.addEllipse({.centreX = o.centre.x,
                              .centreY = o.centre.y,
                              .semiAxisA = o.semiAxes.x,
                              .semiAxisB = o.semiAxes.y,
                              .angle = std::atan2(o.rotation[3], o.rotation[0]),
                              .value = o.value});
            }
        } else if (const std::optional<Ellipse> e = sectionAtZ0(o)) {
            p.addEllipse(*e);
        }
    }
    return p;
}

std::array<double, 8> linePairFrequencies(double radiusMm)
{
    detail::requirePositive(radiusMm, "object.radius_mm", "must be a finite length > 0 mm");
    std::array<double, 8> f{};
    for (std::size_t k = 0; k < f.size(); ++k) {
        f[k] = kLinePairsPerRadius[k] / radiusMm;
    }
    return f;
}

Phantom linePairs2D(double radiusMm, double muPerUnit)
{
    detail::checkScale(radiusMm, muPerUnit);
    Phantom p = linePairs(radiusMm, kInfinity, muPerUnit);
    p.name = "Line pairs 2D";
    return p;
}

Phantom linePairs3D(double radiusMm, double heightMm, double muPerUnit)
{
    detail::checkScale(radiusMm, muPerUnit);
    Phantom p = linePairs(radiusMm, halfHeightOf(heightMm), muPerUnit);
    p.name = "Line pairs 3D";
    return p;
}

Phantom contrastDetail2D(double radiusMm, double muPerUnit)
{
    detail::checkScale(radiusMm, muPerUnit);
    Phantom p = contrastDetail(radiusMm, kInfinity, muPerUnit);
    p.name = "Contrast-detail 2D";
    return p;
}

Phantom contrastDetail3D(double radiusMm, double heightMm, double muPerUnit)
{
    detail::checkScale(radiusMm, muPerUnit);
    Phantom p = contrastDetail(radiusMm, halfHeightOf(heightMm), muPerUnit);
    p.name = "Contrast-detail 3D";
    return p;
}
} // namespace tomo
