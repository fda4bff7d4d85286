#pragma once

#include <string_view>

namespace tomo
{
/// Linear attenuation coefficient (mm⁻¹) of `compound` (a chemical formula such as "H2O" or
/// "Ca5(PO4)3OH", as xraylib parses them) of `densityGPerCm3` at `energyKeV`: xraylib's total
/// cross-section, coherent scattering included (NIST XCOM's "total with coherent"), times the
/// density. Throws InvalidArgument naming the field for an energy outside 1..1000 keV, a
/// density that is not positive, or a formula xraylib does not parse.
[[nodiscard]] double linearAttenuationPerMm(std::string_view compound, double densityGPerCm3,
                                            double energyKeV);

/// μ of liquid water (1.000 g/cm³) at `energyKeV`, mm⁻¹: the reference for Hounsfield units at
/// an effective energy (0.019288 mm⁻¹ at 70 keV). Throws as linearAttenuationPerMm.
[[nodiscard]] double waterMuPerMm(double energyKeV);
} // namespace tomo
