#include "common/test_support.h"
#include "tomo/phantom.h"
#include "tomo/projector.h"
#include "tomo/trajectory.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>

namespace tomo
{
namespace
{
// Siddon's chords are exact; the float traversal and float sums leave ~1e-6 of the largest
// value (measured); 1e-4 would still fail any missed or double-counted voxel (≥ 1% of a value).
constexpr double kExactnessOfPeak = 1e-4;
constexpr double kAdjointTolerance = 1e-4; // as for Joseph (projector_cpu_test.cpp)

Detector detector(std::size_t nu, std::size_t nv, double pixel)
{
    return {.columns = nu, .rows = nv, .pixelU = pixel, .pixelV = pixel};
}

// The voxel image `v` as an analytic phantom: one box per voxel with the voxel's value, so its
// exact line integrals are what Siddon must compute from the image.
Phantom boxesOf(const Volume& v)
{
    Phantom p;
    const auto& n = v.grid().size();
    const auto& sp = v.grid().spacing();
    const bool planar = n[2] == 1;
    for (std::size_t k = 0; k < n[2]; ++k) {
        for (std::size_t j = 0; j < n[1]; ++j) {
            for (std::size_t i = 0; i < n[0]; ++i) {
                AnalyticObject box;
                box.kind = ShapeKind::Box;
                box.centre = v.grid().voxelCentre(static_cast<double>(i), static_cast<double>(j),
                                                  static_cast<double>(k));
                // A 2D voxel is a square prism along z, as the 2D rays see it.
                box.semiAxes = {0.5 * sp[0], 0.5 * sp[1],
                                planar ? std::numeric_limits<double>::infinity() : 0.5 * sp[2]};
                box.value = v.at(i, j, k);
                p.objects.push_back(box);
            }
        }
    }
    return p;
}

std::vector<Geometry> geometries()
{
    TrajectorySpec cone;
    cone.views = 5;
    cone.angularRange = 2.0 * std::numbers::pi;
    cone.sourceIsocentre = 40.0;
    cone.sourceDetector = 90.0;
    cone.tilt.inPlane = 0.07;
    cone.tilt.aboutU = 0.1;
    Detector offset = detector(30, 26, 0.9);
    offset.offsetU = 1.5;
    offset.offsetV = -2.0;
    Detector curved = detector(30, 26, 0.9);
    curved.shape = DetectorShape::Cylindrical;
    curved.radius = 90.0;
    TrajectorySpec fan = cone;
    fan.tilt = DetectorTilt{};
    return {makeGeometry(BeamType::Cone3D, offset, cone),
            makeGeometry(BeamType::Cone3D, curved, cone),
            makeGeometry(BeamType::Parallel3D, detector(30, 26, 0.6), cone),
            makeGeometry(BeamType::Fan2D, detector(40, 1, 0.9), fan),
            makeGeometry(BeamType::Parallel2D, detector(40, 1, 0.6), fan)};
}

VolumeGrid gridFor(const Geometry& g)
{
    return is2D(g.beam()) ? VolumeGrid::centred({9, 7, 1}, {1.5, 1.2, 1.0})
                          : VolumeGrid::centred({7, 6, 5}, {1.5, 1.2, 1.3});
}

TEST(Siddon, ProjectsAVoxelImageToItsExactLineIntegrals)
{
    auto compute = ComputeContext::create("cpu");
    const auto siddon = makeProjector(ProjectorModel::Siddon, *compute);
    for (const Geometry& g : geometries()) {
        Volume v = Volume::zeros(gridFor(g));
        test::fillRandom(v.data(), 41);
        NullRunContext ctx;
        const ProjectionStack got = forwardProject(*siddon, v, g, ctx);
        const ProjectionStack exact = projectAnalytic(boxesOf(v), g, ctx);
        double peak = 0.0;
        double worst = 0.0;
        for (std::size_t n = 0; n < exact.data().size(); ++n) {
            peak = std::max(peak, static_cast<double>(exact.data()[n]));
            worst = std::max(worst, std::abs(static_cast<double>(got.data()[n]) - exact.data()[n]));
        }
        EXPECT_GT(peak, 0.0) << toString(g.beam());
        EXPECT_LT(worst, kExactnessOfPeak * peak)
            << toString(g.beam()) << " " << toString(g.detector().shape);
    }
}

TEST(Siddon, BackIsTheExactTransposeOfForward)
{
    auto compute = ComputeContext::create("cpu");
    const auto siddon = makeProjector(ProjectorModel::Siddon, *compute);
    ASSERT_TRUE(siddon->isMatched());
    for (const Geometry& g : geometries()) {
        Volume x = Volume::zeros(gridFor(g));
        test::fillRandom(x.data(), 42);
        ProjectionStack y = ProjectionStack::zeros(g);
        test::fillRandom(y.data(), 43);
        NullRunContext ctx;
        const double lhs = test::dotProduct(forwardProject(*siddon, x, g, ctx).data(), y.data());
        const double rhs =
            test::dotProduct(x.data(), backProject(*siddon, y, x.grid(), ctx).data());
        EXPECT_NEAR(lhs / rhs, 1.0, kAdjointTolerance) << toString(g.beam());
    }
}
} // namespace
} // namespace tomo
