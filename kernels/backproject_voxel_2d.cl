/* Voxel-driven backprojection for 2D parallel and fan beams (the FBP operator): each voxel
 * centre is projected onto the detector (flat, or an arc of radius `radius`) and the two nearest
 * columns are interpolated linearly; columns outside the detector count as zero. Each sample is
 * multiplied by the distance weight of fan-beam FBP (tomo_distance_weight_2d; 1 for parallel
 * beams). Host launcher: core/src/ocl/projector_cl.cpp. CPU reference:
 * core/src/project/voxel_cpu.cpp.
 *
 * One work-item per voxel, global size (nx, ny). Buffers as in project_joseph_2d.cl.
 * Build options: -DTOMO_PARALLEL=0|1. */

#ifndef TOMO_PARALLEL
#error "TOMO_PARALLEL must be defined"
#endif

__kernel void backproject_voxel_2d(__global float* volume, __global const float* projections,
                                   __global const float* views, int view_count, int nx, int ny,
                                   float origin_x, float origin_y, float spacing_x, float spacing_y,
                                   int nu, float pixel_u, float centre_column, float radius,
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
        float a;
        if (!tomo_detector_coordinate_2d(p[0], p[1], p[2], p[3], p[4], p[5], x, y, radius,
                                         TOMO_PARALLEL, &a)) {
            continue;
        }
        const float f = a / pixel_u + centre_column;
        if (!(f > -1.0f && f < (float)nu)) {
            continue; /* also skips NaN and points projecting to infinity */
        }
        const float fl = floor(f);
        const float w = f - fl;
        const int lower = (int)fl;
        __global const float* row = projections + view * nu;
        float sample = 0.0f;
        if (lower >= 0) {
            sample += (1.0f - w) * row[lower];
        }
        if (lower + 1 < nu) {
            sample += w * row[lower + 1];
        }
        sum +=
            sample * tomo_distance_weight_2d(p[0], p[1], p[4], p[5], x, y, radius, TOMO_PARALLEL);
    }
    volume[i + nx * j] += weight * sum;
}

/* The same operator on a flat detector for CPU devices (projector_cl.cpp picks it by device
 * type), with explicit vectors as backproject_voxel_3d_columns (PoCL runs a work-item's own
 * loops scalar): each work-item takes up to 8 * TOMO_ROW_BLOCKS voxels of one grid row j, eight
 * at a time in float8, evaluating the formulas above per lane. Where a block's eight columns lie
 * within 15 of each other, their samples come out of one 16-float window of the view's row by
 * permutes (tomo_pick, kernels/common/vector_window.cl); else each lane reads its two columns.
 * Work-groups of 8 row segments meet a barrier every TOMO_ROW_VIEW_CHUNK views so that they share
 * the chunk's rows in cache.
 *
 * rows: the batch's projections with zeros around each view's row, one before and
 * TOMO_ROW_PAD_AFTER after: column c of view t at t * (nu + 1 + TOMO_ROW_PAD_AFTER) + c + 1.
 * Global size (segments of the row, ny). */

/* Zeros after each row: a window of 16 from column nu (the clamped end) stays inside. */
#define TOMO_ROW_PAD_AFTER 24
#define TOMO_ROW_BLOCKS 8
#define TOMO_ROW_VIEW_CHUNK 32

