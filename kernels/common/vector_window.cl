/* Explicit-vector helpers of the kernels written for CPU devices (backproject_voxel_2d_rows,
 * backproject_voxel_3d_columns, project_joseph_3d_columns and its transpose). */

#if defined(__AVX2__)
typedef float tomo_v8sf __attribute__((vector_size(32)));
typedef int tomo_v8si __attribute__((vector_size(32)));
/* window[index[k]] in lane k, 0 <= index < 16: two AVX2 permutes and a blend. OpenCL's shuffle
 * does the same, but PoCL 3.1 turns it into one extract and insert per lane; PoCL defines
 * __AVX2__ on CPUs that have it. */
inline float8 tomo_pick(float16 window, int8 index)
{
    const tomo_v8si i = __builtin_convertvector(index, tomo_v8si);
    const tomo_v8sf lo =
        __builtin_ia32_permvarsf256(__builtin_convertvector(window.lo, tomo_v8sf), i);
    const tomo_v8sf hi =
        __builtin_ia32_permvarsf256(__builtin_convertvector(window.hi, tomo_v8sf), i);
    return select(__builtin_convertvector(lo, float8), __builtin_convertvector(hi, float8),
                  index > 7);
}

/* tomo_pick with the mask index > 7 given, for windows read at the same indices. */
inline float8 tomo_pick_masked(float16 window, int8 index, int8 upper)
{
    const tomo_v8si i = __builtin_convertvector(index, tomo_v8si);
    const tomo_v8sf lo =
        __builtin_ia32_permvarsf256(__builtin_convertvector(window.lo, tomo_v8sf), i);
    const tomo_v8sf hi =
        __builtin_ia32_permvarsf256(__builtin_convertvector(window.hi, tomo_v8sf), i);
    return select(__builtin_convertvector(lo, float8), __builtin_convertvector(hi, float8), upper);
}

/* x[index[k] & 7] in lane k: one AVX2 permute. */
inline float8 tomo_perm8(float8 x, int8 index)
{
    return __builtin_convertvector(
        __builtin_ia32_permvarsf256(__builtin_convertvector(x, tomo_v8sf),
                                    __builtin_convertvector(index, tomo_v8si)),
        float8);
}

/* Whether any or all of eight lanes' masks are set: one movemask. PoCL 3.1 turns OpenCL's any and
 * all into a chain of shuffles and branches. */
inline bool tomo_any8(int8 mask)
{
    return __builtin_ia32_movmskps256(__builtin_convertvector(as_float8(mask), tomo_v8sf)) != 0;
}

inline bool tomo_all8(int8 mask)
{
    return __builtin_ia32_movmskps256(__builtin_convertvector(as_float8(mask), tomo_v8sf)) == 0xff;
}
#else
inline bool tomo_any8(int8 mask)
{
    return any(mask);
}

inline bool tomo_all8(int8 mask)
{
    return all(mask);
}

inline float8 tomo_pick(float16 window, int8 index)
{
    return shuffle(window, as_uint8(index));
}

inline float8 tomo_pick_masked(float16 window, int8 index, int8 upper)
{
    (void)upper;
    return shuffle(window, as_uint8(index));
}

inline float8 tomo_perm8(float8 x, int8 index)
{
    return shuffle(x, as_uint8(index) & 7u);
}
#endif

/* x clamped into [low, high] by plain comparisons: OpenCL's clamp (fmin and fmax) also orders
 * NaN, which costs a compare and a blend per bound on x86; x must not be NaN. */
inline float8 tomo_clamp8(float8 x, float low, float high)
{
    const float8 lo = (float8)(low);
    const float8 hi = (float8)(high);
    x = x > lo ? x : lo;
    return x < hi ? x : hi;
}

/* The smallest and largest of eight lanes. */
inline int tomo_min8(int8 v)
{
    const int4 a = min(v.lo, v.hi);
    const int2 b = min(a.lo, a.hi);
    return min(b.x, b.y);
}

inline int tomo_max8(int8 v)
{
    const int4 a = max(v.lo, v.hi);
    const int2 b = max(a.lo, a.hi);
    return max(b.x, b.y);
}

/* The sum of x's lanes 0..k in lane k. */
inline float8 tomo_prefix8(float8 x)
{
    const int8 lanes = (int8)(0, 1, 2, 3, 4, 5, 6, 7);
    const float8 zero = (float8)(0.0f);
    x += select(zero, tomo_perm8(x, lanes - 1), lanes >= 1);
    x += select(zero, tomo_perm8(x, lanes - 2), lanes >= 2);
    x += select(zero, tomo_perm8(x, lanes - 4), lanes >= 4);
    return x;
}

/* tomo_splat for lanes in order, at[k] <= at[k + 1], with at[0] = 0 (so every position has a lane
 * at or before it): with c(p) the number of lanes at or before position p, and S(c) the sum of
 * the first c lanes' values, position p receives S_lower(c(p)) - S_lower(c(p - 1)) from the
 * lower values and S_upper(c(p - 1)) - S_upper(c(p - 2)) from the upper ones. The sixteen counts
 * are formed as nibbles of one 64-bit word (lane k adds 1 to nibbles at[k] to 15), and the sums
 * are picked out of rotated prefix sums by permutes, which read the low three bits of an index
 * only: entry c & 7 holds S(c) for c = 1..8. */
