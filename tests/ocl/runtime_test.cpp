#include "ocl/cl_runtime.h"
#include "ocl/compute_impl.h"
#include "ocl_fixture.h"
#include "tomo/compute.h"
#include "tomo/error.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <numeric>
#include <random>
#include <string>
#include <vector>

namespace tomo
{
namespace
{
TEST(KernelEmbedding, KernelsCarryTheirCommonPrelude)
{
    const std::string source = embeddedKernel("project_joseph_2d");
    ASSERT_FALSE(source.empty());
    EXPECT_NE(source.find("__kernel void project_joseph_2d"), std::string::npos);
    EXPECT_NE(source.find("__kernel void backproject_joseph_2d"), std::string::npos);
    // The helper is prepended before the kernel that uses it.
    EXPECT_LT(source.find("tomo_joseph_crossing("), source.find("__kernel"));
    EXPECT_FALSE(embeddedKernel("backproject_voxel_2d").empty());
    EXPECT_TRUE(embeddedKernel("no_such_kernel").empty());
}

TEST(ClErrors, NamesTheSymbolAndNumber)
{
    EXPECT_EQ(ocl::errorName(CL_OUT_OF_RESOURCES), "CL_OUT_OF_RESOURCES (-5)");
    EXPECT_EQ(ocl::errorName(CL_INVALID_KERNEL_ARGS), "CL_INVALID_KERNEL_ARGS (-52)");
    EXPECT_EQ(ocl::errorName(-9999), "CL_UNKNOWN(-9999)");
    try {
        TOMO_CL_CHECK_IN(CL_INVALID_WORK_GROUP_SIZE, "my_kernel");
        FAIL() << "no exception";
    } catch (const DeviceError& e) {
        const std::string m = e.what();
        EXPECT_NE(m.find("CL_INVALID_WORK_GROUP_SIZE (-54)"), std::string::npos) << m;
        EXPECT_NE(m.find("my_kernel"), std::string::npos) << m;
        EXPECT_NE(m.find("runtime_test.cpp:"), std::string::npos) << m;
    }
}

TEST(DeviceChoice, UnknownNameListsTheDevices)
{
    try {
        (void)ComputeContext::create("no-such-gpu-9000");
        FAIL() << "no exception";
    } catch (const InvalidArgument& e) {
        const std::string m = e.what();
        EXPECT_NE(m.find("device = \"no-such-gpu-9000\""), std::string::npos) << m;
        EXPECT_NE(m.find("cpu ("), std::string::npos) << m;
    }
    EXPECT_EQ(ComputeContext::create("cpu")->backend(), Backend::Cpu);
}

using OpenClRuntime = test::OpenClTest;

TEST_F(OpenClRuntime, ProgramsAreBuiltOnceAndCached)
{
    ocl::Runtime& rt = *m_compute->impl().runtime;
    const std::size_t before = rt.buildCount();
    auto k1 = rt.kernel("project_joseph_2d", "project_joseph_2d", "-DTOMO_PARALLEL=1");
    auto k2 = rt.kernel("project_joseph_2d", "backproject_joseph_2d", "-DTOMO_PARALLEL=1");
    EXPECT_EQ(rt.buildCount(), before + 1);
    auto k3 = rt.kernel("project_joseph_2d", "project_joseph_2d", "-DTOMO_PARALLEL=0");
    EXPECT_EQ(rt.buildCount(), before + 2);
    EXPECT_NE(k1.get(), nullptr);
    EXPECT_NE(k3.get(), nullptr);
}

TEST_F(OpenClRuntime, BuildFailureCarriesTheLogAndOptions)
{
    ocl::Runtime& rt = *m_compute->impl().runtime;
    try {
        // Without -DTOMO_PARALLEL the kernel's own #error fires.
        (void)rt.kernel("project_joseph_2d", "project_joseph_2d", "-DTOMO_SOMETHING_ELSE=1");
        FAIL() << "no exception";
    } catch (const DeviceError& e) {
        const std::string m = e.what();
        EXPECT_NE(m.find("CL_BUILD_PROGRAM_FAILURE"), std::string::npos) << m;
        EXPECT_NE(m.find("TOMO_PARALLEL must be defined"), std::string::npos) << m;
        EXPECT_NE(m.find("-DTOMO_SOMETHING_ELSE=1"), std::string::npos) << m;
        EXPECT_NE(m.find(m_compute->device().name), std::string::npos) << m;
    }
    EXPECT_THROW((void)rt.kernel("no_such_file", "x", ""), DeviceError);
}
// tomo_splat (kernels/common/vector_window.cl) sums eight lanes' (lower, upper) pairs into a
// 16-float window, W[at[k]] += lower[k] and W[at[k] + 1] += upper[k], by one of five paths chosen
// from the positions; the Joseph transpose for CPU devices adds every sample through it. Each
// path gets its own random cases here, against the same sums in double. The ordered paths
// subtract prefix sums of up to eight values in [-1, 1]: float rounding of those sums, ~8 ulp of
// 8, bounds the error; 1e-5 is ten times that.
constexpr double kSplatTolerance = 1e-5;

using OpenClVectorWindow = test::OpenClTest;

TEST_F(OpenClVectorWindow, SplatAddsEveryLaneAtItsTwoPositions)
{
    enum class Order
    {
        UnitRising,
        UnitFalling,
        Rising,
        Falling,
        Any
    };
    const std::array orders{Order::UnitRising, Order::UnitFalling, Order::Rising, Order::Falling,
                            Order::Any};
    constexpr int kCasesPerOrder = 200;
    const int cases = kCasesPerOrder * static_cast<int>(orders.size());
    std::mt19937 rng(51);
    std::uniform_real_distribution<float> value(-1.0f, 1.0f);
    std::uniform_int_distribution<int> step(0, 2);
    std::uniform_int_distribution<int> anywhere(0, 14);
    std::uniform_int_distribution<int> lane(0, 7);
    std::vector<int> at(8 * cases);
    std::vector<float> lower(8 * cases);
    std::vector<float> upper(8 * cases);
    for (int i = 0; i < cases; ++i) {
        int* a = &at[8 * i];
        switch (orders[i / kCasesPerOrder]) {
        case Order::UnitRising:
            std::iota(a, a + 8, 0);
            break;
        case Order::UnitFalling:
            std::iota(a, a + 8, 0);
            std::reverse(a, a + 8);
            break;
        case Order::Rising:
        case Order::Falling:
            a[0] = 0; // seven steps of 0, 1 or 2: positions 0..14, shared and skipped ones
            for (int k = 1; k < 8; ++k) {
                a[k] = a[k - 1] + step(rng);
            }
            if (orders[i / kCasesPerOrder] == Order::Falling) {
                std::reverse(a, a + 8);
            }
            break;
        case Order::Any:
            for (int k = 0; k < 8; ++k) {
                a[k] = anywhere(rng);
            }
            a[lane(rng)] = 0; // the window starts at the lowest lane
            break;
        }
        for (int k = 0; k < 8; ++k) {
            lower[8 * i + k] = value(rng);
            upper[8 * i + k] = value(rng);
        }
    }
    ocl::Runtime& rt = *m_compute->impl().runtime;
    auto kernel = rt.kernel("vector_window_check", "splat_window_check", "-DTOMO_PARALLEL=1");
    auto atBuffer = rt.upload(at.data(), at.size(), CL_MEM_READ_ONLY);
    auto lowerBuffer = rt.upload(lower.data(), lower.size(), CL_MEM_READ_ONLY);
    auto upperBuffer = rt.upload(upper.data(), upper.size(), CL_MEM_READ_ONLY);
    auto windowBuffer = rt.allocate<float>(16 * static_cast<std::size_t>(cases), CL_MEM_WRITE_ONLY);
    ocl::setArgs(kernel.get(), "splat_window_check", atBuffer.get(), lowerBuffer.get(),
                 upperBuffer.get(), windowBuffer.get());
    rt.launch(kernel.get(), "splat_window_check", static_cast<std::size_t>(cases));
    std::vector<float> window(16 * static_cast<std::size_t>(cases));
    rt.download(windowBuffer, window.data(), window.size());
    int wrong = 0;
    for (int i = 0; i < cases; ++i) {
        std::array<double, 16> expected{};
        for (int k = 0; k < 8; ++k) {
            expected[at[8 * i + k]] += lower[8 * i + k];
            expected[at[8 * i + k] + 1] += upper[8 * i + k];
        }
        for (int p = 0; p < 16; ++p) {
            const double got = window[16 * i + p];
            if (std::abs(got - expected[p]) > kSplatTolerance && ++wrong <= 5) {
                ADD_FAILURE() << "case " << i << " (order " << i / kCasesPerOrder << "), position "
                              << p << ": " << got << ", expected " << expected[p];
            }
        }
    }
    EXPECT_EQ(wrong, 0);
}
} // namespace
} // namespace tomo
