#pragma once

#include "tomo/compute.h"
#include "tomo/iterative.h"
#include "tomo/projections.h"
#include "tomo/run_context.h"
#include "tomo/scene.h"
#include "tomo/simulate.h"
#include "tomo/volume.h"

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace tomo
{
/// What runScene produced.
struct RunResult
{
    std::shared_ptr<const ProjectionStack> projections;
    std::shared_ptr<const Volume> reconstruction;
    std::shared_ptr<const Volume> truth; ///< the phantom rasterised on the reconstruction grid
    double rmse = 0.0;                   ///< mm⁻¹
    double psnr = 0.0;                   ///< dB
    double simulateSeconds = 0.0;
    double reconstructSeconds = 0.0;
    std::string device; ///< DeviceInfo::label() of the device used
    /// Iterative algorithms: the data residual of each iteration.
    std::vector<IterationRecord> history;
    /// Iterative algorithms: stopped by a cancel, the last complete iterate kept.
    bool stopped = false;
    /// Readings clamped at the photon-starvation floor by the physics simulation.
    std::size_t starvedPixels = 0;
};

/// Simulates the scene's projections and reconstructs them with Scene::algorithm(). An iterative
/// reconstruction that is cancelled keeps its last iterate (RunResult::stopped) and the run
/// completes with it ("stop and keep"); a cancel anywhere else throws Cancelled.
///
/// Simulation follows Scene::simulation: "joseph" forward projects the phantom rasterised on a
/// grid `Scene::kSimulationOversampling` times finer than the reconstruction grid (so the data are
/// not the reconstruction grid's own model: no inverse crime) on the chosen backend; "analytic"
/// takes exact line integrals of the ellipses through every pixel centre (CPU).
/// Progress and previews (the sinogram filling, the image forming) go through `ctx`.
/// Throws InvalidArgument for a scene the algorithms cannot run, Cancelled when cancelled.
/// What a reconstruction of `scene` says about itself (written into every output file):
/// modality CT, subtype `subtype`, unit μ (mm⁻¹) or HU as the scene asks, and the provenance
/// keys: the scene's name, the algorithm and the scene's "reconstruction" section as JSON
/// (meta_key::kParameters), with μ of water where the unit is HU.
[[nodiscard]] ImageMeta sceneMeta(const Scene& scene, std::string subtype);

/// The scene's projections as runScene simulates them (see there): the phantom rasterised on the
/// fine grid (or its exact line integrals for "analytic"), projected once per material, through
/// the scene's physics (Scene::physics; the ideal default gives plain line integrals). With
/// `keepReadings` the detector readings come too (for `simulate --raw`).
/// Throws InvalidArgument for an invalid scene, Cancelled when cancelled.
[[nodiscard]] SimulationResult simulateScene(const Scene& scene, ComputeContext& compute,
                                             RunContext& ctx, bool keepReadings = false);

[[nodiscard]] RunResult runScene(const Scene& scene, ComputeContext& compute, RunContext& ctx);

/// Writes sinogram.png, sinogram.nii.gz, reconstruction.png, reconstruction.nii.gz,
/// truth.nii.gz and metrics.json into `folder` (created if missing), each atomically.
/// reconstruction.png shows [window.first, window.second] (the reconstruction's unit) as black
/// to white; without a window, the truth's range. Returns the paths written. Throws IoError
/// naming the path that could not be written, InvalidArgument for an empty window.
std::vector<std::filesystem::path>
writeRunOutputs(const RunResult& result, const Scene& scene, const std::filesystem::path& folder,
                std::optional<std::pair<double, double>> window = std::nullopt);
} // namespace tomo
