#pragma once

#include "tomo/recon.h"

#include <cstddef>
#include <span>

namespace tomo::detail
{
/// The sampling of the detector rows a ramp filter runs along.
struct RampSampling
{
    /// Sample spacing: mm for linear rows, radians for angular (equiangular) ones.
    double spacing = 1.0;
    /// Equiangular rows (fan-beam FBP and FDK on a detector curved about the source): the
    /// kernel is (γ/sin γ)²·h(γ), Kak & Slaney eq. 3.140 without its factor ½.
    bool angular = false;
};

/// Ramp-filters `rowCount` rows of `rowLength` samples in place (FFTW, zero padding to at least
/// twice the row, rows in parallel). Output = (row ⊛ kernel)·spacing, the convolution integral.
void filterRows(std::span<float> rows, std::size_t rowLength, std::size_t rowCount,
                const RampSampling& sampling, const FbpOptions& options);
} // namespace tomo::detail
