// The 3D Joseph forward projection for scans whose detector rows run along z (every circular,
// helical, short, multi-circle or random-circular scan without a v-tilt), AVX2 + FMA, without
// gathers. Eight neighbouring rows of one detector column form a group: their rays lie in one
// vertical plane, so they share the in-plane path (the dominant axis x or y, and the index f1
// across it at every slice) and differ only in z. The volume is copied once per call into a
// z-fastest layout with a zero border, where the eight lanes' z-samples of one in-plane voxel
// column lie within sixteen consecutive floats: two aligned loads and register permutes replace
// the four gathers of the general path (joseph3d_avx2.cpp), which on the Zen 3 cores this was
// written on cost 8 cycles each.
//
// The samples and coefficients are those of the scalar walk (joseph3d_walk.h) up to float
// rounding: the lanes use lane 0's in-plane line, which the others match to 1e-3 voxel (checked
// per group; a group that does not, or whose rays are z-dominant, is walked ray by ray). A group
// whose rows spread over more than the window's sixteen z-slices (rows coarser than the voxels)
// keeps the shared in-plane path and gathers each lane's two z samples instead.
#include "project/avx2_window.h"
#include "project/joseph3d_avx2.h"
#include "project/joseph3d_walk.h"
#include "project/ray_scatter.h"
#include "project/simd.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <mutex>
#include <omp.h>
#include <vector>

#if TOMO_HAVE_AVX2_PATH
#include <immintrin.h>
#endif

namespace tomo::detail
{
#if TOMO_HAVE_AVX2_PATH
namespace
{
constexpr int kLanes = 8;
constexpr int kZBefore = 1; // zero slices before z = 0 in each column of the copy
constexpr int kZAfter = 17; // and after z = nz - 1: a 16-float window from z = nz - 1 stays in
// Lanes' in-plane lines must agree this well (voxels). Each ray's own line carries float rounding
// of its setup: at SID 1000 mm, t0·r ~ 1000 mm cancels against the grid origin and leaves about
// 1e-4 voxel (measured 1.2e-4 between rows of one column), so lane 0's line is as good as any.
// A larger difference means the rays are not in one plane, and the group is walked ray by ray.
constexpr float kSharedLineTolerance = 1e-3f;
// Largest z spread of a block's eight lanes (voxels) for which every lane's two z samples,
// floor(f2) and floor(f2) + 1, fit the 16-float window that starts at the lowest floor(f2).
constexpr float kMaxSpread = 13.0f;

/// The volume with z fastest and a zero border in z, in two copies: column (x, y) at
/// ((y·nx + x)·pitch + kZBefore) in `alongX` and at ((x·ny + y)·pitch + kZBefore) in `alongY`.
/// A ray walking its dominant axis x (or y) then steps from one column to the next in memory,
/// which the hardware prefetcher follows.
struct ZColumns
{
    std::size_t pitch = 0;
    std::vector<float> alongX;
    std::vector<float> alongY;

    ZColumns(const Setup3D& s, const float* volume)
        : pitch(static_cast<std::size_t>(s.n[2] + kZBefore + kZAfter)),
          alongX(pitch * static_cast<std::size_t>(s.n[0]) * static_cast<std::size_t>(s.n[1]), 0.0f),
          alongY(alongX.size(), 0.0f)
    {
        const auto nx = static_cast<std::size_t>(s.n[0]);
        const auto ny = static_cast<std::size_t>(s.n[1]);
        const auto nz = static_cast<std::size_t>(s.n[2]);
#pragma omp parallel for schedule(static)
        for (std::ptrdiff_t yy = 0; yy < static_cast<std::ptrdiff_t>(ny); ++yy) {
            const auto y = static_cast<std::size_t>(yy);
            for (std::size_t z = 0; z < nz; ++z) {
                const float* row = volume + (z * ny + y) * nx;
                for (std::size_t x = 0; x < nx; ++x) {
                    alongX[(y * nx + x) * pitch + kZBefore + z] = row[x];
                    alongY[(x * ny + y) * pitch + kZBefore + z] = row[x];
                }
            }
        }
    }
};

/// Eight consecutive rows of one detector column: each lane's z line and slice range.
struct alignas(32) Block
{
    float f2[kLanes]; ///< z index at k = 0
    float d2[kLanes]; ///< its change per slice
    float t0[kLanes]; ///< ray parameter at k = 0, mm
    float dt[kLanes];
    int kBegin[kLanes];
    int kEnd[kLanes];
    float value[kLanes]; ///< transpose: the lanes' projection values times their step
    int kFirst = 0;      ///< union of the lanes' slice ranges
    int kLast = 0;
    bool vector = false; ///< walked here; otherwise ray by ray
    bool wide = false;   ///< lanes spread over more than one window in z, or not in z order:
                         ///< gathered lane by lane
};

/// One detector column's rays, set up for walkColumn or scatterColumn.
struct Column
{
    std::vector<Block> blocks;
    std::vector<Walk3D::Ray> rays; ///< every row's ray; set up only where a block needs it
    std::vector<float> steps;      ///< every row's Joseph step, mm
    int axis = -1;
    float f1 = 0.0f; ///< shared in-plane line across the dominant axis
    float d1 = 0.0f;
    int kFirst = 0; ///< union of the vector blocks' slice ranges
    int kLast = 0;

