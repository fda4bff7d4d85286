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
#include "common/ray_geometry.cl"
#include "common/ray_geometry_3d.cl"
#include "common/siddon.cl"
#undef TOMO_FN
} // namespace tomo::detail
