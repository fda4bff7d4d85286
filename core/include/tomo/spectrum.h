#pragma once

#include "tomo/materials.h"

#include <string>
#include <vector>

namespace tomo
{
/// A slab in the beam: tube window, added filter, or the patient table.
struct Filter
{
    Material material;
    double thicknessMm = 0.0;

    friend bool operator==(const Filter&, const Filter&) = default;
};

/// An X-ray source spectrum, described the way a scanner's console describes it.
/// kvp = 0 means monochromatic at energyKeV (a synchrotron, or the textbook model).
struct SpectrumSpec
{
    double kvp = 0.0;            ///< tube voltage, kV; 0 for a monochromatic beam
    double energyKeV = 70.0;     ///< the monochromatic energy (kvp = 0 only)
    double anodeAngleDeg = 12.0; ///< tungsten anode (target) angle
    /// Total filtration: IEC 60601-1-3 asks for at least 2.5 mm Al equivalent above 70 kV.
    std::vector<Filter> filtration{Filter{Material{"aluminium", "Al", 2.699}, 2.5}};
    double binKeV = 1.0; ///< width of the energy bins of a polychromatic spectrum

    [[nodiscard]] bool isMonochromatic() const { return kvp == 0.0; }

    /// Throws InvalidArgument naming "spectrum.kvp" (accepted 20..150 kV, the range of the
    /// tungsten-anode model), "spectrum.energy_kev" (1..1000), "spectrum.anode_angle_deg"
    /// (1..45), "spectrum.bin_kev" (0.1..10) or "spectrum.filtration[i].thickness_mm" (≥ 0).
    void validate() const;

    friend bool operator==(const SpectrumSpec&, const SpectrumSpec&) = default;
};

/// Photon fluence per energy bin, normalised to a sum of 1 (a probability per photon).
struct Spectrum
{
    std::vector<double> energyKeV; ///< bin centres, increasing
    std::vector<double> fraction;  ///< photons in each bin / all photons

    [[nodiscard]] double meanEnergyKeV() const;
    /// Thickness (mm) of `material` that halves the air kerma, Σ fraction·E·(μen/ρ)_air(E)
    /// with xraylib's mass energy-absorption coefficients (the first half-value layer).
    [[nodiscard]] double halfValueLayerMm(const Material& material) const;
};

/// The tungsten-anode tube spectrum of `spec` leaving the tube (filtration applied):
/// - bremsstrahlung after Kramers (1923): photons per keV ∝ Z·(E₀ − E)/E below E₀ = kvp;
/// - self-absorption in the anode: photons of energy E are made by electrons still faster than
///   E, which by the Thomson–Whiddington law reach depths up to R·(1 − (E/E₀)²), R the electron
///   range; produced evenly over that depth, they leave through d / sin(anode angle) of
///   tungsten (the model of Birch and Marshall 1979 in its simplest form);
/// - tungsten K lines above the K edge (energies and relative rates from xraylib), with a yield
///   ∝ (U − 1)^1.63, U = E₀ / E_K (Green and Cosslett 1968);
/// - the filtration, each slab by Beer–Lambert with xraylib's μ.
/// A monochromatic spec gives one bin of fraction 1. Throws as SpectrumSpec::validate.
/// The model is for teaching and artefact studies, not for dosimetry: docs/physics.md gives its
/// mean energies and half-value layers.
[[nodiscard]] Spectrum makeSpectrum(const SpectrumSpec& spec);
} // namespace tomo
