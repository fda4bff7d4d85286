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

/* project_joseph_3d for CPU devices (projector_cl.cpp picks it by device type), with explicit
 * vectors as backproject_voxel_3d_columns (PoCL runs a work-item's own loops scalar): each
 * work-item walks up to 8 * TOMO_RAY_BLOCKS rows of one detector column, in blocks of eight
 * neighbouring rows, one lane per ray, every lane with its own Joseph line, slice range and step
 * (the same samples and coefficients as the scalar walk, up to float rounding). Slice by slice,
 * every block takes its samples, so that a voxel column's z-range is read by one work-item in
 * one pass. The volume is read from a z-fastest copy with a border of zeros, so a neighbour
 * outside the grid reads zero instead of being tested. Where a block's eight lanes share their
 * voxel column across the dominant axis (as the rays of a detector column do when its columns
 * run along z) and their z samples lie within 15 voxels, the four neighbours come out of two
 * 16-float windows of z by permutes (kernels/common/vector_window.cl); else each lane reads its
 * own. A block whose rays' dominant axis is z, or differs between lanes, is walked ray by ray as
 * in project_joseph_3d.
 *
 * zcolumns: the slab as z-fastest columns with zeros around: voxel (x, y, z) at
 * ((y + 1) * (nx + 3) + x + 1) * pitch + z + 1, pitch = nz + 1 + TOMO_ZCOLUMN_PAD_AFTER, with one
 * column of zeros before and two after in x and in y. Global size
 * (nu, ceil(nv / (8 * TOMO_RAY_BLOCKS)), views). */

/* Zeros after each z-column: a window of 16 from the clamped end nz + 1 stays inside. */
#define TOMO_ZCOLUMN_PAD_AFTER 24
#define TOMO_RAY_BLOCKS 32
/* Lanes whose in-plane lines differ by less than this (voxels) share the first's: the rays of one
 * detector column agree to about 1e-4 voxel after float rounding (joseph3d_columns_avx2.cpp). */
#define TOMO_SHARED_LINE 1e-3f

/* One block of eight rays: their Joseph lines (tomo_joseph_line_3d's six coefficients), slice
 * ranges and steps, lane by lane. */
typedef struct
{
    float8 f1_at_0, f1_step, f2_at_0, f2_step, t_at_0, t_step, length;
    int8 first, last;
} tomo_ray_block;

/* The z side of block r's samples in slice k: the lanes that count as far as their slice range,
 * z and (cone beams) the source allow, and each lane's stored z index (one zero before, clamped
 * into the border; NaN goes to -1 too) and weight. */
inline int8 tomo_block_z(const tomo_ray_block* r, int k, int nz, int8* s2, float8* w2)
{
    const float kf = (float)k;
    const int8 kk = (int8)(k);
    const float8 f2 = r->f2_at_0 + kf * r->f2_step;
    int8 valid = (kk >= r->first) & (kk < r->last) & (f2 > -1.0f) & (f2 < (float)nz);
#if !TOMO_PARALLEL
    valid = valid & (r->t_at_0 + kf * r->t_step > 0.0f);
#endif
    const float8 g2 = fmin(fmax(f2, -1.0f), (float)nz) + 1.0f;
    *s2 = convert_int8(g2);
    *w2 = g2 - convert_float8(*s2);
    return valid;
}

/* The scan and grid the column kernels share, from their arguments. */
typedef struct
{
    float origin[3];
    float spacing[3];
    int n[3];
    int nu, nv;
    float pixel_u, pixel_v, centre_u, centre_v, radius;
} tomo_column_scan;

/* Detector rows count as running along z where |v_x| and |v_y| are at most this (rowsAlongZ in
 * joseph3d_columns_avx2.cpp). */
#define TOMO_ROWS_ALONG_Z 1e-6f

/* tomo_column_blocks for a view whose detector rows run along z: the rows of a detector column
 * then lie on one vertical line, so in the slice planes of their shared dominant axis their z
 * indices (f2) and steps are affine in the row, and the rows between the chunk's first and last
 * are interpolated instead of each set up from its own ray (a square root and sixteen divisions
 * a ray, 15% of the forward projection's time on PoCL), as setUpColumnFromEnds does on the CPU.
 * The in-plane line, the source side and each row's step follow from the first row's line.
 * Returns -2, with nothing set up, where this does not apply. */
