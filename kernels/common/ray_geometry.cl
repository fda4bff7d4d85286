/* 2D ray geometry shared, character for character, by the OpenCL kernels and the C++ reference
 * projectors (core/src/project includes this file), so both backends evaluate the same formulas.
 * Written in the common subset of OpenCL C 1.2 and C++: scalar floats, private pointers for
 * outputs, no address-space qualifiers.
 *
 * Conventions (DESIGN.md section 4): a view is (s, d, u) with s the source position (fan) or
 * the unit ray direction (parallel), d the detector centre and u the unit column direction,
 * all in mm in the z = 0 plane. A detector coordinate a (mm) is the signed distance from d
 * along u; column iu has a = (iu - centre_column) * pixel_u. */

#ifndef TOMO_FN
#define TOMO_FN inline
#endif

/* p.x * q.y - p.y * q.x */
TOMO_FN float tomo_cross2(float px, float py, float qx, float qy)
{
    return px * qy - py * qx;
}

/* The ray through detector coordinate a (mm; an arc length on a curved detector): origin
 * (*ox, *oy), unit direction (*rx, *ry). radius 0 is a flat detector; radius R > 0 a circular
 * one (equal-arc columns) curving towards the source: with φ = a/R and n = (uy, -ux) (û × ẑ,
 * pointing at the source) the pixel is d + R sinφ û + R (1 - cosφ) n. */
TOMO_FN void tomo_ray_2d(float sx, float sy, float dx, float dy, float ux, float uy, float a,
                         float radius, int parallel, float* ox, float* oy, float* rx, float* ry)
{
    float px = dx + a * ux;
    float py = dy + a * uy;
    if (radius > 0.0f) {
        const float phi = a / radius;
        const float along = radius * sin(phi);
        const float towards = radius * (1.0f - cos(phi));
        px = dx + along * ux + towards * uy;
        py = dy + along * uy - towards * ux;
    }
    if (parallel) {
        *ox = px;
        *oy = py;
        *rx = sx;
        *ry = sy;
    } else {
        const float ex = px - sx;
        const float ey = py - sy;
        const float inv = 1.0f / sqrt(ex * ex + ey * ey);
        *ox = sx;
        *oy = sy;
        *rx = ex * inv;
        *ry = ey * inv;
    }
}

/* Detector coordinate a (mm) where the ray through point (x, y) meets the detector line. */
TOMO_FN float tomo_detector_coordinate(float sx, float sy, float dx, float dy, float ux, float uy,
                                       float x, float y, int parallel)
{
    if (parallel) {
        return tomo_cross2(x - dx, y - dy, sx, sy) / tomo_cross2(ux, uy, sx, sy);
    }
    return tomo_cross2(sx - dx, sy - dy, x - sx, y - sy) / tomo_cross2(ux, uy, x - sx, y - sy);
}

/* Where the line o + t·e meets a circular detector of radius R: o and e given by their
 * components along û and n̂ (the detector's column direction and its normal towards the source),
 * o relative to the centre of curvature c = d + R n̂. The detector is the half of the circle on
 * the far side from the source (pixel p - c = R sinφ û - R cosφ n̂), so the far intersection is
 * taken. Returns 1 and sets *t and *a = Rφ (mm of arc) if the line meets that half, for a
 * divergent beam (parallel = 0) only at t > 0, that is in front of the source. */
TOMO_FN int tomo_meet_arc(float ou, float on, float eu, float en, float radius, int parallel,
                          float* t, float* a)
{
    const float qa = eu * eu + en * en;
    const float qb = 2.0f * (ou * eu + on * en);
    const float qc = ou * ou + on * on - radius * radius;
    const float disc = qb * qb - 4.0f * qa * qc;
    if (!(qa > 0.0f) || !(disc >= 0.0f)) {
        return 0;
    }
    /* The two roots without cancellation: q/qa and qc/q. */
    const float root = sqrt(disc);
    const float q = -0.5f * (qb >= 0.0f ? qb + root : qb - root);
    const float t1 = q / qa;
    const float t2 = q != 0.0f ? qc / q : t1;
    const float far_t = fmax(t1, t2);
    const float pu = ou + far_t * eu;
    const float pn = on + far_t * en;
    if (!(pn < 0.0f) || (!parallel && !(far_t > 0.0f))) {
        return 0;
    }
    *t = far_t;
    *a = radius * atan2(pu, -pn);
    return 1;
}

