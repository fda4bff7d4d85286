#pragma once

// Reading eight lanes' values out of a 16-float window of consecutive floats with register
// permutes instead of gathers (joseph3d_columns_avx2.cpp, voxel3d_avx2.cpp): the lanes of those
// paths sample neighbouring positions of one column of memory, and an 8-wide gather costs about
// 8 cycles on the Zen 3 cores this was measured on (bench/simd_bench.cpp); and, where the lanes
// lie too far apart for one window, gathers of neighbouring pairs. Also the linear samples of
// eight lanes from one line of floats, in whichever of those reaches them.
#include "project/simd.h"

#if TOMO_HAVE_AVX2_PATH
#include <cstdint>
#include <immintrin.h>

namespace tomo::detail
{
/// The first 32-byte aligned float at or after `p` (in a buffer with 7 floats to spare): the
/// loops' buffers of sums are read and written with aligned 8-float accesses.
inline float* alignTo32(float* p)
{
    const auto address = reinterpret_cast<std::uintptr_t>(p); // NOLINT: alignment arithmetic
    const std::uintptr_t skip = ((32 - address % 32) % 32) / sizeof(float);
    return p + skip;
}

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

/// Lane p holds the low 32 bits of `word` shifted right by 4·p: its nibble p, with the higher
/// nibbles above it.
TOMO_TARGET_AVX2 inline __m256i nibblesToLanes(__m128i word)
{
    return _mm256_srlv_epi32(_mm256_broadcastd_epi32(word),
                             _mm256_setr_epi32(0, 4, 8, 12, 16, 20, 24, 28));
}

/// Lane i holds x_0 + ... + x_i.
TOMO_TARGET_AVX2 inline __m256 prefixSum(__m256 x)
{
    x = _mm256_add_ps(x, _mm256_castsi256_ps(_mm256_slli_si256(_mm256_castps_si256(x), 4)));
    x = _mm256_add_ps(x, _mm256_castsi256_ps(_mm256_slli_si256(_mm256_castps_si256(x), 8)));
    const __m256 lowTotal = _mm256_permute_ps(x, _MM_SHUFFLE(3, 3, 3, 3));
    return _mm256_add_ps(x, _mm256_permute2f128_ps(lowTotal, lowTotal, 0x08));
}

/// The transpose of two pickFromWindow calls at rel and rel + 1: the sixteen floats of a window
/// (low = 0..7, high = 8..15) that receive each lane's `lower` at index rel and its `upper` at
/// rel + 1, lanes that meet at one index summed. The lanes' rel must be monotone across them
/// (rising when `rising`, else falling), the lowest 0 and the highest at most 14. Lanes one
/// index apart take a shortcut (one permute).
///
/// In lane order of rising rel, with c(p) the number of lanes at or below index p, the window
/// is X(p) - X(p - 1), X(p) = Σ_{i < c(p)} lower_i + Σ_{i < c(p - 1)} upper_i: two prefix sums
/// over the lanes read at c. The sixteen counts c(p) are the nibbles of one 64-bit sum (lane i
/// adds 1 to every nibble from rel_i on; c <= 8 fits). About 50 instructions, against about 130
/// for adding each lane's two values into the window one lane at a time.
TOMO_TARGET_AVX2 inline void splatIntoWindow(__m256i rel, __m256 lower, __m256 upper, bool rising,
                                             __m256& windowLow, __m256& windowHigh)
{
    const __m256i rotate = _mm256_setr_epi32(7, 0, 1, 2, 3, 4, 5, 6);
    const __m256i lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    const __m256i reverse = _mm256_setr_epi32(7, 6, 5, 4, 3, 2, 1, 0);
    if (!rising) {
        lower = _mm256_permutevar8x32_ps(lower, reverse);
        upper = _mm256_permutevar8x32_ps(upper, reverse);
    }
    // c(-1) = 0 reads entry 0, the sum over all lanes: masked.
    const __m256 notFirst = _mm256_castsi256_ps(_mm256_setr_epi32(0, -1, -1, -1, -1, -1, -1, -1));
    // Rows one voxel apart, the common case: lane i (in rising order) at i, so lower fills
    // indices 0..7 and upper 1..8, without counts.
    const __m256i unit = _mm256_cmpeq_epi32(rel, rising ? lanes : reverse);
    if (_mm256_movemask_ps(_mm256_castsi256_ps(unit)) == 0xff) {
        const __m256 moved = _mm256_permutevar8x32_ps(upper, rotate); // lane 0: upper_7
        windowLow = _mm256_add_ps(lower, _mm256_and_ps(notFirst, moved));
        windowHigh = _mm256_andnot_ps(notFirst, moved);
        return;
    }
    // The counts, in the same order whichever way the lanes run.
    const __m256i shifts = _mm256_slli_epi32(rel, 2);
    const __m256i ones = _mm256_set1_epi64x(0x1111111111111111LL);
    const __m256i byLane = _mm256_add_epi64(
        _mm256_sllv_epi64(ones, _mm256_cvtepu32_epi64(_mm256_castsi256_si128(shifts))),
        _mm256_sllv_epi64(ones, _mm256_cvtepu32_epi64(_mm256_extracti128_si256(shifts, 1))));
    const __m128i pairs =
        _mm_add_epi64(_mm256_castsi256_si128(byLane), _mm256_extracti128_si256(byLane, 1));
    const __m128i counts = _mm_add_epi64(pairs, _mm_unpackhi_epi64(pairs, pairs)); // c(p)
    const __m128i countsBefore = _mm_slli_epi64(counts, 4);                        // c(p - 1)
    const __m256i cLow = nibblesToLanes(counts);
    const __m256i cHigh = nibblesToLanes(_mm_srli_epi64(counts, 32));
    const __m256i beforeLow = nibblesToLanes(countsBefore);
    const __m256i beforeHigh = nibblesToLanes(_mm_srli_epi64(countsBefore, 32));
    // Inclusive prefix sums over the lanes, rotated by one: a permute reads the low three bits
    // of its index, so entry c & 7 must hold the sum over the first c lanes (c = 1..8). The
    // higher nibbles left in the indices are ignored the same way.
    const __m256 sumLower = _mm256_permutevar8x32_ps(prefixSum(lower), rotate);
    const __m256 sumUpper = _mm256_permutevar8x32_ps(prefixSum(upper), rotate);
    const __m256 xLow =
        _mm256_add_ps(_mm256_permutevar8x32_ps(sumLower, cLow),
                      _mm256_and_ps(notFirst, _mm256_permutevar8x32_ps(sumUpper, beforeLow)));
    const __m256 xHigh = _mm256_add_ps(_mm256_permutevar8x32_ps(sumLower, cHigh),
                                       _mm256_permutevar8x32_ps(sumUpper, beforeHigh));
    // X(p - 1): both halves moved up by one, X(7) carried into the high half, X(-1) = 0.
    const __m256 movedLow = _mm256_permutevar8x32_ps(xLow, rotate);
    const __m256 movedHigh = _mm256_permutevar8x32_ps(xHigh, rotate);
    windowLow = _mm256_sub_ps(xLow, _mm256_and_ps(notFirst, movedLow));
    windowHigh = _mm256_sub_ps(xHigh, _mm256_blend_ps(movedHigh, movedLow, 0x01));
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

/// The linear interpolation of `line` at indices f of eight lanes, where lane 0 holds the lowest
/// index (the windows start there), the lanes lie within the reach R and every index is
/// non-negative with 17 floats of the line beyond it.
template <Reach R>
TOMO_TARGET_AVX2 inline __m256 sampleLowestFirstInside(const float* line, __m256 f)
{
    // Truncation is the floor of non-negative indices.
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

/// The same with the indices clamped into [low, high] (low >= 0) first: the line must hold 17
/// floats beyond `high`.
template <Reach R>
TOMO_TARGET_AVX2 inline __m256 sampleLowestFirst(const float* line, __m256 f, __m256 low,
                                                 __m256 high)
{
    return sampleLowestFirstInside<R>(line, _mm256_min_ps(_mm256_max_ps(f, low), high));
}
} // namespace tomo::detail
#endif
