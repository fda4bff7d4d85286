#pragma once

#include <cstddef>
#include <omp.h>
#include <vector>

namespace tomo::detail
{
/// The transpose of a ray-driven projector on the CPU: `perRay(ray, acc)` adds the ray's
/// contributions into `acc` (a whole volume). Rays run in parallel, each thread into its own
/// zeroed copy of the volume, and the copies are summed into `out` with `weight` at the end:
/// no atomics, no races, and the cost of one forward projection plus one pass over
/// threads × voxels (memory: one volume per thread).
template <class PerRay>
void scatterOverRays(std::ptrdiff_t rays, std::size_t voxels, float weight, float* out,
                     PerRay perRay)
{
    const int threads = omp_get_max_threads();
    std::vector<std::vector<float>> partial(static_cast<std::size_t>(threads));
#pragma omp parallel num_threads(threads)
    {
        std::vector<float>& acc = partial[static_cast<std::size_t>(omp_get_thread_num())];
        acc.assign(voxels, 0.0f);
#pragma omp for schedule(static)
        for (std::ptrdiff_t ray = 0; ray < rays; ++ray) {
            perRay(ray, acc.data());
        }
    }
    const auto n = static_cast<std::ptrdiff_t>(voxels);
#pragma omp parallel for schedule(static)
    for (std::ptrdiff_t v = 0; v < n; ++v) {
        float sum = 0.0f;
        for (const std::vector<float>& acc : partial) {
            sum += acc[static_cast<std::size_t>(v)];
        }
        out[v] += weight * sum;
    }
}
} // namespace tomo::detail
