#include "tomo/render/trajectory_scene.h"
#include "tomo/scene.h"
#include "tomo/ui/image_view.h"
#include "tomo/ui/main_window.h"
#include "tomo/ui/vtk_host_widget.h"
#include "ui_test_util.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QMessageBox>
#include <QSignalSpy>
#include <QTest>
#include <gtest/gtest.h>

#include <numbers>

namespace tomo::ui
{
namespace
{
// A shrunk run (64 views, 128²) takes well under a second on two cores; this leaves room for
// sanitizer builds and loaded CI machines.
constexpr int kRunTimeoutMs = 120'000;
constexpr int kPreviewTimeoutMs = 60'000;
// The bound: Cancel stops the run within 0.5 s.
constexpr qint64 kMaxCancelLatencyMs = 500;
// Scene, sinogram and slice cover most of their views; blank widgets cover 0 %.
constexpr double kMin3dCoveredFraction = 0.02;
constexpr double kMinImageCoveredFraction = 0.10;
// A reconstructed Shepp-Logan slice has hundreds of grey levels; a flat or failed one a few.
constexpr std::size_t kMinSliceGreyLevels = 32;
constexpr int kBackgroundTolerance = 8;
// Path colours, detector, beam and axes: a real render has dozens of colours.
constexpr std::size_t kMin3dDistinctColours = 16;

Scene defaultScene()
{
    return loadScene(TOMO_SOURCE_RESOURCES "/scenes/shepp-logan-2d-parallel.json");
}

Scene smallScene()
{
    Scene scene = defaultScene();
    scene.trajectory.views = 64;
    scene.reconstruction.gridSize = {128, 128, 1};
    scene.reconstruction.gridSpacingMm = {1.6, 1.6, 1.6};
    scene.reconstruction.fbp.batchViews = 8;
    return scene;
}

void showAndWait(MainWindow& window)
{
    window.resize(1200, 760);
    window.show();
    ASSERT_TRUE(QTest::qWaitForWindowExposed(&window));
}

TEST(MainWindow, RunsTheDefaultSceneAndShowsTheResults)
{
    MainWindow window(QStringLiteral("cpu"));
    ASSERT_TRUE(window.setScene(smallScene(), QStringLiteral("small")));
    showAndWait(window);

    QSignalSpy finished(&window, &MainWindow::runFinished);
    QSignalSpy previews(&window, &MainWindow::previewShown);
    Job* job = window.startRun();
    ASSERT_NE(job, nullptr);
    EXPECT_EQ(window.startRun(), nullptr) << "a second run must wait for the first";
    ASSERT_TRUE(finished.wait(kRunTimeoutMs))
        << "no end of run; last error: " << window.lastError().toStdString();
    ASSERT_EQ(finished.first().at(0).value<JobState>(), JobState::Succeeded)
        << window.lastError().toStdString();
    EXPECT_GT(previews.count(), 0);
    EXPECT_TRUE(window.metricsText().contains(QStringLiteral("PSNR")));
    EXPECT_TRUE(window.deviceText().contains(QStringLiteral("Device:")));
    EXPECT_EQ(window.currentRun(), nullptr);

    const QImage view3d = window.trajectoryView()->grabFramebuffer();
    test::dumpImage(view3d, "main_window_3d");
    EXPECT_GT(
        test::fractionDifferent(view3d, render::TrajectoryScene::kBackground, kBackgroundTolerance),
        kMin3dCoveredFraction);
    EXPECT_EQ(view3d.pixel(0, 0), 0xFF000000U | render::TrajectoryScene::kBackground)
        << "the 3D view shows VTK's opaque background in its corner";
    EXPECT_GT(test::distinctColours(view3d), kMin3dDistinctColours);

    const QImage slice = window.sliceView()->grab().toImage();
    test::dumpImage(slice, "main_window_slice");
    EXPECT_GT(test::fractionDifferent(slice, ImageView::kBackground, kBackgroundTolerance),
              kMinImageCoveredFraction);
    EXPECT_GT(test::distinctColours(window.sliceView()->image()), kMinSliceGreyLevels);
    EXPECT_EQ(window.sliceView()->image().size(), QSize(128, 128));

    const QImage sinogram = window.sinogramView()->grab().toImage();
    EXPECT_GT(test::fractionDifferent(sinogram, ImageView::kBackground, kBackgroundTolerance),
              kMinImageCoveredFraction);
    EXPECT_EQ(window.sinogramView()->image().size(), QSize(367, 64));

    test::dumpImage(window.grabWindow(), "main_window");
}

TEST(MainWindow, CancelStopsTheRunAndKeepsWhatIsShown)
{
    Scene scene = defaultScene();
    scene.trajectory.views = 1440; // long enough to be cancelled mid-way
    scene.reconstruction.fbp.batchViews = 16;
    MainWindow window(QStringLiteral("cpu"));
    ASSERT_TRUE(window.setScene(scene, QStringLiteral("large")));
    showAndWait(window);

    QSignalSpy previews(&window, &MainWindow::previewShown);
    QSignalSpy finished(&window, &MainWindow::runFinished);
    ASSERT_NE(window.startRun(), nullptr);
    ASSERT_TRUE(previews.wait(kPreviewTimeoutMs));
    ASSERT_TRUE(finished.isEmpty()) << "the run ended before it could be cancelled";

    QElapsedTimer timer;
    timer.start();
    window.cancelRun();
    ASSERT_TRUE(finished.wait(static_cast<int>(kMaxCancelLatencyMs)))
        << "still running " << kMaxCancelLatencyMs << " ms after cancel";
    EXPECT_LT(timer.elapsed(), kMaxCancelLatencyMs);
    EXPECT_EQ(finished.first().at(0).value<JobState>(), JobState::Cancelled);
    EXPECT_TRUE(window.lastError().isEmpty()) << "cancel is not an error";

    // The partial sinogram stays on screen.
    ASSERT_FALSE(window.sinogramView()->image().isNull());
    const QImage sinogram = window.sinogramView()->grab().toImage();
    EXPECT_GT(test::fractionDifferent(sinogram, ImageView::kBackground, kBackgroundTolerance),
              kMinImageCoveredFraction);
    // And a new run can start.
    Job* again = window.startRun();
    ASSERT_NE(again, nullptr);
    window.cancelRun();
    ASSERT_TRUE(QSignalSpy(&window, &MainWindow::runFinished).wait(kRunTimeoutMs) ||
                window.currentRun() == nullptr);
}

TEST(MainWindow, ABadSceneFileShowsAMessageInsteadOfCrashing)
{
    MainWindow window(QStringLiteral("cpu"));
    showAndWait(window);
    const Scene before = window.scene();
    EXPECT_FALSE(window.openSceneFile(QStringLiteral("/nonexistent/scene.json")));
    EXPECT_FALSE(window.lastError().isEmpty());
    EXPECT_EQ(window.scene().name, before.name) << "the current scene is kept";
    bool boxShown = false;
    for (QWidget* w : QApplication::topLevelWidgets()) {
        if (auto* box = qobject_cast<QMessageBox*>(w); box != nullptr && box->isVisible()) {
            boxShown = true;
            box->close();
        }
    }
    EXPECT_TRUE(boxShown);
}

TEST(MainWindow, AnInvalidSceneIsRejectedWithAMessage)
{
    MainWindow window(QStringLiteral("cpu"));
    Scene scene = defaultScene();
    scene.detector.columns = 0;
    EXPECT_FALSE(window.setScene(scene, QStringLiteral("broken")));
    EXPECT_FALSE(window.lastError().isEmpty());
    for (QWidget* w : QApplication::topLevelWidgets()) {
        if (auto* box = qobject_cast<QMessageBox*>(w)) {
            box->close();
        }
    }
}

TEST(MainWindow, TheViewSliderMovesTheDetectorIn3d)
{
    MainWindow window(QStringLiteral("cpu"));
    ASSERT_TRUE(window.setScene(smallScene(), QStringLiteral("small")));
    showAndWait(window);
    const QImage before = window.trajectoryView()->grabFramebuffer();
    window.trajectoryScene().setCurrentView(32);
    window.trajectoryView()->update();
    const QImage after = window.trajectoryView()->grabFramebuffer();
    EXPECT_NE(before, after);
}
} // namespace
} // namespace tomo::ui