inline int tomo_column_blocks_from_ends(__global const float* views, int view, int iu, int v_first,
                                        int blocks, const tomo_column_scan* scan,
                                        tomo_ray_block* block, bool* walked, int* k_begin,
                                        int* k_end)
{
    __global const float* v_hat = views + 12 * view + 9;
    const int v_last = min(v_first + 8 * blocks, scan->nv) - 1;
    if (fabs(v_hat[0]) > TOMO_ROWS_ALONG_Z || fabs(v_hat[1]) > TOMO_ROWS_ALONG_Z ||
        v_last <= v_first) {
        return -2;
    }
    float o[3];
    float r[3];
    float line0[6];
    float line_n[6];
    int unused_begin;
    int unused_end;
    const int axis = joseph_ray(views, view, iu, v_first, scan->pixel_u, scan->pixel_v,
                                scan->centre_u, scan->centre_v, scan->radius, scan->spacing, o, r);
    tomo_joseph_line_3d(o, r, axis, scan->n, scan->origin, scan->spacing, TOMO_PARALLEL, line0,
                        &unused_begin, &unused_end);
    const int axis_n =
        joseph_ray(views, view, iu, v_last, scan->pixel_u, scan->pixel_v, scan->centre_u,
                   scan->centre_v, scan->radius, scan->spacing, o, r);
    tomo_joseph_line_3d(o, r, axis_n, scan->n, scan->origin, scan->spacing, TOMO_PARALLEL, line_n,
                        &unused_begin, &unused_end);
    if (axis != axis_n || axis == 2 || fabs(line_n[0] - line0[0]) > TOMO_SHARED_LINE ||
        fabs(line_n[1] - line0[1]) * (float)scan->n[axis] > TOMO_SHARED_LINE ||
        (line0[4] > 0.0f) != (line_n[4] > 0.0f) || (line0[5] > 0.0f) != (line_n[5] > 0.0f)) {
        return -2;
    }
    const int a1 = tomo_across_first(axis);
    const int a2 = tomo_across_second(axis);
    /* The slices the in-plane line and the source side allow, as tomo_joseph_line_3d clips. */
    float shared_lo = 0.0f;
    float shared_hi = (float)(scan->n[axis] - 1);
    tomo_clip_affine(line0[0], line0[1], -1.0f, (float)scan->n[a1], &shared_lo, &shared_hi);
#if !TOMO_PARALLEL
    tomo_clip_affine(line0[4], line0[5], 0.0f, 3.0e38f, &shared_lo, &shared_hi);
#endif
    const float rows = (float)(v_last - v_first);
    const float f2_step = (line_n[2] - line0[2]) / rows;
    const float d2_step = (line_n[3] - line0[3]) / rows;
    /* A ray's step, spacing[axis] / |r[axis]| for a unit r, from its slopes across the axis. */
    const float across1 = line0[1] * scan->spacing[a1] / scan->spacing[axis];
    const float across2_scale = scan->spacing[a2] / scan->spacing[axis];
    *k_begin = scan->n[0] + scan->n[1];
    *k_end = 0;
    for (int b = 0; b < blocks; ++b) {
        float f2[8];
        float d2[8];
        float length[8];
        int first[8];
        int last[8];
        for (int k = 0; k < 8; ++k) {
            /* Rows past the detector repeat the last and are not written. */
            const float row = (float)min(8 * b + k, v_last - v_first);
            f2[k] = line0[2] + row * f2_step;
            d2[k] = line0[3] + row * d2_step;
            float lo = shared_lo;
            float hi = shared_hi;
            tomo_clip_affine(f2[k], d2[k], -1.0f, (float)scan->n[a2], &lo, &hi);
            tomo_joseph_slice_range(lo, hi, scan->n[axis], &first[k], &last[k]);
            const float across2 = d2[k] * across2_scale;
            length[k] = scan->spacing[axis] * sqrt(1.0f + across1 * across1 + across2 * across2);
        }
        walked[b] = false;
        block[b].f1_at_0 = (float8)(line0[0]);
        block[b].f1_step = (float8)(line0[1]);
        block[b].f2_at_0 = vload8(0, f2);
        block[b].f2_step = vload8(0, d2);
        block[b].t_at_0 = (float8)(line0[4]);
        block[b].t_step = (float8)(line0[5]);
        block[b].length = vload8(0, length);
        block[b].first = vload8(0, first);
        block[b].last = vload8(0, last);
        *k_begin = min(*k_begin, tomo_min8(block[b].first));
        *k_end = max(*k_end, tomo_max8(block[b].last));
    }
    *k_begin = min(*k_begin, *k_end);
    return axis;
}

