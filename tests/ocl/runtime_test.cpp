#include "ocl/cl_runtime.h"
#include "ocl/compute_impl.h"
#include "ocl_fixture.h"
#include "tomo/compute.h"
#include "tomo/error.h"

#include <gtest/gtest.h>

#include <string>

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
} // namespace
} // namespace tomo
