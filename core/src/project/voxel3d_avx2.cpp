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
/// The batch's projections transposed to v fastest, with a zero border: column u (padded
/// u + 1) holds rows v at (v + 1), zeros at 0 and from nv + 1 on, room for a 16-float window
/// that starts anywhere in 0 .. nv + 1.
struct ColumnViews
{
    int rowsPadded = 0; ///< nv + 18
    std::size_t pixels = 0;
    std::vector<float> data;

    ColumnViews(const Setup3D& s, const float* proj, std::size_t pixelsPerView, std::size_t count)
        : rowsPadded(s.nv + 18), pixels(static_cast<std::size_t>(s.nu + 2) * (s.nv + 18)),
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
                    to[(u + 1) * pitch + v + 1] = from[v * nu + u];
                }
            }
        }
    }
};

// Largest spread (pixels) of eight z-neighbours' v on the detector for the window path: their two
// samples floor(fv) and floor(fv) + 1 must fit the 16 floats from the lowest floor(fv).
constexpr float kMaxRowSpread = 13.0f;

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

/// Adds one view's bilinear samples at every voxel of a column to acc[k], k < nz. With rows
/// along z, eight z-neighbours read one 16-float window of the two projection columns beside
/// fu; a view that spreads them wider than the window is sampled voxel by voxel instead.
TOMO_TARGET_AVX2 void addColumnView(const Setup3D& s, const ColumnViews& views, std::size_t view,
                                    const ColumnView& cv, float* acc)
{
    if (!(cv.fu > -1.0f && cv.fu < static_cast<float>(s.nu))) {
        return; // the whole column projects outside the detector (or NaN)
    }
    const int nz = s.n[2];
    const float flu = std::floor(cv.fu);
    const float wu = cv.fu - flu;
    const float* image = views.data.data() + view * views.pixels;
    // Padded columns lu + 1 and lu + 2; the border column is zero where lu = -1 or nu - 1.
    const float* near = image + (static_cast<std::ptrdiff_t>(flu) + 1) * views.rowsPadded;
    const float* far = near + views.rowsPadded;
    if (std::abs(cv.dfv) * (kLanes - 1) > kMaxRowSpread) {
        // Rows finer than the voxels (BM_BackprojectVoxelConeFineRows_Cpu). Measured no faster
        // on 2026-11-22: gathering each lane's pair of rows (0.44 GUPS either way at 256³ from
        // 360 views of 512²; at 128³ from 90 views of 256², 0.23 against this loop's 0.32), and
        // chunks of 4 views instead of 16 (within the run-to-run spread).
        for (int k = 0; k < nz; ++k) {
            const float fv = cv.fv0 + static_cast<float>(k) * cv.dfv;
            if (!(fv > -1.0f && fv < static_cast<float>(s.nv))) {
                continue;
            }
            const float flv = std::floor(fv);
            const float wv = fv - flv;
            const auto lv = static_cast<std::ptrdiff_t>(flv) + 1;
            const float inNear = near[lv] + wv * (near[lv + 1] - near[lv]);
            const float inFar = far[lv] + wv * (far[lv + 1] - far[lv]);
            acc[k] += cv.distanceWeight * ((1.0f - wu) * inNear + wu * inFar);
        }
        return;
    }
    const __m256 minusOne = _mm256_set1_ps(-1.0f);
    const __m256 nvF = _mm256_set1_ps(static_cast<float>(s.nv));
    const __m256i one = _mm256_set1_epi32(1);
    const __m256 laneIndex = _mm256_setr_ps(0, 1, 2, 3, 4, 5, 6, 7);
    // The distance weight is the column's own for every z: folded into the u weights.
    const __m256 wNear = _mm256_set1_ps((1.0f - wu) * cv.distanceWeight);
    const __m256 wFar = _mm256_set1_ps(wu * cv.distanceWeight);
    const __m256 dv = _mm256_set1_ps(cv.dfv);
    for (int k = 0; k < nz; k += kLanes) {
        __m256 fv = _mm256_fmadd_ps(_mm256_add_ps(_mm256_set1_ps(static_cast<float>(k)), laneIndex),
                                    dv, _mm256_set1_ps(cv.fv0));
        const __m256 valid = _mm256_and_ps(_mm256_cmp_ps(fv, minusOne, _CMP_GT_OQ),
                                           _mm256_cmp_ps(fv, nvF, _CMP_LT_OQ));
        if (_mm256_movemask_ps(valid) == 0) {
            continue;
        }
        fv = _mm256_min_ps(_mm256_max_ps(fv, minusOne), nvF);
        const __m256 flv = _mm256_floor_ps(fv);
        const __m256 wv = _mm256_sub_ps(fv, flv);
        const __m256i lv = _mm256_add_epi32(_mm256_cvttps_epi32(flv), one); // padded row
        const int vFirst = _mm_cvtsi128_si32(_mm256_castsi256_si128(lv));
        const int vLast = _mm256_extract_epi32(lv, kLanes - 1);
        const int vLow = std::min(vFirst, vLast);
        const __m256i rel = _mm256_sub_epi32(lv, _mm256_set1_epi32(vLow));
        const __m256i relNext = _mm256_add_epi32(rel, one);
        const __m256 nearLo = _mm256_loadu_ps(near + vLow);
        const __m256 nearHi = _mm256_loadu_ps(near + vLow + 8);
        const __m256 farLo = _mm256_loadu_ps(far + vLow);
        const __m256 farHi = _mm256_loadu_ps(far + vLow + 8);
        const __m256i seven = _mm256_set1_epi32(7);
        const __m256 upper = _mm256_castsi256_ps(_mm256_cmpgt_epi32(rel, seven));
        const __m256 upperNext = _mm256_castsi256_ps(_mm256_cmpgt_epi32(relNext, seven));
        const __m256 nearHere = pickFromWindow(nearLo, nearHi, rel, upper);
        const __m256 farHere = pickFromWindow(farLo, farHi, rel, upper);
        const __m256 inNear = _mm256_fmadd_ps(
            wv, _mm256_sub_ps(pickFromWindow(nearLo, nearHi, relNext, upperNext), nearHere),
            nearHere);
        const __m256 inFar = _mm256_fmadd_ps(
            wv, _mm256_sub_ps(pickFromWindow(farLo, farHi, relNext, upperNext), farHere), farHere);
        const __m256 sample = _mm256_fmadd_ps(wNear, inNear, _mm256_mul_ps(wFar, inFar));
        _mm256_storeu_ps(acc + k,
                         _mm256_add_ps(_mm256_loadu_ps(acc + k), _mm256_and_ps(valid, sample)));
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
        static_cast<std::size_t>(s.nu + 2) * static_cast<std::size_t>(s.nv + 18) >=
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
    const ColumnViews views(s, proj, pixels, count);
    const auto nx = static_cast<std::size_t>(s.n[0]);
    const auto ny = static_cast<std::size_t>(s.n[1]);
    const auto nz = static_cast<std::size_t>(s.n[2]);
    const std::size_t nzPadded = (nz + kLanes - 1) / kLanes * kLanes + kLanes;
    const std::size_t plane = nx * ny;
    // Tiles of kTile neighbouring voxel columns along x: within a chunk of kViewChunk views,
    // the tile's columns read the same projection columns (2 × (nv + 18) floats per view,
    // about 35 KB for 16 views of 256 rows), so those stay in the cache; the tile's sums are
    // then added to the volume kTile floats at a time.
    constexpr std::size_t kTile = 16;
    constexpr std::size_t kViewChunk = 16;
    const std::size_t tilesPerRow = (nx + kTile - 1) / kTile;
    const auto tiles = static_cast<std::ptrdiff_t>(tilesPerRow * ny);
#pragma omp parallel
    {
        std::vector<float> acc(kTile * nzPadded);
#pragma omp for schedule(static)
        for (std::ptrdiff_t tile = 0; tile < tiles; ++tile) {
            const std::size_t y = static_cast<std::size_t>(tile) / tilesPerRow;
            const std::size_t x0 = static_cast<std::size_t>(tile) % tilesPerRow * kTile;
            const std::size_t width = std::min(kTile, nx - x0);
            std::fill(acc.begin(), acc.end(), 0.0f);
            const float yMm = s.origin[1] + static_cast<float>(y) * s.spacing[1];
            for (std::size_t first = 0; first < count; first += kViewChunk) {
                const std::size_t last = std::min(count, first + kViewChunk);
                for (std::size_t c = 0; c < width; ++c) {
                    const float xMm = s.origin[0] + static_cast<float>(x0 + c) * s.spacing[0];
                    for (std::size_t view = first; view < last; ++view) {
                        const ColumnView cv =
                            curved
                                ? curvedColumnView(s, params + kViewParam3DFloats * view, xMm, yMm)
                                : flatColumnView(s, params + 12 * view, xMm, yMm);
                        addColumnView(s, views, view, cv, acc.data() + c * nzPadded);
                    }
                }
            }
            for (std::size_t k = 0; k < nz; ++k) {
                float* row = out + k * plane + y * nx + x0;
                for (std::size_t c = 0; c < width; ++c) {
                    row[c] += weight * acc[c * nzPadded + k];
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
