/* Atomic float addition on global memory for OpenCL 1.2, which only has integer atomics: a
 * compare-and-swap loop on the bit pattern. Used by the scatter transposes; the order of the
 * additions varies between runs, so results agree to float rounding, not bit for bit. */
inline void tomo_atomic_add(volatile __global float* address, float value)
{
    union
    {
        unsigned int u;
        float f;
    } expected, desired;
    do {
        expected.f = *address;
        desired.f = expected.f + value;
    } while (atomic_cmpxchg((volatile __global unsigned int*)address, expected.u, desired.u) !=
             expected.u);
}
