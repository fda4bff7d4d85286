#include "tomo/scene.h"

#include "common/atomic_file.h"
#include "common/json_reader.h"
#include "common/text.h"
#include "phantom/phantom_objects.h"
#include "scene/scene_physics.h"
#include "tomo/error.h"
#include "tomo/phantom_io.h"
#include "tomo/projector.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <fstream>
#include <numbers>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tomo
{
namespace
{
using Json = nlohmann::json;

constexpr double kDegree = std::numbers::pi / 180.0;

using Reader = detail::JsonReader;

Vec3 toVec3(const Json& v, const std::string& path)
{
    if (!v.is_array() || v.size() != 3) {
        throwInvalid(path, v.dump(), "must be an array of 3 numbers [x, y, z]");
    }
    return {Reader::toNumber(v[0], path + "[0]"), Reader::toNumber(v[1], path + "[1]"),
            Reader::toNumber(v[2], path + "[2]")};
}

Json fromVec3(Vec3 a)
{
    return Json::array({a.x, a.y, a.z});
}

std::vector<ViewPose> readPoses(Reader& trajectory, BeamType beam,
                                const std::filesystem::path& baseDir)
{
    if (trajectory.has("csv")) {
        std::filesystem::path csv = trajectory.text("csv", "");
        if (csv.is_relative()) {
            csv = baseDir / csv;
        }
        return readPoseCsv(csv);
    }
    const Json& list = trajectory.raw("poses");
    const std::string where = trajectory.where("poses");
    if (!list.is_array() || list.empty()) {
        throwInvalid(where, list.dump().substr(0, 40),
                     "must be a non-empty array of {source|ray, detector, u, v}");
    }
    const char* sourceKey = isParallel(beam) ? "ray" : "source";
    std::vector<ViewPose> poses;
    for (std::size_t k = 0; k < list.size(); ++k) {
        Reader view(list[k], where + "[" + std::to_string(k) + "]");
        ViewPose p;
        p.source = toVec3(view.raw(sourceKey), view.where(sourceKey));
        p.detector = toVec3(view.raw("detector"), view.where("detector"));
        p.u = toVec3(view.raw("u"), view.where("u"));
        p.v = toVec3(view.raw("v"), view.where("v"));
        view.finish();
        poses.push_back(p);
    }
    return poses;
}

TrajectorySpec readTrajectory(Reader& r, BeamType beam, const std::filesystem::path& baseDir)
{
    TrajectorySpec t;
    t.kind = parseTrajectoryKind(r.text("kind", "circular"), r.where("kind"));
    if (t.kind == TrajectoryKind::Explicit) {
        t.poses = readPoses(r, beam, baseDir);
        r.finish();
        return t;
    }
    t.views = r.count("views", t.views);
    t.startAngle = r.number("start_angle_deg", 0.0) * kDegree;
    t.angularRange = r.number("range_deg", t.angularRange / kDegree) * kDegree;
    t.sourceIsocentre = r.number("sid_mm", t.sourceIsocentre);
    t.sourceDetector = r.number("sdd_mm", t.sourceDetector);
    t.zOffset = r.number("z_offset_mm", t.zOffset);
    if (r.has("tilt")) {
        Reader tilt = r.child("tilt");
        t.tilt.inPlane = tilt.number("in_plane_deg", 0.0) * kDegree;
        t.tilt.aboutU = tilt.number("about_u_deg", 0.0) * kDegree;
        t.tilt.aboutV = tilt.number("about_v_deg", 0.0) * kDegree;
        tilt.finish();
    }
    switch (t.kind) {
    case TrajectoryKind::Helical:
        if (r.has("z_range_mm")) {
            // The helix given by the height it climbs over the whole range instead of per turn.
            if (r.has("pitch_mm")) {
                throwInvalid(r.where("z_range_mm"), "given with pitch_mm",
                             "give either pitch_mm (per turn) or z_range_mm (over the range)");
            }
            t.pitchMm = r.number("z_range_mm", 0.0) / (t.angularRange / (2.0 * std::numbers::pi));
        } else {
            t.pitchMm = r.number("pitch_mm", t.pitchMm);
        }
        break;
    case TrajectoryKind::Sinusoidal:
        t.sidAmplitude = r.number("sid_amplitude_mm", t.sidAmplitude);
        t.zAmplitude = r.number("z_amplitude_mm", t.zAmplitude);
        t.frequency = r.number("frequency", t.frequency);
        break;
    case TrajectoryKind::Saddle:
        t.sidAmplitude = r.number("radial_amplitude_mm", t.sidAmplitude);
        t.zAmplitude = r.number("z_amplitude_mm", t.zAmplitude);
        break;
    case TrajectoryKind::MultiCircle: {
        const Json& planes = r.raw("z_planes_mm");
        if (!planes.is_array()) {
            throwInvalid(r.where("z_planes_mm"), planes.dump(), "must be an array of z in mm");
        }
        t.zPlanes.clear();
        for (std::size_t k = 0; k < planes.size(); ++k) {
            t.zPlanes.push_back(Reader::toNumber(planes[k], r.where("z_planes_mm") + "[" +
                                                                std::to_string(k) + "]"));
        }
        break;
    }
    case TrajectoryKind::RandomCircular:
        t.seed = r.count("seed", t.seed);
        t.sigmaSourceMm = r.number("sigma_source_mm", t.sigmaSourceMm);
        t.sigmaSidMm = r.number("sigma_sid_mm", t.sigmaSidMm);
        t.sigmaDetectorRotation = r.number("sigma_detector_rotation_deg", 0.0) * kDegree;
        break;
    case TrajectoryKind::Custom:
        t.tStart = r.number("t_start", t.tStart);
        t.tEnd = r.number("t_end", t.tEnd);
        t.angleFormula = r.text("angle_formula", t.angleFormula);
        t.zFormula = r.text("z_formula", t.zFormula);
        t.sidFormula = r.text("sid_formula", t.sidFormula);
        t.sddFormula = r.text("sdd_formula", t.sddFormula);
        break;
    case TrajectoryKind::Circular:
    case TrajectoryKind::Tomosynthesis:
    case TrajectoryKind::Explicit:
        break;
    }
    r.finish();
    return t;
}

// A built-in phantom and the object keys it reads besides "radius_mm" and "mu_per_unit".
struct BuiltInPhantom
{
    std::string_view name;
    bool variant; // "variant": Shepp–Logan's intensities
    bool height;  // "height_mm": the length along z of a finite cylinder
};

constexpr BuiltInPhantom kBuiltInPhantoms[] = {
    {"shepp-logan-2d", true, false},     {"shepp-logan-3d", true, false},
    {"water-cylinder", false, true},     {"forbild-head-2d", false, false},
    {"forbild-head-3d", false, false},   {"line-pairs-2d", false, false},
    {"line-pairs-3d", false, true},      {"contrast-detail-2d", false, false},
    {"contrast-detail-3d", false, true},
};

const BuiltInPhantom* findBuiltInPhantom(std::string_view name)
{
    for (const BuiltInPhantom& b : kBuiltInPhantoms) {
        if (b.name == name) {
            return &b;
        }
    }
    return nullptr;
}

void checkPhantomName(const std::string& name, const std::string& field)
{
    if (name != "file" && name != "volume" && name != "inline" &&
        findBuiltInPhantom(name) == nullptr) {
        std::string accepted = "accepted: ";
        for (const BuiltInPhantom& b : kBuiltInPhantoms) {
            accepted += std::string(b.name) + ", ";
        }
        throwInvalid(field, "\"" + name + "\"",
                     accepted +
                         "file (a phantom file), inline (objects listed in the scene), volume (a "
                         "CT volume file or DICOM folder)");
    }
}

// The "object" section: which keys exist depends on the phantom, so a key that does not apply
// to it is rejected as unknown.
ObjectSpec readObject(Reader& r, const std::filesystem::path& baseDir)
{
    ObjectSpec o;
    o.phantom = r.text("phantom", o.phantom);
    checkPhantomName(o.phantom, r.where("phantom"));
    if (o.phantom == "file" || o.phantom == "volume") {
        const bool volume = o.isVolume();
        std::filesystem::path file = r.text("path", "");
        if (file.empty()) {
            throwInvalid(r.where("path"), "missing",
                         volume ? "a \"volume\" object needs \"path\": a NIfTI, MHA or NRRD "
                                  "file or a DICOM folder, relative to the scene file"
                                : "a \"file\" phantom needs \"path\": a phantom .json or CTSim "
                                  ".phm file, relative to the scene file");
        }
        o.path = file.is_relative() ? baseDir / file : file;
        if (!volume) {
            r.finish();
            return o;
        }
        if (r.has("unit")) {
            o.unit = parseObjectUnit(r.text("unit", ""), r.where("unit"));
        }
        const std::string placement = r.text("placement", "file");
        if (placement != "file" && placement != "centred") {
            throwInvalid(r.where("placement"), "\"" + placement + "\"",
                         "accepted: file (where the file's origin and direction put it), centred "
                         "(its centre at the isocentre)");
        }
        o.centred = placement == "centred";
        r.finish();
        return o;
    }
    if (o.phantom == "inline") {
        o.objects = detail::readPhantomObjects(r.raw("objects"), r.where("objects"), "scene");
        r.finish();
        return o;
    }
    const BuiltInPhantom& builtIn = *findBuiltInPhantom(o.phantom);
    if (builtIn.variant) {
        o.variant = parseSheppLoganVariant(r.text("variant", "modified"), r.where("variant"));
    }
    if (builtIn.height) {
        o.heightMm = r.number("height_mm", o.heightMm);
    }
    o.radiusMm = r.number("radius_mm", o.radiusMm);
    o.muPerUnit = r.number("mu_per_unit", o.muPerUnit);
    r.finish();
    return o;
}

Json objectJson(const ObjectSpec& o)
{
    Json j;
    j["phantom"] = o.phantom;
    if (o.phantom == "file") {
        j["path"] = o.path.string();
        return j;
    }
    if (o.phantom == "inline") {
        j["objects"] = detail::phantomObjectsJson(o.objects);
        return j;
    }
    if (o.isVolume()) {
        j["path"] = o.path.string();
        if (o.unit) {
            j["unit"] = std::string(toString(*o.unit));
        }
        j["placement"] = o.centred ? "centred" : "file";
        return j;
    }
    const BuiltInPhantom* builtIn = findBuiltInPhantom(o.phantom);
    if (builtIn != nullptr && builtIn->variant) {
        j["variant"] = o.variant == SheppLoganVariant::Modified ? "modified" : "original";
    }
    if (builtIn != nullptr && builtIn->height) {
        j["height_mm"] = o.heightMm;
    }
    j["radius_mm"] = o.radiusMm;
    j["mu_per_unit"] = o.muPerUnit;
    return j;
}

Json trajectoryJson(const TrajectorySpec& t, BeamType beam)
{
    Json j;
    j["kind"] = std::string(toString(t.kind));
    if (t.kind == TrajectoryKind::Explicit) {
        Json poses = Json::array();
        for (const ViewPose& p : t.poses) {
            poses.push_back({{isParallel(beam) ? "ray" : "source", fromVec3(p.source)},
                             {"detector", fromVec3(p.detector)},
                             {"u", fromVec3(p.u)},
                             {"v", fromVec3(p.v)}});
        }
        j["poses"] = std::move(poses);
        return j;
    }
    j["views"] = t.views;
    j["start_angle_deg"] = t.startAngle / kDegree;
    j["range_deg"] = t.angularRange / kDegree;
    j["sid_mm"] = t.sourceIsocentre;
    j["sdd_mm"] = t.sourceDetector;
    if (t.zOffset != 0.0) {
        j["z_offset_mm"] = t.zOffset;
    }
    if (t.tilt != DetectorTilt{}) {
        j["tilt"] = {{"in_plane_deg", t.tilt.inPlane / kDegree},
                     {"about_u_deg", t.tilt.aboutU / kDegree},
                     {"about_v_deg", t.tilt.aboutV / kDegree}};
    }
    switch (t.kind) {
    case TrajectoryKind::Helical:
        j["pitch_mm"] = t.pitchMm;
        break;
    case TrajectoryKind::Sinusoidal:
        j["sid_amplitude_mm"] = t.sidAmplitude;
        j["z_amplitude_mm"] = t.zAmplitude;
        j["frequency"] = t.frequency;
        break;
    case TrajectoryKind::Saddle:
        j["radial_amplitude_mm"] = t.sidAmplitude;
        j["z_amplitude_mm"] = t.zAmplitude;
        break;
    case TrajectoryKind::MultiCircle:
        j["z_planes_mm"] = t.zPlanes;
        break;
    case TrajectoryKind::RandomCircular:
        j["seed"] = t.seed;
        j["sigma_source_mm"] = t.sigmaSourceMm;
        j["sigma_sid_mm"] = t.sigmaSidMm;
        j["sigma_detector_rotation_deg"] = t.sigmaDetectorRotation / kDegree;
        break;
    case TrajectoryKind::Custom:
        j["t_start"] = t.tStart;
        j["t_end"] = t.tEnd;
        j["angle_formula"] = t.angleFormula;
        j["z_formula"] = t.zFormula;
        j["sid_formula"] = t.sidFormula;
        j["sdd_formula"] = t.sddFormula;
        break;
    case TrajectoryKind::Circular:
    case TrajectoryKind::Tomosynthesis:
    case TrajectoryKind::Explicit:
        break;
    }
    return j;
}

// The core's checks name fields as its structs do ("trajectory.views"); a scene file holds them
// under these keys.
constexpr std::pair<std::string_view, std::string_view> kSceneKeys[] = {
    {"trajectory.", "geometry.trajectory."},
    {"detector.", "geometry.detector."},
    {"spectrum.", "simulation.spectrum."},
    {"materials.", "simulation.materials."},
    {"grid.", "reconstruction.grid."},
    {"reconstruction.tv_weight ", "reconstruction.tv_weight_per_mm "},
};

/// A check's message with its field named as the scene file names it.
std::string inSceneKeys(std::string message)
{
    for (const auto& [core, scene] : kSceneKeys) {
        if (message.starts_with(core)) {
            return std::string(scene) + message.substr(core.size());
        }
    }
    return message;
}
} // namespace

void Scene::validate() const
try {
    (void)geometry();
    (void)reconstructionGrid();
    if (object.isVolume()) {
        // Checked without touching the file: validate runs on every edit in the app, and a scene
        // whose volume has moved must still open so that its path can be fixed. SceneObject::load
        // reads it (and names object.path when it cannot).
        if (object.path.empty()) {
            throwInvalid("object.path", "\"\"",
                         "a \"volume\" object needs the path of a volume file or DICOM folder");
        }
        if (object.unit && *object.unit != ValueUnit::Hu && *object.unit != ValueUnit::MuPerMm) {
            throwInvalid("object.unit", "\"" + std::string(toString(*object.unit)) + "\"",
                         "accepted: HU, mu_per_mm");
        }
        if (simulation == "analytic") {
            throwInvalid("simulation.model", "\"analytic\"",
                         "joseph for a volume object: exact line integrals need an analytic "
                         "phantom");
        }
    } else {
        (void)phantom();
    }
    reconstruction.fbp.validate();
    if (simulation != "joseph" && simulation != "analytic") {
        throwInvalid("simulation.model", "\"" + simulation + "\"", "accepted: joseph, analytic");
    }
    physics.validate();
    if (simulation == "analytic" && physics.needsMaterials()) {
        throwInvalid("simulation.model", "\"analytic\"",
                     "joseph for a polychromatic (or non-reference) spectrum: the object is split "
                     "into materials voxel by voxel, which exact line integrals cannot do");
    }
    const std::string chosen = algorithm();
    if (chosen == "fbp" || chosen == "fdk") {
        if ((chosen == "fbp") != is2D(beam)) {
            throwInvalid("reconstruction.algorithm", "\"" + chosen + "\"",
                         std::string("a ") + std::string(toString(beam)) +
                             " scan is reconstructed analytically with " +
                             (is2D(beam) ? "fbp" : "fdk") + ", or with an iterative algorithm");
        }
    } else {
        try {
            (void)parseIterativeAlgorithm(chosen, "reconstruction.algorithm");
        } catch (const InvalidArgument&) {
            throwInvalid("reconstruction.algorithm", "\"" + chosen + "\"",
                         "accepted: fbp (2D beams), fdk (3D beams), sirt, sart, os-sart, cgls, "
                         "mlem, osem, fista-tv, tv-pocs, asd-pocs, awtv-pocs");
        }
        reconstruction.iterative.validate();
    }
} catch (const InvalidArgument& e) {
    throw InvalidArgument(inSceneKeys(e.what()));
}

std::string Scene::algorithm() const
{
    if (!reconstruction.algorithm.empty()) {
        return reconstruction.algorithm;
    }
    return is2D(beam) ? "fbp" : "fdk";
}

bool Scene::isIterative() const
{
    const std::string chosen = algorithm();
    return chosen != "fbp" && chosen != "fdk";
}

namespace
{
// How withBeam's descriptions and algorithmChoices' reasons name a beam.
std::string beamPhrase(BeamType beam)
{
    switch (beam) {
    case BeamType::Parallel2D:
        return "a 2D parallel-beam scan";
    case BeamType::Fan2D:
        return "a 2D fan-beam scan";
    case BeamType::Parallel3D:
        return "a 3D parallel-beam scan";
    case BeamType::Cone3D:
        return "a cone-beam scan";
    }
    return "a scan";
}

// "<name>-2d" ↔ "<name>-3d" where both are built in; other names unchanged.
std::string phantomForBeam(const std::string& name, bool twoD)
{
    const std::string_view from = twoD ? "-3d" : "-2d";
    if (!name.ends_with(from)) {
        return name;
    }
    std::string other = name.substr(0, name.size() - from.size()) + (twoD ? "-2d" : "-3d");
    return findBuiltInPhantom(other) != nullptr ? other : name;
}

// Magnification SDD/SID of `scene`'s beam (1 for parallel beams).
double magnificationOf(const Scene& s)
{
    return isParallel(s.beam) ? 1.0 : s.trajectory.sourceDetector / s.trajectory.sourceIsocentre;
}

// The columns that cover a circle of `radius` mm about the axis with `s`'s beam and a centred
// flat detector of its pitch: the rays from the source tangent to the circle for a fan or cone.
std::size_t columnsCovering(const Scene& s, double radius)
{
    double halfWidth = radius;
    if (!isParallel(s.beam)) {
        const double sid = s.trajectory.sourceIsocentre;
        if (radius >= sid) {
            return s.detector.columns; // the source inside the field: nothing covers it
        }
        halfWidth = s.trajectory.sourceDetector * radius / std::sqrt(sid * sid - radius * radius);
    }
    return std::max<std::size_t>(
        1, static_cast<std::size_t>(std::ceil(2.0 * halfWidth / s.detector.pixelU)));
}

// A 2D scene's grid made 3D and its detector given rows (withBeam): a cubic grid over the same
// field, at most kBeamSwitchGridSide voxels a side; square detector pixels as wide at the
// isocentre as the simulation's finer voxels; rows that cover the grid's box seen from the
// source.
void makeThreeD(Scene& s)
{
    auto& size = s.reconstruction.gridSize;
    auto& spacing = s.reconstruction.gridSpacingMm;
    const double fieldX = static_cast<double>(size[0]) * spacing[0];
    const double fieldY = static_cast<double>(size[1]) * spacing[1];
    const std::size_t largest = std::max(size[0], size[1]);
    const double coarsen =
        largest > kBeamSwitchGridSide
            ? static_cast<double>(largest) / static_cast<double>(kBeamSwitchGridSide)
            : 1.0;
    const auto voxels = [](double field, double pitch) {
        return std::max<std::size_t>(1, static_cast<std::size_t>(std::lround(field / pitch)));
    };
    size[0] = voxels(fieldX, spacing[0] * coarsen);
    size[1] = voxels(fieldY, spacing[1] * coarsen);
    spacing[0] = fieldX / static_cast<double>(size[0]);
    spacing[1] = fieldY / static_cast<double>(size[1]);
    size[2] = std::max(size[0], size[1]);
    spacing[2] = std::max(fieldX, fieldY) / static_cast<double>(size[2]);

    Detector& d = s.detector;
    const double width = static_cast<double>(d.columns) * d.pixelU;
    d.pixelU =
        spacing[0] / static_cast<double>(Scene::kSimulationOversampling) * magnificationOf(s);
    d.pixelV = d.pixelU;
    d.columns = std::max<std::size_t>(1, static_cast<std::size_t>(std::ceil(width / d.pixelU)));
    // The grid's top and bottom corners, when one points at the source: magnified the most.
    const double halfHeight = 0.5 * static_cast<double>(size[2]) * spacing[2];
    double edgeMagnification = 1.0;
    if (!isParallel(s.beam)) {
        const double nearest = s.trajectory.sourceIsocentre - 0.5 * std::hypot(fieldX, fieldY);
        edgeMagnification =
            nearest > 0.0 ? s.trajectory.sourceDetector / nearest : magnificationOf(s);
    }
    d.rows = std::max<std::size_t>(
        1, static_cast<std::size_t>(std::ceil(2.0 * halfHeight * edgeMagnification / d.pixelV)));
}

// How a scene's name says its beam ("Shepp-Logan 2D, parallel beam").
std::string_view beamWords(BeamType beam)
{
    switch (beam) {
    case BeamType::Fan2D:
        return "fan beam";
    case BeamType::Cone3D:
        return "cone beam";
    case BeamType::Parallel2D:
    case BeamType::Parallel3D:
        break;
    }
    return "parallel beam";
}

// Replaces the whole word `from` in `text` by `to`; whether it was there.
bool replaceWord(std::string& text, std::string_view from, std::string_view to)
{
    const auto isWordChar = [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) != 0;
    };
    for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + 1)) {
        const bool startsWord = at == 0 || !isWordChar(text[at - 1]);
        const std::size_t end = at + from.size();
        if (startsWord && (end == text.size() || !isWordChar(text[end]))) {
            text.replace(at, from.size(), to);
            return true;
        }
    }
    return false;
}