/* Sets up the blocks of rows [v_first, v_first + 8 * blocks) of detector column iu of batch view
 * `view`: every lane's Joseph line, slice range and step. A block whose rays' dominant axis is z,
 * or differs between its lanes or from the earlier blocks', is marked walked (to be walked ray by
 * ray by the caller) and given an empty slice range. Returns the dominant axis of the other
 * blocks (x or y; -1 if there are none) and their slice range [k_begin, k_end). */
inline int tomo_column_blocks(__global const float* views, int view, int iu, int v_first,
                              int blocks, const tomo_column_scan* scan, tomo_ray_block* block,
                              bool* walked, int* k_begin, int* k_end)
{
    int axis = tomo_column_blocks_from_ends(views, view, iu, v_first, blocks, scan, block, walked,
                                            k_begin, k_end);
    if (axis != -2) {
        return axis;
    }
    axis = -1;
    *k_begin = scan->n[0] + scan->n[1];
    *k_end = 0;
    for (int b = 0; b < blocks; ++b) {
        const int v0 = v_first + 8 * b;
        const int rows = min(8, scan->nv - v0);
        float line[6][8];
        float length[8];
        int first[8];
        int last[8];
        bool windowed = true;
        int block_axis = -1;
        for (int k = 0; k < 8; ++k) {
            float o[3];
            float r[3];
            /* Rows past the detector repeat the last and are not written. */
            const int a =
                joseph_ray(views, view, iu, v0 + min(k, rows - 1), scan->pixel_u, scan->pixel_v,
                           scan->centre_u, scan->centre_v, scan->radius, scan->spacing, o, r);
            block_axis = k == 0 ? a : block_axis;
            windowed = windowed && a == block_axis && a != 2 && (axis < 0 || a == axis);
            float l[6];
            tomo_joseph_line_3d(o, r, a, scan->n, scan->origin, scan->spacing, TOMO_PARALLEL, l,
                                &first[k], &last[k]);
            for (int c = 0; c < 6; ++c) {
                line[c][k] = l[c];
            }
            length[k] = tomo_joseph_step_3d(r, a, scan->spacing);
        }
        walked[b] = !windowed;
        if (!windowed) {
            block[b].first = (int8)(0);
            block[b].last = (int8)(0);
            continue;
        }
        axis = block_axis;
        block[b].f1_at_0 = vload8(0, line[0]);
        block[b].f1_step = vload8(0, line[1]);
        block[b].f2_at_0 = vload8(0, line[2]);
        block[b].f2_step = vload8(0, line[3]);
        block[b].t_at_0 = vload8(0, line[4]);
        block[b].t_step = vload8(0, line[5]);
        block[b].length = vload8(0, length);
        block[b].first = vload8(0, first);
        block[b].last = vload8(0, last);
        *k_begin = min(*k_begin, tomo_min8(block[b].first));
        *k_end = max(*k_end, tomo_max8(block[b].last));
    }
    *k_begin = min(*k_begin, *k_end);
    return axis;
}

/* Whether every lane of the blocks not walked follows one in-plane line (the first's,
 * *line_at_0 + k * *line_step) to within TOMO_SHARED_LINE voxels over slices [0, k_end), as the
 * rays of a detector column whose columns run along z do. */
