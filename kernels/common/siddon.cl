/* Siddon's exact ray traversal (in the incremental form of Amanatides & Woo, 1987), shared by
 * the OpenCL kernels and the C++ projectors (core/src/project includes this file). The grid's
 * voxels are boxes of `spacing` centred on origin + index·spacing; a ray o + t·r (|r| = 1,
 * t in mm) is followed from where it enters the grid's box to where it leaves, one voxel at a
 * time, giving each voxel's exact chord length. 2D grids are 3D grids with n[2] = 1 and rays in
 * the z = 0 plane (r[2] = 0). */

typedef struct
{
    int index[3];   /* current voxel */
    int step[3];    /* +1 or -1 per axis */
    float t_max[3]; /* t at which the ray crosses the next boundary on each axis */
    float t_delta[3];
    float t;     /* where the current voxel's chord starts */
    float t_end; /* where the ray leaves the grid */
} TomoSiddon;

/* Prepares the traversal; returns 0 if the ray misses the grid. For divergent beams
 * (`from_origin`) the part before o (behind the source) is not traversed. */
TOMO_FN int tomo_siddon_begin(TomoSiddon* it, const float* o, const float* r, const int* n,
                              const float* origin, const float* spacing, int from_origin)
{
    float t_in = -INFINITY;
    float t_out = INFINITY;
    for (int a = 0; a < 3; ++a) {
        const float lo = origin[a] - 0.5f * spacing[a];
        const float hi = origin[a] + ((float)n[a] - 0.5f) * spacing[a];
        if (r[a] == 0.0f) {
            if (!(o[a] >= lo && o[a] < hi)) {
                return 0;
            }
            continue;
        }
        const float t0 = (lo - o[a]) / r[a];
        const float t1 = (hi - o[a]) / r[a];
        t_in = fmax(t_in, fmin(t0, t1));
        t_out = fmin(t_out, fmax(t0, t1));
    }
    if (from_origin) {
        t_in = fmax(t_in, 0.0f);
    }
    if (!(t_in < t_out)) {
        return 0;
    }
    /* The voxel that holds the midpoint of the first step is the entry voxel; this avoids
     * rounding at the entry face. */
    for (int a = 0; a < 3; ++a) {
        if (r[a] == 0.0f) {
            const float f = (o[a] - origin[a]) / spacing[a] + 0.5f;
            it->index[a] = min(max((int)floor(f), 0), n[a] - 1);
            it->step[a] = 0;
            it->t_max[a] = INFINITY;
            it->t_delta[a] = INFINITY;
            continue;
        }
        const float p = o[a] + t_in * r[a];
        const float f = (p - origin[a]) / spacing[a] + 0.5f;
        int i = (int)floor(f);
        /* On the entry face floor() may land outside by rounding: clamp into the grid. */
        i = min(max(i, 0), n[a] - 1);
        it->index[a] = i;
        it->step[a] = r[a] > 0.0f ? 1 : -1;
        const float boundary = origin[a] + ((float)i + (r[a] > 0.0f ? 0.5f : -0.5f)) * spacing[a];
        it->t_max[a] = (boundary - o[a]) / r[a];
        it->t_delta[a] = spacing[a] / fabs(r[a]);
    }
    it->t = t_in;
    it->t_end = t_out;
    return 1;
}

/* The next voxel (*voxel: its linear index, x fastest) and its chord length (*length, mm);
 * returns 0 when the ray has left the grid. */
TOMO_FN int tomo_siddon_next(TomoSiddon* it, const int* n, int* voxel, float* length)
{
    if (!(it->t < it->t_end)) {
        return 0;
    }
    int a = 0;
    if (it->t_max[1] < it->t_max[a]) {
        a = 1;
    }
    if (it->t_max[2] < it->t_max[a]) {
        a = 2;
    }
    const float t_next = fmin(it->t_max[a], it->t_end);
    *voxel = it->index[0] + n[0] * (it->index[1] + n[1] * it->index[2]);
    *length = fmax(t_next - it->t, 0.0f);
    it->t = t_next;
    it->index[a] += it->step[a];
    it->t_max[a] += it->t_delta[a];
    if (it->index[a] < 0 || it->index[a] >= n[a]) {
        it->t = it->t_end; /* left the grid through this face */
    }
    return 1;
}
