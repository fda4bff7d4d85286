// Forward projection (rays/s, ray-samples/s) and backprojection (GUPS) of the 2D operators on
// the CPU backend and on the first OpenCL device, Shepp-Logan on an n² grid, n·√2 columns,
// `views` views over 180°. Labels carry the device. Programs are built and caches warmed before
// the timed loop; the OpenCL figures include host<->device copies of each batch, which is how
// the operators run today (names say WithTransfer).
//
//   build/ci/bench/tomo_projector_bench --benchmark_out=bench.json --benchmark_out_format=json
#include "bench_support.h"
#include "project/projector_impl.h"
#include "tomo/compute.h"
#include "tomo/phantom.h"
#include "tomo/projector.h"
#include "tomo/trajectory.h"

#include <benchmark/benchmark.h>

#include <cmath>
#include <memory>
#include <numbers>

namespace
{
using namespace tomo;

struct Problem
{
    Geometry geometry;
    Volume volume;
    ProjectionStack projections;
};

Problem makeProblem(std::size_t n, std::size_t views)
{
    const double spacing = 200.0 / static_cast<double>(n);
    const auto columns = static_cast<std::size_t>(std::ceil(static_cast<double>(n) * 1.42));
    const Geometry g = Geometry::circular(
        BeamType::Parallel2D, {.columns = columns, .rows = 1, .pixelU = spacing, .pixelV = spacing},
        {.views = views, .angularRange = std::numbers::pi});
    const VolumeGrid grid = VolumeGrid::centred({n, n, 1}, {spacing, spacing, spacing});
    Volume v = rasterise(sheppLogan2D(SheppLoganVariant::Modified, 100.0, 0.02), grid, 1);
    ProjectionStack p = ProjectionStack::zeros(g);
    return {g, std::move(v), std::move(p)};
}

// Cone beam, circular orbit (SID 1000 mm, SDD 1500 mm as in issue 4), an n³ grid of 1 mm voxels
// of 0.02 mm⁻¹, and `views` views of a detector of side² pixels of `pixelMm`.
Problem makeConeProblem(std::size_t n, std::size_t views, std::size_t side, double pixelMm,
                        double tiltAboutU = 0.0)
{
    const Detector detector{.columns = side, .rows = side, .pixelU = pixelMm, .pixelV = pixelMm};
    TrajectorySpec orbit;
    orbit.views = views;
    orbit.angularRange = 2.0 * std::numbers::pi;
    orbit.sourceIsocentre = 1000.0;
    orbit.sourceDetector = 1500.0;
    orbit.tilt.aboutU = tiltAboutU;
    // Untilted: Geometry::circular, as the figures recorded before the tilted problem came.
    const Geometry g = tiltAboutU == 0.0
                           ? Geometry::circular(BeamType::Cone3D, detector,
                                                {.views = views,
                                                 .angularRange = orbit.angularRange,
                                                 .sourceIsocentre = orbit.sourceIsocentre,
                                                 .sourceDetector = orbit.sourceDetector})
                           : makeGeometry(BeamType::Cone3D, detector, orbit);
    const VolumeGrid grid = VolumeGrid::centred({n, n, n}, {1.0, 1.0, 1.0});
    Volume v = Volume::zeros(grid);
    std::fill(v.data().begin(), v.data().end(), 0.02f);
    return {g, std::move(v), ProjectionStack::zeros(g)};
}

// The problem issue 4 names: n² pixels of 1.5 mm (1 mm, one voxel, at the isocentre).
Problem makeConeProblem(std::size_t n, std::size_t views)
{
    return makeConeProblem(n, views, n, 1.5);
}

// A detector twice as coarse: (n/2)² pixels of 3 mm (2 mm, two voxels, at the isocentre), as
// when the volume is finer than the detector (a simulation grid oversampled against its
// detector). Eight neighbouring rows then spread over about fourteen z-slices, more than the
// Joseph column path's window.
Problem makeConeCoarseRowsProblem(std::size_t n, std::size_t views)
{
    return makeConeProblem(n, views, n / 2, 3.0);
}

// A detector twice as fine: (2n)² pixels of 0.75 mm (0.5 mm at the isocentre), as when a flat
// panel's pixels are finer than the voxels reconstructed from it. Eight z-neighbouring voxels
// then spread over about fourteen detector rows, more than the voxel-driven column path's
// window.
Problem makeConeFineRowsProblem(std::size_t n, std::size_t views)
{
    return makeConeProblem(n, views, 2 * n, 0.75);
}

// The detector tilted 3° about its u axis, as a flat panel's calibration finds it: its rows no
// longer run along z, and the voxel-driven backprojection takes its general row path (addRow in
// voxel3d_avx2.cpp) instead of the column path.
Problem makeConeTiltedProblem(std::size_t n, std::size_t views)
{
    constexpr double kTilt = 3.0 * std::numbers::pi / 180.0;
    return makeConeProblem(n, views, n, 1.5, kTilt);
}

// The problem and label of a benchmark: 2D parallel (n², views) or cone (n³, views of n²).
using MakeProblem = Problem (*)(std::size_t n, std::size_t views);

std::string label(const ComputeContext& compute, bool cone, std::size_t n,
                  const ProjectionStack& projections)
{
    const std::string size = std::to_string(n);
    const std::string views = std::to_string(projections.views());
    return compute.device().label() + ", " +
           (cone ? "cone " + size + "^3, " + views + " views of " +
                       std::to_string(projections.columns()) + "x" +
                       std::to_string(projections.rows())
                 : size + "^2 grid, " + views + " views");
}

// Which OpenCL kernel set (detail::OpenClKernels) a benchmark times: the one the device's type
// picks, or the other one (one work-item per voxel or ray, the GPUs', on a CPU device; the
// explicit-vector kernels of CPU devices on a GPU).
enum class KernelSet
{
    DevicesOwn,
    Other,
};

// The projector of `model` on the context with that set, and its label's prefix.
std::unique_ptr<Projector> projectorFor(ProjectorModel model, ComputeContext& compute,
                                        KernelSet set, std::string& prefix)
{
    if (set == KernelSet::DevicesOwn) {
        prefix.clear();
        return makeProjector(model, compute);
    }
    const bool cpu = compute.device().type == "CPU";
    prefix = cpu ? "one work-item per voxel or ray, " : "explicit-vector kernel, ";
    return detail::makeOpenClProjector(model, compute,
                                       cpu ? detail::OpenClKernels::PerItem
                                           : detail::OpenClKernels::ExplicitVectors);
}

void forward(benchmark::State& state, Backend backend, ProjectorModel model, MakeProblem make,
             bool cone, KernelSet set = KernelSet::DevicesOwn)
{
    auto compute = bench::contextOrSkip(state, backend);
    if (!compute) {
        return;
    }
    const auto n = static_cast<std::size_t>(state.range(0));
    const auto views = static_cast<std::size_t>(state.range(1));
    Problem problem = make(n, views);
    std::string prefix;
    const auto projector = projectorFor(model, *compute, set, prefix);
    projector->forward(problem.volume, problem.projections, 0, 1); // build and warm up
    for (auto _ : state) {
        projector->forward(problem.volume, problem.projections, 0, views);
        benchmark::DoNotOptimize(problem.projections.data().data());
    }
    const double rays = static_cast<double>(views * problem.projections.pixelsPerView());
    state.counters["rays_per_s"] =
        benchmark::Counter(rays, benchmark::Counter::kIsIterationInvariantRate);
    // Samples per ray counted as n (one per voxel slice for Joseph; Siddon visits up to 3n).
    state.counters["ray_samples_per_s"] = benchmark::Counter(
        rays * static_cast<double>(n), benchmark::Counter::kIsIterationInvariantRate);
    state.SetLabel(prefix + label(*compute, cone, n, problem.projections));
}

void back(benchmark::State& state, Backend backend, ProjectorModel model, MakeProblem make,
          bool cone, KernelSet set = KernelSet::DevicesOwn)
{
    auto compute = bench::contextOrSkip(state, backend);
    if (!compute) {
        return;
    }
    const auto n = static_cast<std::size_t>(state.range(0));
    const auto views = static_cast<std::size_t>(state.range(1));
    Problem problem = make(n, views);
    std::fill(problem.projections.data().begin(), problem.projections.data().end(), 1.0f);
    std::string prefix;
    const auto projector = projectorFor(model, *compute, set, prefix);
    projector->backAccumulate(problem.projections, 0, 1, 1.0f, problem.volume);
    for (auto _ : state) {
        projector->backAccumulate(problem.projections, 0, views, 1.0f, problem.volume);
        benchmark::DoNotOptimize(problem.volume.data().data());
    }
    state.counters["GUPS"] =
        benchmark::Counter(static_cast<double>(problem.volume.data().size() * views) * 1e-9,
                           benchmark::Counter::kIsIterationInvariantRate);
    state.SetLabel(prefix + label(*compute, cone, n, problem.projections));
}

void BM_ForwardProjectJoseph_Cpu(benchmark::State& s)
{
    forward(s, Backend::Cpu, ProjectorModel::Joseph, makeProblem, false);
}
void BM_ForwardProjectJoseph_OpenCL_WithTransfer(benchmark::State& s)
{
    forward(s, Backend::OpenCL, ProjectorModel::Joseph, makeProblem, false);
}
void BM_ForwardProjectSiddon_Cpu(benchmark::State& s)
{
    forward(s, Backend::Cpu, ProjectorModel::Siddon, makeProblem, false);
}
void BM_ForwardProjectSiddon_OpenCL_WithTransfer(benchmark::State& s)
{
    forward(s, Backend::OpenCL, ProjectorModel::Siddon, makeProblem, false);
}
void BM_ForwardProjectSiddonCone_Cpu(benchmark::State& s)
{
    forward(s, Backend::Cpu, ProjectorModel::Siddon, makeConeProblem, true);
}
void BM_ForwardProjectSiddonCone_OpenCL_WithTransfer(benchmark::State& s)
{
    forward(s, Backend::OpenCL, ProjectorModel::Siddon, makeConeProblem, true);
}
void BM_BackprojectVoxel_Cpu(benchmark::State& s)
{
    back(s, Backend::Cpu, ProjectorModel::VoxelDriven, makeProblem, false);
}
void BM_BackprojectVoxel_OpenCL_WithTransfer(benchmark::State& s)
{
    back(s, Backend::OpenCL, ProjectorModel::VoxelDriven, makeProblem, false);
}
void BM_BackprojectJosephAdjoint_Cpu(benchmark::State& s)
{
    back(s, Backend::Cpu, ProjectorModel::Joseph, makeProblem, false);
}
void BM_BackprojectJosephAdjoint_OpenCL_WithTransfer(benchmark::State& s)
{
    back(s, Backend::OpenCL, ProjectorModel::Joseph, makeProblem, false);
}

void BM_ForwardProjectJosephCone_Cpu(benchmark::State& s)
{
    forward(s, Backend::Cpu, ProjectorModel::Joseph, makeConeProblem, true);
}
void BM_ForwardProjectJosephCone_OpenCL_WithTransfer(benchmark::State& s)
{
    forward(s, Backend::OpenCL, ProjectorModel::Joseph, makeConeProblem, true);
}
void BM_BackprojectJosephAdjointCone_Cpu(benchmark::State& s)
{
    back(s, Backend::Cpu, ProjectorModel::Joseph, makeConeProblem, true);
}
void BM_BackprojectJosephAdjointCone_OpenCL_WithTransfer(benchmark::State& s)
{
    back(s, Backend::OpenCL, ProjectorModel::Joseph, makeConeProblem, true);
}
void BM_ForwardProjectJosephConeCoarseRows_Cpu(benchmark::State& s)
{
    forward(s, Backend::Cpu, ProjectorModel::Joseph, makeConeCoarseRowsProblem, true);
}
void BM_BackprojectJosephAdjointConeCoarseRows_Cpu(benchmark::State& s)
{
    back(s, Backend::Cpu, ProjectorModel::Joseph, makeConeCoarseRowsProblem, true);
}
void BM_BackprojectVoxelConeTilted_Cpu(benchmark::State& s)
{
    back(s, Backend::Cpu, ProjectorModel::VoxelDriven, makeConeTiltedProblem, true);
}
void BM_BackprojectVoxelConeFineRows_Cpu(benchmark::State& s)
{
    back(s, Backend::Cpu, ProjectorModel::VoxelDriven, makeConeFineRowsProblem, true);
}
void BM_BackprojectVoxelCone_Cpu(benchmark::State& s)
{
    back(s, Backend::Cpu, ProjectorModel::VoxelDriven, makeConeProblem, true);
}
void BM_BackprojectVoxelCone_OpenCL_WithTransfer(benchmark::State& s)
{
    back(s, Backend::OpenCL, ProjectorModel::VoxelDriven, makeConeProblem, true);
}
void BM_BackprojectVoxelConeOtherKernel_OpenCL_WithTransfer(benchmark::State& s)
{
    back(s, Backend::OpenCL, ProjectorModel::VoxelDriven, makeConeProblem, true, KernelSet::Other);
}
void BM_BackprojectVoxelOtherKernel_OpenCL_WithTransfer(benchmark::State& s)
{
    back(s, Backend::OpenCL, ProjectorModel::VoxelDriven, makeProblem, false, KernelSet::Other);
}
void BM_ForwardProjectJosephConeOtherKernel_OpenCL_WithTransfer(benchmark::State& s)
{
    forward(s, Backend::OpenCL, ProjectorModel::Joseph, makeConeProblem, true, KernelSet::Other);
}
void BM_BackprojectVoxelConeTilted_OpenCL_WithTransfer(benchmark::State& s)
{
    back(s, Backend::OpenCL, ProjectorModel::VoxelDriven, makeConeTiltedProblem, true);
}

#define TOMO_BENCH_SIZES(name)                                                                     \
    BENCHMARK(name)                                                                                \
        ->ArgNames({"n", "views"})                                                                 \
        ->Args({256, 360})                                                                         \
        ->Args({512, 720})                                                                         \
        ->Unit(benchmark::kMillisecond)                                                            \
        ->UseRealTime()

TOMO_BENCH_SIZES(BM_ForwardProjectJoseph_Cpu);
TOMO_BENCH_SIZES(BM_ForwardProjectJoseph_OpenCL_WithTransfer);
TOMO_BENCH_SIZES(BM_ForwardProjectSiddon_Cpu);
TOMO_BENCH_SIZES(BM_ForwardProjectSiddon_OpenCL_WithTransfer);
TOMO_BENCH_SIZES(BM_BackprojectVoxel_Cpu);
TOMO_BENCH_SIZES(BM_BackprojectVoxel_OpenCL_WithTransfer);
TOMO_BENCH_SIZES(BM_BackprojectVoxelOtherKernel_OpenCL_WithTransfer);
TOMO_BENCH_SIZES(BM_BackprojectJosephAdjoint_Cpu);
TOMO_BENCH_SIZES(BM_BackprojectJosephAdjoint_OpenCL_WithTransfer);

#define TOMO_BENCH_CONE(name)                                                                      \
    BENCHMARK(name)                                                                                \
        ->ArgNames({"n", "views"})                                                                 \
        ->Args({64, 90})                                                                           \
        ->Args({128, 90})                                                                          \
        ->Args({256, 360})                                                                         \
        ->Unit(benchmark::kMillisecond)                                                            \
        ->UseRealTime()

TOMO_BENCH_CONE(BM_ForwardProjectJosephCone_Cpu);
TOMO_BENCH_CONE(BM_ForwardProjectJosephCone_OpenCL_WithTransfer);
TOMO_BENCH_CONE(BM_ForwardProjectJosephConeOtherKernel_OpenCL_WithTransfer);
TOMO_BENCH_CONE(BM_ForwardProjectSiddonCone_Cpu);
TOMO_BENCH_CONE(BM_ForwardProjectSiddonCone_OpenCL_WithTransfer);
TOMO_BENCH_CONE(BM_BackprojectJosephAdjointCone_Cpu);
TOMO_BENCH_CONE(BM_BackprojectJosephAdjointCone_OpenCL_WithTransfer);
TOMO_BENCH_CONE(BM_BackprojectVoxelCone_Cpu);
TOMO_BENCH_CONE(BM_ForwardProjectJosephConeCoarseRows_Cpu);
TOMO_BENCH_CONE(BM_BackprojectJosephAdjointConeCoarseRows_Cpu);
TOMO_BENCH_CONE(BM_BackprojectVoxelConeFineRows_Cpu);
TOMO_BENCH_CONE(BM_BackprojectVoxelConeTilted_Cpu);
TOMO_BENCH_CONE(BM_BackprojectVoxelCone_OpenCL_WithTransfer);
TOMO_BENCH_CONE(BM_BackprojectVoxelConeOtherKernel_OpenCL_WithTransfer);
TOMO_BENCH_CONE(BM_BackprojectVoxelConeTilted_OpenCL_WithTransfer);
} // namespace

BENCHMARK_MAIN();
