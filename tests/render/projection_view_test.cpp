#include "golden.h"
#include "tomo/error.h"
#include "tomo/geometry.h"
#include "tomo/phantom.h"
#include "tomo/projections.h"
#include "tomo/render/projection_view.h"
#include "tomo/run_context.h"
#include "view_test_utils.h"

#include <gtest/gtest.h>
#include <vtkDataArray.h>
#include <vtkImageData.h>
#include <vtkPointData.h>

#include <algorithm>
#include <memory>
#include <numbers>
#include <string>

namespace tomo::render
{
namespace
{
using testing::findColour;
using testing::findLines;
using testing::haveDisplay;

constexpr int kWidth = 400;
constexpr int kHeight = 200;
constexpr int kHalf = kWidth / 2;
// Per-channel tolerance for "this colour": unlit lines, nearest-neighbour images through a
// 256-entry table; colours are exact up to 8-bit rounding.
constexpr int kColourTolerance = 3;
// Where an edge or a line is expected on screen: the fit and the rasteriser's pixel-centre rule
// may put it a pixel either way.
constexpr double kPixelTolerance = 1.5;
constexpr std::uint32_t kWhite = 0xFFFFFF;

/// The 2D Shepp–Logan (Toft's contrast, radius 45 mm, μ in table units × 0.02 mm⁻¹) projected
/// exactly: 128 columns of 0.8 mm, 180 parallel views over 180°.
std::shared_ptr<const ProjectionStack> sheppLoganSinogram()
{
    static const std::shared_ptr<const ProjectionStack> stack = [] {
        const Detector detector{.columns = 128, .rows = 1, .pixelU = 0.8, .pixelV = 0.8};
        CircularTrajectory trajectory;
        trajectory.views = 180;
        trajectory.angularRange = std::numbers::pi;
        const Geometry geometry = Geometry::circular(BeamType::Parallel2D, detector, trajectory);
        NullRunContext ctx;
        return std::make_shared<const ProjectionStack>(
            projectAnalytic(sheppLogan2D(SheppLoganVariant::Modified, 45.0, 0.02), geometry, ctx));
    }();
    return stack;
}

/// The 3D Shepp–Logan (radius 20 mm, Toft's contrast × 0.02 mm⁻¹) in a cone beam: 64 × 48
/// pixels of 1.6 mm (magnification 2: the head fits), 60 views over 360°, SID 500 mm,
/// SDD 1000 mm.
std::shared_ptr<const ProjectionStack> sheppLoganConeBeam()
{
    static const std::shared_ptr<const ProjectionStack> stack = [] {
        const Detector detector{.columns = 64, .rows = 48, .pixelU = 1.6, .pixelV = 1.6};
        CircularTrajectory trajectory;
        trajectory.views = 60;
        trajectory.angularRange = 2.0 * std::numbers::pi;
        const Geometry geometry = Geometry::circular(BeamType::Cone3D, detector, trajectory);
        NullRunContext ctx;
        return std::make_shared<const ProjectionStack>(
            projectAnalytic(sheppLogan3D(SheppLoganVariant::Modified, 20.0, 0.02), geometry, ctx));
    }();
    return stack;
}

/// A small cone-beam stack (16 columns × 12 rows, 20 views) of constant `value`.
std::shared_ptr<ProjectionStack> constantStack(float value)
{
    const Detector detector{.columns = 16, .rows = 12, .pixelU = 1.0, .pixelV = 1.0};
    CircularTrajectory trajectory;
    trajectory.views = 20;
    trajectory.angularRange = 2.0 * std::numbers::pi;
    auto stack = std::make_shared<ProjectionStack>(
        ProjectionStack::zeros(Geometry::circular(BeamType::Cone3D, detector, trajectory)));
    std::fill(stack->data().begin(), stack->data().end(), value);
    return stack;
}

// Grown view by view, the window is autoWindow of the views counted so far; a smaller count
// than before adds nothing, and a count past the stack stops at its end.
TEST(StackRange, GrowsToTheAutoWindowOfTheViewsSoFar)
{
    const std::shared_ptr<const ProjectionStack> stack = sheppLoganSinogram();
    const std::size_t pixels = stack->pixelsPerView();
    StackRange range;
    for (const std::size_t views : {std::size_t{1}, std::size_t{45}, std::size_t{90}}) {
        range.grow(*stack, views);
        const Window expected = autoWindow(stack->data().first(views * pixels));
        EXPECT_EQ(range.views(), views);
        EXPECT_EQ(range.window().low, expected.low) << views;
        EXPECT_EQ(range.window().high, expected.high) << views;
    }
    range.grow(*stack, 10);
    EXPECT_EQ(range.views(), 90U);
    range.grow(*stack, 1000);
    EXPECT_EQ(range.views(), stack->views());
    EXPECT_EQ(range.window().high, autoWindow(stack->data()).high);
}

TEST(ProjectionView, MatchesBaselineWithHalfTheViewsOfAParallelScanDone)
{
    if (!haveDisplay()) {
        GTEST_SKIP() << "no X display: run under xvfb-run (CTest does)";
    }
    ProjectionView view;
    view.setProjections(sheppLoganSinogram(), 90);
    view.setCurrentView(60);
    const RgbImage image = view.renderOffscreen(kWidth, kHeight);
    testing::dumpImage(image, "projection_view_parallel");
    EXPECT_TRUE(testing::matchesBaseline(image, "ProjectionViewParallelHalfDone"));
}

TEST(ProjectionView, MatchesBaselineWithAConeBeamRowSinogramPartlyFilled)
{
    if (!haveDisplay()) {
        GTEST_SKIP() << "no X display: run under xvfb-run (CTest does)";
    }
    ProjectionView view;
    view.setProjections(sheppLoganConeBeam(), 40);
    view.setCurrentView(15);
    view.setSinogramRow(30);
    const RgbImage image = view.renderOffscreen(kWidth, kHeight);
    testing::dumpImage(image, "projection_view_cone");
    EXPECT_TRUE(testing::matchesBaseline(image, "ProjectionViewConeRow30"));
}

TEST(ProjectionView, FillsTheSinogramOnlyUpToTheViewsDone)
{
    if (!haveDisplay()) {
        GTEST_SKIP() << "no X display: run under xvfb-run (CTest does)";
    }
    auto stack = constantStack(1.0F);
    ProjectionView view;
    view.setWindow(Window{0.0F, 0.5F}); // acquired values show white
    view.setCurrentView(3);
    for (const std::size_t done : {std::size_t{5}, std::size_t{12}, std::size_t{20}}) {
        SCOPED_TRACE("viewsDone " + std::to_string(done));
        view.setProjections(stack, done);
        const RgbImage image = view.renderOffscreen(kWidth, kHeight);
        testing::dumpImage(image, "projection_view_fill_" + std::to_string(done));
        // The sinogram's frame spans all 20 views; the white (acquired) part starts at its top
        // (view 0) and covers done/20 of its height.
        const auto frame =
            findColour(image, kHalf, kHalf, ProjectionView::kFrameColour, kColourTolerance);
        const auto white = findColour(image, kHalf, kHalf, kWhite, kColourTolerance);
        ASSERT_GT(frame.count, 0);
        ASSERT_GT(white.count, 0);
        const double height = frame.maxY - frame.minY + 1;
        const double expectedBottom = frame.minY + height * static_cast<double>(done) / 20.0 - 1.0;
        EXPECT_NEAR(white.minY, frame.minY, kPixelTolerance) << "view 0 is at the top";
        EXPECT_NEAR(white.maxY, expectedBottom, kPixelTolerance);
        // Below the acquired views: nothing but background inside the frame.
        const int firstEmpty = static_cast<int>(expectedBottom + 1.0 + kPixelTolerance);
        for (int y = firstEmpty; y < frame.maxY; ++y) {
            for (int x = frame.minX + 1; x < frame.maxX; ++x) {
                ASSERT_EQ(image.pixel(kHalf + x, y), kSceneBackground)
                    << "pixel (" << x << ", " << y << ") of the sinogram panel";
            }
        }
        // The current view (3) is marked across the sinogram.
        const auto marker =
            findLines(image, kHalf, kHalf, ProjectionView::kMarkerColour, kColourTolerance);
        EXPECT_NEAR(marker.row, frame.minY + height * 3.5 / 20.0 - 0.5, kPixelTolerance);
        // The projection of view 3 is acquired in every case.
        EXPECT_GT(findColour(image, 0, kHalf, kWhite, kColourTolerance).count, 0);
    }
    // A current view not acquired yet shows as an empty frame.
    view.setProjections(stack, 2);
    const RgbImage early = view.renderOffscreen(kWidth, kHeight);
    EXPECT_EQ(findColour(early, 0, kHalf, kWhite, kColourTolerance).count, 0);
    EXPECT_GT(findColour(early, 0, kHalf, ProjectionView::kFrameColour, kColourTolerance).count, 0);
}

TEST(ProjectionView, DrawsColumnsRightwardsAndRowsUpwards)
{
    if (!haveDisplay()) {
        GTEST_SKIP() << "no X display: run under xvfb-run (CTest does)";
    }
    // One bright pixel at column 13 of 16, row 9 of 12 in view 0: right of and above the
    // detector's centre.
    auto stack = constantStack(0.0F);
    stack->view(0)[9 * 16 + 13] = 1.0F;
    ProjectionView view;
    view.setWindow(Window{0.0F, 1.0F});
    view.setProjections(stack, 20);
    const RgbImage image = view.renderOffscreen(kWidth, kHeight);
    testing::dumpImage(image, "projection_view_orientation");
    const auto frame = findColour(image, 0, kHalf, ProjectionView::kFrameColour, kColourTolerance);
    const auto white = findColour(image, 0, kHalf, kWhite, kColourTolerance);
    ASSERT_GT(white.count, 0);
    const double width = frame.maxX - frame.minX + 1;
    const double height = frame.maxY - frame.minY + 1;
    EXPECT_NEAR(white.cx, frame.minX + width * 13.5 / 16.0 - 0.5, kPixelTolerance);
    EXPECT_NEAR(white.cy, frame.minY + height * (12.0 - 9.5) / 12.0 - 0.5, kPixelTolerance);
}

TEST(ProjectionView, KeepsItsPipelineWhenANewSnapshotArrives)
{
    if (!haveDisplay()) {
        GTEST_SKIP() << "no X display: run under xvfb-run (CTest does)";
    }
    const auto full = sheppLoganSinogram();
    ProjectionView view;
    view.setCurrentView(10);
    view.setProjections(full, 45);
    const RgbImage before = view.renderOffscreen(kWidth, kHeight);
    vtkImageData* projection = view.projectionImage();
    vtkImageData* sinogram = view.sinogramImage();
    vtkRenderer* left = view.projectionRenderer();
    vtkRenderer* right = view.sinogramRenderer();

    // A later snapshot: a copy of the stack with more views done.
    auto later = std::make_shared<const ProjectionStack>(*full);
    view.setProjections(later, 135);
    EXPECT_EQ(view.projectionImage(), projection);
    EXPECT_EQ(view.sinogramImage(), sinogram);
    EXPECT_EQ(view.projectionRenderer(), left);
    EXPECT_EQ(view.sinogramRenderer(), right);
    // Zero-copy: the images show the new snapshot's own values (a one-row detector's sinogram
    // is the stack itself).
    EXPECT_EQ(projection->GetPointData()->GetScalars()->GetVoidPointer(0),
              static_cast<const void*>(later->view(10).data()));
    EXPECT_EQ(sinogram->GetPointData()->GetScalars()->GetVoidPointer(0),
              static_cast<const void*>(later->data().data()));
    const RgbImage after = view.renderOffscreen(kWidth, kHeight);
    EXPECT_NE(before.rgb, after.rgb) << "more of the sinogram is filled";
}

TEST(ProjectionView, ComputesTheAutomaticWindowFromAcquiredViewsOnly)
{
    auto stack = constantStack(0.0F);
    for (std::size_t v = 0; v < 20; ++v) {
        std::fill(stack->view(v).begin(), stack->view(v).end(), static_cast<float>(v));
    }
    ProjectionView view;
    view.setProjections(stack, 5);
    EXPECT_EQ(view.window().low, 0.0F);
    EXPECT_EQ(view.window().high, 4.0F) << "views 5… are not acquired";
    view.setProjections(stack, 8); // the same scan, further on: only views 5–7 are read
    EXPECT_EQ(view.window().high, 7.0F);
    view.setWindow(Window{-1.0F, 1.0F});
    EXPECT_EQ(view.window().high, 1.0F);
    view.setWindow(std::nullopt);
    EXPECT_EQ(view.window().high, 7.0F);
    view.setProjections(stack, 0);
    EXPECT_EQ(view.window().low, 0.0F);
    EXPECT_EQ(view.window().high, 1.0F) << "nothing acquired: the unit window";
}

TEST(ProjectionView, RejectsASinogramRowBeyondTheDetector)
{
    ProjectionView view;
    EXPECT_THROW(view.setSinogramRow(0), InvalidArgument) << "no projections yet";
    view.setProjections(constantStack(1.0F), 20);
    EXPECT_EQ(view.sinogramRow(), 6U) << "the centre row of 12";
    view.setSinogramRow(11);
    EXPECT_EQ(view.sinogramRow(), 11U);
    try {
        view.setSinogramRow(12);
        FAIL() << "row 12 of 12 accepted";
    } catch (const InvalidArgument& e) {
        const std::string what = e.what();
        EXPECT_NE(what.find("sinogram row"), std::string::npos) << what;
        EXPECT_NE(what.find("12"), std::string::npos) << what;
        EXPECT_NE(what.find("0 … 11"), std::string::npos) << what;
    }
    EXPECT_EQ(view.sinogramRow(), 11U);
}

TEST(ProjectionView, RejectsMoreViewsDoneThanTheStackHas)
{
    ProjectionView view;
    try {
        view.setProjections(constantStack(1.0F), 21);
        FAIL() << "21 views done of 20 accepted";
    } catch (const InvalidArgument& e) {
        const std::string what = e.what();
        EXPECT_NE(what.find("viewsDone"), std::string::npos) << what;
        EXPECT_NE(what.find("21"), std::string::npos) << what;
        EXPECT_NE(what.find("0 … 20"), std::string::npos) << what;
    }
    EXPECT_THROW(view.setProjections(nullptr, 1), InvalidArgument);
    view.setProjections(nullptr, 0); // clears
}

TEST(ProjectionView, ClampsTheCurrentViewToTheLastView)
{
    ProjectionView view;
    view.setProjections(constantStack(1.0F), 20);
    view.setCurrentView(1000);
    EXPECT_EQ(view.currentView(), 19U);
    view.setCurrentView(4);
    EXPECT_EQ(view.currentView(), 4U);
}
} // namespace
} // namespace tomo::render
