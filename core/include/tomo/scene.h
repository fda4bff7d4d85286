#pragma once

#include "tomo/geometry.h"
#include "tomo/phantom.h"
#include "tomo/recon.h"
#include "tomo/trajectory.h"
#include "tomo/volume.h"

#include <array>
#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

namespace tomo
{
/// The object in the scanner: an analytic phantom.
struct ObjectSpec
{
    std::string phantom = "shepp-logan-2d"; ///< the only built-in so far
    SheppLoganVariant variant = SheppLoganVariant::Modified;
    double radiusMm = 100.0; ///< scale of the unit-disc definition
    double muPerUnit = 0.02; ///< mm⁻¹ per table unit (water at ~70 keV is ~0.019 mm⁻¹)
};

struct ReconstructionSpec
{
    std::string algorithm = "fbp"; ///< the only algorithm so far
    FbpOptions fbp;
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
    BeamType beam = BeamType::Parallel2D;
    Detector detector{.columns = 367, .rows = 1, .pixelU = 0.8, .pixelV = 0.8};
    TrajectorySpec trajectory;
    ObjectSpec object;
    /// How projections are simulated: "joseph" (the ray-driven projector on the chosen backend,
    /// applied to the phantom rasterised kSimulationOversampling times finer than the
    /// reconstruction grid) or "analytic" (exact line integrals, CPU).
    std::string simulation = "joseph";
    ReconstructionSpec reconstruction;

    /// Throws InvalidArgument naming the first field out of range (through the factories).
    void validate() const;

    [[nodiscard]] Geometry geometry() const;
    [[nodiscard]] VolumeGrid reconstructionGrid() const;
    [[nodiscard]] Phantom phantom() const;
};

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
