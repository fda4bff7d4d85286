#pragma once

#include <limits>
#include <string>
#include <string_view>
#include <vector>

namespace tomo
{
/// A material for X-ray transport: a composition xraylib knows (a chemical formula such as "H2O"
/// or "Al", or a NIST compound name such as "Bone, Cortical (ICRP)") at a mass density.
/// Attenuation always comes from xraylib (NIST XCOM data), never from a typed table.
struct Material
{
    std::string name;            ///< "water", "cortical-bone", or the formula of a custom one
    std::string compound;        ///< what xraylib is asked for
    double densityGPerCm3 = 1.0; ///< nominal mass density

    friend bool operator==(const Material&, const Material&) = default;
};

/// The named materials, with NIST compositions and ICRP/ICRU densities:
/// air, lung (inflated, 0.26 g/cm³), adipose, water, soft-tissue, brain, blood, muscle,
/// cortical-bone, pmma, aluminium, titanium, iron, copper, tungsten, caesium-iodide,
/// gadolinium-oxysulfide. docs/physics.md lists them with their sources.
[[nodiscard]] const std::vector<Material>& materialLibrary();

/// The library material called `name`, or a custom one: a formula xraylib parses followed by
/// its density, "Ca5(PO4)3OH@3.16" (g/cm³). Throws InvalidArgument naming `field` and listing
/// the library's names for anything else.
[[nodiscard]] Material findMaterial(std::string_view name, std::string_view field = "material");

/// μ (mm⁻¹) of `material` at its nominal density at `energyKeV` (xraylib, coherent scattering
/// included). Throws as linearAttenuationPerMm.
[[nodiscard]] double muPerMm(const Material& material, double energyKeV);

/// One band of a HU → material map: voxels with HU below `belowHu` (and at or above the
/// previous band's bound) are `material`. The last band's bound is +∞.
struct MaterialBand
{
    Material material;
    double belowHu = std::numeric_limits<double>::infinity();

    friend bool operator==(const MaterialBand&, const MaterialBand&) = default;
};

/// How a μ volume (the attenuation at a reference energy, what phantoms and reconstructions
/// hold) becomes materials: each voxel's HU at the reference energy picks its band, and its
/// density is scaled so that its μ at the reference energy is the voxel's value (the density
/// calibration of Schneider et al. 1996, in its simplest, one-material-per-band form). So every
/// map reproduces the volume exactly at the reference energy, and differs from it elsewhere as
/// the materials' spectra do.
struct MaterialMap
{
    double referenceKeV = 70.0;
    std::vector<MaterialBand> bands;

    /// Throws InvalidArgument naming "materials.bands[i].below_hu" for bounds that do not
    /// increase or a last band that is not open (+∞), and for an empty map or an energy outside
    /// 1..1000 keV.
    void validate() const;

    friend bool operator==(const MaterialMap&, const MaterialMap&) = default;
};

/// air below −850 HU, lung below −400, adipose below −50, water below 300, cortical-bone below
/// 2500, titanium above: a map for phantoms and patient CT alike, at 70 keV.
[[nodiscard]] MaterialMap defaultMaterialMap();
} // namespace tomo
