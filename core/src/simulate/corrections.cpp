#include "simulate/detector_response.h"
#include "tomo/error.h"
#include "tomo/simulate.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <utility>

namespace tomo
{
namespace
{
// Water thicknesses sampled for the linearisation fit.
constexpr std::size_t kWaterSamples = 96;

// Solves the square system a·x = b (n × n, row-major) by Gaussian elimination with partial
// pivoting; the normal equations of a ≤ 9-term fit on scaled abscissae are well conditioned.
std::vector<double> solve(std::vector<double> a, std::vector<double> b)
{
    const std::size_t n = b.size();
    for (std::size_t col = 0; col < n; ++col) {
        std::size_t pivot = col;
        for (std::size_t r = col + 1; r < n; ++r) {
            if (std::abs(a[r * n + col]) > std::abs(a[pivot * n + col])) {
                pivot = r;
            }
        }
        for (std::size_t c = 0; c < n; ++c) {
            std::swap(a[col * n + c], a[pivot * n + c]);
        }
        std::swap(b[col], b[pivot]);
        for (std::size_t r = col + 1; r < n; ++r) {
            const double f = a[r * n + col] / a[col * n + col];
            for (std::size_t c = col; c < n; ++c) {
                a[r * n + c] -= f * a[col * n + c];
            }
            b[r] -= f * b[col];
        }
    }
    std::vector<double> x(n);
    for (std::size_t r = n; r-- > 0;) {
        double sum = b[r];
        for (std::size_t c = r + 1; c < n; ++c) {
            sum -= a[r * n + c] * x[c];
        }
        x[r] = sum / a[r * n + r];
    }
    return x;
}
// Water under a spectrum, as the detector weighs it: the polychromatic line integral of a slab.
class WaterBeam
{
public:
    WaterBeam(const Spectrum& spectrum, const DetectorResponse& detector)
        : m_weight(spectrum.energyKeV.size()), m_mu(spectrum.energyKeV.size())
    {
        const Material water = findMaterial("water");
        for (std::size_t e = 0; e < m_weight.size(); ++e) {
            m_weight[e] =
                spectrum.fraction[e] * detail::signalWeight(detector, spectrum.energyKeV[e]);
            m_mu[e] = muPerMm(water, spectrum.energyKeV[e]);
            m_open += m_weight[e];
        }
    }

