// Reconstruction wall times in process (projections already in memory, no file I/O): parallel and
// fan-beam FBP of n² images, FDK of n³ volumes, and single SIRT iterations, on the CPU backend
// and the first OpenCL device. The problem size and the device are in each label. The peers'
// whole-command times come from bench/compare_recon.sh, which also times tomoscope-cli.
//
//   build/release/bench/tomo_recon_bench --benchmark_out=recon.json --benchmark_out_format=json
#include "bench_support.h"
#include "tomo/compute.h"
#include "tomo/iterative.h"
#include "tomo/recon.h"

#include <benchmark/benchmark.h>

#include <chrono>
#include <cmath>
#include <memory>
#include <numbers>
#include <string>

namespace
{
using namespace tomo;
constexpr double kPi = std::numbers::pi;

// CTSim's pjrec case: a 2D parallel scan over 180° (or a fan scan over 360°, SID 500, SDD
// 1000), n·1.42 columns, an n² image of 200/n mm pixels. The data are a smooth bump; the
// timing does not depend on the values.
ProjectionStack scan2D(BeamType beam, std::size_t n, std::size_t views)
{
    const double spacing = 200.0 / static_cast<double>(n);
    const auto columns = static_cast<std::size_t>(std::ceil(static_cast<double>(n) * 1.42));
    const double pixel = beam == BeamType::Parallel2D ? spacing : 2.0 * spacing;
    const Geometry g = Geometry::circular(
        beam, {.columns = columns, .rows = 1, .pixelU = pixel, .pixelV = pixel},
        {.views = views, .angularRange = beam == BeamType::Parallel2D ? kPi : 2.0 * kPi});
    ProjectionStack p = ProjectionStack::zeros(g);
    for (std::size_t k = 0; k < views; ++k) {
        for (std::size_t u = 0; u < columns; ++u) {
            const double x = (static_cast<double>(u) - 0.5 * static_cast<double>(columns)) /
                             static_cast<double>(columns);
            p.view(k)[u] = static_cast<float>(std::exp(-8.0 * x * x));
        }
    }
    return p;
}

// plastimatch fdk's case (bench/compare_plastimatch.sh): circular cone beam, SID 1000, SDD
// 1500, n² pixels of 1.5 mm, an n³ grid of 1 mm voxels.
ProjectionStack coneScan(std::size_t n, std::size_t views)
{
    const Geometry g = Geometry::circular(BeamType::Cone3D,
                                          {.columns = n, .rows = n, .pixelU = 1.5, .pixelV = 1.5},
                                          {.views = views,
                                           .angularRange = 2.0 * kPi,
                                           .sourceIsocentre = 1000.0,
                                           .sourceDetector = 1500.0});
    ProjectionStack p = ProjectionStack::zeros(g);
    std::fill(p.data().begin(), p.data().end(), 1.0f);
    return p;
}

std::string label(const ComputeContext& compute, const std::string& problem)
{
    return compute.device().label() + ", " + problem;
}

void analytic2D(benchmark::State& state, Backend backend, BeamType beam)
{
    auto compute = bench::contextOrSkip(state, backend);
    if (!compute) {
        return;
    }
    const auto n = static_cast<std::size_t>(state.range(0));
    const auto views = static_cast<std::size_t>(state.range(1));
    const ProjectionStack p = scan2D(beam, n, views);
    const double spacing = 200.0 / static_cast<double>(n);
    const VolumeGrid grid = VolumeGrid::centred({n, n, 1}, {spacing, spacing, 1.0});
    NullRunContext ctx;
    FbpOptions options;
    options.batchViews = views; // one backprojection call: no previews in a benchmark
    (void)reconstructAnalytic(p, grid, options, *compute, ctx); // warm-up, kernel build
    for (auto _ : state) {
        Volume v = reconstructAnalytic(p, grid, options, *compute, ctx);
        benchmark::DoNotOptimize(v.data().data());
    }
    state.SetLabel(label(*compute, std::string(toString(beam)) + " " + std::to_string(n) +
                                       "^2 from " + std::to_string(views) + " views"));
}

void fdk(benchmark::State& state, Backend backend)
{
    auto compute = bench::contextOrSkip(state, backend);
    if (!compute) {
        return;
    }
    const auto n = static_cast<std::size_t>(state.range(0));
    const auto views = static_cast<std::size_t>(state.range(1));
    const ProjectionStack p = coneScan(n, views);
    const VolumeGrid grid = VolumeGrid::centred({n, n, n}, {1.0, 1.0, 1.0});
    NullRunContext ctx;
    FbpOptions options;
    options.batchViews = (views + 7) / 8; // as tomoscope-cli: eight batches
    // Kernel build and first-use costs outside the timing: one slice first.
    (void)reconstructFdk(p, VolumeGrid::centred({n, n, 1}, {1.0, 1.0, 1.0}), options, *compute,
                         ctx);
    for (auto _ : state) {
        Volume v = reconstructFdk(p, grid, options, *compute, ctx);
        benchmark::DoNotOptimize(v.data().data());
    }
    const std::string s = std::to_string(n);
    state.SetLabel(
        label(*compute, "FDK " + s + "^3 from " + std::to_string(views) + " views of " + s + "^2"));
}

void sirt(benchmark::State& state, Backend backend)
{
    auto compute = bench::contextOrSkip(state, backend);
    if (!compute) {
        return;
    }
    const auto n = static_cast<std::size_t>(state.range(0));
    const auto views = static_cast<std::size_t>(state.range(1));
    const ProjectionStack p = coneScan(n, views);
    const VolumeGrid grid = VolumeGrid::centred({n, n, n}, {1.0, 1.0, 1.0});
    NullRunContext ctx;
    IterativeOptions options;
    options.iterations = 2;
    {
        // Kernel build and first-use costs outside the timing: one iteration on one slice.
        IterativeOptions once = options;
        once.iterations = 1;
        (void)reconstructIterative(p, VolumeGrid::centred({n, n, 1}, {1.0, 1.0, 1.0}),
                                   IterativeAlgorithm::Sirt, once, *compute, ctx);
    }
    for (auto _ : state) {
        IterativeResult r =
            reconstructIterative(p, grid, IterativeAlgorithm::Sirt, options, *compute, ctx);
        benchmark::DoNotOptimize(r.volume.data().data());
    }
    const std::string s = std::to_string(n);
    state.SetLabel(label(*compute, "SIRT 2 iterations (with set-up) " + s + "^3 from " +
                                       std::to_string(views) + " views of " + s + "^2"));
}

/// Records when the first preview arrives and then asks the run to stop (stop-and-keep).
class FirstPreview final : public RunContext
{
public:
    [[nodiscard]] bool isCancelled() const override { return m_seen; }
    void reportProgress(std::size_t, std::size_t, std::string_view) override {}
    [[nodiscard]] bool wantsPreviews() const override { return true; }
    void publishPreview(Preview) override
    {
        if (!m_seen) {
            m_seen = true;
            m_at = std::chrono::steady_clock::now();
        }
    }
    std::chrono::steady_clock::time_point at() const { return m_at; }

private:
    bool m_seen = false;
    std::chrono::steady_clock::time_point m_at;
};

// Multi-resolution SIRT: the time from the call to the first preview (an image on the 64³
// level), the promise issue 5 makes ("the first image appears within a second").
void firstPreview(benchmark::State& state, Backend backend)
{
    auto compute = bench::contextOrSkip(state, backend);
    if (!compute) {
        return;
    }
    const auto n = static_cast<std::size_t>(state.range(0));
    const auto views = static_cast<std::size_t>(state.range(1));
    const ProjectionStack p = coneScan(n, views);
    const VolumeGrid grid = VolumeGrid::centred({n, n, n}, {1.0, 1.0, 1.0});
    IterativeOptions options;
    options.iterations = 5;
    options.multiResolution = true;
    for (auto _ : state) {
        FirstPreview ctx;
        const auto start = std::chrono::steady_clock::now();
        IterativeResult r =
            reconstructIterative(p, grid, IterativeAlgorithm::Sirt, options, *compute, ctx);
        benchmark::DoNotOptimize(r.volume.data().data());
        state.SetIterationTime(std::chrono::duration<double>(ctx.at() - start).count());
    }
    const std::string s = std::to_string(n);
    state.SetLabel(label(*compute, "first preview of multi-resolution SIRT, " + s + "^3 from " +
                                       std::to_string(views) + " views of " + s + "^2"));
}

void BM_MultiResolutionFirstPreview_Cpu(benchmark::State& s)
{
    firstPreview(s, Backend::Cpu);
}

void BM_FbpParallel_Cpu(benchmark::State& s)
{
    analytic2D(s, Backend::Cpu, BeamType::Parallel2D);
}
void BM_FbpParallel_OpenCL(benchmark::State& s)
{
    analytic2D(s, Backend::OpenCL, BeamType::Parallel2D);
}
void BM_FbpFan_Cpu(benchmark::State& s)
{
    analytic2D(s, Backend::Cpu, BeamType::Fan2D);
}
void BM_FbpFan_OpenCL(benchmark::State& s)
{
    analytic2D(s, Backend::OpenCL, BeamType::Fan2D);
}
void BM_Fdk_Cpu(benchmark::State& s)
{
    fdk(s, Backend::Cpu);
}
void BM_Fdk_OpenCL(benchmark::State& s)
{
    fdk(s, Backend::OpenCL);
}
void BM_Sirt_Cpu(benchmark::State& s)
{
    sirt(s, Backend::Cpu);
}
void BM_Sirt_OpenCL(benchmark::State& s)
{
    sirt(s, Backend::OpenCL);
}

#define TOMO_BENCH_2D(name)                                                                        \
    BENCHMARK(name)                                                                                \
        ->ArgNames({"n", "views"})                                                                 \
        ->Args({512, 720})                                                                         \
        ->Unit(benchmark::kMillisecond)                                                            \
        ->UseRealTime()
#define TOMO_BENCH_3D(name)                                                                        \
    BENCHMARK(name)                                                                                \
        ->ArgNames({"n", "views"})                                                                 \
        ->Args({128, 360})                                                                         \
        ->Args({256, 360})                                                                         \
        ->Unit(benchmark::kMillisecond)                                                            \
        ->UseRealTime()                                                                            \
        ->Iterations(1)

BENCHMARK(BM_MultiResolutionFirstPreview_Cpu)
    ->ArgNames({"n", "views"})
    ->Args({256, 360})
    ->Unit(benchmark::kMillisecond)
    ->UseManualTime()
    ->Iterations(1);
TOMO_BENCH_2D(BM_FbpParallel_Cpu);
TOMO_BENCH_2D(BM_FbpParallel_OpenCL);
TOMO_BENCH_2D(BM_FbpFan_Cpu);
TOMO_BENCH_2D(BM_FbpFan_OpenCL);
TOMO_BENCH_3D(BM_Fdk_Cpu);
TOMO_BENCH_3D(BM_Fdk_OpenCL);
TOMO_BENCH_3D(BM_Sirt_Cpu);
TOMO_BENCH_3D(BM_Sirt_OpenCL);
} // namespace

BENCHMARK_MAIN();
