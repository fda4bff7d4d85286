// The CPU versions of kernels/project_joseph_3d.cl: rays in parallel for the forward projection;
// the transpose runs the same ray loop as a scatter into per-thread volumes (ray_scatter.h),
// where the OpenCL kernel adds atomically. Both apply exactly the forward coefficients.
#include "project/joseph3d_cpu.h"

#include "project/ray_geometry.h"
#include "project/ray_scatter.h"
#include "project/view_params.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>

namespace tomo::detail
{
void josephForward3D(const Volume& volume, ProjectionStack& out, std::size_t firstView,
                     std::size_t count)
{
    const Setup3D s = makeSetup3D(out.geometry(), volume.grid());
    checkViewRange(firstView, count, out.views());
    const std::vector<float> params = makeViewParams3D(out.geometry(), firstView, count);
    const float* f = volume.data().data();
    float* proj = out.data().data();
    const std::ptrdiff_t stride[3] = {1, s.n[0], static_cast<std::ptrdiff_t>(s.n[0]) * s.n[1]};
    const auto rays = static_cast<std::ptrdiff_t>(count) * s.nv * s.nu;
#pragma omp parallel for schedule(static)
    for (std::ptrdiff_t ray = 0; ray < rays; ++ray) {
        const auto iu = static_cast<int>(ray % s.nu);
        const auto iv = static_cast<int>((ray / s.nu) % s.nv);
        const auto view =
            static_cast<std::size_t>(ray / (static_cast<std::ptrdiff_t>(s.nu) * s.nv));
        const float* p = params.data() + view * kViewParam3DFloats;
        float o[3];
        float r[3];
        tomo_ray_3d(p, (static_cast<float>(iu) - s.centreU) * s.pixelU,
                    (static_cast<float>(iv) - s.centreV) * s.pixelV, s.radius, s.parallel, o, r);
        const int axis = tomo_joseph_axis_3d(r, s.spacing);
        const int a1 = tomo_across_first(axis);
        const int a2 = tomo_across_second(axis);
        float sum = 0.0f;
        for (int k = 0; k < s.n[axis]; ++k) {
            float f1 = 0.0f;
            float f2 = 0.0f;
            const float t = tomo_joseph_crossing_3d(o, r, axis, k, s.origin, s.spacing, &f1, &f2);
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
            const float* base = f + k * stride[axis];
            if (l1 >= 0 && l2 >= 0) {
                sum += (1.0f - w1) * (1.0f - w2) * base[l1 * stride[a1] + l2 * stride[a2]];
            }
            if (l1 + 1 < s.n[a1] && l2 >= 0) {
                sum += w1 * (1.0f - w2) * base[(l1 + 1) * stride[a1] + l2 * stride[a2]];
            }
            if (l1 >= 0 && l2 + 1 < s.n[a2]) {
                sum += (1.0f - w1) * w2 * base[l1 * stride[a1] + (l2 + 1) * stride[a2]];
            }
            if (l1 + 1 < s.n[a1] && l2 + 1 < s.n[a2]) {
                sum += w1 * w2 * base[(l1 + 1) * stride[a1] + (l2 + 1) * stride[a2]];
            }
        }
        proj[((firstView + view) * static_cast<std::size_t>(s.nv) + static_cast<std::size_t>(iv)) *
                 static_cast<std::size_t>(s.nu) +
             static_cast<std::size_t>(iu)] = sum * tomo_joseph_step_3d(r, axis, s.spacing);
    }
}

void josephBack3D(const ProjectionStack& projections, std::size_t firstView, std::size_t count,
                  float weight, Volume& volume)
{
    const Setup3D s = makeSetup3D(projections.geometry(), volume.grid());
    checkViewRange(firstView, count, projections.views());
    const std::vector<float> params = makeViewParams3D(projections.geometry(), firstView, count);
    const float* proj = projections.data().data();
    const std::ptrdiff_t stride[3] = {1, s.n[0], static_cast<std::ptrdiff_t>(s.n[0]) * s.n[1]};
    const auto rays = static_cast<std::ptrdiff_t>(count) * s.nv * s.nu;
    // The forward loop of josephForward3D with every read turned into an accumulation.
    scatterOverRays(
        rays, volume.data().size(), weight, volume.data().data(),
        [&](std::ptrdiff_t ray, float* acc) {
            const auto iu = static_cast<int>(ray % s.nu);
            const auto iv = static_cast<int>((ray / s.nu) % s.nv);
            const auto view =
                static_cast<std::size_t>(ray / (static_cast<std::ptrdiff_t>(s.nu) * s.nv));
            const float* p = params.data() + view * kViewParam3DFloats;
            float o[3];
            float r[3];
            tomo_ray_3d(p, (static_cast<float>(iu) - s.centreU) * s.pixelU,
                        (static_cast<float>(iv) - s.centreV) * s.pixelV, s.radius, s.parallel, o,
                        r);
            const int axis = tomo_joseph_axis_3d(r, s.spacing);
            const int a1 = tomo_across_first(axis);
            const int a2 = tomo_across_second(axis);
            const float value =
                proj[static_cast<std::size_t>(ray) +
                     firstView * static_cast<std::size_t>(s.nu) * static_cast<std::size_t>(s.nv)] *
                tomo_joseph_step_3d(r, axis, s.spacing);
            if (value == 0.0f) {
                return;
            }
            for (int k = 0; k < s.n[axis]; ++k) {
                float f1 = 0.0f;
                float f2 = 0.0f;
                const float t =
                    tomo_joseph_crossing_3d(o, r, axis, k, s.origin, s.spacing, &f1, &f2);
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
                float* base = acc + k * stride[axis];
                if (l1 >= 0 && l2 >= 0) {
                    base[l1 * stride[a1] + l2 * stride[a2]] += (1.0f - w1) * (1.0f - w2) * value;
                }
                if (l1 + 1 < s.n[a1] && l2 >= 0) {
                    base[(l1 + 1) * stride[a1] + l2 * stride[a2]] += w1 * (1.0f - w2) * value;
                }
                if (l1 >= 0 && l2 + 1 < s.n[a2]) {
                    base[l1 * stride[a1] + (l2 + 1) * stride[a2]] += (1.0f - w1) * w2 * value;
                }
                if (l1 + 1 < s.n[a1] && l2 + 1 < s.n[a2]) {
                    base[(l1 + 1) * stride[a1] + (l2 + 1) * stride[a2]] += w1 * w2 * value;
                }
            }
        });
}
} // namespace tomo::detail
