#pragma once

#include "tomo/recon.h"

#include <cstddef>
#include <memory>
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

/// A ramp filter for rows of one length and sampling: the frequency response and FFTW's plans
/// made once, applied to any number of batches of rows.
class RampFilter
{
public:
    /// Throws InvalidArgument for options out of range, or an equiangular row that with its
    /// padding spans 180 degrees or more.
    RampFilter(std::size_t rowLength, const RampSampling& sampling, const FbpOptions& options);
    ~RampFilter();
    RampFilter(const RampFilter&) = delete;
    RampFilter& operator=(const RampFilter&) = delete;

    /// Filters `rowCount` rows in place (rows in parallel).
    void apply(std::span<float> rows, std::size_t rowCount) const;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

/// Ramp-filters `rowCount` rows of `rowLength` samples in place (FFTW, zero padding to at least
/// twice the row, rows in parallel). Output = (row ⊛ kernel)·spacing, the convolution integral.
void filterRows(std::span<float> rows, std::size_t rowLength, std::size_t rowCount,
                const RampSampling& sampling, const FbpOptions& options);
} // namespace tomo::detail
