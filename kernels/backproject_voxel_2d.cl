/* Voxel-driven backprojection for 2D parallel and fan beams (the FBP operator): each voxel
 * centre is projected onto the detector (flat, or an arc of radius `radius`) and the two nearest
 * columns are interpolated linearly; columns outside the detector count as zero. Each sample is
 * multiplied by the distance weight of fan-beam FBP (tomo_distance_weight_2d; 1 for parallel
 * beams). Host launcher: core/src/ocl/projector_cl.cpp. CPU reference:
 * core/src/project/voxel_cpu.cpp.
 *
 * One work-item per voxel, global size (nx, ny). Buffers as in project_joseph_2d.cl.
 * Build options: -DTOMO_PARALLEL=0|1. */

#ifndef TOMO_PARALLEL
#error "TOMO_PARALLEL must be defined"
#endif

__kernel void backproject_voxel_2d(__global float* volume, __global const float* projections,
                                   __global const float* views, int view_count, int nx, int ny,
                                   float origin_x, float origin_y, float spacing_x, float spacing_y,
                                   int nu, float pixel_u, float centre_column, float radius,
                                   float weight)
{
    const int i = (int)get_global_id(0);
    const int j = (int)get_global_id(1);
    if (i >= nx || j >= ny) {
        return;
    }
    const float x = origin_x + (float)i * spacing_x;
    const float y = origin_y + (float)j * spacing_y;
    float sum = 0.0f;
    for (int view = 0; view < view_count; ++view) {
        __global const float* p = views + 6 * view;
        float a;
        if (!tomo_detector_coordinate_2d(p[0], p[1], p[2], p[3], p[4], p[5], x, y, radius,
                                         TOMO_PARALLEL, &a)) {
            continue;
        }
        const float f = a / pixel_u + centre_column;
        if (!(f > -1.0f && f < (float)nu)) {
            continue; /* also skips NaN and points projecting to infinity */
        }
        const float fl = floor(f);
        const float w = f - fl;
        const int lower = (int)fl;
        __global const float* row = projections + view * nu;
        float sample = 0.0f;
        if (lower >= 0) {
            sample += (1.0f - w) * row[lower];
        }
        if (lower + 1 < nu) {
            sample += w * row[lower + 1];
        }
        sum +=
            sample * tomo_distance_weight_2d(p[0], p[1], p[4], p[5], x, y, radius, TOMO_PARALLEL);
    }
    volume[i + nx * j] += weight * sum;
}
