// What loading eight scattered floats costs on this processor, the question behind the CPU
// projectors' design (docs/benchmarks.md): four 8-wide AVX2 gathers per iteration against four
// groups of eight scalar loads, and against four 4-wide gathers of float pairs (the same 32
// floats), from a 16 KB table that stays in L1. Counters: iterations/s; cycles follow from the
// clock. x86-64 with AVX2 only; elsewhere the benchmarks skip.
//
//   build/ci/bench/tomo_simd_bench
#include <benchmark/benchmark.h>

#include <cstddef>
#include <vector>

#if defined(__GNUC__) && defined(__x86_64__)
#include <immintrin.h>
#define TOMO_BENCH_AVX2 __attribute__((target("avx2,fma")))

namespace
{
constexpr int kTable = 4096; // floats: 16 KB

enum class Load
{
    Gather,
    Scalar,
    PairGather
};

TOMO_BENCH_AVX2 __m256 scalarLoads(const float* v, __m256i index)
{
    alignas(32) int at[8];
    _mm256_store_si256(reinterpret_cast<__m256i*>(at), index);
    return _mm256_setr_ps(v[at[0]], v[at[1]], v[at[2]], v[at[3]], v[at[4]], v[at[5]], v[at[6]],
                          v[at[7]]);
}

TOMO_BENCH_AVX2 __m256 pairGather(const float* v, __m256i index)
{
    const auto* p = reinterpret_cast<const long long*>(v);
    const __m256i low = _mm256_i32gather_epi64(p, _mm256_castsi256_si128(index), 4);
    const __m256i high = _mm256_i32gather_epi64(p, _mm256_extracti128_si256(index, 1), 4);
    return _mm256_add_ps(_mm256_castsi256_ps(low), _mm256_castsi256_ps(high));
}

// 32 floats per iteration in each mode: eight lanes at four offsets, or eight pairs at two.
TOMO_BENCH_AVX2 float run(const float* v, long iterations, Load mode)
{
    __m256 s0 = _mm256_setzero_ps();
    __m256 s1 = s0;
    __m256i base = _mm256_setr_epi32(0, 17, 34, 51, 68, 85, 102, 119);
    const __m256i step = _mm256_set1_epi32(16);
    const __m256i wrap = _mm256_set1_epi32(kTable - 256);
    const __m256i row = _mm256_set1_epi32(64);
    for (long i = 0; i < iterations; ++i) {
        base = _mm256_and_si256(_mm256_add_epi32(base, step), wrap);
        const __m256i next = _mm256_add_epi32(base, _mm256_set1_epi32(1));
        const __m256i below = _mm256_add_epi32(base, row);
        const __m256i belowNext = _mm256_add_epi32(below, _mm256_set1_epi32(1));
        switch (mode) {
        case Load::Gather:
            s0 = _mm256_add_ps(s0, _mm256_i32gather_ps(v, base, 4));
            s1 = _mm256_add_ps(s1, _mm256_i32gather_ps(v, next, 4));
            s0 = _mm256_add_ps(s0, _mm256_i32gather_ps(v, below, 4));
            s1 = _mm256_add_ps(s1, _mm256_i32gather_ps(v, belowNext, 4));
            break;
        case Load::Scalar:
            s0 = _mm256_add_ps(s0, scalarLoads(v, base));
            s1 = _mm256_add_ps(s1, scalarLoads(v, next));
            s0 = _mm256_add_ps(s0, scalarLoads(v, below));
            s1 = _mm256_add_ps(s1, scalarLoads(v, belowNext));
            break;
        case Load::PairGather:
            s0 = _mm256_add_ps(s0, pairGather(v, base));
            s1 = _mm256_add_ps(s1, pairGather(v, below));
            break;
        }
    }
    alignas(32) float out[8];
    _mm256_store_ps(out, _mm256_add_ps(s0, s1));
    return out[0];
}

void loads(benchmark::State& state, Load mode)
{
    if (!__builtin_cpu_supports("avx2")) {
        state.SkipWithError("no AVX2");
        return;
    }
    std::vector<float> table(kTable, 1.0f);
    constexpr long kIterations = 1'000'000;
    for (auto _ : state) {
        benchmark::DoNotOptimize(run(table.data(), kIterations, mode));
    }
    state.counters["iterations_per_s"] = benchmark::Counter(
        static_cast<double>(kIterations), benchmark::Counter::kIsIterationInvariantRate);
    state.SetLabel("32 floats from L1 per iteration, one thread");
}

void BM_FourGathersOfEight(benchmark::State& s)
{
    loads(s, Load::Gather);
}
void BM_ThirtyTwoScalarLoads(benchmark::State& s)
{
    loads(s, Load::Scalar);
}
void BM_FourGathersOfFourPairs(benchmark::State& s)
{
    loads(s, Load::PairGather);
}
BENCHMARK(BM_FourGathersOfEight)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ThirtyTwoScalarLoads)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_FourGathersOfFourPairs)->Unit(benchmark::kMillisecond);
} // namespace
#endif

BENCHMARK_MAIN();
