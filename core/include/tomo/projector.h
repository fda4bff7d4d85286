#pragma once

#include "tomo/compute.h"
#include "tomo/projections.h"
#include "tomo/run_context.h"
#include "tomo/volume.h"

#include <cstddef>
#include <memory>
#include <string_view>

namespace tomo
{
/// The discretisation a projector uses.
enum class ProjectorModel
{
    /// Ray-driven, Joseph (1982): one sample per voxel slice along the dominant axis with linear
    /// (2D) or bilinear (3D) interpolation across it; back() is the exact transpose of
    /// forward(): the forward ray loop with every read turned into an addition, into one volume
    /// per thread on the CPU and with atomic additions on OpenCL (sums agree to float rounding).
    Joseph,
    /// Ray-driven, Siddon (1985): the exact length of the ray's chord through every voxel it
    /// crosses (the incremental traversal of Amanatides & Woo); back() is its exact transpose,
    /// computed like Joseph's.
    Siddon,
    /// Voxel-driven backprojection, the operator FBP and FDK use: each voxel centre is projected
    /// onto the detector, the projection is interpolated (bi)linearly there and multiplied by the
    /// distance weight (D/L)², where for a flat detector L and D are the depths of the voxel and
    /// of the isocentre (the world origin) along the detector normal from the source, and for a
    /// cylindrical one their distances from the source across the cylinder's axis (Kak & Slaney
    /// eqs. 3.118, 3.131; Feldkamp et al. 1984); the weight is 1 for parallel beams. It has no
    /// forward operator and is not the adjoint of any projector.
    VoxelDriven,
};

[[nodiscard]] std::string_view toString(ProjectorModel model);
/// Parses "joseph", "siddon" or "voxel-driven"; throws InvalidArgument naming `field` otherwise.
[[nodiscard]] ProjectorModel parseProjectorModel(std::string_view text,
                                                 std::string_view field = "projector");

/// A caller's promise that a volume stays as it is (Projector::hold); what a backend keeps of the
/// volume meanwhile goes when the hold does.
class VolumeHold
{
public:
    VolumeHold() = default;
    VolumeHold(const VolumeHold&) = delete;
    VolumeHold& operator=(const VolumeHold&) = delete;
    virtual ~VolumeHold();
};

/// A linear operator between volumes on one grid and projections of one geometry.
/// Supported: 2D parallel and fan beams on 2D grids (nz = 1), 3D parallel and cone beams, flat
/// and cylindrical detectors, axis-aligned grids.
class Projector
{
public:
    virtual ~Projector();

    [[nodiscard]] virtual ProjectorModel model() const = 0;
    [[nodiscard]] virtual Backend backend() const = 0;
    /// True if back() is the exact transpose of forward().
    [[nodiscard]] virtual bool isMatched() const = 0;
    [[nodiscard]] virtual bool hasForward() const = 0;

    /// Writes the projections of views [firstView, firstView + count) of out.geometry() into
    /// `out` (other views untouched). Throws InvalidArgument if the model has no forward
    /// operator or the volume's grid or the view range does not fit.
    virtual void forward(const Volume& volume, ProjectionStack& out, std::size_t firstView,
                         std::size_t count) const = 0;

    /// Adds the backprojection of views [firstView, firstView + count) of `projections`, each
    /// multiplied by `weight`, into `volume`. Throws InvalidArgument if the range does not fit.
    virtual void backAccumulate(const ProjectionStack& projections, std::size_t firstView,
                                std::size_t count, float weight, Volume& volume) const = 0;

    /// Promises that `volume` (this object) is neither changed nor destroyed while the returned
    /// hold lives, so that forward() calls on it meanwhile may share one copy of it where the
    /// backend makes one: the OpenCL projectors keep it in device memory, in the layout their
    /// kernels read, instead of copying it for every call (forwardProject holds its volume
    /// across its batches). The copy takes the place of the one volume slab the device holds
    /// (DESIGN.md §5): a backAccumulate() call frees it first, and the next forward() makes it
    /// again. Only the latest hold is used. The hold may outlive the projector. The CPU
    /// projectors copy nothing and return a hold that does nothing.
    [[nodiscard]] virtual std::unique_ptr<VolumeHold> hold(const Volume& volume) const;
};

/// A projector of `model` on the backend of `compute`. The context must outlive the projector.
/// Throws InvalidArgument if the model is not available on that backend.
[[nodiscard]] std::unique_ptr<Projector> makeProjector(ProjectorModel model,
                                                       ComputeContext& compute);

/// Checks that `projector` can map between `grid` and `geometry`; throws InvalidArgument naming
/// the beam type or grid size that is not supported yet.
void checkProjectable(const Geometry& geometry, const VolumeGrid& grid);

/// Forward projects every view of `geometry`, in batches of `batchViews` views, holding `volume`
/// (Projector::hold) throughout. After each batch it reports progress and publishes the partial
/// projections (Preview::projections/viewsDone).
/// Throws Cancelled between batches when ctx is cancelled, InvalidArgument as forward() does.
[[nodiscard]] ProjectionStack forwardProject(const Projector& projector, const Volume& volume,
                                             const Geometry& geometry, RunContext& ctx,
                                             std::size_t batchViews = 16);

/// The transpose (for matched models) of forwardProject: every view backprojected with weight 1.
[[nodiscard]] Volume backProject(const Projector& projector, const ProjectionStack& projections,
                                 const VolumeGrid& grid, RunContext& ctx,
                                 std::size_t batchViews = 16);
} // namespace tomo