// The scene's name with its beam's words and its 2D or 3D changed to the new beam's, or the new
// beam added where the name says neither.
std::string nameForBeam(std::string name, BeamType from, BeamType to)
{
    bool changed = false;
    if (is2D(from) != is2D(to)) {
        changed = replaceWord(name, is2D(from) ? "2D" : "3D", is2D(to) ? "2D" : "3D");
    }
    const std::string_view oldWords = beamWords(from);
    const std::string_view newWords = beamWords(to);
    if (oldWords != newWords) {
        if (const std::size_t at = detail::asciiLower(name).find(oldWords);
            at != std::string::npos) {
            std::string words(newWords);
            if (std::isupper(static_cast<unsigned char>(name[at])) != 0) {
                words[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(words[0])));
            }
            name.replace(at, oldWords.size(), words);
            changed = true;
        }
    }
    if (!changed && from != to) {
        name += std::string(", ") + (is2D(to) ? "2D " : "3D ") + std::string(newWords);
    }
    return name;
}

// The prefix withBeam puts before a description that was written for another beam.
constexpr std::string_view kDescribedBefore = " by the Beam choice, from a scene described as: ";
} // namespace

Scene withBeam(Scene scene, BeamType beam)
{
    if (beam != scene.beam) {
        scene.name = nameForBeam(scene.name, scene.beam, beam);
        if (!scene.description.empty()) {
            // The text describes the scene as it was: said so, once however often it changes.
            std::string original = scene.description;
            if (const std::size_t at = original.find(kDescribedBefore);
                original.starts_with("Made ") && at != std::string::npos) {
                original = original.substr(at + kDescribedBefore.size());
            }
            scene.description =
                "Made " + beamPhrase(beam) + std::string(kDescribedBefore) + original;
        }
    }
    const bool wasTwoD = is2D(scene.beam);
    const bool wasParallel = isParallel(scene.beam);
    const bool twoD = is2D(beam);
    // The field the detector covers now, to be covered by the new beam as well.
    std::optional<double> field;
    if (wasParallel != isParallel(beam)) {
        try {
            field = scene.geometry().fieldOfViewRadius();
        } catch (const std::exception&) {
            field.reset(); // an invalid scene: Scene::validate will name its field
        }
    }
    scene.beam = beam;
    TrajectorySpec& orbit = scene.trajectory;
    if (wasParallel && !isParallel(beam) && orbit.kind == TrajectoryKind::Circular &&
        orbit.angularRange < 2.0 * std::numbers::pi) {
        orbit.angularRange = 2.0 * std::numbers::pi;
    }
    if (twoD) {
        scene.detector.rows = 1;
        scene.reconstruction.gridSize[2] = 1;
        orbit.zOffset = 0.0;
        orbit.tilt = {};
        orbit.sigmaDetectorRotation = 0.0;
    } else if (wasTwoD) {
        makeThreeD(scene);
    }
    if (field && *field > 0.0) {
        scene.detector.columns = columnsCovering(scene, *field);
    }
    if (twoD != wasTwoD) {
        scene.object.phantom = phantomForBeam(scene.object.phantom, twoD);
    }
    const std::string& a = scene.reconstruction.algorithm;
    if ((a == "fbp" && !twoD) || (a == "fdk" && twoD)) {
        scene.reconstruction.algorithm.clear();
    }
    return scene;
}

