// The AVX2 + FMA version of the 2D voxel-driven backprojection (VoxelDrivenCpuProjector in
// voxel_cpu.cpp) for parallel and flat fan beams: one grid row at a time, eight voxels
// together, every view of the batch summed in registers. Along a grid row each view's column
// numerator and depth are affine in the voxel index, so a view costs two FMAs (and, for fan
// beams, a division) per eight voxels, and the eight voxels' detector samples come out of one
// 16-float window of the view's row by register permutes (avx2_window.h) instead of gathers.
#include "project/voxel2d_avx2.h"

#include "project/avx2_window.h"
#include "project/simd.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
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
// Eight lanes read their left column out of the 16-float window from `low` and their right
// column out of the window from low + 1: every lane's column must lie in low .. low + 15, a
// spread of at most 15 (14 when the lowest lane is not known, see below).
constexpr int kMaxSpread = 14;
// Border of zeros around each stored row: column u at u + kPadBefore, so that a window that
// starts up to 14 columns before column -1 (the parallel path's guess of the lowest lane) or
// ends 16 after column nu stays inside the row and reads zeros off the detector.
constexpr int kPadBefore = 15;
constexpr int kPadAfter = 18;
// The per-view coefficients of one grid row (floats): numerator and depth at the row's first
// voxel and their change per voxel, the isocentre's depth P5, and for parallel beams the offset
// from lane 0's column to the window's start (0 or -14, or NaN where the window cannot hold the
// spread of eight voxels and the gathers run).
constexpr std::size_t kCoeffs = 7;
// c[6]: which window a parallel-beam view's eight voxels read (else gathers).
constexpr float kWindow8 = 1.0f;
constexpr float kWindow16 = 2.0f;

/// The bilinear samples of eight lanes at padded column `index` + frac from one view's row.
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

/// The same from an 8-float window when every lane's column lies in low .. low + 7 (a spread
/// of at most 7): one permute per sample, no blends.
TOMO_TARGET_AVX2 inline __m256 sampleWindow8(const float* line, int low, __m256i index, __m256 frac)
{
    const __m256i rel = _mm256_sub_epi32(index, _mm256_set1_epi32(low));
    const __m256 left = _mm256_permutevar8x32_ps(_mm256_loadu_ps(line + low), rel);
    const __m256 right = _mm256_permutevar8x32_ps(_mm256_loadu_ps(line + low + 1), rel);
    return _mm256_fmadd_ps(frac, _mm256_sub_ps(right, left), left);
}

