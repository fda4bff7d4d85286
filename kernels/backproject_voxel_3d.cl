/* Voxel-driven backprojection for 3D parallel and cone beams on a flat detector (the operator
 * FDK uses): each voxel centre is projected onto the detector and the projection is sampled
 * bilinearly; pixels outside the detector count as zero. No distance weight: FDK applies its
 * own. Host launcher: core/src/ocl/projector_cl.cpp. CPU version: core/src/project/voxel_cpu.cpp.
 *
 * One work-item per voxel, global size (nx, ny, nz). Buffers as in project_joseph_3d.cl.
 * Build options: -DTOMO_PARALLEL=0|1. */

#ifndef TOMO_PARALLEL
#error "TOMO_PARALLEL must be defined"
#endif

__kernel void backproject_voxel_3d(__global float* volume, __global const float* projections,
                                   __global const float* views, int view_count, int nx, int ny,
                                   int nz, float origin_x, float origin_y, float origin_z,
                                   float spacing_x, float spacing_y, float spacing_z, int nu,
                                   int nv, float pixel_u, float pixel_v, float centre_u,
                                   float centre_v, float weight)
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
        if (!tomo_detector_coordinates_3d(p, x, TOMO_PARALLEL, &a, &b)) {
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
        sum += sample;
    }
    volume[i + nx * (j + ny * k)] += weight * sum;
}
