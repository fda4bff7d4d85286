#pragma once

// Reading eight lanes' values out of a 16-float window of consecutive floats with register
// permutes instead of gathers (joseph3d_columns_avx2.cpp, voxel3d_avx2.cpp): the lanes of those
// paths sample neighbouring positions of one column of memory, and an 8-wide gather costs about
// 8 cycles on the Zen 3 cores this was measured on (bench/simd_bench.cpp); and, where the lanes
// lie too far apart for one window, gathers of neighbouring pairs.
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
} // namespace tomo::detail
#endif
