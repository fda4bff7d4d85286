// Image quality metrics against values that follow from their definitions.
#include "common/test_support.h"
#include "tomo/error.h"
#include "tomo/metrics.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

namespace tomo
{
namespace
{
Volume background(const VolumeGrid& grid, float value)
{
    Volume v = Volume::zeros(grid);
    for (float& x : v.data()) {
        x = value;
    }
    return v;
}

TEST(Ssim, IsOneForIdenticalVolumesAndFallsWithNoise)
{
    const VolumeGrid grid = VolumeGrid::centred({24, 20, 6}, {1, 1, 1});
    Volume reference = Volume::zeros(grid);
    test::fillRandom(reference.data(), 3);
    EXPECT_NEAR(ssim(reference, reference), 1.0, 1e-12);
    std::mt19937 random(7);
    double previous = 1.0;
    for (double sigma : {0.02, 0.1, 0.3}) {
        Volume noisy = reference;
        std::normal_distribution<float> noise(0.0f, static_cast<float>(sigma));
        for (float& x : noisy.data()) {
            x += noise(random);
        }
        const double value = ssim(noisy, reference);
        EXPECT_LT(value, previous) << "sigma " << sigma;
        previous = value;
        const std::vector<double> slices = ssimPerSlice(noisy, reference);
        ASSERT_EQ(slices.size(), 6u);
        for (double s : slices) {
            EXPECT_LT(s, 1.0);
        }
    }
}

TEST(Ssim, AConstantShiftLeavesOnlyTheLuminanceTerm)
{
    // y = x + c: equal variances and covariance, so SSIM = (2μ(μ+c) + C1) / (μ² + (μ+c)² + C1)
    // wherever the window sees only the background μ. One bright voxel sets the range L = 1
    // and disturbs the windows around it (11³ of 40³ voxels: 2% of the mean, bounded by 0.05).
    constexpr float kMu = 0.2f;
    constexpr float kShift = 0.05f;
    constexpr double kNearTheBrightVoxel = 0.05 * 11 * 11 * 11 / (40.0 * 40 * 40);
    const VolumeGrid grid = VolumeGrid::centred({40, 40, 40}, {1, 1, 1});
    Volume x = background(grid, kMu);
    x.at(20, 20, 20) = kMu + 1.0f;
    Volume y = x;
    for (float& v : y.data()) {
        v += kShift;
    }
    const double c1 = 0.01 * 0.01;
    const double mu = kMu;
    const double expected =
        (2 * mu * (mu + kShift) + c1) / (mu * mu + (mu + kShift) * (mu + kShift) + c1);
    EXPECT_NEAR(ssim(y, x), expected, kNearTheBrightVoxel);
    EXPECT_LT(ssim(y, x), 1.0);
}

TEST(HermanDistances, FollowTheirDefinitions)
{
    const VolumeGrid grid = VolumeGrid::centred({8, 6, 2}, {1, 1, 1});
    Volume reference = Volume::zeros(grid);
    test::fillRandom(reference.data(), 11);
    double mean = 0.0;
    for (float v : reference.data()) {
        mean += v;
    }
    mean /= static_cast<double>(reference.data().size());
    // The mean image is at d = 1 by definition; the zero image at r = 1.
    EXPECT_NEAR(hermanDistances(background(grid, static_cast<float>(mean)), reference).d, 1.0,
                1e-6);
    EXPECT_NEAR(hermanDistances(background(grid, 0.0f), reference).r, 1.0, 1e-12);
    // One voxel off by 0.4: its 2x2 block's mean is off by 0.1.
    Volume one = reference;
    one.at(3, 2, 1) += 0.4f;
    const HermanDistances h = hermanDistances(one, reference);
    EXPECT_NEAR(h.e, 0.1, 1e-6);
    EXPECT_GT(h.d, 0.0);
    EXPECT_NEAR(hermanDistances(reference, reference).e, 0.0, 0.0);
}

TEST(LineProfile, ReproducesALinearFunctionInsideTheGrid)
{
    const VolumeGrid grid = VolumeGrid::make({10, 12, 8}, {1.5, 1.0, 2.0}, {-5, -4, 3});
    Volume v = Volume::zeros(grid);
    auto f = [](Vec3 p) {
        return 2.0 * p.x + 3.0 * p.y - p.z;
    };
    for (std::size_t k = 0; k < 8; ++k) {
        for (std::size_t j = 0; j < 12; ++j) {
            for (std::size_t i = 0; i < 10; ++i) {
                v.at(i, j, k) = static_cast<float>(f(grid.voxelCentre(
                    static_cast<double>(i), static_cast<double>(j), static_cast<double>(k))));
            }
        }
    }
    const Vec3 from{-3.0, -2.5, 5.0};
    const Vec3 to{6.0, 5.0, 15.0};
    const std::vector<double> profile = lineProfile(v, from, to, 7);
    ASSERT_EQ(profile.size(), 7u);
    for (std::size_t s = 0; s < 7; ++s) {
        const Vec3 p = from + (to - from) * (static_cast<double>(s) / 6.0);
        EXPECT_NEAR(profile[s], f(p), 1e-4) << "sample " << s; // float voxels of ~30
    }
    EXPECT_EQ(lineProfile(v, {100, 0, 0}, {101, 0, 0}, 2)[0], 0.0); // outside: zero
    EXPECT_THROW((void)lineProfile(v, from, to, 1), InvalidArgument);
}
} // namespace
} // namespace tomo
