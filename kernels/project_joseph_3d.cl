/* Joseph ray-driven projector for 3D parallel and cone beams on a flat detector, and its exact
 * transpose. Host launcher: core/src/ocl/projector_cl.cpp. CPU reference:
 * core/src/project/joseph3d_cpu.cpp.
 *
 * Buffers: volume (nx * ny * nz floats, x fastest); projections (views * nv * nu floats, u
 * fastest, the batch only); views (12 floats per view of the batch: s, d, u, v; see
 * core/src/project/view_params.h). Build options: -DTOMO_PARALLEL=0|1. */

#ifndef TOMO_PARALLEL
#error "TOMO_PARALLEL must be defined"
#endif

/* One work-item per ray: global size (nu, nv, views in batch). */
__kernel void project_joseph_3d(__global const float* volume, __global float* projections,
                                __global const float* views, int nx, int ny, int nz, float origin_x,
                                float origin_y, float origin_z, float spacing_x, float spacing_y,
                                float spacing_z, int nu, int nv, float pixel_u, float pixel_v,
                                float centre_u, float centre_v, float radius)
{
    const int iu = (int)get_global_id(0);
    const int iv = (int)get_global_id(1);
    const int view = (int)get_global_id(2);
    if (iu >= nu || iv >= nv) {
        return;
    }
    float p[12];
    for (int c = 0; c < 12; ++c) {
        p[c] = views[12 * view + c];
    }
    const float origin[3] = {origin_x, origin_y, origin_z};
    const float spacing[3] = {spacing_x, spacing_y, spacing_z};
    const int n[3] = {nx, ny, nz};
    const int stride[3] = {1, nx, nx * ny};
    float o[3];
    float r[3];
    tomo_ray_3d(p, ((float)iu - centre_u) * pixel_u, ((float)iv - centre_v) * pixel_v, radius,
                TOMO_PARALLEL, o, r);
    const int axis = tomo_joseph_axis_3d(r, spacing);
    const int a1 = tomo_across_first(axis);
    const int a2 = tomo_across_second(axis);
    float sum = 0.0f;
    float line[6];
    int k_begin;
    int k_end;
    tomo_joseph_line_3d(o, r, axis, n, origin, spacing, TOMO_PARALLEL, line, &k_begin, &k_end);
    for (int k = k_begin; k < k_end; ++k) {
        float f1;
        float f2;
        if (!tomo_joseph_sample_3d(line, k, n[a1], n[a2], TOMO_PARALLEL, &f1, &f2)) {
            continue;
        }
        const float fl1 = floor(f1);
        const float fl2 = floor(f2);
        const float w1 = f1 - fl1;
        const float w2 = f2 - fl2;
        const int l1 = (int)fl1;
        const int l2 = (int)fl2;
        const int base = k * stride[axis];
        if (l1 >= 0 && l2 >= 0) {
            sum += (1.0f - w1) * (1.0f - w2) * volume[base + l1 * stride[a1] + l2 * stride[a2]];
        }
        if (l1 + 1 < n[a1] && l2 >= 0) {
            sum += w1 * (1.0f - w2) * volume[base + (l1 + 1) * stride[a1] + l2 * stride[a2]];
        }
        if (l1 >= 0 && l2 + 1 < n[a2]) {
            sum += (1.0f - w1) * w2 * volume[base + l1 * stride[a1] + (l2 + 1) * stride[a2]];
        }
        if (l1 + 1 < n[a1] && l2 + 1 < n[a2]) {
            sum += w1 * w2 * volume[base + (l1 + 1) * stride[a1] + (l2 + 1) * stride[a2]];
        }
    }
    projections[(view * nv + iv) * nu + iu] = sum * tomo_joseph_step_3d(r, axis, spacing);
}

/* The transpose of project_joseph_3d as a scatter: one work-item per ray, global size
 * (nu, nv, views in batch). It walks the forward projector's own samples and adds each
 * bilinear coefficient times weight * (projection value) * step into the volume with atomic
 * additions. */
__kernel void backproject_joseph_3d(__global float* volume, __global const float* projections,
                                    __global const float* views, int nx, int ny, int nz,
                                    float origin_x, float origin_y, float origin_z, float spacing_x,
                                    float spacing_y, float spacing_z, int nu, int nv, float pixel_u,
                                    float pixel_v, float centre_u, float centre_v, float radius,
                                    float weight)
{
    const int iu = (int)get_global_id(0);
    const int iv = (int)get_global_id(1);
    const int view = (int)get_global_id(2);
    if (iu >= nu || iv >= nv) {
        return;
    }
    float p[12];
    for (int c = 0; c < 12; ++c) {
        p[c] = views[12 * view + c];
    }
    const float origin[3] = {origin_x, origin_y, origin_z};
    const float spacing[3] = {spacing_x, spacing_y, spacing_z};
    const int n[3] = {nx, ny, nz};
    const int stride[3] = {1, nx, nx * ny};
    float o[3];
    float r[3];
    tomo_ray_3d(p, ((float)iu - centre_u) * pixel_u, ((float)iv - centre_v) * pixel_v, radius,
                TOMO_PARALLEL, o, r);
    const int axis = tomo_joseph_axis_3d(r, spacing);
    const int a1 = tomo_across_first(axis);
    const int a2 = tomo_across_second(axis);
    const float value =
        weight * projections[(view * nv + iv) * nu + iu] * tomo_joseph_step_3d(r, axis, spacing);
    if (value == 0.0f) {
        return;
    }
    float line[6];
    int k_begin;
    int k_end;
    tomo_joseph_line_3d(o, r, axis, n, origin, spacing, TOMO_PARALLEL, line, &k_begin, &k_end);
    for (int k = k_begin; k < k_end; ++k) {
        float f1;
        float f2;
        if (!tomo_joseph_sample_3d(line, k, n[a1], n[a2], TOMO_PARALLEL, &f1, &f2)) {
            continue;
        }
        const float fl1 = floor(f1);
        const float fl2 = floor(f2);
        const float w1 = f1 - fl1;
        const float w2 = f2 - fl2;
        const int l1 = (int)fl1;
        const int l2 = (int)fl2;
        __global float* base = volume + k * stride[axis];
        if (l1 >= 0 && l2 >= 0) {
            tomo_atomic_add(base + l1 * stride[a1] + l2 * stride[a2],
                            (1.0f - w1) * (1.0f - w2) * value);
        }
        if (l1 + 1 < n[a1] && l2 >= 0) {
            tomo_atomic_add(base + (l1 + 1) * stride[a1] + l2 * stride[a2],
                            w1 * (1.0f - w2) * value);
        }
        if (l1 >= 0 && l2 + 1 < n[a2]) {
            tomo_atomic_add(base + l1 * stride[a1] + (l2 + 1) * stride[a2],
                            (1.0f - w1) * w2 * value);
        }
        if (l1 + 1 < n[a1] && l2 + 1 < n[a2]) {
            tomo_atomic_add(base + (l1 + 1) * stride[a1] + (l2 + 1) * stride[a2], w1 * w2 * value);
        }
    }
}
