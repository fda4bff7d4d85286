#include "tomo/geometry.h"
#include "tomo/render/trajectory_scene.h"
#include "tomo/ui/vtk_host_widget.h"
#include "ui_test_util.h"

#include <QTest>
#include <gtest/gtest.h>
#include <vtkRenderWindow.h>
#include <vtkRenderer.h>

#include <numbers>

namespace tomo::ui
{
namespace
{
// The trajectory covers several percent of the view; an empty (background-only) or black
// framebuffer covers 0 %.
constexpr double kMinCoveredFraction = 0.02;
// Blending and line smoothing stay within a few levels of the background.
constexpr int kBackgroundTolerance = 8;
// Path colours, detector, beam and axes: a real render has dozens of colours.
constexpr std::size_t kMinDistinctColours = 16;

TEST(VtkHostWidget, RendersATrajectoryIntoItsFramebuffer)
{
    const Detector detector{.columns = 256, .rows = 1, .pixelU = 1.2, .pixelV = 1.2};
    CircularTrajectory trajectory;
    trajectory.views = 120;
    trajectory.angularRange = 2.0 * std::numbers::pi;
    render::TrajectoryScene scene(Geometry::circular(BeamType::Fan2D, detector, trajectory),
                                  VolumeGrid::centred({128, 128, 1}, {1.0, 1.0, 1.0}));

    VtkHostWidget widget;
    widget.renderWindow()->AddRenderer(scene.renderer());
    widget.resize(400, 300);
    widget.show();
    ASSERT_TRUE(QTest::qWaitForWindowExposed(&widget));

    const QImage first = widget.grabFramebuffer();
    test::dumpImage(first, "vtk_host_widget");
    ASSERT_FALSE(first.isNull());
    EXPECT_GT(widget.renderedFrames(), 0);
    const double covered =
        test::fractionDifferent(first, render::TrajectoryScene::kBackground, kBackgroundTolerance);
    EXPECT_GT(covered, kMinCoveredFraction) << "covered " << covered * 100 << " %";
    EXPECT_GT(test::distinctColours(first), kMinDistinctColours);
    // VTK's opaque background, not garbage or a transparent (composited-away) frame.
    EXPECT_EQ(first.pixel(0, 0), 0xFF000000U | render::TrajectoryScene::kBackground);

    // The host redraws what the scene changed.
    scene.setCurrentView(30);
    const QImage moved = widget.grabFramebuffer();
    EXPECT_NE(first, moved);

    widget.renderWindow()->RemoveRenderer(scene.renderer());
}
} // namespace
} // namespace tomo::ui
