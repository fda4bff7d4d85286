#include "project/joseph3d_cpu.h"
#include "project/projector_impl.h"
#include "project/ray_geometry.h"
#include "project/view_params.h"
#include "project/voxel_gather.h"
#include "tomo/error.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <memory>

namespace tomo::detail
{
namespace
{
// The CPU reference of kernels/project_joseph_2d.cl, multithreaded with OpenMP: rays in parallel
// for forward, voxels in parallel for the transpose (a gather, so no two threads write one
// voxel).
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
                        (static_cast<float>(iu) - s.centreColumn) * s.pixelU, s.parallel, &ox, &oy,
                        &rx, &ry);
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
        const float* proj = projections.data().data();
        gatherOverVoxels(s, weight, volume.data().data(), [&](int i, int j, float x, float y) {
            float sum = 0.0f;
            for (std::size_t view = 0; view < count; ++view) {
                const ViewParams2D& p = params[view];
                float lo = std::numeric_limits<float>::infinity();
                float hi = -std::numeric_limits<float>::infinity();
                for (int corner = 0; corner < 4; ++corner) {
                    const float cx = x + ((corner & 1) ? s.spacingX : -s.spacingX);
                    const float cy = y + ((corner & 2) ? s.spacingY : -s.spacingY);
                    const float a = tomo_detector_coordinate(p.sx, p.sy, p.dx, p.dy, p.ux, p.uy, cx,
                                                             cy, s.parallel);
                    lo = std::min(lo, a);
                    hi = std::max(hi, a);
                }
                const float fLo = lo / s.pixelU + s.centreColumn;
                const float fHi = hi / s.pixelU + s.centreColumn;
                if (!(fHi >= -1.0f && fLo <= static_cast<float>(s.nu))) {
                    continue;
                }
                const int first = std::max(0, static_cast<int>(std::floor(fLo)) - 1);
                const int last = std::min(s.nu - 1, static_cast<int>(std::ceil(fHi)) + 1);
                const float* row = proj + (firstView + view) * static_cast<std::size_t>(s.nu);
                for (int iu = first; iu <= last; ++iu) {
                    float ox = 0.0f;
                    float oy = 0.0f;
                    float rx = 0.0f;
                    float ry = 0.0f;
                    tomo_ray_2d(p.sx, p.sy, p.dx, p.dy, p.ux, p.uy,
                                (static_cast<float>(iu) - s.centreColumn) * s.pixelU, s.parallel,
                                &ox, &oy, &rx, &ry);
                    const float c = tomo_joseph_weight(ox, oy, rx, ry, i, j, s.originX, s.originY,
                                                       s.spacingX, s.spacingY);
                    if (c != 0.0f) {
                        sum += c * row[iu];
                    }
                }
            }
            return sum;
        });
    }
};
} // namespace

std::unique_ptr<Projector> makeJosephCpuProjector()
{
    return std::make_unique<JosephCpuProjector>();
}
} // namespace tomo::detail
