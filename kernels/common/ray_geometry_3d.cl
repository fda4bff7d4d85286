/* 3D ray geometry shared by the OpenCL kernels and the C++ reference projectors
 * (core/src/project includes this file), as common/ray_geometry.cl is for 2D. Arrays are small
 * private float arrays: a view is s[3] (source, or unit ray direction for parallel beams),
 * d[3] (detector centre), u[3], v[3] (unit column and row directions), 12 floats in that order;
 * grids pass origin[3] (centre of voxel 0, mm) and spacing[3] (mm). Detector coordinates (a, b)
 * are mm from d along u and v. Axis numbering: 0 = x, 1 = y, 2 = z. */

#ifndef TOMO_FN
#define TOMO_FN inline
#endif

/* The ray through detector coordinates (a, b) (mm; a is an arc length on a curved detector):
 * origin o[3], unit direction r[3]. radius 0 is a flat detector; radius R > 0 a cylinder with
 * its axis along v̂ curving towards the source: with φ = a/R and n = û × v̂ the pixel is
 * d + R sinφ û + R (1 - cosφ) n + b v̂ (DESIGN.md section 4). */
TOMO_FN void tomo_ray_3d(const float* view, float a, float b, float radius, int parallel, float* o,
                         float* r)
{
    float along = a;
    float towards = 0.0f;
    if (radius > 0.0f) {
        const float phi = a / radius;
        along = radius * sin(phi);
        towards = radius * (1.0f - cos(phi));
    }
    const float n[3] = {view[7] * view[11] - view[8] * view[10],
                        view[8] * view[9] - view[6] * view[11],
                        view[6] * view[10] - view[7] * view[9]};
    float p[3];
    for (int c = 0; c < 3; ++c) {
        p[c] = view[3 + c] + along * view[6 + c] + towards * n[c] + b * view[9 + c];
    }
    if (parallel) {
        for (int c = 0; c < 3; ++c) {
            o[c] = p[c];
            r[c] = view[c];
        }
        return;
    }
    float e[3];
    for (int c = 0; c < 3; ++c) {
        e[c] = p[c] - view[c];
    }
    const float inv = 1.0f / sqrt(e[0] * e[0] + e[1] * e[1] + e[2] * e[2]);
    for (int c = 0; c < 3; ++c) {
        o[c] = view[c];
        r[c] = e[c] * inv;
    }
}

/* Fractional pixel indices (*fu, *fv) of point x[3] under the row-major 3x4 projection matrix
 * P (Geometry::projectionMatrix: [fu·w, fv·w, w] = P·[x, 1]). Returns 0 for a point not in
 * front of the source (w <= 0; parallel-beam matrices have w = 1). */
TOMO_FN int tomo_project_point(const float* P, const float* x, float* fu, float* fv)
{
    const float w = P[8] * x[0] + P[9] * x[1] + P[10] * x[2] + P[11];
    if (!(w > 0.0f)) {
        return 0;
    }
    const float inv = 1.0f / w;
    *fu = (P[0] * x[0] + P[1] * x[1] + P[2] * x[2] + P[3]) * inv;
    *fv = (P[4] * x[0] + P[5] * x[1] + P[6] * x[2] + P[7]) * inv;
    return 1;
}

/* Detector coordinates (*a, *b) (mm from d along û and v̂; a an arc length) of the ray through
 * point x[3] onto the cylindrical detector of radius R of a view (12 floats as in tomo_ray_3d):
 * the inverse of tomo_ray_3d for radius > 0. Returns 0 where the line misses the detector's half
 * of the cylinder or, for divergent beams, the point is not in front of the source. *t_out is
 * the line parameter of the meeting point o + t·e (e = x − s for divergent beams, the ray
 * direction for parallel ones). */
