/* Voxel-driven backprojection for 3D parallel and cone beams on a flat detector (curved: below)
 * (the operator FDK uses): each voxel centre is projected onto the detector and the projection is
 * sampled bilinearly; pixels outside the detector count as zero. No distance weight: FDK applies
 * its own. Host launcher: core/src/ocl/projector_cl.cpp. CPU version:
 * core/src/project/voxel_cpu.cpp.
 *
 * One work-item per voxel, global size (nx, ny, nz). Buffers: volume and projections as in
 * project_joseph_3d.cl; matrices: the 3x4 projection matrix of each view of the batch
 * (12 floats, row-major, Geometry::projectionMatrix). */

__kernel void backproject_voxel_3d(__global float* volume, __global const float* projections,
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
    const float x[3] = {origin_x + (float)i * spacing_x, origin_y + (float)j * spacing_y,
                        origin_z + (float)k * spacing_z};
    float sum = 0.0f;
    for (int view = 0; view < view_count; ++view) {
        float P[12];
        for (int c = 0; c < 12; ++c) {
            P[c] = matrices[12 * view + c];
        }
        float fu;
        float fv;
        if (!tomo_project_point(P, x, &fu, &fv)) {
            continue;
        }
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

/* The same for cylindrical detectors of radius `radius` (mm), where no projection matrix maps a
 * point to an arc length: each voxel centre is intersected with the cylinder
 * (tomo_project_point_curved). views: 12 floats per view of the batch (s, d, u, v, as in
 * project_joseph_3d.cl); parallel: 1 for parallel beams. */
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
        sum += sample;
    }
    volume[i + nx * (j + ny * k)] += weight * sum;
}
