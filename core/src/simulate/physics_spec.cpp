#include "tomo/error.h"
#include "tomo/simulate.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <string>

namespace tomo
{
std::string_view toString(DetectorMode mode)
{
    switch (mode) {
    case DetectorMode::Ideal:
        return "ideal";
    case DetectorMode::Counting:
        return "counting";
    case DetectorMode::Integrating:
        return "integrating";
    }
    return "ideal";
}

DetectorMode parseDetectorMode(std::string_view text, std::string_view field)
{
    for (DetectorMode m :
         {DetectorMode::Ideal, DetectorMode::Counting, DetectorMode::Integrating}) {
        if (text == toString(m)) {
            return m;
        }
    }
    throwInvalid(std::string(field), "\"" + std::string(text) + "\"",
                 "accepted: ideal, counting, integrating");
}

std::string_view toString(MotionProfile profile)
{
    switch (profile) {
    case MotionProfile::Sine:
        return "sine";
    case MotionProfile::Linear:
        return "linear";
    case MotionProfile::Step:
        return "step";
    }
    return "sine";
}

MotionProfile parseMotionProfile(std::string_view text, std::string_view field)
{
    for (MotionProfile p : {MotionProfile::Sine, MotionProfile::Linear, MotionProfile::Step}) {
        if (text == toString(p)) {
            return p;
        }
    }
    throwInvalid(std::string(field), "\"" + std::string(text) + "\"",
                 "accepted: sine, linear, step");
}

bool PhysicsSpec::isIdeal() const
{
    return !needsMaterials() && detector.mode == DetectorMode::Ideal &&
           detector.blurSigmaPx == 0.0 && photonsPerPixel == 0.0 && electronicNoise == 0.0 &&
           darkCurrent == 0.0 && focalSpotMm == 0.0 && scatter.spr == 0.0 &&
           rings.gainSigma == 0.0 && rings.deadFraction == 0.0 && rings.gainMap.empty() &&
           !motion.active() && lag == 0.0 && !corrections.waterBeamHardening &&
           !corrections.ringRemoval;
}

std::vector<PhysicsEffect> activeEffects(const PhysicsSpec& p)
{
    std::vector<PhysicsEffect> on;
    if (p.needsMaterials()) {
        on.push_back({"spectrum", "polychromatic spectrum (beam hardening)"});
    }
    if (p.photonsPerPixel > 0.0 || p.electronicNoise > 0.0 || p.darkCurrent > 0.0) {
        on.push_back({"noise", "noise (quantum, read-out, dark current)"});
    }
    if (p.scatter.spr > 0.0) {
        on.push_back({"scatter", "scatter"});
    }
    if (p.rings.gainSigma > 0.0 || p.rings.deadFraction > 0.0 || !p.rings.gainMap.empty()) {
        on.push_back({"rings", "detector gain errors (rings)"});
    }
    if (p.motion.active()) {
        on.push_back({"motion", "object motion"});
    }
    if (p.focalSpotMm > 0.0) {
        on.push_back({"focal-spot", "focal spot blur"});
    }
    if (p.lag > 0.0) {
        on.push_back({"lag", "detector lag"});
    }
    if (p.detector != DetectorResponse{}) {
        on.push_back({"detector", "detector response (efficiency, light spread)"});
    }
    return on;
}

PhysicsSpec withoutEffect(PhysicsSpec p, std::string_view key)
{
    if (key == "spectrum") {
        p.spectrum.kvp = 0.0;
        p.spectrum.energyKeV = p.materials.referenceKeV;
    } else if (key == "noise") {
        p.photonsPerPixel = 0.0;
        p.electronicNoise = 0.0;
        p.darkCurrent = 0.0;
    } else if (key == "scatter") {
        p.scatter.spr = 0.0;
    } else if (key == "rings") {
        p.rings = RingSpec{};
    } else if (key == "motion") {
        p.motion = MotionSpec{};
    } else if (key == "focal-spot") {
        p.focalSpotMm = 0.0;
    } else if (key == "lag") {
        p.lag = 0.0;
    } else if (key == "detector") {
        p.detector = DetectorResponse{};
    } else {
        throwInvalid("effect", "\"" + std::string(key) + "\"",
                     "accepted: spectrum, noise, scatter, rings, motion, focal-spot, lag, "
                     "detector");
    }
    return p;
}

bool PhysicsSpec::needsMaterials() const
{
    return !spectrum.isMonochromatic() || spectrum.energyKeV != materials.referenceKeV;
}

namespace
{
void checkRange(std::string_view field, double value, double lo, double hi,
                const std::string& accepted)
{
    if (!std::isfinite(value) || value < lo || value > hi) {
        throwInvalid(std::string(field), formatValue(value), accepted);
    }
}
} // namespace

void PhysicsSpec::validate() const
{
    spectrum.validate();
    materials.validate();
    checkRange("simulation.detector.thickness_mm", detector.thicknessMm, 1e-3, 100.0,
               "a scintillator thickness from 0.001 to 100 mm");
    checkRange("simulation.detector.blur_px", detector.blurSigmaPx, 0.0, 50.0,
               "a Gaussian sigma from 0 to 50 pixels");
    checkRange("simulation.photons_per_pixel", photonsPerPixel, 0.0, 1e12,
               "photons per pixel per view in the open beam (1e3 low dose .. 1e6), or 0 for no "
               "quantum noise");
    checkRange("simulation.electronic_noise", electronicNoise, 0.0, 1e9,
               "a read-noise standard deviation of 0 or more (photon units)");
    checkRange("simulation.dark_current", darkCurrent, 0.0, 1e9,
               "a dark reading of 0 or more (photon units)");
    if ((electronicNoise > 0.0 || darkCurrent > 0.0) && photonsPerPixel == 0.0) {
        throwInvalid("simulation.photons_per_pixel", "0",
                     "a photon count above 0: electronic noise and dark current are given in "
                     "photons, so they need the open-beam count to compare with");
    }
    checkRange("simulation.focal_spot_mm", focalSpotMm, 0.0, 10.0,
               "a focal spot size (FWHM) from 0 to 10 mm");
    checkRange("simulation.scatter.spr", scatter.spr, 0.0, 20.0,
               "a scatter-to-primary ratio from 0 to 20");
    checkRange("simulation.scatter.sigma_mm", scatter.sigmaMm, 1e-3, 1e4,
               "a kernel width above 0 mm (tens of mm for a patient)");
    checkRange("simulation.rings.gain_sigma", rings.gainSigma, 0.0, 0.5,
               "a gain spread from 0 to 0.5 (0.005 gives faint rings)");
    checkRange("simulation.rings.dead_fraction", rings.deadFraction, 0.0, 0.5,
               "a fraction of dead pixels from 0 to 0.5");
    checkRange("simulation.motion.translation_mm[0]", motion.translationMm.x, -1e3, 1e3,
               "a translation amplitude within ±1000 mm");
    checkRange("simulation.motion.translation_mm[1]", motion.translationMm.y, -1e3, 1e3,
               "a translation amplitude within ±1000 mm");
    checkRange("simulation.motion.translation_mm[2]", motion.translationMm.z, -1e3, 1e3,
               "a translation amplitude within ±1000 mm");
    // The file gives degrees: the value is checked and named in degrees too.
    checkRange("simulation.motion.rotation_deg", motion.rotationRad * 180.0 / std::numbers::pi,
               -360.0, 360.0, "a rotation amplitude within ±360 degrees");
    checkRange("simulation.motion.cycles", motion.cycles, 0.0, 1e4, "a cycle count of 0 or more");
    checkRange("simulation.lag", lag, 0.0, 0.9,
               "the fraction of a view's signal left in the next, from 0 to 0.9");
    if (corrections.waterPolynomialDegree == 0 || corrections.waterPolynomialDegree > 8) {
        throwInvalid("simulation.corrections.water_polynomial_degree",
                     std::to_string(corrections.waterPolynomialDegree), "a degree from 1 to 8");
    }
    if (corrections.ringFilterWidth < 3 || corrections.ringFilterWidth % 2 == 0) {
        throwInvalid("simulation.corrections.ring_filter_width",
                     std::to_string(corrections.ringFilterWidth),
                     "an odd number of columns, 3 or more");
    }
}

Geometry applyMotion(const Geometry& geometry, const MotionSpec& motion)
{
    if (!motion.active()) {
        return geometry;
    }
    if (is2D(geometry.beam()) && motion.translationMm.z != 0.0) {
        throwInvalid("simulation.motion.translation_mm[2]", formatValue(motion.translationMm.z),
                     "0 for a 2D beam: its rays stay in the plane z = 0");
    }
    constexpr double kPi = 3.14159265358979323846;
    const std::size_t views = geometry.viewCount();
    std::vector<ViewPose> poses(geometry.poses().begin(), geometry.poses().end());
    const bool parallel =
        geometry.beam() == BeamType::Parallel2D || geometry.beam() == BeamType::Parallel3D;
    for (std::size_t k = 0; k < views; ++k) {
        const double t = static_cast<double>(k) / static_cast<double>(views);
        double offset = 0.0;
        switch (motion.profile) {
        case MotionProfile::Sine:
            offset = std::sin(2.0 * kPi * motion.cycles * t);
            break;
        case MotionProfile::Linear:
            offset = t;
            break;
        case MotionProfile::Step:
            offset = t < 0.5 ? 0.0 : 1.0;
            break;
        }
        // The object moves by x → R·x + T; the scanner sees it still if every point of the
        // scanner moves by the inverse, x → Rᵀ·(x − T), and every direction by Rᵀ.
        const double a = -offset * motion.rotationRad;
        const double c = std::cos(a);
        const double s = std::sin(a);
        const auto turn = [c, s](Vec3 p) {
            return Vec3{c * p.x - s * p.y, s * p.x + c * p.y, p.z};
        };
        const Vec3 shift = motion.translationMm * offset;
        ViewPose& pose = poses[k];
        pose.source = parallel ? turn(pose.source) : turn(pose.source - shift);
        pose.detector = turn(pose.detector - shift);
        pose.u = turn(pose.u);
        pose.v = turn(pose.v);
    }
    return Geometry::fromPoses(geometry.beam(), geometry.detector(), std::move(poses));
}

std::vector<MaterialPart> splitMaterials(const Volume& mu, const MaterialMap& map)
{
    const Phantom none;
    return splitMaterials(mu, map, none, {});
}

std::vector<MaterialPart> splitMaterials(const Volume& mu, const MaterialMap& map,
                                         const Phantom& phantom, const std::vector<int>& labels)
{
    map.validate();
    const std::span<const float> values = mu.data();
    if (!labels.empty() && labels.size() != values.size()) {
        throwInvalid("material labels", std::to_string(labels.size()),
                     "one per voxel (" + std::to_string(values.size()) + ")");
    }
    // The materials: the bands', then those the phantom's objects name, once each.
    std::vector<Material> materials;
    for (const MaterialBand& b : map.bands) {
        materials.push_back(b.material);
    }
    std::vector<std::size_t> objectMaterial(phantom.objects.size(), 0);
    for (std::size_t o = 0; o < phantom.objects.size(); ++o) {
        const std::string& name = phantom.objects[o].material;
        if (name.empty()) {
            continue;
        }
        const Material m = findMaterial(name, "objects[" + std::to_string(o) + "].material");
        const auto at = std::find(materials.begin(), materials.end(), m);
        objectMaterial[o] = static_cast<std::size_t>(at - materials.begin());
        if (at == materials.end()) {
            materials.push_back(m);
        }
    }
    const double muWater = muPerMm(findMaterial("water"), map.referenceKeV);
    // Material index per voxel first, so that only the materials in use get a volume.
    std::vector<std::uint16_t> index(values.size());
    std::vector<bool> used(materials.size(), false);
    for (std::size_t i = 0; i < values.size(); ++i) {
        std::size_t m = 0;
        if (!labels.empty() && labels[i] >= 0) {
            m = objectMaterial[static_cast<std::size_t>(labels[i])];
        } else {
            const double hu = 1000.0 * (values[i] - muWater) / muWater;
            while (m + 1 < map.bands.size() && !(hu < map.bands[m].belowHu)) {
                ++m;
            }
        }
        index[i] = static_cast<std::uint16_t>(m);
        used[m] = used[m] || values[i] != 0.0f; // vacuum (μ = 0) attenuates at no energy
    }
    std::vector<MaterialPart> parts;
    for (std::size_t m = 0; m < materials.size(); ++m) {
        if (!used[m]) {
            continue;
        }
        std::vector<float> part(values.size(), 0.0f);
        for (std::size_t i = 0; i < values.size(); ++i) {
            if (index[i] == m) {
                part[i] = values[i];
            }
        }
        parts.push_back({materials[m], Volume::fromData(mu.grid(), std::move(part))});
    }
    return parts;
}
} // namespace tomo
