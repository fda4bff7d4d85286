/* Voxel-driven backprojection for 3D parallel and cone beams on a flat detector (curved: below)
 * (the operator FDK uses): each voxel centre is projected onto the detector and the projection is
 * sampled bilinearly; pixels outside the detector count as zero. Each sample is multiplied by
 * FDK's distance weight (D/w)^2, w the voxel's depth along the detector normal and D = P[11] the
 * isocentre's (1 for parallel beams, whose matrices have w = 1). Host launcher:
 * core/src/ocl/projector_cl.cpp. CPU version: core/src/project/voxel_cpu.cpp.
 *
 * One work-item per voxel, global size (nx, ny, nz). Buffers: volume as in project_joseph_3d.cl;
 * padded: the batch's projections with a border of zeros, one pixel before and TOMO_PAD_EXTRA - 1
 * after each row and column (view pixel (u, v) at (v + 1) * (nu + TOMO_PAD_EXTRA) + u + 1), so a
 * bilinear sample anywhere in -1 <= f <= n reads four stored pixels with no bounds test;
 * matrices: the 3x4 projection matrix of each view of the batch (12 floats, row-major,
 * Geometry::projectionMatrix). */

/* Border width: 1 before, 2 after, so the clamped coordinate f = n still reads inside. */
#define TOMO_PAD_EXTRA 3

__kernel void backproject_voxel_3d(__global float* volume, __global const float* padded,
                                   __global const float* matrices, int view_count, int nx, int ny,
                                   int nz, float origin_x, float origin_y, float origin_z,
                                   float spacing_x, float spacing_y, float spacing_z, int nu,
                                   int nv, float weight)
{
    const int i = (int)get_global_id(0);
    const int j = (int)get_global_id(1);
    const int k = (int)get_global_id(2);
    if (i >= nx || j >= ny || k >= nz) {
        return;
    }
    const float x = origin_x + (float)i * spacing_x;
    const float y = origin_y + (float)j * spacing_y;
    const float z = origin_z + (float)k * spacing_z;
    const int width = nu + TOMO_PAD_EXTRA;
    const int pixels = width * (nv + TOMO_PAD_EXTRA);
    float sum = 0.0f;
    for (int view = 0; view < view_count; ++view) {
        __global const float* P = matrices + 12 * view;
        const float w = P[8] * x + P[9] * y + P[10] * z + P[11];
        if (!(w > 0.0f)) {
            continue; /* not in front of the source (tomo_project_point) */
        }
        const float inv = 1.0f / w;
        /* Samples outside -1 < f < n land in the zero border, which gives them weight zero
         * as in TOMO_BILINEAR_SAMPLE; fmax/fmin also send NaN there. */
        const float fu =
            fmin(fmax((P[0] * x + P[1] * y + P[2] * z + P[3]) * inv, -1.0f), (float)nu);
        const float fv =
            fmin(fmax((P[4] * x + P[5] * y + P[6] * z + P[7]) * inv, -1.0f), (float)nv);
        const float flu = floor(fu);
        const float flv = floor(fv);
        const float wu = fu - flu;
        const float wv = fv - flv;
        __global const float* p = padded + view * pixels + ((int)flv + 1) * width + (int)flu + 1;
        const float top = p[0] + wu * (p[1] - p[0]);
        const float bottom = p[width] + wu * (p[width + 1] - p[width]);
        const float distance = P[11] * inv;
        sum += (top + wv * (bottom - top)) * (distance * distance);
    }
    volume[i + nx * (j + ny * k)] += weight * sum;
}

/* The same for cylindrical detectors of radius `radius` (mm), where no projection matrix maps a
 * point to an arc length: each voxel centre is intersected with the cylinder
 * (tomo_project_point_curved), and the distance weight is tomo_distance_weight_curved. views: 12
 * floats per view of the batch (s, d, u, v, as in project_joseph_3d.cl); parallel: 1 for parallel
 * beams. */
__kernel void backproject_voxel_3d_curved(__global float* volume, __global const float* projections,
                                          __global const float* views, int view_count, int nx,
                                          int ny, int nz, float origin_x, float origin_y,
                                          float origin_z, float spacing_x, float spacing_y,
                                          float spacing_z, int nu, int nv, float pixel_u,
                                          float pixel_v, float centre_u, float centre_v,
                                          float radius, int parallel, float weight)
{
    const int i = (int)get_global_id(0);
    const int j = (int)get_global_id(1);
    const int k = (int)get_global_id(2);
    if (i >= nx || j >= ny || k >= nz) {
        return;
    }
    const float x[3] = {origin_x + (float)i * spacing_x, origin_y + (float)j * spacing_y,
                        origin_z + (float)k * spacing_z};
    float sum = 0.0f;
    for (int view = 0; view < view_count; ++view) {
        float p[12];
        for (int c = 0; c < 12; ++c) {
            p[c] = views[12 * view + c];
        }
        float a;
        float b;
        if (!tomo_project_point_curved(p, radius, parallel, x, &a, &b)) {
            continue;
        }
        const float fu = a / pixel_u + centre_u;
        const float fv = b / pixel_v + centre_v;
        if (!(fu > -1.0f && fu < (float)nu && fv > -1.0f && fv < (float)nv)) {
            continue;
        }
        __global const float* image = projections + view * nu * nv;
        float sample;
        TOMO_BILINEAR_SAMPLE(image, nu, nv, fu, fv, sample);
        sum += sample * tomo_distance_weight_curved(p, parallel, x);
    }
    volume[i + nx * (j + ny * k)] += weight * sum;
}
