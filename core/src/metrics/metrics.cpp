#include "tomo/metrics.h"

#include "tomo/error.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

namespace tomo
{
namespace
{
void checkSameGrid(const Volume& a, const Volume& b)
{
    if (!(a.grid() == b.grid())) {
        throwInvalid("estimate grid", "differs from the reference grid",
                     "metrics compare volumes on the same grid; resample one first");
    }
}
double referenceRange(const Volume& reference, const char* metric)
{
    const auto [lo, hi] = std::minmax_element(reference.data().begin(), reference.data().end());
    const double range = static_cast<double>(*hi) - static_cast<double>(*lo);
    if (range <= 0.0) {
        throwInvalid("reference", "constant",
                     std::string(metric) + " needs a reference with max > min");
    }
    return range;
}

// SSIM's window as in Wang et al. 2004: a Gaussian of σ = 1.5 voxels, 11 taps, normalised.
constexpr double kSsimSigma = 1.5;
constexpr int kSsimRadius = 5;

std::vector<double> gaussianTaps()
{
    std::vector<double> taps(2 * kSsimRadius + 1);
    double sum = 0.0;
    for (int t = -kSsimRadius; t <= kSsimRadius; ++t) {
        const double w = std::exp(-0.5 * t * t / (kSsimSigma * kSsimSigma));
        taps[static_cast<std::size_t>(t + kSsimRadius)] = w;
        sum += w;
    }
    for (double& w : taps) {
        w /= sum;
    }
    return taps;
}

/// Separable Gaussian smoothing along the axes in `axes` (0 = x, 1 = y, 2 = z), borders
/// renormalised (the window is cut at the volume's edge and its weights rescaled).
std::vector<double> smooth(std::vector<double> data, const std::array<std::size_t, 3>& n,
                           const std::vector<int>& axes)
{
    const std::vector<double> taps = gaussianTaps();
    const std::array<std::size_t, 3> stride{1, n[0], n[0] * n[1]};
    std::vector<double> out(data.size());
    for (int axis : axes) {
        const auto a = static_cast<std::size_t>(axis);
        const auto len = static_cast<std::ptrdiff_t>(n[a]);
        const std::size_t lines = data.size() / n[a];
#pragma omp parallel for schedule(static)
        for (std::ptrdiff_t line = 0; line < static_cast<std::ptrdiff_t>(lines); ++line) {
            // The line's first element: decompose `line` over the other two axes.
            std::size_t rest = static_cast<std::size_t>(line);
            std::size_t base = 0;
            for (std::size_t b = 0; b < 3; ++b) {
                if (b == a) {
                    continue;
                }
                base += (rest % n[b]) * stride[b];
                rest /= n[b];
            }
            for (std::ptrdiff_t i = 0; i < len; ++i) {
                double sum = 0.0;
                double weight = 0.0;
                for (int t = -kSsimRadius; t <= kSsimRadius; ++t) {
                    const std::ptrdiff_t j = i + t;
                    if (j < 0 || j >= len) {
                        continue;
                    }
                    const double w = taps[static_cast<std::size_t>(t + kSsimRadius)];
                    sum += w * data[base + static_cast<std::size_t>(j) * stride[a]];
                    weight += w;
                }
                out[base + static_cast<std::size_t>(i) * stride[a]] = sum / weight;
            }
        }
        data.swap(out);
    }
    return data;
}

/// The SSIM map of two volumes with the window smoothing along `axes`.
std::vector<double> ssimMap(const Volume& estimate, const Volume& reference,
                            const std::vector<int>& axes)
{
    checkSameGrid(estimate, reference);
    const double range = referenceRange(reference, "SSIM");
    const double c1 = (0.01 * range) * (0.01 * range);
    const double c2 = (0.03 * range) * (0.03 * range);
    const auto e = estimate.data();
    const auto r = reference.data();
    const std::size_t count = e.size();
    std::vector<double> x(e.begin(), e.end());
    std::vector<double> y(r.begin(), r.end());
    std::vector<double> xx(count);
    std::vector<double> yy(count);
    std::vector<double> xy(count);
    for (std::size_t i = 0; i < count; ++i) {
        xx[i] = x[i] * x[i];
        yy[i] = y[i] * y[i];
        xy[i] = x[i] * y[i];
    }
    const auto& n = estimate.grid().size();
    const std::vector<double> mx = smooth(std::move(x), n, axes);
    const std::vector<double> my = smooth(std::move(y), n, axes);
    const std::vector<double> sxx = smooth(std::move(xx), n, axes);
    const std::vector<double> syy = smooth(std::move(yy), n, axes);
    const std::vector<double> sxy = smooth(std::move(xy), n, axes);
    std::vector<double> map(count);
    for (std::size_t i = 0; i < count; ++i) {
        const double vx = sxx[i] - mx[i] * mx[i];
        const double vy = syy[i] - my[i] * my[i];
        const double cov = sxy[i] - mx[i] * my[i];
        map[i] = ((2.0 * mx[i] * my[i] + c1) * (2.0 * cov + c2)) /
                 ((mx[i] * mx[i] + my[i] * my[i] + c1) * (vx + vy + c2));
    }
    return map;
}
} // namespace

double ssim(const Volume& estimate, const Volume& reference)
{
    const std::vector<int> axes =
        estimate.grid().is2D() ? std::vector<int>{0, 1} : std::vector<int>{0, 1, 2};
    const std::vector<double> map = ssimMap(estimate, reference, axes);
    double sum = 0.0;
    for (double v : map) {
        sum += v;
    }
    return sum / static_cast<double>(map.size());
}

std::vector<double> ssimPerSlice(const Volume& estimate, const Volume& reference)
{
    const std::vector<double> map = ssimMap(estimate, reference, {0, 1});
    const auto& n = estimate.grid().size();
    const std::size_t plane = n[0] * n[1];
    std::vector<double> slices(n[2], 0.0);
    for (std::size_t k = 0; k < n[2]; ++k) {
        double sum = 0.0;
        for (std::size_t i = 0; i < plane; ++i) {
            sum += map[k * plane + i];
        }
        slices[k] = sum / static_cast<double>(plane);
    }
    return slices;
}

HermanDistances hermanDistances(const Volume& estimate, const Volume& reference)
{
    checkSameGrid(estimate, reference);
    const auto e = estimate.data();
    const auto r = reference.data();
    double mean = 0.0;
    for (float v : r) {
        mean += v;
    }
    mean /= static_cast<double>(r.size());
    double squared = 0.0;
    double spread = 0.0;
    double absolute = 0.0;
    double magnitude = 0.0;
    for (std::size_t i = 0; i < e.size(); ++i) {
        const double diff = static_cast<double>(e[i]) - static_cast<double>(r[i]);
        squared += diff * diff;
        spread += (r[i] - mean) * (r[i] - mean);
        absolute += std::abs(diff);
        magnitude += std::abs(static_cast<double>(r[i]));
    }
    if (spread <= 0.0) {
        throwInvalid("reference", "constant", "CTSim's d needs a reference with max > min");
    }
    if (magnitude <= 0.0) {
        throwInvalid("reference", "all zero", "CTSim's r needs a reference that is not zero");
    }
    HermanDistances h;
    h.d = std::sqrt(squared / spread);
    h.r = absolute / magnitude;
    const auto& n = estimate.grid().size();
    for (std::size_t k = 0; k < n[2]; ++k) {
        for (std::size_t j = 0; j + 1 < n[1]; j += 2) {
            for (std::size_t i = 0; i + 1 < n[0]; i += 2) {
                double block = 0.0;
                for (std::size_t dj = 0; dj < 2; ++dj) {
                    for (std::size_t di = 0; di < 2; ++di) {
                        block += static_cast<double>(estimate.at(i + di, j + dj, k)) -
                                 static_cast<double>(reference.at(i + di, j + dj, k));
                    }
                }
                h.e = std::max(h.e, std::abs(block) / 4.0);
            }
        }
    }
    return h;
}

std::vector<double> lineProfile(const Volume& volume, Vec3 from, Vec3 to, std::size_t samples)
{
    if (samples < 2) {
        throwInvalid("profile samples", std::to_string(samples), "must be at least 2");
    }
    const VolumeGrid& g = volume.grid();
    // World → fractional index: the inverse of voxelCentre (orthonormal direction: transpose).
    const auto& m = g.direction();
    const Vec3 o = g.origin();
    std::vector<double> out(samples);
    for (std::size_t s = 0; s < samples; ++s) {
        const double t = static_cast<double>(s) / static_cast<double>(samples - 1);
        const Vec3 p = from + (to - from) * t - o;
        std::array<double, 3> f{};
        for (std::size_t a = 0; a < 3; ++a) {
            f[a] = (m[a] * p.x + m[3 + a] * p.y + m[6 + a] * p.z) / g.spacing()[a];
        }
        double value = 0.0;
        for (int corner = 0; corner < 8; ++corner) {
            double w = 1.0;
            std::array<std::ptrdiff_t, 3> idx{};
            bool inside = true;
            for (std::size_t a = 0; a < 3; ++a) {
                const bool upper = ((corner >> a) & 1) != 0;
                if (g.size()[a] == 1) {
                    // A flat axis: its one plane stands for the slab |f| <= 0.5.
                    idx[a] = 0;
                    w *= upper ? 0.0 : 1.0;
                    inside = inside && std::abs(f[a]) <= 0.5;
                    continue;
                }
                const double fl = std::floor(f[a]);
                const double frac = f[a] - fl;
                idx[a] = static_cast<std::ptrdiff_t>(fl) + (upper ? 1 : 0);
                w *= upper ? frac : 1.0 - frac;
                if (idx[a] < 0 || idx[a] >= static_cast<std::ptrdiff_t>(g.size()[a])) {
                    inside = false;
                }
            }
            if (inside && w != 0.0) {
                value += w * volume.at(static_cast<std::size_t>(idx[0]),
                                       static_cast<std::size_t>(idx[1]),
                                       static_cast<std::size_t>(idx[2]));
            }
        }
        out[s] = value;
    }
    return out;
}

bool hasContrast(const Volume& reference)
{
    const auto [lo, hi] = std::minmax_element(reference.data().begin(), reference.data().end());
    return *hi > *lo;
}

double rmse(const Volume& estimate, const Volume& reference)
{
    checkSameGrid(estimate, reference);
    const auto e = estimate.data();
    const auto r = reference.data();
    double sum = 0.0;
    for (std::size_t n = 0; n < e.size(); ++n) {
        const double d = static_cast<double>(e[n]) - static_cast<double>(r[n]);
        sum += d * d;
    }
    return std::sqrt(sum / static_cast<double>(e.size()));
}

double psnr(const Volume& estimate, const Volume& reference)
{
    const double error = rmse(estimate, reference);
    const double range = referenceRange(reference, "PSNR");
    if (error == 0.0) {
        return std::numeric_limits<double>::infinity();
    }
    return 20.0 * std::log10(range / error);
}
} // namespace tomo
