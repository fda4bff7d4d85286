#include "tomo/phantom.h"

#include "phantom/phantom_checks.h"
#include "tomo/error.h"
#include "tomo/run_context.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstddef>
#include <limits>
#include <numbers>
#include <omp.h>
#include <string>
#include <utility>
#include <vector>

namespace tomo
{
namespace
{
constexpr double kDegree = std::numbers::pi / 180.0;
// A rotation whose columns are orthonormal to this (and determinant +1 to this) is accepted:
// matrices built from Euler angles or read back from text are exact to ~1e-16.
constexpr double kRotationTolerance = 1e-9;
// Below this |sin θ| the z-x-z Euler decomposition is degenerate (θ ≈ 0 or π).
constexpr double kGimbalSine = 1e-12;

struct SheppLoganRow
{
    double x, y, a, b, angleDeg, original, modified;
};

// Shepp & Logan (1974), Table 1, in the unit disc; the "modified" column is Toft's (1996)
// higher-contrast set used by MATLAB's phantom(). Angles are counter-clockwise from +x to the
// a axis; y points up.
constexpr SheppLoganRow kSheppLogan[] = {
    {0.0, 0.0, 0.69, 0.92, 0.0, 2.0, 1.0},       {0.0, -0.0184, 0.6624, 0.874, 0.0, -0.98, -0.8},
    {0.22, 0.0, 0.11, 0.31, -18.0, -0.02, -0.2}, {-0.22, 0.0, 0.16, 0.41, 18.0, -0.02, -0.2},
    {0.0, 0.35, 0.21, 0.25, 0.0, 0.01, 0.1},     {0.0, 0.1, 0.046, 0.046, 0.0, 0.01, 0.1},
    {0.0, -0.1, 0.046, 0.046, 0.0, 0.01, 0.1},   {-0.08, -0.605, 0.046, 0.023, 0.0, 0.01, 0.1},
    {0.0, -0.605, 0.023, 0.023, 0.0, 0.01, 0.1}, {0.06, -0.605, 0.023, 0.046, 0.0, 0.01, 0.1},
};

struct SheppLogan3DRow
{
    double x, y, z, a, b, c, phiDeg, thetaDeg, psiDeg, original, modified;
};

// The 3D Shepp–Logan head of M. Schabel's phantom3d.m (MATLAB Central File Exchange 9416, 2005;
// also CERN/TIGRE Utilities/phantom3dAniso.m): the 2D table above extended in z after Kak &
// Slaney, "Principles of Computerized Tomographic Imaging" (1988), §3.2, with Toft's (1996,
// pp. 199-200) intensities as "modified". Unit cube [-1, 1]³; Euler angles z-x'-z'' in degrees
// (rotationFromEuler). The "original" column uses Shepp & Logan's 2.0 for the skull, as
// sheppLogan2D and Kak & Slaney do (phantom3d.m uses 1.0 there). One deliberate difference:
// phantom3d.m subtracts the centre *after* rotating the sample points, which moves the two
// rotated ellipsoids; here every centre is a world position, as in the 2D table.
constexpr SheppLogan3DRow kSheppLogan3D[] = {
    {0.0, 0.0, 0.0, 0.69, 0.92, 0.81, 0.0, 0.0, 0.0, 2.0, 1.0},
    {0.0, -0.0184, 0.0, 0.6624, 0.874, 0.78, 0.0, 0.0, 0.0, -0.98, -0.8},
    {0.22, 0.0, 0.0, 0.11, 0.31, 0.22, -18.0, 0.0, 10.0, -0.02, -0.2},
    {-0.22, 0.0, 0.0, 0.16, 0.41, 0.28, 18.0, 0.0, 10.0, -0.02, -0.2},
    {0.0, 0.35, -0.15, 0.21, 0.25, 0.41, 0.0, 0.0, 0.0, 0.01, 0.1},
    {0.0, 0.1, 0.25, 0.046, 0.046, 0.05, 0.0, 0.0, 0.0, 0.01, 0.1},
    {0.0, -0.1, 0.25, 0.046, 0.046, 0.05, 0.0, 0.0, 0.0, 0.01, 0.1},
    {-0.08, -0.605, 0.0, 0.046, 0.023, 0.05, 0.0, 0.0, 0.0, 0.01, 0.1},
    {0.0, -0.606, 0.0, 0.023, 0.023, 0.02, 0.0, 0.0, 0.0, 0.01, 0.1},
    {0.06, -0.605, 0.0, 0.023, 0.046, 0.02, 0.0, 0.0, 0.0, 0.01, 0.1},
};

// R^T·v: world vector to the object's local frame (R is orthonormal).
Vec3 toLocal(const Rotation& r, Vec3 v)
{
    return {r[0] * v.x + r[3] * v.y + r[6] * v.z, r[1] * v.x + r[4] * v.y + r[7] * v.z,
            r[2] * v.x + r[5] * v.y + r[8] * v.z};
}

Vec3 divide(Vec3 a, Vec3 s)
{
    return {a.x / s.x, a.y / s.y, a.z / s.z};
}

// The parameter interval [lo, hi] of the line p + t·r (local frame, r ≠ 0) inside the object,
// as a length hi − lo in t; 0 if it misses. Infinite for a line along an infinite cylinder.
double chordInT(const AnalyticObject& o, Vec3 p, Vec3 r)
{
    switch (o.kind) {
    case ShapeKind::Ellipsoid: {
        // |P + t R|² = 1 with P, R scaled to the unit sphere: A t² + 2 B t + C = 0.
        const Vec3 sp = divide(p, o.semiAxes);
        const Vec3 sr = divide(r, o.semiAxes);
        const double a = dot(sr, sr);
        const double b = dot(sp, sr);
        const double c = dot(sp, sp) - 1.0;
        const double disc = b * b - a * c;
        return disc > 0.0 ? 2.0 * std::sqrt(disc) / a : 0.0;
    }
    case ShapeKind::Cylinder: {
        const double px = p.x / o.semiAxes.x;
        const double py = p.y / o.semiAxes.y;
        const double rx = r.x / o.semiAxes.x;
        const double ry = r.y / o.semiAxes.y;
        const double a = rx * rx + ry * ry;
        const double halfLength = o.semiAxes.z;
        const bool infinite = std::isinf(halfLength);
        if (a == 0.0) {
            // Parallel to the axis: inside the cross-section for all t, or never.
            if (px * px + py * py > 1.0) {
                return 0.0;
            }
            if (infinite) {
                return std::numeric_limits<double>::infinity();
            }
            return 2.0 * halfLength / std::abs(r.z);
        }
        const double b = px * rx + py * ry;
        const double c = px * px + py * py - 1.0;
        const double disc = b * b - a * c;
        if (disc <= 0.0) {
            return 0.0;
        }
        const double root = std::sqrt(disc);
        const double full = 2.0 * root / a;
        if (infinite) {
            return full;
        }
        double lo = (-b - root) / a;
        double hi = (-b + root) / a;
        if (r.z == 0.0) {
            return std::abs(p.z) <= halfLength ? full : 0.0;
        }
        double z0 = (-halfLength - p.z) / r.z;
        double z1 = (halfLength - p.z) / r.z;
        if (z0 > z1) {
            std::swap(z0, z1);
        }
        if (z0 <= lo && z1 >= hi) {
            return full; // the end caps do not cut this chord
        }
        lo = std::max(lo, z0);
        hi = std::min(hi, z1);
        return hi > lo ? hi - lo : 0.0;
    }
    case ShapeKind::Box: {
        // Slab method: intersect the three parameter intervals |p_i + t r_i| ≤ h_i.
        double lo = -std::numeric_limits<double>::infinity();
        double hi = std::numeric_limits<double>::infinity();
        const double ps[3] = {p.x, p.y, p.z};
        const double rs[3] = {r.x, r.y, r.z};
        const double hs[3] = {o.semiAxes.x, o.semiAxes.y, o.semiAxes.z};
        for (int axis = 0; axis < 3; ++axis) {
            if (rs[axis] == 0.0) {
                // Parallel to this pair of faces: inside the slab (a face counts) or a miss.
                if (std::abs(ps[axis]) > hs[axis]) {
                    return 0.0;
                }
                continue;
            }
            double t0 = (-hs[axis] - ps[axis]) / rs[axis];
            double t1 = (hs[axis] - ps[axis]) / rs[axis];
            if (t0 > t1) {
                std::swap(t0, t1);
            }
            lo = std::max(lo, t0);
            hi = std::min(hi, t1);
        }
        return hi > lo ? hi - lo : 0.0;
    }
    }
    return 0.0;
}

bool contains(const AnalyticObject& o, Vec3 q)
{
    switch (o.kind) {
    case ShapeKind::Ellipsoid: {
        const Vec3 s = divide(q, o.semiAxes);
        return dot(s, s) <= 1.0;
    }
    case ShapeKind::Cylinder: {
        const double x = q.x / o.semiAxes.x;
        const double y = q.y / o.semiAxes.y;
        return x * x + y * y <= 1.0 && std::abs(q.z) <= o.semiAxes.z;
    }
    case ShapeKind::Box:
        return std::abs(q.x) <= o.semiAxes.x && std::abs(q.y) <= o.semiAxes.y &&
               std::abs(q.z) <= o.semiAxes.z;
    }
    return false;
}

// An axis-aligned box in the world, mm.
struct Bounds
{
    Vec3 lo;
    Vec3 hi;
};

// Bounds are widened by this fraction of their distance from the origin plus their size, so
// that a point contains() accepts through rounding (~1e-16 relative) is never outside them.
constexpr double kBoundsMargin = 1e-9;

// |r|·s with 0·∞ = 0: a rotation entry times a semi-axis that may be infinite.
double reachOf(double r, double s)
{
    return r == 0.0 ? 0.0 : std::abs(r) * s;
}

// The world box holding the object: exact half-extents along each world axis, infinite along
// the axes an infinitely long cylinder or box runs along.
Bounds boundsOf(const AnalyticObject& o)
{
    const double semi[3] = {o.semiAxes.x, o.semiAxes.y, o.semiAxes.z};
    const double centre[3] = {o.centre.x, o.centre.y, o.centre.z};
    double lo[3];
    double hi[3];
    for (std::size_t i = 0; i < 3; ++i) {
        const double r0 = o.rotation[3 * i];
        const double r1 = o.rotation[3 * i + 1];
        const double r2 = o.rotation[3 * i + 2];
        double half = 0.0;
        switch (o.kind) {
        case ShapeKind::Ellipsoid:
            half = std::hypot(r0 * semi[0], r1 * semi[1], r2 * semi[2]);
            break;
        case ShapeKind::Cylinder:
            half = std::hypot(r0 * semi[0], r1 * semi[1]) + reachOf(r2, semi[2]);
            break;
        case ShapeKind::Box:
            half = reachOf(r0, semi[0]) + reachOf(r1, semi[1]) + reachOf(r2, semi[2]);
            break;
        }
        half += kBoundsMargin * (std::abs(centre[i]) + half);
        lo[i] = centre[i] - half;
        hi[i] = centre[i] + half;
    }
    return {{lo[0], lo[1], lo[2]}, {hi[0], hi[1], hi[2]}};
}

// The box spanned by two points, widened by `reach` on every side.
Bounds span(Vec3 a, Vec3 b, Vec3 reach)
{
    return {
        {std::min(a.x, b.x) - reach.x, std::min(a.y, b.y) - reach.y, std::min(a.z, b.z) - reach.z},
        {std::max(a.x, b.x) + reach.x, std::max(a.y, b.y) + reach.y, std::max(a.z, b.z) + reach.z}};
}

bool overlap(const Bounds& a, const Bounds& b)
{
    return a.lo.x <= b.hi.x && b.lo.x <= a.hi.x && a.lo.y <= b.hi.y && b.lo.y <= a.hi.y &&
           a.lo.z <= b.hi.z && b.lo.z <= a.hi.z;
}
} // namespace

void detail::requirePositive(double v, const std::string& field, const std::string& accepted)
{
    if (!std::isfinite(v) || v <= 0.0) {
        throwInvalid(field, formatValue(v), accepted);
    }
}

void detail::checkScale(double radiusMm, double muPerUnit)
{
    requirePositive(radiusMm, "object.radius_mm", "must be a finite length > 0 mm");
    if (!std::isfinite(muPerUnit)) {
        throwInvalid("object.mu_per_unit", formatValue(muPerUnit), "must be finite (mm^-1)");
    }
}

Rotation rotationFromEuler(double phi, double theta, double psi)
{
    const double cf = std::cos(phi);
    const double sf = std::sin(phi);
    const double ct = std::cos(theta);
    const double st = std::sin(theta);
    const double cp = std::cos(psi);
    const double sp = std::sin(psi);
    // R_z(phi)·R_x(theta)·R_z(psi), row-major.
    return {cf * cp - sf * ct * sp,
            -cf * sp - sf * ct * cp,
            sf * st,
            sf * cp + cf * ct * sp,
            -sf * sp + cf * ct * cp,
            -cf * st,
            st * sp,
            st * cp,
            ct};
}

std::array<double, 3> eulerFromRotation(const Rotation& r)
{
    const double st = std::hypot(r[2], r[5]);
    const double theta = std::atan2(st, r[8]);
    if (st < kGimbalSine) {
        // θ = 0: R = R_z(φ + ψ); θ = π: R_z(φ − ψ)·R_x(π). Either way put it all in φ.
        return {std::atan2(r[3], r[0]), theta, 0.0};
    }
    return {std::atan2(r[2], -r[5]), theta, std::atan2(r[6], r[7])};
}

std::string_view toString(ShapeKind kind)
{
    switch (kind) {
    case ShapeKind::Ellipsoid:
        return "ellipsoid";
    case ShapeKind::Box:
        return "box";
    case ShapeKind::Cylinder:
        return "cylinder";
    }
    return "ellipsoid";
}

ShapeKind parseShapeKind(std::string_view text, std::string_view field)
{
    for (const ShapeKind k : {ShapeKind::Ellipsoid, ShapeKind::Box, ShapeKind::Cylinder}) {
        if (text == toString(k)) {
            return k;
        }
    }
    throwInvalid(std::string(field), "\"" + std::string(text) + "\"",
                 "accepted: ellipsoid, box, cylinder");
}

AnalyticObject toObject(const Ellipse& e)
{
    AnalyticObject o;
    o.kind = ShapeKind::Cylinder;
    o.centre = {e.centreX, e.centreY, 0.0};
    o.semiAxes = {e.semiAxisA, e.semiAxisB, std::numeric_limits<double>::infinity()};
    o.rotation = rotationFromEuler(e.angle, 0.0, 0.0);
    o.value = e.value;
    return o;
}

void Phantom::validate(std::string_view objectsPath) const
{
    for (std::size_t n = 0; n < objects.size(); ++n) {
        const AnalyticObject& o = objects[n];
        const std::string prefix = std::string(objectsPath) + "[" + std::to_string(n) + "].";
        if (!isFinite(o.centre)) {
            throwInvalid(prefix + "centre_mm",
                         formatValue(o.centre.x) + "," + formatValue(o.centre.y) + "," +
                             formatValue(o.centre.z),
                         "must be finite (mm)");
        }
        const double axes[3] = {o.semiAxes.x, o.semiAxes.y, o.semiAxes.z};
        for (int a = 0; a < 3; ++a) {
            const std::string field = prefix + "semi_axes_mm[" + std::to_string(a) + "]";
            const bool mayBeInfinite = a == 2 && o.kind != ShapeKind::Ellipsoid;
            if (mayBeInfinite && axes[a] > 0.0 && std::isinf(axes[a])) {
                continue; // infinitely long along local z: a 2D ellipse or rectangle
            }
            detail::requirePositive(axes[a], field,
                                    mayBeInfinite ? "must be a half-length > 0 mm (or +infinity)"
                                                  : "must be a finite length > 0 mm");
        }
        for (int i = 0; i < 3; ++i) {
            for (int j = 0; j < 3; ++j) {
                // Columns i and j must be orthonormal.
                const double d = o.rotation[static_cast<std::size_t>(i)] *
                                     o.rotation[static_cast<std::size_t>(j)] +
                                 o.rotation[static_cast<std::size_t>(3 + i)] *
                                     o.rotation[static_cast<std::size_t>(3 + j)] +
                                 o.rotation[static_cast<std::size_t>(6 + i)] *
                                     o.rotation[static_cast<std::size_t>(6 + j)];
                if (!(std::abs(d - (i == j ? 1.0 : 0.0)) <= kRotationTolerance)) {
                    throwInvalid(prefix + "rotation",
                                 "a matrix with column products " + formatValue(d),
                                 "must be a rotation (orthonormal columns)");
                }
            }
        }
        const Rotation& r = o.rotation;
        const double det = r[0] * (r[4] * r[8] - r[5] * r[7]) - r[1] * (r[3] * r[8] - r[5] * r[6]) +
                           r[2] * (r[3] * r[7] - r[4] * r[6]);
        if (!(std::abs(det - 1.0) <= kRotationTolerance)) {
            throwInvalid(prefix + "rotation", "determinant " + formatValue(det),
                         "must be a proper rotation (determinant +1, no mirroring)");
        }
        if (!std::isfinite(o.value)) {
            throwInvalid(prefix + "value_per_mm", formatValue(o.value), "must be finite (mm^-1)");
        }
    }
}

SheppLoganVariant parseSheppLoganVariant(std::string_view text, std::string_view field)
{
    if (text == "original") {
        return SheppLoganVariant::Original;
    }
    if (text == "modified") {
        return SheppLoganVariant::Modified;
    }
    throwInvalid(std::string(field), "\"" + std::string(text) + "\"",
                 "accepted: original, modified");
}

Phantom sheppLogan2D(SheppLoganVariant variant, double radiusMm, double muPerUnit)
{
    detail::checkScale(radiusMm, muPerUnit);
    Phantom p;
    p.name = variant == SheppLoganVariant::Modified ? "Shepp-Logan 2D (modified)"
                                                    : "Shepp-Logan 2D (original)";
    for (const SheppLoganRow& row : kSheppLogan) {
        Ellipse e;
        e.centreX = row.x * radiusMm;
        e.centreY = row.y * radiusMm;
        e.semiAxisA = row.a * radiusMm;
        e.semiAxisB = row.b * radiusMm;
        e.angle = row.angleDeg * kDegree;
        e.value =
            (variant == SheppLoganVariant::Modified ? row.modified : row.original) * muPerUnit;
        p.addEllipse(e);
    }
    return p;
}

Phantom sheppLogan3D(SheppLoganVariant variant, double radiusMm, double muPerUnit)
{
    detail::checkScale(radiusMm, muPerUnit);
    Phantom p;
    p.name = variant == SheppLoganVariant::Modified ? "Shepp-Logan 3D (modified)"
                                                    : "Shepp-Logan 3D (original)";
    for (const SheppLogan3DRow& row : kSheppLogan3D) {
        AnalyticObject o;
        o.kind = ShapeKind::Ellipsoid;
        o.centre = radiusMm * Vec3{row.x, row.y, row.z};
        o.semiAxes = radiusMm * Vec3{row.a, row.b, row.c};
        o.rotation =
            rotationFromEuler(row.phiDeg * kDegree, row.thetaDeg * kDegree, row.psiDeg * kDegree);
        o.value =
            (variant == SheppLoganVariant::Modified ? row.modified : row.original) * muPerUnit;
        p.objects.push_back(o);
    }
    return p;
}

Phantom waterCylinder(double radiusMm, double heightMm, double mu)
{
    detail::requirePositive(radiusMm, "object.radius_mm", "must be a finite length > 0 mm");
    detail::requirePositive(heightMm, "object.height_mm", "must be a finite length > 0 mm");
    if (!std::isfinite(mu)) {
        throwInvalid("object.mu_per_unit", formatValue(mu), "must be finite (mm^-1)");
    }
    Phantom p;
    p.name = "Water cylinder";
    AnalyticObject o;
    o.kind = ShapeKind::Cylinder;
    o.semiAxes = {radiusMm, radiusMm, 0.5 * heightMm};
    o.value = mu;
    p.objects.push_back(o);
    return p;
}

double lineIntegral(const Phantom& phantom, Vec3 origin, Vec3 direction)
{
    // hypot of two for in-plane rays keeps 2D results identical to the former 2D-only code.
    const double speed = direction.z == 0.0 ? std::hypot(direction.x, direction.y)
                                            : std::hypot(direction.x, direction.y, direction.z);
    if (speed == 0.0) {
        return 0.0;
    }
    double sum = 0.0;
    for (const AnalyticObject& o : phantom.objects) {
        const double chord =
            chordInT(o, toLocal(o.rotation, origin - o.centre), toLocal(o.rotation, direction));
        if (chord > 0.0) {
            // A chord in parameter t is that times |direction| in mm.
            sum += o.value * chord * speed;
        }
    }
    return sum;
}

double valueAt(const Phantom& phantom, Vec3 p)
{
    double sum = 0.0;
    for (const AnalyticObject& o : phantom.objects) {
        if (contains(o, toLocal(o.rotation, p - o.centre))) {
            sum += o.value;
        }
    }
    return sum;
}

std::vector<int> materialLabels(const Phantom& phantom, const VolumeGrid& grid)
{
    std::vector<int> labels(grid.voxelCount(), -1);
    std::vector<std::size_t> named;
    for (std::size_t o = 0; o < phantom.objects.size(); ++o) {
        if (!phantom.objects[o].material.empty()) {
            named.push_back(o);
        }
    }
    if (named.empty()) {
        return labels;
    }
    const auto [nx, ny, nz] = grid.size();
#pragma omp parallel for schedule(static)
    for (std::size_t k = 0; k < nz; ++k) {
        for (std::size_t j = 0; j < ny; ++j) {
            for (std::size_t i = 0; i < nx; ++i) {
                const Vec3 p = grid.voxelCentre(static_cast<double>(i), static_cast<double>(j),
                                                static_cast<double>(k));
                for (auto it = named.rbegin(); it != named.rend(); ++it) {
                    const AnalyticObject& o = phantom.objects[*it];
                    if (contains(o, toLocal(o.rotation, p - o.centre))) {
                        labels[grid.linearIndex(i, j, k)] = static_cast<int>(*it);
                        break;
                    }
                }
            }
        }
    }
    return labels;
}

Volume rasterise(const Phantom& phantom, const VolumeGrid& grid, unsigned supersampling)
{
    NullRunContext quiet;
    return rasterise(phantom, grid, supersampling, quiet);
}

Volume rasterise(const Phantom& phantom, const VolumeGrid& grid, unsigned supersampling,
                 RunContext& context)
{
    if (supersampling == 0) {
        throwInvalid("supersampling", "0", "must be at least 1 sample per axis");
    }
    Volume out = Volume::zeros(grid);
    const auto [nx, ny, nz] = grid.size();
    const double inv = 1.0 / static_cast<double>(supersampling);
    // A 2D grid is sampled in its own plane only; a 3D one through the voxel's depth too.
    const unsigned depthSamples = grid.is2D() ? 1U : supersampling;
    std::vector<Bounds> bounds;
    bounds.reserve(phantom.objects.size());
    for (const AnalyticObject& o : phantom.objects) {
        bounds.push_back(boundsOf(o));
    }
    // How far a voxel's sub-samples reach from its centre along each world axis: offsets of at
    // most ±(1 − 1/n)/2 voxels along each index axis, turned into the world by the direction.
    const double offset = 0.5 - 0.5 * inv;
    const auto& direction = grid.direction();
    const auto& spacing = grid.spacing();
    Vec3 reach;
    double* reachAxis[3] = {&reach.x, &reach.y, &reach.z};
    for (std::size_t a = 0; a < 3; ++a) {
        for (std::size_t c = 0; c < 3; ++c) {
            const double along = c == 2 && grid.is2D() ? 0.0 : offset;
            *reachAxis[a] += std::abs(direction[3 * a + c]) * spacing[c] * along;
        }
    }
    const auto rows = static_cast<std::ptrdiff_t>(ny * nz);
    // Progress and cancellation go through the calling thread only (OpenMP's thread 0), which
    // reads a count the others keep; a cancelled run skips the rows left.
    std::atomic<std::size_t> rowsDone{0};
    std::atomic<bool> cancelled{false};
    const auto totalRows = static_cast<std::size_t>(rows);
    context.throwIfCancelled();
    context.reportProgress(0, totalRows, "voxelising");
#pragma omp parallel for schedule(dynamic, 4)
    for (std::ptrdiff_t row = 0; row < rows; ++row) {
        if (cancelled.load(std::memory_order_relaxed)) {
            continue;
        }
        if (omp_get_thread_num() == 0) {
            if (context.isCancelled()) {
                cancelled = true;
                continue;
            }
            context.reportProgress(rowsDone.load(std::memory_order_relaxed), totalRows,
                                   "voxelising");
        }
        const auto j = static_cast<std::size_t>(row) % ny;
        const auto k = static_cast<std::size_t>(row) / ny;
        // Only objects whose bounds meet this row's samples can add to it, and of those only
        // the ones meeting a voxel's samples to that voxel: the sums are the same as summing
        // valueAt over every object (same objects in the same order), at a fraction of the cost.
        const Vec3 first = grid.voxelCentre(0.0, static_cast<double>(j), static_cast<double>(k));
        const Vec3 last = grid.voxelCentre(static_cast<double>(nx - 1), static_cast<double>(j),
                                           static_cast<double>(k));
        const Bounds rowBounds = span(first, last, reach);
        std::vector<std::size_t> rowObjects;
        for (std::size_t n = 0; n < bounds.size(); ++n) {
            if (overlap(bounds[n], rowBounds)) {
                rowObjects.push_back(n);
            }
        }
        std::vector<std::size_t> voxelObjects;
        for (std::size_t i = 0; i < nx; ++i) {
            const Vec3 centre = grid.voxelCentre(static_cast<double>(i), static_cast<double>(j),
                                                 static_cast<double>(k));
            const Bounds voxelBounds = span(centre, centre, reach);
            voxelObjects.clear();
            for (const std::size_t n : rowObjects) {
                if (overlap(bounds[n], voxelBounds)) {
                    voxelObjects.push_back(n);
                }
            }
            if (voxelObjects.empty()) {
                continue; // stays 0, as the sum of no values would
            }
            double sum = 0.0;
            for (unsigned sk = 0; sk < depthSamples; ++sk) {
                // Sub-sample centres at offsets (s + 0.5)/n - 0.5 of a voxel.
                const double dk = grid.is2D() ? 0.0 : (sk + 0.5) * inv - 0.5;
                for (unsigned sj = 0; sj < supersampling; ++sj) {
                    for (unsigned si = 0; si < supersampling; ++si) {
                        const double di = (si + 0.5) * inv - 0.5;
                        const double dj = (sj + 0.5) * inv - 0.5;
                        const Vec3 p = grid.voxelCentre(static_cast<double>(i) + di,
                                                        static_cast<double>(j) + dj,
                                                        static_cast<double>(k) + dk);
                        // The same sum as valueAt(phantom, p): objects left out hold no sample.
                        double value = 0.0;
                        for (const std::size_t n : voxelObjects) {
                            const AnalyticObject& o = phantom.objects[n];
                            if (contains(o, toLocal(o.rotation, p - o.centre))) {
                                value += o.value;
                            }
                        }
                        sum += value;
                    }
                }
            }
            // sum·inv·inv is the former 2D-only arithmetic, kept so 2D results are unchanged.
            const double mean = grid.is2D() ? sum * inv * inv : sum * inv * inv * inv;
            out.at(i, j, k) = static_cast<float>(mean);
        }
        rowsDone.fetch_add(1, std::memory_order_relaxed);
    }
    // A cancel that came while thread 0 had no row left to poll it from counts too.
    if (cancelled || context.isCancelled()) {
        throw Cancelled();
    }
    context.reportProgress(totalRows, totalRows, "voxelising");
    return out;
}
} // namespace tomo
