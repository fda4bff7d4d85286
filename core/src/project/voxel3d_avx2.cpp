// The AVX2 + FMA version of the voxel-driven 3D backprojection (VoxelDrivenCpuProjector::back3D
// in voxel_cpu.cpp). One grid row (fixed y and z) at a time: for each view the projection
// matrix's three rows are affine in x along the row, so numerators and depth are one FMA per
// voxel from the row's start, and eight voxels are projected, tested and sampled bilinearly
// together, each sample times FDK's distance weight (D/w)^2 (D = P[11], the isocentre's depth).
// The row's sums stay in a small buffer across the batch's views and are added to the volume
// once. Pixels outside the detector count as zero, as in tomo_project_point and
// TOMO_BILINEAR_SAMPLE.
#include "project/voxel3d_avx2.h"

#include "project/avx2_window.h"
#include "project/ray_geometry.h"
#include "project/simd.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

#if TOMO_HAVE_AVX2_PATH
#include <immintrin.h>
#endif

namespace tomo::detail
{
namespace
{
#if TOMO_HAVE_AVX2_PATH
constexpr int kLanes = 8;

/// The batch's projections copied with a border of zeros, one pixel wide on every side: bilinear
/// samples anywhere in -1 < u < nu, -1 < v < nv then read four stored pixels with no bounds test,
/// and pixels outside the detector count as zero as in TOMO_BILINEAR_SAMPLE.
struct PaddedViews
{
    int width = 0; ///< nu + 2
    std::size_t pixels = 0;
    std::vector<float> data;

