#include "tomo/error.h"
#include "tomo/geometry_check.h"
#include "tomo/trajectory.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <numbers>
#include <string>

namespace tomo
{
namespace
{
constexpr double kPi = std::numbers::pi;
// A plane with path samples on both sides crosses the (connected) path between them, so the
// test is exact for voxels whose every plane is met: "complete" is a fraction of exactly 1.
// Missing planes near a circle's plane are nearly parallel to it, so an incomplete voxel can be
// 0.999: the tests compare with 1 exactly, not with a threshold.
constexpr float kComplete = 1.0f;

Detector cone(std::size_t columns = 256, std::size_t rows = 200)
{
    return {.columns = columns, .rows = rows, .pixelU = 1.0, .pixelV = 1.0};
}

const Finding* find(const std::vector<Finding>& findings, const std::string& code)
{
    const auto it = std::find_if(findings.begin(), findings.end(),
                                 [&](const Finding& f) { return f.code == code; });
    return it == findings.end() ? nullptr : &*it;
}

TrajectorySpec circle(std::size_t views, double rangeRad)
{
    TrajectorySpec t;
    t.views = views;
    t.angularRange = rangeRad;
    t.sourceIsocentre = 500.0;
    t.sourceDetector = 1000.0;
    return t;
}

TEST(GeometryCheck, ATruncatedScanNamesItsViews)
{
    // 256 columns of 1 mm at magnification 2 see 128 mm at the isocentre; a 160 mm wide box
    // sticks out in every view, a 100 mm one in none.
    const Geometry g = makeGeometry(BeamType::Cone3D, cone(), circle(36, 2 * kPi));
    const auto wide = checkGeometry(g, VolumeGrid::centred({160, 160, 10}, {1, 1, 1}));
    const Finding* t = find(wide, "truncation");
    ASSERT_NE(t, nullptr);
    EXPECT_EQ(t->severity, Severity::Warning);
    EXPECT_EQ(t->views.size(), 36u);
    EXPECT_NE(t->message.find("36 of 36 views (0-35)"), std::string::npos) << t->message;
    const auto narrow = checkGeometry(g, VolumeGrid::centred({80, 80, 10}, {1, 1, 1}));
    EXPECT_EQ(find(narrow, "truncation"), nullptr);
    EXPECT_EQ(narrow.front().code, "summary");
    EXPECT_NE(narrow.front().message.find("magnification 2.000"), std::string::npos)
        << narrow.front().message;
}

TEST(GeometryCheck, AnOffCentreBoxIsTruncatedOnlyInSomeViews)
{
    const Geometry g = makeGeometry(BeamType::Cone3D, cone(), circle(72, 2 * kPi));
    // A 40 mm box centred 50 mm off the axis along +x leaves the ±64 mm field in some views.
    const VolumeGrid box = VolumeGrid::make({40, 40, 10}, {1, 1, 1}, {30.5, -19.5, -4.5});
    const std::vector<Finding> findings = checkGeometry(g, box);
    const Finding* t = find(findings, "truncation");
    ASSERT_NE(t, nullptr);
    EXPECT_GT(t->views.size(), 0u);
    EXPECT_LT(t->views.size(), 72u);
}

TEST(GeometryCheck, CoverageIsClassifiedAgainstPiPlusFan)
{
    const Detector det = cone();
    const Geometry probe = makeGeometry(BeamType::Cone3D, det, circle(10, 2 * kPi));
    const double fan = probe.fanAngle(0);
    const VolumeGrid box = VolumeGrid::centred({64, 64, 8}, {1, 1, 1});
    EXPECT_NE(find(checkGeometry(makeGeometry(BeamType::Cone3D, det, circle(360, 2 * kPi)), box),
                   "full-scan"),
              nullptr);
    const auto shortScan =
        checkGeometry(makeGeometry(BeamType::Cone3D, det, circle(300, kPi + fan + 0.05)), box);
    ASSERT_NE(find(shortScan, "short-scan"), nullptr);
    EXPECT_EQ(find(shortScan, "short-scan")->severity, Severity::Info);
    const auto limited = checkGeometry(makeGeometry(BeamType::Cone3D, det, circle(300, kPi)), box);
    ASSERT_NE(find(limited, "limited-angle"), nullptr);
    EXPECT_EQ(find(limited, "limited-angle")->severity, Severity::Warning);
}

TEST(GeometryCheck, OrbitsAndDetectorOffsetsAreReported)
{
    const VolumeGrid box = VolumeGrid::centred({64, 64, 8}, {1, 1, 1});
    const auto circular =
        checkGeometry(makeGeometry(BeamType::Cone3D, cone(), circle(90, 2 * kPi)), box);
    EXPECT_NE(find(circular, "cone-beam-incomplete"), nullptr);
    EXPECT_EQ(find(circular, "non-circular-orbit"), nullptr);
    TrajectorySpec helix = circle(180, 4 * kPi);
    helix.kind = TrajectoryKind::Helical;
    helix.pitchMm = 30.0;
    const auto spiral = checkGeometry(makeGeometry(BeamType::Cone3D, cone(), helix), box);
    ASSERT_NE(find(spiral, "non-circular-orbit"), nullptr);
    EXPECT_NE(find(spiral, "non-circular-orbit")->message.find("z 0.0 to 59.7 mm"),
              std::string::npos)
        << find(spiral, "non-circular-orbit")->message;
    Detector offset = cone();
    offset.offsetU = 100.0;
    const auto off =
        checkGeometry(makeGeometry(BeamType::Cone3D, offset, circle(90, 2 * kPi)), box);
    ASSERT_NE(find(off, "offset-detector"), nullptr);
}

TEST(Completeness, ACircleIsCompleteOnlyInItsPlane)
{
    const Geometry g = makeGeometry(BeamType::Cone3D, cone(), circle(720, 2 * kPi));
    const VolumeGrid grid = VolumeGrid::centred({9, 9, 9}, {20, 20, 20});
    const Volume map = completenessMap(g, grid);
    for (std::size_t j = 0; j < 9; ++j) {
        for (std::size_t i = 0; i < 9; ++i) {
            EXPECT_EQ(map.at(i, j, 4), kComplete) << i << "," << j;
        }
    }
    // Off the plane it drops, and the farther the more (on the axis).
    EXPECT_LT(map.at(4, 4, 5), kComplete);
    EXPECT_LT(map.at(4, 4, 8), map.at(4, 4, 5));
    EXPECT_LT(map.at(8, 4, 8), kComplete);
}

TEST(Completeness, HelixAndSaddleAreCompleteWhereTheCircleIsNot)
{
    const VolumeGrid grid = VolumeGrid::centred({5, 5, 5}, {20, 20, 20});
    TrajectorySpec helix = circle(720, 6 * kPi);
    helix.kind = TrajectoryKind::Helical;
    helix.pitchMm = 60.0;
    helix.zOffset = -90.0; // z from −90 to +90 mm
    const Volume h = completenessMap(makeGeometry(BeamType::Cone3D, cone(), helix), grid);
    TrajectorySpec saddle = circle(720, 2 * kPi);
    saddle.kind = TrajectoryKind::Saddle;
    saddle.zAmplitude = 60.0;
    const Volume s = completenessMap(makeGeometry(BeamType::Cone3D, cone(), saddle), grid);
    const Volume c =
        completenessMap(makeGeometry(BeamType::Cone3D, cone(), circle(720, 2 * kPi)), grid);
    // The voxel 20 mm above the centre.
    EXPECT_EQ(h.at(2, 2, 3), kComplete);
    EXPECT_EQ(s.at(2, 2, 3), kComplete);
    EXPECT_LT(c.at(2, 2, 3), kComplete);
    for (float v : h.data()) {
        EXPECT_EQ(v, kComplete); // the whole 80 mm cube lies inside the helix
    }
}

TEST(Completeness, RefusesParallelBeams)
{
    const Geometry g = Geometry::circular(BeamType::Parallel3D, cone(), {.views = 10});
    EXPECT_THROW((void)completenessMap(g, VolumeGrid::centred({4, 4, 4}, {1, 1, 1})),
                 InvalidArgument);
}
} // namespace
} // namespace tomo