    explicit Column(const Setup3D& s)
        : blocks(static_cast<std::size_t>((s.nv + kLanes - 1) / kLanes)),
          rays(static_cast<std::size_t>(s.nv)), steps(static_cast<std::size_t>(s.nv))
    {}

    [[nodiscard]] int blockCount() const { return static_cast<int>(blocks.size()); }
};

/// A block's z samples in slice k: which lanes count (inside -1 < f2 < nz, in front of the
/// source, in their own slice range), the z weight w2, and each lane's floor(f2) as an offset
/// rel from the window start zLow (lanes are in row order, so z is monotone across them, rising
/// or falling).
struct BlockSample
{
    __m256 valid;
    __m256 w2;
    __m256i rel;
    int zLow;
    bool rising;
};

TOMO_TARGET_AVX2 inline BlockSample sampleBlock(const Block& block, __m256 kf, __m256i ki,
                                                const Setup3D& s)
{
    const __m256 minusOne = _mm256_set1_ps(-1.0f);
    const __m256 nzF = _mm256_set1_ps(static_cast<float>(s.n[2]));
    const __m256i minusOneI = _mm256_set1_epi32(-1);
    __m256 f2 = _mm256_fmadd_ps(kf, _mm256_load_ps(block.d2), _mm256_load_ps(block.f2));
    __m256 valid =
        _mm256_and_ps(_mm256_cmp_ps(f2, minusOne, _CMP_GT_OQ), _mm256_cmp_ps(f2, nzF, _CMP_LT_OQ));
    if (!s.parallel) {
        const __m256 t = _mm256_fmadd_ps(kf, _mm256_load_ps(block.dt), _mm256_load_ps(block.t0));
        valid = _mm256_and_ps(valid, _mm256_cmp_ps(t, _mm256_setzero_ps(), _CMP_GT_OQ));
    }
    const __m256i kBegin = _mm256_load_si256(reinterpret_cast<const __m256i*>(block.kBegin));
    const __m256i kEnd = _mm256_load_si256(reinterpret_cast<const __m256i*>(block.kEnd));
    valid = _mm256_and_ps(valid, _mm256_castsi256_ps(_mm256_and_si256(
                                     _mm256_cmpgt_epi32(ki, _mm256_add_epi32(kBegin, minusOneI)),
                                     _mm256_cmpgt_epi32(kEnd, ki))));
    // Lanes outside -1 < f2 < nz are clamped into the zero border; they are masked off as well.
    f2 = _mm256_min_ps(_mm256_max_ps(f2, minusOne), nzF);
    const __m256 fl2 = _mm256_floor_ps(f2);
    const __m256i l2 = _mm256_cvttps_epi32(fl2); // -1 .. nz
    // Read from the register: a store and reload of two lanes did not forward on Zen 3.
    const int zFirst = _mm_cvtsi128_si32(_mm256_castsi256_si128(l2));
    const int zLast = _mm256_extract_epi32(l2, kLanes - 1);
    const int zLow = std::min(zFirst, zLast);
    return {valid, _mm256_sub_ps(f2, fl2), _mm256_sub_epi32(l2, _mm256_set1_epi32(zLow)), zLow,
            zFirst <= zLast};
}

/// Walks a whole detector column: slice by slice along the shared in-plane line (f1 = f1At0 +
/// k·d1 across `axis`), and in each slice every block of eight rows, so the blocks' independent
/// work fills the pipeline and their windows stream through the same two z-columns. Adds each
/// lane's sum (without the step factor) to sums[8·block + lane].
TOMO_TARGET_AVX2 void walkColumn(const Block* blocks, int blockCount, float f1At0, float d1,
                                 int axis, int kFirst, int kLast, const ZColumns& columns,
                                 const Setup3D& s, float* sums)
{
    const int n1 = s.n[axis == 0 ? 1 : 0];
    // Consecutive slices are consecutive columns; neighbours across are a row of columns apart.
    const std::ptrdiff_t pitch = static_cast<std::ptrdiff_t>(columns.pitch);
    const std::ptrdiff_t acrossStride = (axis == 0 ? s.n[0] : s.n[1]) * pitch;
    const float* base = axis == 0 ? columns.alongX.data() : columns.alongY.data();
    const __m256i minusOneI = _mm256_set1_epi32(-1);
    for (int k = kFirst; k < kLast; ++k) {
        const float f1 = f1At0 + static_cast<float>(k) * d1;
        if (!(f1 > -1.0f && f1 < static_cast<float>(n1))) {
            continue;
        }
        const float fl1 = std::floor(f1);
        const float w1 = f1 - fl1;
        const int l1 = static_cast<int>(fl1);
        // The two in-plane neighbours' z-columns; one outside the grid contributes zero.
        const float* slice = base + static_cast<std::ptrdiff_t>(k) * pitch + kZBefore;
        const float* near = l1 >= 0 ? slice + l1 * acrossStride : nullptr;
        const float* far = l1 + 1 < n1 ? slice + (l1 + 1) * acrossStride : nullptr;
        const __m256 wNear = _mm256_set1_ps(near != nullptr ? 1.0f - w1 : 0.0f);
        const __m256 wFar = _mm256_set1_ps(far != nullptr ? w1 : 0.0f);
        near = near != nullptr ? near : far; // read something valid; its weight is zero
        far = far != nullptr ? far : near;
        const __m256 kf = _mm256_set1_ps(static_cast<float>(k));
        const __m256i ki = _mm256_set1_epi32(k);
        for (int b = 0; b < blockCount; ++b) {
            const Block& block = blocks[b];
            if (!block.vector || k < block.kFirst || k >= block.kLast) {
                continue;
            }
            const BlockSample z = sampleBlock(block, kf, ki, s);
            const int zLow = z.zLow;
            const __m256i rel = z.rel;
            const __m256 w2 = z.w2;
            const __m256 valid = z.valid;
            const __m256i relNext = _mm256_sub_epi32(rel, minusOneI);
            __m256 nearHere;
            __m256 nearNext;
            __m256 farHere;
            __m256 farNext;
            if (block.wide) {
                // Each lane's own samples: rel + zLow is its floor(f2), within -1 .. nz, so the
                // reads stay in the column's zero border.
                gatherPairs(near + zLow, rel, nearHere, nearNext);
                gatherPairs(far + zLow, rel, farHere, farNext);
            } else {
                const __m256 nearLo = _mm256_loadu_ps(near + zLow);
                const __m256 nearHi = _mm256_loadu_ps(near + zLow + 8);
                const __m256 farLo = _mm256_loadu_ps(far + zLow);
                const __m256 farHi = _mm256_loadu_ps(far + zLow + 8);
                nearHere = pickFromWindow(nearLo, nearHi, rel);
                nearNext = pickFromWindow(nearLo, nearHi, relNext);
                farHere = pickFromWindow(farLo, farHi, rel);
                farNext = pickFromWindow(farLo, farHi, relNext);
            }
            const __m256 inNear = _mm256_fmadd_ps(w2, _mm256_sub_ps(nearNext, nearHere), nearHere);
            const __m256 inFar = _mm256_fmadd_ps(w2, _mm256_sub_ps(farNext, farHere), farHere);
            const __m256 sample = _mm256_fmadd_ps(wNear, inNear, _mm256_mul_ps(wFar, inFar));
            float* out = sums + kLanes * b;
            _mm256_storeu_ps(out,
                             _mm256_add_ps(_mm256_loadu_ps(out), _mm256_and_ps(valid, sample)));
        }
    }
}

/// The transpose of walkColumn: adds each lane's value (projection value times step) times its
/// four bilinear coefficients into `acc`, a z-fastest accumulator laid out as ZColumns' copy
/// along `axis`. The eight lanes' contributions to a 16-float window of z are summed in registers
/// (lanes can share a voxel) by splatIntoWindow, then added to the two in-plane neighbours'
/// windows.
TOMO_TARGET_AVX2 void scatterColumn(const Block* blocks, int blockCount, float f1At0, float d1,
                                    int axis, int kFirst, int kLast, std::size_t pitchFloats,
                                    const Setup3D& s, float* acc)
{
    const int n1 = s.n[axis == 0 ? 1 : 0];
    const std::ptrdiff_t pitch = static_cast<std::ptrdiff_t>(pitchFloats);
    const std::ptrdiff_t acrossStride = (axis == 0 ? s.n[0] : s.n[1]) * pitch;
    const __m256 one = _mm256_set1_ps(1.0f);
    for (int k = kFirst; k < kLast; ++k) {
        const float f1 = f1At0 + static_cast<float>(k) * d1;
        if (!(f1 > -1.0f && f1 < static_cast<float>(n1))) {
            continue;
        }
        const float fl1 = std::floor(f1);
        const float w1 = f1 - fl1;
        const int l1 = static_cast<int>(fl1);
        float* slice = acc + static_cast<std::ptrdiff_t>(k) * pitch + kZBefore;
        float* near = l1 >= 0 ? slice + l1 * acrossStride : nullptr;
        float* far = l1 + 1 < n1 ? slice + (l1 + 1) * acrossStride : nullptr;
        const float wNearValue = near != nullptr ? 1.0f - w1 : 0.0f;
        const float wFarValue = far != nullptr ? w1 : 0.0f;
        const __m256 wNear = _mm256_set1_ps(wNearValue);
        const __m256 wFar = _mm256_set1_ps(wFarValue);
        near = near != nullptr ? near : far; // adds zeros there
        far = far != nullptr ? far : near;
        const __m256 kf = _mm256_set1_ps(static_cast<float>(k));
        const __m256i ki = _mm256_set1_epi32(k);
        // Even blocks, then odd ones: neighbouring blocks' windows overlap, and a load right
        // after the store of an overlapping window waits for it.
        for (int parity = 0; parity < 2; ++parity) {
            for (int b = parity; b < blockCount; b += 2) {
                const Block& block = blocks[b];
                if (!block.vector || k < block.kFirst || k >= block.kLast) {
                    continue;
                }
                const BlockSample z = sampleBlock(block, kf, ki, s);
                if (_mm256_movemask_ps(z.valid) == 0) {
                    continue;
                }
                const int zLow = z.zLow;
                const __m256i rel = z.rel;
                const __m256 w2 = z.w2;
                const __m256 valid = z.valid;
                const __m256 value = _mm256_and_ps(valid, _mm256_load_ps(block.value));
                const __m256 lower = _mm256_mul_ps(_mm256_sub_ps(one, w2), value); // at rel
                const __m256 upper = _mm256_mul_ps(w2, value);                     // at rel + 1
                if (block.wide) {
                    // Lanes more than a window apart: each lane's four voxels, one by one.
                    alignas(32) float lowerLanes[kLanes];
                    alignas(32) float upperLanes[kLanes];
                    alignas(32) int at[kLanes];
                    _mm256_store_ps(lowerLanes, lower);
                    _mm256_store_ps(upperLanes, upper);
                    _mm256_store_si256(reinterpret_cast<__m256i*>(at), rel);
                    for (int lane = 0; lane < kLanes; ++lane) {
                        float* n = near + zLow + at[lane];
                        float* f = far + zLow + at[lane];
                        n[0] += wNearValue * lowerLanes[lane];
                        n[1] += wNearValue * upperLanes[lane];
                        f[0] += wFarValue * lowerLanes[lane];
                        f[1] += wFarValue * upperLanes[lane];
                    }
                    continue;
                }
                __m256 windowLow;
                __m256 windowHigh;
                splatIntoWindow(rel, lower, upper, z.rising, windowLow, windowHigh);
                float* nearWindow = near + zLow;
                _mm256_storeu_ps(nearWindow,
                                 _mm256_fmadd_ps(wNear, windowLow, _mm256_loadu_ps(nearWindow)));
                _mm256_storeu_ps(nearWindow + 8, _mm256_fmadd_ps(wNear, windowHigh,
                                                                 _mm256_loadu_ps(nearWindow + 8)));
                float* farWindow = far + zLow;
                _mm256_storeu_ps(farWindow,
                                 _mm256_fmadd_ps(wFar, windowLow, _mm256_loadu_ps(farWindow)));
                _mm256_storeu_ps(farWindow + 8,
                                 _mm256_fmadd_ps(wFar, windowHigh, _mm256_loadu_ps(farWindow + 8)));
            }
        }
    }
}

/// Whether the block's lanes lie in z order at slice k, rising or falling, with gaps that the
/// rounding of their samples cannot reverse: the window paths take the first and last lanes as
/// the ends of the block's z range, and the transpose sums the lanes in that order. Lanes past
/// the last row repeat it exactly.
bool ordered(const Block& block, float k, bool rising)
{
    // Each lane's z at slice k carries its float rounding, a few 1e-5 voxels below 2^9; rows
    // this far apart stay in order. Closer rows (or lanes out of order) take the lane-by-lane
    // path, which needs no order.
    constexpr float kMinRowGap = 1e-3f;
    float previous = block.f2[0] + k * block.d2[0];
    for (int lane = 1; lane < kLanes; ++lane) {
        const float z = block.f2[lane] + k * block.d2[lane];
        const float gap = rising ? z - previous : previous - z;
        const bool repeated =
            block.f2[lane] == block.f2[lane - 1] && block.d2[lane] == block.d2[lane - 1];
        if (!repeated && !(gap >= kMinRowGap)) {
            return false;
        }
        previous = z;
    }
    return true;
}

/// Resets block b of a column for its rows to be set up; returns how many rows it has (8, or
/// fewer in the last block).
int startBlock(Block& block, int b, const Setup3D& s)
{
    block = Block{};
    block.kFirst = s.n[0] + s.n[1] + s.n[2];
    block.vector = true;
    return std::min(kLanes, s.nv - b * kLanes);
}

/// The window checks of a block whose lanes are set up: whether its z spread fits the window and
/// its lanes are in order (else it is `wide`), and the column's slice range.
void finishBlock(Block& block, int active, Column& column)
{
    // Lanes past the last row repeat the last row's line, which keeps z monotone across the
    // lanes; their empty slice range masks them off.
    for (int lane = active; lane < kLanes; ++lane) {
        block.f2[lane] = block.f2[active - 1];
        block.d2[lane] = block.d2[active - 1];
        block.t0[lane] = block.t0[active - 1];
        block.dt[lane] = block.dt[active - 1];
    }
    // The window of sixteen z values must hold every lane's two samples, or the block gathers
    // them: the lanes' spread in z is affine in k, so its largest value is at an end of the
    // range.
    if (block.kFirst < block.kLast) {
        for (int k : {block.kFirst, block.kLast - 1}) {
            const float zA = block.f2[0] + static_cast<float>(k) * block.d2[0];
            const float zB = block.f2[kLanes - 1] + static_cast<float>(k) * block.d2[kLanes - 1];
            block.wide = block.wide || std::abs(zB - zA) > kMaxSpread ||
                         !ordered(block, static_cast<float>(k), zB >= zA);
        }
        if (block.vector) {
            column.kFirst = std::min(column.kFirst, block.kFirst);
            column.kLast = std::max(column.kLast, block.kLast);
        }
    }
}

/// setUpColumn for a column whose first and last rows share their in-plane line, as every column
/// of a detector with rows along z does: its rows lie on one vertical line, so in the slice
/// planes of the shared axis their z indices f2 and steps d2 are affine in the row index, and
/// the rows between are interpolated instead of each set up from its own ray (a square root and
/// sixteen divisions a ray: 20% of the forward projection's time in perf). The in-plane line,
/// the source side and each row's step follow from the shared line. False, and nothing set up,
/// for any other column.
bool setUpColumnFromEnds(const Walk3D& walk, std::ptrdiff_t view, int u, Column& column)
{
    const Setup3D& s = walk.s;
    if (s.nv < 2) {
        return false;
    }
    const auto rowRay = [&](int row) {
        return walk.ray((view * s.nv + row) * static_cast<std::ptrdiff_t>(s.nu) + u);
    };
    const Walk3D::Ray first = rowRay(0);
    const Walk3D::Ray last = rowRay(s.nv - 1);
    float line0[6];
    float lineN[6];
    int kBegin = 0;
    int kEnd = 0;
    tomo_joseph_line_3d(first.o, first.r, first.axis, s.n, s.origin, s.spacing, s.parallel, line0,
                        &kBegin, &kEnd);
    tomo_joseph_line_3d(last.o, last.r, last.axis, s.n, s.origin, s.spacing, s.parallel, lineN,
                        &kBegin, &kEnd);
    const int axis = first.axis;
    if (axis != last.axis || axis == 2 || std::abs(lineN[0] - line0[0]) > kSharedLineTolerance ||
        std::abs(lineN[1] - line0[1]) * static_cast<float>(s.n[axis]) > kSharedLineTolerance ||
        (line0[4] > 0.0f) != (lineN[4] > 0.0f) || (line0[5] > 0.0f) != (lineN[5] > 0.0f)) {
        return false;
    }
    const int a1 = tomo_across_first(axis);
    const int a2 = tomo_across_second(axis);
    column.axis = axis;
    column.f1 = line0[0];
    column.d1 = line0[1];
    column.kFirst = s.n[0] + s.n[1] + s.n[2];
    column.kLast = 0;
    // The slices the in-plane line and the source side allow, as tomo_joseph_line_3d clips them.
    float shared[2] = {0.0f, static_cast<float>(s.n[axis] - 1)};
    tomo_clip_affine(line0[0], line0[1], -1.0f, static_cast<float>(s.n[a1]), &shared[0],
                     &shared[1]);
    if (!s.parallel) {
        tomo_clip_affine(line0[4], line0[5], 0.0f, 3.0e38f, &shared[0], &shared[1]);
    }
    const float rows = static_cast<float>(s.nv - 1);
    const float f2Step = (lineN[2] - line0[2]) / rows;
    const float d2Step = (lineN[3] - line0[3]) / rows;
    // A ray's step, spacing[axis] / |r[axis]| for a unit r, from its slopes across the axis.
    const float across1 = line0[1] * s.spacing[a1] / s.spacing[axis];
    const float across2Scale = s.spacing[a2] / s.spacing[axis];
    for (int b = 0; b < column.blockCount(); ++b) {
        Block& block = column.blocks[static_cast<std::size_t>(b)];
        const int active = startBlock(block, b, s);
        for (int lane = 0; lane < active; ++lane) {
            const int row = b * kLanes + lane;
            const float f2 = line0[2] + static_cast<float>(row) * f2Step;
            const float d2 = line0[3] + static_cast<float>(row) * d2Step;
            block.f2[lane] = f2;
            block.d2[lane] = d2;
            block.t0[lane] = line0[4];
            block.dt[lane] = line0[5];
            float lo = shared[0];
            float hi = shared[1];
            tomo_clip_affine(f2, d2, -1.0f, static_cast<float>(s.n[a2]), &lo, &hi);
            tomo_joseph_slice_range(lo, hi, s.n[axis], &block.kBegin[lane], &block.kEnd[lane]);
            if (block.kBegin[lane] < block.kEnd[lane]) {
                block.kFirst = std::min(block.kFirst, block.kBegin[lane]);
                block.kLast = std::max(block.kLast, block.kEnd[lane]);
            }
            const float across2 = d2 * across2Scale;
            column.steps[static_cast<std::size_t>(row)] =
                s.spacing[axis] * std::sqrt(1.0f + across1 * across1 + across2 * across2);
        }
        finishBlock(block, active, column);
    }
    return true;
}

/// Sets up detector column u of `view` (batch index): the shared in-plane line, every row's
/// step, and per block of eight rows the z lines, slice ranges, and whether the block can be
/// walked with windows (its rows share the in-plane line, and its z spread fits); the rows' rays
/// where a block cannot.
void setUpColumn(const Walk3D& walk, std::ptrdiff_t view, int u, Column& column)
{
    if (setUpColumnFromEnds(walk, view, u, column)) {
        return;
    }
    const Setup3D& s = walk.s;
    auto rayIndex = [&](int row) {
        return (view * s.nv + row) * static_cast<std::ptrdiff_t>(s.nu) + u;
    };
    int& axis = column.axis;
    float& f1 = column.f1;
    float& d1 = column.d1;
    axis = -1;
    column.kFirst = s.n[0] + s.n[1] + s.n[2];
    column.kLast = 0;
    for (int b = 0; b < column.blockCount(); ++b) {
        Block& block = column.blocks[static_cast<std::size_t>(b)];
        const int active = startBlock(block, b, s);
        for (int lane = 0; lane < active; ++lane) {
            const int row = b * kLanes + lane;
            Walk3D::Ray& r = column.rays[static_cast<std::size_t>(row)];
            r = walk.ray(rayIndex(row));
            column.steps[static_cast<std::size_t>(row)] = r.step;
            float line[6];
            tomo_joseph_line_3d(r.o, r.r, r.axis, s.n, s.origin, s.spacing, s.parallel, line,
                                &block.kBegin[lane], &block.kEnd[lane]);
            if (axis < 0) {
                axis = r.axis;
                f1 = line[0];
                d1 = line[1];
            }
            block.vector =
                block.vector && r.axis == axis && r.axis != 2 &&
                std::abs(line[0] - f1) <= kSharedLineTolerance &&
                std::abs(line[1] - d1) * static_cast<float>(s.n[r.axis]) <= kSharedLineTolerance;
            block.f2[lane] = line[2];
            block.d2[lane] = line[3];
            block.t0[lane] = line[4];
            block.dt[lane] = line[5];
            if (block.kBegin[lane] < block.kEnd[lane]) {
                block.kFirst = std::min(block.kFirst, block.kBegin[lane]);
                block.kLast = std::max(block.kLast, block.kEnd[lane]);
            }
        }
        finishBlock(block, active, column);
    }
}

/// Whether every view's detector rows run along z, so that the rays of one detector column lie
/// in one vertical plane.
bool rowsAlongZ(const std::vector<float>& params, std::size_t count)
{
    constexpr float kParallel = 1e-6f; // |v̂ - ẑ| components, for the shared in-plane path
    for (std::size_t view = 0; view < count; ++view) {
        const float* v = params.data() + view * kViewParam3DFloats + 9;
        if (std::abs(v[0]) > kParallel || std::abs(v[1]) > kParallel) {
            return false;
        }
    }
    return true;
}
} // namespace

class ZColumnCache
{
public:
    /// The copy of `volume` on grid `s`, built now or kept from an earlier call.
    const ZColumns& columnsFor(const Setup3D& s, const float* volume)
    {
        const std::size_t voxels = static_cast<std::size_t>(s.n[0]) *
                                   static_cast<std::size_t>(s.n[1]) *
                                   static_cast<std::size_t>(s.n[2]);
        const bool same = m_columns != nullptr && std::equal(s.n, s.n + 3, m_n) &&
                          m_source.size() == voxels &&
                          std::memcmp(m_source.data(), volume, voxels * sizeof(float)) == 0;
        if (!same) {
            m_columns.reset(); // free the old copy before building the new one
            m_source.assign(volume, volume + voxels);
            std::copy(s.n, s.n + 3, m_n);
            m_columns = std::make_unique<ZColumns>(s, volume);
        }
        return *m_columns;
    }