Geometry Scene::geometry() const
{
    return makeGeometry(beam, detector, trajectory);
}

VolumeGrid Scene::reconstructionGrid() const
{
    return VolumeGrid::centred(reconstruction.gridSize, reconstruction.gridSpacingMm);
}

Phantom Scene::phantom() const
{
    return makePhantom(object);
}

namespace
{
std::string joined(const std::vector<std::string>& sentences)
{
    std::string text;
    for (const std::string& s : sentences) {
        text += (text.empty() ? "" : "; ") + s;
    }
    return text;
}
} // namespace

std::vector<AlgorithmChoice> algorithmChoices(const Scene& scene)
{
    // The geometry and grid, where the scene's own fields allow them (Scene::validate reports
    // the field otherwise, and only the beam rule applies).
    std::optional<Geometry> geometry;
    std::optional<VolumeGrid> grid;
    try {
        geometry = scene.geometry();
        grid = scene.reconstructionGrid();
    } catch (const std::exception&) {
        geometry.reset();
        grid.reset();
    }
    const bool twoD = is2D(scene.beam);
    std::vector<AlgorithmChoice> choices;

    const auto analytic = [&](const std::string& name, bool beamFits, const std::string& label,
                              const std::string& whyNot) {
        AlgorithmChoice choice{name, beamFits, beamFits ? "" : whyNot};
        if (beamFits && geometry && grid) {
            try {
                choice.reason = joined(planAnalytic(*geometry, *grid).warnings);
            } catch (const std::exception& e) {
                choice.available = false;
                choice.reason = label + " cannot reconstruct this scan: " + e.what() +
                                "; use an iterative method";
            }
        }
        choices.push_back(std::move(choice));
    };
    analytic("fbp", twoD, "FBP",
             "FBP reconstructs 2D beams; this is " + beamPhrase(scene.beam) +
                 ": use FDK or an iterative method");
    analytic("fdk", !twoD, "FDK",
             "FDK reconstructs 3D beams; this is " + beamPhrase(scene.beam) +
                 ": use FBP or an iterative method");

    std::string iterativeWhyNot;
    if (geometry && grid) {
        try {
            checkProjectable(*geometry, *grid);
        } catch (const std::exception& e) {
            iterativeWhyNot =
                std::string("the projectors cannot map this scan to the grid: ") + e.what();
        }
    }
    // The names from the enum, so that a new algorithm joins the list.
    for (int a = static_cast<int>(IterativeAlgorithm::Sirt);
         a <= static_cast<int>(IterativeAlgorithm::AwtvPocs); ++a) {
        choices.push_back({std::string(toString(static_cast<IterativeAlgorithm>(a))),
                           iterativeWhyNot.empty(), iterativeWhyNot});
    }
    return choices;
}