TOMO_FN int tomo_project_point_curved_t(const float* view, float radius, int parallel,
                                        const float* x, float* a, float* b, float* t_out)
{
    const float n[3] = {view[7] * view[11] - view[8] * view[10],
                        view[8] * view[9] - view[6] * view[11],
                        view[6] * view[10] - view[7] * view[9]};
    float o[3];
    float e[3];
    for (int c = 0; c < 3; ++c) {
        const float centre = view[3 + c] + radius * n[c];
        o[c] = (parallel ? x[c] : view[c]) - centre;
        e[c] = parallel ? view[c] : x[c] - view[c];
    }
    float t;
    if (!tomo_meet_arc(o[0] * view[6] + o[1] * view[7] + o[2] * view[8],
                       o[0] * n[0] + o[1] * n[1] + o[2] * n[2],
                       e[0] * view[6] + e[1] * view[7] + e[2] * view[8],
                       e[0] * n[0] + e[1] * n[1] + e[2] * n[2], radius, parallel, &t, a)) {
        return 0;
    }
    /* b = (p - d)·v with p = o + c + t e and (c - d)·v = 0. */
    *b = (o[0] + t * e[0]) * view[9] + (o[1] + t * e[1]) * view[10] + (o[2] + t * e[2]) * view[11];
    *t_out = t;
    return 1;
}

/* tomo_project_point_curved_t without the line parameter. */
TOMO_FN int tomo_project_point_curved(const float* view, float radius, int parallel, const float* x,
                                      float* a, float* b)
{
    float t;
    return tomo_project_point_curved_t(view, radius, parallel, x, a, b, &t);
}

/* The distance weight of the voxel-driven backprojection on a cylindrical detector (FDK for
 * curved detectors): (D/L)^2 with L and D the distances of x[3] and of the isocentre (the
 * origin) from the source measured across the cylinder's axis v̂; 1 for parallel beams. Flat
 * detectors take (P[11]/w)^2 from the projection matrix instead (the depths along the normal). */
TOMO_FN float tomo_distance_weight_curved(const float* view, int parallel, const float* x)
{
    if (parallel) {
        return 1.0f;
    }
    const float e[3] = {x[0] - view[0], x[1] - view[1], x[2] - view[2]};
    const float ev = e[0] * view[9] + e[1] * view[10] + e[2] * view[11];
    const float sv = view[0] * view[9] + view[1] * view[10] + view[2] * view[11];
    const float source = view[0] * view[0] + view[1] * view[1] + view[2] * view[2] - sv * sv;
    return source / (e[0] * e[0] + e[1] * e[1] + e[2] * e[2] - ev * ev);
}

/* Bilinear sample of a row-major nu x nv image at fractional pixel (fu, fv); pixels outside the
 * detector count as zero. A macro because an OpenCL 1.2 function cannot take a pointer that may
 * be __global (kernels) or private (the C++ build). */
#define TOMO_BILINEAR_SAMPLE(image, nu, nv, fu, fv, result)                                        \
    do {                                                                                           \
        const float fl_u = floor(fu);                                                              \
        const float fl_v = floor(fv);                                                              \
        const float w_u = (fu)-fl_u;                                                               \
        const float w_v = (fv)-fl_v;                                                               \
        const int l_u = (int)fl_u;                                                                 \
        const int l_v = (int)fl_v;                                                                 \
        (result) = 0.0f;                                                                           \
        if (l_v >= 0 && l_u >= 0) {                                                                \
            (result) += (1.0f - w_u) * (1.0f - w_v) * (image)[l_v * (nu) + l_u];                   \
        }                                                                                          \
        if (l_v >= 0 && l_u + 1 < (nu)) {                                                          \
            (result) += w_u * (1.0f - w_v) * (image)[l_v * (nu) + l_u + 1];                        \
        }                                                                                          \
        if (l_v + 1 < (nv) && l_u >= 0) {                                                          \
            (result) += (1.0f - w_u) * w_v * (image)[(l_v + 1) * (nu) + l_u];                      \
        }                                                                                          \
        if (l_v + 1 < (nv) && l_u + 1 < (nu)) {                                                    \
            (result) += w_u * w_v * (image)[(l_v + 1) * (nu) + l_u + 1];                           \
        }                                                                                          \
    } while (0)

/* Joseph's dominant axis: the one the ray crosses most voxel slices of per unit length
 * (ties go to the lower axis number). */
TOMO_FN int tomo_joseph_axis_3d(const float* r, const float* spacing)
{
    const float sx = fabs(r[0]) / spacing[0];
    const float sy = fabs(r[1]) / spacing[1];
    const float sz = fabs(r[2]) / spacing[2];
    if (sx >= sy && sx >= sz) {
        return 0;
    }
    return sy >= sz ? 1 : 2;
}

/* The two axes across the dominant one, in increasing order. */
TOMO_FN int tomo_across_first(int axis)
{
    return axis == 0 ? 1 : 0;
}
TOMO_FN int tomo_across_second(int axis)
{
    return axis == 2 ? 1 : 2;
}

