// tomoscope-cli project / backproject: the projectors on their own, for scripts and checks.
#include "cli_commands.h"
#include "terminal_run_context.h"
#include "tomo/compute.h"
#include "tomo/error.h"
#include "tomo/io.h"
#include "tomo/memory_plan.h"
#include "tomo/phantom.h"
#include "tomo/pipeline.h"
#include "tomo/projector.h"
#include "tomo/scene.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <string>

namespace tomo::cli
{
namespace
{
// The phantom is voxelised with 2x2(x2) samples per voxel: enough for a smooth projection of
// the analytic edges at the grid's own resolution.
constexpr unsigned kPhantomSupersampling = 2;

// Views per call of the projector: an eighth of the scan (eight progress steps), at least 16.
// Each call of a CPU transpose sets up and sums per-thread accumulators over the whole grid, so
// fewer, larger batches are faster: 23 batches of 16 views cost about 3 s more than 8 of 45 at
// 256³ (measured with the Joseph transpose).
std::size_t batchViews(const Geometry& geometry)
{
    constexpr std::size_t kMinBatch = 16;
    constexpr std::size_t kProgressSteps = 8;
    return std::max(kMinBatch, (geometry.viewCount() + kProgressSteps - 1) / kProgressSteps);
}

std::shared_ptr<ComputeContext> openDevice(const ProjectOptions& options)
{
    return ComputeContext::create(options.device);
}

// Says how the OpenCL projectors will split the work to fit the device (the CPU backend works in
// host memory and does not split). Throws DeviceError before any work if it cannot fit.
void reportMemoryPlan(const ComputeContext& compute, const VolumeGrid& grid,
                      const Geometry& geometry, bool quiet)
{
    if (compute.backend() != Backend::OpenCL) {
        return;
    }
    const DeviceInfo& device = compute.device();
    const MemoryPlan plan =
        planMemory(grid, geometry.detector().columns * geometry.detector().rows,
                   std::min(batchViews(geometry), geometry.viewCount()), batchViews(geometry),
                   deviceMemoryBudget(device), device.maxAllocationBytes, device.label());
    if (!quiet) {
        std::fprintf(stderr, "memory plan on %s: %s\n", device.label().c_str(),
                     plan.summary(grid).c_str());
    }
}
} // namespace

int projectCommand(const ProjectOptions& options)
{
    const Scene scene = loadScene(options.scene);
    const Geometry geometry = scene.geometry();
    ProjectionStack projections = ProjectionStack::zeros(geometry);
    std::string device = "exact line integrals, CPU";
    if (options.model == "analytic") {
        if (!options.volume.empty()) {
            throwInvalid("--model", "\"analytic\"",
                         "the analytic model projects the scene's phantom; drop --volume or use "
                         "--model joseph");
        }
        if (scene.object.isVolume()) {
            throwInvalid("--model", "\"analytic\"",
                         "joseph or siddon: the scene's object is a volume, and exact line "
                         "integrals need an analytic phantom");
        }
        TerminalRunContext ctx(options.quiet);
        projections = projectAnalytic(scene.phantom(), geometry, ctx);
    } else {
        // The scene's phantom on its reconstruction grid, or its volume object on its own grid.
        const Volume volume = [&] {
            if (!options.volume.empty()) {
                return readVolume(options.volume);
            }
            const SceneObject object = SceneObject::load(scene);
            return object.isVolume()
                       ? object.volume()
                       : object.sample(scene.reconstructionGrid(), kPhantomSupersampling);
        }();
        auto compute = openDevice(options);
        const auto projector =
            makeProjector(parseProjectorModel(options.model, "--model"), *compute);
        device = compute->device().label();
        reportMemoryPlan(*compute, volume.grid(), geometry, options.quiet);
        TerminalRunContext ctx(options.quiet);
        projections = forwardProject(*projector, volume, geometry, ctx, batchViews(geometry));
    }
    ImageMeta meta;
    meta.dictionary[std::string(meta_key::kScene)] = scene.name;
    meta.dictionary["tomoscope_projector"] = options.model;
    meta.dictionary[std::string(meta_key::kSource)] =
        options.volume.empty()
            ? (scene.object.isVolume() ? scene.object.path.string() : "the scene's phantom")
            : options.volume;
    writeProjections(projections, options.output, meta);
    if (options.json) {
        const nlohmann::json out = {
            {"output", options.output},         {"views", projections.views()},
            {"columns", projections.columns()}, {"rows", projections.rows()},
            {"model", options.model},           {"device", device}};
        std::printf("%s\n", out.dump(2).c_str());
        return kExitSuccess;
    }
    std::printf("wrote %s: %zu views of %zu x %zu pixels (%s, %s)\n", options.output.c_str(),
                projections.views(), projections.columns(), projections.rows(),
                options.model.c_str(), device.c_str());
    return kExitSuccess;
}

int backprojectCommand(const ProjectOptions& options)
{
    const Scene scene = loadScene(options.scene);
    const Geometry geometry = scene.geometry();
    const ProjectionStack projections = readProjections(options.projections, geometry);
    auto compute = openDevice(options);
    const auto projector = makeProjector(parseProjectorModel(options.model, "--model"), *compute);
    Volume volume = Volume::zeros(scene.reconstructionGrid());
    reportMemoryPlan(*compute, volume.grid(), geometry, options.quiet);
    {
        TerminalRunContext ctx(options.quiet);
        volume = backProject(*projector, projections, scene.reconstructionGrid(), ctx,
                             batchViews(geometry));
    }
    volume.meta().subtype = "backprojection";
    volume.meta().dictionary[std::string(meta_key::kScene)] = scene.name;
    volume.meta().dictionary["tomoscope_projector"] = options.model;
    volume.meta().dictionary[std::string(meta_key::kSource)] = options.projections;
    writeVolume(volume, options.output);
    if (options.json) {
        const auto& n = volume.grid().size();
        const nlohmann::json out = {{"output", options.output},
                                    {"size", {n[0], n[1], n[2]}},
                                    {"model", options.model},
                                    {"device", compute->device().label()}};
        std::printf("%s\n", out.dump(2).c_str());
        return kExitSuccess;
    }
    std::printf("wrote %s (%s, %s)\n", options.output.c_str(), options.model.c_str(),
                compute->device().label().c_str());
    return kExitSuccess;
}
} // namespace tomo::cli
