#include "tomo/attenuation.h"

#include "tomo/error.h"

#include <cmath>
#include <memory>
#include <string>
#include <xraylib.h>

namespace tomo
{
namespace
{
// xraylib's cross-sections span 0.1 keV..100 MeV; X-ray CT lives well inside 1..1000 keV and
// outside it a typo (eV for keV) is likelier than intent.
constexpr double kMinEnergyKeV = 1.0;
constexpr double kMaxEnergyKeV = 1000.0;
} // namespace

double linearAttenuationPerMm(std::string_view compound, double densityGPerCm3, double energyKeV)
{
    if (!std::isfinite(energyKeV) || energyKeV < kMinEnergyKeV || energyKeV > kMaxEnergyKeV) {
        throwInvalid("energy (keV)", formatValue(energyKeV),
                     "an effective photon energy from 1 to 1000 keV (70 for a 120 kVp CT)");
    }
    if (!std::isfinite(densityGPerCm3) || densityGPerCm3 <= 0.0) {
        throwInvalid("density (g/cm^3)", formatValue(densityGPerCm3),
                     "a mass density above 0 (water: 1.0)");
    }
    const std::string formula(compound);
    xrl_error* error = nullptr;
    const double perGram = CS_Total_CP(formula.c_str(), energyKeV, &error);
    if (error != nullptr) {
        const std::string message = error->message;
        xrl_error_free(error);
        throwInvalid("compound", "\"" + formula + "\"",
                     "a chemical formula xraylib parses, e.g. H2O or Ca5(PO4)3OH (" + message +
                         ")");
    }
    // cm²/g · g/cm³ = cm⁻¹; a tenth of that per mm.
    return perGram * densityGPerCm3 / 10.0;
}

double waterMuPerMm(double energyKeV)
{
    return linearAttenuationPerMm("H2O", 1.0, energyKeV);
}
} // namespace tomo