/* Narrows the real interval [*lo, *hi] of k to where lower < c0 + c1·k < upper (an empty
 * result has *lo > *hi). */
TOMO_FN void tomo_clip_affine(float c0, float c1, float lower, float upper, float* lo, float* hi)
{
    if (c1 == 0.0f) {
        if (!(c0 > lower && c0 < upper)) {
            *lo = 1.0f;
            *hi = 0.0f;
        }
        return;
    }
    const float k_lower = (lower - c0) / c1;
    const float k_upper = (upper - c0) / c1;
    *lo = fmax(*lo, fmin(k_lower, k_upper));
    *hi = fmin(*hi, fmax(k_lower, k_upper));
}

/* The slices [*k_begin, *k_end) of a Joseph line whose samples lie inside for lo <= k <= hi (as
 * tomo_clip_affine narrows them), rounded outwards; none when lo > hi. */
TOMO_FN void tomo_joseph_slice_range(float lo, float hi, int n_axis, int* k_begin, int* k_end)
{
    if (!(lo <= hi)) {
        *k_begin = 0;
        *k_end = 0;
        return;
    }
    *k_begin = max((int)floor(lo) - 1, 0);
    *k_end = min((int)ceil(hi) + 2, n_axis);
}

/* Joseph's samples of one ray as affine functions of the slice index k along the dominant axis:
 * f1(k) = line[0] + k·line[1] and f2(k) = line[2] + k·line[3] are the fractional indices across
 * the axis (one setup per ray instead of three divisions per sample),
 * t(k) = line[4] + k·line[5] the ray parameter (mm from o) of the sample, and
 * [*k_begin, *k_end) holds every slice whose sample can touch the grid (-1 < f < n on both
 * across axes) and lies on the ray. The range is rounded outwards, so callers still test each
 * sample; what it saves is the walk through slices the ray never meets. */
TOMO_FN void tomo_joseph_line_3d(const float* o, const float* r, int axis, const int* n,
                                 const float* origin, const float* spacing, int parallel,
                                 float* line, int* k_begin, int* k_end)
{
    const int a1 = tomo_across_first(axis);
    const int a2 = tomo_across_second(axis);
    const float inv = 1.0f / r[axis];
    const float t0 = (origin[axis] - o[axis]) * inv;
    const float dt = spacing[axis] * inv;
    line[0] = (o[a1] + t0 * r[a1] - origin[a1]) / spacing[a1];
    line[1] = dt * r[a1] / spacing[a1];
    line[2] = (o[a2] + t0 * r[a2] - origin[a2]) / spacing[a2];
    line[3] = dt * r[a2] / spacing[a2];
    line[4] = t0;
    line[5] = dt;
    float lo = 0.0f;
    float hi = (float)(n[axis] - 1);
    tomo_clip_affine(line[0], line[1], -1.0f, (float)n[a1], &lo, &hi);
    tomo_clip_affine(line[2], line[3], -1.0f, (float)n[a2], &lo, &hi);
    if (!parallel) {
        /* t(k) = t0 + k·dt > 0; the upper bound only needs to be above any k. */
        tomo_clip_affine(t0, dt, 0.0f, 3.0e38f, &lo, &hi);
    }
    tomo_joseph_slice_range(lo, hi, n[axis], k_begin, k_end);
}

/* The Joseph sample of slice k of a ray set up by tomo_joseph_line_3d: whether it counts (inside
 * -1 < f < n across the axis, n1 and n2 the across axes' sizes, and in front of the source), and
 * its fractional indices across the axis. */
TOMO_FN int tomo_joseph_sample_3d(const float* line, int k, int n1, int n2, int parallel, float* f1,
                                  float* f2)
{
    *f1 = line[0] + (float)k * line[1];
    *f2 = line[2] + (float)k * line[3];
    return *f1 > -1.0f && *f1<(float)n1&& * f2> - 1.0f && *f2 < (float)n2 &&
           (parallel || line[4] + (float)k * line[5] > 0.0f);
}

/* Path length (mm) one Joseph sample stands for. */
TOMO_FN float tomo_joseph_step_3d(const float* r, int axis, const float* spacing)
{
    return spacing[axis] / fabs(r[axis]);
}
