#pragma once

// Run-time choice between the portable C++ loops and their AVX2 + FMA versions. The AVX2 code is
// compiled into the same binary with GCC's target attribute (no -mavx2 for the whole build, so
// the package still runs on any x86-64) and chosen per call from what the processor reports.
namespace tomo::detail
{
/// True when the processor has AVX2 and FMA and the environment does not turn SIMD off
/// (TOMO_SIMD=off or 0, for debugging and for the tests that compare both paths).
[[nodiscard]] bool useAvx2();
} // namespace tomo::detail

#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
#define TOMO_HAVE_AVX2_PATH 1
#define TOMO_TARGET_AVX2 __attribute__((target("avx2,fma")))
#else
#define TOMO_HAVE_AVX2_PATH 0
#define TOMO_TARGET_AVX2
#endif
