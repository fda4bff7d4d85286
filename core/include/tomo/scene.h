#pragma once

#include "tomo/geometry.h"
#include "tomo/iterative.h"
#include "tomo/phantom.h"
#include "tomo/recon.h"
#include "tomo/simulate.h"
#include "tomo/trajectory.h"
#include "tomo/volume.h"

#include <array>
#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tomo
{
/// The object in the scanner: an analytic phantom, built in or read from a file, or a CT volume.
struct ObjectSpec
{
    /// A built-in phantom (builtInPhantomNames(); docs/phantoms.md): "shepp-logan-2d",
    /// "shepp-logan-3d", "water-cylinder" (a uniform cylinder along z), "forbild-head-2d",
    /// "forbild-head-3d", "line-pairs-2d", "line-pairs-3d", "contrast-detail-2d",
    /// "contrast-detail-3d"; "file" (a phantom file, see readPhantom); "inline" (analytic
    /// objects held in the scene itself, `objects`); or "volume" (a CT volume: any image
    /// readVolume reads, NIfTI, MHA, NRRD or a DICOM folder; see SceneObject).
    std::string phantom = "shepp-logan-2d";
    SheppLoganVariant variant = SheppLoganVariant::Modified; ///< Shepp–Logan phantoms only
    /// mm. Shepp–Logan: scale of the unit-disc (unit-cube) definition; water cylinder, line
    /// pairs, contrast-detail: the radius of the water disc or cylinder; FORBILD head: the skull's
    /// semi-axis along y (120 mm is the published size).
    double radiusMm = 100.0;
    /// Shepp–Logan: mm⁻¹ per table unit; FORBILD head: mm⁻¹ per density unit; water cylinder,
    /// line pairs, contrast-detail: μ of their water in mm⁻¹ (water at ~70 keV is ~0.019 mm⁻¹).
    double muPerUnit = 0.02;
    /// Water cylinder and the 3D line-pair and contrast-detail phantoms: length along z, mm.
    double heightMm = 200.0;
    /// "file": the phantom file (JSON or CTSim .phm); "volume": the image file or DICOM folder.
    /// A relative "path" in a scene file is resolved against the scene file's folder when the
    /// scene is loaded.
    std::filesystem::path path;
    /// "volume": what its values are, ValueUnit::Hu or ValueUnit::MuPerMm; unset: what the
    /// file's metadata says (DICOM CT is HU; Tomoscope's own outputs say), else an error.
    std::optional<ValueUnit> unit;
    /// "volume": where it lies in the scanner. false: where its origin and direction cosines put
    /// it, the file's patient frame (LPS) taken as the scanner's world, its (0, 0, 0) at the
    /// isocentre; true: moved (not rotated) so that the centre of its box is at the isocentre.
    bool centred = false;
    /// "inline": the phantom's objects, in the form and units of a phantom file's "objects"
    /// (phantom_io.h). The app's Object page makes a phantom "inline" when one of its objects
    /// is edited.
    std::vector<AnalyticObject> objects;

    /// Whether the object is a CT volume ("volume") rather than an analytic phantom.
    [[nodiscard]] bool isVolume() const { return phantom == "volume"; }

    friend bool operator==(const ObjectSpec&, const ObjectSpec&) = default;
};

/// The names ObjectSpec::unit is written with in scene files ("HU", "mu_per_mm").
/// Parses `text`; throws InvalidArgument naming `field` for anything else.
[[nodiscard]] ValueUnit parseObjectUnit(std::string_view text, std::string_view field);

/// The names ObjectSpec::phantom accepts for built-in phantoms ("file" is not among them), in
/// the order above.
[[nodiscard]] const std::vector<std::string>& builtInPhantomNames();

/// The phantom `object` describes (reads the file of a "file" phantom).
/// Throws InvalidArgument naming "object.phantom" for an unknown phantom or a "volume" (which
/// has no analytic description: SceneObject::load reads it) and naming the field for an
/// out-of-range parameter, IoError if a phantom file cannot be read.
[[nodiscard]] Phantom makePhantom(const ObjectSpec& object);

struct ReconstructionSpec
{
    /// "fbp" (2D beams: parallel and fan-beam FBP), "fdk" (3D beams; see reconstructAnalytic),
    /// an iterative algorithm ("sirt", "sart", "os-sart", "cgls", "mlem", "osem", "fista-tv",
    /// "tv-pocs", "asd-pocs", "awtv-pocs"; see iterative.h), or empty: the analytic method of
    /// the beam (Scene::algorithm()).
    std::string algorithm;
    FbpOptions fbp;
    IterativeOptions iterative; ///< for the iterative algorithms
    std::array<std::size_t, 3> gridSize{256, 256, 1};
    std::array<double, 3> gridSpacingMm{0.8, 0.8, 0.8};
};

/// Everything a session holds (DESIGN.md §7). Saved as JSON with "format": "tomoscope-scene".
struct Scene
{
    static constexpr int kFormatVersion = 1;
    /// Fine-grid factor for "joseph" simulation (per axis).
    static constexpr std::size_t kSimulationOversampling = 2;

    std::string name = "untitled";
    /// Free text for the reader of the file (what the scene shows); kept on save, empty if none.
    std::string description;
    BeamType beam = BeamType::Parallel2D;
    Detector detector{.columns = 367, .rows = 1, .pixelU = 0.8, .pixelV = 0.8};
    TrajectorySpec trajectory;
    ObjectSpec object;
    /// How projections are simulated: "joseph" (the ray-driven projector on the chosen backend,
    /// applied to the phantom rasterised kSimulationOversampling times finer than the
    /// reconstruction grid) or "analytic" (exact line integrals, CPU).
    std::string simulation = "joseph";
    /// The X-ray physics of the simulation (tomo/simulate.h), under "simulation" in the file;
    /// the default is the ideal scan (plain line integrals).
    PhysicsSpec physics;
    ReconstructionSpec reconstruction;

    /// Throws InvalidArgument naming the first field out of range (through the factories).
    /// A "volume" object is checked without touching its file (its path must not be empty;
    /// "analytic" simulation is refused): SceneObject::load reads and checks the file.
    void validate() const;

    /// reconstruction.algorithm, or where that is empty "fbp" for 2D beams and "fdk" for 3D.
    [[nodiscard]] std::string algorithm() const;
    /// Whether algorithm() is an iterative one.
    [[nodiscard]] bool isIterative() const;

    [[nodiscard]] Geometry geometry() const;
    [[nodiscard]] VolumeGrid reconstructionGrid() const;
    /// makePhantom(object). Throws as makePhantom (so for a "volume" object).
    [[nodiscard]] Phantom phantom() const;
};

/// Whether one reconstruction algorithm can reconstruct a scene (algorithmChoices).
struct AlgorithmChoice
{
    std::string name;      ///< as ReconstructionSpec::algorithm names it ("fbp", "sirt", …)
    bool available = true; ///< whether runScene would reconstruct the scene with it
    /// Where not available: why, in one sentence that names the alternative. Where available:
    /// why the result will not be exact for this geometry (the analytic plan's warnings, such
    /// as FDK on a non-circular orbit), or empty.
    std::string reason;
};

/// Every algorithm ReconstructionSpec::algorithm accepts, in its documented order ("fbp",
/// "fdk", "sirt", "sart", "os-sart", "cgls", "mlem", "osem", "fista-tv", "tv-pocs",
/// "asd-pocs", "awtv-pocs"), each with whether it can reconstruct `scene`, by the rules that
/// Scene::validate and runScene apply: "fbp" reconstructs 2D beams and "fdk" 3D beams, each
/// only where planAnalytic accepts the geometry on the reconstruction grid (its warnings become
/// the reason); the iterative algorithms reconstruct wherever the projectors accept the
/// geometry and grid (checkProjectable). Where the scene's trajectory, detector or grid is
/// itself invalid, only the beam rule decides: Scene::validate names the invalid field.
/// The other settings (physics, iterative options) do not enter. Never throws InvalidArgument.
[[nodiscard]] std::vector<AlgorithmChoice> algorithmChoices(const Scene& scene);

/// The largest side, in voxels, of the grid withBeam gives a 2D scene moved to a 3D beam: the
/// default scene made a cone beam (128³, 360 views of 384 x 361) simulates in 11 s and
/// reconstructs with FDK in 3 s on two cores (tomoscope-cli, 2026-11-22).
inline constexpr std::size_t kBeamSwitchGridSide = 128;

/// `scene` with another beam, the rest adapted so that it still runs and shows what that beam
/// is for (the app's Beam choice):
///  - to a 2D beam: one detector row, a one-slice grid, no orbit z offset, detector tilt or
///    detector rotation noise, and a 3D built-in phantom's 2D counterpart ("shepp-logan-3d"
///    becomes "shepp-logan-2d");
///  - from a 2D beam to a 3D one: the 2D built-in phantom's 3D counterpart; a cubic grid over
///    the same in-plane field, at most kBeamSwitchGridSide voxels a side; square detector
///    pixels as wide at the isocentre as the simulation's finer voxels (a voxel over
///    Scene::kSimulationOversampling, times SDD/SID for a cone: for the default scene's cone,
///    pixels one whole voxel wide simulate in 7.5 s rather than 11 s and reconstruct in 0.9 s
///    rather than 3 s, but lose 3 dB, 31.1 against 34.3 dB; tomoscope-cli, 2026-11-22); and as
///    many rows as cover the grid's box seen from the source (for a cone, magnified as at a
///    corner of the box pointing at the source);
///  - between a parallel beam and a fan or cone: as many columns as cover the field of view the
///    detector covered before (Geometry::fieldOfViewRadius), at the detector's pitch; and from
///    parallel to divergent on a circular orbit shorter than a full turn, a full turn (a
///    parallel scan's 180° is not a short scan for a divergent beam);
///  - an analytic algorithm of the other family ("fbp" for 3D, "fdk" for 2D) becomes automatic.
/// Never throws.
[[nodiscard]] Scene withBeam(Scene scene, BeamType beam);

/// Parses scene JSON. `source` names the text in messages (a path or "<string>").
/// Throws InvalidArgument naming the JSON path of a missing, mistyped or out-of-range field
/// ("geometry.detector.columns = -3 is invalid: ..."), and for unknown keys.
[[nodiscard]] Scene parseScene(std::string_view json, std::string_view source = "<string>");

/// Reads and parses a scene file. Throws IoError if it cannot be read, InvalidArgument as
/// parseScene.
[[nodiscard]] Scene loadScene(const std::filesystem::path& path);

/// Scene as JSON text (every field written, angles in degrees under keys that say so).
[[nodiscard]] std::string toJson(const Scene& scene);

/// Writes the scene atomically. Throws IoError if the folder is not writable.
void saveScene(const Scene& scene, const std::filesystem::path& path);
} // namespace tomo
