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
                                float centre_u, float centre_v)
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
    tomo_ray_3d(p, ((float)iu - centre_u) * pixel_u, ((float)iv - centre_v) * pixel_v,
                TOMO_PARALLEL, o, r);
    const int axis = tomo_joseph_axis_3d(r, spacing);
    const int a1 = tomo_across_first(axis);
    const int a2 = tomo_across_second(axis);
    float sum = 0.0f;
    for (int k = 0; k < n[axis]; ++k) {
        float f1;
        float f2;
        const float t = tomo_joseph_crossing_3d(o, r, axis, k, origin, spacing, &f1, &f2);
        if (!tomo_sample_on_ray(t, TOMO_PARALLEL) ||
            !(f1 > -1.0f && f1 < (float)n[a1] && f2 > -1.0f && f2 < (float)n[a2])) {
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

/* The transpose of project_joseph_3d as a gather: one work-item per voxel, global size
 * (nx, ny, nz). For each view it visits the detector pixels whose rays can touch the voxel
 * (those meeting the 2x2x2-voxel box around it, plus one pixel of margin) and adds the forward
 * projector's own coefficient times the projection value, so no atomics are needed.
 * Accumulates weight * (transpose) into volume. */
__kernel void backproject_joseph_3d(__global float* volume, __global const float* projections,
                                    __global const float* views, int view_count, int nx, int ny,
                                    int nz, float origin_x, float origin_y, float origin_z,
                                    float spacing_x, float spacing_y, float spacing_z, int nu,
                                    int nv, float pixel_u, float pixel_v, float centre_u,
                                    float centre_v, float weight)
{
    const int idx[3] = {(int)get_global_id(0), (int)get_global_id(1), (int)get_global_id(2)};
    if (idx[0] >= nx || idx[1] >= ny || idx[2] >= nz) {
        return;
    }
    const float origin[3] = {origin_x, origin_y, origin_z};
    const float spacing[3] = {spacing_x, spacing_y, spacing_z};
    float sum = 0.0f;
    for (int view = 0; view < view_count; ++view) {
        float p[12];
        for (int c = 0; c < 12; ++c) {
            p[c] = views[12 * view + c];
        }
        float lo_u = INFINITY;
        float hi_u = -INFINITY;
        float lo_v = INFINITY;
        float hi_v = -INFINITY;
        int ok = 1;
        for (int corner = 0; corner < 8; ++corner) {
            float x[3];
            for (int c = 0; c < 3; ++c) {
                const float side = ((corner >> c) & 1) ? 1.0f : -1.0f;
                x[c] = origin[c] + ((float)idx[c] + side) * spacing[c];
            }
            float a;
            float b;
            if (!tomo_detector_coordinates_3d(p, x, TOMO_PARALLEL, &a, &b)) {
                ok = 0;
                break;
            }
            lo_u = fmin(lo_u, a);
            hi_u = fmax(hi_u, a);
            lo_v = fmin(lo_v, b);
            hi_v = fmax(hi_v, b);
        }
        int u0 = 0;
        int u1 = nu - 1;
        int v0 = 0;
        int v1 = nv - 1;
        /* A neighbourhood reaching behind the source has no bounded shadow: visit every pixel
         * (rare, exact, slow). */
        if (ok) {
            const float fu_lo = lo_u / pixel_u + centre_u;
            const float fu_hi = hi_u / pixel_u + centre_u;
            const float fv_lo = lo_v / pixel_v + centre_v;
            const float fv_hi = hi_v / pixel_v + centre_v;
            if (!(fu_hi >= -1.0f && fu_lo <= (float)nu && fv_hi >= -1.0f && fv_lo <= (float)nv)) {
                continue;
            }
            u0 = max(0, (int)floor(fu_lo) - 1);
            u1 = min(nu - 1, (int)ceil(fu_hi) + 1);
            v0 = max(0, (int)floor(fv_lo) - 1);
            v1 = min(nv - 1, (int)ceil(fv_hi) + 1);
        }
        for (int iv = v0; iv <= v1; ++iv) {
            for (int iu = u0; iu <= u1; ++iu) {
                float o[3];
                float r[3];
                tomo_ray_3d(p, ((float)iu - centre_u) * pixel_u, ((float)iv - centre_v) * pixel_v,
                            TOMO_PARALLEL, o, r);
                const float c = tomo_joseph_weight_3d(o, r, idx, origin, spacing, TOMO_PARALLEL);
                if (c != 0.0f) {
                    sum += c * projections[(view * nv + iv) * nu + iu];
                }
            }
        }
    }
    volume[idx[0] + nx * (idx[1] + ny * idx[2])] += weight * sum;
}
