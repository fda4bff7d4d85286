// The AVX2 + FMA version of the 3D Joseph forward projection (josephForward3D in
// joseph3d_cpu.cpp): eight neighbouring rays of one detector row walk their dominant axis
// together, one slice per step, each sample's four voxels fetched with masked gathers. The rays'
// setup (tomo_ray_3d, tomo_joseph_line_3d) and the sample test are the scalar walk's own
// (joseph3d_walk.h), so the eight lanes apply the same samples and coefficients as the scalar
// walk and as the transpose, up to float rounding. A group whose rays do not share a dominant
// axis is walked one ray at a time.
#include "project/joseph3d_avx2.h"

#include "project/joseph3d_walk.h"
#include "project/ray_scatter.h"
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
/// The lanes' walk constants in registers.
struct LaneConstants
{
    __m256 f1At0, d1, f2At0, d2, t0, dt;
    __m256i kBegin, kEnd;
    __m256 n1, n2;
    __m256i lastIndex1, lastIndex2, stride1, stride2;
    int alongStride;
    bool parallel;
};

/// One Joseph sample of eight lanes: the index of each lane's first voxel, the four bilinear
/// coefficients, and which of the four voxels exist (masks, all zero for a lane whose sample
/// does not count).
struct LaneSample
{
    __m256i base;
    __m256 c00, c10, c01, c11;
    __m256 m00, m10, m01, m11;
};

TOMO_TARGET_AVX2 inline LaneConstants loadConstants(const Lanes& lanes, const Strides& st)
{
    LaneConstants c{};
    c.f1At0 = _mm256_load_ps(lanes.f1);
    c.d1 = _mm256_load_ps(lanes.d1);
    c.f2At0 = _mm256_load_ps(lanes.f2);
    c.d2 = _mm256_load_ps(lanes.d2);
    c.t0 = _mm256_load_ps(lanes.t0);
    c.dt = _mm256_load_ps(lanes.dt);
    c.kBegin = _mm256_load_si256(reinterpret_cast<const __m256i*>(lanes.kBegin));
    c.kEnd = _mm256_load_si256(reinterpret_cast<const __m256i*>(lanes.kEnd));
    c.n1 = _mm256_set1_ps(static_cast<float>(st.n1));
    c.n2 = _mm256_set1_ps(static_cast<float>(st.n2));
    c.lastIndex1 = _mm256_set1_epi32(st.n1 - 1);
    c.lastIndex2 = _mm256_set1_epi32(st.n2 - 1);
    c.stride1 = _mm256_set1_epi32(st.across1);
    c.stride2 = _mm256_set1_epi32(st.across2);
    c.alongStride = st.alongAxis;
    c.parallel = st.parallel;
    return c;
}

