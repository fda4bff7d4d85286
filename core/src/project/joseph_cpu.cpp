#include "project/joseph3d_cpu.h"
#include "project/projector_impl.h"
#include "project/ray_geometry.h"
#include "project/ray_scatter.h"
#include "project/view_params.h"
#include "tomo/error.h"

#include <cmath>
#include <cstddef>
#include <memory>

namespace tomo::detail
{
namespace
{
// The CPU version of kernels/project_joseph_2d.cl, multithreaded with OpenMP: rays in parallel
// for forward; the transpose runs the same ray loop as a scatter into per-thread images
// (ray_scatter.h), where the OpenCL kernel adds atomically.
class JosephCpuProjector final : public Projector
{
public:
    [[nodiscard]] ProjectorModel model() const override { return ProjectorModel::Joseph; }
    [[nodiscard]] Backend backend() const override { return Backend::Cpu; }
    [[nodiscard]] bool isMatched() const override { return true; }
    [[nodiscard]] bool hasForward() const override { return true; }

    void forward(const Volume& volume, ProjectionStack& out, std::size_t firstView,
                 std::size_t count) const override
    {
        if (!is2D(out.geometry().beam())) {
            josephForward3D(volume, out, firstView, count);
            return;
        }
        const Setup2D s = makeSetup2D(out.geometry(), volume.grid());
        checkViewRange(firstView, count, out.views());
        const auto params = makeViewParams2D(out.geometry(), firstView, count);
        const float* f = volume.data().data();
        float* proj = out.data().data();
        const auto rays = static_cast<std::ptrdiff_t>(count) * s.nu;
#pragma omp parallel for schedule(static)
        for (std::ptrdiff_t ray = 0; ray < rays; ++ray) {
            const auto view = static_cast<std::size_t>(ray / s.nu);
            const auto iu = static_cast<int>(ray % s.nu);
            const ViewParams2D& p = params[view];
            float ox = 0.0f;
            float oy = 0.0f;
            float rx = 0.0f;
            float ry = 0.0f;
            tomo_ray_2d(p.sx, p.sy, p.dx, p.dy, p.ux, p.uy,
                        (static_cast<float>(iu) - s.centreColumn) * s.pixelU, s.radius, s.parallel,
                        &ox, &oy, &rx, &ry);
            const int xd = tomo_joseph_x_dominant(rx, ry, s.spacingX, s.spacingY);
            const int along = xd ? s.nx : s.ny;
            const int across = xd ? s.ny : s.nx;
            const std::ptrdiff_t strideAlong = xd ? 1 : s.nx;
            const std::ptrdiff_t strideAcross = xd ? s.nx : 1;
            float sum = 0.0f;
            for (int k = 0; k < along; ++k) {
                const float c = tomo_joseph_crossing(ox, oy, rx, ry, xd, k, s.originX, s.originY,
                                                     s.spacingX, s.spacingY);
                if (!(c > -1.0f && c < static_cast<float>(across))) {
                    continue;
                }
                const float fl = std::floor(c);
                const float w = c - fl;
                const int lower = static_cast<int>(fl);
                const float* base = f + k * strideAlong;
                if (lower >= 0) {
                    sum += (1.0f - w) * base[lower * strideAcross];
                }
                if (lower + 1 < across) {
                    sum += w * base[(lower + 1) * strideAcross];
                }
            }
            proj[(firstView + view) * static_cast<std::size_t>(s.nu) +
                 static_cast<std::size_t>(iu)] =
                sum * tomo_joseph_step(rx, ry, xd, s.spacingX, s.spacingY);
        }
    }

    void backAccumulate(const ProjectionStack& projections, std::size_t firstView,
                        std::size_t count, float weight, Volume& volume) const override
    {
        if (!is2D(projections.geometry().beam())) {
            josephBack3D(projections, firstView, count, weight, volume);
            return;
        }
        const Setup2D s = makeSetup2D(projections.geometry(), volume.grid());
        checkViewRange(firstView, count, projections.views());
        const auto params = makeViewParams2D(projections.geometry(), firstView, count);
        const float* proj = projections.data().data() + firstView * static_cast<std::size_t>(s.nu);
        const auto rays = static_cast<std::ptrdiff_t>(count) * s.nu;
        // The forward loop with every read turned into an accumulation (ray_scatter.h).
        scatterOverRays(rays, volume.data().size(), weight, volume.data().data(),
                        [&](std::ptrdiff_t ray, float* acc) {
                            const ViewParams2D& p = params[static_cast<std::size_t>(ray / s.nu)];
                            const auto iu = static_cast<int>(ray % s.nu);
                            float ox = 0.0f;
                            float oy = 0.0f;
                            float rx = 0.0f;
                            float ry = 0.0f;
                            tomo_ray_2d(p.sx, p.sy, p.dx, p.dy, p.ux, p.uy,
                                        (static_cast<float>(iu) - s.centreColumn) * s.pixelU,
                                        s.radius, s.parallel, &ox, &oy, &rx, &ry);
                            const int xd = tomo_joseph_x_dominant(rx, ry, s.spacingX, s.spacingY);
                            const float value =
                                proj[ray] * tomo_joseph_step(rx, ry, xd, s.spacingX, s.spacingY);
                            if (value == 0.0f) {
                                return;
                            }
                            const int along = xd ? s.nx : s.ny;
                            const int across = xd ? s.ny : s.nx;
                            const std::ptrdiff_t strideAlong = xd ? 1 : s.nx;
                            const std::ptrdiff_t strideAcross = xd ? s.nx : 1;
                            for (int k = 0; k < along; ++k) {
                                const float c =
                                    tomo_joseph_crossing(ox, oy, rx, ry, xd, k, s.originX,
                                                         s.originY, s.spacingX, s.spacingY);
                                if (!(c > -1.0f && c < static_cast<float>(across))) {
                                    continue;
                                }
                                const float fl = std::floor(c);
                                const float w = c - fl;
                                const int lower = static_cast<int>(fl);
                                float* base = acc + k * strideAlong;
                                if (lower >= 0) {
                                    base[lower * strideAcross] += (1.0f - w) * value;
                                }
                                if (lower + 1 < across) {
                                    base[(lower + 1) * strideAcross] += w * value;
                                }
                            }
                        });
    }
};
} // namespace

std::unique_ptr<Projector> makeJosephCpuProjector()
{
    return std::make_unique<JosephCpuProjector>();
}
} // namespace tomo::detail
