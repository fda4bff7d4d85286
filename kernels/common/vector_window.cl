/* Explicit-vector helpers of the kernels written for CPU devices (backproject_voxel_2d_rows,
 * backproject_voxel_3d_columns). */

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
#else
inline float8 tomo_pick(float16 window, int8 index)
{
    return shuffle(window, as_uint8(index));
}
#endif

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
