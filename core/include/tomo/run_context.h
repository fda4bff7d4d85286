#pragma once

#include "tomo/projections.h"
#include "tomo/volume.h"

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace tomo
{
/// An immutable snapshot of work in progress, published at safe points. Any member may be
/// empty. Receivers may keep the pointers as long as they like; nobody writes through them.
struct Preview
{
    /// Projections so far; views [0, viewsDone) hold final values. Read nothing else: the
    /// previews of one stage share one buffer (ProjectionPreviews copies each view once), and
    /// the producer may be writing the later views while a receiver holds the snapshot.
    std::shared_ptr<const ProjectionStack> projections;
    std::size_t viewsDone = 0;
    /// The current volume estimate (a partial backprojection, an iterate).
    std::shared_ptr<const Volume> volume;
    /// Iterative methods: the relative data residual ‖Ax − b‖/‖b‖ of `volume`.
    std::optional<double> residual;
    /// Iterative methods: iterations finished so far, counting every level of a
    /// multi-resolution run (1 for the first iterate); 0 otherwise.
    std::size_t iterate = 0;
    /// runScene: the phantom rasterised on the reconstruction grid (μ, mm⁻¹), the truth the
    /// estimate is compared with; set on every preview of the reconstruction stage.
    std::shared_ptr<const Volume> truth;
    /// runScene, iterative methods: PSNR (dB) and RMSE (mm⁻¹) of `volume` against `truth`, where
    /// `volume` lies on the truth's grid (not on the coarse levels of a multi-resolution run).
    std::optional<double> psnr;
    std::optional<double> rmse;
    /// runScene, iterative methods: SSIM (metrics.h) of `volume` against `truth`, where PSNR is
    /// given and the grid has at most kPreviewSsimMaxVoxels voxels (SSIM filters the volume ten
    /// times; on larger grids it would slow every iteration down noticeably).
    std::optional<double> ssim;
    /// 2²⁰ voxels: 1024² in 2D, about 101³ in 3D. Measured on a two-core development machine
    /// (2026-11-21): SSIM of 101³ takes 0.25–0.31 s, of 1024² 0.20–0.23 s, of 160³ 1.2 s.
    static constexpr std::size_t kPreviewSsimMaxVoxels = std::size_t{1} << 20;
    /// What produced the snapshot ("forward projection", "backprojection", ...).
    std::string stage;
};

/// What long-running core work uses to talk to its host (STYLE.md B.4): cancel, progress and
/// live previews. No Qt, no threads: the host decides how to deliver them. Implementations must
/// allow calls from the worker thread that runs the algorithm; isCancelled() may be called from
/// any thread.
class RunContext
{
public:
    virtual ~RunContext();

    /// True once the host asked the work to stop.
    [[nodiscard]] virtual bool isCancelled() const = 0;

    /// Throws Cancelled if isCancelled().
    void throwIfCancelled() const;

    /// `done` of `total` units of the current stage; `message` names the stage.
    virtual void reportProgress(std::size_t done, std::size_t total, std::string_view message) = 0;

    /// Publishes a snapshot; the default drops it.
    virtual void publishPreview(Preview preview);

    /// Whether publishPreview does anything with a snapshot. Producers skip building one (a copy
    /// of the whole projection stack or volume) when it does not; the default is false, as the
    /// default publishPreview drops everything.
    [[nodiscard]] virtual bool wantsPreviews() const { return false; }

    /// Whether an iterative reconstruction publishes every iterate (a copy of the estimate and
    /// its residual), whatever wantsPreviews says: for contexts that measure each one (runScene's
    /// PSNR per iteration) and pass on to their host only what it wants. The default is false.
    [[nodiscard]] virtual bool wantsEveryIterate() const { return false; }
};

/// Previews of a projection stack that its producer fills batch by batch (a forward projection,
/// a simulated scan). Copying the whole partial stack at every preview would cost the worker a
/// full stack per preview (221 MB for 1080 views of 256 x 200); instead every preview of the
/// stage shares one buffer, into which each view is copied once, when the first preview after
/// it is published. The producer's own stack stays private, so it may be changed afterwards
/// (noise, a log transform) without touching what receivers hold.
class ProjectionPreviews
{
public:
    /// `stage` names the snapshots ("forward projection").
    ProjectionPreviews(RunContext& ctx, std::string stage);

    /// If the host wants a preview now: copies views [copied so far, viewsDone) of `partial`
    /// into the shared buffer and publishes it. A `viewsDone` below one published before counts
    /// as that one; `partial` must keep its geometry for the life of this object.
    void publish(const ProjectionStack& partial, std::size_t viewsDone);

private:
    RunContext& m_ctx;
    std::string m_stage;
    std::shared_ptr<ProjectionStack> m_buffer;
    std::size_t m_copied = 0; ///< views of m_buffer that hold final values
};

/// Never cancelled; drops progress and previews. For tests and library callers that need none.
class NullRunContext final : public RunContext
{
public:
    [[nodiscard]] bool isCancelled() const override { return false; }
    void reportProgress(std::size_t, std::size_t, std::string_view) override {}
};
} // namespace tomo
