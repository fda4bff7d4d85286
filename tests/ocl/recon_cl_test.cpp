// Fan-beam FBP and FDK on the OpenCL backend against the C++ backend, flat and curved detectors.
#include "common/test_support.h"
#include "ocl_fixture.h"
#include "tomo/phantom.h"
#include "tomo/recon.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <string>

namespace tomo
{
namespace
{
// Both backends weight and filter on the host (the same code); the voxel-driven
// backprojections agree to ~1e-6 of the peak (projector_cl_test.cpp). Measured here: 3e-6 to
// 1e-5 of the peak. A missing distance weight or a different root on the cylinder changes
// the image by percent.
constexpr double kAgreementOfPeak = 1e-4;

using OpenClReconstruction = test::OpenClTest;

double maxDifferenceOverPeak(const Volume& a, const Volume& b)
{
    double peak = 0.0;
    double worst = 0.0;
    for (std::size_t i = 0; i < a.data().size(); ++i) {
        peak = std::max(peak, std::abs(static_cast<double>(b.data()[i])));
        worst = std::max(worst, std::abs(static_cast<double>(a.data()[i]) - b.data()[i]));
    }
    return worst / peak;
}

TEST_F(OpenClReconstruction, FanBeamFbpAndFdkAgreeWithTheCpuBackend)
{
    auto cpu = ComputeContext::create("cpu");
    NullRunContext ctx;
    for (bool curved : {false, true}) {
        for (bool cone : {false, true}) {
            Detector d{.columns = 96,
                       .rows = cone ? 40u : 1u,
                       .pixelU = 2.4,
                       .pixelV = 2.4,
                       .offsetU = 0.25};
            if (curved) {
                d.shape = DetectorShape::Cylindrical;
                d.radius = 1000.0;
            }
            const Geometry g = Geometry::circular(cone ? BeamType::Cone3D : BeamType::Fan2D, d,
                                                  {.views = 72,
                                                   .angularRange = 2.0 * std::numbers::pi,
                                                   .sourceIsocentre = 500.0,
                                                   .sourceDetector = 1000.0});
            const Phantom phantom = cone ? sheppLogan3D(SheppLoganVariant::Modified, 40.0, 0.02)
                                         : sheppLogan2D(SheppLoganVariant::Modified, 40.0, 0.02);
            const ProjectionStack p = projectAnalytic(phantom, g, ctx);
            const VolumeGrid grid = VolumeGrid::centred({48, 48, cone ? 24u : 1u}, {2.0, 2.0, 2.0});
            const Volume onCpu = reconstructAnalytic(p, grid, {}, *cpu, ctx);
            const Volume onDevice = reconstructAnalytic(p, grid, {}, *m_compute, ctx);
            const double difference = maxDifferenceOverPeak(onDevice, onCpu);
            RecordProperty(std::string(curved ? "curved_" : "flat_") + (cone ? "fdk" : "fan"),
                           std::to_string(difference));
            EXPECT_LT(difference, kAgreementOfPeak)
                << (curved ? "curved " : "flat ") << (cone ? "FDK" : "fan-beam FBP");
        }
    }
}
} // namespace
} // namespace tomo

namespace tomo
{
namespace
{
TEST_F(OpenClReconstruction, WangWeightsAndTiltedSlicesAgreeWithTheCpuBackend)
{
    // An offset detector (Wang's weights on the widened detector) in a fan scan, and an oblique
    // plane of a cone scan (the scan turned instead of the grid), on both backends.
    auto cpu = ComputeContext::create("cpu");
    NullRunContext ctx;
    const Geometry fan = Geometry::circular(
        BeamType::Fan2D, {.columns = 96, .rows = 1, .pixelU = 2.4, .pixelV = 2.4, .offsetU = 30},
        {.views = 72,
         .angularRange = 2.0 * std::numbers::pi,
         .sourceIsocentre = 500.0,
         .sourceDetector = 1000.0});
    const ProjectionStack fanData =
        projectAnalytic(sheppLogan2D(SheppLoganVariant::Modified, 40.0, 0.02), fan, ctx);
    const VolumeGrid image = VolumeGrid::centred({48, 48, 1}, {2.0, 2.0, 2.0});
    AnalyticPlan plan;
    const Volume fanOnCpu = reconstructAnalytic(fanData, image, {}, *cpu, ctx, &plan);
    EXPECT_EQ(plan.weighting, RedundancyWeighting::Wang);
    EXPECT_LT(
        maxDifferenceOverPeak(reconstructAnalytic(fanData, image, {}, *m_compute, ctx), fanOnCpu),
        kAgreementOfPeak);

    const Geometry cone = Geometry::circular(
        BeamType::Cone3D, {.columns = 96, .rows = 40, .pixelU = 2.4, .pixelV = 2.4},
        {.views = 72,
         .angularRange = 2.0 * std::numbers::pi,
         .sourceIsocentre = 500.0,
         .sourceDetector = 1000.0});
    const ProjectionStack coneData =
        projectAnalytic(sheppLogan3D(SheppLoganVariant::Modified, 40.0, 0.02), cone, ctx);
    const double c = std::cos(0.4);
    const double s = std::sin(0.4);
    const VolumeGrid oblique = VolumeGrid::make(
        {48, 48, 1}, {2.0, 2.0, 2.0}, {-47.0, -47.0 * c, -47.0 * s}, {1, 0, 0, 0, c, -s, 0, s, c});
    EXPECT_LT(maxDifferenceOverPeak(reconstructAnalytic(coneData, oblique, {}, *m_compute, ctx),
                                    reconstructAnalytic(coneData, oblique, {}, *cpu, ctx)),
              kAgreementOfPeak);
}
} // namespace
} // namespace tomo
