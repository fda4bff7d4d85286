/* Joseph ray-driven projector for 2D parallel and fan beams, and its exact transpose.
 * Host launcher: core/src/ocl/projector_cl.cpp. CPU reference: core/src/project/joseph_cpu.cpp.
 *
 * Buffers: volume (nx * ny floats, x fastest); projections (views * nu floats, u fastest, the
 * batch only); views (6 floats per view of the batch: s.xy, d.xy, u.xy, see
 * core/src/project/view_params.h).
 * Build options: -DTOMO_PARALLEL=0|1. */

#ifndef TOMO_PARALLEL
#error "TOMO_PARALLEL must be defined"
#endif

/* One work-item per ray: global size (nu, views in batch). */
__kernel void project_joseph_2d(__global const float* volume, __global float* projections,
                                __global const float* views, int nx, int ny, float origin_x,
                                float origin_y, float spacing_x, float spacing_y, int nu,
                                float pixel_u, float centre_column)
{
    const int iu = (int)get_global_id(0);
    const int view = (int)get_global_id(1);
    if (iu >= nu) {
        return;
    }
    __global const float* p = views + 6 * view;
    float ox, oy, rx, ry;
    tomo_ray_2d(p[0], p[1], p[2], p[3], p[4], p[5], ((float)iu - centre_column) * pixel_u,
                TOMO_PARALLEL, &ox, &oy, &rx, &ry);
    const int xd = tomo_joseph_x_dominant(rx, ry, spacing_x, spacing_y);
    const int n_along = xd ? nx : ny;
    const int n_across = xd ? ny : nx;
    float sum = 0.0f;
    for (int k = 0; k < n_along; ++k) {
        const float f =
            tomo_joseph_crossing(ox, oy, rx, ry, xd, k, origin_x, origin_y, spacing_x, spacing_y);
        if (!(f > -1.0f && f < (float)n_across)) {
            continue;
        }
        const float fl = floor(f);
        const float w = f - fl;
        const int lower = (int)fl;
        if (lower >= 0) {
            sum += (1.0f - w) * (xd ? volume[k + nx * lower] : volume[lower + nx * k]);
        }
        if (lower + 1 < n_across) {
            sum += w * (xd ? volume[k + nx * (lower + 1)] : volume[lower + 1 + nx * k]);
        }
    }
    projections[view * nu + iu] = sum * tomo_joseph_step(rx, ry, xd, spacing_x, spacing_y);
}

/* The transpose of project_joseph_2d as a gather: one work-item per voxel, global size (nx, ny).
 * For each view it visits the columns whose rays can touch the voxel (those meeting the 2x2-voxel
 * box around it, plus one column of margin) and adds weight * value with the forward projector's
 * own coefficient, so no atomics are needed and the sum equals the scatter's. Accumulates
 * weight * (transpose) into volume. */
__kernel void backproject_joseph_2d(__global float* volume, __global const float* projections,
                                    __global const float* views, int view_count, int nx, int ny,
                                    float origin_x, float origin_y, float spacing_x,
                                    float spacing_y, int nu, float pixel_u, float centre_column,
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
        float lo = INFINITY;
        float hi = -INFINITY;
        for (int corner = 0; corner < 4; ++corner) {
            const float cx = x + ((corner & 1) ? spacing_x : -spacing_x);
            const float cy = y + ((corner & 2) ? spacing_y : -spacing_y);
            const float a =
                tomo_detector_coordinate(p[0], p[1], p[2], p[3], p[4], p[5], cx, cy, TOMO_PARALLEL);
            lo = fmin(lo, a);
            hi = fmax(hi, a);
        }
        const float f_lo = lo / pixel_u + centre_column;
        const float f_hi = hi / pixel_u + centre_column;
        if (!(f_hi >= -1.0f && f_lo <= (float)nu)) {
            continue; /* the voxel's shadow misses the detector */
        }
        const int first = max(0, (int)floor(f_lo) - 1);
        const int last = min(nu - 1, (int)ceil(f_hi) + 1);
        for (int iu = first; iu <= last; ++iu) {
            float ox, oy, rx, ry;
            tomo_ray_2d(p[0], p[1], p[2], p[3], p[4], p[5], ((float)iu - centre_column) * pixel_u,
                        TOMO_PARALLEL, &ox, &oy, &rx, &ry);
            const float c =
                tomo_joseph_weight(ox, oy, rx, ry, i, j, origin_x, origin_y, spacing_x, spacing_y);
            if (c != 0.0f) {
                sum += c * projections[view * nu + iu];
            }
        }
    }
    volume[i + nx * j] += weight * sum;
}
