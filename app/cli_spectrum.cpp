// tomoscope-cli spectrum: the tube spectrum a scene's physics would use, as numbers.
#include "cli_commands.h"
#include "tomo/error.h"
#include "tomo/io.h"
#include "tomo/spectrum.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <string>

namespace tomo::cli
{
int spectrumCommand(const SpectrumOptions& options)
{
    SpectrumSpec spec;
    spec.kvp = options.kvp;
    spec.anodeAngleDeg = options.anodeAngleDeg;
    spec.binKeV = options.binKeV;
    if (!options.filters.empty()) {
        spec.filtration.clear();
    }
    for (const std::string& f : options.filters) {
        const std::size_t colon = f.rfind(':');
        double thickness = -1.0;
        try {
            thickness = colon == std::string::npos ? -1.0 : std::stod(f.substr(colon + 1));
        } catch (const std::exception&) {
            thickness = -1.0;
        }
        if (!(thickness >= 0.0)) {
            throwInvalid("--filter", "\"" + f + "\"",
                         "MATERIAL:MM, e.g. aluminium:2.5 or copper:0.1");
        }
        spec.filtration.push_back({findMaterial(f.substr(0, colon), "--filter"), thickness});
    }
    const Spectrum s = makeSpectrum(spec);
    const Material al = findMaterial("aluminium");
    const Material cu = findMaterial("copper");
    if (!options.output.empty()) {
        std::string csv = "energy_kev,photon_fraction\n";
        for (std::size_t i = 0; i < s.energyKeV.size(); ++i) {
            csv += formatValue(s.energyKeV[i]) + "," + formatValue(s.fraction[i]) + "\n";
        }
        writeTextFile(options.output, csv);
    }
    if (options.json) {
        nlohmann::json filters = nlohmann::json::array();
        for (const Filter& f : spec.filtration) {
            filters.push_back({{"material", f.material.name}, {"thickness_mm", f.thicknessMm}});
        }
        const nlohmann::json out = {{"kvp", spec.kvp},
                                    {"anode_angle_deg", spec.anodeAngleDeg},
                                    {"bin_kev", spec.binKeV},
                                    {"filtration", filters},
                                    {"mean_energy_kev", s.meanEnergyKeV()},
                                    {"hvl_mm_aluminium", s.halfValueLayerMm(al)},
                                    {"hvl_mm_copper", s.halfValueLayerMm(cu)},
                                    {"energy_kev", s.energyKeV},
                                    {"photon_fraction", s.fraction},
                                    {"output", options.output.empty()
                                                   ? nlohmann::json(nullptr)
                                                   : nlohmann::json(options.output)}};
        std::printf("%s\n", out.dump(2).c_str());
        return kExitSuccess;
    }
    std::printf("%g kVp, %g degree tungsten anode, %zu bins of %g keV\n", spec.kvp,
                spec.anodeAngleDeg, s.energyKeV.size(), spec.binKeV);
    std::printf("filtration:");
    for (const Filter& f : spec.filtration) {
        std::printf(" %s %g mm", f.material.name.c_str(), f.thicknessMm);
    }
    std::printf("\nmean energy %.2f keV; first half-value layer %.3f mm Al, %.4f mm Cu\n",
                s.meanEnergyKeV(), s.halfValueLayerMm(al), s.halfValueLayerMm(cu));
    if (!options.output.empty()) {
        std::printf("wrote %s\n", options.output.c_str());
    }
    return kExitSuccess;
}
} // namespace tomo::cli
