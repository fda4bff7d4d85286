#include "tomo/error.h"
#include "tomo/geometry.h"
#include "tomo/projections.h"
#include "tomo/volume.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <numbers>
#include <string>

namespace tomo
{
namespace
{
// Positions built from cos/sin of exact angles agree with the closed form to a few ulps of the
// 1000 mm scale.
constexpr double kPositionToleranceMm = 1e-9;

std::string messageOf(const std::function<void()>& f)
{
    try {
        f();
    } catch (const InvalidArgument& e) {
        return e.what();
    }
    return "<no InvalidArgument thrown>";
}

Detector detector2D()
{
    return {.columns = 64, .rows = 1, .pixelU = 1.0, .pixelV = 1.0};
}

TEST(VolumeGrid, CentredGridPutsTheIsocentreAtTheMiddle)
{
    const VolumeGrid g = VolumeGrid::centred({4, 5, 1}, {0.5, 2.0, 1.0});
    EXPECT_DOUBLE_EQ(g.origin().x, -0.75);
    EXPECT_DOUBLE_EQ(g.origin().y, -4.0);
    EXPECT_DOUBLE_EQ(g.origin().z, 0.0);
    const Vec3 centre = g.voxelCentre(1.5, 2.0, 0.0);
    EXPECT_DOUBLE_EQ(centre.x, 0.0);
    EXPECT_DOUBLE_EQ(centre.y, 0.0);
    EXPECT_EQ(g.linearIndex(1, 2, 0), 1u + 4u * 2u);
}

TEST(VolumeGrid, RejectsNegativeSpacingNamingTheField)
{
    const std::string m = messageOf([] { (void)VolumeGrid::centred({4, 4, 1}, {1.0, -1.0, 1.0}); });
    EXPECT_NE(m.find("grid.spacing.y"), std::string::npos) << m;
    EXPECT_NE(m.find("-1"), std::string::npos) << m;
    EXPECT_NE(m.find("> 0"), std::string::npos) << m;
}

TEST(VolumeGrid, RejectsZeroSizeAndNaN)
{
    EXPECT_NE(messageOf([] {
                  (void)VolumeGrid::centred({0, 4, 1}, {1, 1, 1});
              }).find("grid.size.x"),
              std::string::npos);
    const double nan = std::numeric_limits<double>::quiet_NaN();
    EXPECT_NE(messageOf([&] {
                  (void)VolumeGrid::centred({4, 4, 1}, {nan, 1, 1});
              }).find("nan"),
              std::string::npos);
    EXPECT_THROW(
        (void)VolumeGrid::make({2, 2, 2}, {1, 1, 1}, {0, 0, 0}, {1, 0, 0, 0, 2, 0, 0, 0, 1}),
        InvalidArgument);
}

TEST(Volume, FromDataChecksTheSize)
{
    const VolumeGrid g = VolumeGrid::centred({3, 3, 1}, {1, 1, 1});
    EXPECT_THROW((void)Volume::fromData(g, std::vector<float>(8)), InvalidArgument);
    const Volume v = Volume::fromData(g, std::vector<float>(9, 2.0f));
    EXPECT_EQ(v.at(2, 2, 0), 2.0f);
}

TEST(Geometry, CircularConeFollowsTheReferenceConvention)
{
    Detector det{.columns = 10, .rows = 8, .pixelU = 1.0, .pixelV = 1.0};
    CircularTrajectory t{.views = 4,
                         .startAngle = 0.0,
                         .angularRange = 2.0 * std::numbers::pi,
                         .sourceIsocentre = 600.0,
                         .sourceDetector = 1000.0};
    const Geometry g = Geometry::circular(BeamType::Cone3D, det, t);
    ASSERT_EQ(g.viewCount(), 4u);
    // θ = 90°: s = R(0,-600,0) = (600, 0, 0), d = R(0,400,0) = (-400, 0, 0), û = (0, 1, 0).
    const ViewPose& p = g.poses()[1];
    EXPECT_NEAR(p.source.x, 600.0, kPositionToleranceMm);
    EXPECT_NEAR(p.source.y, 0.0, kPositionToleranceMm);
    EXPECT_NEAR(p.detector.x, -400.0, kPositionToleranceMm);
    EXPECT_NEAR(p.u.y, 1.0, kPositionToleranceMm);
    EXPECT_EQ(p.v, (Vec3{0, 0, 1}));
    EXPECT_NEAR(g.viewAngle(1), std::numbers::pi / 2, 1e-12);
    // Views cover [0, 2π) without the end point.
    EXPECT_NEAR(g.viewAngle(3), 1.5 * std::numbers::pi, 1e-12);
}

TEST(Geometry, PixelCentresFollowTheDetectorConvention)
{
    Detector det{.columns = 4, .rows = 1, .pixelU = 2.0, .pixelV = 1.0, .offsetU = 0.5};
    const Geometry g = Geometry::circular(
        BeamType::Fan2D, det, {.views = 1, .sourceIsocentre = 100, .sourceDetector = 300});
    // Column 0: (0 - 1.5 + 0.5) * 2 = -2 mm along û = +x, at d = (0, 200, 0).
    const Vec3 c = g.pixelCentre(0, 0.0, 0.0);
    EXPECT_NEAR(c.x, -2.0, kPositionToleranceMm);
    EXPECT_NEAR(c.y, 200.0, kPositionToleranceMm);
}

TEST(Geometry, RejectsSddNotBeyondSid)
{
    const std::string m = messageOf([] {
        (void)Geometry::circular(BeamType::Fan2D, detector2D(),
                                 {.views = 10, .sourceIsocentre = 500, .sourceDetector = 400});
    });
    EXPECT_NE(m.find("trajectory.sdd_mm = 400"), std::string::npos) << m;
    EXPECT_NE(m.find("greater than sid_mm = 500"), std::string::npos) << m;
}

TEST(Geometry, RejectsZeroViewsAndNaNRange)
{
    EXPECT_NE(messageOf([] {
                  (void)Geometry::circular(BeamType::Parallel2D, detector2D(), {.views = 0});
              }).find("trajectory.views = 0"),
              std::string::npos);
    const double nan = std::numeric_limits<double>::quiet_NaN();
    EXPECT_NE(messageOf([&] {
                  (void)Geometry::circular(BeamType::Parallel2D, detector2D(),
                                           {.views = 3, .angularRange = nan});
              }).find("nan"),
              std::string::npos);
}

TEST(Geometry, Rejects2DBeamWithSeveralRows)
{
    Detector det{.columns = 8, .rows = 4, .pixelU = 1, .pixelV = 1};
    EXPECT_NE(messageOf([&] {
                  (void)Geometry::circular(BeamType::Fan2D, det, {.views = 3});
              }).find("detector.rows = 4"),
              std::string::npos);
}

TEST(Geometry, RejectsNonUnitAndNonOrthogonalPoseVectors)
{
    ViewPose p;
    p.source = {0, -500, 0};
    p.detector = {0, 500, 0};
    p.u = {2, 0, 0};
    EXPECT_NE(messageOf([&] {
                  (void)Geometry::fromPoses(BeamType::Fan2D, detector2D(), {p});
              }).find("views[0].u"),
              std::string::npos);
    p.u = {1, 0, 0};
    p.v = {0.6, 0, 0.8};
    EXPECT_THROW((void)Geometry::fromPoses(
                     BeamType::Cone3D, {.columns = 4, .rows = 4, .pixelU = 1, .pixelV = 1}, {p}),
                 InvalidArgument);
}

TEST(Detector, RejectsNonPositivePixels)
{
    Detector det = detector2D();
    det.pixelU = 0.0;
    EXPECT_NE(messageOf([&] { det.validate(); }).find("detector.pixel_u_mm = 0"),
              std::string::npos);
}

TEST(ProjectionStack, LayoutIsViewsRowsColumns)
{
    const Geometry g = Geometry::circular(
        BeamType::Cone3D, {.columns = 3, .rows = 2, .pixelU = 1, .pixelV = 1}, {.views = 4});
    ProjectionStack p = ProjectionStack::zeros(g);
    EXPECT_EQ(p.data().size(), 24u);
    p.view(2)[1 * 3 + 2] = 5.0f; // view 2, row 1, column 2
    EXPECT_EQ(p.data()[2 * 6 + 1 * 3 + 2], 5.0f);
    EXPECT_THROW((void)ProjectionStack::fromData(g, std::vector<float>(23)), InvalidArgument);
}

TEST(BeamType, ParsesAndNamesTheAcceptedValues)
{
    EXPECT_EQ(parseBeamType("fan2d"), BeamType::Fan2D);
    const std::string m = messageOf([] { (void)parseBeamType("cone", "geometry.beam"); });
    EXPECT_NE(m.find("geometry.beam = \"cone\""), std::string::npos) << m;
    EXPECT_NE(m.find("cone3d"), std::string::npos) << m;
}
} // namespace
} // namespace tomo