TOMO_TARGET_AVX2 inline __m256 sampleGather(const float* line, __m256i index, __m256 frac)
{
    const __m256 left = _mm256_i32gather_ps(line, index, 4);
    const __m256 right =
        _mm256_i32gather_ps(line, _mm256_add_epi32(index, _mm256_set1_epi32(1)), 4);
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

/// Fractional detector columns f of eight lanes split into the padded column of their left
/// sample and the weight of the right one. Lanes outside -1 < f < nu (NaN included: max
/// returns its second operand) are clamped into the zero border; the caller masks them.
struct Columns
{
    __m256i index;
    __m256 frac;
};

TOMO_TARGET_AVX2 inline Columns splitColumns(const Lanes& k, __m256 f)
{
    f = _mm256_min_ps(_mm256_max_ps(f, k.minusOne), k.nu);
    const __m256 fl = _mm256_floor_ps(f);
    return {_mm256_add_epi32(_mm256_cvttps_epi32(fl), k.pad), _mm256_sub_ps(f, fl)};
}

/// One view's contribution to the eight voxels at fractional grid indices `fi` of the row.
template <bool Parallel>
TOMO_TARGET_AVX2 inline __m256 contribution(const Lanes& k, __m256 fi, const float* c,
                                            const float* line)
{
    __m256 f = _mm256_fmadd_ps(fi, _mm256_set1_ps(c[1]), _mm256_set1_ps(c[0]));
    if constexpr (Parallel) {
        const __m256 valid = _mm256_and_ps(_mm256_cmp_ps(f, k.minusOne, _CMP_GT_OQ),
                                           _mm256_cmp_ps(f, k.nu, _CMP_LT_OQ));
        if (_mm256_movemask_ps(valid) == 0) {
            return k.zero;
        }
        const Columns col = splitColumns(k, f);
        // Along the row f changes by c[1] per voxel: lane 0 holds the lowest column where
        // c[1] >= 0, the highest (within 14) where it is negative.
        __m256 sample;
        if (c[6] == kWindow8) {
            sample = sampleWindow8(line, _mm256_cvtsi256_si32(col.index) + static_cast<int>(c[5]),
                                   col.index, col.frac);
        } else if (c[6] == kWindow16) {
            sample = sampleWindow(line, _mm256_cvtsi256_si32(col.index) + static_cast<int>(c[5]),
                                  col.index, col.frac);
        } else {
            sample = sampleGather(line, col.index, col.frac);
        }
        return _mm256_and_ps(valid, sample);
    } else {
        const __m256 w = _mm256_fmadd_ps(fi, _mm256_set1_ps(c[3]), _mm256_set1_ps(c[2]));
        const __m256 inFront = _mm256_cmp_ps(w, k.zero, _CMP_GT_OQ);
        const __m256 inv = _mm256_div_ps(k.one, w);
        f = _mm256_mul_ps(f, inv);
        const __m256 valid =
            _mm256_and_ps(inFront, _mm256_and_ps(_mm256_cmp_ps(f, k.minusOne, _CMP_GT_OQ),
                                                 _mm256_cmp_ps(f, k.nu, _CMP_LT_OQ)));
        if (_mm256_movemask_ps(valid) == 0) {
            return k.zero;
        }
        const Columns col = splitColumns(k, f);
        // f is monotonic along the row where every lane is in front of the source, and then
        // the end lanes bound the others.
        const int first = _mm256_cvtsi256_si32(col.index);
        const int last = _mm256_extract_epi32(col.index, kLanes - 1);
        const __m256 sample =
            _mm256_movemask_ps(inFront) == 0xFF && std::abs(last - first) <= kMaxSpread
                ? sampleWindow(line, std::min(first, last), col.index, col.frac)
                : sampleGather(line, col.index, col.frac);
        const __m256 distance = _mm256_mul_ps(_mm256_set1_ps(c[4]), inv);
        return _mm256_and_ps(valid, _mm256_mul_ps(sample, _mm256_mul_ps(distance, distance)));
    }
}

/// Adds the batch's views to one grid row (`coeff`: kCoeffs floats per view), sixteen voxels
/// at a time in two independent groups of eight.
template <bool Parallel>
TOMO_TARGET_AVX2 void addRow2D(const Setup2D& s, const float* coeff, std::size_t count,
                               const float* padded, int width, float weight, float* row)
{
    const Lanes k{_mm256_set1_ps(-1.0f), _mm256_set1_ps(1.0f), _mm256_setzero_ps(),
                  _mm256_set1_ps(static_cast<float>(s.nu)), _mm256_set1_epi32(kPadBefore)};
    const __m256 laneIndex = _mm256_setr_ps(0, 1, 2, 3, 4, 5, 6, 7);
    const __m256 eight = _mm256_set1_ps(static_cast<float>(kLanes));
    const int nx = s.nx;
    for (int i = 0; i < nx; i += 2 * kLanes) {
        const __m256 fi0 = _mm256_add_ps(_mm256_set1_ps(static_cast<float>(i)), laneIndex);
        const __m256 fi1 = _mm256_add_ps(fi0, eight);
        __m256 sum0 = k.zero;
        __m256 sum1 = k.zero;
        for (std::size_t view = 0; view < count; ++view) {
            const float* c = coeff + kCoeffs * view;
            const float* line = padded + view * static_cast<std::size_t>(width);
            sum0 = _mm256_add_ps(sum0, contribution<Parallel>(k, fi0, c, line));
            sum1 = _mm256_add_ps(sum1, contribution<Parallel>(k, fi1, c, line));
        }
        alignas(32) float sums[2 * kLanes];
        _mm256_store_ps(sums, sum0);
        _mm256_store_ps(sums + kLanes, sum1);
        for (int lane = 0; lane < 2 * kLanes && i + lane < nx; ++lane) {
            row[i + lane] += weight * sums[lane];
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
    // The rows with a zero border: column u at u + 1, zeros before and after, so that a window
    // of 16 from any clamped column stays inside and reads zeros off the detector.
    const int width = s.nu + kPadBefore + kPadAfter;
    std::vector<float> padded(static_cast<std::size_t>(width) * count, 0.0f);
    for (std::size_t view = 0; view < count; ++view) {
        std::copy_n(proj + view * static_cast<std::size_t>(s.nu), s.nu,
                    padded.begin() + static_cast<std::ptrdiff_t>(
                                         view * static_cast<std::size_t>(width) + kPadBefore));
    }
#pragma omp parallel
    {
        std::vector<float> coeff(kCoeffs * count);
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
                // Eight voxels span |c[1]|·7 columns, their floors one more: within 7 the
                // 8-float window holds them, within 14 the 16-float one.
                const float spread = std::abs(c[1]) * (kLanes - 1) + 1.0f;
                c[6] = spread <= kLanes - 1 ? kWindow8 : (spread <= kMaxSpread ? kWindow16 : 0.0f);
                c[5] = c[1] >= 0.0f ? 0.0f : -(c[6] == kWindow8 ? kLanes - 1.0f : kMaxSpread);
            }
            float* row = out + static_cast<std::size_t>(j) * static_cast<std::size_t>(s.nx);
            if (s.parallel) {
                addRow2D<true>(s, coeff.data(), count, padded.data(), width, weight, row);
            } else {
                addRow2D<false>(s, coeff.data(), count, padded.data(), width, weight, row);
            }
        }
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
