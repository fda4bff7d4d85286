// tomoscope-cli reconstruct / compare: reconstruction of given projections, and image metrics.
#include "cli_commands.h"
#include "terminal_run_context.h"
#include "tomo/compute.h"
#include "tomo/error.h"
#include "tomo/io.h"
#include "tomo/iterative.h"
#include "tomo/memory_plan.h"
#include "tomo/metrics.h"
#include "tomo/pipeline.h"
#include "tomo/projector.h"
#include "tomo/recon.h"
#include "tomo/scene.h"

#include <nlohmann/json.hpp>

#include <array>
#include <chrono>
#include <cstdio>
#include <string>

namespace tomo::cli
{
namespace
{
using Clock = std::chrono::steady_clock;
constexpr double kDegrees = 180.0 / 3.14159265358979323846;

/// The scene with the command line's overrides applied (and validated).
Scene sceneFor(const ReconstructOptions& options)
{
    Scene scene = loadScene(options.scene);
    if (!options.algorithm.empty()) {
        scene.reconstruction.algorithm = options.algorithm;
    }
    if (!options.grid.empty()) {
        scene.reconstruction.gridSize = parseSize(options.grid, "--grid");
    }
    if (!options.spacing.empty()) {
        scene.reconstruction.gridSpacingMm = parseSpacing(options.spacing, "--spacing");
    }
    if (options.hu) {
        scene.reconstruction.fbp.hu = true;
    }
    if (options.iterations > 0) {
        scene.reconstruction.iterative.iterations = options.iterations;
    }
    if (!options.filter.empty()) {
        scene.reconstruction.fbp.window = parseRampWindow(options.filter, "--filter");
    }
    if (options.cutoff != 0.0) {
        scene.reconstruction.fbp.cutoff = options.cutoff;
    }
    try {
        scene.validate();
    } catch (const InvalidArgument& e) {
        // Name the option where the value came from the command line.
        const std::string what = e.what();
        const std::string accepted = what.substr(what.find("invalid: ") + 9);
        if (!options.algorithm.empty() && what.starts_with("reconstruction.algorithm")) {
            throwInvalid("--algorithm", "\"" + options.algorithm + "\"", accepted);
        }
        if (options.cutoff != 0.0 && what.starts_with("reconstruction.cutoff")) {
            throwInvalid("--cutoff", formatValue(options.cutoff), accepted);
        }
        if (options.iterations > 0 && what.starts_with("reconstruction.iterations")) {
            throwInvalid("--iterations", std::to_string(options.iterations), accepted);
        }
        throw;
    }
    return scene;
}

/// The host memory estimate of a reconstruction of the scene, with the sizes it is made of.
struct HostMemory
{
    std::uint64_t projectionBytes = 0;
    std::uint64_t volumeBytes = 0;
    HostMemoryEstimate estimate;

