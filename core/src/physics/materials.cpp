#include "tomo/materials.h"

#include "tomo/attenuation.h"
#include "tomo/error.h"

#include <cmath>
#include <string>

namespace tomo
{
namespace
{
// Each voxel's band is held in a byte while an object is split.
constexpr std::size_t kMaxBands = 255;

// Compositions are xraylib's copy of the NIST material list (Hubbell & Seltzer, NISTIR 5632);
// densities are that list's, except inflated lung, which ICRU Report 44 gives as 0.26 g/cm³
// (the NIST "Lung (ICRP)" entry is the tissue itself, 1.05 g/cm³).
std::vector<Material> makeLibrary()
{
    return {
        {"air", "Air, Dry (near sea level)", 0.001205},
        {"lung", "Lung (ICRP)", 0.26},
        {"adipose", "Adipose Tissue (ICRP)", 0.92},
        {"water", "Water, Liquid", 1.0},
        {"soft-tissue", "Tissue, Soft (ICRP)", 1.03},
        {"brain", "Brain (ICRP)", 1.03},
        {"blood", "Blood (ICRP)", 1.06},
        {"muscle", "Muscle, Skeletal", 1.04},
        {"cortical-bone", "Bone, Cortical (ICRP)", 1.85},
        {"pmma", "Polymethyl Methacralate (Lucite, Perspex)", 1.19},
        {"aluminium", "Al", 2.699},
        {"titanium", "Ti", 4.506},
        {"iron", "Fe", 7.874},
        {"copper", "Cu", 8.96},
        {"tungsten", "W", 19.3},
        {"caesium-iodide", "Cesium Iodide", 4.51},
        {"gadolinium-oxysulfide", "Gadolinium Oxysulfide", 7.44},
    };
}

std::string libraryNames()
{
    std::string names;
    for (const Material& m : materialLibrary()) {
        names += (names.empty() ? "" : ", ") + m.name;
    }
    return names;
}
} // namespace

const std::vector<Material>& materialLibrary()
{
    static const std::vector<Material> library = makeLibrary();
    return library;
}

Material findMaterial(std::string_view name, std::string_view field)
{
    for (const Material& m : materialLibrary()) {
        if (m.name == name) {
            return m;
        }
    }
    const std::string text(name);
    const std::string accepted =
        "a material name (" + libraryNames() +
        ") or a formula with its density in g/cm^3 after '@', such as Ca5(PO4)3OH@3.16";
    const std::size_t at = text.rfind('@');
    if (at == std::string::npos || at == 0) {
        throwInvalid(std::string(field), "\"" + text + "\"", accepted);
    }
    Material custom{text, text.substr(0, at), 0.0};
    try {
        std::size_t used = 0;
        custom.densityGPerCm3 = std::stod(text.substr(at + 1), &used);
        if (used != text.size() - at - 1) {
            throw std::invalid_argument("trailing text");
        }
    } catch (const std::exception&) {
        throwInvalid(std::string(field), "\"" + text + "\"", accepted);
    }
    // Checks the formula and the density (through xraylib) once, here, with this field's name.
    try {
        (void)muPerMm(custom, 70.0);
    } catch (const InvalidArgument& e) {
        throwInvalid(std::string(field), "\"" + text + "\"", accepted + "; " + e.what());
    }
    return custom;
}

double muPerMm(const Material& material, double energyKeV)
{
    return linearAttenuationPerMm(material.compound, material.densityGPerCm3, energyKeV);
}

void MaterialMap::validate() const
{
    if (!std::isfinite(referenceKeV) || referenceKeV < 1.0 || referenceKeV > 1000.0) {
        throwInvalid("materials.reference_energy_kev", formatValue(referenceKeV),
                     "the energy (1..1000 keV) at which the object's μ values hold; 70 for CT");
    }
    if (bands.empty()) {
        throwInvalid("materials.bands", "[]", "at least one band, the last without below_hu");
    }
    if (bands.size() > kMaxBands) {
        throwInvalid("materials.bands", std::to_string(bands.size()) + " bands",
                     "at most " + std::to_string(kMaxBands) + " bands");
    }
    for (std::size_t i = 0; i < bands.size(); ++i) {
        const std::string where = "materials.bands[" + std::to_string(i) + "].below_hu";
        const double bound = bands[i].belowHu;
        const bool last = i + 1 == bands.size();
        if (last && !std::isinf(bound)) {
            throwInvalid(where, formatValue(bound),
                         "none: the last band takes every HU above the one before it");
        }
        if (!last && !std::isfinite(bound)) {
            throwInvalid(where, formatValue(bound), "a finite bound for every band but the last");
        }
        if (i > 0 && !(bound > bands[i - 1].belowHu)) {
            throwInvalid(where, formatValue(bound),
                         "a bound above the previous band's " + formatValue(bands[i - 1].belowHu));
        }
    }
}

MaterialMap defaultMaterialMap()
{
    MaterialMap map;
    map.bands = {
        {findMaterial("air"), -850.0},           {findMaterial("lung"), -400.0},
        {findMaterial("adipose"), -50.0},        {findMaterial("water"), 300.0},
        {findMaterial("cortical-bone"), 2500.0}, {findMaterial("titanium")},
    };
    return map;
}
} // namespace tomo
