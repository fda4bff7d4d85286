// The detector side of a simulated scan: from each material's line integrals to corrected line
// integrals, through the spectrum, blur, scatter, lag, gains and noise (core/simulate).
#include "simulate/detector_response.h"
#include "tomo/error.h"
#include "tomo/projector.h"
#include "tomo/simulate.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
#include <random>
#include <string>

namespace tomo
{
namespace
{
// A bin whose share of the detected signal is below this changes no reading by more than float
// rounding, so it is skipped (it saves the lowest bins, which the filtration has emptied).
constexpr double kNegligibleBinShare = 1e-7;
// Above this mean a Poisson draw is taken from its normal approximation (mean and variance λ):
// the skewness left out, 1/√λ ≤ 0.016, is far below what any reconstruction shows, and normal
// draws cost a fraction of libstdc++'s Poisson rejection sampler.
constexpr double kNormalApproximationAbove = 4000.0;
// The lowest reading −log accepts, photon units: half a photon, the usual clamp of a starved
// pixel (a reading of 0 has no logarithm). Without quantum noise readings are relative to the
// open beam (1) and the clamp is a billionth of it.
constexpr double kStarvedReadingPhotons = 0.5;
constexpr double kStarvedReadingRelative = 1e-9;
// Pixels whose reference line integral exceeds this make up the object's shadow, over which the
// scatter-to-primary ratio is set (5 % attenuation: air and the table's edge stay outside).
constexpr double kShadowLineIntegral = 0.05;
// Past this sigma (pixels) a Gaussian is applied as three box filters (a cost independent of
// the width; Wells 1986), below it as a sampled kernel.
constexpr double kBoxBlurAboveSigma = 6.0;

// Stream numbers keep the random draws of each effect independent of the others.
enum class Stream : std::uint64_t
{
    Gains = 1,
    Dead = 2,
    Noise = 3,
};

std::uint64_t splitMix(std::uint64_t x)
{
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

std::mt19937_64 generator(std::uint64_t seed, Stream stream, std::uint64_t index)
{
    return std::mt19937_64(
        splitMix(splitMix(seed) ^
                 splitMix(static_cast<std::uint64_t>(stream) * 1000003ull + splitMix(index))));
}

// Gaussian blur along one line of n samples `stride` apart, edges clamped.
void blurLine(float* line, std::size_t n, std::size_t stride, double sigma, std::vector<float>& a,
              std::vector<float>& b)
{
    if (sigma <= 0.0 || n < 2) {
        return;
    }
    a.resize(n);
    b.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
        a[i] = line[i * stride];
    }
    const auto at = [n](const std::vector<float>& v, std::ptrdiff_t i) {
        return v[static_cast<std::size_t>(
            std::clamp<std::ptrdiff_t>(i, 0, static_cast<std::ptrdiff_t>(n) - 1))];
    };
    if (sigma > kBoxBlurAboveSigma) {
        // Three boxes of width 2r + 1 have variance 3·((2r + 1)² − 1)/12 = σ².
        const auto r = static_cast<std::ptrdiff_t>(
            std::lround((std::sqrt(4.0 * sigma * sigma + 1.0) - 1.0) / 2.0));
        const double norm = 1.0 / static_cast<double>(2 * r + 1);
        for (int pass = 0; pass < 3; ++pass) {
            double sum = 0.0;
            for (std::ptrdiff_t i = -r; i <= r; ++i) {
                sum += at(a, i);
            }
            for (std::size_t i = 0; i < n; ++i) {
                b[i] = static_cast<float>(sum * norm);
                const auto si = static_cast<std::ptrdiff_t>(i);
                sum += at(a, si + r + 1) - at(a, si - r);
            }
            std::swap(a, b);
        }
    } else {
        const auto r = static_cast<std::ptrdiff_t>(std::ceil(3.0 * sigma));
        std::vector<double> kernel(static_cast<std::size_t>(2 * r + 1));
        double total = 0.0;
        for (std::ptrdiff_t i = -r; i <= r; ++i) {
            const double w = std::exp(-0.5 * static_cast<double>(i * i) / (sigma * sigma));
            kernel[static_cast<std::size_t>(i + r)] = w;
            total += w;
        }
        for (std::size_t i = 0; i < n; ++i) {
            double sum = 0.0;
            for (std::ptrdiff_t j = -r; j <= r; ++j) {
                sum += kernel[static_cast<std::size_t>(j + r)] *
                       at(a, static_cast<std::ptrdiff_t>(i) + j);
            }
            b[i] = static_cast<float>(sum / total);
        }
        std::swap(a, b);
    }
    for (std::size_t i = 0; i < n; ++i) {
        line[i * stride] = a[i];
    }
}

// Separable Gaussian blur of one rows × cols image (u fastest).
void blurImage(std::span<float> image, std::size_t rows, std::size_t cols, double sigmaU,
               double sigmaV)
{
    std::vector<float> a;
    std::vector<float> b;
    if (sigmaU > 0.0) {
        for (std::size_t r = 0; r < rows; ++r) {
            blurLine(image.data() + r * cols, cols, 1, sigmaU, a, b);
        }
    }
    if (sigmaV > 0.0 && rows > 1) {
        for (std::size_t c = 0; c < cols; ++c) {
            blurLine(image.data() + c, rows, cols, sigmaV, a, b);
        }
    }
}

// What every view needs from the spectrum and the detector.
struct SpectralModel
{
    std::vector<float> signalWeight;       ///< s_e / Σ s: share of the open-beam signal per bin
    std::vector<float> photonWeight;       ///< q_e / Σ q: share of the open-beam photons per bin
    std::vector<std::vector<float>> ratio; ///< [material][bin]: μ(E)/μ(E_ref)
    double detectedPhotonFraction = 1.0;   ///< Σ q = Σ f·η: photons absorbed per photon sent
    bool energyWeighted = false;
    double meanEnergyKeV = 0.0;
};

SpectralModel spectralModel(const Spectrum& spectrum, const std::vector<Material>& materials,
                            const PhysicsSpec& physics)
{
    SpectralModel model;
    model.energyWeighted = physics.detector.mode == DetectorMode::Integrating;
    model.meanEnergyKeV = spectrum.meanEnergyKeV();
    std::vector<double> q(spectrum.energyKeV.size());
    std::vector<double> s(q.size());
    double qSum = 0.0;
    double sSum = 0.0;
    for (std::size_t e = 0; e < q.size(); ++e) {
        q[e] = spectrum.fraction[e] *
               detail::detectorEfficiency(physics.detector, spectrum.energyKeV[e]);
        s[e] = q[e] * (model.energyWeighted ? spectrum.energyKeV[e] : 1.0);
        qSum += q[e];
        sSum += s[e];
    }
    if (!(sSum > 0.0)) {
        throwInvalid("simulation.detector", "the given scintillator",
                     "a detector that absorbs some of the spectrum's photons");
    }
    model.detectedPhotonFraction = qSum;
    model.ratio.resize(materials.size());
    std::vector<double> reference(materials.size());
    for (std::size_t m = 0; m < materials.size(); ++m) {
        reference[m] = muPerMm(materials[m], physics.materials.referenceKeV);
    }
    for (std::size_t e = 0; e < q.size(); ++e) {
        if (s[e] / sSum < kNegligibleBinShare) {
            continue;
        }
        model.signalWeight.push_back(static_cast<float>(s[e] / sSum));
        model.photonWeight.push_back(static_cast<float>(q[e] / qSum));
        for (std::size_t m = 0; m < materials.size(); ++m) {
            model.ratio[m].push_back(
                static_cast<float>(muPerMm(materials[m], spectrum.energyKeV[e]) / reference[m]));
        }
    }
    return model;
}

void checkParts(const std::vector<ProjectionStack>& parts, const std::vector<Material>& materials)
{
    if (parts.empty() || parts.size() != materials.size()) {
        throwInvalid("materials",
                     std::to_string(materials.size()) + " for " + std::to_string(parts.size()) +
                         " projection stacks",
                     "one material per stack, and at least one stack");
    }
    for (const ProjectionStack& p : parts) {
        if (!(p.geometry() == parts.front().geometry())) {
            throwInvalid("projections", "stacks of different geometries",
                         "one geometry for every material's stack");
        }
    }
}
// −ln Σₑ wₑ·exp(−Σₘ rₘₑ·Pₘ) (weights summing to 1) for one or two materials, tabulated over
// [0, Pmax] per material and read by (bi)linear interpolation: one table lookup and one exp per
// pixel instead of an exp per energy bin. The function is smooth with second derivatives the
// variance of the spectrum's μ ratios (below 0.1 for CT spectra), so linear interpolation errs
// by at most h²/8·0.1: with the grids below under 2e-6 for line integrals up to 10 (bilinear,
// 512² nodes) and 1e-8 (linear, 8192 nodes). Tests compare it with the direct sum.
class SpectralTable
{
public:
    static constexpr std::size_t kNodes1D = 8192;
    static constexpr std::size_t kNodes2D = 512;

