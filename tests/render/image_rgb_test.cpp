#include "tomo/error.h"
#include "tomo/render/image_rgb.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

namespace tomo::render
{
namespace
{
TEST(ImageRgb, AutoWindowSpansFiniteValues)
{
    const std::vector<float> values{2.0F, -1.0F, std::numeric_limits<float>::quiet_NaN(), 5.0F,
                                    std::numeric_limits<float>::infinity()};
    const Window w = autoWindow(values);
    EXPECT_EQ(w.low, -1.0F);
    EXPECT_EQ(w.high, 5.0F);
}

TEST(ImageRgb, AutoWindowOfConstantImageHasUnitWidth)
{
    const std::vector<float> values(16, 3.0F);
    const Window w = autoWindow(values);
    EXPECT_EQ(w.low, 3.0F);
    EXPECT_EQ(w.high, 4.0F);
}

TEST(ImageRgb, ToGray8MapsWindowEndsAndFlipsRows)
{
    // 2 x 2 image: row 0 = {0, 1}, row 1 = {0.5, NaN}.
    const std::vector<float> values{0.0F, 1.0F, 0.5F, std::numeric_limits<float>::quiet_NaN()};
    const auto straight = toGray8(values, 2, 2, {0.0F, 1.0F}, false);
    EXPECT_EQ(straight, (std::vector<std::uint8_t>{0, 255, 128, 0}));
    const auto flipped = toGray8(values, 2, 2, {0.0F, 1.0F}, true);
    EXPECT_EQ(flipped, (std::vector<std::uint8_t>{128, 0, 0, 255}));
}

TEST(ImageRgb, ToGray8RejectsWrongSize)
{
    const std::vector<float> values(5, 0.0F);
    EXPECT_THROW((void)toGray8(values, 2, 2, {0.0F, 1.0F}, false), InvalidArgument);
}

TEST(ImageRgb, CountsColoursAndDifferences)
{
    RgbImage image{2, 1, {10, 20, 30, 10, 20, 34}};
    EXPECT_EQ(image.pixel(0, 0), 0x0A141EU);
    EXPECT_EQ(image.distinctColours(), 2U);
    EXPECT_EQ(image.countDifferent(0x0A141E), 1U);
    EXPECT_EQ(image.countDifferent(0x0A141E, 4), 0U);
}
} // namespace
} // namespace tomo::render