/// The lanes' samples in slice k: tomo_joseph_sample_3d's test and Walk3D::walk's coefficients,
/// eight lanes at once. Returns false if no lane's sample counts.
TOMO_TARGET_AVX2 inline bool sampleLanes(const LaneConstants& c, int k, LaneSample& out)
{
    const __m256 minusOne = _mm256_set1_ps(-1.0f);
    const __m256 one = _mm256_set1_ps(1.0f);
    const __m256i minusOneI = _mm256_set1_epi32(-1);
    const __m256 kf = _mm256_set1_ps(static_cast<float>(k));
    const __m256i ki = _mm256_set1_epi32(k);
    __m256 f1 = _mm256_fmadd_ps(kf, c.d1, c.f1At0);
    __m256 f2 = _mm256_fmadd_ps(kf, c.d2, c.f2At0);
    __m256 valid =
        _mm256_and_ps(_mm256_cmp_ps(f1, minusOne, _CMP_GT_OQ), _mm256_cmp_ps(f1, c.n1, _CMP_LT_OQ));
    valid = _mm256_and_ps(valid, _mm256_cmp_ps(f2, minusOne, _CMP_GT_OQ));
    valid = _mm256_and_ps(valid, _mm256_cmp_ps(f2, c.n2, _CMP_LT_OQ));
    if (!c.parallel) {
        valid = _mm256_and_ps(
            valid, _mm256_cmp_ps(_mm256_fmadd_ps(kf, c.dt, c.t0), _mm256_setzero_ps(), _CMP_GT_OQ));
    }
    const __m256i inRange =
        _mm256_and_si256(_mm256_cmpgt_epi32(ki, _mm256_add_epi32(c.kBegin, minusOneI)),
                         _mm256_cmpgt_epi32(c.kEnd, ki));
    valid = _mm256_and_ps(valid, _mm256_castsi256_ps(inRange));
    if (_mm256_movemask_ps(valid) == 0) {
        return false;
    }
    // Invalid lanes are clamped into range so the integer conversions stay defined; their
    // masks are zero.
    f1 = _mm256_min_ps(_mm256_max_ps(f1, minusOne), c.n1);
    f2 = _mm256_min_ps(_mm256_max_ps(f2, minusOne), c.n2);
    const __m256 fl1 = _mm256_floor_ps(f1);
    const __m256 fl2 = _mm256_floor_ps(f2);
    const __m256 w1 = _mm256_sub_ps(f1, fl1);
    const __m256 w2 = _mm256_sub_ps(f2, fl2);
    const __m256i l1 = _mm256_cvttps_epi32(fl1);
    const __m256i l2 = _mm256_cvttps_epi32(fl2);
    const __m256 low1 = _mm256_castsi256_ps(_mm256_cmpgt_epi32(l1, minusOneI));
    const __m256 high1 = _mm256_castsi256_ps(_mm256_cmpgt_epi32(c.lastIndex1, l1));
    const __m256 low2 =
        _mm256_and_ps(valid, _mm256_castsi256_ps(_mm256_cmpgt_epi32(l2, minusOneI)));
    const __m256 high2 =
        _mm256_and_ps(valid, _mm256_castsi256_ps(_mm256_cmpgt_epi32(c.lastIndex2, l2)));
    out.base = _mm256_add_epi32(
        _mm256_set1_epi32(k * c.alongStride),
        _mm256_add_epi32(_mm256_mullo_epi32(l1, c.stride1), _mm256_mullo_epi32(l2, c.stride2)));
    const __m256 u1 = _mm256_sub_ps(one, w1);
    const __m256 u2 = _mm256_sub_ps(one, w2);
    out.c00 = _mm256_mul_ps(u1, u2);
    out.c10 = _mm256_mul_ps(w1, u2);
    out.c01 = _mm256_mul_ps(u1, w2);
    out.c11 = _mm256_mul_ps(w1, w2);
    out.m00 = _mm256_and_ps(low1, low2);
    out.m10 = _mm256_and_ps(high1, low2);
    out.m01 = _mm256_and_ps(low1, high2);
    out.m11 = _mm256_and_ps(high1, high2);
    return true;
}

/// Forward: the lanes' line integrals over slices [kFirst, kLast), without the step factor.
TOMO_TARGET_AVX2 void walkLanes(const Lanes& lanes, int kFirst, int kLast, const float* volume,
                                const Strides& st, float* sums)
{
    const LaneConstants c = loadConstants(lanes, st);
    const __m256 zero = _mm256_setzero_ps();
    // Two accumulators, so consecutive samples' additions do not wait on one another.
    __m256 sum0 = zero;
    __m256 sum1 = zero;
    for (int k = kFirst; k < kLast; ++k) {
        LaneSample p;
        if (!sampleLanes(c, k, p)) {
            continue;
        }
        const __m256i base1 = _mm256_add_epi32(p.base, c.stride1);
        const __m256i base2 = _mm256_add_epi32(p.base, c.stride2);
        const __m256i base12 = _mm256_add_epi32(base1, c.stride2);
        const __m256 g00 = _mm256_mask_i32gather_ps(zero, volume, p.base, p.m00, 4);
        const __m256 g10 = _mm256_mask_i32gather_ps(zero, volume, base1, p.m10, 4);
        const __m256 g01 = _mm256_mask_i32gather_ps(zero, volume, base2, p.m01, 4);
        const __m256 g11 = _mm256_mask_i32gather_ps(zero, volume, base12, p.m11, 4);
        sum0 = _mm256_fmadd_ps(p.c00, g00, _mm256_fmadd_ps(p.c10, g10, sum0));
        sum1 = _mm256_fmadd_ps(p.c01, g01, _mm256_fmadd_ps(p.c11, g11, sum1));
    }
    _mm256_storeu_ps(sums, _mm256_add_ps(sum0, sum1));
}

