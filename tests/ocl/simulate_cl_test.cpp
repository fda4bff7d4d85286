// The physics simulation with its material projections on the OpenCL backend against the C++
// backend: the detector stage is shared host code, so the two differ only by the projectors.
#include "common/test_support.h"
#include "ocl_fixture.h"
#include "tomo/attenuation.h"
#include "tomo/phantom.h"
#include "tomo/simulate.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

namespace tomo
{
namespace
{
// The projectors agree to ~1e-6 of the peak (projector_cl_test.cpp); through a 120 kVp spectrum
// and −log that stays below 1e-4 of the peak line integral. A wrong material or a pose left
// unmoved changes whole views by order one.
constexpr double kAgreementOfPeak = 1e-4;

using OpenClSimulate = test::OpenClTest;

TEST_F(OpenClSimulate, AgreesWithTheCpuBackend)
{
    auto cpu = ComputeContext::create("cpu");
    NullRunContext ctx;
    const Geometry g = Geometry::circular(BeamType::Cone3D,
                                          {.columns = 48, .rows = 32, .pixelU = 2.0, .pixelV = 2.0},
                                          {.views = 24, .angularRange = 6.283185307179586});
    const Volume mu = rasterise(sheppLogan3D(SheppLoganVariant::Original, 30.0, waterMuPerMm(70.0)),
                                VolumeGrid::centred({40, 40, 32}, {1.5, 1.5, 1.5}), 1);
    PhysicsSpec physics;
    physics.spectrum.kvp = 120.0;
    physics.detector.mode = DetectorMode::Integrating;
    physics.motion.translationMm = {2.0, 0.0, 1.0};
    physics.scatter.spr = 0.1;
    const SimulationResult a = simulateScan(mu, g, physics, *cpu, ctx);
    const SimulationResult b = simulateScan(mu, g, physics, *m_compute, ctx);
    const auto data = a.lineIntegrals.data();
    const float peak = *std::max_element(data.begin(), data.end());
    ASSERT_GT(peak, 0.5f);
    for (std::size_t i = 0; i < data.size(); ++i) {
        ASSERT_NEAR(b.lineIntegrals.data()[i], data[i], kAgreementOfPeak * peak) << "pixel " << i;
    }
}
} // namespace
} // namespace tomo