inline bool tomo_shared_line(const tomo_ray_block* block, const bool* walked, int blocks, int k_end,
                             float* line_at_0, float* line_step)
{
    bool one_line = true;
    bool found = false;
    *line_at_0 = 0.0f;
    *line_step = 0.0f;
    for (int b = 0; b < blocks; ++b) {
        if (walked[b]) {
            continue;
        }
        if (!found) {
            *line_at_0 = block[b].f1_at_0.s0;
            *line_step = block[b].f1_step.s0;
            found = true;
        }
        const float8 off = fabs(block[b].f1_at_0 - *line_at_0) +
                           fabs(block[b].f1_step - *line_step) * (float)max(k_end, 1);
        one_line = one_line && all(off <= TOMO_SHARED_LINE);
    }
    return one_line;
}

__kernel void project_joseph_3d_columns(__global const float* zcolumns, __global float* projections,
                                        __global const float* views, int nx, int ny, int nz,
                                        float origin_x, float origin_y, float origin_z,
                                        float spacing_x, float spacing_y, float spacing_z, int nu,
                                        int nv, float pixel_u, float pixel_v, float centre_u,
                                        float centre_v, float radius)
{
    const int iu = (int)get_global_id(0);
    const int v_first = 8 * TOMO_RAY_BLOCKS * (int)get_global_id(1);
    const int view = (int)get_global_id(2);
    if (iu >= nu || v_first >= nv) {
        return;
    }
    const tomo_column_scan scan = {{origin_x, origin_y, origin_z},
                                   {spacing_x, spacing_y, spacing_z},
                                   {nx, ny, nz},
                                   nu,
                                   nv,
                                   pixel_u,
                                   pixel_v,
                                   centre_u,
                                   centre_v,
                                   radius};
    const int n[3] = {nx, ny, nz};
    const int pitch = nz + 1 + TOMO_ZCOLUMN_PAD_AFTER;
    const int blocks = min(TOMO_RAY_BLOCKS, (nv - v_first + 7) / 8);
    __global float* out = projections + ((size_t)view * nv + v_first) * nu + iu;
    /* The volume copy at voxel (0, 0, 0), and its strides along x, y and z. */
    __global const float* voxel0 = zcolumns + (size_t)((nx + 3) + 1) * pitch + 1;
    const int stride[3] = {pitch, (nx + 3) * pitch, 1};

    tomo_ray_block block[TOMO_RAY_BLOCKS];
    bool walked[TOMO_RAY_BLOCKS];
    int k_begin;
    int k_end;
    const int axis = tomo_column_blocks(views, view, iu, v_first, blocks, &scan, block, walked,
                                        &k_begin, &k_end);
    for (int b = 0; b < blocks; ++b) {
        /* Ray by ray, as project_joseph_3d (reading the copy). */
        for (int k = 0; walked[b] && k < min(8, nv - v_first - 8 * b); ++k) {
            float o[3];
            float r[3];
            const int a = joseph_ray(views, view, iu, v_first + 8 * b + k, pixel_u, pixel_v,
                                     centre_u, centre_v, radius, scan.spacing, o, r);
            float sum = 0.0f;
#define TOMO_READ_COPY(index, coefficient) sum += (coefficient)*voxel0[index]
            TOMO_JOSEPH_WALK_3D(o, r, a, n, stride, scan.origin, scan.spacing, TOMO_READ_COPY);
#undef TOMO_READ_COPY
            out[(8 * b + k) * nu] = sum * tomo_joseph_step_3d(r, a, scan.spacing);
        }
    }
    if (axis < 0) {
        return; /* every block was walked ray by ray */
    }
    const int n1 = n[tomo_across_first(axis)]; /* x or y; the second across axis is z */
    /* Columns of the copy per slice along the axis, and across it. */
    const size_t along = (size_t)(axis == 0 ? 1 : nx + 3) * pitch;
    const size_t across = (size_t)(axis == 0 ? nx + 3 : 1) * pitch;
    float8 sum[TOMO_RAY_BLOCKS];
    for (int b = 0; b < TOMO_RAY_BLOCKS; ++b) {
        sum[b] = (float8)(0.0f);
    }
    /* Where every lane follows one in-plane line, each slice has one voxel column pair for all
     * blocks, blended across first, and two permutes per sample instead of four (the C++ path
     * shares the line alike). */
    float line_at_0;
    float line_step;
    const bool one_line = tomo_shared_line(block, walked, blocks, k_end, &line_at_0, &line_step);
    for (int k = k_begin; one_line && k < k_end; ++k) {
        const float kf = (float)k;
        const float f1 = line_at_0 + kf * line_step;
        if (!(f1 > -1.0f && f1 < (float)n1)) {
            continue;
        }
        const float g1 = f1 + 1.0f; /* stored index, one zero before */
        const int s1 = (int)g1;
        const float w1 = g1 - (float)s1;
        __global const float* near = zcolumns + (size_t)(k + 1) * along + s1 * across;
        __global const float* far = near + across;
        for (int b = 0; b < blocks; ++b) {
            const tomo_ray_block* r = &block[b];
            const int8 kk = (int8)(k);
            if (!tomo_any8(kk >= r->first & kk < r->last)) {
                continue;
            }
            int8 s2;
            float8 w2;
            const int8 valid = tomo_block_z(r, k, nz, &s2, &w2);
            const int low2 = tomo_min8(s2);
            float8 here;
            float8 next;
            if (tomo_max8(s2) - low2 <= 14) {
                const float16 a = vload16(0, near + low2);
                const float16 line = a + w1 * (vload16(0, far + low2) - a);
                here = tomo_pick(line, s2 - low2);
                next = tomo_pick(line, s2 - low2 + 1);
            } else {
                int at[8];
                float h[8];
                float x[8];
                vstore8(s2, 0, at);
                for (int q = 0; q < 8; ++q) {
                    h[q] = near[at[q]] + w1 * (far[at[q]] - near[at[q]]);
                    x[q] = near[at[q] + 1] + w1 * (far[at[q] + 1] - near[at[q] + 1]);
                }
                here = vload8(0, h);
                next = vload8(0, x);
            }
            sum[b] += select((float8)(0.0f), here + w2 * (next - here), valid);
        }
    }
    for (int k = k_begin; !one_line && k < k_end; ++k) {
        const float kf = (float)k;
        __global const float* slice = zcolumns + (size_t)(k + 1) * along;
        for (int b = 0; b < blocks; ++b) {
            const tomo_ray_block* r = &block[b];
            const int8 kk = (int8)(k);
            if (!tomo_any8(kk >= r->first & kk < r->last)) {
                continue;
            }
            int8 s2;
            float8 w2;
            const float8 f1 = r->f1_at_0 + kf * r->f1_step;
            const int8 valid = tomo_block_z(r, k, nz, &s2, &w2) & (f1 > -1.0f) & (f1 < (float)n1);
            /* The stored index across (one zero before), clamped into the border as z. */
            const float8 g1 = fmin(fmax(f1, -1.0f), (float)n1) + 1.0f;
            const int8 s1 = convert_int8(g1);
            const float8 w1 = g1 - convert_float8(s1);
            const int low1 = tomo_min8(s1);
            const int low2 = tomo_min8(s2);
            float8 p00;
            float8 p01;
            float8 p10;
            float8 p11;
            if (tomo_max8(s1) == low1 && tomo_max8(s2) - low2 <= 14) {
                __global const float* near = slice + low1 * across + low2;
                const float16 a = vload16(0, near);
                const float16 c = vload16(0, near + across);
                const int8 index = s2 - low2;
                p00 = tomo_pick(a, index);
                p01 = tomo_pick(a, index + 1);
                p10 = tomo_pick(c, index);
                p11 = tomo_pick(c, index + 1);
            } else {
                int at1[8];
                int at2[8];
                float q00[8];
                float q01[8];
                float q10[8];
                float q11[8];
                vstore8(s1, 0, at1);
                vstore8(s2, 0, at2);
                for (int q = 0; q < 8; ++q) {
                    __global const float* p = slice + at1[q] * across + at2[q];
                    q00[q] = p[0];
                    q01[q] = p[1];
                    q10[q] = p[across];
                    q11[q] = p[across + 1];
                }
                p00 = vload8(0, q00);
                p01 = vload8(0, q01);
                p10 = vload8(0, q10);
                p11 = vload8(0, q11);
            }
            const float8 near_z = p00 + w2 * (p01 - p00);
            const float8 far_z = p10 + w2 * (p11 - p10);
            sum[b] += select((float8)(0.0f), near_z + w1 * (far_z - near_z), valid);
        }
    }
    for (int b = 0; b < blocks; ++b) {
        if (walked[b]) {
            continue; /* written above */
        }
        float s[8];
        vstore8(sum[b] * block[b].length, 0, s);
        for (int k = 0; k < 8 && v_first + 8 * b + k < nv; ++k) {
            out[(8 * b + k) * nu] = s[k];
        }
    }
}

