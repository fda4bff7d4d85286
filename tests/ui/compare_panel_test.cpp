// The Compare panel's slices: each orientation shows the voxel layer through the cursor, turned
// as the main slice views turn it, and a duplicated experiment waits as a pending A.

#include "tomo/ui/compare_panel.h"
#include "ui_test_util.h"

#include <QComboBox>
#include <QImage>
#include <QPushButton>
#include <gtest/gtest.h>

#include <array>
#include <memory>

namespace tomo::ui
{
namespace
{
using render::SliceOrientation;

constexpr std::array<std::size_t, 3> kSize{20, 12, 8};
// The one voxel where B differs from A.
constexpr std::size_t kI = 15;
constexpr std::size_t kJ = 3;
constexpr std::size_t kK = 6;

std::shared_ptr<const Volume> ramp(const VolumeGrid& grid, float bump)
{
    Volume v = Volume::zeros(grid);
    const auto& n = grid.size();
    for (std::size_t k = 0; k < n[2]; ++k) {
        for (std::size_t j = 0; j < n[1]; ++j) {
            for (std::size_t i = 0; i < n[0]; ++i) {
                v.at(i, j, k) = 0.01F * static_cast<float>(i + j + k);
            }
        }
    }
    v.at(kI, kJ, kK) += bump;
    return std::make_shared<const Volume>(std::move(v));
}

/// The pixels of `image` that are not white (the difference map's zero).
std::vector<std::pair<int, int>> coloured(const QImage& image)
{
    std::vector<std::pair<int, int>> out;
    for (int y = 0; y < image.height(); ++y) {
        for (int x = 0; x < image.width(); ++x) {
            if ((image.pixel(x, y) & 0xFFFFFFU) != 0xFFFFFFU) {
                out.emplace_back(x, y);
            }
        }
    }
    return out;
}

TEST(ComparePanel, EachOrientationShowsTheLayerThroughTheCursorTurnedAsTheSliceViews)
{
    const VolumeGrid grid = VolumeGrid::centred(kSize, {1.0, 1.0, 1.0});
    ComparePanel panel;
    panel.setA(ramp(grid, 0.0F), nullptr, QStringLiteral("a"), QStringLiteral("{}"));
    panel.setB(ramp(grid, 1.0F), nullptr, QStringLiteral("b"), QStringLiteral("{}"));
    panel.setCursor(grid.voxelCentre(kI, kJ, kK));
    ASSERT_TRUE(
        panel.findChild<QComboBox*>(QStringLiteral("compareOrientationCombo"))->isEnabled());

    struct Case
    {
        SliceOrientation orientation;
        int width;
        int height;
        int x; ///< where the changed voxel must appear
        int y;
    };
    // Axial: right +x, up −y (row j); coronal: right +x, up +z; sagittal: right +y, up +z.
    const int top = static_cast<int>(kSize[2] - 1 - kK);
    for (const Case& c : {Case{SliceOrientation::Axial, 20, 12, kI, kJ},
                          Case{SliceOrientation::Coronal, 20, 8, kI, top},
                          Case{SliceOrientation::Sagittal, 12, 8, kJ, top}}) {
        panel.setOrientation(c.orientation);
        const QImage diff = panel.differenceImage();
        SCOPED_TRACE(std::string(render::toString(c.orientation)));
        EXPECT_EQ(diff.size(), QSize(c.width, c.height));
        EXPECT_EQ(panel.imageA().size(), QSize(c.width, c.height));
        const auto changed = coloured(diff);
        ASSERT_EQ(changed.size(), 1U);
        EXPECT_EQ(changed[0], std::make_pair(c.x, c.y));
        EXPECT_EQ(qRed(diff.pixel(c.x, c.y)), 255) << "B is brighter: red";
        EXPECT_TRUE(panel.metricsText().contains(QStringLiteral("On this slice")));
    }

    // A coronal layer that misses the voxel shows no difference.
    panel.setOrientation(SliceOrientation::Coronal);
    panel.setCursor(grid.voxelCentre(kI, kJ + 2, kK));
    EXPECT_TRUE(coloured(panel.differenceImage()).empty());
}

TEST(ComparePanel, NonCubicVoxelsAreDrawnToTheirShapeInMillimetres)
{
    const VolumeGrid grid = VolumeGrid::centred(kSize, {1.0, 1.0, 2.0});
    ComparePanel panel;
    panel.setA(ramp(grid, 0.0F), nullptr, QStringLiteral("a"), QStringLiteral("{}"));
    panel.setB(ramp(grid, 1.0F), nullptr, QStringLiteral("b"), QStringLiteral("{}"));
    panel.setCursor(grid.voxelCentre(kI, kJ, kK));
    panel.setOrientation(SliceOrientation::Sagittal);
    // 12 voxels of 1 mm across, 8 of 2 mm up: 12 × 16 pixels, the changed voxel two rows high.
    const QImage diff = panel.differenceImage();
    EXPECT_EQ(diff.size(), QSize(12, 16));
    const int top = 2 * static_cast<int>(kSize[2] - 1 - kK);
    const std::vector<std::pair<int, int>> expected{{kJ, top}, {kJ, top + 1}};
    EXPECT_EQ(coloured(diff), expected);
}

TEST(ComparePanel, ATwoDimensionalPairHasOnlyItsAxialSlice)
{
    const VolumeGrid grid = VolumeGrid::centred({16, 16, 1}, {1.0, 1.0, 1.0});
    ComparePanel panel;
    const auto a = std::make_shared<const Volume>(Volume::zeros(grid));
    panel.setA(a, nullptr, QStringLiteral("a"), QStringLiteral("{}"));
    panel.setB(a, nullptr, QStringLiteral("b"), QStringLiteral("{}"));
    panel.setOrientation(SliceOrientation::Sagittal);
    EXPECT_FALSE(
        panel.findChild<QComboBox*>(QStringLiteral("compareOrientationCombo"))->isEnabled());
    EXPECT_EQ(panel.differenceImage().size(), QSize(16, 16)) << "the axial slice, not a strip";
    // A constant slice (air) has no PSNR: the panel says so instead of failing.
    EXPECT_TRUE(panel.metricsText().contains(QStringLiteral("RMSE 0")))
        << panel.metricsText().toStdString();
    EXPECT_TRUE(panel.metricsText().contains(QStringLiteral("PSNR undefined (constant reference)")))
        << panel.metricsText().toStdString();
}

TEST(ComparePanel, ADuplicatedExperimentWaitsAsAPendingA)
{
    ComparePanel panel;
    auto* runBoth = panel.findChild<QPushButton*>(QStringLiteral("compareRunBothButton"));
    ASSERT_NE(runBoth, nullptr);
    EXPECT_FALSE(runBoth->isEnabled()) << "nothing to run as A yet";
    panel.setPendingA(QStringLiteral("fbp, 64 views, circular"),
                      QStringLiteral(R"({"views": 64})"));
    EXPECT_FALSE(panel.hasA());
    EXPECT_EQ(panel.sceneA(), QStringLiteral(R"({"views": 64})"));
    EXPECT_TRUE(runBoth->isEnabled());
    panel.clear();
    EXPECT_TRUE(panel.sceneA().isEmpty());
    EXPECT_FALSE(runBoth->isEnabled());
}
} // namespace
} // namespace tomo::ui
