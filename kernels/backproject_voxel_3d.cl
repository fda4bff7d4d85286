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
        __global const float* p =
            padded + (size_t)view * pixels + ((int)flv + 1) * width + (int)flu + 1;
        const float top = p[0] + wu * (p[1] - p[0]);
        const float bottom = p[width] + wu * (p[width + 1] - p[width]);
        const float distance = P[11] * inv;
        sum += (top + wv * (bottom - top)) * (distance * distance);
    }
    volume[i + nx * (j + ny * k)] += weight * sum;
}

/* The same operator for CPU devices (projector_cl.cpp picks it by device type), written with
 * explicit vectors because PoCL runs a work-item's own loops scalar: each work-item takes one
 * voxel column (i, j) and up to 8 * TOMO_COLUMN_BLOCKS of its voxels along z, eight at a time.
 * Where the detector's columns run along z (P[2] = P[10] = 0: no tilt about u, as on every
 * circular, helical or sinusoidal orbit), a voxel column projects onto one detector position u at
 * one depth w, and its rows are affine in z: the two detector columns beside u are interpolated
 * in u and weighted into one line of rows first, running with z (built backwards where the rows
 * fall along z), and eight voxels' linear samples of that line come out of one 16-float window of
 * it from the lowest lane's row by permutes (tomo_pick, kernels/common/vector_window.cl); columns
 * whose every voxel lands on the detector skip the clamp into its zero border. Otherwise each
 * voxel is projected as in backproject_voxel_3d. Work-groups of 8 x 8 columns take the views in
 * chunks of TOMO_VIEW_CHUNK, with a barrier between chunks so that the group's columns share the
 * chunk's projections in cache.
 *
 * columns: the batch's projections transposed, each (view, u) detector column stored v-fastest
 * with zeros around it: pixel (u, v) of view t at (t * (nu + 3) + u + 2) * height + v + 1, where
 * height = nv + 1 + TOMO_COLUMN_PAD_AFTER: one column of zeros before the first view (a line
 * built backwards from the first column reads up to 23 rows before it), one before and two after
 * each view. Other arguments as in backproject_voxel_3d. */

/* Rows after each column: a line built forwards from row nv + 1 at the most, 17 rows and the
 * rounding to 8 beyond it, stays inside, and one built backwards reads at most 23 rows below
 * row 0, in the zeros after the column before it. */
#define TOMO_COLUMN_PAD_AFTER 25
/* Eight z-neighbours whose rows step by at most this much lie within 14 rows (7 * 1.75 + 1), so
 * each lane's two rows are inside one 16-float window. */
#define TOMO_WINDOW_MAX_STEP 1.75f
#define TOMO_COLUMN_BLOCKS 32
/* Views per chunk: PoCL runs a group's work-items one after another through a chunk, and a
 * work-item reads two projection columns per view (2 KB at 256 rows), which its neighbours read
 * again; 8 views of them stay in the core's 32 KB L1 cache between work-items, 16 did not
 * (256^3, 360 views: 3.19 -> 3.02 s, medians of six alternating runs). */
#define TOMO_VIEW_CHUNK 8
/* A line's length: the rows of 8 * TOMO_COLUMN_BLOCKS voxels at most 1.75 rows apart (447 at the
 * most, between their floors), a window of 16 from one past the last and the rounding to 8: at
 * most 464. */
#define TOMO_LINE_MAX (16 * TOMO_COLUMN_BLOCKS)

/* One view as a voxel column whose detector column and depth do not change along z. */
typedef struct
{
    __global const float* column; /* the left detector column, at stored row 0 */
    float wu;                     /* weight of the right column */
    float scale;                  /* FDK's distance weight (D/w)^2 */
    float row0;                   /* stored row (v + 1) of the column's first voxel */
    float step;                   /* rows per voxel along z */
} tomo_column_view;

/* The view's two detector columns interpolated at u and weighted into line[m], m < count (a
 * multiple of 8): stored rows first + m forwards, or first - m backwards (rows that fall along
 * z), so that line index rises with z either way and lane 0 of a block holds its lowest. */
inline void tomo_build_line(const tomo_column_view* c, int first, int count, int height,
                            bool backwards, float* line)
{
    const float near = (1.0f - c->wu) * c->scale;
    const float far = c->wu * c->scale;
    if (backwards) {
        const int8 reverse = (int8)(7, 6, 5, 4, 3, 2, 1, 0);
        for (int m = 0; m < count; m += 8) {
            const int t = first - m - 7;
            const float8 left = vload8(0, c->column + t);
            const float8 right = vload8(0, c->column + t + height);
            vstore8(tomo_perm8(near * left + far * right, reverse), 0, line + m);
        }
        return;
    }
    for (int m = 0; m < count; m += 8) {
        const float8 left = vload8(0, c->column + first + m);
        const float8 right = vload8(0, c->column + first + m + height);
        vstore8(near * left + far * right, 0, line + m);
    }
}

