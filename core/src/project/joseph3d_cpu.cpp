// The CPU versions of kernels/project_joseph_3d.cl: rays in parallel for the forward projection;
// the transpose runs the same ray walk as a scatter into per-thread volumes (ray_scatter.h),
// where the OpenCL kernel adds atomically. Both apply exactly the forward coefficients, because
// both directions go through Walk3D below.
#include "project/joseph3d_cpu.h"

#include "project/ray_geometry.h"
#include "project/ray_scatter.h"
#include "project/view_params.h"

#include <cmath>
#include <cstddef>

namespace tomo::detail
{
namespace
{
struct Walk3D
{
    const Setup3D& s;
    const std::vector<float>& params;
    std::ptrdiff_t stride[3];

    Walk3D(const Setup3D& setup, const std::vector<float>& viewParams)
        : s(setup), params(viewParams), stride{1, setup.n[0],
                                               static_cast<std::ptrdiff_t>(setup.n[0]) * setup.n[1]}
    {}

    struct Ray
    {
        float o[3];
        float r[3];
        int axis;
        float step; ///< path length one sample stands for, mm
    };

    /// Ray `index` of the batch (u fastest, then v, then view).
    [[nodiscard]] Ray ray(std::ptrdiff_t index) const
    {
        const auto iu = static_cast<int>(index % s.nu);
        const auto iv = static_cast<int>((index / s.nu) % s.nv);
        const auto view =
            static_cast<std::size_t>(index / (static_cast<std::ptrdiff_t>(s.nu) * s.nv));
        const float* p = params.data() + view * kViewParam3DFloats;
        Ray ray{};
        tomo_ray_3d(p, (static_cast<float>(iu) - s.centreU) * s.pixelU,
                    (static_cast<float>(iv) - s.centreV) * s.pixelV, s.radius, s.parallel, ray.o,
                    ray.r);
        ray.axis = tomo_joseph_axis_3d(ray.r, s.spacing);
        ray.step = tomo_joseph_step_3d(ray.r, ray.axis, s.spacing);
        return ray;
    }

    /// Calls visit(voxel index, coefficient) for each of the up to four voxels of every Joseph
    /// sample of `ray`.
    template <class Visit> void walk(const Ray& ray, Visit visit) const
    {
        const int axis = ray.axis;
        const int a1 = tomo_across_first(axis);
        const int a2 = tomo_across_second(axis);
        for (int k = 0; k < s.n[axis]; ++k) {
            float f1 = 0.0f;
            float f2 = 0.0f;
            const float t =
                tomo_joseph_crossing_3d(ray.o, ray.r, axis, k, s.origin, s.spacing, &f1, &f2);
            if (!tomo_sample_on_ray(t, s.parallel) ||
                !(f1 > -1.0f && f1 < static_cast<float>(s.n[a1]) && f2 > -1.0f &&
                  f2 < static_cast<float>(s.n[a2]))) {
                continue;
            }
            const float fl1 = std::floor(f1);
            const float fl2 = std::floor(f2);
            const float w1 = f1 - fl1;
            const float w2 = f2 - fl2;
            const int l1 = static_cast<int>(fl1);
            const int l2 = static_cast<int>(fl2);
            const std::ptrdiff_t base = k * stride[axis];
            if (l1 >= 0 && l2 >= 0) {
                visit(base + l1 * stride[a1] + l2 * stride[a2], (1.0f - w1) * (1.0f - w2));
            }
            if (l1 + 1 < s.n[a1] && l2 >= 0) {
                visit(base + (l1 + 1) * stride[a1] + l2 * stride[a2], w1 * (1.0f - w2));
            }
            if (l1 >= 0 && l2 + 1 < s.n[a2]) {
                visit(base + l1 * stride[a1] + (l2 + 1) * stride[a2], (1.0f - w1) * w2);
            }
            if (l1 + 1 < s.n[a1] && l2 + 1 < s.n[a2]) {
                visit(base + (l1 + 1) * stride[a1] + (l2 + 1) * stride[a2], w1 * w2);
            }
        }
    }
};
} // namespace

void josephForward3D(const Volume& volume, ProjectionStack& out, std::size_t firstView,
                     std::size_t count)
{
    const Setup3D s = makeSetup3D(out.geometry(), volume.grid());
    checkViewRange(firstView, count, out.views());
    const std::vector<float> params = makeViewParams3D(out.geometry(), firstView, count);
    const Walk3D walk(s, params);
    const float* f = volume.data().data();
    float* proj = out.view(firstView).data();
    const auto rays = static_cast<std::ptrdiff_t>(count) * s.nv * s.nu;
#pragma omp parallel for schedule(static)
    for (std::ptrdiff_t ray = 0; ray < rays; ++ray) {
        const Walk3D::Ray r = walk.ray(ray);
        float sum = 0.0f;
        walk.walk(r, [&](std::ptrdiff_t voxel, float c) { sum += c * f[voxel]; });
        proj[ray] = sum * r.step;
    }
}

void josephBack3D(const ProjectionStack& projections, std::size_t firstView, std::size_t count,
                  float weight, Volume& volume)
{
    const Setup3D s = makeSetup3D(projections.geometry(), volume.grid());
    checkViewRange(firstView, count, projections.views());
    const std::vector<float> params = makeViewParams3D(projections.geometry(), firstView, count);
    const Walk3D walk(s, params);
    const float* proj = projections.view(firstView).data();
    const auto rays = static_cast<std::ptrdiff_t>(count) * s.nv * s.nu;
    scatterOverRays(rays, volume.data().size(), weight, volume.data().data(),
                    [&](std::ptrdiff_t ray, float* acc) {
                        const float value = proj[ray];
                        if (value == 0.0f) {
                            return;
                        }
                        const Walk3D::Ray r = walk.ray(ray);
                        const float scaled = value * r.step;
                        walk.walk(r,
                                  [&](std::ptrdiff_t voxel, float c) { acc[voxel] += c * scaled; });
                    });
}
} // namespace tomo::detail
