#pragma once

#include "tomo/compute.h"
#include "tomo/iterative.h"
#include "tomo/phantom.h"
#include "tomo/projections.h"
#include "tomo/run_context.h"
#include "tomo/scene.h"
#include "tomo/simulate.h"
#include "tomo/volume.h"

#include <cstddef>
#include <filesystem>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace tomo
{
/// A CT image's values as μ (mm⁻¹), for simulation (what AttenuationImage holds).
struct AttenuationImage
{
    Volume mu; ///< on the image's own grid; no value below 0
    /// Voxels below 0 mm⁻¹ (below −1000 HU: scanners pad outside their field of view with values
    /// such as −3024 HU), which no material has; they became vacuum (0).
    std::size_t clampedVoxels = 0;
    /// μ of water the HU were converted with (mm⁻¹); 0 where the image was already μ.
    double muWater = 0.0;
};

/// `image` in μ: `unit` says what its values are (HU or μ); unset, its ImageMeta::unit does.
/// HU become μ = μ_water·(1 + HU/1000), with μ_water the value the file was written with (its
/// "tomoscope_mu_water_per_mm" entry) or else water's at `referenceKeV` (the materials'
/// reference energy: what a simulation's μ mean). Throws InvalidArgument naming `unitField` when
/// neither says HU or μ (with `source`, the file, in the message), or naming the dictionary entry
/// when it is not a positive number.
[[nodiscard]] AttenuationImage toAttenuation(Volume image, std::optional<ValueUnit> unit,
                                             double referenceKeV, const std::string& source,
                                             const std::string& unitField);

/// The scene's object, made or read once per run: an analytic phantom, or a CT volume
/// (ObjectSpec "volume") in μ on an axis-aligned grid, where the scene places it.
///
/// A volume is read with readVolume, converted with toAttenuation (unit: ObjectSpec::unit or the
/// file's), then made axis-aligned: re-indexed exactly (reorient to LPS) when its axes are the
/// world's up to order and sign, else resampled trilinearly onto the enclosing axis-aligned box
/// (an oblique acquisition). ObjectSpec::centred then moves its box centre to the isocentre. For a
/// 2D beam the object is the volume's plane z = 0 (trilinear between slices).
class SceneObject
{
public:
    /// Throws as makePhantom; for a volume, IoError naming object.path when it cannot be read,
    /// InvalidArgument naming object.unit (see toAttenuation), or object.placement when a 2D
    /// beam's plane z = 0 misses the volume.
    [[nodiscard]] static SceneObject load(const Scene& scene);

    [[nodiscard]] bool isVolume() const { return m_volume != nullptr; }
    /// The analytic phantom. Throws InvalidArgument naming object.phantom for a volume.
    [[nodiscard]] const Phantom& phantom() const;
    /// The volume in μ (mm⁻¹), as placed. Throws InvalidArgument naming object.phantom for a
    /// phantom.
    [[nodiscard]] const Volume& volume() const;
    /// See AttenuationImage::clampedVoxels (0 for a phantom).
    [[nodiscard]] std::size_t clampedVoxels() const { return m_clamped; }

    /// μ on `grid`: the phantom rasterised with `supersampling` samples per axis and voxel
    /// (rasterise), or the volume resampled (0 outside it): trilinearly at the voxel centres
    /// where its voxels are no finer than the grid's, else the mean over each voxel of the
    /// volume's piecewise-constant μ, from `supersampling` nearest-voxel samples per axis
    /// (in-plane for a 2D grid) spread evenly over it.
    [[nodiscard]] Volume sample(const VolumeGrid& grid, unsigned supersampling) const;

private:
    std::optional<Phantom> m_phantom;
    std::shared_ptr<const Volume> m_volume;
    std::size_t m_clamped = 0;
};

/// What runScene produced.
/// An iterate of an iterative reconstruction measured against the truth (RunResult).
struct IterateMetrics
{
    double rmse = std::numeric_limits<double>::quiet_NaN(); ///< mm⁻¹
    double psnr = std::numeric_limits<double>::quiet_NaN(); ///< dB
};

struct RunResult
{
    std::shared_ptr<const ProjectionStack> projections;
    std::shared_ptr<const Volume> reconstruction;
    std::shared_ptr<const Volume> truth; ///< the object on the reconstruction grid (sample)
    double rmse = 0.0;                   ///< mm⁻¹
    /// dB; NaN where the truth is constant (hasContrast: an empty phantom, or one outside the
    /// grid), which has no peak to measure against. metrics.json then holds null.
    double psnr = 0.0;
    double ssim = 0.0; ///< structural similarity (metrics.h), 1 = identical; NaN as psnr
    double simulateSeconds = 0.0;
    double reconstructSeconds = 0.0;
    std::string device; ///< DeviceInfo::label() of the device used
    /// Iterative algorithms: the data residual of each iteration.
    std::vector<IterationRecord> history;
    /// Iterative algorithms: each iteration's estimate against the truth (in μ, before any HU
    /// conversion), one per history record. NaN for the iterates of a coarser
    /// multi-resolution level, whose grid is not the truth's, and PSNR where psnr is NaN.
    std::vector<IterateMetrics> iterateMetrics;
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
/// takes exact line integrals of the ellipses through every pixel centre (CPU). A volume object
/// (SceneObject) is forward projected on its own grid with "joseph", and resampled onto the
/// reconstruction grid as the truth.
/// Progress and previews (the sinogram filling, the image forming) go through `ctx`.
/// Throws InvalidArgument for a scene the algorithms cannot run, Cancelled when cancelled.
/// What a reconstruction of `scene` says about itself (written into every output file):
/// modality CT, subtype `subtype`, unit μ (mm⁻¹) or HU as the scene asks, and the provenance
/// keys: the scene's name, the algorithm and the scene's "reconstruction" section as JSON
/// (meta_key::kParameters), with μ of water where the unit is HU.
[[nodiscard]] ImageMeta sceneMeta(const Scene& scene, std::string subtype);

/// The scene's projections as runScene simulates them (see there): the phantom rasterised on the
/// fine grid (or its exact line integrals for "analytic") or the volume object on its own grid,
/// projected once per material, through
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
