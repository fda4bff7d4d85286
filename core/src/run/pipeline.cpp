#include "tomo/pipeline.h"

#include "common/atomic_file.h"
#include "tomo/error.h"
#include "tomo/io.h"
#include "tomo/metrics.h"
#include "tomo/phantom.h"
#include "tomo/projector.h"
#include "tomo/recon.h"
#include "tomo/simulate.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <limits>
#include <memory>

namespace tomo
{
namespace
{
using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point start)
{
    return std::chrono::duration<double>(Clock::now() - start).count();
}

/// Forwards everything to the host's context and attaches the truth to every preview of the
/// reconstruction, with PSNR, RMSE and SSIM of iterates on the truth's grid (the metric curves of
/// the app). Asks for every iterate and measures RMSE and PSNR of each (a pass over the volume,
/// next to an iteration's passes over every view), and passes on only those the host wants, with
/// SSIM (its filtering on grids up to Preview::kPreviewSsimMaxVoxels).
class TruthMetricsContext final : public RunContext
{
public:
    TruthMetricsContext(RunContext& host, std::shared_ptr<const Volume> truth)
        : m_host(host), m_truth(std::move(truth)), m_truthHasContrast(hasContrast(*m_truth))
    {}

    [[nodiscard]] bool isCancelled() const override { return m_host.isCancelled(); }
    void reportProgress(std::size_t done, std::size_t total, std::string_view message) override
    {
        m_host.reportProgress(done, total, message);
    }
    [[nodiscard]] bool wantsPreviews() const override { return m_host.wantsPreviews(); }
    [[nodiscard]] bool wantsEveryIterate() const override { return true; }
    void publishPreview(Preview preview) override
    {
        preview.truth = m_truth;
        const bool onTruthGrid = preview.volume && preview.volume->grid() == m_truth->grid();
        if (preview.residual && onTruthGrid) {
            IterateMetrics measured;
            measured.rmse = rmse(*preview.volume, *m_truth);
            preview.rmse = measured.rmse;
            if (m_truthHasContrast) {
                measured.psnr = psnr(*preview.volume, *m_truth);
                preview.psnr = measured.psnr;
            }
            if (preview.iterate > 0) { // iterates count from 1
                m_iterates.resize(std::max(m_iterates.size(), preview.iterate));
                m_iterates[preview.iterate - 1] = measured;
            }
        }
        if (preview.residual && !m_host.wantsPreviews()) {
            return; // measured only: the host did not ask for this iterate
        }
        if (preview.residual && onTruthGrid && m_truthHasContrast &&
            m_truth->grid().voxelCount() <= Preview::kPreviewSsimMaxVoxels) {
            preview.ssim = ssim(*preview.volume, *m_truth);
        }
        m_host.publishPreview(std::move(preview));
    }

    /// The metrics of iterates 1 .. count (Preview::iterate), NaN where none were measured.
    [[nodiscard]] std::vector<IterateMetrics> iterates(std::size_t count) const
    {
        std::vector<IterateMetrics> out = m_iterates;
        out.resize(count);
        return out;
    }

private:
    RunContext& m_host;
    std::shared_ptr<const Volume> m_truth;
    bool m_truthHasContrast = false;        ///< psnr and ssim need it (an empty phantom has none)
    std::vector<IterateMetrics> m_iterates; ///< iterate k at k - 1
};
} // namespace

ImageMeta sceneMeta(const Scene& scene, std::string subtype)
{
    ImageMeta meta;
    meta.modality = Modality::CT;
    meta.subtype = std::move(subtype);
    meta.unit = scene.reconstruction.fbp.hu ? ValueUnit::Hu : ValueUnit::MuPerMm;
    meta.dictionary[std::string(meta_key::kScene)] = scene.name;
    meta.dictionary[std::string(meta_key::kAlgorithm)] = scene.algorithm();
    const nlohmann::json json = nlohmann::json::parse(toJson(scene));
    if (json.contains("reconstruction")) {
        meta.dictionary[std::string(meta_key::kParameters)] = json["reconstruction"].dump();
    }
    if (scene.reconstruction.fbp.hu) {
        meta.dictionary["tomoscope_mu_water_per_mm"] =
            formatValue(scene.reconstruction.fbp.muWater);
    }
    return meta;
}