    SpectralTable(const std::vector<float>& weights, const std::vector<std::vector<float>>& ratio,
                  const std::vector<double>& pmax)
        : m_two(ratio.size() == 2), m_n0(m_two ? kNodes2D : kNodes1D), m_n1(m_two ? kNodes2D : 1)
    {
        m_step0 = std::max(pmax[0], 1e-6) / static_cast<double>(m_n0 - 1);
        m_step1 = m_two ? std::max(pmax[1], 1e-6) / static_cast<double>(m_n1 - 1) : 1.0;
        m_values.resize(m_n0 * m_n1);
#pragma omp parallel for schedule(static)
        for (std::size_t i0 = 0; i0 < m_n0; ++i0) {
            const double p0 = static_cast<double>(i0) * m_step0;
            for (std::size_t i1 = 0; i1 < m_n1; ++i1) {
                const double p1 = static_cast<double>(i1) * m_step1;
                double sum = 0.0;
                for (std::size_t e = 0; e < weights.size(); ++e) {
                    const double a = ratio[0][e] * p0 + (m_two ? ratio[1][e] * p1 : 0.0);
                    sum += weights[e] * std::exp(-a);
                }
                m_values[i0 * m_n1 + i1] = static_cast<float>(-std::log(sum));
            }
        }
    }

