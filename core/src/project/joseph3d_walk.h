#pragma once

// The ray walk of the 3D Joseph projector on the CPU, shared by the forward projection, its
// transpose (joseph3d_cpu.cpp) and the AVX2 forward projection (joseph3d_avx2.cpp), so every path
// applies the same samples and coefficients.
#include "project/ray_geometry.h"
#include "project/view_params.h"

#include <cmath>
#include <cstddef>
#include <vector>

namespace tomo::detail
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
        float line[6];
        int kBegin = 0;
        int kEnd = 0;
        tomo_joseph_line_3d(ray.o, ray.r, axis, s.n, s.origin, s.spacing, s.parallel, line, &kBegin,
                            &kEnd);
        for (int k = kBegin; k < kEnd; ++k) {
            float f1 = 0.0f;
            float f2 = 0.0f;
            if (!tomo_joseph_sample_3d(line, k, s.n[a1], s.n[a2], s.parallel, &f1, &f2)) {
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
} // namespace tomo::detail