/// Transpose: adds values[lane] times each coefficient of the lanes' samples over slices
/// [kFirst, kLast) into acc. Coefficients and indices are computed eight lanes at once; the
/// additions run lane by lane, in order, so lanes that share a voxel add correctly.
TOMO_TARGET_AVX2 void scatterLanes(const Lanes& lanes, int kFirst, int kLast, const float* values,
                                   const Strides& st, float* acc)
{
    const LaneConstants c = loadConstants(lanes, st);
    const __m256 value = _mm256_loadu_ps(values);
    const int offsets[4] = {0, st.across1, st.across2, st.across1 + st.across2};
    alignas(32) int base[kLanes];
    alignas(32) float coefficient[4][kLanes];
    for (int k = kFirst; k < kLast; ++k) {
        LaneSample p;
        if (!sampleLanes(c, k, p)) {
            continue;
        }
        _mm256_store_si256(reinterpret_cast<__m256i*>(base), p.base);
        const __m256 coefficients[4] = {p.c00, p.c10, p.c01, p.c11};
        const __m256 masks[4] = {p.m00, p.m10, p.m01, p.m11};
        int present[4];
        for (int corner = 0; corner < 4; ++corner) {
            _mm256_store_ps(coefficient[corner], _mm256_mul_ps(coefficients[corner], value));
            present[corner] = _mm256_movemask_ps(masks[corner]);
        }
        for (int lane = 0; lane < kLanes; ++lane) {
            for (int corner = 0; corner < 4; ++corner) {
                if ((present[corner] >> lane) & 1) {
                    acc[base[lane] + offsets[corner]] += coefficient[corner][lane];
                }
            }
        }
    }
}
/// One group of up to eight neighbouring rays of a detector row, set up for the vector walk.
struct Group
{
    Walk3D::Ray rays[kLanes];
    Lanes lanes{};
    std::ptrdiff_t firstRay = 0;
    int active = 0;
    bool sameAxis = true;
    int kFirst = 0;
    int kLast = 0;
    Strides strides{};
};

void setUpGroup(const Walk3D& walk, std::ptrdiff_t index, int groupsPerRow, Group& g)
{
    const Setup3D& s = walk.s;
    const auto firstColumn = static_cast<int>(index % groupsPerRow) * kLanes;
    g.firstRay = (index / groupsPerRow) * s.nu + firstColumn;
    g.active = std::min(kLanes, s.nu - firstColumn);
    g.lanes = Lanes{};
    g.sameAxis = true;
    g.kFirst = s.n[0] + s.n[1] + s.n[2];
    g.kLast = 0;
    for (int lane = 0; lane < g.active; ++lane) {
        g.rays[lane] = walk.ray(g.firstRay + lane);
        const Walk3D::Ray& r = g.rays[lane];
        g.sameAxis = g.sameAxis && r.axis == g.rays[0].axis;
        float line[6];
        tomo_joseph_line_3d(r.o, r.r, r.axis, s.n, s.origin, s.spacing, s.parallel, line,
                            &g.lanes.kBegin[lane], &g.lanes.kEnd[lane]);
        g.lanes.f1[lane] = line[0];
        g.lanes.d1[lane] = line[1];
        g.lanes.f2[lane] = line[2];
        g.lanes.d2[lane] = line[3];
        g.lanes.t0[lane] = line[4];
        g.lanes.dt[lane] = line[5];
        if (g.lanes.kBegin[lane] < g.lanes.kEnd[lane]) {
            g.kFirst = std::min(g.kFirst, g.lanes.kBegin[lane]);
            g.kLast = std::max(g.kLast, g.lanes.kEnd[lane]);
        }
    }
    const int axis = g.rays[0].axis;
    const int a1 = tomo_across_first(axis);
    const int a2 = tomo_across_second(axis);
    g.strides = {static_cast<int>(walk.stride[axis]),
                 static_cast<int>(walk.stride[a1]),
                 static_cast<int>(walk.stride[a2]),
                 s.n[a1],
                 s.n[a2],
                 s.parallel};
}

