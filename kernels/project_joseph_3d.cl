/* Joseph ray-driven projector for 3D parallel and cone beams on flat or cylindrical detectors,
 * and its exact transpose. Host launcher: core/src/ocl/projector_cl.cpp. CPU reference:
 * core/src/project/joseph3d_cpu.cpp.
 *
 * Buffers: volume (nx * ny * nz floats, x fastest); projections (views * nv * nu floats, u
 * fastest, the batch only); views (12 floats per view of the batch: s, d, u, v; see
 * core/src/project/view_params.h). Build options: -DTOMO_PARALLEL=0|1. */

#ifndef TOMO_PARALLEL
#error "TOMO_PARALLEL must be defined"
#endif

/* The ray of pixel (iu, iv) of batch view `view`: origin o, direction r, and its dominant axis. */
int joseph_ray(__global const float* views, int view, int iu, int iv, float pixel_u, float pixel_v,
               float centre_u, float centre_v, float radius, const float* spacing, float* o,
               float* r)
{
    float p[12];
    for (int c = 0; c < 12; ++c) {
        p[c] = views[12 * view + c];
    }
    tomo_ray_3d(p, ((float)iu - centre_u) * pixel_u, ((float)iv - centre_v) * pixel_v, radius,
                TOMO_PARALLEL, o, r);
    return tomo_joseph_axis_3d(r, spacing);
}

/* Joseph's samples of that ray, as Walk3D::walk does on the CPU: VISIT(index, coefficient) for
 * each of the up to four voxels (index into the volume) of every sample. A macro because the
 * forward projection reads where the transpose adds atomically, and OpenCL C has no lambdas. */
#define TOMO_JOSEPH_WALK_3D(o, r, axis, n, stride, origin, spacing, VISIT)                         \
    do {                                                                                           \
        const int a1_ = tomo_across_first(axis);                                                   \
        const int a2_ = tomo_across_second(axis);                                                  \
        float line_[6];                                                                            \
        int k_begin_;                                                                              \
        int k_end_;                                                                                \
        tomo_joseph_line_3d(o, r, axis, n, origin, spacing, TOMO_PARALLEL, line_, &k_begin_,       \
                            &k_end_);                                                              \
        for (int k_ = k_begin_; k_ < k_end_; ++k_) {                                               \
            float f1_;                                                                             \
            float f2_;                                                                             \
            if (!tomo_joseph_sample_3d(line_, k_, n[a1_], n[a2_], TOMO_PARALLEL, &f1_, &f2_)) {    \
                continue;                                                                          \
            }                                                                                      \
            const float fl1_ = floor(f1_);                                                         \
            const float fl2_ = floor(f2_);                                                         \
            const float w1_ = f1_ - fl1_;                                                          \
            const float w2_ = f2_ - fl2_;                                                          \
            const int l1_ = (int)fl1_;                                                             \
            const int l2_ = (int)fl2_;                                                             \
            const int base_ = k_ * stride[axis];                                                   \
            if (l1_ >= 0 && l2_ >= 0) {                                                            \
                VISIT(base_ + l1_ * stride[a1_] + l2_ * stride[a2_], (1.0f - w1_) * (1.0f - w2_)); \
            }                                                                                      \
            if (l1_ + 1 < n[a1_] && l2_ >= 0) {                                                    \
                VISIT(base_ + (l1_ + 1) * stride[a1_] + l2_ * stride[a2_], w1_ * (1.0f - w2_));    \
            }                                                                                      \
            if (l1_ >= 0 && l2_ + 1 < n[a2_]) {                                                    \
                VISIT(base_ + l1_ * stride[a1_] + (l2_ + 1) * stride[a2_], (1.0f - w1_) * w2_);    \
            }                                                                                      \
            if (l1_ + 1 < n[a1_] && l2_ + 1 < n[a2_]) {                                            \
                VISIT(base_ + (l1_ + 1) * stride[a1_] + (l2_ + 1) * stride[a2_], w1_ * w2_);       \
            }                                                                                      \
        }                                                                                          \
    } while (0)

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
    const float origin[3] = {origin_x, origin_y, origin_z};
    const float spacing[3] = {spacing_x, spacing_y, spacing_z};
    const int n[3] = {nx, ny, nz};
    const int stride[3] = {1, nx, nx * ny};
    float o[3];
    float r[3];
    const int axis = joseph_ray(views, view, iu, iv, pixel_u, pixel_v, centre_u, centre_v, radius,
                                spacing, o, r);
    float sum = 0.0f;
#define TOMO_READ(index, coefficient) sum += (coefficient)*volume[index]
    TOMO_JOSEPH_WALK_3D(o, r, axis, n, stride, origin, spacing, TOMO_READ);
#undef TOMO_READ
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
    const float origin[3] = {origin_x, origin_y, origin_z};
    const float spacing[3] = {spacing_x, spacing_y, spacing_z};
    const int n[3] = {nx, ny, nz};
    const int stride[3] = {1, nx, nx * ny};
    float o[3];
    float r[3];
    const int axis = joseph_ray(views, view, iu, iv, pixel_u, pixel_v, centre_u, centre_v, radius,
                                spacing, o, r);
    const float value =
        weight * projections[(view * nv + iv) * nu + iu] * tomo_joseph_step_3d(r, axis, spacing);
    if (value == 0.0f) {
        return;
    }
#define TOMO_ADD(index, coefficient) tomo_atomic_add(volume + (index), (coefficient)*value)
    TOMO_JOSEPH_WALK_3D(o, r, axis, n, stride, origin, spacing, TOMO_ADD);
#undef TOMO_ADD
}
