#include "scene/scene_physics.h"

#include "tomo/error.h"

#include <cmath>
#include <numbers>
#include <string>

namespace tomo::detail
{
namespace
{
constexpr double kDegree = std::numbers::pi / 180.0;

const Json& array(JsonReader& reader, const std::string& key)
{
    const Json& v = reader.raw(key);
    if (!v.is_array()) {
        throwInvalid(reader.where(key), v.dump(), "must be an array");
    }
    return v;
}

SpectrumSpec readSpectrum(JsonReader& r)
{
    SpectrumSpec s;
    s.kvp = r.number("kvp", s.kvp);
    s.energyKeV = r.number("energy_kev", s.energyKeV);
    s.anodeAngleDeg = r.number("anode_angle_deg", s.anodeAngleDeg);
    s.binKeV = r.number("bin_kev", s.binKeV);
    if (r.has("filtration")) {
        const Json& list = array(r, "filtration");
        s.filtration.clear();
        for (std::size_t i = 0; i < list.size(); ++i) {
            JsonReader f(list[i], r.where("filtration") + "[" + std::to_string(i) + "]");
            Filter filter;
            filter.material = findMaterial(f.text("material", ""), f.where("material"));
            filter.thicknessMm = f.number("thickness_mm", -1.0);
            f.finish();
            s.filtration.push_back(filter);
        }
    }
    r.finish();
    return s;
}

MaterialMap readMaterials(JsonReader& r)
{
    MaterialMap m = defaultMaterialMap();
    m.referenceKeV = r.number("reference_energy_kev", m.referenceKeV);
    if (r.has("bands")) {
        const Json& list = array(r, "bands");
        m.bands.clear();
        for (std::size_t i = 0; i < list.size(); ++i) {
            JsonReader b(list[i], r.where("bands") + "[" + std::to_string(i) + "]");
            MaterialBand band;
            band.material = findMaterial(b.text("material", ""), b.where("material"));
            if (b.has("below_hu")) {
                band.belowHu = b.number("below_hu", 0.0);
            }
            b.finish();
            m.bands.push_back(band);
        }
    }
    r.finish();
    return m;
}
} // namespace

PhysicsSpec readPhysics(JsonReader& sim)
{
    PhysicsSpec p;
    p.seed = sim.count("seed", p.seed);
    if (sim.has("spectrum")) {
        JsonReader r = sim.child("spectrum");
        p.spectrum = readSpectrum(r);
    }
    if (sim.has("materials")) {
        JsonReader r = sim.child("materials");
        p.materials = readMaterials(r);
    }
    if (sim.has("detector")) {
        JsonReader r = sim.child("detector");
        p.detector.mode = parseDetectorMode(r.text("mode", "ideal"), r.where("mode"));
        p.detector.scintillator = findMaterial(r.text("scintillator", p.detector.scintillator.name),
                                               r.where("scintillator"));
        p.detector.thicknessMm = r.number("thickness_mm", p.detector.thicknessMm);
        p.detector.blurSigmaPx = r.number("blur_px", p.detector.blurSigmaPx);
        r.finish();
    }
    p.photonsPerPixel = sim.number("photons_per_pixel", p.photonsPerPixel);
    p.electronicNoise = sim.number("electronic_noise", p.electronicNoise);
    p.darkCurrent = sim.number("dark_current", p.darkCurrent);
    p.focalSpotMm = sim.number("focal_spot_mm", p.focalSpotMm);
    p.lag = sim.number("lag", p.lag);
    if (sim.has("scatter")) {
        JsonReader r = sim.child("scatter");
        p.scatter.spr = r.number("spr", p.scatter.spr);
        p.scatter.sigmaMm = r.number("sigma_mm", p.scatter.sigmaMm);
        r.finish();
    }
    if (sim.has("rings")) {
        JsonReader r = sim.child("rings");
        p.rings.gainSigma = r.number("gain_sigma", p.rings.gainSigma);
        p.rings.deadFraction = r.number("dead_fraction", p.rings.deadFraction);
        r.finish();
    }
    if (sim.has("motion")) {
        JsonReader r = sim.child("motion");
        const auto t = r.triple<double>(
            "translation_mm", {0.0, 0.0, 0.0},
            [](const Json& v, const std::string& path) { return JsonReader::toNumber(v, path); });
        p.motion.translationMm = {t[0], t[1], t[2]};
        p.motion.rotationRad = r.number("rotation_deg", 0.0) * kDegree;
        p.motion.cycles = r.number("cycles", p.motion.cycles);
        p.motion.profile = parseMotionProfile(r.text("profile", "sine"), r.where("profile"));
        r.finish();
    }
    if (sim.has("corrections")) {
        JsonReader r = sim.child("corrections");
        CorrectionSpec& c = p.corrections;
        c.waterBeamHardening = r.boolean("water_beam_hardening", c.waterBeamHardening);
        c.waterPolynomialDegree = r.count("water_polynomial_degree", c.waterPolynomialDegree);
        c.ringRemoval = r.boolean("ring_removal", c.ringRemoval);
        c.ringFilterWidth = r.count("ring_filter_width", c.ringFilterWidth);
        r.finish();
    }
    return p;
}

void writePhysics(const PhysicsSpec& p, Json& sim)
{
    sim["seed"] = p.seed;
    Json filtration = Json::array();
    for (const Filter& f : p.spectrum.filtration) {
        filtration.push_back({{"material", f.material.name}, {"thickness_mm", f.thicknessMm}});
    }
    sim["spectrum"] = {{"kvp", p.spectrum.kvp},
                       {"energy_kev", p.spectrum.energyKeV},
                       {"anode_angle_deg", p.spectrum.anodeAngleDeg},
                       {"bin_kev", p.spectrum.binKeV},
                       {"filtration", filtration}};
    Json bands = Json::array();
    for (const MaterialBand& b : p.materials.bands) {
        Json band = {{"material", b.material.name}};
        if (std::isfinite(b.belowHu)) {
            band["below_hu"] = b.belowHu;
        }
        bands.push_back(band);
    }
    sim["materials"] = {{"reference_energy_kev", p.materials.referenceKeV}, {"bands", bands}};
    sim["detector"] = {{"mode", std::string(toString(p.detector.mode))},
                       {"scintillator", p.detector.scintillator.name},
                       {"thickness_mm", p.detector.thicknessMm},
                       {"blur_px", p.detector.blurSigmaPx}};
    sim["photons_per_pixel"] = p.photonsPerPixel;
    sim["electronic_noise"] = p.electronicNoise;
    sim["dark_current"] = p.darkCurrent;
    sim["focal_spot_mm"] = p.focalSpotMm;
    sim["lag"] = p.lag;
    sim["scatter"] = {{"spr", p.scatter.spr}, {"sigma_mm", p.scatter.sigmaMm}};
    sim["rings"] = {{"gain_sigma", p.rings.gainSigma}, {"dead_fraction", p.rings.deadFraction}};
    sim["motion"] = {
        {"translation_mm", Json::array({p.motion.translationMm.x, p.motion.translationMm.y,
                                        p.motion.translationMm.z})},
        {"rotation_deg", p.motion.rotationRad / kDegree},
        {"cycles", p.motion.cycles},
        {"profile", std::string(toString(p.motion.profile))}};
    sim["corrections"] = {{"water_beam_hardening", p.corrections.waterBeamHardening},
                          {"water_polynomial_degree", p.corrections.waterPolynomialDegree},
                          {"ring_removal", p.corrections.ringRemoval},
                          {"ring_filter_width", p.corrections.ringFilterWidth}};
}
} // namespace tomo::detail
