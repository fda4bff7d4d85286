#include "golden.h"
#include "tomo/error.h"
#include "tomo/geometry.h"
#include "tomo/geometry_check.h"
#include "tomo/render/trajectory_scene.h"
#include "tomo/trajectory.h"
#include "tomo/volume.h"
#include "view_test_utils.h"

#include <gtest/gtest.h>
#include <vtkCamera.h>
#include <vtkRenderer.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <numbers>
#include <string>

namespace tomo::render
{
namespace
{
using testing::dumpImage;
using testing::haveDisplay;
constexpr int kWidth = 400;
constexpr int kHeight = 300;
// The scene (path, detector, beam, box, axes) covers far more than this; a blank or
// background-only render covers 0 %.
constexpr double kMinCoveredFraction = 0.02;
// Path colours by view, detector, beam, box and axes: a render showing only one or two of them
// (or only the background) has far fewer colours.
constexpr std::size_t kMinDistinctColours = 20;
// Moving the detector and the beam a quarter turn changes thousands of pixels; 0.5 % of the
// image excludes changes from noise (there is none in a deterministic render anyway).
constexpr double kMinChangedFraction = 0.005;
// Channel difference counted as "not background": anti-aliasing and blending stay close.
constexpr int kBackgroundTolerance = 6;
// Red truncation edges are drawn opaque at 2.5 px; blending with the beam shifts them a little.
constexpr int kRedTolerance = 40;
// Several truncated frames at 1.5-2.5 px wide cover far more than this.
constexpr std::size_t kMinRedPixels = 50;

Geometry fanGeometry()
{
    const Detector detector{.columns = 256, .rows = 1, .pixelU = 1.2, .pixelV = 1.2};
    CircularTrajectory trajectory;
    trajectory.views = 180;
    trajectory.angularRange = 2.0 * std::numbers::pi;
    return Geometry::circular(BeamType::Fan2D, detector, trajectory);
}

Geometry parallelGeometry()
{
    const Detector detector{.columns = 367, .rows = 1, .pixelU = 0.8, .pixelV = 0.8};
    CircularTrajectory trajectory; // 360 views over 180°, SID 500, SDD 1000
    return Geometry::circular(BeamType::Parallel2D, detector, trajectory);
}

std::size_t changedPixels(const RgbImage& a, const RgbImage& b)
{
    std::size_t changed = 0;
    for (int y = 0; y < a.height; ++y) {
        for (int x = 0; x < a.width; ++x) {
            if (a.pixel(x, y) != b.pixel(x, y)) {
                ++changed;
            }
        }
    }
    return changed;
}

void expectSceneVisible(const RgbImage& image, int width = kWidth, int height = kHeight)
{
    ASSERT_EQ(image.width, width);
    ASSERT_EQ(image.height, height);
    const double total = static_cast<double>(width) * height;
    const double covered = static_cast<double>(image.countDifferent(TrajectoryScene::kBackground,
                                                                    kBackgroundTolerance)) /
                           total;
    EXPECT_GT(covered, kMinCoveredFraction)
        << "only " << covered * 100 << " % of pixels differ from the background";
    EXPECT_GT(image.distinctColours(), kMinDistinctColours);
    // The top-left corner stays background: the camera frames the scene with a margin.
    EXPECT_EQ(image.pixel(0, 0), TrajectoryScene::kBackground);
}

TEST(TrajectoryScene, FanScanRendersOffscreenAndFollowsTheCurrentView)
{
    if (!haveDisplay()) {
        GTEST_SKIP() << "no X display: run under xvfb-run (CTest does)";
    }
    const VolumeGrid grid = VolumeGrid::centred({256, 256, 1}, {0.8, 0.8, 0.8});
    TrajectoryScene scene(fanGeometry(), grid);
    EXPECT_EQ(scene.viewCount(), 180U);
    const RgbImage first = scene.renderOffscreen(kWidth, kHeight);
    dumpImage(first, "fan_view0");
    expectSceneVisible(first);

    scene.setCurrentView(45);
    EXPECT_EQ(scene.currentView(), 45U);
    const RgbImage quarter = scene.renderOffscreen(kWidth, kHeight);
    dumpImage(quarter, "fan_view45");
    expectSceneVisible(quarter);
    const double changed = static_cast<double>(changedPixels(first, quarter)) /
                           (static_cast<double>(kWidth) * kHeight);
    EXPECT_GT(changed, kMinChangedFraction)
        << "setCurrentView(45) changed " << changed * 100 << " % of pixels";
}

TEST(TrajectoryScene, ParallelScanRendersOffscreenAndFollowsTheCurrentView)
{
    if (!haveDisplay()) {
        GTEST_SKIP() << "no X display: run under xvfb-run (CTest does)";
    }
    TrajectoryScene scene(parallelGeometry());
    const RgbImage first = scene.renderOffscreen(kWidth, kHeight);
    dumpImage(first, "parallel_view0");
    expectSceneVisible(first);
    scene.setCurrentView(10'000); // clamped to the last view
    EXPECT_EQ(scene.currentView(), 359U);
    scene.setCurrentView(90);
    const RgbImage quarter = scene.renderOffscreen(kWidth, kHeight);
    const double changed = static_cast<double>(changedPixels(first, quarter)) /
                           (static_cast<double>(kWidth) * kHeight);
    EXPECT_GT(changed, kMinChangedFraction);
}

// Golden images (STYLE.md B.6): the three orbit kinds the issue names, cone beam, a 256 x 200
// detector of 1.6 mm, SID 500, SDD 1000, a 128 x 128 x 96 grid of 1.1 mm, current view 30.
constexpr int kGoldenWidth = 480;
constexpr int kGoldenHeight = 360;

Geometry coneGeometry(TrajectoryKind kind, std::size_t views = 360)
{
    const Detector detector{.columns = 256, .rows = 200, .pixelU = 1.6, .pixelV = 1.6};
    TrajectorySpec spec;
    spec.kind = kind;
    spec.views = views;
    spec.angularRange = 2.0 * std::numbers::pi;
    spec.pitchMm = 40.0;    // helical: three turns below
    spec.zAmplitude = 60.0; // saddle
    if (kind == TrajectoryKind::Helical) {
        spec.angularRange = 6.0 * std::numbers::pi;
        spec.zOffset = -60.0;
    }
    return makeGeometry(BeamType::Cone3D, detector, spec);
}

VolumeGrid coneGrid()
{
    return VolumeGrid::centred({128, 128, 96}, {1.1, 1.1, 1.1});
}

void expectGolden(TrajectoryKind kind, const std::string& name)
{
    TrajectoryScene scene(coneGeometry(kind), coneGrid());
    scene.setCurrentView(30);
    const RgbImage image = scene.renderOffscreen(kGoldenWidth, kGoldenHeight);
    expectSceneVisible(image, kGoldenWidth, kGoldenHeight);
    EXPECT_TRUE(testing::matchesBaseline(image, name));
}

TEST(TrajectoryScene, CircularConeScanMatchesItsBaseline)
{
    if (!haveDisplay()) {
        GTEST_SKIP() << "no X display: run under xvfb-run (CTest does)";
    }
    expectGolden(TrajectoryKind::Circular, "TrajectoryCircularCone");
}

TEST(TrajectoryScene, HelicalConeScanMatchesItsBaseline)
{
    if (!haveDisplay()) {
        GTEST_SKIP() << "no X display: run under xvfb-run (CTest does)";
    }
    expectGolden(TrajectoryKind::Helical, "TrajectoryHelicalCone");
}

TEST(TrajectoryScene, SaddleConeScanMatchesItsBaseline)
{
    if (!haveDisplay()) {
        GTEST_SKIP() << "no X display: run under xvfb-run (CTest does)";
    }
    expectGolden(TrajectoryKind::Saddle, "TrajectorySaddleCone");
}

// Cylindrical detector and every overlay: truncation (a grid wider than the fan), the
// completeness map, a highlighted ray.
TEST(TrajectoryScene, OverlaysOnACurvedDetectorMatchTheirBaseline)
{
    if (!haveDisplay()) {
        GTEST_SKIP() << "no X display: run under xvfb-run (CTest does)";
    }
    Detector detector{.columns = 256, .rows = 64, .pixelU = 1.6, .pixelV = 1.6};
    detector.shape = DetectorShape::Cylindrical;
    detector.radius = 1000.0;
    TrajectorySpec spec;
    spec.views = 180;
    spec.angularRange = 2.0 * std::numbers::pi;
    const Geometry geometry = makeGeometry(BeamType::Cone3D, detector, spec);
    // Off-centre in x (from -60 to 160 mm): its shadow leaves the 102 mm field of view on one
    // side in some views and fits in others.
    const VolumeGrid wide =
        VolumeGrid::make({200, 72, 16}, {1.1, 1.1, 1.1}, Vec3{-59.45, -39.05, -8.25});
    TrajectoryScene scene(geometry, wide);
    scene.setCurrentView(20);
    scene.setCompleteness(std::make_shared<const Volume>(
        completenessMap(geometry, VolumeGrid::centred({16, 16, 16}, {16.0, 16.0, 12.0}), 256)));
    scene.setHighlightedPoint(Vec3{40.0, 30.0, 10.0});
    EXPECT_FALSE(scene.truncatedViews().empty());
    EXPECT_LT(scene.truncatedViews().size(), geometry.viewCount());
    const RgbImage image = scene.renderOffscreen(kGoldenWidth, kGoldenHeight);
    dumpImage(image, "overlays");
    EXPECT_GT(image.countDifferent(TrajectoryScene::kTruncationColour, kRedTolerance),
              0U); // sanity: not all red
    EXPECT_GT(static_cast<std::size_t>(image.width * image.height) -
                  image.countDifferent(TrajectoryScene::kTruncationColour, kRedTolerance),
              kMinRedPixels)
        << "truncated frame edges are drawn red";
    EXPECT_TRUE(testing::matchesBaseline(image, "TrajectoryOverlaysCurved"));
}

// Truncation follows checkGeometry on flat detectors: the same views, and none when the box fits.
TEST(TrajectoryScene, TruncatedViewsAgreeWithTheGeometryCheck)
{
    const Geometry geometry = coneGeometry(TrajectoryKind::Circular, 90);
    const VolumeGrid fits = coneGrid();
    EXPECT_TRUE(TrajectoryScene(geometry, fits).truncatedViews().empty());
    // 300 mm wide, off-centre in x: the box's shadow leaves the 410 mm detector (205 mm at the
    // isocentre) in some views.
    const VolumeGrid wide =
        VolumeGrid::make({300, 100, 20}, {1.0, 1.0, 1.0}, Vec3{-100.0, -49.5, -9.5});
    const TrajectoryScene scene(geometry, wide);
    std::vector<std::size_t> expected;
    for (const Finding& f : checkGeometry(geometry, wide)) {
        if (f.code == "truncation") {
            expected = f.views;
        }
    }
    ASSERT_FALSE(expected.empty());
    EXPECT_EQ(scene.truncatedViews(), expected);
}

// The highlighted ray lands where the geometry says; the pixel follows the current view.
TEST(TrajectoryScene, HighlightedRayLandsOnTheProjectedPixel)
{
    const Geometry geometry = coneGeometry(TrajectoryKind::Circular, 90);
    TrajectoryScene scene(geometry, coneGrid());
    EXPECT_FALSE(scene.highlightedPixel().has_value());
    const Vec3 point{20.0, -15.0, 12.0};
    scene.setHighlightedPoint(point);
    for (std::size_t view : {0U, 17U, 60U}) {
        scene.setCurrentView(view);
        const auto pixel = scene.highlightedPixel();
        const auto expected = geometry.projectPoint(view, point);
        ASSERT_TRUE(pixel.has_value());
        ASSERT_TRUE(expected.has_value());
        EXPECT_EQ(*pixel, *expected) << "view " << view;
    }
    // A point whose ray misses the detector (far above the cone) has no pixel.
    scene.setHighlightedPoint(Vec3{0.0, 0.0, 400.0});
    EXPECT_FALSE(scene.highlightedPixel().has_value());
    scene.setHighlightedPoint(std::nullopt);
    EXPECT_FALSE(scene.highlightedPixel().has_value());
}

TEST(TrajectoryScene, GhostStepIsAutomaticOrAsSet)
{
    TrajectoryScene scene(coneGeometry(TrajectoryKind::Circular, 2000));
    EXPECT_EQ(scene.ghostEvery(), 2000U / TrajectoryScene::kGhostCount);
    scene.setGhostEvery(1);
    EXPECT_EQ(scene.ghostEvery(), 1U);
    scene.setGhostEvery(0);
    EXPECT_EQ(scene.ghostEvery(), 2000U / TrajectoryScene::kGhostCount);
}

// The orientation marker turns with the camera: its corner changes when the camera does, and the
// rest of the scene's renderers are listed for host windows.
TEST(TrajectoryScene, OrientationMarkerFollowsTheCamera)
{
    if (!haveDisplay()) {
        GTEST_SKIP() << "no X display: run under xvfb-run (CTest does)";
    }
    TrajectoryScene scene(coneGeometry(TrajectoryKind::Circular, 90), coneGrid());
    ASSERT_EQ(scene.renderers().size(), 2U);
    EXPECT_EQ(scene.renderers()[0], scene.renderer());
    const RgbImage before = scene.renderOffscreen(kWidth, kHeight);
    const auto corner = [](const RgbImage& image) {
        RgbImage c;
        c.width = image.width / 6;
        c.height = image.height / 5;
        for (int y = image.height - c.height; y < image.height; ++y) {
            for (int x = 0; x < c.width; ++x) {
                const std::uint32_t p = image.pixel(x, y);
                c.rgb.push_back(static_cast<std::uint8_t>(p >> 16U));
                c.rgb.push_back(static_cast<std::uint8_t>(p >> 8U));
                c.rgb.push_back(static_cast<std::uint8_t>(p));
            }
        }
        return c;
    };
    const RgbImage markerBefore = corner(before);
    EXPECT_GT(markerBefore.countDifferent(TrajectoryScene::kBackground, kBackgroundTolerance),
              static_cast<std::size_t>(markerBefore.width * markerBefore.height) / 10)
        << "the orientation marker covers part of the lower-left corner";
    scene.renderer()->GetActiveCamera()->Azimuth(90.0);
    const RgbImage after = scene.renderOffscreen(kWidth, kHeight);
    EXPECT_GT(changedPixels(markerBefore, corner(after)), 0U);
}

TEST(TrajectoryScene, RejectsNonPositiveOffscreenSize)
{
    TrajectoryScene scene(parallelGeometry());
    EXPECT_THROW((void)scene.renderOffscreen(0, 10), InvalidArgument);
}
} // namespace
} // namespace tomo::render