const std::vector<std::string>& builtInPhantomNames()
{
    static const std::vector<std::string> names = [] {
        std::vector<std::string> list;
        for (const BuiltInPhantom& b : kBuiltInPhantoms) {
            list.emplace_back(b.name);
        }
        return list;
    }();
    return names;
}

ValueUnit parseObjectUnit(std::string_view text, std::string_view field)
{
    const std::optional<ValueUnit> unit = parseValueUnit(text);
    if (!unit || (*unit != ValueUnit::Hu && *unit != ValueUnit::MuPerMm)) {
        throwInvalid(std::string(field), "\"" + std::string(text) + "\"",
                     "accepted: HU (Hounsfield units), mu_per_mm (linear attenuation, mm^-1)");
    }
    return *unit;
}

Phantom makePhantom(const ObjectSpec& object)
{
    checkPhantomName(object.phantom, "object.phantom");
    const std::string& name = object.phantom;
    if (name == "volume") {
        throwInvalid("object.phantom", "\"volume\"",
                     "an analytic phantom: a volume object has no analytic description (its "
                     "voxels are read by SceneObject::load)");
    }
    const double r = object.radiusMm;
    const double mu = object.muPerUnit;
    if (name == "file") {
        if (object.path.empty()) {
            throwInvalid("object.path", "\"\"",
                         "a \"file\" phantom needs the path of a phantom file (.json or .phm)");
        }
        return readPhantom(object.path);
    }
    if (name == "inline") {
        Phantom inlined{"inline", object.objects};
        inlined.validate("object.objects");
        return inlined;
    }
    if (name == "shepp-logan-3d") {
        return sheppLogan3D(object.variant, r, mu);
    }
    if (name == "water-cylinder") {
        return waterCylinder(r, object.heightMm, mu);
    }
    if (name == "forbild-head-2d") {
        return forbildHead2D(r, mu);
    }
    if (name == "forbild-head-3d") {
        return forbildHead3D(r, mu);
    }
    if (name == "line-pairs-2d") {
        return linePairs2D(r, mu);
    }
    if (name == "line-pairs-3d") {
        return linePairs3D(r, object.heightMm, mu);
    }
    if (name == "contrast-detail-2d") {
        return contrastDetail2D(r, mu);
    }
    if (name == "contrast-detail-3d") {
        return contrastDetail3D(r, object.heightMm, mu);
    }
    return sheppLogan2D(object.variant, r, mu);
}

