#pragma once

// Reading eight lanes' values out of a 16-float window of consecutive floats with register
// permutes instead of gathers (joseph3d_columns_avx2.cpp, voxel3d_avx2.cpp): the lanes of those
// paths sample neighbouring positions of one column of memory, and an 8-wide gather costs about
// 8 cycles on the Zen 3 cores this was measured on (bench/simd_bench.cpp); and, where the lanes
// lie too far apart for one window, gathers of neighbouring pairs. Also the linear samples of
// eight lanes from one line of floats, in whichever of those reaches them.
#include "project/simd.h"

#if TOMO_HAVE_AVX2_PATH
#include <immintrin.h>

namespace tomo::detail
{
/// The value at index rel (0..15) of the window (lo = floats 0..7, hi = 8..15), lane by lane;
/// `upper` is rel > 7 as a mask.
TOMO_TARGET_AVX2 inline __m256 pickFromWindow(__m256 lo, __m256 hi, __m256i rel, __m256 upper)
{
    return _mm256_blendv_ps(_mm256_permutevar8x32_ps(lo, rel), _mm256_permutevar8x32_ps(hi, rel),
                            upper);
}

/// The same, computing rel > 7.
TOMO_TARGET_AVX2 inline __m256 pickFromWindow(__m256 lo, __m256 hi, __m256i rel)
{
    return pickFromWindow(lo, hi, rel,
                          _mm256_castsi256_ps(_mm256_cmpgt_epi32(rel, _mm256_set1_epi32(7))));
}

/// Loads the pairs (base[index], base[index + 1]) of eight lanes: two 64-bit gathers instead of
/// two 32-bit ones (bench/simd_bench.cpp: 22 cycles for four against 33 for four 8-wide gathers
/// of single floats), then de-interleaved into the first and second of each pair.
TOMO_TARGET_AVX2 inline void gatherPairs(const float* base, __m256i index, __m256& first,
                                         __m256& second)
{
    const auto* pairs = reinterpret_cast<const long long*>(base); // NOLINT: 8-byte pairs
    const __m256 low =
        _mm256_castsi256_ps(_mm256_i32gather_epi64(pairs, _mm256_castsi256_si128(index), 4));
    const __m256 high =
        _mm256_castsi256_ps(_mm256_i32gather_epi64(pairs, _mm256_extracti128_si256(index, 1), 4));
    // low = f0 s0 f1 s1 | f2 s2 f3 s3, high = f4 s4 f5 s5 | f6 s6 f7 s7.
    const __m256 evens = _mm256_shuffle_ps(low, high, _MM_SHUFFLE(2, 0, 2, 0));
    const __m256 odds = _mm256_shuffle_ps(low, high, _MM_SHUFFLE(3, 1, 3, 1));
    // evens = f0 f1 f4 f5 | f2 f3 f6 f7: swap the middle 64-bit blocks.
    first = _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(evens), 0xD8));
    second = _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(odds), 0xD8));
}

/// Where eight lanes find the linear samples of one line of floats (the voxel-driven paths of
/// voxel2d_avx2.cpp and voxel3d_avx2.cpp): one 8-float window (one permute per sample), one
/// 16-float window (two permutes and a blend), or gathers of pairs.
enum class Reach : int
{
    Window8,
    Window16,
    Gather
};
inline constexpr int kReaches = 3;

/// The reach of eight lanes at indices f0 + k·slope, k < 8: their floors spread over at most
/// ⌈7·|slope|⌉, plus a margin for the rounding of the indices (a few float ulps of indices below
/// 2^14: a margin, not a measured error).
inline Reach reachOf(float slope)
{
    constexpr float kSpreadMargin = 1e-2f;
    const float spread = (slope < 0.0f ? -slope : slope) * 7.0f + kSpreadMargin;
    return spread <= 7.0f ? Reach::Window8 : (spread <= 15.0f ? Reach::Window16 : Reach::Gather);
}

/// The linear interpolation of `line` at indices f of eight lanes, clamped into [low, high]
/// (low >= 0), where lane 0 holds the lowest index (the windows start there) and the lanes lie
/// within the reach R. The line must hold 17 floats beyond the highest clamped index.
template <Reach R>
TOMO_TARGET_AVX2 inline __m256 sampleLowestFirst(const float* line, __m256 f, __m256 low,
                                                 __m256 high)
{
    // The clamped indices are non-negative, where truncation is the floor.
    f = _mm256_min_ps(_mm256_max_ps(f, low), high);
    const __m256i index = _mm256_cvttps_epi32(f);
    const __m256 frac = _mm256_sub_ps(f, _mm256_cvtepi32_ps(index));
    __m256 here;
    __m256 next;
    if constexpr (R == Reach::Gather) {
        gatherPairs(line, index, here, next);
    } else {
        const int first = _mm256_cvtsi256_si32(index);
        const __m256i rel =
            _mm256_sub_epi32(index, _mm256_broadcastd_epi32(_mm256_castsi256_si128(index)));
        if constexpr (R == Reach::Window8) {
            here = _mm256_permutevar8x32_ps(_mm256_loadu_ps(line + first), rel);
            next = _mm256_permutevar8x32_ps(_mm256_loadu_ps(line + first + 1), rel);
        } else {
            const __m256 upper = _mm256_castsi256_ps(_mm256_cmpgt_epi32(rel, _mm256_set1_epi32(7)));
            here = pickFromWindow(_mm256_loadu_ps(line + first), _mm256_loadu_ps(line + first + 8),
                                  rel, upper);
            next = pickFromWindow(_mm256_loadu_ps(line + first + 1),
                                  _mm256_loadu_ps(line + first + 9), rel, upper);
        }
    }
    return _mm256_fmadd_ps(frac, _mm256_sub_ps(next, here), here);
}
} // namespace tomo::detail
#endif