/* Where a column's voxels sample their view's line: voxel k at index f0 + k * df (df >= 0),
 * clamped into [lowest, highest]. */
typedef struct
{
    float f0;
    float df;
    float lowest;
    float highest;
} tomo_line_samples;

/* Eight voxels of the column, at line indices f (f >= 0, lane 0 the lowest), sampled linearly
 * from the view's line: each lane's row and the next from two 16-float windows one apart, which
 * share the lanes' indices. */
inline float8 tomo_line_block_at(float8 f, const float* line)
{
    const int8 row = convert_int8(f); /* floor, as f >= 0 */
    const float8 wv = f - convert_float8(row);
    const int base = row.s0;
    const int8 index = row - base;
    const int8 upper = index > 7;
    const float8 here = tomo_pick_masked(vload16(0, line + base), index, upper);
    const float8 next = tomo_pick_masked(vload16(0, line + base + 1), index, upper);
    return here + wv * (next - here);
}

/* The column's voxels k (eight of them, k exact in float) of one view. */
inline float8 tomo_line_block(const tomo_line_samples* l, float8 k, const float* line)
{
    return tomo_line_block_at(tomo_clamp8(l->f0 + k * l->df, l->lowest, l->highest), line);
}

/* The same for a column whose every voxel samples inside [lowest, highest]: no clamp. */
inline float8 tomo_line_block_inside(const tomo_line_samples* l, float8 k, const float* line)
{
    return tomo_line_block_at(l->f0 + k * l->df, line);
}

/* Voxels 8 * block ... 8 * block + 7 of the column for any view, each projected and sampled as
 * backproject_voxel_3d does it: for detectors tilted about u, or rows finer than the window
 * reaches. z: the column's first voxel. */
inline float8 tomo_column_general(__global const float* image, __global const float* P, float x,
                                  float y, float z, float spacing_z, int block, int nu, int nv,
                                  int height)
{
    const float8 lane = (float8)(0.0f, 1.0f, 2.0f, 3.0f, 4.0f, 5.0f, 6.0f, 7.0f);
    const float8 zk = z + (lane + (float)(8 * block)) * spacing_z;
    const float8 w = P[8] * x + P[9] * y + P[10] * zk + P[11];
    const float8 inv = 1.0f / w;
    /* fmax/fmin send NaN (w = 0) to the border too; w <= 0 is masked below. */
    const float8 fu = fmin(fmax((P[0] * x + P[1] * y + P[2] * zk + P[3]) * inv, -1.0f), (float)nu);
    const float8 fv = fmin(fmax((P[4] * x + P[5] * y + P[6] * zk + P[7]) * inv, -1.0f), (float)nv);
    const int8 column = convert_int8(fu + 1.0f); /* floor + 1, as fu >= -1 */
    const int8 row = convert_int8(fv + 1.0f);
    const float8 wu = fu + 1.0f - convert_float8(column);
    const float8 wv = fv + 1.0f - convert_float8(row);
    int at[8];
    vstore8(column * height + row, 0, at);
    float a[8];
    float b[8];
    float c[8];
    float d[8];
    for (int k = 0; k < 8; ++k) {
        __global const float* p = image + at[k];
        a[k] = p[0];
        b[k] = p[1];
        c[k] = p[height];
        d[k] = p[height + 1];
    }
    const float8 p0 = vload8(0, a);
    const float8 p1 = vload8(0, b);
    const float8 q0 = vload8(0, c);
    const float8 q1 = vload8(0, d);
    const float8 left = p0 + wv * (p1 - p0);
    const float8 right = q0 + wv * (q1 - q0);
    const float8 distance = P[11] * inv;
    const float8 value = (left + wu * (right - left)) * (distance * distance);
    return select((float8)(0.0f), value, w > 0.0f);
}

