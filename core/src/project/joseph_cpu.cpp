#include "project/joseph3d_avx2.h"
#include "project/joseph3d_cpu.h"
#include "project/projector_impl.h"
#include "project/ray_geometry.h"
#include "project/ray_scatter.h"
#include "project/view_params.h"
#include "tomo/error.h"

#include <cmath>
#include <cstddef>
#include <memory>
#include <vector>

namespace tomo::detail
{
namespace
{
// The CPU version of kernels/project_joseph_2d.cl, multithreaded with OpenMP: rays in parallel
// for forward; the transpose runs the same ray loop as a scatter into per-thread images
// (ray_scatter.h), where the OpenCL kernel adds atomically.
// One Joseph ray of a 2D batch and the walk over its samples, shared by the forward projection
// and the transpose so both apply exactly the same coefficients.
struct Walk2D
{
    const Setup2D& s;
    const std::vector<ViewParams2D>& params;

    struct Ray
    {
        float ox, oy, rx, ry;
        int xDominant;
        float step; ///< path length one sample stands for, mm
    };

    /// Ray `index` of the batch (u fastest, then view).
    [[nodiscard]] Ray ray(std::ptrdiff_t index) const
    {
        const ViewParams2D& p = params[static_cast<std::size_t>(index / s.nu)];
        const auto iu = static_cast<int>(index % s.nu);
        Ray r{};
        tomo_ray_2d(p.sx, p.sy, p.dx, p.dy, p.ux, p.uy,
                    (static_cast<float>(iu) - s.centreColumn) * s.pixelU, s.radius, s.parallel,
                    &r.ox, &r.oy, &r.rx, &r.ry);
        r.xDominant = tomo_joseph_x_dominant(r.rx, r.ry, s.spacingX, s.spacingY);
        r.step = tomo_joseph_step(r.rx, r.ry, r.xDominant, s.spacingX, s.spacingY);
        return r;
    }

    /// Calls visit(pixel index, coefficient) for both pixels of every Joseph sample of `r`.
    template <class Visit> void walk(const Ray& r, Visit visit) const
    {
        const int xd = r.xDominant;
        const int along = xd ? s.nx : s.ny;
        const int across = xd ? s.ny : s.nx;
        const std::ptrdiff_t strideAlong = xd ? 1 : s.nx;
        const std::ptrdiff_t strideAcross = xd ? s.nx : 1;
        for (int k = 0; k < along; ++k) {
            const float c = tomo_joseph_crossing(r.ox, r.oy, r.rx, r.ry, xd, k, s.originX,
                                                 s.originY, s.spacingX, s.spacingY);
            if (!(c > -1.0f && c < static_cast<float>(across))) {
                continue;
            }
            const float fl = std::floor(c);
            const float w = c - fl;
            const int lower = static_cast<int>(fl);
            const std::ptrdiff_t base = k * strideAlong;
            if (lower >= 0) {
                visit(base + lower * strideAcross, 1.0f - w);
            }
            if (lower + 1 < across) {
                visit(base + (lower + 1) * strideAcross, w);
            }
        }
    }
};

class JosephCpuProjector final : public Projector
{
public:
    JosephCpuProjector() : m_columns(makeZColumnCache()) {}

    [[nodiscard]] ProjectorModel model() const override { return ProjectorModel::Joseph; }
    [[nodiscard]] Backend backend() const override { return Backend::Cpu; }
    [[nodiscard]] bool isMatched() const override { return true; }
    [[nodiscard]] bool hasForward() const override { return true; }

    void forward(const Volume& volume, ProjectionStack& out, std::size_t firstView,
                 std::size_t count) const override
    {
        if (!is2D(out.geometry().beam())) {
            josephForward3D(volume, out, firstView, count, m_columns.get());
            return;
        }
        const Setup2D s = makeSetup2D(out.geometry(), volume.grid());
        checkViewRange(firstView, count, out.views());
        const auto params = makeViewParams2D(out.geometry(), firstView, count);
        const Walk2D walk{s, params};
        projectOverRays(walk, static_cast<std::ptrdiff_t>(count) * s.nu, volume.data().data(),
                        out.view(firstView).data());
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
        const Walk2D walk{s, params};
        transposeOverRays(walk, static_cast<std::ptrdiff_t>(count) * s.nu,
                          projections.view(firstView).data(), weight, volume.data().size(),
                          volume.data().data());
    }

private:
    std::shared_ptr<ZColumnCache> m_columns; ///< the volume's z-fastest copy between batches
};
} // namespace

std::unique_ptr<Projector> makeJosephCpuProjector()
{
    return std::make_unique<JosephCpuProjector>();
}
} // namespace tomo::detail
