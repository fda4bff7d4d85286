#pragma once

#include "tomo/compute.h"
#include "tomo/projections.h"
#include "tomo/projector.h"
#include "tomo/run_context.h"
#include "tomo/volume.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

namespace tomo
{
/// The iterative reconstruction algorithms (docs/iterative.md). A is the system matrix of the
/// chosen ray-driven projector (IterativeOptions::projector), b the projections, x the volume.
enum class IterativeAlgorithm
{
    /// Simultaneous iterative reconstruction: x += λ·C·Aᵀ·R·(b − Ax), R = 1/(A·1) per ray,
    /// C = 1/(Aᵀ·1) per voxel (Gilbert 1972; the weighting of Andersen & Kak's SART).
    Sirt,
    /// SART (Andersen & Kak 1984): OS-SART with one view per subset.
    Sart,
    /// Ordered-subset SART (Wang & Jiang 2004): the SIRT update over one subset of views at a
    /// time, with the subset's own column sums.
    OsSart,
    /// Conjugate gradients on the normal equations AᵀAx = Aᵀb (Hestenes & Stiefel 1952; the
    /// CGLS form of Björck 1996). No non-negativity: a projection would break the Krylov
    /// recurrences.
    Cgls,
    /// Maximum-likelihood expectation maximisation (Shepp & Vardi 1982):
    /// x ← x / (Aᵀ1) · Aᵀ(b / Ax). Needs non-negative data; keeps x ≥ 0.
    Mlem,
    /// Ordered-subset EM (Hudson & Larkin 1994): the MLEM update per subset of views.
    Osem,
    /// FISTA (Beck & Teboulle 2009) on ½‖Ax − b‖²/L + λ_TV·TV(x) with x ≥ 0: a gradient step of
    /// length 1/L, then the TV proximal map by FGP (Beck & Teboulle, IEEE TIP 18(11), 2009).
    FistaTv,
    /// TV-POCS (Sidky, Kao & Pan 2006): an OS-SART sweep, positivity, then tvIterations steps of
    /// steepest descent on TV, of total length α times the change the data step made.
    TvPocs,
    /// ASD-POCS (Sidky & Pan 2008): TV-POCS whose TV step length adapts (α, αReduction, rMax,
    /// ε).
    AsdPocs,
    /// AwTV-POCS (Liu et al. 2012): ASD-POCS with the adaptive-weighted TV, neighbour weights
    /// exp(−(Δ/δ)²).
    AwtvPocs,
};

/// "sirt", "sart", "os-sart", "cgls", "mlem", "osem", "fista-tv", "tv-pocs", "asd-pocs",
/// "awtv-pocs".
[[nodiscard]] std::string_view toString(IterativeAlgorithm algorithm);
/// Parses the names toString gives. Throws InvalidArgument naming `field` and listing them
/// otherwise.
[[nodiscard]] IterativeAlgorithm parseIterativeAlgorithm(std::string_view text,
                                                         std::string_view field = "algorithm");

/// How the views are split into subsets and in which order the subsets are visited.
enum class SubsetOrder
{
    /// Subset s holds a contiguous block of views; subsets are visited 0, 1, 2, …
    Sequential,
    /// Subset s holds the views k with k mod S = s (each subset spans the whole orbit); subsets
    /// are visited in bit-reversed order (0, S/2, S/4, 3S/4, …) so consecutive ones lie far
    /// apart in angle.
    Interleaved,
    /// Interleaved membership, visited in a new random order every iteration, drawn from
    /// std::mt19937_64 seeded with IterativeOptions::seed (the same on every platform).
    Random,
};

[[nodiscard]] std::string_view toString(SubsetOrder order);
/// Parses "sequential", "interleaved" or "random"; throws InvalidArgument naming `field`.
[[nodiscard]] SubsetOrder parseSubsetOrder(std::string_view text,
                                           std::string_view field = "subset_order");

/// Parameters of reconstructIterative. Each default is stated here only; docs/iterative.md
/// refers to these members. Fields an algorithm does not use are ignored by it.
struct IterativeOptions
{
    /// Full passes over the data (each pass visits every subset once).
    std::size_t iterations = 20;
    /// λ of the SIRT/SART family and of the POCS data step, in (0, 2).
    double relaxation = 1.0;
    /// The POCS family multiplies λ by this after every iteration (β_red of Sidky & Pan), in
    /// (0, 1].
    double relaxationReduction = 0.99;
    /// Clamp negative voxels to 0 after every update (SIRT family, POCS family). CGLS ignores
    /// it; MLEM/OSEM are non-negative by construction and FISTA-TV always projects.
    bool nonNegative = true;
    /// Subsets of views for OS-SART, OSEM and the POCS data step; more than the number of views
    /// means one view per subset. SART always uses one view per subset.
    std::size_t subsets = 10;
    SubsetOrder order = SubsetOrder::Interleaved;
    std::uint64_t seed = 0; ///< for SubsetOrder::Random
    /// Joseph or Siddon (the ray-driven models with an exact transpose).
    ProjectorModel projector = ProjectorModel::Joseph;

