#include "tomo/error.h"
#include "tomo/render/image_compare.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <random>
#include <string>

namespace tomo::render
{
namespace
{
// A plain checkerboard-and-gradient picture with structure at every scale the window sees.
RgbImage testPicture(int width, int height, int shift = 0)
{
    RgbImage image;
    image.width = width;
    image.height = height;
    image.rgb.resize(static_cast<std::size_t>(width * height * 3));
    for (int y = 0; y < height; ++y) {
        for (int x = 0; x < width; ++x) {
            const int xs = x - shift;
            const bool dark = ((xs / 8) + (y / 8)) % 2 == 0;
            const auto i = static_cast<std::size_t>(3 * (y * width + x));
            image.rgb[i] = static_cast<std::uint8_t>(dark ? 30 : 220);
            image.rgb[i + 1] = static_cast<std::uint8_t>((xs * 255) / width);
            image.rgb[i + 2] = static_cast<std::uint8_t>((y * 255) / height);
        }
    }
    return image;
}

// Smallest change of the checkerboard's phase (a 2-pixel shift of 8-pixel squares) must read as
// clearly different: above the golden-test threshold by a factor of two.
constexpr double kShiftedMinError = 2.0 * kDefaultImageErrorThreshold;
// ±2 grey levels of noise on every channel (far more than GL rasterisation differences between
// runs) must stay well inside the threshold.
constexpr double kNoisyMaxError = 0.5 * kDefaultImageErrorThreshold;

TEST(ImageCompare, IdenticalImagesHaveZeroError)
{
    const RgbImage a = testPicture(64, 48);
    const ImageDifference d = compareImages(a, a);
    EXPECT_FALSE(d.sizesDiffer);
    EXPECT_NEAR(d.error, 0.0, 1e-12);
    EXPECT_EQ(d.diff.countDifferent(0x000000), 0U);
}

TEST(ImageCompare, ShiftedStructureExceedsThreshold)
{
    const ImageDifference d = compareImages(testPicture(64, 48), testPicture(64, 48, 2));
    EXPECT_GT(d.error, kShiftedMinError);
    EXPECT_GT(d.diff.countDifferent(0x000000), 0U);
}

TEST(ImageCompare, SmallNoiseStaysBelowThreshold)
{
    const RgbImage a = testPicture(64, 48);
    RgbImage b = a;
    std::mt19937 rng(7);
    std::uniform_int_distribution<int> noise(-2, 2);
    for (auto& c : b.rgb) {
        c = static_cast<std::uint8_t>(std::clamp(int{c} + noise(rng), 0, 255));
    }
    EXPECT_LT(compareImages(a, b).error, kNoisyMaxError);
}

TEST(ImageCompare, DifferentSizesAreReportedAsSuch)
{
    const ImageDifference d = compareImages(testPicture(64, 48), testPicture(48, 64));
    EXPECT_TRUE(d.sizesDiffer);
    EXPECT_EQ(d.error, 1.0);
    EXPECT_TRUE(d.diff.empty());
}

TEST(ImageCompare, PngRoundTripIsExact)
{
    const RgbImage a = testPicture(37, 23);
    const auto path = std::filesystem::temp_directory_path() / "tomo_image_compare_round_trip.png";
    writePng(a, path);
    const RgbImage b = readPng(path);
    std::filesystem::remove(path);
    EXPECT_EQ(b.width, a.width);
    EXPECT_EQ(b.height, a.height);
    EXPECT_EQ(b.rgb, a.rgb);
}

TEST(ImageCompare, MissingPngNamesThePath)
{
    try {
        (void)readPng("/nonexistent/baseline.png");
        FAIL() << "expected IoError";
    } catch (const IoError& e) {
        EXPECT_NE(std::string(e.what()).find("/nonexistent/baseline.png"), std::string::npos);
    }
}

TEST(ImageCompare, EmptyImageIsRefusedOnWrite)
{
    EXPECT_THROW(writePng(RgbImage{}, std::filesystem::temp_directory_path() / "tomo_empty.png"),
                 InvalidArgument);
}
} // namespace
} // namespace tomo::render