    std::mutex mutex; ///< held for the whole projection that reads the copy

private:
    int m_n[3] = {0, 0, 0};
    std::vector<float> m_source;
    std::unique_ptr<ZColumns> m_columns;
};

std::shared_ptr<ZColumnCache> makeZColumnCache()
{
    return std::make_shared<ZColumnCache>();
}

bool josephForward3DColumnsAvx2(const Setup3D& s, const std::vector<float>& params,
                                std::size_t count, const float* volume, float* proj,
                                ZColumnCache* cache)
{
    const std::size_t padded = static_cast<std::size_t>(s.n[0]) * static_cast<std::size_t>(s.n[1]) *
                               static_cast<std::size_t>(s.n[2] + kZBefore + kZAfter);
    if (!useAvx2() || !rowsAlongZ(params, count) ||
        padded >= static_cast<std::size_t>(std::numeric_limits<std::ptrdiff_t>::max())) {
        return false;
    }
    std::unique_lock<std::mutex> lock;
    std::unique_ptr<ZColumns> own;
    const ZColumns* built = nullptr;
    if (cache != nullptr) {
        lock = std::unique_lock<std::mutex>(cache->mutex);
        built = &cache->columnsFor(s, volume);
    } else {
        own = std::make_unique<ZColumns>(s, volume);
        built = own.get();
    }
    const ZColumns& columns = *built;
    const Walk3D walk(s, params);
    const int blockCount = (s.nv + kLanes - 1) / kLanes;
    const auto tasks = static_cast<std::ptrdiff_t>(count) * s.nu; // one detector column each
#pragma omp parallel
    {
        Column column(s);
        std::vector<float> sums(static_cast<std::size_t>(blockCount * kLanes));
#pragma omp for schedule(dynamic, 4)
        for (std::ptrdiff_t task = 0; task < tasks; ++task) {
            const auto view = task / s.nu;
            const auto u = static_cast<int>(task % s.nu);
            auto rayIndex = [&](int row) {
                return (view * s.nv + row) * static_cast<std::ptrdiff_t>(s.nu) + u;
            };
            setUpColumn(walk, view, u, column);
            std::fill(sums.begin(), sums.end(), 0.0f);
            if (column.kFirst < column.kLast) {
                walkColumn(column.blocks.data(), blockCount, column.f1, column.d1, column.axis,
                           column.kFirst, column.kLast, columns, s, sums.data());
            }
            for (int row = 0; row < s.nv; ++row) {
                const Block& block = column.blocks[static_cast<std::size_t>(row / kLanes)];
                proj[rayIndex(row)] =
                    block.vector
                        ? sums[static_cast<std::size_t>(row)] *
                              column.steps[static_cast<std::size_t>(row)]
                        : integrateRay(walk, column.rays[static_cast<std::size_t>(row)], volume);
            }
        }
    }
    return true;
}

bool josephBack3DColumnsAvx2(const Setup3D& s, const std::vector<float>& params, std::size_t count,
                             const float* proj, float weight, float* volume)
{
    const auto nx = static_cast<std::size_t>(s.n[0]);
    const auto ny = static_cast<std::size_t>(s.n[1]);
    const auto nz = static_cast<std::size_t>(s.n[2]);
    const auto pitch = nz + static_cast<std::size_t>(kZBefore + kZAfter);
    const std::size_t padded = nx * ny * pitch;
    if (!useAvx2() || !rowsAlongZ(params, count) ||
        padded >= static_cast<std::size_t>(std::numeric_limits<std::ptrdiff_t>::max())) {
        return false;
    }
    const Walk3D walk(s, params);
    const int blockCount = (s.nv + kLanes - 1) / kLanes;
    const auto tasks = static_cast<std::ptrdiff_t>(count) * s.nu;
    const int threads = omp_get_max_threads();
    // Per thread, a z-fastest accumulator for each dominant axis (as ZColumns lays out the
    // forward projection's copy), allocated when a ray first needs it.
    std::vector<std::vector<float>> alongX(static_cast<std::size_t>(threads));
    std::vector<std::vector<float>> alongY(static_cast<std::size_t>(threads));
#pragma omp parallel num_threads(threads)
    {
        const auto thread = static_cast<std::size_t>(omp_get_thread_num());
        std::vector<float>& accX = alongX[thread];
        std::vector<float>& accY = alongY[thread];
        Column column(s);
#pragma omp for schedule(dynamic, 4)
        for (std::ptrdiff_t task = 0; task < tasks; ++task) {
            const auto view = task / s.nu;
            const auto u = static_cast<int>(task % s.nu);
            setUpColumn(walk, view, u, column);
            bool anyValue = false;
            for (int row = 0; row < s.nv; ++row) {
                const float value =
                    proj[(view * s.nv + row) * static_cast<std::ptrdiff_t>(s.nu) + u] *
                    column.steps[static_cast<std::size_t>(row)];
                column.blocks[static_cast<std::size_t>(row / kLanes)].value[row % kLanes] = value;
                anyValue = anyValue || value != 0.0f;
            }
            if (!anyValue) {
                continue;
            }
            if (column.kFirst < column.kLast) {
                std::vector<float>& acc = column.axis == 0 ? accX : accY;
                if (acc.empty()) {
                    acc.assign(padded, 0.0f);
                }
                scatterColumn(column.blocks.data(), blockCount, column.f1, column.d1, column.axis,
                              column.kFirst, column.kLast, pitch, s, acc.data());
            }
            // Blocks the windows cannot take: the scalar walk, into the x-major accumulator.
            for (int row = 0; row < s.nv; ++row) {
                const Block& block = column.blocks[static_cast<std::size_t>(row / kLanes)];
                const float value = block.value[row % kLanes];
                if (block.vector || value == 0.0f) {
                    continue;
                }
                if (accX.empty()) {
                    accX.assign(padded, 0.0f);
                }
                walk.walk(column.rays[static_cast<std::size_t>(row)],
                          [&](std::ptrdiff_t voxel, float c) {
                              const auto index = static_cast<std::size_t>(voxel);
                              const std::size_t x = index % nx;
                              const std::size_t y = (index / nx) % ny;
                              const std::size_t z = index / (nx * ny);
                              accX[(y * nx + x) * pitch + kZBefore + z] += c * value;
                          });
            }
        }
    }
    // volume += weight · Σ over threads and layouts, back in x-fastest order.
#pragma omp parallel for schedule(static)
    for (std::ptrdiff_t yy = 0; yy < static_cast<std::ptrdiff_t>(ny); ++yy) {
        const auto y = static_cast<std::size_t>(yy);
        for (std::size_t z = 0; z < nz; ++z) {
            float* row = volume + (z * ny + y) * nx;
            for (std::size_t x = 0; x < nx; ++x) {
                float sum = 0.0f;
                for (int t = 0; t < threads; ++t) {
                    const auto& ax = alongX[static_cast<std::size_t>(t)];
                    const auto& ay = alongY[static_cast<std::size_t>(t)];
                    if (!ax.empty()) {
                        sum += ax[(y * nx + x) * pitch + kZBefore + z];
                    }
                    if (!ay.empty()) {
                        sum += ay[(x * ny + y) * pitch + kZBefore + z];
                    }
                }
                row[x] += weight * sum;
            }
        }
    }
    return true;
}
#else
class ZColumnCache
{};

std::shared_ptr<ZColumnCache> makeZColumnCache()
{
    return std::make_shared<ZColumnCache>();
}

bool josephForward3DColumnsAvx2(const Setup3D&, const std::vector<float>&, std::size_t,
                                const float*, float*, ZColumnCache*)
{
    return false;
}

bool josephBack3DColumnsAvx2(const Setup3D&, const std::vector<float>&, std::size_t, const float*,
                             float, float*)
{
    return false;
}
#endif
} // namespace tomo::detail