    /// Throws InvalidArgument naming the sizes where the estimate exceeds the machine.
    void check() const { checkHostMemory(estimate, projectionBytes, volumeBytes); }
    [[nodiscard]] std::string summary() const
    {
        return estimate.summary(projectionBytes, volumeBytes);
    }
};

HostMemory hostMemoryFor(const Scene& scene, const Geometry& geometry, const VolumeGrid& grid)
{
    const Detector& d = geometry.detector();
    HostMemory m;
    m.projectionBytes =
        static_cast<std::uint64_t>(d.columns) * d.rows * geometry.viewCount() * sizeof(float);
    m.volumeBytes = static_cast<std::uint64_t>(grid.voxelCount()) * sizeof(float);
    m.estimate =
        estimateHostMemory(grid, d.columns * d.rows, geometry.viewCount(), scene.isIterative());
    return m;
}
/// Three numbers "X,Y,Z" for `field`.
Vec3 parseTriple(const std::string& text, const std::string& field)
{
    Vec3 v;
    char tail = 0;
    if (std::sscanf(text.c_str(), "%lf,%lf,%lf%c", &v.x, &v.y, &v.z, &tail) != 3 || !isFinite(v)) {
        throwInvalid(field, "\"" + text + "\"", "give three numbers X,Y,Z");
    }
    return v;
}

/// The single-slice grid the options ask for: the scene grid's x-y size and spacing, one
/// voxel thick (the z spacing), its plane through `centre` perpendicular to `normal`; the
/// rotation takes z to the normal along the shortest arc, so a normal near z keeps x and y.
VolumeGrid sliceGrid(const VolumeGrid& scene, const ReconstructOptions& options)
{
    const Vec3 centre =
        options.sliceCentre.empty() ? Vec3{} : parseTriple(options.sliceCentre, "--slice-centre");
    Vec3 n = options.sliceNormal.empty() ? Vec3{0, 0, 1}
                                         : parseTriple(options.sliceNormal, "--slice-normal");
    const double length = norm(n);
    if (!(length > 0.0)) {
        throwInvalid("--slice-normal", "\"" + options.sliceNormal + "\"",
                     "give a direction that is not zero");
    }
    n = n * (1.0 / length);
    // Rodrigues: the rotation about z × n by the angle between z and n.
    const Vec3 z{0, 0, 1};
    const Vec3 axis = cross(z, n);
    const double sine = norm(axis);
    const double cosine = dot(z, n);
    std::array<double, 9> m{1, 0, 0, 0, 1, 0, 0, 0, 1};
    if (sine > 1e-12) {
        const Vec3 k = axis * (1.0 / sine);
        const double kk[3] = {k.x, k.y, k.z};
        const double cross3[3][3] = {{0, -k.z, k.y}, {k.z, 0, -k.x}, {-k.y, k.x, 0}};
        for (int r = 0; r < 3; ++r) {
            for (int c = 0; c < 3; ++c) {
                m[static_cast<std::size_t>(3 * r + c)] =
                    (r == c ? cosine : 0.0) + sine * cross3[r][c] + (1.0 - cosine) * kk[r] * kk[c];
            }
        }
    } else if (cosine < 0.0) {
        m = {1, 0, 0, 0, -1, 0, 0, 0, -1}; // n = -z: half a turn about x
    }
    const auto& size = scene.size();
    const auto& spacing = scene.spacing();
    const double hx = 0.5 * (static_cast<double>(size[0]) - 1.0) * spacing[0];
    const double hy = 0.5 * (static_cast<double>(size[1]) - 1.0) * spacing[1];
    // origin = centre − M·(hx, hy, 0)
    const Vec3 origin{centre.x - (m[0] * hx + m[1] * hy), centre.y - (m[3] * hx + m[4] * hy),
                      centre.z - (m[6] * hx + m[7] * hy)};
    return VolumeGrid::make({size[0], size[1], 1}, spacing, origin, m);
}
} // namespace

void printPlan(const Scene& scene, const VolumeGrid& grid, const std::string& deviceChoice)
{
    const Geometry geometry = scene.geometry();
    const bool iterative = scene.isIterative();
    const Detector& d = geometry.detector();
    const HostMemory host = hostMemoryFor(scene, geometry, grid);
    AnalyticPlan plan;
    if (iterative) {
        checkProjectable(geometry, grid);
        std::printf("algorithm: %s, %zu iterations\n", scene.algorithm().c_str(),
                    scene.reconstruction.iterative.iterations);
    } else {
        plan = planAnalytic(geometry, grid);
        std::printf("algorithm: %s (%s weighting)\n", plan.method.c_str(),
                    std::string(toString(plan.weighting)).c_str());
        std::printf("coverage %.2f deg, fan angle %.2f deg\n", plan.coverage * kDegrees,
                    plan.fanAngle * kDegrees);
    }
    for (const std::string& warning : plan.warnings) {
        std::printf("warning: %s\n", warning.c_str());
    }
    const std::uint64_t limit = hostMemoryBytes();
    std::printf("host memory: %s (machine: %.1f GB)\n", host.summary().c_str(),
                static_cast<double>(limit) / (1024.0 * 1024.0 * 1024.0));
    auto compute = ComputeContext::create(deviceChoice);
    if (compute->backend() == Backend::OpenCL) {
        const DeviceInfo& device = compute->device();
        const MemoryPlan mp = planMemory(
            grid, d.columns * d.rows, geometry.viewCount(), scene.reconstruction.fbp.batchViews,
            deviceMemoryBudget(device), device.maxAllocationBytes, device.label());
        std::printf("device memory on %s: %s\n", device.label().c_str(), mp.summary(grid).c_str());
    } else {
        std::printf("device: %s (host memory only)\n", compute->device().label().c_str());
    }
    host.check();
}

int reconstructCommand(const ReconstructOptions& options)
{
    const Scene scene = sceneFor(options);
    const Geometry geometry = scene.geometry();
    const bool slice = !options.sliceNormal.empty() || !options.sliceCentre.empty();
    const VolumeGrid grid =
        slice ? sliceGrid(scene.reconstructionGrid(), options) : scene.reconstructionGrid();
    const std::string algorithm = scene.algorithm();
    const bool iterative = scene.isIterative();
    const HostMemory host = hostMemoryFor(scene, geometry, grid);
    AnalyticPlan plan;
    std::string method = algorithm;
    if (iterative) {
        checkProjectable(geometry, grid);
        method += ", " + std::to_string(scene.reconstruction.iterative.iterations) + " iterations";
    } else {
        plan = planAnalytic(geometry, grid);
        method = plan.method + " (" + std::string(toString(plan.weighting)) + " weighting)";
    }

    if (options.plan) {
        printPlan(scene, grid, options.device);
        return kExitSuccess;
    }

    host.check();
    const auto wallStart = Clock::now();
    const ProjectionStack projections = readProjections(options.projections, geometry);
    auto compute = ComputeContext::create(options.device);
    Volume volume = Volume::zeros(grid);
    IterativeResult result{Volume::zeros(grid), {}, false};
    double seconds = 0.0;
    {
        TerminalRunContext ctx(options.quiet || options.json);
        const auto start = Clock::now();
        if (iterative) {
            result = reconstructIterative(projections, grid, parseIterativeAlgorithm(algorithm),
                                          scene.reconstruction.iterative, *compute, ctx);
            volume = std::move(result.volume);
            if (scene.reconstruction.fbp.hu) {
                convertToHu(volume, scene.reconstruction.fbp.muWater);
            }
        } else {
            volume =
                algorithm == "fdk"
                    ? reconstructFdk(projections, grid, scene.reconstruction.fbp, *compute, ctx)
                    : reconstructFbp2D(projections, grid, scene.reconstruction.fbp, *compute, ctx);
        }
        seconds = std::chrono::duration<double>(Clock::now() - start).count();
        ctx.finish();
    }
    volume.meta() = sceneMeta(scene, "reconstruction");
    volume.meta().dictionary[std::string(meta_key::kSource)] = options.projections;
    writeVolume(volume, options.output);
    const double wall = std::chrono::duration<double>(Clock::now() - wallStart).count();
    const auto& n = grid.size();
    const char* unit = scene.reconstruction.fbp.hu ? "HU" : "mm^-1";
    if (options.json) {
        nlohmann::json out = {{"output", options.output},
                              {"algorithm", algorithm},
                              {"method", method},
                              {"warnings", plan.warnings},
                              {"grid", n},
                              {"unit", unit},
                              {"device", compute->device().label()},
                              {"reconstruct_seconds", seconds},
                              {"seconds_with_io", wall}};
        if (iterative) {
            nlohmann::json residuals = nlohmann::json::array();
            for (const IterationRecord& r : result.history) {
                residuals.push_back(r.residual);
            }
            out["residuals"] = residuals;
            out["stopped_early"] = result.stopped;
        }
        std::printf("%s\n", out.dump(2).c_str());
    } else {
        if (iterative && !result.history.empty()) {
            std::printf("relative residual |Ax-b|/|b|: %.4g after iteration 1, %.4g after %zu%s\n",
                        result.history.front().residual, result.history.back().residual,
                        result.history.size(), result.stopped ? " (stopped: kept)" : "");
        }
        std::printf("wrote %s: %zu x %zu x %zu, %s, %s, %s\n", options.output.c_str(), n[0], n[1],
                    n[2], method.c_str(), unit, compute->device().label().c_str());
        std::printf("reconstruction %.2f s, with reading and writing %.2f s\n", seconds, wall);
    }
    return kExitSuccess;
}

int compareCommand(const CompareOptions& options)
{
    const Volume estimate = readVolume(options.estimate);
    const Volume reference = readVolume(options.reference);
    if (!(estimate.grid() == reference.grid())) {
        const auto& a = estimate.grid().size();
        const auto& b = reference.grid().size();
        throwInvalid(options.estimate,
                     "grid " + std::to_string(a[0]) + " x " + std::to_string(a[1]) + " x " +
                         std::to_string(a[2]),
                     "compare needs both volumes on one grid (size, spacing, origin, direction); " +
                         options.reference + " has " + std::to_string(b[0]) + " x " +
                         std::to_string(b[1]) + " x " + std::to_string(b[2]));
    }
    const double r = rmse(estimate, reference);
    const double p = psnr(estimate, reference);
    const double s = ssim(estimate, reference);
    const HermanDistances h = hermanDistances(estimate, reference);
    std::vector<double> profileEstimate;
    std::vector<double> profileReference;
    if (!options.profile.empty()) {
        const std::size_t colon = options.profile.find(':');
        if (colon == std::string::npos) {
            throwInvalid("--profile", "\"" + options.profile + "\"",
                         "give the segment as X0,Y0,Z0:X1,Y1,Z1 (mm)");
        }
        const Vec3 from = parseTriple(options.profile.substr(0, colon), "--profile (start)");
        const Vec3 to = parseTriple(options.profile.substr(colon + 1), "--profile (end)");
        profileEstimate = lineProfile(estimate, from, to, options.samples);
        profileReference = lineProfile(reference, from, to, options.samples);
    }
    if (options.json) {
        nlohmann::json out = {{"estimate", options.estimate},
                              {"reference", options.reference},
                              {"rmse", r},
                              {"psnr_db", p},
                              {"ssim", s},
                              {"ssim_per_slice", ssimPerSlice(estimate, reference)},
                              {"d", h.d},
                              {"r", h.r},
                              {"e", h.e}};
        if (!profileEstimate.empty()) {
            out["profile"] = {{"estimate", profileEstimate}, {"reference", profileReference}};
        }
        std::printf("%s\n", out.dump(2).c_str());
        return kExitSuccess;
    }
    std::printf("RMSE %.6g   PSNR %.2f dB   SSIM %.4f\n", r, p, s);
    std::printf("CTSim distances: d %.4f   r %.4f   e %.6g\n", h.d, h.r, h.e);
    if (!profileEstimate.empty()) {
        std::printf("profile (fraction of the segment, estimate, reference):\n");
        for (std::size_t i = 0; i < profileEstimate.size(); ++i) {
            std::printf("%.4f %.6g %.6g\n",
                        static_cast<double>(i) / static_cast<double>(profileEstimate.size() - 1),
                        profileEstimate[i], profileReference[i]);
        }
    }
    return kExitSuccess;
}
} // namespace tomo::cli