/* The blocks' order in a slice: every TOMO_SCATTER_STRIDE-th from 0, then from 1, and so on.
 * Neighbouring blocks' windows overlap (rows finer than the voxels put block b + 2's window within
 * 16 floats of block b's), and a load right after a store that overlaps it only in part waits for
 * the store to complete; blocks TOMO_SCATTER_STRIDE apart are 32 rows apart, more than 16 voxels
 * wherever rows are coarser than half a voxel. */
#define TOMO_SCATTER_STRIDE 4
/* The transpose's work-items take tiles of this many neighbouring detector columns: neighbouring
 * columns add into the same voxel columns, still in cache (596 -> 495 ms at 128^3 on PoCL, against
 * every G-th single column). */
#define TOMO_COLUMN_TILE 16

/* Adds lane k's lower[k] and upper[k] at z-indices at[k] and at[k] + 1 of voxel columns column[k]
 * and column[k] + 1 across (`across` floats apart, from `base`), scaled by (1 - w1[k]) and
 * w1[k], one lane at a time: for blocks whose lanes do not share a window. */
inline void tomo_add_lanes(__global float* base, size_t across, int8 column, int8 at, float8 lower,
                           float8 upper, float8 w1)
{
    int c[8];
    int i[8];
    float l[8];
    float u[8];
    float w[8];
    vstore8(column, 0, c);
    vstore8(at, 0, i);
    vstore8(lower, 0, l);
    vstore8(upper, 0, u);
    vstore8(w1, 0, w);
    for (int q = 0; q < 8; ++q) {
        __global float* near = base + (size_t)c[q] * across + i[q];
        __global float* far = near + across;
        near[0] += (1.0f - w[q]) * l[q];
        near[1] += (1.0f - w[q]) * u[q];
        far[0] += w[q] * l[q];
        far[1] += w[q] * u[q];
    }
}