inline float16 tomo_splat_ordered(int8 at, float8 lower, float8 upper)
{
    const int8 lanes = (int8)(0, 1, 2, 3, 4, 5, 6, 7);
    const int8 previous = lanes - 1; /* lane k reads lane k - 1, lane 0 lane 7 */
    const float8 zero = (float8)(0.0f);
    const ulong4 ones = (ulong4)(0x1111111111111111UL);
    const ulong4 by_lane =
        (ones << (convert_ulong4(at.lo) << 2)) + (ones << (convert_ulong4(at.hi) << 2));
    const ulong counts = by_lane.s0 + by_lane.s1 + by_lane.s2 + by_lane.s3; /* c(p), nibble p */
    const ulong before = counts << 4;                                       /* c(p - 1) */
    const uint8 nibble = (uint8)(0, 4, 8, 12, 16, 20, 24, 28);
    const int8 c_low = as_int8((uint8)((uint)counts) >> nibble);
    const int8 c_high = as_int8((uint8)((uint)(counts >> 32)) >> nibble);
    const int8 before_low = as_int8((uint8)((uint)before) >> nibble);
    const int8 before_high = as_int8((uint8)((uint)(before >> 32)) >> nibble);
    const float8 sum_lower = tomo_perm8(tomo_prefix8(lower), previous);
    const float8 sum_upper = tomo_perm8(tomo_prefix8(upper), previous);
    /* X(p) = S_lower(c(p)) + S_upper(c(p - 1)); c(-1) = 0 (position 0) adds nothing. */
    const float8 x_low =
        tomo_perm8(sum_lower, c_low) + select(tomo_perm8(sum_upper, before_low), zero, lanes == 0);
    const float8 x_high = tomo_perm8(sum_lower, c_high) + tomo_perm8(sum_upper, before_high);
    /* W(p) = X(p) - X(p - 1), X(-1) = 0. */
    const float8 moved_low = tomo_perm8(x_low, previous);
    const float8 moved_high = select(tomo_perm8(x_high, previous), moved_low, lanes == 0);
    return (float16)(x_low - select(moved_low, zero, lanes == 0), x_high - moved_high);
}

/* tomo_splat for lane k at position k: lower into positions 0..7, upper into 1..8. */
inline float16 tomo_splat_unit(float8 lower, float8 upper)
{
    const int8 lanes = (int8)(0, 1, 2, 3, 4, 5, 6, 7);
    const float8 zero = (float8)(0.0f);
    const float8 moved = tomo_perm8(upper, lanes - 1); /* lane k: upper[k - 1], lane 0 upper[7] */
    return (float16)(lower + select(moved, zero, lanes == 0), select(zero, moved, lanes == 0));
}

/* tomo_splat for lanes in any order: each lane's position compared with the window's. */
inline float16 tomo_splat_unordered(int8 at, float8 lower, float8 upper)
{
    const int8 low_half = (int8)(0, 1, 2, 3, 4, 5, 6, 7);
    const int8 high_half = low_half + 8;
    const float8 zero = (float8)(0.0f);
    float8 a = zero;
    float8 b = zero;
#define TOMO_SPLAT_LANE(lane)                                                                      \
    do {                                                                                           \
        const int8 p = (int8)(at.lane);                                                            \
        const float8 l = (float8)(lower.lane);                                                     \
        const float8 u = (float8)(upper.lane);                                                     \
        a += select(select(zero, u, low_half == p + 1), l, low_half == p);                         \
        b += select(select(zero, u, high_half == p + 1), l, high_half == p);                       \
    } while (0)
    TOMO_SPLAT_LANE(s0);
    TOMO_SPLAT_LANE(s1);
    TOMO_SPLAT_LANE(s2);
    TOMO_SPLAT_LANE(s3);
    TOMO_SPLAT_LANE(s4);
    TOMO_SPLAT_LANE(s5);
    TOMO_SPLAT_LANE(s6);
    TOMO_SPLAT_LANE(s7);
#undef TOMO_SPLAT_LANE
    return (float16)(a, b);
}

/* The sixteen-float window W with W[at[k]] += lower[k] and W[at[k] + 1] += upper[k] for every lane
 * k, 0 <= at <= 14, min(at) = 0: the transpose of reading lane k's two samples out of a window
 * (tomo_pick). Lanes may share a position; their sums are formed in registers. Lanes whose
 * positions rise or fall (as the rows of a detector column do along z) take tomo_splat_ordered,
 * the others tomo_splat_unordered. */
inline float16 tomo_splat(int8 at, float8 lower, float8 upper)
{
    const int8 lanes = (int8)(0, 1, 2, 3, 4, 5, 6, 7);
    const int8 reverse = 7 - lanes;
    /* Rows one voxel apart, the common case: lane k at k (or 7 - k). */
    if (tomo_all8(at == lanes)) {
        return tomo_splat_unit(lower, upper);
    }
    if (tomo_all8(at == reverse)) {
        return tomo_splat_unit(tomo_perm8(lower, reverse), tomo_perm8(upper, reverse));
    }
    const float8 position = convert_float8(at);
    const float8 next = tomo_perm8(position, lanes + 1);
    const int8 last = lanes == 7;
    if (tomo_all8((next >= position) | last)) {
        return tomo_splat_ordered(at, lower, upper);
    }
    if (tomo_all8((next <= position) | last)) {
        return tomo_splat_ordered(convert_int8(tomo_perm8(position, reverse)),
                                  tomo_perm8(lower, reverse), tomo_perm8(upper, reverse));
    }
    return tomo_splat_unordered(at, lower, upper);
}
