// The X-ray physics simulation (core/simulate) end to end: the case, 360 cone-beam views
// of 256² pixels through a 256³ object under a 120 kVp spectrum (water and bone, so two material
// projections, then the detector with ~110 energy bins and Poisson noise), and the detector
// stage alone (the per-energy Beer–Lambert sum), on the CPU backend and the first OpenCL device.
// The problem size and the device are in each label.
//
//   build/release/bench/tomo_simulate_bench --benchmark_out=simulate.json
#include "bench_support.h"
#include "tomo/attenuation.h"
#include "tomo/phantom.h"
#include "tomo/simulate.h"

#include <benchmark/benchmark.h>

#include <numbers>
#include <string>

namespace
{
using namespace tomo;

PhysicsSpec tube120()
{
    PhysicsSpec physics;
    physics.spectrum.kvp = 120.0;
    physics.detector.mode = DetectorMode::Integrating;
    physics.photonsPerPixel = 1e5;
    return physics;
}

Geometry cone(std::size_t views, std::size_t pixels)
{
    return Geometry::circular(BeamType::Cone3D,
                              {.columns = pixels, .rows = pixels, .pixelU = 1.6, .pixelV = 1.6},
                              {.views = views, .angularRange = 2.0 * std::numbers::pi});
}

// The 3D Shepp–Logan head (original intensities: skull +1000 HU, so bone and water) on an n³
// grid of 200/n mm voxels.
Volume head(std::size_t n)
{
    const double spacing = 200.0 / static_cast<double>(n);
    return rasterise(sheppLogan3D(SheppLoganVariant::Original, 90.0, waterMuPerMm(70.0)),
                     VolumeGrid::centred({n, n, n}, {spacing, spacing, spacing}), 1);
}

void simulateScanCase(benchmark::State& state, Backend backend)
{
    const auto n = static_cast<std::size_t>(state.range(0));
    const auto views = static_cast<std::size_t>(state.range(1));
    auto compute = bench::contextOrSkip(state, backend);
    if (!compute) {
        return;
    }
    const Volume object = head(n);
    const Geometry g = cone(views, n);
    const PhysicsSpec physics = tube120();
    NullRunContext ctx;
    for (auto _ : state) {
        SimulationResult r = simulateScan(object, g, physics, *compute, ctx);
        benchmark::DoNotOptimize(r.lineIntegrals.data().data());
    }
    state.SetLabel("simulate 120 kVp, " + std::to_string(views) + " views of " + std::to_string(n) +
                   "^2 through " + std::to_string(n) + "^3, " + compute->device().label());
}

void detectorOnly(benchmark::State& state)
{
    const auto n = static_cast<std::size_t>(state.range(0));
    const auto views = static_cast<std::size_t>(state.range(1));
    const Geometry g = cone(views, n);
    std::vector<ProjectionStack> parts(2, ProjectionStack::zeros(g));
    for (std::size_t i = 0; i < parts[0].data().size(); ++i) {
        parts[0].data()[i] = static_cast<float>(i % 997) * 0.004f; // water, up to 4
        parts[1].data()[i] = static_cast<float>(i % 89) * 0.01f;   // bone, up to 0.9
    }
    const PhysicsSpec physics = tube120();
    NullRunContext ctx;
    for (auto _ : state) {
        SimulationResult r = simulateDetector(
            parts, {findMaterial("water"), findMaterial("cortical-bone")}, physics, ctx);
        benchmark::DoNotOptimize(r.lineIntegrals.data().data());
    }
    state.SetLabel("detector stage, 2 materials, 120 kVp, " + std::to_string(views) + " views of " +
                   std::to_string(n) + "^2, CPU threads");
}
} // namespace

BENCHMARK_CAPTURE(simulateScanCase, cpu, Backend::Cpu)
    ->Args({256, 360})
    ->Unit(benchmark::kSecond)
    ->Iterations(1);
BENCHMARK_CAPTURE(simulateScanCase, opencl, Backend::OpenCL)
    ->Args({256, 360})
    ->Unit(benchmark::kSecond)
    ->Iterations(1);
BENCHMARK(detectorOnly)->Args({256, 360})->Unit(benchmark::kSecond)->Iterations(1);

BENCHMARK_MAIN();
