/* Siddon projector (exact chord lengths through each voxel) for 2D parallel/fan and 3D
 * parallel/cone beams, and its exact transpose as an atomic scatter over rays.
 * Host launcher: core/src/ocl/projector_cl.cpp. CPU version: core/src/project/siddon_cpu.cpp.
 *
 * Buffers: volume (nx * ny * nz floats, x fastest; nz = 1 in 2D); projections (views * nv * nu,
 * u fastest, the batch only; nv = 1 in 2D); views: 6 floats per view in 2D (s.xy, d.xy, u.xy),
 * 12 in 3D (s, d, u, v). Build options: -DTOMO_PARALLEL=0|1. */

#ifndef TOMO_PARALLEL
#error "TOMO_PARALLEL must be defined"
#endif

/* The ray of pixel (iu, iv) of `view`; 2D rays lie in the grid's z = origin_z plane. */
inline void tomo_siddon_ray(__global const float* views, int dims, int view, int iu, int iv,
                            float pixel_u, float pixel_v, float centre_u, float centre_v,
                            float radius, float origin_z, float* o, float* r)
{
    if (dims == 2) {
        __global const float* p = views + 6 * view;
        tomo_ray_2d(p[0], p[1], p[2], p[3], p[4], p[5], ((float)iu - centre_u) * pixel_u, radius,
                    TOMO_PARALLEL, &o[0], &o[1], &r[0], &r[1]);
        o[2] = origin_z;
        r[2] = 0.0f;
        return;
    }
    float p[12];
    for (int c = 0; c < 12; ++c) {
        p[c] = views[12 * view + c];
    }
    tomo_ray_3d(p, ((float)iu - centre_u) * pixel_u, ((float)iv - centre_v) * pixel_v, radius,
                TOMO_PARALLEL, o, r);
}

/* One work-item per ray: global size (nu, nv, views in batch). */
__kernel void project_siddon(__global const float* volume, __global float* projections,
                             __global const float* views, int dims, int nx, int ny, int nz,
                             float origin_x, float origin_y, float origin_z, float spacing_x,
                             float spacing_y, float spacing_z, int nu, int nv, float pixel_u,
                             float pixel_v, float centre_u, float centre_v, float radius)
{
    const int iu = (int)get_global_id(0);
    const int iv = (int)get_global_id(1);
    const int view = (int)get_global_id(2);
    if (iu >= nu || iv >= nv) {
        return;
    }
    const int n[3] = {nx, ny, nz};
    const float origin[3] = {origin_x, origin_y, origin_z};
    const float spacing[3] = {spacing_x, spacing_y, spacing_z};
    float o[3];
    float r[3];
    tomo_siddon_ray(views, dims, view, iu, iv, pixel_u, pixel_v, centre_u, centre_v, radius,
                    origin_z, o, r);
    float sum = 0.0f;
    TomoSiddon it;
    if (tomo_siddon_begin(&it, o, r, n, origin, spacing, !TOMO_PARALLEL)) {
        int voxel;
        float length;
        while (tomo_siddon_next(&it, n, &voxel, &length)) {
            sum += length * volume[voxel];
        }
    }
    projections[(view * nv + iv) * nu + iu] = sum;
}

/* The transpose: the same traversal adding weight * length * (projection value) to each voxel
 * with atomic additions. Global size (nu, nv, views in batch). */
__kernel void backproject_siddon(__global float* volume, __global const float* projections,
                                 __global const float* views, int dims, int nx, int ny, int nz,
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
    const float value = weight * projections[(view * nv + iv) * nu + iu];
    if (value == 0.0f) {
        return;
    }
    const int n[3] = {nx, ny, nz};
    const float origin[3] = {origin_x, origin_y, origin_z};
    const float spacing[3] = {spacing_x, spacing_y, spacing_z};
    float o[3];
    float r[3];
    tomo_siddon_ray(views, dims, view, iu, iv, pixel_u, pixel_v, centre_u, centre_v, radius,
                    origin_z, o, r);
    TomoSiddon it;
    if (tomo_siddon_begin(&it, o, r, n, origin, spacing, !TOMO_PARALLEL)) {
        int voxel;
        float length;
        while (tomo_siddon_next(&it, n, &voxel, &length)) {
            tomo_atomic_add(volume + voxel, length * value);
        }
    }
}
