// The trajectory scene's frame time (issue 8: at least 30 frames per second under Mesa's
// software renderer in an 800×600 view for a 2000-view trajectory): a still frame, a frame while
// the view scrubber moves the current view, and the same with a ghost frame at every view (2000
// frames merged into one polydata). The scene is attached to an 800×600 offscreen window, as the
// app attaches it to its host window; each iteration renders one frame and waits for it
// (glFinish through the window's pixel read of one pixel). The GL renderer is in the label.
// BM_SceneEdit is the app's work for one edit of a trajectory parameter (issue 9: the 3D view
// follows a value within 50 ms): the scene's geometry regenerated, the geometry check run (the
// sanity panel), the trajectory scene rebuilt and one frame rendered.
// Needs an X display (xvfb-run -a is enough).
//
//   xvfb-run -a -s "-screen 0 1600x1000x24" build/release/bench/tomo_render_bench
#include "tomo/geometry_check.h"
#include "tomo/render/trajectory_scene.h"
#include "tomo/scene.h"
#include "tomo/trajectory.h"

#include <benchmark/benchmark.h>
#include <vtkNew.h>
#include <vtkRenderWindow.h>
#include <vtkRenderer.h>

#include <cstdlib>
#include <numbers>
#include <string>

namespace
{
using namespace tomo;

constexpr int kWidth = 800;
constexpr int kHeight = 600;

Geometry helix(std::size_t views)
{
    const Detector detector{.columns = 512, .rows = 384, .pixelU = 0.8, .pixelV = 0.8};
    TrajectorySpec spec;
    spec.kind = TrajectoryKind::Helical;
    spec.views = views;
    spec.angularRange = 10.0 * std::numbers::pi; // five turns
    spec.pitchMm = 40.0;
    spec.zOffset = -100.0;
    return makeGeometry(BeamType::Cone3D, detector, spec);
}

/// "llvmpipe (LLVM ...)" or whatever renders: the line of VTK's capability report.
std::string rendererName(vtkRenderWindow* window)
{
    const std::string report = window->ReportCapabilities();
    const std::string key = "OpenGL renderer string:";
    const std::size_t at = report.find(key);
    if (at == std::string::npos) {
        return "unknown GL renderer";
    }
    const std::size_t end = report.find('\n', at);
    std::string name = report.substr(at + key.size(), end - at - key.size());
    while (!name.empty() && name.front() == ' ') {
        name.erase(0, 1);
    }
    return name;
}

void frames(benchmark::State& state, std::size_t ghostEvery, bool scrub)
{
    const char* display = std::getenv("DISPLAY");
    if (display == nullptr || *display == '\0') {
        state.SkipWithError("no X display: run under xvfb-run -a");
        return;
    }
    const std::size_t views = static_cast<std::size_t>(state.range(0));
    render::TrajectoryScene scene(helix(views),
                                  VolumeGrid::centred({256, 256, 256}, {0.8, 0.8, 0.8}));
    scene.setGhostEvery(ghostEvery);
    vtkNew<vtkRenderWindow> window;
    window->SetOffScreenRendering(1);
    window->SetMultiSamples(0);
    window->SetNumberOfLayers(2);
    for (vtkRenderer* renderer : scene.renderers()) {
        window->AddRenderer(renderer);
    }
    window->SetSize(kWidth, kHeight);
    window->Render(); // builds the GL resources once, as the first frame of the app does
    std::size_t view = 0;
    for (auto _ : state) {
        if (scrub) {
            view = (view + 7) % views;
            scene.setCurrentView(view);
        }
        window->Render();
        // Reading one pixel waits for the frame to finish.
        unsigned char* pixel = window->GetPixelData(0, 0, 0, 0, 1);
        benchmark::DoNotOptimize(pixel);
        delete[] pixel;
    }
    state.counters["fps"] =
        benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
    state.SetLabel(std::to_string(views) + " views, " + std::to_string(kWidth) + "x" +
                   std::to_string(kHeight) + ", ghosts every " +
                   std::to_string(scene.ghostEvery()) + ", " + rendererName(window));
    for (vtkRenderer* renderer : scene.renderers()) {
        window->RemoveRenderer(renderer);
    }
}

void BM_SceneEdit(benchmark::State& state)
{
    const char* display = std::getenv("DISPLAY");
    if (display == nullptr || *display == '\0') {
        state.SkipWithError("no X display: run under xvfb-run -a");
        return;
    }
    Scene scene;
    scene.beam = BeamType::Cone3D;
    scene.detector = {.columns = 512, .rows = 384, .pixelU = 0.8, .pixelV = 0.8};
    scene.trajectory.kind = TrajectoryKind::Helical;
    scene.trajectory.views = static_cast<std::size_t>(state.range(0));
    scene.trajectory.angularRange = 10.0 * std::numbers::pi;
    scene.trajectory.pitchMm = 40.0;
    scene.reconstruction.gridSize = {256, 256, 256};
    render::TrajectoryScene view(scene.geometry(), scene.reconstructionGrid());
    vtkNew<vtkRenderWindow> window;
    window->SetOffScreenRendering(1);
    window->SetMultiSamples(0);
    window->SetNumberOfLayers(2);
    for (vtkRenderer* renderer : view.renderers()) {
        window->AddRenderer(renderer);
    }
    window->SetSize(kWidth, kHeight);
    window->Render();
    std::size_t edits = 0;
    for (auto _ : state) {
        // A spin box stepping the SID up and down by 1 mm.
        scene.trajectory.sourceIsocentre = 500.0 + static_cast<double>(edits++ % 2);
        const Geometry geometry = scene.geometry();
        const VolumeGrid grid = scene.reconstructionGrid();
        benchmark::DoNotOptimize(checkGeometry(geometry, grid));
        view.setGeometry(geometry, grid);
        window->Render();
        unsigned char* pixel = window->GetPixelData(0, 0, 0, 0, 1);
        benchmark::DoNotOptimize(pixel);
        delete[] pixel;
    }
    state.SetLabel(std::to_string(scene.trajectory.views) + "-view helix, " +
                   std::to_string(kWidth) + "x" + std::to_string(kHeight) + ", " +
                   rendererName(window));
    for (vtkRenderer* renderer : view.renderers()) {
        window->RemoveRenderer(renderer);
    }
}

void BM_TrajectoryStill(benchmark::State& state)
{
    frames(state, 0, false);
}
void BM_TrajectoryScrub(benchmark::State& state)
{
    frames(state, 0, true);
}
void BM_TrajectoryScrubEveryGhost(benchmark::State& state)
{
    frames(state, 1, true);
}
} // namespace

BENCHMARK(BM_SceneEdit)->Arg(360)->Arg(2000)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_TrajectoryStill)->Arg(2000)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_TrajectoryScrub)->Arg(2000)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_TrajectoryScrubEveryGhost)->Arg(2000)->Unit(benchmark::kMillisecond)->UseRealTime();

BENCHMARK_MAIN();