    PaddedViews(const Setup3D& s, const float* proj, std::size_t pixelsPerView, std::size_t count)
        : width(s.nu + 2), pixels(static_cast<std::size_t>(s.nu + 2) * (s.nv + 2)),
          data(pixels * count, 0.0f)
    {
        const auto nu = static_cast<std::size_t>(s.nu);
#pragma omp parallel for schedule(static)
        for (std::ptrdiff_t view = 0; view < static_cast<std::ptrdiff_t>(count); ++view) {
            for (int v = 0; v < s.nv; ++v) {
                const float* from = proj + static_cast<std::size_t>(view) * pixelsPerView +
                                    static_cast<std::size_t>(v) * nu;
                std::copy(from, from + nu,
                          data.begin() + static_cast<std::ptrdiff_t>(
                                             static_cast<std::size_t>(view) * pixels +
                                             static_cast<std::size_t>(v + 1) * (nu + 2) + 1));
            }
        }
    }
};

/// Adds the sum over views [first, last) (at most 64) of the bilinear samples at every voxel of one
/// grid row, (x0 + i·dx, y, z) for i < nx, to row[i]: row has nx floats, tail lanes are not stored.
TOMO_TARGET_AVX2 void addRow(const Setup3D& s, const float* matrices, std::size_t first,
                             std::size_t last, const PaddedViews& views, float y, float z,
                             float weight, float* row)
{
    const __m256 minusOne = _mm256_set1_ps(-1.0f);
    const __m256 one = _mm256_set1_ps(1.0f);
    const __m256 zero = _mm256_setzero_ps();
    const __m256 nuF = _mm256_set1_ps(static_cast<float>(s.nu));
    const __m256 nvF = _mm256_set1_ps(static_cast<float>(s.nv));
    const __m256i widthI = _mm256_set1_epi32(views.width);
    const __m256i paddingOffset = _mm256_set1_epi32(views.width + 1); // pixel (0, 0)
    const __m256 laneIndex = _mm256_setr_ps(0, 1, 2, 3, 4, 5, 6, 7);
    // Per view: u·w, v·w and w at the row's first voxel and their change per voxel.
    constexpr std::size_t kMaxChunk = 64;
    alignas(32) float coeff[kMaxChunk][7];
    const std::size_t chunk = std::min(last - first, kMaxChunk);
    for (std::size_t c = 0; c < chunk; ++c) {
        const float* P = matrices + 12 * (first + c);
        for (int r = 0; r < 3; ++r) {
            coeff[c][r] =
                P[4 * r] * s.origin[0] + P[4 * r + 1] * y + P[4 * r + 2] * z + P[4 * r + 3];
            coeff[c][3 + r] = P[4 * r] * s.spacing[0];
        }
        coeff[c][6] = P[11]; // the isocentre's depth D of the distance weight (D/w)^2
    }
    const int nx = s.n[0];
    for (int i = 0; i < nx; i += kLanes) {
        const __m256 fi = _mm256_add_ps(_mm256_set1_ps(static_cast<float>(i)), laneIndex);
        __m256 sum = zero;
        for (std::size_t c = 0; c < chunk; ++c) {
            const float* image = views.data.data() + (first + c) * views.pixels;
            const __m256 w =
                _mm256_fmadd_ps(fi, _mm256_set1_ps(coeff[c][5]), _mm256_set1_ps(coeff[c][2]));
            const __m256 inFront = _mm256_cmp_ps(w, zero, _CMP_GT_OQ);
            const __m256 inv = _mm256_div_ps(one, w);
            __m256 fu = _mm256_mul_ps(
                _mm256_fmadd_ps(fi, _mm256_set1_ps(coeff[c][3]), _mm256_set1_ps(coeff[c][0])), inv);
            __m256 fv = _mm256_mul_ps(
                _mm256_fmadd_ps(fi, _mm256_set1_ps(coeff[c][4]), _mm256_set1_ps(coeff[c][1])), inv);
            __m256 valid = _mm256_and_ps(inFront, _mm256_cmp_ps(fu, minusOne, _CMP_GT_OQ));
            valid = _mm256_and_ps(valid, _mm256_cmp_ps(fu, nuF, _CMP_LT_OQ));
            valid = _mm256_and_ps(valid, _mm256_cmp_ps(fv, minusOne, _CMP_GT_OQ));
            valid = _mm256_and_ps(valid, _mm256_cmp_ps(fv, nvF, _CMP_LT_OQ));
            if (_mm256_movemask_ps(valid) == 0) {
                continue;
            }
            // Invalid lanes (and NaN: max returns its second operand) are moved to pixel
            // (-1, -1) of the zero border; their sample is masked off below as well.
            fu = _mm256_blendv_ps(minusOne, _mm256_max_ps(fu, minusOne), valid);
            fv = _mm256_blendv_ps(minusOne, _mm256_max_ps(fv, minusOne), valid);
            const __m256 flu = _mm256_floor_ps(fu);
            const __m256 flv = _mm256_floor_ps(fv);
            const __m256 wu = _mm256_sub_ps(fu, flu);
            const __m256 wv = _mm256_sub_ps(fv, flv);
            const __m256i index = _mm256_add_epi32(
                _mm256_add_epi32(_mm256_mullo_epi32(_mm256_cvttps_epi32(flv), widthI),
                                 _mm256_cvttps_epi32(flu)),
                paddingOffset);
            __m256 g00;
            __m256 g10;
            __m256 g01;
            __m256 g11;
            gatherPairs(image, index, g00, g10);
            gatherPairs(image, _mm256_add_epi32(index, widthI), g01, g11);
            const __m256 uw = _mm256_sub_ps(one, wu);
            const __m256 row0 = _mm256_fmadd_ps(uw, g00, _mm256_mul_ps(wu, g10));
            const __m256 row1 = _mm256_fmadd_ps(uw, g01, _mm256_mul_ps(wu, g11));
            const __m256 distance = _mm256_mul_ps(_mm256_set1_ps(coeff[c][6]), inv);
            const __m256 sample = _mm256_mul_ps(
                _mm256_fmadd_ps(_mm256_sub_ps(one, wv), row0, _mm256_mul_ps(wv, row1)),
                _mm256_mul_ps(distance, distance));
            sum = _mm256_add_ps(sum, _mm256_and_ps(valid, sample));
        }
        alignas(32) float sums[kLanes];
        _mm256_store_ps(sums, sum);
        for (int lane = 0; lane < kLanes && i + lane < nx; ++lane) {
            row[i + lane] += weight * sums[lane];
        }
    }
}
// Zero rows before and after each stored projection column (ColumnViews): row v at padded row
// v + kRowPadBefore. A row clamped into [kRowPadBefore - 1, nv + kRowPadBefore] reads zeros off
// the detector, and the line of a column (buildLine), built 8 rows at a time forwards from
// its lowest row to 17 beyond its highest, or backwards from one above its highest to 17 below
// its lowest, stays inside.
constexpr int kRowPadBefore = 3 * kLanes;
constexpr int kRowPadAfter = 4 * kLanes;

/// The batch's projections transposed to v fastest, with zero rows at both ends of each column
/// and a zero column on both sides: column u at padded u + 1, row v at v + kRowPadBefore.
struct ColumnViews
{
    int rowsPadded = 0; ///< nv + kRowPadBefore + kRowPadAfter
    std::size_t pixels = 0;
    std::vector<float> data;

