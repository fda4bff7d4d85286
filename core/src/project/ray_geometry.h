#pragma once

// The shared ray formulas of kernels/common/ray_geometry.cl and ray_geometry_3d.cl, compiled as C++
// so the CPU reference evaluates exactly what the OpenCL kernels evaluate.
#include <math.h> // NOLINT(modernize-deprecated-headers): float overloads in the global scope

namespace tomo::detail
{
#define TOMO_FN inline
// OpenCL C's integer min and max, for the shared code.
inline int min(int a, int b)
{
    return a < b ? a : b;
}
inline int max(int a, int b)
{
    return a > b ? a : b;
}
// fmax and fmin with C's NaN rule (a NaN operand yields the other one), inline: the libm calls
// were 4% of a cone-beam projection.
inline float fmax(float a, float b)
{
    if (b != b) { // NOLINT(misc-redundant-expression): NaN test
        return a;
    }
    return a > b || a != a ? (a != a ? b : a) : b; // NOLINT(misc-redundant-expression)
}
inline float fmin(float a, float b)
{
    if (b != b) { // NOLINT(misc-redundant-expression): NaN test
        return a;
    }
    return a < b || a != a ? (a != a ? b : a) : b; // NOLINT(misc-redundant-expression)
}
#include "common/ray_geometry.cl"
#include "common/ray_geometry_3d.cl"
#include "common/siddon.cl"
#undef TOMO_FN
} // namespace tomo::detail