    /// −ln of the transmitted signal behind `thicknessMm` of water.
    [[nodiscard]] double lineIntegral(double thicknessMm) const
    {
        double sum = 0.0;
        for (std::size_t e = 0; e < m_weight.size(); ++e) {
            sum += m_weight[e] * std::exp(-m_mu[e] * thicknessMm);
        }
        return -std::log(sum / m_open);
    }

private:
    std::vector<double> m_weight;
    std::vector<double> m_mu;
    double m_open = 0.0;
};
} // namespace

double detail::waterThicknessReaching(const Spectrum& spectrum, const DetectorResponse& detector,
                                      double lineIntegral)
{
    const WaterBeam beam(spectrum, detector);
    double thickness = 100.0;
    while (thickness < 5000.0 && beam.lineIntegral(thickness) < lineIntegral) {
        thickness *= 1.5;
    }
    return thickness;
}

std::vector<double> waterCorrectionPolynomial(const Spectrum& spectrum,
                                              const DetectorResponse& detector, double referenceKeV,
                                              double maxThicknessMm, std::size_t degree)
{
    if (degree == 0 || degree > 8) {
        throwInvalid("simulation.corrections.water_polynomial_degree", std::to_string(degree),
                     "a degree from 1 to 8");
    }
    if (!std::isfinite(maxThicknessMm) || maxThicknessMm <= 0.0) {
        throwInvalid("water thickness (mm)", formatValue(maxThicknessMm),
                     "the largest water path to correct, above 0 mm");
    }
    const double muRef = muPerMm(findMaterial("water"), referenceKeV);
    const WaterBeam beam(spectrum, detector);
    std::vector<double> measured(kWaterSamples);
    std::vector<double> wanted(kWaterSamples);
    for (std::size_t j = 0; j < kWaterSamples; ++j) {
        const double t =
            maxThicknessMm * static_cast<double>(j) / static_cast<double>(kWaterSamples - 1);
        measured[j] = beam.lineIntegral(t);
        wanted[j] = muRef * t;
    }
    // Least squares in x = p / p_max (conditioning), then back to powers of p.
    const double scale = std::max(measured.back(), 1e-12);
    const std::size_t n = degree + 1;
    std::vector<double> normal(n * n, 0.0);
    std::vector<double> rhs(n, 0.0);
    for (std::size_t j = 0; j < kWaterSamples; ++j) {
        const double x = measured[j] / scale;
        std::vector<double> powers(n, 1.0);
        for (std::size_t k = 1; k < n; ++k) {
            powers[k] = powers[k - 1] * x;
        }
        for (std::size_t r = 0; r < n; ++r) {
            rhs[r] += powers[r] * wanted[j];
            for (std::size_t c = 0; c < n; ++c) {
                normal[r * n + c] += powers[r] * powers[c];
            }
        }
    }
    std::vector<double> c = solve(std::move(normal), std::move(rhs));
    double factor = 1.0;
    for (double& ck : c) {
        ck /= factor;
        factor *= scale;
    }
    return c;
}

void applyPolynomial(ProjectionStack& projections, const std::vector<double>& coefficients)
{
    std::span<float> data = projections.data();
#pragma omp parallel for schedule(static)
    for (std::size_t i = 0; i < data.size(); ++i) {
        const double p = data[i];
        double sum = 0.0;
        for (std::size_t k = coefficients.size(); k-- > 0;) {
            sum = sum * p + coefficients[k];
        }
        data[i] = static_cast<float>(sum);
    }
}

void removeRings(ProjectionStack& projections, std::size_t width)
{
    const std::size_t cols = projections.columns();
    if (width < 3 || width % 2 == 0 || width > cols) {
        throwInvalid("simulation.corrections.ring_filter_width", std::to_string(width),
                     "an odd number of columns from 3 to the detector's " + std::to_string(cols));
    }
    const std::size_t rows = projections.rows();
    const std::size_t views = projections.views();
    const std::size_t half = width / 2;
    // Each pixel's mean over views: a ring is a column that stays off in every view.
    std::vector<double> mean(rows * cols, 0.0);
    for (std::size_t k = 0; k < views; ++k) {
        const std::span<const float> view = std::as_const(projections).view(k);
        for (std::size_t i = 0; i < rows * cols; ++i) {
            mean[i] += view[i];
        }
    }
    for (double& m : mean) {
        m /= static_cast<double>(views);
    }
    std::vector<float> offset(rows * cols);
    std::vector<double> window;
    for (std::size_t r = 0; r < rows; ++r) {
        const double* line = mean.data() + r * cols;
        for (std::size_t c = 0; c < cols; ++c) {
            const std::size_t lo = c < half ? 0 : c - half;
            const std::size_t hi = std::min(cols - 1, c + half);
            window.assign(line + lo, line + hi + 1);
            const auto mid = window.begin() + static_cast<std::ptrdiff_t>(window.size() / 2);
            std::nth_element(window.begin(), mid, window.end());
            offset[r * cols + c] = static_cast<float>(line[c] - *mid);
        }
    }
#pragma omp parallel for schedule(static)
    for (std::size_t k = 0; k < views; ++k) {
        const std::span<float> view = projections.view(k);
        for (std::size_t i = 0; i < rows * cols; ++i) {
            view[i] -= offset[i];
        }
    }
}

double meanInRegion(const Volume& volume, const RegionOfInterest& roi)
{
    const VolumeGrid& g = volume.grid();
    const auto& n = g.size();
    std::size_t slice = 0;
    double best = std::numeric_limits<double>::infinity();
    for (std::size_t k = 0; k < n[2]; ++k) {
        const double dz = std::abs(g.voxelCentre(0, 0, static_cast<double>(k)).z - roi.centreMm.z);
        if (dz < best) {
            best = dz;
            slice = k;
        }
    }
    double sum = 0.0;
    std::size_t count = 0;
    for (std::size_t j = 0; j < n[1]; ++j) {
        for (std::size_t i = 0; i < n[0]; ++i) {
            const Vec3 c = g.voxelCentre(static_cast<double>(i), static_cast<double>(j),
                                         static_cast<double>(slice));
            const double dx = c.x - roi.centreMm.x;
            const double dy = c.y - roi.centreMm.y;
            if (dx * dx + dy * dy <= roi.radiusMm * roi.radiusMm) {
                sum += volume.at(i, j, slice);
                ++count;
            }
        }
    }
    if (count == 0) {
        throwInvalid("region",
                     "centre (" + formatValue(roi.centreMm.x) + ", " + formatValue(roi.centreMm.y) +
                         ", " + formatValue(roi.centreMm.z) + ") mm, radius " +
                         formatValue(roi.radiusMm) + " mm",
                     "a disc holding at least one voxel centre of the volume");
    }
    return sum / static_cast<double>(count);
}

void calibrateHu(Volume& volume, const RegionOfInterest& water, const RegionOfInterest& air)
{
    const double w = meanInRegion(volume, water);
    const double a = meanInRegion(volume, air);
    if (!(std::abs(w - a) > 0.0)) {
        throwInvalid("hu calibration", "water mean " + formatValue(w) + " = air mean",
                     "a water region brighter than the air region");
    }
    for (float& v : volume.data()) {
        v = static_cast<float>(1000.0 * (v - w) / (w - a));
    }
    volume.meta().unit = ValueUnit::Hu;
    volume.meta().dictionary["tomoscope_hu_calibration"] =
        "water " + formatValue(w) + ", air " + formatValue(a);
}
} // namespace tomo
