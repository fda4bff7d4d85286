#pragma once

#include "tomo/compute.h"
#include "tomo/iterative.h"
#include "tomo/projections.h"
#include "tomo/run_context.h"
#include "tomo/scene.h"
#include "tomo/volume.h"

#include <filesystem>
#include <memory>
#include <string>
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

[[nodiscard]] RunResult runScene(const Scene& scene, ComputeContext& compute, RunContext& ctx);

/// Writes sinogram.png, sinogram.nii.gz, reconstruction.png, reconstruction.nii.gz,
/// truth.nii.gz and metrics.json into `folder` (created if missing), each atomically.
/// Returns the paths written. Throws IoError naming the path that could not be written.
std::vector<std::filesystem::path> writeRunOutputs(const RunResult& result, const Scene& scene,
                                                   const std::filesystem::path& folder);
} // namespace tomo
