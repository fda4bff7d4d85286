#include "tomo/error.h"
#include "tomo/projector.h"
#include "tomo/recon.h"

#include <algorithm>
#include <cmath>
#include <memory>
#include <numbers>
#include <string>

namespace tomo
{
namespace
{
// Views must be equally spaced for the plain Δθ weight; 5% of a step allows float-rounded
// angles from files and rejects any real gap.
constexpr double kEqualSpacingTolerance = 0.05;

double wrapToPi(double a)
{
    while (a > std::numbers::pi) {
        a -= 2.0 * std::numbers::pi;
    }
    while (a <= -std::numbers::pi) {
        a += 2.0 * std::numbers::pi;
    }
    return a;
}

// Angular coverage of an equally spaced scan, N·Δθ (radians); throws if the views are not
// equally spaced.
double equalCoverage(const Geometry& geometry)
{
    const std::size_t n = geometry.viewCount();
    if (n < 2) {
        throwInvalid("trajectory.views", std::to_string(n), "FBP needs at least 2 views");
    }
    std::vector<double> steps;
    steps.reserve(n - 1);
    for (std::size_t k = 0; k + 1 < n; ++k) {
        steps.push_back(wrapToPi(geometry.viewAngle(k + 1) - geometry.viewAngle(k)));
    }
    double mean = 0.0;
    for (double s : steps) {
        mean += s;
    }
    mean /= static_cast<double>(steps.size());
    for (std::size_t k = 0; k < steps.size(); ++k) {
        if (std::abs(steps[k] - mean) > kEqualSpacingTolerance * std::abs(mean)) {
            throwInvalid("trajectory (view " + std::to_string(k + 1) + ")",
                         "angular step " + formatValue(steps[k] * 180.0 / std::numbers::pi) +
                             " deg",
                         "2D FBP needs equally spaced views (mean step " +
                             formatValue(mean * 180.0 / std::numbers::pi) + " deg)");
        }
    }
    return std::abs(mean) * static_cast<double>(n);
}
} // namespace

void checkFbp2D(const Geometry& geometry, const VolumeGrid& grid)
{
    if (geometry.beam() != BeamType::Parallel2D) {
        throwInvalid("geometry.beam", "\"" + std::string(toString(geometry.beam())) + "\"",
                     "2D FBP reconstructs parallel2d scans (fan-beam FBP and FDK come with the "
                     "analytic reconstruction issue)");
    }
    checkProjectable(geometry, grid);
    const double coverage = equalCoverage(geometry);
    const double step = coverage / static_cast<double>(geometry.viewCount());
    const bool halfTurn = std::abs(coverage - std::numbers::pi) < 0.5 * step;
    const bool fullTurn = std::abs(coverage - 2.0 * std::numbers::pi) < 0.5 * step;
    if (!halfTurn && !fullTurn) {
        throwInvalid("trajectory.range_deg", formatValue(coverage * 180.0 / std::numbers::pi),
                     "2D parallel FBP needs a coverage of 180 or 360 degrees (short-scan and "
                     "limited-angle weights come with the analytic reconstruction issue)");
    }
}

Volume reconstructFbp2D(const ProjectionStack& projections, const VolumeGrid& grid,
                        const FbpOptions& options, ComputeContext& compute, RunContext& ctx)
{
    options.validate();
    const Geometry& geometry = projections.geometry();
    checkFbp2D(geometry, grid);
    ctx.reportProgress(0, geometry.viewCount(), "ramp filter");
    const ProjectionStack filtered = rampFilter(projections, options);
    ctx.throwIfCancelled();

    // f(x) = ∫₀^π Q_θ(x·θ) dθ; over 2π every line is seen twice, so either way each view
    // weighs π/N.
    const auto weight =
        static_cast<float>(std::numbers::pi / static_cast<double>(geometry.viewCount()));
    const auto projector = makeProjector(ProjectorModel::VoxelDriven, compute);
    Volume image = Volume::zeros(grid);
    const std::size_t views = geometry.viewCount();
    for (std::size_t first = 0; first < views; first += options.batchViews) {
        ctx.throwIfCancelled();
        const std::size_t count = std::min(options.batchViews, views - first);
        projector->backAccumulate(filtered, first, count, weight, image);
        ctx.reportProgress(first + count, views, "backprojection");
        if (ctx.wantsPreviews()) {
            Preview preview;
            preview.volume = std::make_shared<const Volume>(image);
            preview.stage = "backprojection";
            ctx.publishPreview(std::move(preview));
        }
    }
    return image;
}
} // namespace tomo