namespace
{
Scene parseSceneIn(std::string_view json, std::string_view source,
                   const std::filesystem::path& baseDir)
{
    return detail::readVersionedDocument(
        json, source, "tomoscope-scene", Scene::kFormatVersion, "scene", [&](Reader& root) {
            Scene s;
            s.name = root.text("name", s.name);
            s.description = root.text("description", "");

            Reader geometry = root.child("geometry");
            s.beam = parseBeamType(geometry.text("beam", "parallel2d"), geometry.where("beam"));
            Reader trajectory = geometry.child("trajectory");
            s.trajectory = readTrajectory(trajectory, s.beam, baseDir);
            Reader detector = geometry.child("detector");
            s.detector.columns = detector.count("columns", s.detector.columns);
            s.detector.rows = detector.count("rows", s.detector.rows);
            s.detector.pixelU = detector.number("pixel_u_mm", s.detector.pixelU);
            s.detector.pixelV = detector.number("pixel_v_mm", s.detector.pixelV);
            s.detector.offsetU = detector.number("offset_u_px", 0.0);
            s.detector.offsetV = detector.number("offset_v_px", 0.0);
            s.detector.shape =
                parseDetectorShape(detector.text("shape", "flat"), detector.where("shape"));
            if (s.detector.shape == DetectorShape::Cylindrical) {
                s.detector.radius = detector.number("radius_mm", 0.0);
            }
            detector.finish();
            geometry.finish();

            Reader object = root.child("object");
            s.object = readObject(object, baseDir);

            if (root.has("simulation")) {
                Reader simulation = root.child("simulation");
                s.simulation = simulation.text("model", s.simulation);
                s.physics = detail::readPhysics(simulation);
                simulation.finish();
            }

            Reader recon = root.child("reconstruction");
            s.reconstruction.algorithm = recon.text("algorithm", s.reconstruction.algorithm);
            s.reconstruction.fbp.window =
                parseRampWindow(recon.text("filter", "ram-lak"), recon.where("filter"));
            s.reconstruction.fbp.cutoff = recon.number("cutoff", s.reconstruction.fbp.cutoff);
            s.reconstruction.fbp.batchViews =
                recon.count("batch_views", s.reconstruction.fbp.batchViews);
            s.reconstruction.fbp.hu = recon.boolean("hu", s.reconstruction.fbp.hu);
            s.reconstruction.fbp.muWater =
                recon.number("mu_water_per_mm", s.reconstruction.fbp.muWater);
            IterativeOptions& it = s.reconstruction.iterative;
            it.iterations = recon.count("iterations", it.iterations);
            it.relaxation = recon.number("relaxation", it.relaxation);
            it.relaxationReduction = recon.number("relaxation_reduction", it.relaxationReduction);
            it.nonNegative = recon.boolean("non_negative", it.nonNegative);
            it.subsets = recon.count("subsets", it.subsets);
            if (recon.has("subset_order")) {
                it.order = parseSubsetOrder(recon.text("subset_order", "interleaved"),
                                            recon.where("subset_order"));
            }
            it.seed = recon.count("seed", it.seed);
            if (recon.has("projector")) {
                it.projector = parseProjectorModel(recon.text("projector", "joseph"),
                                                   recon.where("projector"));
            }
            it.tvWeight = recon.number("tv_weight_per_mm", it.tvWeight);
            it.tvIterations = recon.count("tv_iterations", it.tvIterations);
            it.alpha = recon.number("alpha", it.alpha);
            it.alphaReduction = recon.number("alpha_reduction", it.alphaReduction);
            it.rMax = recon.number("r_max", it.rMax);
            it.epsilon = recon.number("epsilon", it.epsilon);
            it.delta = recon.number("delta_per_mm", it.delta);
            it.multiResolution = recon.boolean("multi_resolution", it.multiResolution);
            Reader grid = recon.child("grid");
            s.reconstruction.gridSize =
                grid.triple("size", s.reconstruction.gridSize, &Reader::toCount);
            s.reconstruction.gridSpacingMm =
                grid.triple("spacing_mm", s.reconstruction.gridSpacingMm, &Reader::toNumber);
            grid.finish();
            recon.finish();
            root.finish();

            s.validate();
            return s;
        });
}

} // namespace

