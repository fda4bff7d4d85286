// The AVX2 + FMA version of the 3D Joseph forward projection (josephForward3D in
// joseph3d_cpu.cpp): eight neighbouring rays of one detector row walk their dominant axis
// together, one slice per step, each sample's four voxels fetched with masked gathers. The rays'
// setup (tomo_ray_3d, tomo_joseph_line_3d) and the sample test are the scalar walk's own
// (joseph3d_walk.h), so the eight lanes apply the same samples and coefficients as the scalar
// walk and as the transpose, up to float rounding. A group whose rays do not share a dominant
// axis is walked one ray at a time.
#include "project/joseph3d_avx2.h"

#include "project/joseph3d_walk.h"
#include "project/simd.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>

#if TOMO_HAVE_AVX2_PATH
#include <immintrin.h>
#endif

namespace tomo::detail
{
namespace
{
constexpr int kLanes = 8;

/// Eight rays of one group, set up for the vector walk.
struct alignas(32) Lanes
{
    float f1[kLanes]; ///< fractional index across the axis at k = 0 (first across axis)
    float d1[kLanes]; ///< its change per slice
    float f2[kLanes]; ///< the same for the second across axis
    float d2[kLanes];
    float t0[kLanes];   ///< ray parameter at k = 0, mm
    float dt[kLanes];   ///< its change per slice
    int kBegin[kLanes]; ///< the lane's slice range; empty for lanes past the detector edge
    int kEnd[kLanes];
};

/// Fixed sizes of one walk: strides of the dominant and across axes, and the across axes' sizes.
struct Strides
{
    int alongAxis, across1, across2; ///< strides, in floats
    int n1, n2;
    bool parallel;
};

#if TOMO_HAVE_AVX2_PATH
TOMO_TARGET_AVX2 void walkLanes(const Lanes& lanes, int kFirst, int kLast, const float* volume,
                                const Strides& st, float* sums)
{
    const __m256 f1At0 = _mm256_load_ps(lanes.f1);
    const __m256 d1 = _mm256_load_ps(lanes.d1);
    const __m256 f2At0 = _mm256_load_ps(lanes.f2);
    const __m256 d2 = _mm256_load_ps(lanes.d2);
    const __m256 t0 = _mm256_load_ps(lanes.t0);
    const __m256 dt = _mm256_load_ps(lanes.dt);
    const __m256i kBegin = _mm256_load_si256(reinterpret_cast<const __m256i*>(lanes.kBegin));
    const __m256i kEnd = _mm256_load_si256(reinterpret_cast<const __m256i*>(lanes.kEnd));
    const __m256 minusOne = _mm256_set1_ps(-1.0f);
    const __m256 one = _mm256_set1_ps(1.0f);
    const __m256 zero = _mm256_setzero_ps();
    const __m256 n1 = _mm256_set1_ps(static_cast<float>(st.n1));
    const __m256 n2 = _mm256_set1_ps(static_cast<float>(st.n2));
    const __m256i minusOneI = _mm256_set1_epi32(-1);
    const __m256i lastIndex1 = _mm256_set1_epi32(st.n1 - 1);
    const __m256i lastIndex2 = _mm256_set1_epi32(st.n2 - 1);
    const __m256i stride1 = _mm256_set1_epi32(st.across1);
    const __m256i stride2 = _mm256_set1_epi32(st.across2);
    __m256 sum = _mm256_setzero_ps();
    for (int k = kFirst; k < kLast; ++k) {
        const __m256 kf = _mm256_set1_ps(static_cast<float>(k));
        const __m256i ki = _mm256_set1_epi32(k);
        __m256 f1 = _mm256_fmadd_ps(kf, d1, f1At0);
        __m256 f2 = _mm256_fmadd_ps(kf, d2, f2At0);
        // tomo_joseph_sample_3d's test, lane by lane, and the lane's own slice range.
        __m256 valid = _mm256_and_ps(_mm256_cmp_ps(f1, minusOne, _CMP_GT_OQ),
                                     _mm256_cmp_ps(f1, n1, _CMP_LT_OQ));
        valid = _mm256_and_ps(valid, _mm256_cmp_ps(f2, minusOne, _CMP_GT_OQ));
        valid = _mm256_and_ps(valid, _mm256_cmp_ps(f2, n2, _CMP_LT_OQ));
        if (!st.parallel) {
            valid =
                _mm256_and_ps(valid, _mm256_cmp_ps(_mm256_fmadd_ps(kf, dt, t0), zero, _CMP_GT_OQ));
        }
        const __m256i inRange =
            _mm256_and_si256(_mm256_cmpgt_epi32(ki, _mm256_add_epi32(kBegin, minusOneI)),
                             _mm256_cmpgt_epi32(kEnd, ki));
        valid = _mm256_and_ps(valid, _mm256_castsi256_ps(inRange));
        if (_mm256_movemask_ps(valid) == 0) {
            continue;
        }
        // Invalid lanes are clamped into range so the integer conversions stay defined; their
        // gathers are masked off.
        f1 = _mm256_min_ps(_mm256_max_ps(f1, minusOne), n1);
        f2 = _mm256_min_ps(_mm256_max_ps(f2, minusOne), n2);
        const __m256 fl1 = _mm256_floor_ps(f1);
        const __m256 fl2 = _mm256_floor_ps(f2);
        const __m256 w1 = _mm256_sub_ps(f1, fl1);
        const __m256 w2 = _mm256_sub_ps(f2, fl2);
        const __m256i l1 = _mm256_cvttps_epi32(fl1);
        const __m256i l2 = _mm256_cvttps_epi32(fl2);
        const __m256 low1 = _mm256_castsi256_ps(_mm256_cmpgt_epi32(l1, minusOneI));
        const __m256 high1 = _mm256_castsi256_ps(_mm256_cmpgt_epi32(lastIndex1, l1));
        const __m256 low2 =
            _mm256_and_ps(valid, _mm256_castsi256_ps(_mm256_cmpgt_epi32(l2, minusOneI)));
        const __m256 high2 =
            _mm256_and_ps(valid, _mm256_castsi256_ps(_mm256_cmpgt_epi32(lastIndex2, l2)));
        const __m256i base = _mm256_add_epi32(
            _mm256_set1_epi32(k * st.alongAxis),
            _mm256_add_epi32(_mm256_mullo_epi32(l1, stride1), _mm256_mullo_epi32(l2, stride2)));
        const __m256i base2 = _mm256_add_epi32(base, stride2);
        const __m256 g00 =
            _mm256_mask_i32gather_ps(zero, volume, base, _mm256_and_ps(low1, low2), 4);
        const __m256 g10 = _mm256_mask_i32gather_ps(zero, volume, _mm256_add_epi32(base, stride1),
                                                    _mm256_and_ps(high1, low2), 4);
        const __m256 g01 =
            _mm256_mask_i32gather_ps(zero, volume, base2, _mm256_and_ps(low1, high2), 4);
        const __m256 g11 = _mm256_mask_i32gather_ps(zero, volume, _mm256_add_epi32(base2, stride1),
                                                    _mm256_and_ps(high1, high2), 4);
        const __m256 u1 = _mm256_sub_ps(one, w1);
        const __m256 row0 = _mm256_fmadd_ps(u1, g00, _mm256_mul_ps(w1, g10));
        const __m256 row1 = _mm256_fmadd_ps(u1, g01, _mm256_mul_ps(w1, g11));
        sum = _mm256_fmadd_ps(_mm256_sub_ps(one, w2), row0, sum);
        sum = _mm256_fmadd_ps(w2, row1, sum);
    }
    _mm256_storeu_ps(sums, sum);
}
#endif
} // namespace

bool josephForward3DAvx2(const Setup3D& s, const std::vector<float>& params, std::size_t count,
                         const float* volume, float* proj)
{
#if TOMO_HAVE_AVX2_PATH
    const std::ptrdiff_t voxels = static_cast<std::ptrdiff_t>(s.n[0]) * s.n[1] * s.n[2];
    if (!useAvx2() || voxels >= std::numeric_limits<std::int32_t>::max()) {
        return false; // 32-bit gather indices
    }
    const Walk3D walk(s, params);
    const int groupsPerRow = (s.nu + kLanes - 1) / kLanes;
    const auto groups = static_cast<std::ptrdiff_t>(count) * s.nv * groupsPerRow;
#pragma omp parallel for schedule(dynamic, 32)
    for (std::ptrdiff_t group = 0; group < groups; ++group) {
        const auto firstColumn = static_cast<int>(group % groupsPerRow) * kLanes;
        const std::ptrdiff_t firstRay = (group / groupsPerRow) * s.nu + firstColumn;
        const int active = std::min(kLanes, s.nu - firstColumn);
        Walk3D::Ray rays[kLanes];
        Lanes lanes{};
        bool sameAxis = true;
        int kFirst = s.n[0] + s.n[1] + s.n[2];
        int kLast = 0;
        for (int lane = 0; lane < active; ++lane) {
            rays[lane] = walk.ray(firstRay + lane);
            const Walk3D::Ray& r = rays[lane];
            sameAxis = sameAxis && r.axis == rays[0].axis;
            float line[6];
            tomo_joseph_line_3d(r.o, r.r, r.axis, s.n, s.origin, s.spacing, s.parallel, line,
                                &lanes.kBegin[lane], &lanes.kEnd[lane]);
            lanes.f1[lane] = line[0];
            lanes.d1[lane] = line[1];
            lanes.f2[lane] = line[2];
            lanes.d2[lane] = line[3];
            lanes.t0[lane] = line[4];
            lanes.dt[lane] = line[5];
            if (lanes.kBegin[lane] < lanes.kEnd[lane]) {
                kFirst = std::min(kFirst, lanes.kBegin[lane]);
                kLast = std::max(kLast, lanes.kEnd[lane]);
            }
        }
        if (!sameAxis) {
            for (int lane = 0; lane < active; ++lane) {
                float sum = 0.0f;
                walk.walk(rays[lane],
                          [&](std::ptrdiff_t voxel, float c) { sum += c * volume[voxel]; });
                proj[firstRay + lane] = sum * rays[lane].step;
            }
            continue;
        }
        const int axis = rays[0].axis;
        const int a1 = tomo_across_first(axis);
        const int a2 = tomo_across_second(axis);
        const Strides st{static_cast<int>(walk.stride[axis]),
                         static_cast<int>(walk.stride[a1]),
                         static_cast<int>(walk.stride[a2]),
                         s.n[a1],
                         s.n[a2],
                         s.parallel};
        float sums[kLanes];
        walkLanes(lanes, kFirst, kLast, volume, st, sums);
        for (int lane = 0; lane < active; ++lane) {
            proj[firstRay + lane] = sums[lane] * rays[lane].step;
        }
    }
    return true;
#else
    (void)s;
    (void)params;
    (void)count;
    (void)volume;
    (void)proj;
    return false;
#endif
}
} // namespace tomo::detail
