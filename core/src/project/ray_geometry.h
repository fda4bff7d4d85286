#pragma once

// The shared 2D ray formulas of kernels/common/ray_geometry.cl, compiled as C++ so the CPU
// reference evaluates exactly what the OpenCL kernels evaluate.
#include <math.h> // NOLINT(modernize-deprecated-headers): float overloads in the global scope

namespace tomo::detail
{
#define TOMO_FN inline
#include "common/ray_geometry.cl"
#undef TOMO_FN
} // namespace tomo::detail
