// The AVX2 + FMA version of the 2D voxel-driven backprojection (VoxelDrivenCpuProjector in
// voxel_cpu.cpp) for parallel and flat fan beams: sixteen voxels of a grid line together, every
// view of the batch summed in registers. Along a grid line each view's column (and, for fan
// beams, its depth) is affine in the voxel index, so a view costs one FMA per eight voxels (two
// and a division for fan beams), and the eight voxels' detector samples come out of one 8- or
// 16-float window of the view's row by register permutes (avx2_window.h) instead of gathers.
#include "project/voxel2d_avx2.h"

#include "project/avx2_window.h"
#include "project/simd.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#if TOMO_HAVE_AVX2_PATH
#include <immintrin.h>
#endif

namespace tomo::detail
{
std::vector<float> makeColumnMaps2D(const Setup2D& s, const std::vector<ViewParams2D>& views)
{
    std::vector<float> maps;
    maps.reserve(6 * views.size());
    const double du = s.pixelU;
    const double cc = s.centreColumn;
    for (const ViewParams2D& v : views) {
        const double sx = v.sx;
        const double sy = v.sy;
        const double dx = v.dx;
        const double dy = v.dy;
        const double ux = v.ux;
        const double uy = v.uy;
        double p[6];
        if (s.parallel) {
            // a = cross(x − d, r) / cross(u, r), r = (sx, sy) the ray direction.
            const double den = (ux * sy - uy * sx) * du;
            p[0] = sy / den;
            p[1] = -sx / den;
            p[2] = (-dx * sy + dy * sx) / den + cc;
            p[3] = 0.0;
            p[4] = 0.0;
            p[5] = 1.0;
        } else {
            // a = cross(s − d, x − s) / cross(u, x − s); both affine in x. Scaled so that the
            // depth w is positive in front of the source.
            const double sign = (uy * sx - ux * sy) >= 0.0 ? 1.0 : -1.0;
            const double numX = -(sy - dy);
            const double numY = sx - dx;
            const double num0 = (sy - dy) * sx - (sx - dx) * sy;
            const double denX = -uy;
            const double denY = ux;
            const double den0 = uy * sx - ux * sy;
            p[0] = sign * (numX / du + cc * denX);
            p[1] = sign * (numY / du + cc * denY);
            p[2] = sign * (num0 / du + cc * den0);
            p[3] = sign * denX;
            p[4] = sign * denY;
            p[5] = sign * den0;
        }
        for (double value : p) {
            maps.push_back(static_cast<float>(value));
        }
    }
    return maps;
}

namespace
{
#if TOMO_HAVE_AVX2_PATH
constexpr int kLanes = 8;
/// Border of zeros around each stored row, column u at u + kPadBefore: columns outside
/// (-1, nu) read zeros off the detector, as the portable loop's bounds tests do. The parallel
/// passes read without clamping in the groups of eight voxels around each view's footprint on
/// the line, whose columns lie within 9 voxels of it: 9 · 15/7 (the widest window's slope)
/// = 19.3 columns. After the last column the border also holds the 16-float window and the
/// right neighbour of the farthest column.
constexpr int kPadBefore = 24;
constexpr int kPadAfter = kPadBefore + 2 * kLanes + 1;

/// The rows of `count` views with the zero border, `width` floats each: written (and first
/// touched) by the threads in parallel, without a serial zero fill.
std::unique_ptr<float[]> padRows(const float* proj, std::size_t count, int nu, int width)
{
    const auto w = static_cast<std::size_t>(width);
    const auto n = static_cast<std::size_t>(nu);
    auto padded = std::make_unique_for_overwrite<float[]>(w * count);
    float* out = padded.get();
#pragma omp parallel for schedule(static)
    for (std::ptrdiff_t view = 0; view < static_cast<std::ptrdiff_t>(count); ++view) {
        float* row = out + static_cast<std::size_t>(view) * w;
        std::fill_n(row, kPadBefore, 0.0f);
        std::copy_n(proj + static_cast<std::size_t>(view) * n, n, row + kPadBefore);
        std::fill_n(row + kPadBefore + n, w - kPadBefore - n, 0.0f);
    }
    return padded;
}

// ---- Parallel beams ----
//
// A view's detector column is affine in the voxel indices, f = a·i + b·j + c. Each view is
// summed along the grid axis along which its column changes least (along rows where |a| <= |b|,
// down columns otherwise), so that the eight lanes' columns lie within ⌈7·|slope|⌉ of each
// other with |slope| <= |a| and |b| both: within the 8-float window wherever the detector's
// pixels are at least 0.71 voxels wide. Views whose slope is negative take the lanes in
// reverse order, so that lane 0 always holds the lowest column and the window starts there.

/// One view of a pass: its column f = slope·(index along the summed axis) + step·(index of the
/// row or column summed) + offset, in padded columns, and where its stored row starts.
struct PassView
{
    float slope;
    float step;
    float offset;
    std::size_t line;
};

/// The views of one pass (rows or columns), sorted into runs that share a loop: by reach and by
/// the sign of the slope (lanes in order, then reversed).
struct Pass
{
    std::vector<PassView> views;
    std::size_t runEnd[kReaches * 2] = {}; ///< end of run (reach, reversed), in that order
};

/// The linear samples of one view's row at columns f: the windows read without clamping (the
/// groups swept lie around the view's footprint, inside the border); gathers clamp.
template <Reach R>
TOMO_TARGET_AVX2 inline __m256 sampleView(const float* row, __m256 f, __m256 lowest, __m256 highest)
{
    if constexpr (R == Reach::Gather) {
        return sampleLowestFirst<R>(row, f, lowest, highest);
    } else {
        return sampleLowestFirstInside<R>(row, f);
    }
}

/// One view as sweepViews takes it: its stored row, and its column's slope along the line and
/// offset at the line's first voxel.
struct LineView
{
    const float* row;
    float slope;
    float offset;
};

/// Adds the samples of view a (and b, when Two) to the sums of the groups [groupBegin, groupEnd)
/// of a grid line: lane k of group g holds the voxel at 8g + lanes[k] (lanes: 0..7, or 7..0 for
/// the views whose column falls along the line). The iterations are independent but for their
/// own group's sums, so the core overlaps them; summing every view in registers instead chains
/// each group's views through one addition and leaves the core waiting on the latency of the
/// window reads.
template <Reach R, bool Two>
TOMO_TARGET_AVX2 inline void sweepViews(const LineView& a, const LineView& b, int groupBegin,
                                        int groupEnd, __m256 lanes, __m256 lowest, __m256 highest,
                                        float* sums)
{
    const __m256 slopeA = _mm256_set1_ps(a.slope);
    const __m256 offsetA = _mm256_set1_ps(a.offset);
    const __m256 slopeB = _mm256_set1_ps(b.slope);
    const __m256 offsetB = _mm256_set1_ps(b.offset);
    const __m256 eight = _mm256_set1_ps(static_cast<float>(kLanes));
    __m256 fi = _mm256_add_ps(lanes, _mm256_set1_ps(static_cast<float>(kLanes * groupBegin)));
    for (int g = groupBegin; g < groupEnd; ++g) {
        __m256 add = sampleView<R>(a.row, _mm256_fmadd_ps(fi, slopeA, offsetA), lowest, highest);
        if constexpr (Two) {
            add = _mm256_add_ps(
                add, sampleView<R>(b.row, _mm256_fmadd_ps(fi, slopeB, offsetB), lowest, highest));
        }
        float* s = sums + static_cast<std::size_t>(g) * kLanes;
        _mm256_store_ps(s, _mm256_add_ps(_mm256_load_ps(s), add));
        fi = _mm256_add_ps(fi, eight);
    }
}

/// The groups of eight voxels of a line that meet one view's footprint, column f = slope · i +
/// offset in (kPadBefore - 1, kPadBefore + nu), widened by one voxel for the rounding of the
/// bounds.
struct GroupRange
{
    int begin;
    int end;
};

inline GroupRange footprint(float slope, float offset, int nu, int groups)
{
    const float low = static_cast<float>(kPadBefore - 1);
    const float high = static_cast<float>(kPadBefore + nu);
    if (slope == 0.0f) {
        return offset > low && offset < high ? GroupRange{0, groups} : GroupRange{0, 0};
    }
    // Voxel indices far outside the line are clamped before conversion to int.
    constexpr float kFar = 1e8f;
    const float a = (low - offset) / slope;
    const float b = (high - offset) / slope;
    const float first = std::clamp(std::min(a, b) - 1.0f, -kFar, kFar);
    const float last = std::clamp(std::max(a, b) + 1.0f, -kFar, kFar);
    // Groups g with 8g + 7 > first and 8g < last.
    const int begin = static_cast<int>(std::floor((first - static_cast<float>(kLanes - 1)) /
                                                  static_cast<float>(kLanes))) +
                      1;
    const int end = static_cast<int>(std::ceil(last / static_cast<float>(kLanes)));
    return {std::clamp(begin, 0, groups), std::clamp(end, 0, groups)};
}

/// Adds the views [begin, end) of one run of `views` to the sums of grid line `line`, two at a
/// time over the groups both views' footprints meet and one at a time over the rest.
template <Reach R>
TOMO_TARGET_AVX2 inline void sweepRun(const PassView* views, std::size_t begin, std::size_t end,
                                      int line, const float* padded, int nu, int groups,
                                      __m256 lanes, __m256 lowest, __m256 highest, float* sums)
{
    const auto atLine = [&](std::size_t q) {
        const PassView& view = views[q];
        return LineView{padded + view.line, view.slope,
                        view.offset + view.step * static_cast<float>(line)};
    };
    std::size_t q = begin;
    for (; q + 1 < end; q += 2) {
        const LineView a = atLine(q);
        const LineView b = atLine(q + 1);
        const GroupRange ra = footprint(a.slope, a.offset, nu, groups);
        const GroupRange rb = footprint(b.slope, b.offset, nu, groups);
        const int shared0 = std::max(ra.begin, rb.begin);
        const int shared1 = std::min(ra.end, rb.end);
        if (shared0 < shared1) {
            sweepViews<R, true>(a, b, shared0, shared1, lanes, lowest, highest, sums);
            sweepViews<R, false>(a, a, ra.begin, shared0, lanes, lowest, highest, sums);
            sweepViews<R, false>(a, a, shared1, ra.end, lanes, lowest, highest, sums);
            sweepViews<R, false>(b, b, rb.begin, shared0, lanes, lowest, highest, sums);
            sweepViews<R, false>(b, b, shared1, rb.end, lanes, lowest, highest, sums);
        } else {
            sweepViews<R, false>(a, a, ra.begin, ra.end, lanes, lowest, highest, sums);
            sweepViews<R, false>(b, b, rb.begin, rb.end, lanes, lowest, highest, sums);
        }
    }
    if (q < end) {
        const LineView a = atLine(q);
        const GroupRange ra = footprint(a.slope, a.offset, nu, groups);
        sweepViews<R, false>(a, a, ra.begin, ra.end, lanes, lowest, highest, sums);
    }
}

/// Sums the views of `pass` over `lines` grid lines of `length` voxels each (rows for the pass
/// along rows, columns for the other) and adds weight times each voxel's sum to image[line ·
/// lineStride + index · indexStride]. Each line's sums stay in two buffers of the thread (views
/// in lane order, and reversed), a few kilobytes that stay in the first-level cache.
TOMO_TARGET_AVX2 void runPass(const Pass& pass, int lines, int length, const float* padded, int nu,
                              float weight, float* image, std::size_t lineStride,
                              std::size_t indexStride)
{
    if (pass.views.empty()) {
        return;
    }
    const __m256 lowest = _mm256_set1_ps(static_cast<float>(kPadBefore - 1));
    const __m256 highest = _mm256_set1_ps(static_cast<float>(kPadBefore + nu));
    const __m256 inOrder = _mm256_setr_ps(0, 1, 2, 3, 4, 5, 6, 7);
    const __m256 reversed = _mm256_setr_ps(7, 6, 5, 4, 3, 2, 1, 0);
    const __m256i reverse = _mm256_setr_epi32(7, 6, 5, 4, 3, 2, 1, 0);
    const int groups = (length + kLanes - 1) / kLanes;
    const auto stored = static_cast<std::size_t>(groups) * kLanes;
#pragma omp parallel
    {
        // Sums for the views in lane order, then for the reversed ones (lanes 7..0 in each group).
        std::vector<float> storage(2 * stored + kLanes);
        float* forward = alignTo32(storage.data());
        float* backward = forward + stored;
#pragma omp for schedule(dynamic, 8)
        for (int line = 0; line < lines; ++line) {
            std::fill_n(forward, 2 * stored, 0.0f);
            std::size_t begin = 0;
            for (int run = 0; run < kReaches * 2; ++run) {
                const std::size_t end = pass.runEnd[run];
                if (end > begin) {
                    const bool back = run % 2 == 1;
                    const __m256 lanes = back ? reversed : inOrder;
                    float* s = back ? backward : forward;
                    const PassView* v = pass.views.data();
                    switch (static_cast<Reach>(run / 2)) {
                    case Reach::Window8:
                        sweepRun<Reach::Window8>(v, begin, end, line, padded, nu, groups, lanes,
                                                 lowest, highest, s);
                        break;
                    case Reach::Window16:
                        sweepRun<Reach::Window16>(v, begin, end, line, padded, nu, groups, lanes,
                                                  lowest, highest, s);
                        break;
                    case Reach::Gather:
                        sweepRun<Reach::Gather>(v, begin, end, line, padded, nu, groups, lanes,
                                                lowest, highest, s);
                        break;
                    }
                }
                begin = end;
            }
            for (int g = 0; g < groups; ++g) {
                float* f = forward + static_cast<std::size_t>(g) * kLanes;
                const __m256 b = _mm256_load_ps(backward + static_cast<std::size_t>(g) * kLanes);
                _mm256_store_ps(f,
                                _mm256_mul_ps(_mm256_set1_ps(weight),
                                              _mm256_add_ps(_mm256_load_ps(f),
                                                            _mm256_permutevar8x32_ps(b, reverse))));
            }
            float* out = image + static_cast<std::size_t>(line) * lineStride;
            for (int i = 0; i < length; ++i) {
                out[static_cast<std::size_t>(i) * indexStride] += forward[i];
            }
        }
    }
}

/// The parallel-beam backprojection: each view to the pass along rows or along columns.
TOMO_TARGET_AVX2 void backParallel2D(const Setup2D& s, const float* maps, std::size_t count,
                                     const float* proj, float weight, float* out)
{
    const int width = s.nu + kPadBefore + kPadAfter;
    const std::unique_ptr<float[]> padded = padRows(proj, count, s.nu, width);
    Pass rows;
    Pass columns;
    struct Sorted
    {
        int run;
        PassView view;
    };
    std::vector<Sorted> forRows;
    std::vector<Sorted> forColumns;
    for (std::size_t view = 0; view < count; ++view) {
        const float* p = maps + 6 * view;
        const float a = p[0] * s.spacingX;
        const float b = p[1] * s.spacingY;
        const float c = p[0] * s.originX + p[1] * s.originY + p[2] + static_cast<float>(kPadBefore);
        const bool alongRows = std::abs(a) <= std::abs(b);
        const float slope = alongRows ? a : b;
        const int run = 2 * static_cast<int>(reachOf(slope)) + (slope < 0.0f ? 1 : 0);
        const Sorted sorted{run,
                            {slope, alongRows ? b : a, c, view * static_cast<std::size_t>(width)}};
        (alongRows ? forRows : forColumns).push_back(sorted);
    }
    const auto fill = [](std::vector<Sorted>& sorted, Pass& pass) {
        std::stable_sort(sorted.begin(), sorted.end(),
                         [](const Sorted& x, const Sorted& y) { return x.run < y.run; });
        for (const Sorted& v : sorted) {
            pass.views.push_back(v.view);
            for (int run = v.run; run < kReaches * 2; ++run) {
                pass.runEnd[run] = pass.views.size();
            }
        }
    };
    fill(forRows, rows);
    fill(forColumns, columns);
    const auto nx = static_cast<std::size_t>(s.nx);
    runPass(rows, s.ny, s.nx, padded.get(), s.nu, weight, out, nx, 1);
    runPass(columns, s.nx, s.ny, padded.get(), s.nu, weight, out, 1, nx);
}

// ---- Flat fan beams ----

// Eight lanes read their left column out of the 16-float window from `low` and their right
// column out of the window from low + 1: every lane's column must lie in low .. low + 15, a
// spread of at most 15 (14 for the margin of rounding).
constexpr int kMaxSpread = 14;
// The per-view coefficients of one grid row (floats): numerator and depth at the row's first
// voxel and their change per voxel, and the isocentre's depth P5.
constexpr std::size_t kCoeffs = 5;

TOMO_TARGET_AVX2 inline __m256 sampleWindow(const float* line, int low, __m256i index, __m256 frac)
{
    const __m256i rel = _mm256_sub_epi32(index, _mm256_set1_epi32(low));
    const __m256 upper = _mm256_castsi256_ps(_mm256_cmpgt_epi32(rel, _mm256_set1_epi32(7)));
    const __m256 left =
        pickFromWindow(_mm256_loadu_ps(line + low), _mm256_loadu_ps(line + low + 8), rel, upper);
    const __m256 right = pickFromWindow(_mm256_loadu_ps(line + low + 1),
                                        _mm256_loadu_ps(line + low + 9), rel, upper);
    return _mm256_fmadd_ps(frac, _mm256_sub_ps(right, left), left);
}

TOMO_TARGET_AVX2 inline __m256 sampleGather(const float* line, __m256i index, __m256 frac)
{
    __m256 left;
    __m256 right;
    gatherPairs(line, index, left, right);
    return _mm256_fmadd_ps(frac, _mm256_sub_ps(right, left), left);
}

/// Constants of the inner loop.
struct Lanes
{
    __m256 minusOne;
    __m256 one;
    __m256 zero;
    __m256 nu;
    __m256i pad;
};

/// One view's contribution to the eight voxels at fractional grid indices `fi` of the row. Always
/// inlined: sweepFanViews calls it twice per group, and GCC otherwise kept it out of line (fan
/// FBP 15% slower).
TOMO_TARGET_AVX2 inline __attribute__((always_inline)) __m256
fanContribution(const Lanes& k, __m256 fi, const float* c, const float* line)
{
    const __m256 w = _mm256_fmadd_ps(fi, _mm256_set1_ps(c[3]), _mm256_set1_ps(c[2]));
    const __m256 inFront = _mm256_cmp_ps(w, k.zero, _CMP_GT_OQ);
    const __m256 inv = _mm256_div_ps(k.one, w);
    __m256 f = _mm256_mul_ps(_mm256_fmadd_ps(fi, _mm256_set1_ps(c[1]), _mm256_set1_ps(c[0])), inv);
    const __m256 valid =
        _mm256_and_ps(inFront, _mm256_and_ps(_mm256_cmp_ps(f, k.minusOne, _CMP_GT_OQ),
                                             _mm256_cmp_ps(f, k.nu, _CMP_LT_OQ)));
    if (_mm256_movemask_ps(valid) == 0) {
        return k.zero;
    }
    // Lanes outside -1 < f < nu (NaN included: max returns its second operand) are clamped
    // into the zero border and masked.
    f = _mm256_min_ps(_mm256_max_ps(f, k.minusOne), k.nu);
    const __m256 fl = _mm256_floor_ps(f);
    const __m256i index = _mm256_add_epi32(_mm256_cvttps_epi32(fl), k.pad);
    const __m256 frac = _mm256_sub_ps(f, fl);
    // f is monotonic along the row where every lane is in front of the source, and then the
    // end lanes bound the others.
    const int first = _mm256_cvtsi256_si32(index);
    const int last = _mm256_extract_epi32(index, kLanes - 1);
    const __m256 sample =
        _mm256_movemask_ps(inFront) == 0xFF && std::abs(last - first) <= kMaxSpread
            ? sampleWindow(line, std::min(first, last), index, frac)
            : sampleGather(line, index, frac);
    const __m256 distance = _mm256_mul_ps(_mm256_set1_ps(c[4]), inv);
    return _mm256_and_ps(valid, _mm256_mul_ps(sample, _mm256_mul_ps(distance, distance)));
}

/// Adds the fan-beam samples of view a (and b, when Two) to `sums`, the `groups` groups of
/// eight voxels of one grid row (`ca`, `cb`: the views' kCoeffs coefficients for the row).
template <bool Two>
TOMO_TARGET_AVX2 inline void sweepFanViews(const Lanes& k, const float* ca, const float* la,
                                           const float* cb, const float* lb, int groups,
                                           float* sums)
{
    const __m256 eight = _mm256_set1_ps(static_cast<float>(kLanes));
    __m256 fi = _mm256_setr_ps(0, 1, 2, 3, 4, 5, 6, 7);
    for (int g = 0; g < groups; ++g) {
        float* at = sums + static_cast<std::size_t>(g) * kLanes;
        __m256 add = fanContribution(k, fi, ca, la);
        if constexpr (Two) {
            add = _mm256_add_ps(add, fanContribution(k, fi, cb, lb));
        }
        _mm256_store_ps(at, _mm256_add_ps(_mm256_load_ps(at), add));
        fi = _mm256_add_ps(fi, eight);
    }
}

/// Adds the batch's views to one grid row (`coeff`: kCoeffs floats per view): two views at a
/// time sweep the row eight voxels at a time into `sums` (the row's groups of eight, 32-byte
/// aligned), which are added to the row once (the parallel passes' reason: runPass).
TOMO_TARGET_AVX2 void addFanRow(const Setup2D& s, const float* coeff, std::size_t count,
                                const float* padded, int width, float weight, float* sums,
                                float* row)
{
    const Lanes k{_mm256_set1_ps(-1.0f), _mm256_set1_ps(1.0f), _mm256_setzero_ps(),
                  _mm256_set1_ps(static_cast<float>(s.nu)), _mm256_set1_epi32(kPadBefore)};
    const int nx = s.nx;
    const int groups = (nx + kLanes - 1) / kLanes;
    const auto stride = static_cast<std::size_t>(width);
    std::fill_n(sums, static_cast<std::size_t>(groups) * kLanes, 0.0f);
    std::size_t view = 0;
    for (; view + 1 < count; view += 2) {
        const float* ca = coeff + kCoeffs * view;
        const float* la = padded + view * stride;
        sweepFanViews<true>(k, ca, la, ca + kCoeffs, la + stride, groups, sums);
    }
    if (view < count) {
        const float* c = coeff + kCoeffs * view;
        const float* line = padded + view * stride;
        sweepFanViews<false>(k, c, line, c, line, groups, sums);
    }
    for (int i = 0; i < nx; ++i) {
        row[i] += weight * sums[i];
    }
}

TOMO_TARGET_AVX2 void backFan2D(const Setup2D& s, const float* maps, std::size_t count,
                                const float* proj, float weight, float* out)
{
    const int width = s.nu + kPadBefore + kPadAfter;
    const std::unique_ptr<float[]> padded = padRows(proj, count, s.nu, width);
#pragma omp parallel
    {
        std::vector<float> coeff(kCoeffs * count);
        std::vector<float> storage(static_cast<std::size_t>(s.nx) + 2 * kLanes);
        float* sums = alignTo32(storage.data());
#pragma omp for schedule(static)
        for (int j = 0; j < s.ny; ++j) {
            const float y = s.originY + static_cast<float>(j) * s.spacingY;
            for (std::size_t view = 0; view < count; ++view) {
                const float* p = maps + 6 * view;
                float* c = coeff.data() + kCoeffs * view;
                c[0] = p[0] * s.originX + p[1] * y + p[2];
                c[1] = p[0] * s.spacingX;
                c[2] = p[3] * s.originX + p[4] * y + p[5];
                c[3] = p[3] * s.spacingX;
                c[4] = p[5];
            }
            addFanRow(s, coeff.data(), count, padded.get(), width, weight, sums,
                      out + static_cast<std::size_t>(j) * static_cast<std::size_t>(s.nx));
        }
    }
}
#endif
} // namespace

bool voxelBack2DAvx2(const Setup2D& s, const float* maps, std::size_t count, const float* proj,
                     float weight, float* out)
{
#if TOMO_HAVE_AVX2_PATH
    if (!useAvx2() || s.radius > 0.0f) {
        return false;
    }
    if (s.parallel) {
        backParallel2D(s, maps, count, proj, weight, out);
    } else {
        backFan2D(s, maps, count, proj, weight, out);
    }
    return true;
#else
    (void)s;
    (void)maps;
    (void)count;
    (void)proj;
    (void)weight;
    (void)out;
    return false;
#endif
}
} // namespace tomo::detail
