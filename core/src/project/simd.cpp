#include "project/simd.h"

#include <cstdlib>
#include <string_view>

namespace tomo::detail
{
bool useAvx2()
{
#if TOMO_HAVE_AVX2_PATH
    static const bool supported = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    if (!supported) {
        return false;
    }
    // Read on every call (a few ns next to a projection) so tests can compare both paths.
    const char* env = std::getenv("TOMO_SIMD"); // NOLINT(concurrency-mt-unsafe): read only
    if (env != nullptr) {
        const std::string_view value(env);
        if (value == "off" || value == "0") {
            return false;
        }
    }
    return true;
#else
    return false;
#endif
}
} // namespace tomo::detail
