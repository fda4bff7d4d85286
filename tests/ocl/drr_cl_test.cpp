// DRRs on the OpenCL backend against the C++ backend.
#include "common/test_support.h"
#include "ocl_fixture.h"
#include "tomo/drr.h"
#include "tomo/phantom.h"
#include "tomo/recon.h"
#include "tomo/spatial.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

namespace tomo
{
namespace
{
// Both backends run the same Joseph ray loop in float (projector_cl_test.cpp holds them to
// ~1e-6 of the peak); a DRR adds only the HU conversion, done on the host. Measured 7e-7 to
// 1.7e-5 of the peak (the largest at the oblique angle). A mirrored axis or a missing pose turn
// moves whole shadows: errors of order one.
constexpr double kAgreementOfPeak = 1e-4;

using OpenClDrr = test::OpenClTest;

TEST_F(OpenClDrr, AgreesWithTheCpuBackendForAnyViewAndOrientation)
{
    auto cpu = ComputeContext::create("cpu");
    NullRunContext ctx;
    Volume hu = rasterise(forbildHead3D(60.0, kWaterMuAt70keV),
                          VolumeGrid::centred({48, 52, 40}, {3.0, 3.0, 3.5}), 1);
    convertToHu(hu, kWaterMuAt70keV);
    for (const char* code : {"LPS", "RAS", "SLP"}) {
        const Volume volume = reorient(hu, code);
        for (double angle : {kDrrApAngle, kDrrLateralAngle, 2.5}) {
            DrrOptions o;
            o.angle = angle;
            o.pixelMm = 2.0;
            const Volume a = computeDrr(volume, o, *cpu, ctx);
            const Volume b = computeDrr(volume, o, *m_compute, ctx);
            ASSERT_EQ(a.grid(), b.grid());
            const double peak = *std::ranges::max_element(a.data());
            double worst = 0.0;
            for (std::size_t i = 0; i < a.data().size(); ++i) {
                worst = std::max(worst, std::abs(static_cast<double>(a.data()[i]) - b.data()[i]));
            }
            EXPECT_LT(worst / peak, kAgreementOfPeak) << code << ", angle " << angle;
        }
    }
}
} // namespace
} // namespace tomo