namespace
{
// simulateScene for a validated scene whose phantom the caller already made (a phantom file is
// read once per run, not once per use).
SimulationResult simulateValidScene(const Scene& scene, const SceneObject& sceneObject,
                                    ComputeContext& compute, RunContext& ctx, bool keepReadings)
{
    const Geometry geometry = scene.geometry();
    const PhysicsSpec& physics = scene.physics;
    const std::size_t batch = scene.reconstruction.fbp.batchViews;
    const bool plain = physics.isIdeal() && !keepReadings;
    if (sceneObject.isVolume()) {
        // A CT volume is projected at its own resolution: there is nothing finer to rasterise
        // (Scene::validate refuses "analytic" for it).
        const Volume& mu = sceneObject.volume();
        if (plain) {
            const auto projector = makeProjector(ProjectorModel::Joseph, compute);
            return {forwardProject(*projector, mu, geometry, ctx, batch), std::nullopt, 1.0, 0,
                    physics.spectrum.energyKeV};
        }
        return simulateScan(mu, geometry, physics, compute, ctx, keepReadings, batch);
    }
    const Phantom& phantom = sceneObject.phantom();
    if (scene.simulation == "analytic") {
        // Exact line integrals through the moved scanner, then the detector (monochromatic at the
        // reference energy: Scene::validate refuses a spectrum that needs materials here).
        ProjectionStack exact =
            projectAnalytic(phantom, applyMotion(geometry, physics.motion), ctx, batch);
        std::vector<ProjectionStack> parts;
        parts.push_back(ProjectionStack::fromData(
            geometry, std::vector<float>(exact.data().begin(), exact.data().end())));
        if (plain) {
            return {std::move(parts.front()), std::nullopt, 1.0, 0, physics.spectrum.energyKeV};
        }
        return simulateDetector(parts, {findMaterial("water")}, physics, ctx, keepReadings);
    }
    const VolumeGrid grid = scene.reconstructionGrid();
    const std::size_t f = Scene::kSimulationOversampling;
    const std::size_t fz = grid.is2D() ? 1 : f;
    const auto& size = grid.size();
    const auto& spacing = grid.spacing();
    const VolumeGrid fine = VolumeGrid::centred({size[0] * f, size[1] * f, size[2] * fz},
                                                {spacing[0] / static_cast<double>(f),
                                                 spacing[1] / static_cast<double>(f),
                                                 spacing[2] / static_cast<double>(fz)});
    const Volume object = rasterise(phantom, fine, 2);
    ctx.throwIfCancelled();
    if (plain) {
        const auto projector = makeProjector(ProjectorModel::Joseph, compute);
        return {forwardProject(*projector, object, geometry, ctx, batch), std::nullopt, 1.0, 0,
                physics.spectrum.energyKeV};
    }
    const bool named = std::any_of(phantom.objects.begin(), phantom.objects.end(),
                                   [](const AnalyticObject& o) { return !o.material.empty(); });
    if (named && physics.needsMaterials()) {
        return simulateParts(
            splitMaterials(object, physics.materials, phantom, materialLabels(phantom, fine)),
            geometry, physics, compute, ctx, keepReadings, batch);
    }
    return simulateScan(object, geometry, physics, compute, ctx, keepReadings, batch);
}
} // namespace

SimulationResult simulateScene(const Scene& scene, ComputeContext& compute, RunContext& ctx,
                               bool keepReadings)
{
    scene.validate();
    return simulateValidScene(scene, SceneObject::load(scene), compute, ctx, keepReadings);
}