    /// −ln of the weighted transmission at line integrals (p0, p1) (p1 unused for one material).
    [[nodiscard]] float operator()(float p0, float p1) const
    {
        const auto locate = [](float p, double step, std::size_t n, std::size_t& i) {
            const double x =
                std::clamp(static_cast<double>(p) / step, 0.0, static_cast<double>(n - 1));
            i = std::min(static_cast<std::size_t>(x), n - 2);
            return static_cast<float>(x - static_cast<double>(i));
        };
        std::size_t i0 = 0;
        const float f0 = locate(p0, m_step0, m_n0, i0);
        if (!m_two) {
            return m_values[i0] + f0 * (m_values[i0 + 1] - m_values[i0]);
        }
        std::size_t i1 = 0;
        const float f1 = locate(p1, m_step1, m_n1, i1);
        const float* row = m_values.data() + i0 * m_n1 + i1;
        const float a = row[0] + f1 * (row[1] - row[0]);
        const float b = row[m_n1] + f1 * (row[m_n1 + 1] - row[m_n1]);
        return a + f0 * (b - a);
    }

private:
    bool m_two;
    std::size_t m_n0;
    std::size_t m_n1;
    double m_step0 = 1.0;
    double m_step1 = 1.0;
    std::vector<float> m_values;
};

// Spectra with fewer bins are summed directly (a monochromatic scan stays exact).
constexpr std::size_t kTableFromBins = 8;
} // namespace

std::vector<float> detectorGains(const RingSpec& rings, std::uint64_t seed, std::size_t rows,
                                 std::size_t columns)
{
    const std::size_t pixels = rows * columns;
    if (!rings.gainMap.empty()) {
        if (rings.gainMap.size() != pixels) {
            throwInvalid("simulation.rings.gain_map",
                         std::to_string(rings.gainMap.size()) + " gains",
                         std::to_string(pixels) + " (rows × columns of the detector)");
        }
        return rings.gainMap;
    }
    // Gains drifted after calibration, and dead pixels: the same for every view.
    std::vector<float> gain(pixels, 1.0f);
    if (rings.gainSigma > 0.0) {
        auto rng = generator(seed, Stream::Gains, 0);
        std::normal_distribution<double> draw(1.0, rings.gainSigma);
        for (float& g : gain) {
            g = static_cast<float>(std::max(0.0, draw(rng)));
        }
    }
    if (rings.deadFraction > 0.0) {
        auto rng = generator(seed, Stream::Dead, 0);
        std::bernoulli_distribution dead(rings.deadFraction);
        for (float& g : gain) {
            if (dead(rng)) {
                g = 0.0f;
            }
        }
    }
    return gain;
}

double detail::detectorEfficiency(const DetectorResponse& detector, double energyKeV)
{
    if (detector.mode == DetectorMode::Ideal) {
        return 1.0;
    }
    return 1.0 - std::exp(-muPerMm(detector.scintillator, energyKeV) * detector.thicknessMm);
}

double detail::signalWeight(const DetectorResponse& detector, double energyKeV)
{
    return detectorEfficiency(detector, energyKeV) *
           (detector.mode == DetectorMode::Integrating ? energyKeV : 1.0);
}

SimulationResult simulateDetector(const std::vector<ProjectionStack>& parts,
                                  const std::vector<Material>& materials,
                                  const PhysicsSpec& physics, RunContext& ctx, bool keepReadings)
{
    physics.validate();
    checkParts(parts, materials);
    const Geometry& geometry = parts.front().geometry();
    const bool parallel =
        geometry.beam() == BeamType::Parallel2D || geometry.beam() == BeamType::Parallel3D;
    if (parallel && physics.focalSpotMm > 0.0) {
        throwInvalid("simulation.focal_spot_mm", formatValue(physics.focalSpotMm),
                     "0 for a parallel beam: it has no focal spot to magnify");
    }
    const std::size_t views = geometry.viewCount();
    const std::size_t rows = geometry.detector().rows;
    const std::size_t cols = geometry.detector().columns;
    const std::size_t pixels = rows * cols;
    const std::size_t total = views * pixels;
    const Spectrum spectrum = makeSpectrum(physics.spectrum);
    const SpectralModel model = spectralModel(spectrum, materials, physics);
    const std::size_t bins = model.signalWeight.size();
    const std::size_t nm = parts.size();
    const bool noisy = physics.photonsPerPixel > 0.0;
    // Open-beam detected photons per pixel; readings are relative to 1 without quantum noise.
    const double flat = noisy ? physics.photonsPerPixel * model.detectedPhotonFraction : 1.0;
    const bool keepEnergyRatio = model.energyWeighted && noisy;

    // Primary transmission of the signal, and for energy-integrating noise the detected mean
    // energy relative to the open beam's (signal per photon).
    std::vector<float> signal(total);
    std::vector<float> energyRatio(keepEnergyRatio ? total : 0);
    std::vector<float> reference(physics.scatter.spr > 0.0 ? total : 0);
    std::optional<SpectralTable> signalTable;
    std::optional<SpectralTable> photonTable;
    if (bins >= kTableFromBins && nm <= 2) {
        std::vector<double> pmax(nm, 0.0);
        for (std::size_t m = 0; m < nm; ++m) {
            const std::span<const float> d = parts[m].data();
            pmax[m] = std::max(0.0, static_cast<double>(*std::max_element(d.begin(), d.end())));
        }
        signalTable.emplace(model.signalWeight, model.ratio, pmax);
        if (keepEnergyRatio) {
            photonTable.emplace(model.photonWeight, model.ratio, pmax);
        }
    }
    // Beer–Lambert per energy bin, summed with the detector's weights, for view k.
    const auto spectralView = [&](std::size_t k, std::vector<float>& attenuation,
                                  std::vector<float>& photons) {
        float* out = signal.data() + k * pixels;
        if (signalTable) {
            const float* p0 = parts[0].view(k).data();
            const float* p1 = nm == 2 ? parts[1].view(k).data() : p0;
            for (std::size_t i = 0; i < pixels; ++i) {
                out[i] = std::exp(-(*signalTable)(p0[i], p1[i]));
                if (keepEnergyRatio) {
                    photons[i] = std::exp(-(*photonTable)(p0[i], p1[i]));
                }
            }
        } else {
            std::fill(out, out + pixels, 0.0f);
            std::fill(photons.begin(), photons.end(), 0.0f);
            for (std::size_t e = 0; e < bins; ++e) {
                std::fill(attenuation.begin(), attenuation.end(), 0.0f);
                for (std::size_t m = 0; m < nm; ++m) {
                    const float r = model.ratio[m][e];
                    const float* p = parts[m].view(k).data();
                    for (std::size_t i = 0; i < pixels; ++i) {
                        attenuation[i] += r * p[i];
                    }
                }
                const float ws = model.signalWeight[e];
                const float wq = model.photonWeight[e];
                for (std::size_t i = 0; i < pixels; ++i) {
                    const float t = std::exp(-attenuation[i]);
                    out[i] += ws * t;
                    if (keepEnergyRatio) {
                        photons[i] += wq * t;
                    }
                }
            }
        }
        if (keepEnergyRatio) {
            float* ratio = energyRatio.data() + k * pixels;
            for (std::size_t i = 0; i < pixels; ++i) {
                ratio[i] = photons[i] > 0.0f ? out[i] / photons[i] : 1.0f;
            }
        }
        if (!reference.empty()) {
            float* ref = reference.data() + k * pixels;
            std::fill(ref, ref + pixels, 0.0f);
            for (std::size_t m = 0; m < nm; ++m) {
                const float* p = parts[m].view(k).data();
                for (std::size_t i = 0; i < pixels; ++i) {
                    ref[i] += p[i];
                }
            }
        }
    };
    ctx.reportProgress(0, views, "simulating the detector");
    // Batches of views in turn, the views of a batch in parallel; progress between batches.
    constexpr std::size_t kBatchViews = 32;
    for (std::size_t first = 0; first < views; first += kBatchViews) {
        ctx.throwIfCancelled();
        const std::size_t last = std::min(views, first + kBatchViews);
#pragma omp parallel
        {
            std::vector<float> attenuation(pixels);
            std::vector<float> photons(keepEnergyRatio ? pixels : 0);
#pragma omp for schedule(dynamic, 1)
            for (std::size_t k = first; k < last; ++k) {
                spectralView(k, attenuation, photons);
            }
        }
        ctx.reportProgress(last, views, "simulating the detector");
    }
    ctx.throwIfCancelled();

    // The focal spot's image: a point at the isocentre is blurred by spot·(M − 1) on the
    // detector (FWHM → σ: / 2.3548).
    if (physics.focalSpotMm > 0.0) {
        const auto& d = geometry.detector();
#pragma omp parallel for schedule(static)
        for (std::size_t k = 0; k < views; ++k) {
            const double blur = physics.focalSpotMm / 2.3548 * (geometry.magnification(k) - 1.0);
            blurImage(std::span<float>(signal).subspan(k * pixels, pixels), rows, cols,
                      blur / d.pixelU, blur / d.pixelV);
        }
    }

    // Scatter: p·e^(−p) of every pencil beam, spread by the kernel, scaled to the asked
    // scatter-to-primary ratio over the object's shadow.
    if (physics.scatter.spr > 0.0) {
        const auto& d = geometry.detector();
        double shadowPrimary = 0.0;
        double shadowScatter = 0.0;
#pragma omp parallel for schedule(static) reduction(+ : shadowPrimary, shadowScatter)
        for (std::size_t k = 0; k < views; ++k) {
            const std::span<float> ref = std::span<float>(reference).subspan(k * pixels, pixels);
            std::vector<float> source(pixels);
            for (std::size_t i = 0; i < pixels; ++i) {
                source[i] = ref[i] * std::exp(-ref[i]);
            }
            blurImage(source, rows, cols, physics.scatter.sigmaMm / d.pixelU,
                      physics.scatter.sigmaMm / d.pixelV);
            const float* primary = signal.data() + k * pixels;
            for (std::size_t i = 0; i < pixels; ++i) {
                if (ref[i] > kShadowLineIntegral) {
                    shadowPrimary += primary[i];
                    shadowScatter += source[i];
                }
            }
            std::copy(source.begin(), source.end(), ref.begin());
        }
        if (shadowScatter > 0.0) {
            const auto scale =
                static_cast<float>(physics.scatter.spr * shadowPrimary / shadowScatter);
            for (std::size_t i = 0; i < total; ++i) {
                signal[i] += scale * reference[i];
            }
        }
    }
    ctx.throwIfCancelled();

    if (physics.detector.blurSigmaPx > 0.0) {
#pragma omp parallel for schedule(static)
        for (std::size_t k = 0; k < views; ++k) {
            blurImage(std::span<float>(signal).subspan(k * pixels, pixels), rows, cols,
                      physics.detector.blurSigmaPx, physics.detector.blurSigmaPx);
        }
    }

    // Lag: each reading keeps a fraction of the one before (first-order recursion in view
    // order, as a flat panel's afterglow; the scan starts from the first view's steady state).
    if (physics.lag > 0.0) {
        const auto a = static_cast<float>(physics.lag);
        for (std::size_t k = 1; k < views; ++k) {
            float* now = signal.data() + k * pixels;
            const float* before = signal.data() + (k - 1) * pixels;
            for (std::size_t i = 0; i < pixels; ++i) {
                now[i] = (1.0f - a) * now[i] + a * before[i];
            }
        }
    }

    const std::vector<float> gain = detectorGains(physics.rings, physics.seed, rows, cols);

    // Readings in photon units, with quantum noise, dark current and read noise.
    const double dark = physics.darkCurrent;
#pragma omp parallel for schedule(dynamic, 4)
    for (std::size_t k = 0; k < views; ++k) {
        float* reading = signal.data() + k * pixels;
        auto rng = generator(physics.seed, Stream::Noise, k);
        std::normal_distribution<double> unit(0.0, 1.0);
        for (std::size_t i = 0; i < pixels; ++i) {
            double value = flat * static_cast<double>(reading[i]) * gain[i];
            if (noisy) {
                // Photons behind the reading, drawn, and turned back into signal.
                const double perPhoton = keepEnergyRatio ? energyRatio[k * pixels + i] : 1.0;
                const double lambda = value / perPhoton;
                double drawn = 0.0;
                if (lambda > kNormalApproximationAbove) {
                    drawn = std::max(0.0, lambda + std::sqrt(lambda) * unit(rng));
                } else if (lambda > 0.0) {
                    drawn = static_cast<double>(std::poisson_distribution<long long>(lambda)(rng));
                }
                value = drawn * perPhoton;
                if (dark > 0.0) {
                    value +=
                        dark > kNormalApproximationAbove
                            ? dark + std::sqrt(dark) * unit(rng)
                            : static_cast<double>(std::poisson_distribution<long long>(dark)(rng));
                }
                if (physics.electronicNoise > 0.0) {
                    value += physics.electronicNoise * unit(rng);
                }
            }
            reading[i] = static_cast<float>(value);
        }
    }
    ctx.throwIfCancelled();

    SimulationResult result{ProjectionStack::zeros(geometry), std::nullopt, flat, 0,
                            model.meanEnergyKeV};
    if (keepReadings) {
        result.readings = ProjectionStack::fromData(geometry, signal);
    }
    // Flat/dark normalisation and −log; the flat field is the calibrated, noise-free open beam.
    const double floor = noisy ? kStarvedReadingPhotons : kStarvedReadingRelative;
    std::size_t starved = 0;
    std::span<float> out = result.lineIntegrals.data();
    // Dark is subtracted as its mean, the calibration a scanner does before every scan.
    const double offset = noisy ? dark : 0.0;
#pragma omp parallel for schedule(static) reduction(+ : starved)
    for (std::size_t i = 0; i < total; ++i) {
        double value = static_cast<double>(signal[i]) - offset;
        if (value < floor) {
            value = floor;
            ++starved;
        }
        out[i] = static_cast<float>(-std::log(value / flat));
    }
    result.starvedPixels = starved;

    if (physics.corrections.waterBeamHardening) {
        // Water up to the thickness whose polychromatic line integral passes the data's largest.
        const double thickness = detail::waterThicknessReaching(
            spectrum, physics.detector, *std::max_element(out.begin(), out.end()));
        applyPolynomial(result.lineIntegrals,
                        waterCorrectionPolynomial(spectrum, physics.detector,
                                                  physics.materials.referenceKeV, thickness,
                                                  physics.corrections.waterPolynomialDegree));
    }
    if (physics.corrections.ringRemoval) {
        removeRings(result.lineIntegrals, physics.corrections.ringFilterWidth);
    }
    ProjectionPreviews(ctx, "detector simulation").publish(result.lineIntegrals, views);
    return result;
}

SimulationResult simulateScan(const Volume& mu, const Geometry& geometry,
                              const PhysicsSpec& physics, ComputeContext& compute, RunContext& ctx,
                              bool keepReadings, std::size_t batchViews)
{
    // simulateParts validates the physics before any projection.
    std::vector<MaterialPart> parts;
    if (physics.needsMaterials()) {
        parts = splitMaterials(mu, physics.materials);
    } else {
        // Monochromatic at the reference energy every material attenuates as its μ says, so
        // the object is projected whole (the material named does not enter: its ratio is 1).
        parts.push_back({findMaterial("water"), mu});
    }
    return simulateParts(std::move(parts), geometry, physics, compute, ctx, keepReadings,
                         batchViews);
}

SimulationResult simulateParts(std::vector<MaterialPart> parts, const Geometry& geometry,
                               const PhysicsSpec& physics, ComputeContext& compute, RunContext& ctx,
                               bool keepReadings, std::size_t batchViews)
{
    physics.validate();
    const Geometry moved = applyMotion(geometry, physics.motion);
    const auto projector = makeProjector(ProjectorModel::Joseph, compute);
    std::vector<ProjectionStack> stacks;
    std::vector<Material> materials;
    for (MaterialPart& part : parts) {
        ProjectionStack p = forwardProject(*projector, part.muReference, moved, ctx, batchViews);
        std::vector<float> data(p.data().begin(), p.data().end());
        stacks.push_back(ProjectionStack::fromData(geometry, std::move(data)));
        materials.push_back(part.material);
        // This part's volume is not needed any more: free it before projecting the next.
        part.muReference = Volume::zeros(VolumeGrid::centred({1, 1, 1}, {1.0, 1.0, 1.0}));
    }
    if (stacks.empty()) {
        // An empty object (all μ = 0): the open beam everywhere.
        stacks.push_back(ProjectionStack::zeros(geometry));
        materials.push_back(findMaterial("water"));
    }
    return simulateDetector(stacks, materials, physics, ctx, keepReadings);
}
} // namespace tomo
