// The CPU reference of kernels/project_joseph_3d.cl: rays in parallel for the forward projection,
// voxels in parallel for the transpose (a gather, so no two threads write one voxel).
#include "project/joseph3d_cpu.h"

#include "project/ray_geometry.h"
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
                    (static_cast<float>(iv) - s.centreV) * s.pixelV, s.parallel, o, r);
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
    float* out = volume.data().data();
    const auto voxels = static_cast<std::ptrdiff_t>(s.n[0]) * s.n[1] * s.n[2];
    const std::size_t pixelsPerView =
        static_cast<std::size_t>(s.nu) * static_cast<std::size_t>(s.nv);
#pragma omp parallel for schedule(dynamic, 64)
    for (std::ptrdiff_t index = 0; index < voxels; ++index) {
        const int idx[3] = {
            static_cast<int>(index % s.n[0]), static_cast<int>((index / s.n[0]) % s.n[1]),
            static_cast<int>(index / (static_cast<std::ptrdiff_t>(s.n[0]) * s.n[1]))};
        float sum = 0.0f;
        for (std::size_t view = 0; view < count; ++view) {
            const float* p = params.data() + view * kViewParam3DFloats;
            float lo[2] = {std::numeric_limits<float>::infinity(),
                           std::numeric_limits<float>::infinity()};
            float hi[2] = {-std::numeric_limits<float>::infinity(),
                           -std::numeric_limits<float>::infinity()};
            bool bounded = true;
            for (int corner = 0; corner < 8 && bounded; ++corner) {
                float x[3];
                for (int c = 0; c < 3; ++c) {
                    const float side = ((corner >> c) & 1) ? 1.0f : -1.0f;
                    x[c] = s.origin[c] + (static_cast<float>(idx[c]) + side) * s.spacing[c];
                }
                float a = 0.0f;
                float b = 0.0f;
                bounded = tomo_detector_coordinates_3d(p, x, s.parallel, &a, &b) != 0;
                lo[0] = std::min(lo[0], a);
                hi[0] = std::max(hi[0], a);
                lo[1] = std::min(lo[1], b);
                hi[1] = std::max(hi[1], b);
            }
            int u0 = 0;
            int u1 = s.nu - 1;
            int v0 = 0;
            int v1 = s.nv - 1;
            // A neighbourhood reaching behind the source has no bounded shadow: visit every
            // pixel (rare, exact, slow).
            if (bounded) {
                const float fuLo = lo[0] / s.pixelU + s.centreU;
                const float fuHi = hi[0] / s.pixelU + s.centreU;
                const float fvLo = lo[1] / s.pixelV + s.centreV;
                const float fvHi = hi[1] / s.pixelV + s.centreV;
                if (!(fuHi >= -1.0f && fuLo <= static_cast<float>(s.nu) && fvHi >= -1.0f &&
                      fvLo <= static_cast<float>(s.nv))) {
                    continue;
                }
                u0 = std::max(0, static_cast<int>(std::floor(fuLo)) - 1);
                u1 = std::min(s.nu - 1, static_cast<int>(std::ceil(fuHi)) + 1);
                v0 = std::max(0, static_cast<int>(std::floor(fvLo)) - 1);
                v1 = std::min(s.nv - 1, static_cast<int>(std::ceil(fvHi)) + 1);
            }
            const float* image = proj + (firstView + view) * pixelsPerView;
            for (int iv = v0; iv <= v1; ++iv) {
                for (int iu = u0; iu <= u1; ++iu) {
                    float o[3];
                    float r[3];
                    tomo_ray_3d(p, (static_cast<float>(iu) - s.centreU) * s.pixelU,
                                (static_cast<float>(iv) - s.centreV) * s.pixelV, s.parallel, o, r);
                    const float c =
                        tomo_joseph_weight_3d(o, r, idx, s.origin, s.spacing, s.parallel);
                    if (c != 0.0f) {
                        sum += c *
                               image[static_cast<std::size_t>(iv) * static_cast<std::size_t>(s.nu) +
                                     static_cast<std::size_t>(iu)];
                    }
                }
            }
        }
        out[index] += weight * sum;
    }
}
} // namespace tomo::detail
