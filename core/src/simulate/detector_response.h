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
} // namespace tomo::detail
