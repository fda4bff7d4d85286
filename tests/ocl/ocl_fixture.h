#pragma once

#include "tomo/compute.h"

#include <gtest/gtest.h>

#include <memory>

namespace tomo::test
{
/// The first OpenCL device (TOMO_CL_DEVICE may pick another), or a skip with the reason.
/// CI always has PoCL, so a skip there is an anomaly to investigate.
class OpenClTest : public ::testing::Test
{
protected:
    void SetUp() override
    {
        for (const DeviceInfo& d : listDevices()) {
            if (d.backend == Backend::OpenCL) {
                m_compute = ComputeContext::create(std::getenv("TOMO_CL_DEVICE") != nullptr
                                                       ? std::string_view{}
                                                       : std::string_view{"opencl"});
                if (m_compute->backend() != Backend::OpenCL) {
                    GTEST_SKIP() << "TOMO_CL_DEVICE selects a non-OpenCL device";
                }
                return;
            }
        }
        GTEST_SKIP() << "no OpenCL device (install pocl-opencl-icd)";
    }
    std::shared_ptr<ComputeContext> m_compute;
};
} // namespace tomo::test
