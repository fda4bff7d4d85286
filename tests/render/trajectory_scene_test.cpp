#include "tomo/error.h"
#include "tomo/geometry.h"
#include "tomo/render/trajectory_scene.h"
#include "tomo/volume.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <numbers>
#include <string>

namespace tomo::render
{
namespace
{
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

bool haveDisplay()
{
    const char* display = std::getenv("DISPLAY");
    return display != nullptr && *display != '\0';
}

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

/// With TOMO_TEST_DUMP=dir set, writes `image` to dir/<name>.ppm (STYLE.md B.6).
void dumpImage(const RgbImage& image, const std::string& name)
{
    const char* dir = std::getenv("TOMO_TEST_DUMP");
    if (dir == nullptr || *dir == '\0') {
        return;
    }
    std::ofstream out(std::string(dir) + "/" + name + ".ppm", std::ios::binary);
    out << "P6\n" << image.width << " " << image.height << "\n255\n";
    out.write(reinterpret_cast<const char*>(image.rgb.data()),
              static_cast<std::streamsize>(image.rgb.size()));
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

void expectSceneVisible(const RgbImage& image)
{
    ASSERT_EQ(image.width, kWidth);
    ASSERT_EQ(image.height, kHeight);
    const double total = static_cast<double>(kWidth) * kHeight;
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

TEST(TrajectoryScene, RejectsNonPositiveOffscreenSize)
{
    TrajectoryScene scene(parallelGeometry());
    EXPECT_THROW((void)scene.renderOffscreen(0, 10), InvalidArgument);
}
} // namespace
} // namespace tomo::render