/* Detector coordinate *a (mm; an arc length on a curved detector) of the ray through point
 * (x, y): the inverse of tomo_ray_2d. Returns 0 where no ray of the view passes through the
 * point onto the detector (a curved detector the line misses, a point not in front of the
 * source). */
TOMO_FN int tomo_detector_coordinate_2d(float sx, float sy, float dx, float dy, float ux, float uy,
                                        float x, float y, float radius, int parallel, float* a)
{
    if (!(radius > 0.0f)) {
        /* A divergent beam sees only points in front of the source: on the detector's side of
         * the line through the source parallel to it (as tomo_project_point in 3D). */
        if (!parallel &&
            !(tomo_cross2(ux, uy, x - sx, y - sy) * tomo_cross2(ux, uy, dx - sx, dy - sy) > 0.0f)) {
            return 0;
        }
        *a = tomo_detector_coordinate(sx, sy, dx, dy, ux, uy, x, y, parallel);
        return 1;
    }
    /* n = (uy, -ux) points at the source; c = d + R n. */
    const float cx = dx + radius * uy;
    const float cy = dy - radius * ux;
    const float ox = (parallel ? x : sx) - cx;
    const float oy = (parallel ? y : sy) - cy;
    const float ex = parallel ? sx : x - sx;
    const float ey = parallel ? sy : y - sy;
    float t;
    return tomo_meet_arc(ox * ux + oy * uy, ox * uy - oy * ux, ex * ux + ey * uy, ex * uy - ey * ux,
                         radius, parallel, &t, a);
}

/* The distance weight of the voxel-driven backprojection (the 1/U^2 of fan-beam FBP, Kak & Slaney
 * eqs. 3.118 and 3.131): (D/L)^2 for the point (x, y), 1 for parallel beams. Flat detector: L and
 * D are the depths of the point and of the isocentre (the origin) along the detector normal
 * from the source; curved detector: their distances from the source. */
TOMO_FN float tomo_distance_weight_2d(float sx, float sy, float ux, float uy, float x, float y,
                                      float radius, int parallel)
{
    if (parallel) {
        return 1.0f;
    }
    if (radius > 0.0f) {
        const float ex = x - sx;
        const float ey = y - sy;
        return (sx * sx + sy * sy) / (ex * ex + ey * ey);
    }
    /* n = (uy, -ux) points at the source: depth of a point = (s - p)·n. */
    const float ratio = (sx * uy - sy * ux) / ((sx - x) * uy - (sy - y) * ux);
    return ratio * ratio;
}

/* Joseph's dominant axis: 1 if the ray advances at least as many voxel columns (x) as rows (y)
 * per unit length, so it is sampled once per column. */
TOMO_FN int tomo_joseph_x_dominant(float rx, float ry, float spacing_x, float spacing_y)
{
    return fabs(rx) * spacing_y >= fabs(ry) * spacing_x;
}

/* Fractional index across the dominant axis where the ray crosses the centre line of slice
 * `index` along the dominant axis. For an x-dominant ray: the fractional j at column i. */
TOMO_FN float tomo_joseph_crossing(float ox, float oy, float rx, float ry, int x_dominant,
                                   int index, float origin_x, float origin_y, float spacing_x,
                                   float spacing_y)
{
    if (x_dominant) {
        const float t = (origin_x + (float)index * spacing_x - ox) / rx;
        return (oy + t * ry - origin_y) / spacing_y;
    }
    const float t = (origin_y + (float)index * spacing_y - oy) / ry;
    return (ox + t * rx - origin_x) / spacing_x;
}

/* Path length (mm) one Joseph sample stands for. */
TOMO_FN float tomo_joseph_step(float rx, float ry, int x_dominant, float spacing_x, float spacing_y)
{
    return x_dominant ? spacing_x / fabs(rx) : spacing_y / fabs(ry);
}
