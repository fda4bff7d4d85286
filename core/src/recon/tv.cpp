#include "recon/tv.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <vector>

namespace tomo::detail
{
namespace
{
// η of the smoothed TV as a fraction of the image's largest magnitude: well below the smallest
// edge contrast worth keeping (a 1% contrast step is 10η), large enough that the gradient in a
// flat region (differences at float rounding, ~1e-7 of the values) is not a sign function.
constexpr double kTvSmoothing = 1e-3;

// Rows of x below which a loop runs on one thread (see kParallelMinimum in iterative.cpp): a
// 1024² image or a 32x32-row volume.
constexpr std::ptrdiff_t kParallelMinimumLines = 1024;

// One axis along which the grid has more than one voxel.
struct Axis
{
    std::size_t dim = 0; ///< 0, 1, 2 for x, y, z
    std::size_t stride = 1;
    std::size_t n = 1;
};

struct Layout
{
    std::size_t nx = 1;
    std::size_t ny = 1;
    std::size_t nz = 1;
    std::vector<Axis> axes;

    std::size_t voxels() const { return nx * ny * nz; }
    std::size_t lines() const { return ny * nz; }
};

Layout makeLayout(const std::array<std::size_t, 3>& size)
{
    Layout l{size[0], size[1], size[2], {}};
    const std::size_t strides[3] = {1, size[0], size[0] * size[1]};
    for (std::size_t a = 0; a < 3; ++a) {
        if (size[a] > 1) {
            l.axes.push_back({a, strides[a], size[a]});
        }
    }
    return l;
}

// Calls f(v, coords) for every voxel, parallel over the rows of x (one row = fixed j, k).
template <class F> void forEachVoxel(const Layout& l, F&& f)
{
    const auto lines = static_cast<std::ptrdiff_t>(l.lines());
#pragma omp parallel for schedule(static) if (lines >= kParallelMinimumLines)
    for (std::ptrdiff_t line = 0; line < lines; ++line) {
        const auto ul = static_cast<std::size_t>(line);
        const std::size_t j = ul % l.ny;
        const std::size_t k = ul / l.ny;
        for (std::size_t i = 0; i < l.nx; ++i) {
            const std::size_t c[3] = {i, j, k};
            f(i + l.nx * ul, c);
        }
    }
}

// The coordinate of a voxel along an axis, from the coordinates (i, j, k).
std::size_t coordinate(const Axis& axis, const std::size_t (&c)[3])
{
    return c[axis.dim];
}

double smoothing(std::span<const float> x)
{
    float peak = 0.0f;
    for (float v : x) {
        peak = std::max(peak, std::abs(v));
    }
    return kTvSmoothing * static_cast<double>(peak);
}

double weightOf(double difference, double delta)
{
    if (delta <= 0.0) {
        return 1.0;
    }
    const double r = difference / delta;
    return std::exp(-r * r);
}

// sqrt(η² + Σ_a w_a d_a²) at voxel v (backward differences).
double localTerm(std::span<const float> x, const Layout& l, std::size_t v,
                 const std::size_t (&c)[3], double eta2, double delta)
{
    double sum = eta2;
    for (const Axis& a : l.axes) {
        if (coordinate(a, c) > 0) {
            const double d = static_cast<double>(x[v]) - static_cast<double>(x[v - a.stride]);
            sum += weightOf(d, delta) * d * d;
        }
    }
    return std::sqrt(sum);
}
} // namespace

double totalVariation(std::span<const float> x, const std::array<std::size_t, 3>& size,
                      double delta)
{
    const Layout l = makeLayout(size);
    const double eta = smoothing(x);
    const double eta2 = eta * eta;
    double total = 0.0;
    const auto lines = static_cast<std::ptrdiff_t>(l.lines());
#pragma omp parallel for schedule(static) reduction(+ : total) if (lines >= kParallelMinimumLines)
    for (std::ptrdiff_t line = 0; line < lines; ++line) {
        const auto ul = static_cast<std::size_t>(line);
        const std::size_t c1 = ul % l.ny;
        const std::size_t c2 = ul / l.ny;
        for (std::size_t i = 0; i < l.nx; ++i) {
            const std::size_t c[3] = {i, c1, c2};
            total += localTerm(x, l, i + l.nx * ul, c, eta2, delta);
        }
    }
    return total;
}

void tvGradient(std::span<const float> x, const std::array<std::size_t, 3>& size, double delta,
                std::span<float> gradient)
{
    const Layout l = makeLayout(size);
    const double eta = smoothing(x);
    const double eta2 = eta * eta;
    // 1/T(v) first, so that each voxel's gradient reads its neighbours' terms.
    std::vector<float> inverse(l.voxels());
    forEachVoxel(l, [&](std::size_t v, const std::size_t(&c)[3]) {
        const double t = localTerm(x, l, v, c, eta2, delta);
        inverse[v] = t > 0.0 ? static_cast<float>(1.0 / t) : 0.0f;
    });
    // ∂T(v)/∂x(v) = Σ_a w_a d_a(v)/T(v); ∂T(v + e_a)/∂x(v) = −w_a d_a(v + e_a)/T(v + e_a).
    forEachVoxel(l, [&](std::size_t v, const std::size_t(&c)[3]) {
        double g = 0.0;
        for (const Axis& a : l.axes) {
            const std::size_t ca = coordinate(a, c);
            if (ca > 0) {
                const double d = static_cast<double>(x[v]) - static_cast<double>(x[v - a.stride]);
                g += weightOf(d, delta) * d * static_cast<double>(inverse[v]);
            }
            if (ca + 1 < a.n) {
                const std::size_t w = v + a.stride;
                const double d = static_cast<double>(x[w]) - static_cast<double>(x[v]);
                g -= weightOf(d, delta) * d * static_cast<double>(inverse[w]);
            }
        }
        gradient[v] = static_cast<float>(g);
    });
}

void tvProximal(std::span<float> x, const std::array<std::size_t, 3>& size, double weight,
                std::size_t iterations, bool nonNegative)
{
    const auto project = [nonNegative](double value) {
        return static_cast<float>(nonNegative ? std::max(value, 0.0) : value);
    };
    const Layout l = makeLayout(size);
    const std::size_t n = l.voxels();
    const std::size_t axes = l.axes.size();
    if (weight <= 0.0 || axes == 0 || iterations == 0) {
        for (float& v : x) {
            v = project(static_cast<double>(v));
        }
        return;
    }
    // Dual variables p (the FGP iterate) and r (its extrapolation), one field per axis, laid out
    // axis after axis. x holds P_C(b − λDᵀr) between the two passes of an iteration.
    const std::vector<float> b(x.begin(), x.end());
    std::vector<float> p(axes * n, 0.0f);
    std::vector<float> r(axes * n, 0.0f);
    const double tau = 1.0 / (4.0 * static_cast<double>(axes) * weight);
    // Dᵀq at v: Σ_a q_a(v − e_a) (if v is not on the first slice) − q_a(v) (if not on the last).
    const auto transposeAt = [&](const std::vector<float>& q, std::size_t v,
                                 const std::size_t(&c)[3]) {
        double s = 0.0;
        for (std::size_t a = 0; a < axes; ++a) {
            const Axis& axis = l.axes[a];
            const std::size_t ca = coordinate(axis, c);
            const float* qa = q.data() + a * n;
            if (ca > 0) {
                s += static_cast<double>(qa[v - axis.stride]);
            }
            if (ca + 1 < axis.n) {
                s -= static_cast<double>(qa[v]);
            }
        }
        return s;
    };
    double t = 1.0;
    for (std::size_t it = 0; it < iterations; ++it) {
        forEachVoxel(l, [&](std::size_t v, const std::size_t(&c)[3]) {
            x[v] = project(static_cast<double>(b[v]) - weight * transposeAt(r, v, c));
        });
        const double tNext = 0.5 * (1.0 + std::sqrt(1.0 + 4.0 * t * t));
        const double momentum = (t - 1.0) / tNext;
        forEachVoxel(l, [&](std::size_t v, const std::size_t(&c)[3]) {
            double q[3] = {0.0, 0.0, 0.0};
            double norm2 = 0.0;
            for (std::size_t a = 0; a < axes; ++a) {
                const Axis& axis = l.axes[a];
                const double dx =
                    coordinate(axis, c) + 1 < axis.n
                        ? static_cast<double>(x[v + axis.stride]) - static_cast<double>(x[v])
                        : 0.0;
                q[a] = static_cast<double>(r[a * n + v]) + tau * dx;
                norm2 += q[a] * q[a];
            }
            // Projection onto the unit ball per voxel (isotropic TV).
            const double scale = 1.0 / std::max(1.0, std::sqrt(norm2));
            for (std::size_t a = 0; a < axes; ++a) {
                const double pNew = q[a] * scale;
                const double pOld = static_cast<double>(p[a * n + v]);
                r[a * n + v] = static_cast<float>(pNew + momentum * (pNew - pOld));
                p[a * n + v] = static_cast<float>(pNew);
            }
        });
        t = tNext;
    }
    forEachVoxel(l, [&](std::size_t v, const std::size_t(&c)[3]) {
        x[v] = project(static_cast<double>(b[v]) - weight * transposeAt(p, v, c));
    });
}
} // namespace tomo::detail
