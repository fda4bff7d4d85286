#pragma once

// Reading eight lanes' values out of a 16-float window of consecutive floats with register
// permutes instead of gathers (joseph3d_columns_avx2.cpp, voxel3d_avx2.cpp): the lanes of those
// paths sample neighbouring positions of one column of memory, and an 8-wide gather costs about
// 8 cycles on the Zen 3 cores this was measured on (bench/simd_bench.cpp).
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
} // namespace tomo::detail
#endif