RunResult runScene(const Scene& scene, ComputeContext& compute, RunContext& ctx)
{
    scene.validate();
    const Geometry geometry = scene.geometry();
    const VolumeGrid grid = scene.reconstructionGrid();
    // Refuse what cannot be reconstructed before spending time on the simulation.
    if (scene.isIterative()) {
        checkProjectable(geometry, grid);
    } else {
        (void)planAnalytic(geometry, grid);
    }
    RunResult result;
    result.device = compute.device().label();

    const auto simulateStart = Clock::now();
    ctx.reportProgress(0, geometry.viewCount(),
                       scene.object.isVolume() ? "reading the volume" : "preparing the phantom");
    const SceneObject object = SceneObject::load(scene);
    ctx.throwIfCancelled();
    SimulationResult sim = simulateValidScene(scene, object, compute, ctx, false);
    result.starvedPixels = sim.starvedPixels;
    result.projections = std::make_shared<const ProjectionStack>(std::move(sim.lineIntegrals));
    result.simulateSeconds = secondsSince(simulateStart);

    // The truth in μ: a phantom with 4x4 samples per pixel in 2D, 2x2x2 per voxel in 3D (the
    // same count of samples per voxel edge as the simulation's fine grid), a volume resampled.
    // Made before the reconstruction so that its previews can be compared with it as they come.
    const auto truthMu = std::make_shared<const Volume>(object.sample(grid, grid.is2D() ? 4 : 2));
    TruthMetricsContext reconCtx(ctx, truthMu);

    const auto reconStart = Clock::now();
    const std::string algorithm = scene.algorithm();
    Volume reconstruction = [&] {
        if (!scene.isIterative()) {
            return algorithm == "fdk"
                       ? reconstructFdk(*result.projections, grid, scene.reconstruction.fbp,
                                        compute, reconCtx)
                       : reconstructFbp2D(*result.projections, grid, scene.reconstruction.fbp,
                                          compute, reconCtx);
        }
        IterativeResult iterative =
            reconstructIterative(*result.projections, grid, parseIterativeAlgorithm(algorithm),
                                 scene.reconstruction.iterative, compute, reconCtx);
        result.history = std::move(iterative.history);
        result.iterateMetrics = reconCtx.iterates(result.history.size());
        result.stopped = iterative.stopped;
        if (scene.reconstruction.fbp.hu) {
            convertToHu(iterative.volume, scene.reconstruction.fbp.muWater);
        }
        return std::move(iterative.volume);
    }();
    result.reconstructSeconds = secondsSince(reconStart);
    reconstruction.meta() = sceneMeta(scene, "reconstruction");
    result.reconstruction = std::make_shared<const Volume>(std::move(reconstruction));

    // The truth in the reconstruction's unit.
    Volume truth = *truthMu;
    if (scene.reconstruction.fbp.hu) {
        convertToHu(truth, scene.reconstruction.fbp.muWater);
    }
    truth.meta() = sceneMeta(scene, "phantom");
    truth.meta().dictionary.erase(std::string(meta_key::kAlgorithm));
    truth.meta().dictionary.erase(std::string(meta_key::kParameters));
    result.truth = std::make_shared<const Volume>(std::move(truth));
    result.rmse = rmse(*result.reconstruction, *result.truth);
    if (hasContrast(*result.truth)) {
        result.psnr = psnr(*result.reconstruction, *result.truth);
        result.ssim = ssim(*result.reconstruction, *result.truth);
    } else {
        result.psnr = std::numeric_limits<double>::quiet_NaN();
        result.ssim = std::numeric_limits<double>::quiet_NaN();
    }
    return result;
}