/* The transpose of project_joseph_3d_columns for CPU devices, without atomics: each work-item
 * adds into a volume of its own (`partials`, one z-fastest copy with zero borders per work-item,
 * laid out as project_joseph_3d_columns reads the volume, zeroed by the host), walking detector
 * columns iu, row chunks and views of the batch in turn, item g taking every G-th tile of
 * TOMO_COLUMN_TILE neighbouring columns (G the global size, one work-item per group). Each column's
 * blocks take the forward projection's own samples and coefficients (tomo_column_blocks,
 * tomo_block_z): the eight lanes' two z samples are added into a sixteen-float window of z
 * (tomo_splat) and that into the two voxel columns across, or lane by lane where they do not share
 * a window; blocks the forward walks ray by ray are walked so here, adding. joseph_partials_add
 * then adds the copies into the volume. Values carry weight * projection * step. */
__kernel void backproject_joseph_3d_columns(
    __global float* partials, __global const float* projections, __global const float* views,
    int view_count, int nx, int ny, int nz, float origin_x, float origin_y, float origin_z,
    float spacing_x, float spacing_y, float spacing_z, int nu, int nv, float pixel_u, float pixel_v,
    float centre_u, float centre_v, float radius, float weight)
{
    const int part = (int)get_global_id(0);
    const int parts = (int)get_global_size(0);
    const tomo_column_scan scan = {{origin_x, origin_y, origin_z},
                                   {spacing_x, spacing_y, spacing_z},
                                   {nx, ny, nz},
                                   nu,
                                   nv,
                                   pixel_u,
                                   pixel_v,
                                   centre_u,
                                   centre_v,
                                   radius};
    const int n[3] = {nx, ny, nz};
    const int pitch = nz + 1 + TOMO_ZCOLUMN_PAD_AFTER;
    __global float* acc = partials + (size_t)part * (size_t)(nx + 3) * (size_t)(ny + 3) * pitch;
    __global float* voxel0 = acc + (size_t)((nx + 3) + 1) * pitch + 1;
    const int stride[3] = {pitch, (nx + 3) * pitch, 1};
    const int chunks = (nv + 8 * TOMO_RAY_BLOCKS - 1) / (8 * TOMO_RAY_BLOCKS);
    const int tiles = (nu + TOMO_COLUMN_TILE - 1) / TOMO_COLUMN_TILE;
    const int columns = tiles * TOMO_COLUMN_TILE * chunks * view_count;

    tomo_ray_block block[TOMO_RAY_BLOCKS];
    bool walked[TOMO_RAY_BLOCKS];
    float8 value[TOMO_RAY_BLOCKS];
    for (int c = 0; c < columns; ++c) {
        /* Tiles of TOMO_COLUMN_TILE neighbouring columns, tile t to work-item t % parts. */
        const int t = c / TOMO_COLUMN_TILE;
        if (t % parts != part) {
            c += TOMO_COLUMN_TILE - 1;
            continue;
        }
        const int iu = TOMO_COLUMN_TILE * (t % tiles) + c % TOMO_COLUMN_TILE;
        if (iu >= nu) {
            continue;
        }
        const int v_first = 8 * TOMO_RAY_BLOCKS * ((t / tiles) % chunks);
        const int view = t / (tiles * chunks);
        const int blocks = min(TOMO_RAY_BLOCKS, (nv - v_first + 7) / 8);
        __global const float* in = projections + ((size_t)view * nv + v_first) * nu + iu;
        int k_begin;
        int k_end;
        const int axis = tomo_column_blocks(views, view, iu, v_first, blocks, &scan, block, walked,
                                            &k_begin, &k_end);
        for (int b = 0; b < blocks; ++b) {
            const int rows = min(8, nv - v_first - 8 * b);
            if (walked[b]) {
                /* Ray by ray, as backproject_joseph_3d, adding into the copy. */
                for (int k = 0; k < rows; ++k) {
                    float o[3];
                    float r[3];
                    const int a = joseph_ray(views, view, iu, v_first + 8 * b + k, pixel_u, pixel_v,
                                             centre_u, centre_v, radius, scan.spacing, o, r);
                    const float v =
                        weight * in[(8 * b + k) * nu] * tomo_joseph_step_3d(r, a, scan.spacing);
                    if (v == 0.0f) {
                        continue;
                    }
#define TOMO_ADD_COPY(index, coefficient) voxel0[index] += (coefficient)*v
                    TOMO_JOSEPH_WALK_3D(o, r, a, n, stride, scan.origin, scan.spacing,
                                        TOMO_ADD_COPY);
#undef TOMO_ADD_COPY
                }
                continue;
            }
            float p[8];
            for (int k = 0; k < 8; ++k) {
                p[k] = k < rows ? in[(8 * b + k) * nu] : 0.0f; /* rows past the detector add 0 */
            }
            value[b] = weight * vload8(0, p) * block[b].length;
        }
        if (axis < 0) {
            continue;
        }
        const int n1 = n[tomo_across_first(axis)];
        const size_t along = (size_t)(axis == 0 ? 1 : nx + 3) * pitch;
        const size_t across = (size_t)(axis == 0 ? nx + 3 : 1) * pitch;
        float line_at_0;
        float line_step;
        const bool one_line =
            tomo_shared_line(block, walked, blocks, k_end, &line_at_0, &line_step);
        for (int k = k_begin; one_line && k < k_end; ++k) {
            const float f1 = line_at_0 + (float)k * line_step;
            if (!(f1 > -1.0f && f1 < (float)n1)) {
                continue;
            }
            const float g1 = f1 + 1.0f; /* stored index, one zero before */
            const int s1 = (int)g1;
            const float w1 = g1 - (float)s1;
            __global float* near = acc + (size_t)(k + 1) * along + s1 * across;
            __global float* far = near + across;
            for (int first = 0; first < TOMO_SCATTER_STRIDE; ++first) {
                for (int b = first; b < blocks; b += TOMO_SCATTER_STRIDE) {
                    const tomo_ray_block* r = &block[b];
                    const int8 kk = (int8)(k);
                    if (!tomo_any8(kk >= r->first & kk < r->last)) {
                        continue;
                    }
                    int8 s2;
                    float8 w2;
                    const int8 valid = tomo_block_z(r, k, nz, &s2, &w2);
                    const float8 v = select((float8)(0.0f), value[b], valid);
                    const float8 upper = w2 * v;
                    const float8 lower = v - upper;
                    const int low2 = tomo_min8(s2);
                    if (tomo_max8(s2) - low2 <= 14) {
                        const float16 window = tomo_splat(s2 - low2, lower, upper);
                        __global float* n0 = near + low2;
                        __global float* f0 = far + low2;
                        vstore16(vload16(0, n0) + (1.0f - w1) * window, 0, n0);
                        vstore16(vload16(0, f0) + w1 * window, 0, f0);
                    } else {
                        tomo_add_lanes(near, across, (int8)(0), s2, lower, upper, (float8)(w1));
                    }
                }
            }
        }
        for (int k = k_begin; !one_line && k < k_end; ++k) {
            const float kf = (float)k;
            __global float* slice = acc + (size_t)(k + 1) * along;
            for (int first = 0; first < TOMO_SCATTER_STRIDE; ++first) {
                for (int b = first; b < blocks; b += TOMO_SCATTER_STRIDE) {
                    const tomo_ray_block* r = &block[b];
                    const int8 kk = (int8)(k);
                    if (!tomo_any8(kk >= r->first & kk < r->last)) {
                        continue;
                    }
                    int8 s2;
                    float8 w2;
                    const float8 f1 = r->f1_at_0 + kf * r->f1_step;
                    const int8 valid =
                        tomo_block_z(r, k, nz, &s2, &w2) & (f1 > -1.0f) & (f1 < (float)n1);
                    const float8 g1 = fmin(fmax(f1, -1.0f), (float)n1) + 1.0f;
                    const int8 s1 = convert_int8(g1);
                    const float8 w1 = g1 - convert_float8(s1);
                    const float8 v = select((float8)(0.0f), value[b], valid);
                    const float8 upper = w2 * v;
                    const float8 lower = v - upper;
                    const int low1 = tomo_min8(s1);
                    const int low2 = tomo_min8(s2);
                    if (tomo_max8(s1) == low1 && tomo_max8(s2) - low2 <= 14) {
                        const int8 at = s2 - low2;
                        const float16 to_near =
                            tomo_splat(at, lower - w1 * lower, upper - w1 * upper);
                        const float16 to_far = tomo_splat(at, w1 * lower, w1 * upper);
                        __global float* n0 = slice + low1 * across + low2;
                        __global float* f0 = n0 + across;
                        vstore16(vload16(0, n0) + to_near, 0, n0);
                        vstore16(vload16(0, f0) + to_far, 0, f0);
                    } else {
                        tomo_add_lanes(slice, across, s1, s2, lower, upper, w1);
                    }
                }
            }
        }
    }
}

/* volume(x, y, z) += the sum of the `parts` copies' (x, y, z) (backproject_joseph_3d_columns'
 * layout); one work-item per voxel column, global size (nx, ny). */
__kernel void joseph_partials_add(__global float* volume, __global const float* partials, int parts,
                                  int nx, int ny, int nz)
{
    const int x = (int)get_global_id(0);
    const int y = (int)get_global_id(1);
    if (x >= nx || y >= ny) {
        return;
    }
    const int pitch = nz + 1 + TOMO_ZCOLUMN_PAD_AFTER;
    const size_t copy = (size_t)(nx + 3) * (size_t)(ny + 3) * pitch;
    __global const float* column = partials + ((size_t)(y + 1) * (nx + 3) + x + 1) * pitch + 1;
    __global float* out = volume + (size_t)y * nx + x;
    const size_t slice = (size_t)nx * ny;
    for (int z = 0; z < nz; ++z) {
        float sum = 0.0f;
        for (int g = 0; g < parts; ++g) {
            sum += column[g * copy + z];
        }
        out[z * slice] += sum;
    }
}