Scene parseScene(std::string_view json, std::string_view source)
{
    return parseSceneIn(json, source, std::filesystem::current_path());
}

Scene loadScene(const std::filesystem::path& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw IoError("cannot read scene " + path.string() +
                      ": the file does not exist or is "
                      "not readable");
    }
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad()) {
        throw IoError("cannot read scene " + path.string() + ": read error");
    }
    return parseSceneIn(text.str(), path.string(), path.parent_path());
}

std::string toJson(const Scene& scene)
{
    Json doc;
    doc["format"] = "tomoscope-scene";
    doc["version"] = Scene::kFormatVersion;
    doc["name"] = scene.name;
    if (!scene.description.empty()) {
        doc["description"] = scene.description;
    }
    doc["geometry"] = {{"beam", std::string(toString(scene.beam))},
                       {"trajectory", trajectoryJson(scene.trajectory, scene.beam)},
                       {"detector",
                        {{"columns", scene.detector.columns},
                         {"rows", scene.detector.rows},
                         {"pixel_u_mm", scene.detector.pixelU},
                         {"pixel_v_mm", scene.detector.pixelV},
                         {"offset_u_px", scene.detector.offsetU},
                         {"offset_v_px", scene.detector.offsetV}}}};
    if (scene.detector.shape == DetectorShape::Cylindrical) {
        doc["geometry"]["detector"]["shape"] = std::string(toString(scene.detector.shape));
        doc["geometry"]["detector"]["radius_mm"] = scene.detector.radius;
    }
    doc["object"] = objectJson(scene.object);
    doc["simulation"] = {{"model", scene.simulation}};
    detail::writePhysics(scene.physics, doc["simulation"]);
    doc["reconstruction"] = {{"algorithm", scene.algorithm()},
                             {"filter", std::string(toString(scene.reconstruction.fbp.window))},
                             {"cutoff", scene.reconstruction.fbp.cutoff},
                             {"batch_views", scene.reconstruction.fbp.batchViews},
                             {"hu", scene.reconstruction.fbp.hu},
                             {"mu_water_per_mm", scene.reconstruction.fbp.muWater},
                             {"grid",
                              {{"size", scene.reconstruction.gridSize},
                               {"spacing_mm", scene.reconstruction.gridSpacingMm}}}};
    if (scene.isIterative()) {
        const IterativeOptions& it = scene.reconstruction.iterative;
        nlohmann::json& r = doc["reconstruction"];
        r["iterations"] = it.iterations;
        r["relaxation"] = it.relaxation;
        r["relaxation_reduction"] = it.relaxationReduction;
        r["non_negative"] = it.nonNegative;
        r["subsets"] = it.subsets;
        r["subset_order"] = std::string(toString(it.order));
        r["seed"] = it.seed;
        r["projector"] = std::string(toString(it.projector));
        r["tv_weight_per_mm"] = it.tvWeight;
        r["tv_iterations"] = it.tvIterations;
        r["alpha"] = it.alpha;
        r["alpha_reduction"] = it.alphaReduction;
        r["r_max"] = it.rMax;
        r["epsilon"] = it.epsilon;
        r["delta_per_mm"] = it.delta;
        r["multi_resolution"] = it.multiResolution;
    }
    return doc.dump(2) + "\n";
}

void saveScene(const Scene& scene, const std::filesystem::path& path)
{
    const std::string text = toJson(scene);
    detail::writeTextAtomically(path, text);
}
} // namespace tomo
