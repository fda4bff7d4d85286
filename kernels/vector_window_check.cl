/* Entry points for tests of the explicit-vector helpers (common/vector_window.cl), which the
 * kernels for CPU devices inline: each work-item runs one helper on its own inputs. No operator
 * uses these. */

/* window[16 i .. 16 i + 15] = tomo_splat(at[8 i ..], lower[8 i ..], upper[8 i ..]). */
__kernel void splat_window_check(__global const int* at, __global const float* lower,
                                 __global const float* upper, __global float* window)
{
    const int i = (int)get_global_id(0);
    vstore16(tomo_splat(vload8(i, at), vload8(i, lower), vload8(i, upper)), i, window);
}