__kernel void backproject_voxel_3d_columns(__global float* volume, __global const float* columns,
                                           __global const float* matrices, int view_count, int nx,
                                           int ny, int nz, float origin_x, float origin_y,
                                           float origin_z, float spacing_x, float spacing_y,
                                           float spacing_z, int nu, int nv, float weight)
{
    const int i = (int)get_global_id(0);
    const int j = (int)get_global_id(1);
    const int k0 = 8 * TOMO_COLUMN_BLOCKS * (int)get_global_id(2);
    /* Work-items past the grid still meet every barrier. */
    const bool inside = i < nx && j < ny && k0 < nz;
    const int blocks = min(TOMO_COLUMN_BLOCKS, (nz - k0 + 7) / 8);
    const float x = origin_x + (float)i * spacing_x;
    const float y = origin_y + (float)j * spacing_y;
    const float z = origin_z + (float)k0 * spacing_z;
    const int height = nv + 1 + TOMO_COLUMN_PAD_AFTER;
    const int pixels = height * (nu + 3);
    const float last_row = (float)(nv + 1);
    const float8 lanes = (float8)(0.0f, 1.0f, 2.0f, 3.0f, 4.0f, 5.0f, 6.0f, 7.0f);
    float8 sum[TOMO_COLUMN_BLOCKS];
    for (int b = 0; b < TOMO_COLUMN_BLOCKS; ++b) {
        sum[b] = (float8)(0.0f);
    }
    for (int first = 0; first < view_count; first += TOMO_VIEW_CHUNK) {
        const int end = min(first + TOMO_VIEW_CHUNK, view_count);
        /* Windowed views are taken two at a time: one update of the sums for both. */
        tomo_line_samples held;
        bool holding = false;
        bool held_unclamped = false;
        float held_line[TOMO_LINE_MAX];
        float line[TOMO_LINE_MAX];
        for (int view = first; inside && view < end; ++view) {
            __global const float* P = matrices + 12 * view;
            __global const float* image = columns + height + (size_t)view * pixels;
            const float w = P[8] * x + P[9] * y + P[10] * z + P[11];
            tomo_column_view c;
            float row_end = 0.0f; /* the stored row of the column's last voxel */
            bool windowed = false;
            if (P[2] == 0.0f && P[10] == 0.0f) {
                if (!(w > 0.0f)) {
                    continue; /* the whole column is behind the source */
                }
                const float inv = 1.0f / w;
                const float fu =
                    fmin(fmax((P[0] * x + P[1] * y + P[2] * z + P[3]) * inv, -1.0f), (float)nu);
                const float flu = floor(fu);
                c.column = image + ((int)flu + 1) * height;
                c.wu = fu - flu;
                const float distance = P[11] * inv;
                c.scale = distance * distance;
                c.row0 = (P[4] * x + P[5] * y + P[6] * z + P[7]) * inv + 1.0f;
                c.step = P[6] * spacing_z * inv;
                row_end = c.row0 + (float)(8 * blocks - 1) * c.step;
                windowed =
                    isfinite(c.row0) && isfinite(row_end) && fabs(c.step) <= TOMO_WINDOW_MAX_STEP;
            }
            if (!windowed) {
                for (int b = 0; b < blocks; ++b) {
                    sum[b] += tomo_column_general(image, P, x, y, z, spacing_z, b, nu, nv, height);
                }
                continue;
            }
            /* The stored rows the column meets, and a window of 16 beyond the last (below the
             * first, backwards). */
            const int low = (int)clamp(fmin(c.row0, row_end), 0.0f, last_row);
            const int high = (int)clamp(fmax(c.row0, row_end), 0.0f, last_row);
            const int count = (high - low + 18 + 7) & ~7;
            const bool backwards = c.step < 0.0f;
            tomo_line_samples l;
            if (backwards) {
                const float top = (float)(high + 1);
                l.f0 = top - c.row0;
                l.df = -c.step;
                l.lowest = top - last_row;
                l.highest = top;
            } else {
                l.f0 = c.row0 - (float)low;
                l.df = c.step;
                l.lowest = -(float)low;
                l.highest = last_row - (float)low;
            }
            l.lowest = fmax(l.lowest, 0.0f);
            /* Whether every voxel of the column (lanes past nz too) samples inside the bounds. */
            const bool unclamped =
                l.f0 >= l.lowest && l.f0 + (float)(8 * blocks - 1) * l.df <= l.highest;
            const int first_row = backwards ? high + 1 : low;
            if (!holding) {
                held = l;
                held_unclamped = unclamped;
                tomo_build_line(&c, first_row, count, height, backwards, held_line);
                holding = true;
                continue;
            }
            tomo_build_line(&c, first_row, count, height, backwards, line);
            float8 k = lanes;
            if (held_unclamped && unclamped) {
                for (int b = 0; b < blocks; ++b, k += 8.0f) {
                    sum[b] += tomo_line_block_inside(&held, k, held_line) +
                              tomo_line_block_inside(&l, k, line);
                }
            } else {
                for (int b = 0; b < blocks; ++b, k += 8.0f) {
                    sum[b] += tomo_line_block(&held, k, held_line) + tomo_line_block(&l, k, line);
                }
            }
            holding = false;
        }
        if (holding) {
            float8 k = lanes;
            for (int b = 0; b < blocks; ++b, k += 8.0f) {
                sum[b] += tomo_line_block(&held, k, held_line);
            }
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (!inside) {
        return;
    }
    __global float* out = volume + i + (size_t)nx * (j + (size_t)ny * k0);
    const size_t plane = (size_t)nx * ny;
    for (int b = 0; b < blocks; ++b) {
        float s[8];
        vstore8(sum[b] * weight, 0, s);
        for (int k = 0; k < 8 && k0 + 8 * b + k < nz; ++k) {
            out[(8 * b + k) * plane] += s[k];
        }
    }
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
        __global const float* image = projections + (size_t)view * nu * nv;
        float sample;
        TOMO_BILINEAR_SAMPLE(image, nu, nv, fu, fv, sample);
        sum += sample * tomo_distance_weight_curved(p, parallel, x);
    }
    volume[i + nx * (j + ny * k)] += weight * sum;
}
