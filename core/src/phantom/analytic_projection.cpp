#include "tomo/phantom.h"

#include <algorithm>
#include <memory>

namespace tomo
{
ProjectionStack projectAnalytic(const Phantom& phantom, const Geometry& geometry, RunContext& ctx,
                                std::size_t batchViews)
{
    batchViews = std::max<std::size_t>(batchViews, 1);
    ProjectionStack out = ProjectionStack::zeros(geometry);
    ProjectionPreviews previews(ctx, "analytic projection");
    const std::size_t views = geometry.viewCount();
    const std::size_t nu = geometry.detector().columns;
    const std::size_t pixels = nu * geometry.detector().rows;
    const bool parallel = isParallel(geometry.beam());
    for (std::size_t first = 0; first < views; first += batchViews) {
        ctx.throwIfCancelled();
        const std::size_t count = std::min(batchViews, views - first);
        const auto rays = static_cast<std::ptrdiff_t>(count * pixels);
#pragma omp parallel for schedule(static)
        for (std::ptrdiff_t ray = 0; ray < rays; ++ray) {
            const std::size_t view = first + static_cast<std::size_t>(ray) / pixels;
            const std::size_t pixel = static_cast<std::size_t>(ray) % pixels;
            const ViewPose& pose = geometry.poses()[view];
            const Vec3 centre = geometry.pixelCentre(view, static_cast<double>(pixel % nu),
                                                     static_cast<double>(pixel / nu));
            const Vec3 direction = parallel ? pose.source : centre - pose.source;
            // A line integral over the whole line: for divergent beams the object must lie
            // between the source and the detector, as for any real scan.
            out.view(view)[pixel] = static_cast<float>(lineIntegral(phantom, centre, direction));
        }
        ctx.reportProgress(first + count, views, "analytic projection");
        previews.publish(out, first + count);
    }
    return out;
}
} // namespace tomo