    // TV family. TV(x) = Σ_v ‖∇x(v)‖₂ with forward differences between neighbouring voxels (in
    // voxel units, spacing not applied); 3D on grids with nz > 1, 2D on nz = 1.
    /// FISTA-TV: λ_TV of the objective ½‖Ax − b‖²/L + λ_TV·TV(x), in the unit of the image
    /// (mm⁻¹): each step's TV proximal map is TV denoising with this weight. Dividing the data
    /// term by L (the Lipschitz constant of AᵀA) makes the weight independent of the number of
    /// views and of the ray lengths. The default suits μ of soft tissue (~0.02 mm⁻¹); measured on
    /// the sparse-view test (30 views, 128²): 3e-6 gives 28.6 dB, 1e-5 gives 32, 1e-4 gives 22.7.
    double tvWeight = 1.0e-5;
    /// Inner iterations: FGP steps of the FISTA-TV proximal map, TV steepest-descent steps of
    /// the POCS family (n_g of Sidky & Pan).
    std::size_t tvIterations = 20;
    /// POCS family: TV step length as a fraction of the data step's change (α of Sidky & Pan).
    /// Sidky & Pan suggest 0.2 for ray-by-ray ART; after an OS-SART sweep from zeros the first
    /// change is the whole image, and ASD-POCS, which fixes the step from it, reached only
    /// 20.5 dB after 50 iterations on the sparse-view test with 0.2 against 31.8 dB with
    /// 0.002 (TIGRE's default too). TV-POCS: 29.8 and 29.0 dB.
    double alpha = 0.002;
    /// ASD-POCS, AwTV-POCS: factor applied to the TV step when TV outweighs the data step
    /// (α_red), in (0, 1].
    double alphaReduction = 0.95;
    /// ASD-POCS, AwTV-POCS: largest accepted ratio of TV change to data change (r_max), > 0.
    double rMax = 0.95;
    /// ASD-POCS, AwTV-POCS: data tolerance ε as a relative residual ‖Ax − b‖/‖b‖: the TV step
    /// is shortened only while the residual is above it. ≥ 0.
    double epsilon = 0.0;
    /// AwTV-POCS: δ of the weights exp(−(Δ/δ)²) in the image's unit (mm⁻¹): neighbour
    /// differences well above δ count little, so edges of that contrast are kept. > 0.
    double delta = 5.0e-4;

    /// Warm start: the first estimate (on the reconstruction grid). Null: zeros (MLEM and OSEM:
    /// a constant with the data's total attenuation; a voxel that starts at 0 stays 0 there).
    std::shared_ptr<const Volume> initial;
    /// Reconstruct first on coarser grids (each axis above 64 voxels halved, rounding up, with
    /// the same extent, until no axis exceeds 64), each level running `iterations` iterations
    /// warm-started from the previous one by trilinear prolongation, then on the full grid. A
    /// coarse level works on the projections binned to it: detector pixels of about its voxel
    /// size at the isocentre, and every k-th view so that two views per voxel across remain.
    /// The first image of SIRT on 256³ from 360 views of 256² arrived after 0.47 s on two
    /// cores (bench/recon_bench.cpp; 13.7 s before the binning). Cannot be combined with
    /// `initial`.
    bool multiResolution = false;

    /// Throws InvalidArgument naming the first field out of range ("reconstruction.<field>"),
    /// its value and what is accepted.
    void validate() const;
};

/// One completed iteration.
struct IterationRecord
{
    std::size_t iteration = 0; ///< 1-based within its level
    /// ‖Ax − b‖₂ / ‖b‖₂ of the estimate after this iteration (0/0 counts as 0).
    double residual = 0.0;
    double seconds = 0.0; ///< wall time from the start of reconstructIterative
    /// Multi-resolution level: 0 is the requested grid, 1 the grid halved once, …
    std::size_t level = 0;
};

struct IterativeResult
{
    Volume volume; ///< on the requested grid, μ in mm⁻¹
    /// One record per completed iteration, coarse levels first.
    std::vector<IterationRecord> history;
    /// True when the RunContext was cancelled: `volume` is then the last complete iterate
    /// (prolonged to the requested grid if a coarse level was running), or the starting
    /// estimate if no iteration had completed.
    bool stopped = false;
};

/// Reconstructs `projections` (line integrals of any beam the projectors support) on `grid`
/// with `algorithm`, on the backend of `compute`. Volume arithmetic runs on the host.
///
/// Every subset or iteration it reports progress; after every iteration it appends to the
/// history and, if ctx.wantsPreviews(), publishes a copy of the estimate with the residual and
/// a stage such as "SIRT iteration 3/20, residual 0.0123".
///
/// Stop and keep (DESIGN.md §6): cancellation is polled at subset and iteration boundaries and
/// never throws; the result then carries stopped = true and the last complete iterate.
///
/// Throws InvalidArgument if options.validate() does, if the projector cannot map `grid` to the
/// geometry, if a projection value is not finite (naming the view, row and column), if MLEM or
/// OSEM get a negative projection value, or if options.initial is not on `grid`; DeviceError
/// from the OpenCL backend.
///
/// Tests: tests/core/iterative_test.cpp (convergence, quality, stop and keep, warm start,
/// multi-resolution, errors), tests/ocl/iterative_cl_test.cpp (cpu against opencl).
/// docs/iterative.md describes every algorithm and parameter.
[[nodiscard]] IterativeResult reconstructIterative(const ProjectionStack& projections,
                                                   const VolumeGrid& grid,
                                                   IterativeAlgorithm algorithm,
                                                   const IterativeOptions& options,
                                                   ComputeContext& compute, RunContext& ctx);
} // namespace tomo