bool avx2Applies(const Setup3D& s)
{
    const std::ptrdiff_t voxels = static_cast<std::ptrdiff_t>(s.n[0]) * s.n[1] * s.n[2];
    return useAvx2() && voxels < std::numeric_limits<std::int32_t>::max(); // 32-bit indices
}
} // namespace

bool josephForward3DAvx2(const Setup3D& s, const std::vector<float>& params, std::size_t count,
                         const float* volume, float* proj)
{
    if (!avx2Applies(s)) {
        return false;
    }
    const Walk3D walk(s, params);
    const int groupsPerRow = (s.nu + kLanes - 1) / kLanes;
    const auto groups = static_cast<std::ptrdiff_t>(count) * s.nv * groupsPerRow;
#pragma omp parallel for schedule(dynamic, 32)
    for (std::ptrdiff_t index = 0; index < groups; ++index) {
        Group g;
        setUpGroup(walk, index, groupsPerRow, g);
        if (!g.sameAxis) {
            for (int lane = 0; lane < g.active; ++lane) {
                proj[g.firstRay + lane] = integrateRay(walk, g.rays[lane], volume);
            }
            continue;
        }
        float sums[kLanes];
        walkLanes(g.lanes, g.kFirst, g.kLast, volume, g.strides, sums);
        for (int lane = 0; lane < g.active; ++lane) {
            proj[g.firstRay + lane] = sums[lane] * g.rays[lane].step;
        }
    }
    return true;
}

bool josephBack3DAvx2(const Setup3D& s, const std::vector<float>& params, std::size_t count,
                      const float* proj, float weight, float* volume)
{
    if (!avx2Applies(s)) {
        return false;
    }
    const Walk3D walk(s, params);
    const int groupsPerRow = (s.nu + kLanes - 1) / kLanes;
    const auto groups = static_cast<std::ptrdiff_t>(count) * s.nv * groupsPerRow;
    const auto voxels = static_cast<std::size_t>(s.n[0]) * s.n[1] * s.n[2];
    scatterOverRays(groups, voxels, weight, volume, [&](std::ptrdiff_t index, float* acc) {
        Group g;
        setUpGroup(walk, index, groupsPerRow, g);
        float values[kLanes] = {};
        bool any = false;
        for (int lane = 0; lane < g.active; ++lane) {
            values[lane] = proj[g.firstRay + lane] * g.rays[lane].step;
            any = any || values[lane] != 0.0f;
        }
        if (!any) {
            return;
        }
        if (!g.sameAxis) {
            for (int lane = 0; lane < g.active; ++lane) {
                walk.walk(g.rays[lane],
                          [&](std::ptrdiff_t voxel, float c) { acc[voxel] += c * values[lane]; });
            }
            return;
        }
        scatterLanes(g.lanes, g.kFirst, g.kLast, values, g.strides, acc);
    });
    return true;
}
#else
} // namespace

bool josephForward3DAvx2(const Setup3D&, const std::vector<float>&, std::size_t, const float*,
                         float*)
{
    return false;
}

bool josephBack3DAvx2(const Setup3D&, const std::vector<float>&, std::size_t, const float*, float,
                      float*)
{
    return false;
}
#endif
} // namespace tomo::detail
