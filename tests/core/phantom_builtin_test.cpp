#include "tomo/error.h"
#include "tomo/phantom.h"
#include "tomo/scene.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstddef>
#include <numbers>
#include <random>
#include <string>

namespace tomo
{
namespace
{
// Closed-form chords are exact to double rounding on 100 mm scales.
constexpr double kExactTolerance = 1e-9;
constexpr double kDegree = std::numbers::pi / 180.0;
// Yu et al. print their 2D FORBILD table to 5 decimals of a cm (1e-4 mm): chords through an
// interior point of such an ellipse are within a few 1e-4 mm of the exact ones. 1e-3 mm leaves
// margin and still catches a semi-axis 1e-4 (relative) off on these 8 to 36 mm chords.
constexpr double kPrintedTableToleranceMm = 1e-3;

double meanOf(const Volume& v)
{
    double sum = 0.0;
    for (const float x : v.data()) {
        sum += x;
    }
    return sum / static_cast<double>(v.data().size());
}

TEST(LinePairs, FrequenciesScaleWithTheRadius)
{
    const std::array<double, 8> expected{0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.6};
    const std::array<double, 8> f100 = linePairFrequencies(100.0);
    const std::array<double, 8> f10 = linePairFrequencies(10.0);
    for (std::size_t k = 0; k < expected.size(); ++k) {
        EXPECT_NEAR(f100[k], expected[k], kExactTolerance) << k;
        EXPECT_NEAR(f10[k], 10.0 * expected[k], kExactTolerance) << k;
    }
    EXPECT_THROW((void)linePairFrequencies(0.0), InvalidArgument);
}

TEST(LinePairs, RayAcrossTheCoarsestGroupCrossesFourBars)
{
    // R = 100 mm: group 0 sits at (0, 60) with 5 mm bars (0.1 lp/mm) 10 mm apart, 20 mm long,
    // at x = -15, -5, 5, 15 (±2.5). A ray along x at y = 60 crosses 160 mm of water
    // (2·√(100² − 60²)) and 4 · 5 mm of bar at +1 unit: (160 + 20)·μ.
    constexpr double kMu = 0.02;
    const Phantom p = linePairs2D(100.0, kMu);
    ASSERT_EQ(p.objects.size(), 1u + 8u * 4u);
    EXPECT_NEAR(lineIntegral(p, {-150, 60, 0}, {1, 0, 0}), (160.0 + 20.0) * kMu, kExactTolerance);
    // Through the middle of the bar at x = 15 along y: 2·√(100² − 15²) of water and the bar's
    // 20 mm length; no other group reaches x = 15.
    EXPECT_NEAR(lineIntegral(p, {15, -150, 0}, {0, 1, 0}),
                (2.0 * std::sqrt(100.0 * 100.0 - 15.0 * 15.0) + 20.0) * kMu, kExactTolerance);
    // Along y at x = 10, in the gap between the bars at 5 and 15 (edges at 7.5 and 12.5), and
    // past group 4 at the bottom (bars of 1/(2·0.3) mm at |x| ≤ 5.83): water only.
    EXPECT_NEAR(lineIntegral(p, {10, -150, 0}, {0, 1, 0}),
                2.0 * std::sqrt(100.0 * 100.0 - 10.0 * 10.0) * kMu, kExactTolerance);
    EXPECT_NEAR(valueAt(p, {15, 60, 0}), 2.0 * kMu, kExactTolerance);
    EXPECT_NEAR(valueAt(p, {10, 60, 0}), kMu, kExactTolerance);
}

TEST(LinePairs, BarsOfEveryGroupAreHalfAPeriodWide)
{
    const double radius = 40.0;
    const Phantom p = linePairs2D(radius, 1.0);
    const std::array<double, 8> f = linePairFrequencies(radius);
    for (std::size_t k = 0; k < f.size(); ++k) {
        const double angle = (90.0 - 45.0 * static_cast<double>(k)) * kDegree;
        for (std::size_t bar = 0; bar < 4; ++bar) {
            const AnalyticObject& o = p.objects[1 + 4 * k + bar];
            EXPECT_EQ(o.kind, ShapeKind::Box);
            EXPECT_NEAR(2.0 * o.semiAxes.x, 1.0 / (2.0 * f[k]), kExactTolerance) << k;
            EXPECT_NEAR(2.0 * o.semiAxes.y, 0.2 * radius, kExactTolerance) << k;
            // On the ring: the bar's centre lies 0.6·R out along the group's direction ...
            EXPECT_NEAR(o.centre.x * std::cos(angle) + o.centre.y * std::sin(angle), 0.6 * radius,
                        kExactTolerance)
                << k;
            // ... and (bar − 1.5) periods across it.
            EXPECT_NEAR(o.centre.x * std::sin(angle) - o.centre.y * std::cos(angle),
                        (static_cast<double>(bar) - 1.5) / f[k], kExactTolerance)
                << k << " " << bar;
        }
    }
}

TEST(LinePairs, ThreeDimensionalBarsAreExtrudedOverTheHeight)
{
    constexpr double kMu = 0.019;
    const Phantom p = linePairs3D(100.0, 50.0, kMu);
    EXPECT_NEAR(lineIntegral(p, {-150, 60, 24}, {1, 0, 0}), (160.0 + 20.0) * kMu, kExactTolerance);
    EXPECT_EQ(lineIntegral(p, {-150, 60, 26}, {1, 0, 0}), 0.0);
    // Along z through a bar: 50 mm of water and 50 mm of bar.
    EXPECT_NEAR(lineIntegral(p, {15, 60, -100}, {0, 0, 1}), 100.0 * kMu, kExactTolerance);
    EXPECT_THROW((void)linePairs3D(100.0, 0.0, kMu), InvalidArgument);
}

TEST(ContrastDetail, InsertsSitOnTheDocumentedGrid)
{
    constexpr double kRadius = 100.0;
    constexpr double kMu = 0.02;
    const double diameters[5] = {16, 12, 8, 5, 3};               // mm for R = 100
    const double contrasts[5] = {0.10, 0.05, 0.02, 0.01, 0.005}; // units of μ
    const Phantom p = contrastDetail2D(kRadius, kMu);
    ASSERT_EQ(p.objects.size(), 26u);
    EXPECT_NEAR(valueAt(p, {0, -90, 0}), kMu, kExactTolerance); // water below the grid
    for (int row = 0; row < 5; ++row) {
        const double y = (2 - row) * 25.0;
        double insertLengths = 0.0;
        for (int column = 0; column < 5; ++column) {
            const double x = (column - 2) * 25.0;
            const AnalyticObject& o = p.objects[static_cast<std::size_t>(1 + 5 * row + column)];
            EXPECT_NEAR(o.centre.x, x, kExactTolerance);
            EXPECT_NEAR(o.centre.y, y, kExactTolerance);
            EXPECT_NEAR(2.0 * o.semiAxes.x, diameters[column], kExactTolerance);
            const double inside = (1.0 + contrasts[row]) * kMu;
            EXPECT_NEAR(valueAt(p, {x, y, 0}), inside, kExactTolerance) << row << column;
            // Just outside the insert's edge: water.
            EXPECT_NEAR(valueAt(p, {x + 0.5 * diameters[column] + 0.01, y, 0}), kMu,
                        kExactTolerance);
            insertLengths += diameters[column];
        }
        // Along the row: the water chord plus each insert's diameter at its contrast.
        EXPECT_NEAR(lineIntegral(p, {-150, y, 0}, {1, 0, 0}),
                    (2.0 * std::sqrt(kRadius * kRadius - y * y) + contrasts[row] * insertLengths) *
                        kMu,
                    kExactTolerance)
            << row;
    }
    const Phantom p3 = contrastDetail3D(kRadius, 30.0, kMu);
    EXPECT_NEAR(lineIntegral(p3, {-50, 50, -100}, {0, 0, 1}), 30.0 * 1.10 * kMu, kExactTolerance);
    EXPECT_THROW((void)contrastDetail2D(-1.0, kMu), InvalidArgument);
}

TEST(ForbildHead, ValuesAtLandmarksAreThePublishedDensities)
{
    // radius 120 mm is the published size, so FORBILD's cm are 10 mm; μ = 1 per density unit.
    const Phantom p = forbildHead3D(120.0, 1.0);
    EXPECT_EQ(p.objects.size(), 15u + 144u);
    struct Landmark
    {
        Vec3 at;
        double density;
        const char* what;
    };
    const Landmark landmarks[] = {
        {{0, 1, 0}, 1.05, "brain, just above the centre"},
        // The centre itself lies on the top of ellipsoid 12 (y = −36 ± 36 mm).
        {{0, -1, 0}, 1.045, "ellipsoid 12"},
        {{-47, 43, 8.72}, 1.06, "eye"},
        {{-10.8, -90, 0}, 1.0525, "denser small sphere"},
        {{10.8, -90, 0}, 1.0475, "lighter small sphere"},
        {{0, 84, 0}, 0.0, "frontal sinus"},
        {{0, 96, 0}, 1.8, "septum 15 in the sinus"},
        {{0, 36, 0}, 1.8, "bony plate 14"},
        {{-43, 68, -25}, 1.8, "bony plate 10"},
        {{63.93945, -63.93945, 0}, 1.055, "clot 13"},
        {{-70, -10, 0}, 1.8, "first ellipsoid of the resolution pattern"},
        {{0, 117, 0}, 1.8, "skull"},
        {{0, 0, 122}, 1.8, "skull at the top"},
        {{0, 121, 0}, 0.0, "outside"},
    };
    for (const Landmark& l : landmarks) {
        EXPECT_NEAR(valueAt(p, l.at), l.density, kExactTolerance) << l.what;
    }
    EXPECT_NEAR(valueAt(forbildHead3D(60.0, 0.02), {0, 0.5, 0}), 1.05 * 0.02, kExactTolerance);
    EXPECT_THROW((void)forbildHead3D(0.0, 1.0), InvalidArgument);
}

TEST(ForbildHead, LineIntegralAlongTheMidlineIsTheSumOfItsChords)
{
    // Along y at x = z = 0 (published size, mm, densities added over what they replace):
    // skull 240 mm at +1.8, brain 228 at −0.75, ellipsoid 12 72 at −0.005, sinus 60 at −1.05,
    // septum 15 (2·10/√((cos 30°/0.525561)² + (sin 30°/2)²) ≈ 12 mm) at +1.8, and plate 14,
    // whose end caps (length 0.5·cos 15° cm along an axis 30° out of the plane) cut
    // 10·0.5·cos 15°/cos 30° mm of the line, at +0.75.
    const double septum = 2.0 * 10.0 / std::hypot(std::cos(30 * kDegree) / 0.525561, 0.25);
    const double plate = 10.0 * 0.5 * std::cos(15 * kDegree) / std::cos(30 * kDegree);
    const double expected =
        1.8 * 240 - 0.75 * 228 - 0.005 * 72 - 1.05 * 60 + 1.8 * septum + 0.75 * plate;
    EXPECT_NEAR(lineIntegral(forbildHead3D(120.0, 1.0), {0, -200, 0}, {0, 1, 0}), expected,
                kExactTolerance);
    EXPECT_NEAR(lineIntegral(forbildHead2D(120.0, 1.0), {0, -200, 0}, {0, 1, 0}), expected,
                kExactTolerance);
}

TEST(ForbildHead, CentralSliceEqualsTheThreeDimensionalPhantomInThePlane)
{
    const Phantom p3 = forbildHead3D(120.0, 1.0);
    const Phantom p2 = forbildHead2D(120.0, 1.0);
    EXPECT_EQ(p2.objects.size(), 15u + 80u);
    std::mt19937 random(7);
    std::uniform_real_distribution<double> coordinate(-125.0, 125.0);
    int compared = 0;
    for (int n = 0; n < 20000; ++n) {
        const Vec3 at{coordinate(random), coordinate(random), 0.0};
        // Plate 14's section has slightly curved ends that the rectangle makes straight.
        if (std::abs(std::abs(at.x) - 12.0) < 0.01 && std::abs(at.y - 36.0) < 3.0) {
            continue;
        }
        EXPECT_NEAR(valueAt(p2, at), valueAt(p3, at), kExactTolerance) << at.x << ", " << at.y;
        ++compared;
    }
    // The resolution pattern is too small for random points: probe its first element.
    for (int bar = 0; bar < 5; ++bar) {
        const Vec3 at{-70.0, -10.0 + 2.0 * 0.357 * bar, 0.0};
        EXPECT_NEAR(valueAt(p2, at), 1.8, kExactTolerance) << bar;
        EXPECT_NEAR(valueAt(p2, at + Vec3{0, 0.357, 0}), 1.05, kExactTolerance) << bar;
    }
    EXPECT_GT(compared, 19000);
}

TEST(ForbildHead, SliceOfATiltedEllipsoidMatchesThePublishedTwoDimensionalTable)
{
    // Yu, Noo, Dennerlein, Wunderlich, Lauritsch, Hornegger, "Simulation tools for
    // two-dimensional experiments in x-ray computed tomography using the FORBILD head phantom",
    // Phys. Med. Biol. 57 (2012) N237, Table 1, ellipse 8: centre (−1.9, 5.4) cm, semi-axes
    // 0.41633 and 1.17425 cm, rotated by 31.07698°; the eyes have radius 1.79989 cm. Our slice
    // computes them from the 3D definition, so agreement checks the 3D axes and sizes.
    const Phantom p2 = forbildHead2D(120.0, 1.0);
    Phantom table;
    table.addEllipse({.centreX = -19.0,
                      .centreY = 54.0,
                      .semiAxisA = 4.1633,
                      .semiAxisB = 11.7425,
                      .angle = 31.07698 * kDegree,
                      .value = 0.75});
    table.addEllipse({.centreX = -47.0,
                      .centreY = 43.0,
                      .semiAxisA = 17.9989,
                      .semiAxisB = 17.9989,
                      .value = 0.01});
    Phantom ours;
    for (const AnalyticObject& o : p2.objects) {
        const bool object8 =
            std::abs(o.centre.x + 19.0) < 1e-9 && std::abs(o.centre.y - 54.0) < 1e-9;
        const bool eye = std::abs(o.centre.x + 47.0) < 1e-9 && std::abs(o.centre.y - 43.0) < 1e-9;
        if (object8 || eye) {
            ours.objects.push_back(o);
        }
    }
    ASSERT_EQ(ours.objects.size(), 2u);
    for (int k = 0; k < 36; ++k) {
        const double angle = 5.0 * k * kDegree;
        const Vec3 direction{std::cos(angle), std::sin(angle), 0};
        for (const Vec3 through :
             {Vec3{-19, 54, 0}, Vec3{-20, 56, 0}, Vec3{-47, 43, 0}, Vec3{-40, 45, 0}}) {
            EXPECT_NEAR(lineIntegral(ours, through, direction),
                        lineIntegral(table, through, direction), kPrintedTableToleranceMm)
                << k;
        }
    }
}

TEST(Rasterise, SkippingObjectsThatHoldNoSampleChangesNothing)
{
    // rasterise only tests the objects whose bounds meet a voxel; the plain mean of valueAt over
    // the same samples must come out bit for bit, also on a turned, shifted grid.
    const Phantom p = forbildHead3D(60.0, 0.02);
    const double c = std::cos(0.4);
    const double s = std::sin(0.4);
    const VolumeGrid grid = VolumeGrid::make({24, 20, 6}, {3.1, 2.7, 4.3}, {-30, -25, -3},
                                             {c, 0, -s, 0, 1, 0, s, 0, c});
    constexpr unsigned kSamples = 3;
    const Volume fast = rasterise(p, grid, kSamples);
    const double inv = 1.0 / kSamples;
    for (std::size_t k = 0; k < 6; ++k) {
        for (std::size_t j = 0; j < 20; ++j) {
            for (std::size_t i = 0; i < 24; ++i) {
                double sum = 0.0;
                for (unsigned sk = 0; sk < kSamples; ++sk) {
                    for (unsigned sj = 0; sj < kSamples; ++sj) {
                        for (unsigned si = 0; si < kSamples; ++si) {
                            // Offsets formed as rasterise forms them, so the sums match bit
                            // for bit.
                            const double di = (si + 0.5) * inv - 0.5;
                            const double dj = (sj + 0.5) * inv - 0.5;
                            const double dk = (sk + 0.5) * inv - 0.5;
                            sum += valueAt(p, grid.voxelCentre(static_cast<double>(i) + di,
                                                               static_cast<double>(j) + dj,
                                                               static_cast<double>(k) + dk));
                        }
                    }
                }
                EXPECT_EQ(fast.at(i, j, k), static_cast<float>(sum * inv * inv * inv))
                    << i << " " << j << " " << k;
            }
        }
    }
}

TEST(Rasterise, MeanOfTheVoxelisedPhantomIsTheAnalyticMean)
{
    // Point samples 0.5 mm (2D) and 0.25 mm (3D, in the plane) apart misplace each edge by up to
    // half a sample; along the disc's, inserts' and bars' edges these errors mostly cancel:
    // measured 1.2e-4 and 3.2e-4 of the mean. 1e-3 still catches a missing bar group (1.2e-2),
    // a missing top row of inserts (1.2e-3) or a radius 0.1 % off (2e-3).
    constexpr double kRelativeTolerance = 1e-3;
    constexpr double kRadius = 100.0;
    constexpr double kMu = 0.02;
    const VolumeGrid grid = VolumeGrid::centred({110, 110, 1}, {2.0, 2.0, 2.0});
    const double area = 220.0 * 220.0;
    const double diameters[5] = {16, 12, 8, 5, 3};
    const double contrasts[5] = {0.10, 0.05, 0.02, 0.01, 0.005};
    double integral = std::numbers::pi * kRadius * kRadius;
    for (const double contrast : contrasts) {
        for (const double d : diameters) {
            integral += contrast * std::numbers::pi * d * d / 4.0;
        }
    }
    const double analytic = kMu * integral / area;
    const double measured = meanOf(rasterise(contrastDetail2D(kRadius, kMu), grid, 4));
    EXPECT_NEAR(measured, analytic, kRelativeTolerance * analytic)
        << "relative error " << (measured - analytic) / analytic;

    // The 3D bars: disc and 32 bars over a 40 mm height inside a 220 × 220 × 48 mm grid whose
    // z samples (4 mm apart, none on the end faces at ±20 mm) cover the height exactly.
    const Phantom bars = linePairs3D(kRadius, 40.0, kMu);
    const VolumeGrid grid3 = VolumeGrid::centred({220, 220, 3}, {1.0, 1.0, 16.0});
    double volume = std::numbers::pi * kRadius * kRadius * 40.0;
    for (const double f : linePairFrequencies(kRadius)) {
        volume += 4.0 * (1.0 / (2.0 * f)) * 20.0 * 40.0;
    }
    const double analytic3 = kMu * volume / (220.0 * 220.0 * 48.0);
    const double measured3 = meanOf(rasterise(bars, grid3, 4));
    EXPECT_NEAR(measured3, analytic3, kRelativeTolerance * analytic3)
        << "relative error " << (measured3 - analytic3) / analytic3;
}

TEST(BuiltInPhantoms, EveryNameBuildsAValidPhantom)
{
    const auto& names = builtInPhantomNames();
    ASSERT_EQ(names.size(), 9u);
    for (const std::string& name : names) {
        ObjectSpec object;
        object.phantom = name;
        const Phantom p = makePhantom(object);
        EXPECT_FALSE(p.objects.empty()) << name;
        EXPECT_NO_THROW(p.validate()) << name;
        // A 2D phantom is infinitely long along z: far above the plane it is what it is in it.
        const bool twoD = name.ends_with("-2d");
        EXPECT_NE(valueAt(p, {0, 2, 0}), 0.0) << name;
        EXPECT_EQ(valueAt(p, {0, 2, 1e6}) == valueAt(p, {0, 2, 0}), twoD) << name;
    }
    ObjectSpec unknown;
    unknown.phantom = "forbild";
    EXPECT_THROW((void)makePhantom(unknown), InvalidArgument);
}
} // namespace
} // namespace tomo
