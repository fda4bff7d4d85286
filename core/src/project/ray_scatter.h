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

/// The line integral of `f` along `ray` as a Joseph walk (Walk2D, Walk3D) samples it: the sum of
/// each coefficient times its voxel, times the path length one sample stands for.
template <class Walk>
[[nodiscard]] float integrateRay(const Walk& walk, const typename Walk::Ray& ray, const float* f)
{
    float sum = 0.0f;
    walk.walk(ray, [&](std::ptrdiff_t voxel, float c) { sum += c * f[voxel]; });
    return sum * ray.step;
}

/// A Joseph walk's forward projection, proj[ray] for rays [0, rays), rays in parallel.
template <class Walk>
void projectOverRays(const Walk& walk, std::ptrdiff_t rays, const float* f, float* proj)
{
#pragma omp parallel for schedule(static)
    for (std::ptrdiff_t ray = 0; ray < rays; ++ray) {
        proj[ray] = integrateRay(walk, walk.ray(ray), f);
    }
}

/// Its exact transpose: the same samples' coefficients times proj[ray] and the step, added
/// into `out` with `weight` (scatterOverRays).
template <class Walk>
void transposeOverRays(const Walk& walk, std::ptrdiff_t rays, const float* proj, float weight,
                       std::size_t voxels, float* out)
{
    scatterOverRays(rays, voxels, weight, out, [&](std::ptrdiff_t ray, float* acc) {
        const float value = proj[ray];
        if (value == 0.0f) {
            return;
        }
        const typename Walk::Ray r = walk.ray(ray);
        const float scaled = value * r.step;
        walk.walk(r, [&](std::ptrdiff_t voxel, float c) { acc[voxel] += c * scaled; });
    });
}
} // namespace tomo::detail
