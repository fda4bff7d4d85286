#pragma once

#include "tomo/compute.h"
#include "tomo/projections.h"
#include "tomo/run_context.h"
#include "tomo/volume.h"

#include <string_view>

namespace tomo
{
/// Apodisation of the ramp filter in the frequency domain.
enum class RampWindow
{
    RamLak,     ///< plain ramp |ω|
    SheppLogan, ///< |ω|·sinc(ω / 2ω_c)
    Cosine,     ///< |ω|·cos(π ω / 2ω_c)
    Hamming,    ///< |ω|·(0.54 + 0.46 cos(π ω / ω_c))
    Hann,       ///< |ω|·(0.5 + 0.5 cos(π ω / ω_c))
};

[[nodiscard]] std::string_view toString(RampWindow window);
/// Parses "ram-lak", "shepp-logan", "cosine", "hamming", "hann"; throws InvalidArgument naming
/// `field` otherwise.
[[nodiscard]] RampWindow parseRampWindow(std::string_view text, std::string_view field = "filter");

struct FbpOptions
{
    RampWindow window = RampWindow::RamLak;
    /// Cut-off as a fraction of the Nyquist frequency 1/(2·du), in (0, 1].
    double cutoff = 1.0;
    /// Views per backprojection batch; a preview is published after each.
    std::size_t batchViews = 32;

    /// Throws InvalidArgument listing every field out of range.
    void validate() const;
};

/// Ramp-filters every detector row of every view (FFTW, zero padding to at least twice the
/// row length so the circular convolution equals the linear one). The discrete kernel is the
/// band-limited ramp of Kak & Slaney (eq. 3.61), so a constant row filters to zero mean; output
/// values carry the 1/du of the ramp, ready for backprojection with weight Δθ.
[[nodiscard]] ProjectionStack rampFilter(const ProjectionStack& projections,
                                         const FbpOptions& options);

/// Throws InvalidArgument, as reconstructFbp2D would, if 2D FBP cannot reconstruct `geometry` on
/// `grid`; lets a pipeline refuse before it simulates anything.
void checkFbp2D(const Geometry& geometry, const VolumeGrid& grid);

/// Filtered backprojection for a 2D parallel-beam scan covering π or 2π (equally spaced views),
/// on the backend of `compute`. Output μ in mm⁻¹ if the projections are ∫μ dl with lengths in
/// mm. Publishes the partial image after each batch of views.
/// Throws InvalidArgument if the geometry is not 2D parallel, its angular coverage is neither π
/// nor 2π, or the grid is not 2D; Cancelled between batches.
[[nodiscard]] Volume reconstructFbp2D(const ProjectionStack& projections, const VolumeGrid& grid,
                                      const FbpOptions& options, ComputeContext& compute,
                                      RunContext& ctx);
} // namespace tomo
