// The AVX2 + FMA version of the voxel-driven 3D backprojection (VoxelDrivenCpuProjector::back3D
// in voxel_cpu.cpp). One grid row (fixed y and z) at a time: for each view the projection
// matrix's three rows are affine in x along the row, so numerators and depth are one FMA per
// voxel from the row's start, and eight voxels are projected, tested and sampled bilinearly
// together. The row's sums stay in a small buffer across the batch's views and are added to the
// volume once. Pixels outside the detector count as zero, as in tomo_project_point and
// TOMO_BILINEAR_SAMPLE.
#include "project/voxel3d_avx2.h"

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

/// Loads the pixel pairs (image[index], image[index + 1]) of eight lanes: two 64-bit gathers
/// instead of two 32-bit ones, then de-interleaved into the left and right pixels.
TOMO_TARGET_AVX2 inline void gatherPairs(const float* image, __m256i index, __m256& left,
                                         __m256& right)
{
    const auto* base = reinterpret_cast<const long long*>(image); // NOLINT: 8-byte pairs
    const __m256 low =
        _mm256_castsi256_ps(_mm256_i32gather_epi64(base, _mm256_castsi256_si128(index), 4));
    const __m256 high =
        _mm256_castsi256_ps(_mm256_i32gather_epi64(base, _mm256_extracti128_si256(index, 1), 4));
    // low = l0 r0 l1 r1 | l2 r2 l3 r3, high = l4 r4 l5 r5 | l6 r6 l7 r7.
    const __m256 evens = _mm256_shuffle_ps(low, high, _MM_SHUFFLE(2, 0, 2, 0));
    const __m256 odds = _mm256_shuffle_ps(low, high, _MM_SHUFFLE(3, 1, 3, 1));
    // evens = l0 l1 l4 l5 | l2 l3 l6 l7: swap the middle 64-bit blocks.
    left = _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(evens), 0xD8));
    right = _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(odds), 0xD8));
}

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
    alignas(32) float coeff[kMaxChunk][6];
    const std::size_t chunk = std::min(last - first, kMaxChunk);
    for (std::size_t c = 0; c < chunk; ++c) {
        const float* P = matrices + 12 * (first + c);
        for (int r = 0; r < 3; ++r) {
            coeff[c][r] =
                P[4 * r] * s.origin[0] + P[4 * r + 1] * y + P[4 * r + 2] * z + P[4 * r + 3];
            coeff[c][3 + r] = P[4 * r] * s.spacing[0];
        }
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
            const __m256 sample =
                _mm256_fmadd_ps(_mm256_sub_ps(one, wv), row0, _mm256_mul_ps(wv, row1));
            sum = _mm256_add_ps(sum, _mm256_and_ps(valid, sample));
        }
        alignas(32) float sums[kLanes];
        _mm256_store_ps(sums, sum);
        for (int lane = 0; lane < kLanes && i + lane < nx; ++lane) {
            row[i + lane] += weight * sums[lane];
        }
    }
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
} // namespace tomo::detail