/* Voxels x (eight of row y) of view p, sampled from its zero-bordered row at stored column 0. */
inline float8 tomo_row_block(__global const float* row, __global const float* p, float8 x, float y,
                             int nu, float pixel_u, float centre_column)
{
    const float sx = p[0];
    const float sy = p[1];
    const float dx = p[2];
    const float dy = p[3];
    const float ux = p[4];
    const float uy = p[5];
    /* One division per view (parallel) or per block (fan) instead of the formulas' three: the
     * products differ from the quotients by float rounding (parity with the C++ backend is
     * tested to 1e-4 of the peak). */
#if TOMO_PARALLEL
    /* tomo_detector_coordinate, parallel: cross(x - d, s) / cross(u, s). */
    const float scale = 1.0f / ((ux * sy - uy * sx) * pixel_u);
    const float8 f = ((x - dx) * sy - (y - dy) * sx) * scale + centre_column;
    const int8 front = (int8)(-1);
#else
    /* tomo_detector_coordinate_2d on a flat detector, and tomo_distance_weight_2d, whose
     * denominator (s - x) x u is the same cross(u, x - s). */
    const float8 ex = x - sx;
    const float ey = y - sy;
    const float8 across = ux * ey - uy * ex; /* cross(u, x - s) */
    const int8 front = across * (ux * (dy - sy) - uy * (dx - sx)) > 0.0f;
    const float8 inv = 1.0f / across;
    const float8 f = ((sx - dx) * ey - (sy - dy) * ex) * inv * (1.0f / pixel_u) + centre_column;
    const float8 ratio = (sx * uy - sy * ux) * inv;
#endif
    /* As backproject_voxel_2d: columns outside -1 < f < nu (and NaN) count as zero. */
    const int8 inside = front & (f > -1.0f) & (f < (float)nu);
    const float8 g = select((float8)(0.0f), f + 1.0f, inside); /* stored column, >= 0 */
    const int8 column = convert_int8(g);                       /* floor, as g >= 0 */
    const float8 w = g - convert_float8(column);
    const int low = tomo_min8(column);
    float8 here;
    float8 next;
    if (tomo_max8(column) - low <= 14) {
        const float16 window = vload16(0, row + low);
        here = tomo_pick(window, column - low);
        next = tomo_pick(window, column - low + 1);
    } else {
        int at[8];
        float h[8];
        float n[8];
        vstore8(column, 0, at);
        for (int k = 0; k < 8; ++k) {
            h[k] = row[at[k]];
            n[k] = row[at[k] + 1];
        }
        here = vload8(0, h);
        next = vload8(0, n);
    }
    const float8 sample = here + w * (next - here);
#if TOMO_PARALLEL
    return select((float8)(0.0f), sample, inside);
#else
    return select((float8)(0.0f), sample * (ratio * ratio), inside);
#endif
}

__kernel void backproject_voxel_2d_rows(__global float* volume, __global const float* rows,
                                        __global const float* views, int view_count, int nx, int ny,
                                        float origin_x, float origin_y, float spacing_x,
                                        float spacing_y, int nu, float pixel_u, float centre_column,
                                        float weight)
{
    const int i0 = 8 * TOMO_ROW_BLOCKS * (int)get_global_id(0);
    const int j = (int)get_global_id(1);
    /* Work-items past the grid still meet every barrier. */
    const bool inside = i0 < nx && j < ny;
    const int blocks = min(TOMO_ROW_BLOCKS, (nx - i0 + 7) / 8);
    const float y = origin_y + (float)j * spacing_y;
    const int width = nu + 1 + TOMO_ROW_PAD_AFTER;
    const int8 lane = (int8)(0, 1, 2, 3, 4, 5, 6, 7);
    float8 sum[TOMO_ROW_BLOCKS];
    for (int b = 0; b < TOMO_ROW_BLOCKS; ++b) {
        sum[b] = (float8)(0.0f);
    }
    for (int first = 0; first < view_count; first += TOMO_ROW_VIEW_CHUNK) {
        const int end = min(first + TOMO_ROW_VIEW_CHUNK, view_count);
        for (int view = first; inside && view < end; ++view) {
            __global const float* row = rows + (size_t)view * width;
            __global const float* p = views + 6 * view;
            for (int b = 0; b < blocks; ++b) {
                const float8 x = origin_x + convert_float8(i0 + 8 * b + lane) * spacing_x;
                sum[b] += tomo_row_block(row, p, x, y, nu, pixel_u, centre_column);
            }
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (!inside) {
        return;
    }
    __global float* out = volume + (size_t)nx * j + i0;
    for (int b = 0; b < blocks; ++b) {
        float s[8];
        vstore8(sum[b] * weight, 0, s);
        for (int k = 0; k < 8 && i0 + 8 * b + k < nx; ++k) {
            out[8 * b + k] += s[k];
        }
    }
}
