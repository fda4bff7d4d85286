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
                                float pixel_u, float centre_column, float radius)
{
    const int iu = (int)get_global_id(0);
    const int view = (int)get_global_id(1);
    if (iu >= nu) {
        return;
    }
    __global const float* p = views + 6 * view;
    float ox, oy, rx, ry;
    tomo_ray_2d(p[0], p[1], p[2], p[3], p[4], p[5], ((float)iu - centre_column) * pixel_u, radius,
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

/* The transpose of project_joseph_2d as a scatter: one work-item per ray, global size
 * (nu, views in batch). It walks the forward projector's own samples and adds each coefficient
 * times weight * (projection value) * step into the volume with atomic additions. */
__kernel void backproject_joseph_2d(__global float* volume, __global const float* projections,
                                    __global const float* views, int nx, int ny, float origin_x,
                                    float origin_y, float spacing_x, float spacing_y, int nu,
                                    float pixel_u, float centre_column, float radius, float weight)
{
    const int iu = (int)get_global_id(0);
    const int view = (int)get_global_id(1);
    if (iu >= nu) {
        return;
    }
    __global const float* p = views + 6 * view;
    float ox, oy, rx, ry;
    tomo_ray_2d(p[0], p[1], p[2], p[3], p[4], p[5], ((float)iu - centre_column) * pixel_u, radius,
                TOMO_PARALLEL, &ox, &oy, &rx, &ry);
    const int xd = tomo_joseph_x_dominant(rx, ry, spacing_x, spacing_y);
    const float value =
        weight * projections[view * nu + iu] * tomo_joseph_step(rx, ry, xd, spacing_x, spacing_y);
    if (value == 0.0f) {
        return;
    }
    const int n_along = xd ? nx : ny;
    const int n_across = xd ? ny : nx;
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
            tomo_atomic_add(volume + (xd ? k + nx * lower : lower + nx * k), (1.0f - w) * value);
        }
        if (lower + 1 < n_across) {
            tomo_atomic_add(volume + (xd ? k + nx * (lower + 1) : lower + 1 + nx * k), w * value);
        }
    }
}
