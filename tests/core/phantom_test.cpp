#include "tomo/error.h"
#include "tomo/phantom.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

namespace tomo
{
namespace
{
// Closed-form chords are exact to double rounding on 100 mm scales.
constexpr double kExactTolerance = 1e-9;
// A midpoint sum with 1e5 steps over 400 mm resolves a chord to ~4e-3 mm at the two ends.
constexpr double kNumericalToleranceMm = 1e-2;

TEST(Phantom, ChordThroughAnEllipseCentreIsTwiceTheSemiAxis)
{
    Phantom p;
    p.addEllipse(
        {.centreX = 10, .centreY = -5, .semiAxisA = 30, .semiAxisB = 20, .angle = 0, .value = 0.5});
    EXPECT_NEAR(lineIntegral(p, {0, -5, 0}, {1, 0, 0}), 0.5 * 60.0, kExactTolerance);
    EXPECT_NEAR(lineIntegral(p, {10, 100, 0}, {0, -2, 0}), 0.5 * 40.0, kExactTolerance);
    EXPECT_EQ(lineIntegral(p, {0, 100, 0}, {1, 0, 0}), 0.0); // misses
}

TEST(Phantom, RotatedEllipseMatchesANumericalIntegral)
{
    Phantom p;
    p.addEllipse(
        {.centreX = 3, .centreY = 7, .semiAxisA = 40, .semiAxisB = 15, .angle = 0.6, .value = 1.0});
    p.addEllipse({.centreX = -5,
                  .centreY = 0,
                  .semiAxisA = 10,
                  .semiAxisB = 25,
                  .angle = -0.3,
                  .value = -0.25});
    const Vec3 origin{-200, -30, 0};
    const Vec3 dir{std::cos(0.3), std::sin(0.3), 0};
    constexpr int kSteps = 100000;
    constexpr double kLength = 400.0;
    double numeric = 0.0;
    for (int s = 0; s < kSteps; ++s) {
        const double t = (s + 0.5) * kLength / kSteps;
        numeric += valueAt(p, origin + t * dir) * kLength / kSteps;
    }
    EXPECT_NEAR(lineIntegral(p, origin, dir), numeric, kNumericalToleranceMm);
}

TEST(Phantom, SheppLoganHasTenEllipsesScaledToTheRadius)
{
    const Phantom p = sheppLogan2D(SheppLoganVariant::Modified, 100.0, 0.02);
    ASSERT_EQ(p.objects.size(), 10u);
    EXPECT_DOUBLE_EQ(p.objects[0].semiAxes.y, 92.0);
    EXPECT_DOUBLE_EQ(p.objects[0].value, 0.02);
    // Inside the brain: 1 - 0.8 = 0.2 table units.
    EXPECT_NEAR(valueAt(p, {0, -50, 0}), 0.2 * 0.02, kExactTolerance);
    EXPECT_THROW((void)sheppLogan2D(SheppLoganVariant::Original, -1.0, 0.02), InvalidArgument);
}

TEST(Phantom, RasteriseAveragesSubsamples)
{
    Phantom p;
    // A half-plane-like ellipse edge through the middle of voxel column 2 of a 1 mm grid.
    p.addEllipse({.centreX = 1000.0,
                  .centreY = 0,
                  .semiAxisA = 1000.0,
                  .semiAxisB = 1e6,
                  .angle = 0,
                  .value = 1.0});
    const VolumeGrid g = VolumeGrid::make({5, 1, 1}, {1, 1, 1}, {-2, 0, 0});
    const Volume v = rasterise(p, g, 4);
    EXPECT_FLOAT_EQ(v.at(0, 0, 0), 0.0f);
    EXPECT_FLOAT_EQ(v.at(2, 0, 0), 0.5f);
    EXPECT_FLOAT_EQ(v.at(4, 0, 0), 1.0f);
    EXPECT_THROW((void)rasterise(p, g, 0), InvalidArgument);
}

TEST(Phantom, ValidateNamesTheBadEllipse)
{
    Phantom p;
    p.addEllipse({.semiAxisA = 1, .semiAxisB = 1});
    p.addEllipse({.semiAxisA = 0, .semiAxisB = 1});
    try {
        p.validate();
        FAIL() << "no exception";
    } catch (const InvalidArgument& e) {
        EXPECT_NE(std::string(e.what()).find("objects[1].semi_axes_mm[0]"), std::string::npos)
            << e.what();
    }
}
} // namespace
} // namespace tomo
