#include "tomo/phantom.h"

#include "tomo/error.h"

#include <cmath>
#include <numbers>
#include <string>

namespace tomo
{
namespace
{
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

// Point p and direction r expressed in the ellipse's frame and scaled so it is the unit circle.
struct Local
{
    double px, py, rx, ry;
};

Local toLocal(const Ellipse& e, Vec3 p, Vec3 r)
{
    const double c = std::cos(e.angle);
    const double s = std::sin(e.angle);
    const double dx = p.x - e.centreX;
    const double dy = p.y - e.centreY;
    return {(c * dx + s * dy) / e.semiAxisA, (-s * dx + c * dy) / e.semiAxisB,
            (c * r.x + s * r.y) / e.semiAxisA, (-s * r.x + c * r.y) / e.semiAxisB};
}
} // namespace

void Phantom::validate() const
{
    for (std::size_t n = 0; n < ellipses.size(); ++n) {
        const Ellipse& e = ellipses[n];
        const std::string prefix = "ellipses[" + std::to_string(n) + "].";
        if (!std::isfinite(e.centreX) || !std::isfinite(e.centreY)) {
            throwInvalid(prefix + "centre", formatValue(e.centreX) + "," + formatValue(e.centreY),
                         "must be finite (mm)");
        }
        if (!std::isfinite(e.semiAxisA) || e.semiAxisA <= 0.0) {
            throwInvalid(prefix + "a", formatValue(e.semiAxisA), "must be a finite length > 0 mm");
        }
        if (!std::isfinite(e.semiAxisB) || e.semiAxisB <= 0.0) {
            throwInvalid(prefix + "b", formatValue(e.semiAxisB), "must be a finite length > 0 mm");
        }
        if (!std::isfinite(e.angle)) {
            throwInvalid(prefix + "angle", formatValue(e.angle), "must be finite (radians)");
        }
        if (!std::isfinite(e.value)) {
            throwInvalid(prefix + "value", formatValue(e.value), "must be finite (mm^-1)");
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
    if (!std::isfinite(radiusMm) || radiusMm <= 0.0) {
        throwInvalid("object.radius_mm", formatValue(radiusMm), "must be a finite length > 0 mm");
    }
    if (!std::isfinite(muPerUnit)) {
        throwInvalid("object.mu_per_unit", formatValue(muPerUnit), "must be finite (mm^-1)");
    }
    Phantom p;
    p.name = variant == SheppLoganVariant::Modified ? "Shepp-Logan 2D (modified)"
                                                    : "Shepp-Logan 2D (original)";
    for (const SheppLoganRow& row : kSheppLogan) {
        Ellipse e;
        e.centreX = row.x * radiusMm;
        e.centreY = row.y * radiusMm;
        e.semiAxisA = row.a * radiusMm;
        e.semiAxisB = row.b * radiusMm;
        e.angle = row.angleDeg * std::numbers::pi / 180.0;
        e.value =
            (variant == SheppLoganVariant::Modified ? row.modified : row.original) * muPerUnit;
        p.ellipses.push_back(e);
    }
    return p;
}

double lineIntegral(const Phantom& phantom, Vec3 origin, Vec3 direction)
{
    const double speed = std::hypot(direction.x, direction.y);
    if (speed == 0.0) {
        return 0.0;
    }
    double sum = 0.0;
    for (const Ellipse& e : phantom.ellipses) {
        // |p + t r|² = 1 in the unit-circle frame: A t² + 2 B t + C = 0.
        const Local l = toLocal(e, origin, direction);
        const double a = l.rx * l.rx + l.ry * l.ry;
        const double b = l.px * l.rx + l.py * l.ry;
        const double c = l.px * l.px + l.py * l.py - 1.0;
        const double disc = b * b - a * c;
        if (disc > 0.0) {
            // Chord in parameter t is 2√disc / A; in mm it is that times |direction|.
            sum += e.value * 2.0 * std::sqrt(disc) / a * speed;
        }
    }
    return sum;
}

double valueAt(const Phantom& phantom, Vec3 p)
{
    double sum = 0.0;
    for (const Ellipse& e : phantom.ellipses) {
        const Local l = toLocal(e, p, {});
        if (l.px * l.px + l.py * l.py <= 1.0) {
            sum += e.value;
        }
    }
    return sum;
}

Volume rasterise(const Phantom& phantom, const VolumeGrid& grid, unsigned supersampling)
{
    if (supersampling == 0) {
        throwInvalid("supersampling", "0", "must be at least 1 sample per axis");
    }
    if (!grid.is2D()) {
        throwInvalid("grid.size.z", std::to_string(grid.size()[2]),
                     "a 2D phantom is rasterised on a 2D grid (nz = 1)");
    }
    Volume out = Volume::zeros(grid);
    const auto [nx, ny, nz] = grid.size();
    const double inv = 1.0 / static_cast<double>(supersampling);
    const auto count = static_cast<std::ptrdiff_t>(ny);
#pragma omp parallel for schedule(dynamic, 4)
    for (std::ptrdiff_t jj = 0; jj < count; ++jj) {
        const auto j = static_cast<std::size_t>(jj);
        for (std::size_t i = 0; i < nx; ++i) {
            double sum = 0.0;
            for (unsigned sj = 0; sj < supersampling; ++sj) {
                for (unsigned si = 0; si < supersampling; ++si) {
                    // Sub-sample centres at offsets (s + 0.5)/n - 0.5 of a voxel.
                    const double di = (si + 0.5) * inv - 0.5;
                    const double dj = (sj + 0.5) * inv - 0.5;
                    sum += valueAt(phantom, grid.voxelCentre(static_cast<double>(i) + di,
                                                             static_cast<double>(j) + dj, 0.0));
                }
            }
            out.at(i, j, 0) = static_cast<float>(sum * inv * inv);
        }
    }
    return out;
}
} // namespace tomo
