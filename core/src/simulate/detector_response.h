#pragma once

#include "tomo/simulate.h"

namespace tomo::detail
{
/// Fraction of photons of `energyKeV` the detector absorbs: 1 for the ideal detector, else
/// 1 − exp(−μ·thickness) of its scintillator.
[[nodiscard]] double detectorEfficiency(const DetectorResponse& detector, double energyKeV);

/// The weight of a photon of `energyKeV` in a reading: its efficiency, times its energy for an
/// energy-integrating detector.
[[nodiscard]] double signalWeight(const DetectorResponse& detector, double energyKeV);
/// The water thickness (mm) whose line integral under `spectrum` and `detector` reaches
/// `lineIntegral`: 100 mm, or the first of 100·1.5ᵏ mm that does (at most about 5 m), the range
/// a water correction must cover for data up to that line integral.
[[nodiscard]] double waterThicknessReaching(const Spectrum& spectrum,
                                            const DetectorResponse& detector, double lineIntegral);
} // namespace tomo::detail
