// The CPU versions of kernels/project_joseph_3d.cl: rays in parallel for the forward projection;
// the transpose runs the same ray walk as a scatter into per-thread volumes (ray_scatter.h),
// where the OpenCL kernel adds atomically. Both apply exactly the forward coefficients, because
// both directions go through Walk3D below.
#include "project/joseph3d_cpu.h"

#include "project/joseph3d_avx2.h"
#include "project/joseph3d_walk.h"
#include "project/ray_scatter.h"
#include "project/simd.h"
#include "project/view_params.h"

#include <cmath>
#include <cstddef>

namespace tomo::detail
{
void josephForward3D(const Volume& volume, ProjectionStack& out, std::size_t firstView,
                     std::size_t count, ZColumnCache* cache)
{
    const Setup3D s = makeSetup3D(out.geometry(), volume.grid());
    checkViewRange(firstView, count, out.views());
    const std::vector<float> params = makeViewParams3D(out.geometry(), firstView, count);
    const float* f = volume.data().data();
    float* proj = out.view(firstView).data();
    if (josephForward3DColumnsAvx2(s, params, count, f, proj, cache) ||
        josephForward3DAvx2(s, params, count, f, proj)) {
        return;
    }
    projectOverRays(Walk3D(s, params), static_cast<std::ptrdiff_t>(count) * s.nv * s.nu, f, proj);
}

void josephBack3D(const ProjectionStack& projections, std::size_t firstView, std::size_t count,
                  float weight, Volume& volume)
{
    const Setup3D s = makeSetup3D(projections.geometry(), volume.grid());
    checkViewRange(firstView, count, projections.views());
    const std::vector<float> params = makeViewParams3D(projections.geometry(), firstView, count);
    const float* proj = projections.view(firstView).data();
    if (josephBack3DColumnsAvx2(s, params, count, proj, weight, volume.data().data()) ||
        josephBack3DAvx2(s, params, count, proj, weight, volume.data().data())) {
        return;
    }
    transposeOverRays(Walk3D(s, params), static_cast<std::ptrdiff_t>(count) * s.nv * s.nu, proj,
                      weight, volume.data().size(), volume.data().data());
}
} // namespace tomo::detail
