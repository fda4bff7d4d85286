#include "recon/ramp_filter.h"

#include "tomo/error.h"
#include "tomo/recon.h"

#include <fftw3.h>

#include <algorithm>
#include <cmath>
#include <complex>
#include <memory>
#include <mutex>
#include <numbers>
#include <string>
#include <vector>

namespace tomo
{
using detail::RampSampling;

namespace
{
// FFTW's planner is not thread-safe; execution of a finished plan is.
std::mutex& plannerMutex()
{
    static std::mutex mutex;
    return mutex;
}

struct FftwFree
{
    void operator()(void* p) const { fftwf_free(p); }
};
struct PlanDestroy
{
    void operator()(fftwf_plan_s* p) const
    {
        const std::lock_guard lock(plannerMutex());
        fftwf_destroy_plan(p);
    }
};
using Plan = std::unique_ptr<fftwf_plan_s, PlanDestroy>;

std::size_t paddedLength(std::size_t columns)
{
    // At least twice the row so the circular convolution with the ramp kernel (support of the
    // whole padded row) does not wrap data onto itself; a power of two keeps FFTW fast.
    std::size_t n = 64;
    while (n < 2 * columns) {
        n *= 2;
    }
    return n;
}

double window(RampWindow w, double x)
{
    // x = frequency / (cutoff * Nyquist), in [0, 1].
    switch (w) {
    case RampWindow::RamLak:
        return 1.0;
    case RampWindow::SheppLogan: {
        const double a = 0.5 * std::numbers::pi * x;
        return a == 0.0 ? 1.0 : std::sin(a) / a;
    }
    case RampWindow::Cosine:
        return std::cos(0.5 * std::numbers::pi * x);
    case RampWindow::Hamming:
        return 0.54 + 0.46 * std::cos(std::numbers::pi * x);
    case RampWindow::Hann:
        return 0.5 + 0.5 * std::cos(std::numbers::pi * x);
    }
    return 1.0;
}

// Frequency response of the discrete band-limited ramp (Kak & Slaney, eq. 3.61) sampled at
// `spacing` (for angular rows times (γ/sin γ)², eq. 3.140), times the spacing (the convolution's
// integration step), times the window; length n/2 + 1.
std::vector<float> rampResponse(std::size_t n, const RampSampling& sampling,
                                const FbpOptions& options)
{
    const double du = sampling.spacing;
    std::vector<double> h(n, 0.0);
    const auto half = static_cast<std::ptrdiff_t>(n / 2);
    for (std::ptrdiff_t k = -half; k < half; ++k) {
        double value = 0.0;
        if (k == 0) {
            value = 1.0 / (4.0 * du * du);
        } else if (k % 2 != 0) {
            const double kk = static_cast<double>(k);
            value = -1.0 / (kk * kk * std::numbers::pi * std::numbers::pi * du * du);
            if (sampling.angular) {
                // (γ/sin γ)² at γ = kΔγ; the caller keeps the padded row under π.
                const double gamma = kk * du;
                const double ratio = gamma / std::sin(gamma);
                value *= ratio * ratio;
            }
        }
        h[static_cast<std::size_t>((k + static_cast<std::ptrdiff_t>(n)) %
                                   static_cast<std::ptrdiff_t>(n))] = value;
    }
    // The kernel is real and even, so its DFT is real: H[m] = Σ h[k] cos(2π k m / n). n is at
    // most a few thousand, so the direct O(n²) sum here is negligible next to the filtering.
    std::vector<float> response(n / 2 + 1);
    for (std::size_t m = 0; m <= n / 2; ++m) {
        double sum = 0.0;
        for (std::size_t k = 0; k < n; ++k) {
            sum += h[k] * std::cos(2.0 * std::numbers::pi * static_cast<double>(k * m % n) /
                                   static_cast<double>(n));
        }
        const double x = (static_cast<double>(m) / static_cast<double>(n / 2)) / options.cutoff;
        const double w = x > 1.0 ? 0.0 : window(options.window, x);
        response[m] = static_cast<float>(sum * du * w);
    }
    return response;
}
} // namespace

std::string_view toString(RampWindow window)
{
    switch (window) {
    case RampWindow::RamLak:
        return "ram-lak";
    case RampWindow::SheppLogan:
        return "shepp-logan";
    case RampWindow::Cosine:
        return "cosine";
    case RampWindow::Hamming:
        return "hamming";
    case RampWindow::Hann:
        return "hann";
    }
    return "unknown";
}

RampWindow parseRampWindow(std::string_view text, std::string_view field)
{
    for (RampWindow w : {RampWindow::RamLak, RampWindow::SheppLogan, RampWindow::Cosine,
                         RampWindow::Hamming, RampWindow::Hann}) {
        if (text == toString(w)) {
            return w;
        }
    }
    throwInvalid(std::string(field), "\"" + std::string(text) + "\"",
                 "accepted: ram-lak, shepp-logan, cosine, hamming, hann");
}

void FbpOptions::validate() const
{
    if (!std::isfinite(cutoff) || cutoff <= 0.0 || cutoff > 1.0) {
        throwInvalid("reconstruction.cutoff", formatValue(cutoff),
                     "must lie in (0, 1] (a fraction of the Nyquist frequency)");
    }
    if (batchViews == 0) {
        throwInvalid("reconstruction.batch_views", "0", "must be at least 1");
    }
    if (!std::isfinite(muWater) || muWater <= 0.0) {
        throwInvalid("reconstruction.mu_water", formatValue(muWater),
                     "must be a positive attenuation in mm^-1 (water at 70 keV: 0.01937)");
    }
}

namespace detail
{
void filterRows(std::span<float> rows, std::size_t rowLength, std::size_t rowCount,
                const RampSampling& sampling, const FbpOptions& options)
{
    options.validate();
    const std::size_t nu = rowLength;
    const std::size_t n = paddedLength(nu);
    if (sampling.angular &&
        static_cast<double>(n / 2) * sampling.spacing >= 0.95 * std::numbers::pi) {
        throwInvalid("detector.columns", std::to_string(nu),
                     "the equiangular ramp needs the padded row (" + std::to_string(n) +
                         " samples of " + formatValue(sampling.spacing) +
                         " rad) to span less than 180 degrees; use fewer or narrower columns");
    }
    const std::vector<float> response = rampResponse(n, sampling, options);

    // One pair of plans, executed on per-thread buffers (FFTW's new-array execute: the buffers
    // come from fftwf_alloc_*, so they share the planning buffers' alignment).
    std::unique_ptr<float, FftwFree> planReal(fftwf_alloc_real(n));
    std::unique_ptr<fftwf_complex, FftwFree> planSpectrum(fftwf_alloc_complex(n / 2 + 1));
    Plan forward;
    Plan inverse;
    {
        const std::lock_guard lock(plannerMutex());
        forward.reset(fftwf_plan_dft_r2c_1d(static_cast<int>(n), planReal.get(), planSpectrum.get(),
                                            FFTW_ESTIMATE));
        inverse.reset(fftwf_plan_dft_c2r_1d(static_cast<int>(n), planSpectrum.get(), planReal.get(),
                                            FFTW_ESTIMATE));
    }
    if (!forward || !inverse) {
        throw Error("FFTW could not plan a transform of length " + std::to_string(n));
    }
    const float scale = 1.0f / static_cast<float>(n); // FFTW's inverse is unnormalised
    float* data = rows.data();
#pragma omp parallel
    {
        std::unique_ptr<float, FftwFree> real(fftwf_alloc_real(n));
        std::unique_ptr<fftwf_complex, FftwFree> spectrum(fftwf_alloc_complex(n / 2 + 1));
#pragma omp for schedule(static)
        for (std::ptrdiff_t r = 0; r < static_cast<std::ptrdiff_t>(rowCount); ++r) {
            float* row = data + static_cast<std::size_t>(r) * nu;
            float* buffer = real.get();
            std::copy_n(row, nu, buffer);
            std::fill(buffer + nu, buffer + n, 0.0f);
            fftwf_execute_dft_r2c(forward.get(), buffer, spectrum.get());
            for (std::size_t m = 0; m <= n / 2; ++m) {
                spectrum.get()[m][0] *= response[m] * scale;
                spectrum.get()[m][1] *= response[m] * scale;
            }
            fftwf_execute_dft_c2r(inverse.get(), spectrum.get(), buffer);
            std::copy_n(buffer, nu, row);
        }
    }
}
} // namespace detail

ProjectionStack rampFilter(const ProjectionStack& projections, const FbpOptions& options)
{
    ProjectionStack out = projections;
    detail::filterRows(out.data(), projections.columns(), projections.views() * projections.rows(),
                       {.spacing = projections.geometry().detector().pixelU}, options);
    return out;
}
} // namespace tomo