std::vector<std::filesystem::path> writeRunOutputs(const RunResult& result, const Scene& scene,
                                                   const std::filesystem::path& folder,
                                                   std::optional<std::pair<double, double>> window)
{
    if (window && !(window->second > window->first)) {
        throwInvalid("window", formatValue(window->first) + "," + formatValue(window->second),
                     "LOW,HIGH with HIGH above LOW");
    }
    std::error_code ec;
    std::filesystem::create_directories(folder, ec);
    if (ec || !std::filesystem::is_directory(folder)) {
        throw IoError("cannot create the output folder " + folder.string() + ": " +
                      (ec ? ec.message() : "a file of that name is in the way"));
    }
    std::vector<std::filesystem::path> written;
    const ProjectionStack& p = *result.projections;

    // Sinogram picture of the central detector row: u across, views down, window [0, max].
    const auto [pmin, pmax] = std::minmax_element(p.data().begin(), p.data().end());
    const VolumeGrid sinoGrid =
        VolumeGrid::make({p.columns(), p.views(), 1}, {1.0, 1.0, 1.0}, {0.0, 0.0, 0.0});
    std::vector<float> rows(p.columns() * p.views());
    const std::size_t centralRow = p.rows() / 2;
    for (std::size_t view = 0; view < p.views(); ++view) {
        const float* row = p.view(view).data() + centralRow * p.columns();
        std::copy(row, row + p.columns(),
                  rows.begin() + static_cast<std::ptrdiff_t>(view * p.columns()));
    }
    const Volume sinogram = Volume::fromData(sinoGrid, std::move(rows));
    written.push_back(folder / "sinogram.png");
    writePng(sinogram, 0, std::min(0.0, static_cast<double>(*pmin)),
             std::max(static_cast<double>(*pmax), 1e-12), written.back(), false);
    written.push_back(folder / "sinogram.nii.gz");
    ImageMeta projectionMeta;
    projectionMeta.dictionary[std::string(meta_key::kScene)] = scene.name;
    writeProjections(p, written.back(), projectionMeta);

    // Reconstruction picture on the truth's range, so over- and undershoots clip visibly.
    const auto [tmin, tmax] =
        std::minmax_element(result.truth->data().begin(), result.truth->data().end());
    written.push_back(folder / "reconstruction.png");
    // The central slice of a volume.
    const double low = window ? window->first : *tmin;
    const double high = window ? window->second : std::max(*tmax, *tmin + 1e-12f);
    writePng(*result.reconstruction, result.reconstruction->grid().size()[2] / 2, low, high,
             written.back());
    written.push_back(folder / "reconstruction.nii.gz");
    writeVolume(*result.reconstruction, written.back());
    written.push_back(folder / "truth.nii.gz");
    writeVolume(*result.truth, written.back());

    nlohmann::json metrics = {{"scene", scene.name},
                              {"device", result.device},
                              {"rmse_per_mm", result.rmse},
                              {"psnr_db", result.psnr},
                              {"ssim", result.ssim},
                              {"simulate_seconds", result.simulateSeconds},
                              {"reconstruct_seconds", result.reconstructSeconds},
                              {"starved_pixels", result.starvedPixels},
                              {"tomoscope_version", TOMO_VERSION}};
    metrics["algorithm"] = scene.algorithm();
    if (!result.history.empty()) {
        nlohmann::json history = nlohmann::json::array();
        for (std::size_t i = 0; i < result.history.size(); ++i) {
            const IterationRecord& r = result.history[i];
            nlohmann::json record = {{"iteration", r.iteration},
                                     {"residual", r.residual},
                                     {"seconds", r.seconds},
                                     {"level", r.level}};
            if (i < result.iterateMetrics.size()) {
                // The iterate in μ against the truth in μ; NaN (written as null) where not
                // measured: a coarser multi-resolution level, a constant truth.
                record["rmse_per_mm"] = result.iterateMetrics[i].rmse;
                record["psnr_db"] = result.iterateMetrics[i].psnr;
            }
            history.push_back(record);
        }
        metrics["iterations"] = history;
        metrics["stopped_early"] = result.stopped;
    }
    written.push_back(folder / "metrics.json");
    const std::string text = metrics.dump(2) + "\n";
    detail::writeTextAtomically(written.back(), text);
    return written;
}
} // namespace tomo