    ColumnViews(const Setup3D& s, const float* proj, std::size_t pixelsPerView, std::size_t count)
        : rowsPadded(s.nv + kRowPadBefore + kRowPadAfter),
          pixels(static_cast<std::size_t>(s.nu + 2) *
                 static_cast<std::size_t>(s.nv + kRowPadBefore + kRowPadAfter)),
          data(pixels * count, 0.0f)
    {
        const auto nu = static_cast<std::size_t>(s.nu);
        const auto nv = static_cast<std::size_t>(s.nv);
        const auto pitch = static_cast<std::size_t>(rowsPadded);
#pragma omp parallel for schedule(static)
        for (std::ptrdiff_t view = 0; view < static_cast<std::ptrdiff_t>(count); ++view) {
            const float* from = proj + static_cast<std::size_t>(view) * pixelsPerView;
            float* to = data.data() + static_cast<std::size_t>(view) * pixels;
            for (std::size_t v = 0; v < nv; ++v) {
                for (std::size_t u = 0; u < nu; ++u) {
                    to[(u + 1) * pitch + v + kRowPadBefore] = from[v * nu + u];
                }
            }
        }
    }
};

/// Where one view sees a voxel column (x, y): fractional column fu, row fv0 of the column's
/// first voxel and the change dfv per voxel along z, and the distance weight (the same for the
/// whole column).
struct ColumnView
{
    float fu = 0.0f;
    float fv0 = 0.0f;
    float dfv = 0.0f;
    float distanceWeight = 0.0f;
};

/// One view's line through a voxel column: voxel k samples the line at index f0 + k·df (df
/// >= 0), clamped into [lowest, highest], from the window `reach` says.
struct ColumnLine
{
    float f0 = 0.0f;
    float df = 0.0f;
    float lowest = 0.0f;
    float highest = 0.0f;
    Reach reach = Reach::Window8;
};

/// Builds one view's line through a voxel column of `nz` voxels (a multiple of kLanes), `line`
/// with room for views.rowsPadded floats. The column's u and distance weight are the same for
/// every z, so the two projection columns beside fu are interpolated into one line of rows,
/// times the weight, over the rows the column meets; its voxels then sample that line
/// linearly, eight z-neighbours from one window of it. False (nothing built) where the column
/// misses the detector.
TOMO_TARGET_AVX2 bool buildLine(const Setup3D& s, const ColumnViews& views, std::size_t view,
                                const ColumnView& cv, int nz, float* line, ColumnLine& out)
{
    if (!(cv.fu > -1.0f && cv.fu < static_cast<float>(s.nu))) {
        return false; // the whole column projects outside the detector (or NaN)
    }
    const float flu = std::floor(cv.fu);
    const float wu = cv.fu - flu;
    const float* image = views.data.data() + view * views.pixels;
    // Padded columns lu + 1 and lu + 2; the border column is zero where lu = -1 or nu - 1.
    const float* near = image + (static_cast<std::ptrdiff_t>(flu) + 1) * views.rowsPadded;
    const float* far = near + views.rowsPadded;
    // Padded rows t = fv + kRowPadBefore, clamped into [tLow, tHigh] where the zero rows begin.
    const auto tLow = static_cast<float>(kRowPadBefore - 1);
    const auto tHigh = static_cast<float>(s.nv + kRowPadBefore);
    const float t0 = cv.fv0 + static_cast<float>(kRowPadBefore);
    const float tEnd = t0 + static_cast<float>(nz - 1) * cv.dfv;
    if (!(std::max(t0, tEnd) > tLow && std::min(t0, tEnd) < tHigh)) {
        return false; // NaN, or the column passes above or below the detector
    }
    const int first = static_cast<int>(std::clamp(std::min(t0, tEnd), tLow, tHigh));
    const int last = static_cast<int>(std::clamp(std::max(t0, tEnd), tLow, tHigh));
    // With rows running against z the line runs backwards from row last + 1, so that lane 0
    // holds the lowest line index as the windows need: index m is row last + 1 - m. Forwards,
    // index m is row first + m. Either way a window (16 floats and the right neighbour) from
    // any lane's index stays inside the line.
    const bool backwards = cv.dfv < 0.0f;
    const int length = last - first + 2 * kLanes + 2;
    const __m256 wNear = _mm256_set1_ps((1.0f - wu) * cv.distanceWeight);
    const __m256 wFar = _mm256_set1_ps(wu * cv.distanceWeight);
    const __m256i reverse = _mm256_setr_epi32(7, 6, 5, 4, 3, 2, 1, 0);
    for (int m = 0; m < length; m += kLanes) {
        const int t = backwards ? last + 1 - m - (kLanes - 1) : first + m;
        const __m256 value = _mm256_fmadd_ps(wFar, _mm256_loadu_ps(far + t),
                                             _mm256_mul_ps(wNear, _mm256_loadu_ps(near + t)));
        _mm256_storeu_ps(line + m, backwards ? _mm256_permutevar8x32_ps(value, reverse) : value);
    }
    if (backwards) {
        const auto top = static_cast<float>(last + 1);
        out.f0 = top - t0;
        out.df = -cv.dfv;
        out.lowest = top - tHigh;
        out.highest = top - tLow;
    } else {
        out.f0 = t0 - static_cast<float>(first);
        out.df = cv.dfv;
        out.lowest = tLow - static_cast<float>(first);
        out.highest = tHigh - static_cast<float>(first);
    }
    out.reach = reachOf(out.df);
    return true;
}

/// Adds the samples of view a's line (and b's, when Two; both of reach R) to acc[k] for the
/// column's `nz` voxels (a multiple of kLanes), eight z-neighbours at a time. The iterations are
/// independent but for their own acc, so the core overlaps them; summing every view in
/// registers instead chains each group's views through one addition and leaves the core
/// waiting on the latency of the window reads.
template <Reach R, bool Two>
TOMO_TARGET_AVX2 void sweepColumn(const ColumnLine& a, const float* lineA, const ColumnLine& b,
                                  const float* lineB, int nz, float* acc)
{
    const __m256 dfA = _mm256_set1_ps(a.df);
    const __m256 f0A = _mm256_set1_ps(a.f0);
    const __m256 lowA = _mm256_set1_ps(a.lowest);
    const __m256 highA = _mm256_set1_ps(a.highest);
    const __m256 dfB = _mm256_set1_ps(b.df);
    const __m256 f0B = _mm256_set1_ps(b.f0);
    const __m256 lowB = _mm256_set1_ps(b.lowest);
    const __m256 highB = _mm256_set1_ps(b.highest);
    const __m256 eight = _mm256_set1_ps(static_cast<float>(kLanes));
    __m256 fk = _mm256_setr_ps(0, 1, 2, 3, 4, 5, 6, 7);
    for (int k = 0; k < nz; k += kLanes) {
        __m256 add = sampleLowestFirst<R>(lineA, _mm256_fmadd_ps(fk, dfA, f0A), lowA, highA);
        if constexpr (Two) {
            add = _mm256_add_ps(
                add, sampleLowestFirst<R>(lineB, _mm256_fmadd_ps(fk, dfB, f0B), lowB, highB));
        }
        _mm256_storeu_ps(acc + k, _mm256_add_ps(_mm256_loadu_ps(acc + k), add));
        fk = _mm256_add_ps(fk, eight);
    }
}

/// View a alone, or views a and a + 1 together (`two`).
template <Reach R>
TOMO_TARGET_AVX2 void sweepColumn(const ColumnLine* params, const float* lines, std::size_t pitch,
                                  std::size_t a, bool two, int nz, float* acc)
{
    const float* lineA = lines + a * pitch;
    if (two) {
        sweepColumn<R, true>(params[a], lineA, params[a + 1], lineA + pitch, nz, acc);
    } else {
        sweepColumn<R, false>(params[a], lineA, params[a], lineA, nz, acc);
    }
}

/// Adds the samples of `n` views' lines (line q at lines + q·pitch) to acc[k] for the column's
/// `nz` voxels (a multiple of kLanes): two views of the same reach at a time.
TOMO_TARGET_AVX2 void sampleColumn(const ColumnLine* params, const float* lines, std::size_t pitch,
                                   std::size_t n, int nz, float* acc)
{
    std::size_t q = 0;
    while (q < n) {
        const bool two = q + 1 < n && params[q + 1].reach == params[q].reach;
        switch (params[q].reach) {
        case Reach::Window8:
            sweepColumn<Reach::Window8>(params, lines, pitch, q, two, nz, acc);
            break;
        case Reach::Window16:
            sweepColumn<Reach::Window16>(params, lines, pitch, q, two, nz, acc);
            break;
        case Reach::Gather:
            sweepColumn<Reach::Gather>(params, lines, pitch, q, two, nz, acc);
            break;
        }
        q += two ? 2 : 1;
    }
}

/// A flat detector's view of column (x, y) from its projection matrix: u and the depth w do not
/// depend on z (columnsApply), v is affine in z. fu NaN where the column is behind the source.
ColumnView flatColumnView(const Setup3D& s, const float* P, float x, float y)
{
    ColumnView cv;
    const float w = P[8] * x + P[9] * y + P[11];
    if (!(w > 0.0f)) {
        cv.fu = std::numeric_limits<float>::quiet_NaN(); // behind the source: skipped
        return cv;
    }
    const float inv = 1.0f / w;
    cv.fu = (P[0] * x + P[1] * y + P[3]) * inv;
    cv.fv0 = (P[4] * x + P[5] * y + P[6] * s.origin[2] + P[7]) * inv;
    cv.dfv = P[6] * s.spacing[2] * inv;
    const float distance = P[11] * inv; // FDK's (D/w)^2
    cv.distanceWeight = distance * distance;
    return cv;
}

/// A cylindrical detector's view of column (x, y), with v̂ = ±z: the line from the source
/// through each voxel of the column meets the cylinder at the same arc coordinate and the same
/// in-plane parameter t (tomo_project_point_curved_t), so b is affine in z with slope t·v̂_z
/// (v̂_z for parallel beams), and the distance weight is the column's own.
ColumnView curvedColumnView(const Setup3D& s, const float* view, float x, float y)
{
    ColumnView cv;
    const float point[3] = {x, y, s.origin[2]};
    float a = 0.0f;
    float b = 0.0f;
    float t = 0.0f;
    if (!tomo_project_point_curved_t(view, s.radius, s.parallel, point, &a, &b, &t)) {
        cv.fu = std::numeric_limits<float>::quiet_NaN();
        return cv;
    }
    cv.fu = a / s.pixelU + s.centreU;
    cv.fv0 = b / s.pixelV + s.centreV;
    cv.dfv = (s.parallel ? 1.0f : t) * view[11] * s.spacing[2] / s.pixelV;
    cv.distanceWeight = tomo_distance_weight_curved(view, s.parallel, point);
    return cv;
}

/// Whether u and the depth w of every view's matrix do not depend on z (rows along z, detector
/// normal horizontal), which addColumn needs.
bool columnsApply(const float* matrices, std::size_t count)
{
    constexpr float kIndependent = 1e-7f; // relative to the row's largest entry
    for (std::size_t view = 0; view < count; ++view) {
        const float* P = matrices + 12 * view;
        for (int r : {0, 2}) {
            const float scale =
                std::max({std::abs(P[4 * r]), std::abs(P[4 * r + 1]), std::abs(P[4 * r + 2])});
            if (std::abs(P[4 * r + 2]) > kIndependent * scale) {
                return false;
            }
        }
    }
    return true;
}

/// Whether every view's rows run along z (v̂ = ±z), which the curved column path needs.
bool curvedColumnsApply(const float* params, std::size_t count)
{
    constexpr float kAlongZ = 1e-7f;
    for (std::size_t view = 0; view < count; ++view) {
        const float* v = params + kViewParam3DFloats * view + 9;
        if (std::abs(v[0]) > kAlongZ || std::abs(v[1]) > kAlongZ) {
            return false;
        }
    }
    return true;
}

/// The column path over the whole grid: `params` are projection matrices (12 floats per view)
/// for a flat detector or view parameters (kViewParam3DFloats) for a curved one. False
/// (nothing written) where it does not apply.
bool voxelBack3DColumns(const Setup3D& s, const float* params, bool curved, std::size_t count,
                        const float* proj, std::size_t pixels, float weight, float* out)
{
    if (!(curved ? curvedColumnsApply(params, count) : columnsApply(params, count)) ||
        static_cast<std::size_t>(s.nu + 2) *
                static_cast<std::size_t>(s.nv + kRowPadBefore + kRowPadAfter) >=
            static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max())) {
        return false;
    }
    // A source inside the grid's footprint (a corner not in front of it): voxels next to the
    // source magnify every rounding difference, so the general path keeps its per-voxel
    // evaluation there.
    for (std::size_t view = 0; view < count; ++view) {
        const float* p = params + (curved ? kViewParam3DFloats : 12) * view;
        for (int corner = 0; corner < 4; ++corner) {
            const float x =
                s.origin[0] +
                ((corner & 1) != 0 ? static_cast<float>(s.n[0] - 1) * s.spacing[0] : 0.0f);
            const float y =
                s.origin[1] +
                ((corner & 2) != 0 ? static_cast<float>(s.n[1] - 1) * s.spacing[1] : 0.0f);
            // Flat: the depth row of the matrix; curved: the corner's side of the line through
            // the source along û (n = û × v̂ points from the detector towards the source).
            const float depth = curved ? (p[7] * p[11] - p[8] * p[10]) * (p[0] - x) +
                                             (p[8] * p[9] - p[6] * p[11]) * (p[1] - y)
                                       : p[8] * x + p[9] * y + p[11];
            if (!s.parallel && !(depth > 0.0f)) {
                return false;
            }
        }
    }
    const auto nx = static_cast<std::size_t>(s.n[0]);
    const auto ny = static_cast<std::size_t>(s.n[1]);
    const auto nz = static_cast<std::size_t>(s.n[2]);
    // The column's voxels rounded up to a whole number of groups of eight (the lanes past nz
    // are summed and not stored).
    const std::size_t nzPadded = (nz + kLanes - 1) / kLanes * kLanes;
    const std::size_t plane = nx * ny;
    const std::size_t paramFloats = curved ? kViewParam3DFloats : 12;
    // The views in chunks of kCopyChunk, each transposed (ColumnViews: about 20 MB for 64 views
    // of 256², so that it is still in the last-level cache when read) and added to the whole
    // grid. Within a chunk, tiles of kTile neighbouring voxel columns along x, in groups of
    // kTileGroup tiles that follow each other along y, where every view sees them in nearly the
    // same projection columns (a tile meets about 17 of them per view, 21 KB of 256 rows; a
    // group about 24). A group takes kViewChunk views at a time through all its tiles, so those
    // columns (about 200 KB for 8 views) are read into the core's own cache once per group
    // instead of once per tile: one tile alone, taking every view of the chunk in turn, read
    // 1.4 MB of columns, more than that cache holds, and spent a third of its time waiting for
    // them (256³, 360 views: 3.07 -> 2.86 s, medians of seven runs alternating; groups of 4
    // tiles: 2.92 s). Each tile's sums (16 KB) are added to the volume kTile floats at a time
    // after its last view.
    constexpr std::size_t kCopyChunk = 64;
    constexpr std::size_t kTile = 16;
    constexpr std::size_t kTileGroup = 8;
    constexpr std::size_t kViewChunk = 8;
    const std::size_t tilesPerRow = (nx + kTile - 1) / kTile;
    const std::size_t groupsPerColumn = (ny + kTileGroup - 1) / kTileGroup;
    const auto groups = static_cast<std::ptrdiff_t>(tilesPerRow * groupsPerColumn);
    for (std::size_t copied = 0; copied < count; copied += kCopyChunk) {
        const std::size_t chunk = std::min(kCopyChunk, count - copied);
        const ColumnViews views(s, proj + copied * pixels, pixels, chunk);
        const float* chunkParams = params + copied * paramFloats;
#pragma omp parallel
        {
            std::vector<float> acc(kTileGroup * kTile * nzPadded);
            const auto pitch = static_cast<std::size_t>(views.rowsPadded);
            std::vector<float> lines(kViewChunk * pitch);
            ColumnLine columnLines[kViewChunk];
#pragma omp for schedule(static)
            for (std::ptrdiff_t group = 0; group < groups; ++group) {
                const std::size_t x0 = static_cast<std::size_t>(group) / groupsPerColumn * kTile;
                const std::size_t y0 =
                    static_cast<std::size_t>(group) % groupsPerColumn * kTileGroup;
                const std::size_t width = std::min(kTile, nx - x0);
                const std::size_t height = std::min(kTileGroup, ny - y0);
                std::fill(acc.begin(), acc.end(), 0.0f);
                for (std::size_t first = 0; first < chunk; first += kViewChunk) {
                    const std::size_t last = std::min(chunk, first + kViewChunk);
                    for (std::size_t t = 0; t < height; ++t) {
                        const std::size_t y = y0 + t;
                        const float yMm = s.origin[1] + static_cast<float>(y) * s.spacing[1];
                        float* tileAcc = acc.data() + t * kTile * nzPadded;
                        for (std::size_t c = 0; c < width; ++c) {
                            const float xMm =
                                s.origin[0] + static_cast<float>(x0 + c) * s.spacing[0];
                            std::size_t n = 0;
                            for (std::size_t view = first; view < last; ++view) {
                                const float* p = chunkParams + paramFloats * view;
                                const ColumnView cv = curved ? curvedColumnView(s, p, xMm, yMm)
                                                             : flatColumnView(s, p, xMm, yMm);
                                if (buildLine(s, views, view, cv, static_cast<int>(nzPadded),
                                              lines.data() + n * pitch, columnLines[n])) {
                                    ++n;
                                }
                            }
                            sampleColumn(columnLines, lines.data(), pitch, n,
                                         static_cast<int>(nzPadded), tileAcc + c * nzPadded);
                            if (last == chunk) {
                                // The tile's sums go to one place in each of nz planes of the
                                // volume, far apart in memory; asked for while the last views
                                // are summed, a share per column, they are in the cache when
                                // added.
                                for (std::size_t k = c * nz / width; k < (c + 1) * nz / width;
                                     ++k) {
                                    const float* row = out + k * plane + y * nx + x0;
                                    __builtin_prefetch(row, 1);
                                    __builtin_prefetch(row + width - 1, 1);
                                }
                            }
                        }
                        if (last == chunk) {
                            for (std::size_t k = 0; k < nz; ++k) {
                                float* row = out + k * plane + y * nx + x0;
                                for (std::size_t c = 0; c < width; ++c) {
                                    row[c] += weight * tileAcc[c * nzPadded + k];
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    return true;
}
#endif
} // namespace

bool voxelBack3DAvx2(const Setup3D& s, const float* matrices, std::size_t count, const float* proj,
                     std::size_t pixels, float weight, float* out)
{
#if TOMO_HAVE_AVX2_PATH
    if (!useAvx2() || pixels + static_cast<std::size_t>(s.nu) >=
                          static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max())) {
        return false;
    }
    if (voxelBack3DColumns(s, matrices, false, count, proj, pixels, weight, out)) {
        return true;
    }
    const PaddedViews views(s, proj, pixels, count);
    const auto rows = static_cast<std::ptrdiff_t>(s.n[1]) * s.n[2];
    // Views in chunks, so the projection rows that neighbouring grid rows read stay in the
    // cache: kViewChunk views of a 256-pixel-wide detector are about 64 KB of rows.
    constexpr std::size_t kViewChunk = 16;
    for (std::size_t first = 0; first < count; first += kViewChunk) {
        const std::size_t last = std::min(count, first + kViewChunk);
#pragma omp parallel for schedule(static)
        for (std::ptrdiff_t row = 0; row < rows; ++row) {
            const float y = s.origin[1] + static_cast<float>(row % s.n[1]) * s.spacing[1];
            const float z = s.origin[2] + static_cast<float>(row / s.n[1]) * s.spacing[2];
            addRow(s, matrices, first, last, views, y, z, weight, out + row * s.n[0]);
        }
    }
    return true;
#else
    (void)s;
    (void)matrices;
    (void)count;
    (void)proj;
    (void)pixels;
    (void)weight;
    (void)out;
    return false;
#endif
}
bool voxelBack3DCurvedAvx2([[maybe_unused]] const Setup3D& s, [[maybe_unused]] const float* params,
                           [[maybe_unused]] std::size_t count, [[maybe_unused]] const float* proj,
                           [[maybe_unused]] std::size_t pixels, [[maybe_unused]] float weight,
                           [[maybe_unused]] float* out)
{
#if TOMO_HAVE_AVX2_PATH
    return useAvx2() && voxelBack3DColumns(s, params, true, count, proj, pixels, weight, out);
#else
    return false;
#endif
}
} // namespace tomo::detail
