#include "common/test_support.h"
#include "tomo/error.h"
#include "tomo/phantom.h"
#include "tomo/phantom_io.h"
#include "tomo/scene.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <numbers>
#include <string>

namespace tomo
{
namespace
{
// Closed-form chords are exact to double rounding on 100 mm scales.
constexpr double kExactTolerance = 1e-9;
// A midpoint sum with 2e5 steps over 400 mm resolves each of the ~4 boundary crossings of a ray
// to half a 2 µm step, i.e. ~4e-3 mm of path; 1e-2 mm leaves margin and still catches a wrong
// semi-axis or rotation by orders of magnitude.
constexpr double kNumericalToleranceMm = 1e-2;
// Rasterised values are float; a mean of samples that are exactly 0 or 1 is exact in float.
constexpr float kFloatExact = 0.0f;
// 8³ samples per voxel on 1 mm voxels resolve a 10 mm ellipsoid's volume to ~0.2 %.
constexpr double kVolumeRelativeTolerance = 5e-3;
constexpr double kDegree = std::numbers::pi / 180.0;

double numericalIntegral(const Phantom& p, Vec3 origin, Vec3 unitDirection)
{
    constexpr int kSteps = 200000;
    constexpr double kLength = 400.0;
    const Vec3 start = origin - 0.5 * kLength * unitDirection;
    double sum = 0.0;
    for (int s = 0; s < kSteps; ++s) {
        const double t = (s + 0.5) * kLength / kSteps;
        sum += valueAt(p, start + t * unitDirection);
    }
    return sum * kLength / kSteps;
}

Vec3 unit(Vec3 a)
{
    return (1.0 / norm(a)) * a;
}

Phantom single(ShapeKind kind, Vec3 centre, Vec3 semiAxes, Rotation rotation, double value)
{
    Phantom p;
    p.objects.push_back({.kind = kind,
                         .centre = centre,
                         .semiAxes = semiAxes,
                         .rotation = rotation,
                         .value = value});
    return p;
}

Vec3 apply(const Rotation& r, Vec3 v)
{
    return {r[0] * v.x + r[1] * v.y + r[2] * v.z, r[3] * v.x + r[4] * v.y + r[5] * v.z,
            r[6] * v.x + r[7] * v.y + r[8] * v.z};
}

TEST(Phantom3D, EulerAnglesFollowTheZxzConvention)
{
    // R_z(90°)·R_x(90°): local x → world y, local y → world z, local z → world x.
    const Rotation r = rotationFromEuler(90 * kDegree, 90 * kDegree, 0.0);
    const Vec3 x = apply(r, {1, 0, 0});
    const Vec3 y = apply(r, {0, 1, 0});
    const Vec3 z = apply(r, {0, 0, 1});
    EXPECT_NEAR(norm(x - Vec3{0, 1, 0}), 0.0, kExactTolerance);
    EXPECT_NEAR(norm(y - Vec3{0, 0, 1}), 0.0, kExactTolerance);
    EXPECT_NEAR(norm(z - Vec3{1, 0, 0}), 0.0, kExactTolerance);
    // phi alone is the in-plane counter-clockwise rotation.
    const Vec3 v = apply(rotationFromEuler(0.3, 0.0, 0.0), {2, 1, 5});
    EXPECT_NEAR(norm(v - rotateZ({2, 1, 5}, 0.3)), 0.0, kExactTolerance);
    // The decomposition inverts the construction, also at the gimbal angle theta = 0.
    for (const std::array<double, 3> e :
         {std::array<double, 3>{0.4, 1.1, -2.0}, std::array<double, 3>{-2.5, 0.0, 0.0},
          std::array<double, 3>{1.0, 3.0, 0.5}}) {
        const std::array<double, 3> back = eulerFromRotation(rotationFromEuler(e[0], e[1], e[2]));
        for (std::size_t a = 0; a < 3; ++a) {
            EXPECT_NEAR(back[a], e[a], kExactTolerance) << "angle " << a;
        }
    }
}

TEST(Phantom3D, EllipsoidChordsAlongItsAxesAreTwiceTheSemiAxes)
{
    const Vec3 c{5, -3, 8};
    const Phantom p = single(ShapeKind::Ellipsoid, c, {30, 20, 10}, kIdentityRotation, 0.5);
    EXPECT_NEAR(lineIntegral(p, c, {1, 0, 0}), 0.5 * 60.0, kExactTolerance);
    EXPECT_NEAR(lineIntegral(p, c + Vec3{0, 50, 0}, {0, -3, 0}), 0.5 * 40.0, kExactTolerance);
    EXPECT_NEAR(lineIntegral(p, c, {0, 0, 1}), 0.5 * 20.0, kExactTolerance);
    // Off-centre along x at height z = 5: the section is an ellipse of semi-axis 30·√(1 − ¼).
    EXPECT_NEAR(lineIntegral(p, c + Vec3{0, 0, 5}, {1, 0, 0}), 0.5 * 60.0 * std::sqrt(0.75),
                kExactTolerance);
    EXPECT_EQ(lineIntegral(p, c + Vec3{0, 0, 10.5}, {1, 0, 0}), 0.0); // misses
}

TEST(Phantom3D, RotatedEllipsoidChordFollowsItsRotatedAxes)
{
    const Rotation r = rotationFromEuler(0.7, -0.4, 1.9);
    const Vec3 c{-12, 4, 30};
    const Phantom p = single(ShapeKind::Ellipsoid, c, {40, 15, 25}, r, 2.0);
    EXPECT_NEAR(lineIntegral(p, c, apply(r, {1, 0, 0})), 2.0 * 80.0, kExactTolerance);
    EXPECT_NEAR(lineIntegral(p, c, apply(r, {0, 1, 0})), 2.0 * 30.0, kExactTolerance);
    EXPECT_NEAR(lineIntegral(p, c, apply(r, {0, 0, 1})), 2.0 * 50.0, kExactTolerance);
    const Vec3 origin = c + Vec3{3, -5, 2};
    const Vec3 dir = unit({0.3, 1.0, -0.6});
    EXPECT_NEAR(lineIntegral(p, origin, dir), numericalIntegral(p, origin, dir),
                2.0 * kNumericalToleranceMm);
}

TEST(Phantom3D, BoxChordsAlongAxesAndDiagonals)
{
    const Vec3 c{1, 2, 3};
    const Phantom p = single(ShapeKind::Box, c, {10, 20, 30}, kIdentityRotation, 1.0);
    EXPECT_NEAR(lineIntegral(p, c, {-1, 0, 0}), 20.0, kExactTolerance);
    EXPECT_NEAR(lineIntegral(p, c + Vec3{9, -19, 0}, {0, 0, 2}), 60.0, kExactTolerance);
    // Through two opposite corners: the full space diagonal.
    const Vec3 half{10, 20, 30};
    EXPECT_NEAR(lineIntegral(p, c, half), 2.0 * norm(half), kExactTolerance);
    // In the xy plane at 45°: leaves through the x faces, chord 2·10·√2.
    EXPECT_NEAR(lineIntegral(p, c, {1, 1, 0}), 20.0 * std::sqrt(2.0), kExactTolerance);
}

TEST(Phantom3D, BoxSlabEdgeCases)
{
    const Phantom p = single(ShapeKind::Box, {}, {10, 20, 30}, kIdentityRotation, 1.0);
    // Parallel to the x faces, just inside and just outside.
    EXPECT_NEAR(lineIntegral(p, {9.999, 0, 0}, {0, 1, 0}), 40.0, kExactTolerance);
    EXPECT_EQ(lineIntegral(p, {10.001, 0, 0}, {0, 1, 0}), 0.0);
    // In a face plane (surface points count as inside) and along an edge.
    EXPECT_NEAR(lineIntegral(p, {10, 0, 0}, {0, 1, 0}), 40.0, kExactTolerance);
    EXPECT_NEAR(lineIntegral(p, {10, 20, 0}, {0, 0, 1}), 60.0, kExactTolerance);
    // Touching only an edge obliquely: a single point, no length.
    EXPECT_EQ(lineIntegral(p, {10, 20, 0}, {1, -1, 0}), 0.0);
    // Parallel to two pairs of faces at once, outside one of them.
    EXPECT_EQ(lineIntegral(p, {0, 25, 0}, {0, 0, 1}), 0.0);
}

TEST(Phantom3D, RotatedBoxMatchesANumericalIntegral)
{
    const Rotation r = rotationFromEuler(-0.5, 0.9, 0.3);
    const Phantom p = single(ShapeKind::Box, {5, -7, 2}, {25, 12, 40}, r, 0.75);
    EXPECT_NEAR(lineIntegral(p, {5, -7, 2}, apply(r, {0, 1, 0})), 0.75 * 24.0, kExactTolerance);
    const Vec3 origin{2, -3, 10};
    const Vec3 dir = unit({1.0, 0.4, -0.2});
    EXPECT_NEAR(lineIntegral(p, origin, dir), numericalIntegral(p, origin, dir),
                kNumericalToleranceMm);
}

TEST(Phantom3D, FiniteCylinderChordsThroughSideAndCaps)
{
    const Phantom p = single(ShapeKind::Cylinder, {}, {10, 10, 5}, kIdentityRotation, 1.0);
    EXPECT_NEAR(lineIntegral(p, {0, 0, 0}, {0, 0, 1}), 10.0, kExactTolerance); // along the axis
    EXPECT_NEAR(lineIntegral(p, {0, 3, 0}, {1, 0, 0}), 2.0 * std::sqrt(91.0), kExactTolerance);
    // At 45° through the centre the caps cut first: z = ±5 at x = ±5.
    EXPECT_NEAR(lineIntegral(p, {0, 0, 0}, {1, 0, 1}), 10.0 * std::sqrt(2.0), kExactTolerance);
    // Shallow: leaves through the side at x = ±10, z = ±1.
    EXPECT_NEAR(lineIntegral(p, {0, 0, 0}, {1, 0, 0.1}), 20.0 * std::sqrt(1.01), kExactTolerance);
    // Enters through a cap and leaves through the side: from (−5, 0, 5) to (10, 0, 2).
    const Vec3 d = unit({15, 0, -3});
    EXPECT_NEAR(lineIntegral(p, {-5, 0, 5}, d), norm({15, 0, -3}), kExactTolerance);
    EXPECT_EQ(lineIntegral(p, {0, 0, 6}, {1, 0, 0}), 0.0);  // above the top cap
    EXPECT_EQ(lineIntegral(p, {11, 0, 0}, {0, 0, 1}), 0.0); // outside, along the axis
}

TEST(Phantom3D, RotatedEllipticCylinderMatchesANumericalIntegral)
{
    const Rotation r = rotationFromEuler(1.2, 0.6, -0.8);
    const Vec3 c{-4, 6, -9};
    const Phantom p = single(ShapeKind::Cylinder, c, {30, 12, 35}, r, 1.5);
    EXPECT_NEAR(lineIntegral(p, c, apply(r, {0, 0, 1})), 1.5 * 70.0, kExactTolerance);
    EXPECT_NEAR(lineIntegral(p, c, apply(r, {1, 0, 0})), 1.5 * 60.0, kExactTolerance);
    for (const Vec3 dir : {unit({1.0, 0.2, 0.7}), unit({-0.1, 0.3, 1.0}), unit({0, 1, 0})}) {
        const Vec3 origin = c + Vec3{2, -1, 5};
        EXPECT_NEAR(lineIntegral(p, origin, dir), numericalIntegral(p, origin, dir),
                    1.5 * kNumericalToleranceMm);
    }
}

TEST(Phantom3D, InfiniteCylinderIsTheTwoDimensionalEllipse)
{
    Phantom p;
    p.addEllipse({.centreX = 3, .semiAxisA = 20, .semiAxisB = 10, .angle = 0.4, .value = 1.0});
    ASSERT_EQ(p.objects[0].kind, ShapeKind::Cylinder);
    EXPECT_TRUE(std::isinf(p.objects[0].semiAxes.z));
    EXPECT_NO_THROW(p.validate());
    // Any height sees the same section; a ray along z inside it sees an infinite length.
    EXPECT_EQ(lineIntegral(p, {0, 0, 500}, {1, 0, 0}), lineIntegral(p, {0, 0, 0}, {1, 0, 0}));
    EXPECT_TRUE(std::isinf(lineIntegral(p, {3, 0, 0}, {0, 0, 1})));
    EXPECT_EQ(lineIntegral(p, {300, 0, 0}, {0, 0, 1}), 0.0);
}

// The former 2D-only ellipse code, kept here in its arithmetic to pin the 2D results; the new
// code multiplies the same factors in another order, so they agree to a few ulps.
constexpr double kUlps = 1e-15;
double formerLineIntegral(const Ellipse& e, Vec3 p, Vec3 r)
{
    const double c = std::cos(e.angle);
    const double s = std::sin(e.angle);
    const double dx = p.x - e.centreX;
    const double dy = p.y - e.centreY;
    const double px = (c * dx + s * dy) / e.semiAxisA;
    const double py = (-s * dx + c * dy) / e.semiAxisB;
    const double rx = (c * r.x + s * r.y) / e.semiAxisA;
    const double ry = (-s * r.x + c * r.y) / e.semiAxisB;
    const double a = rx * rx + ry * ry;
    const double b = px * rx + py * ry;
    const double cc = px * px + py * py - 1.0;
    const double disc = b * b - a * cc;
    return disc > 0.0 ? e.value * 2.0 * std::sqrt(disc) / a * std::hypot(r.x, r.y) : 0.0;
}

TEST(Phantom3D, SheppLogan2DLineIntegralsAreUnchangedInThePlane)
{
    constexpr double kRadius = 100.0;
    constexpr double kMu = 0.02;
    const Phantom p = sheppLogan2D(SheppLoganVariant::Modified, kRadius, kMu);
    const double ellipse9[] = {0.0, -0.605, 0.023, 0.023, 0.0, 0.1};
    const Ellipse e{.centreX = ellipse9[0] * kRadius,
                    .centreY = ellipse9[1] * kRadius,
                    .semiAxisA = ellipse9[2] * kRadius,
                    .semiAxisB = ellipse9[3] * kRadius,
                    .angle = ellipse9[4],
                    .value = ellipse9[5] * kMu};
    Phantom one;
    one.addEllipse(e);
    for (int k = 0; k < 50; ++k) {
        const double angle = 0.13 * k;
        const Vec3 dir{std::cos(angle), std::sin(angle), 0.0};
        const Vec3 origin{-1.0 + 0.05 * k, -60.5 + 0.03 * k, 0.0};
        const double former = formerLineIntegral(e, origin, dir);
        EXPECT_NEAR(lineIntegral(one, origin, dir), former, kUlps * std::abs(former)) << k;
    }
    EXPECT_GT(lineIntegral(p, {0, 0, 0}, {0, 1, 0}), 0.0);
}

TEST(Phantom3D, SheppLogan3DOuterEllipsoidChord)
{
    constexpr double kRadius = 100.0;
    constexpr double kMu = 0.02;
    const Phantom p = sheppLogan3D(SheppLoganVariant::Modified, kRadius, kMu);
    ASSERT_EQ(p.objects.size(), 10u);
    EXPECT_DOUBLE_EQ(p.objects[0].semiAxes.z, 81.0);
    // At y = 90 mm only the skull (b = 92 mm) is crossed: the second ellipsoid ends at
    // −1.84 + 87.4 = 85.56 mm.
    const double y = 90.0;
    const double chord = 2.0 * 69.0 * std::sqrt(1.0 - (y / 92.0) * (y / 92.0));
    EXPECT_NEAR(lineIntegral(p, {0, y, 0}, {1, 0, 0}), kMu * chord, kExactTolerance);
    // Along z at x = y = 0: the skull (2·81 mm at 1.0) and the brain (−0.8), whose centre is
    // 1.84 mm below the axis; no other ellipsoid reaches the axis.
    const double brain = 2.0 * 78.0 * std::sqrt(1.0 - (1.84 / 87.4) * (1.84 / 87.4));
    EXPECT_NEAR(lineIntegral(p, {0, 0, -500}, {0, 0, 1}), kMu * (162.0 - 0.8 * brain),
                kExactTolerance);
    // Inside the brain away from the small ellipsoids: 1 − 0.8 table units.
    EXPECT_NEAR(valueAt(p, {0, -40, -40}), 0.2 * kMu, kExactTolerance);
    const Phantom original = sheppLogan3D(SheppLoganVariant::Original, kRadius, kMu);
    EXPECT_NEAR(valueAt(original, {0, -40, -40}), (2.0 - 0.98) * kMu, kExactTolerance);
    EXPECT_THROW((void)sheppLogan3D(SheppLoganVariant::Modified, 0.0, kMu), InvalidArgument);
}

TEST(Phantom3D, WaterCylinderIsUniformAlongZ)
{
    const Phantom p = waterCylinder(50.0, 80.0, 0.019);
    EXPECT_NEAR(lineIntegral(p, {0, 0, 0}, {0, 0, 1}), 0.019 * 80.0, kExactTolerance);
    EXPECT_NEAR(lineIntegral(p, {0, 0, 39}, {1, 0, 0}), 0.019 * 100.0, kExactTolerance);
    EXPECT_EQ(valueAt(p, {0, 0, 41}), 0.0);
    EXPECT_THROW((void)waterCylinder(50.0, -1.0, 0.019), InvalidArgument);
}

TEST(Phantom3D, RasteriseHalfCoveredVoxelsGetHalf)
{
    // A box face through the centres of voxel column i = 2 (x = 0): left half in, right out.
    const Phantom p = single(ShapeKind::Box, {-5, 0, 0}, {5, 10, 10}, kIdentityRotation, 1.0);
    const VolumeGrid g = VolumeGrid::make({5, 3, 3}, {1, 1, 1}, {-2, -1, -1});
    const Volume v = rasterise(p, g, 4);
    for (std::size_t k = 0; k < 3; ++k) {
        for (std::size_t j = 0; j < 3; ++j) {
            EXPECT_NEAR(v.at(1, j, k), 1.0f, kFloatExact);
            EXPECT_NEAR(v.at(2, j, k), 0.5f, kFloatExact);
            EXPECT_NEAR(v.at(3, j, k), 0.0f, kFloatExact);
        }
    }
}

TEST(Phantom3D, RasteriseTotalEqualsTheAnalyticVolume)
{
    // Faces at ±2.5, ±1.5 and ±3 fall on voxel boundaries or voxel centres (z: half voxels),
    // so the rasterised volume is exact: 5·3·6 mm³.
    const Phantom box = single(ShapeKind::Box, {}, {2.5, 1.5, 3}, kIdentityRotation, 2.0);
    const VolumeGrid g = VolumeGrid::centred({9, 9, 9}, {1, 1, 1});
    const Volume v = rasterise(box, g, 4);
    double total = 0.0;
    for (const float x : v.data()) {
        total += x;
    }
    EXPECT_DOUBLE_EQ(total, 2.0 * 5.0 * 3.0 * 6.0);
    EXPECT_NEAR(v.at(4, 4, 1), 1.0f, kFloatExact); // z = -3 is a face through the centre

    const Phantom ball = single(ShapeKind::Ellipsoid, {0.3, -0.2, 0.1}, {5, 4, 3},
                                rotationFromEuler(0.3, 0.5, 0.0), 1.0);
    const VolumeGrid fine = VolumeGrid::centred({14, 14, 14}, {1, 1, 1});
    const Volume rasterised = rasterise(ball, fine, 8);
    double sum = 0.0;
    for (const float x : rasterised.data()) {
        sum += x;
    }
    const double exact = 4.0 / 3.0 * std::numbers::pi * 5.0 * 4.0 * 3.0;
    EXPECT_NEAR(sum, exact, kVolumeRelativeTolerance * exact);
}

TEST(Phantom3D, RasteriseHonoursDirectionCosines)
{
    // Index axes i → world y, j → world −x, k → z. The box is one voxel wide in x and z but
    // half a voxel in y, so only sub-samples offset along i (world y) are cut.
    const Phantom p = single(ShapeKind::Box, {0, 3, 0}, {0.5, 0.25, 0.5}, kIdentityRotation, 1.0);
    const VolumeGrid g =
        VolumeGrid::make({7, 7, 3}, {1, 1, 1}, {0, 0, -1}, {0, -1, 0, 1, 0, 0, 0, 0, 1});
    const Volume v = rasterise(p, g, 4);
    EXPECT_NEAR(v.at(3, 0, 1), 0.5f, kFloatExact); // voxel centre (0, 3, 0)
    double total = 0.0;
    for (const float x : v.data()) {
        total += x;
    }
    EXPECT_EQ(total, 0.5);
}

class PhantomFiles : public ::testing::Test
{
protected:
    void SetUp() override
    {
        m_dir = std::filesystem::temp_directory_path() /
                ("tomo_phantom3d_test_" +
                 std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
                 ::testing::UnitTest::GetInstance()->current_test_info()->name());
        std::filesystem::create_directories(m_dir);
    }
    void TearDown() override { std::filesystem::remove_all(m_dir); }

    std::filesystem::path writeText(const std::string& name, const std::string& text) const
    {
        const std::filesystem::path path = m_dir / name;
        std::ofstream(path) << text;
        return path;
    }

    std::filesystem::path m_dir;
};

std::string messageOf(const std::function<void()>& f)
{
    try {
        f();
    } catch (const Error& e) {
        return e.what();
    }
    return "no exception";
}

TEST_F(PhantomFiles, JsonRoundTripIsExact)
{
    Phantom p = sheppLogan3D(SheppLoganVariant::Modified, 97.3, 0.0193);
    p.objects.push_back({.kind = ShapeKind::Box,
                         .centre = {1.0 / 3.0, -2, 7},
                         .semiAxes = {4, 5, 6},
                         .rotation = rotationFromEuler(0.123456789, 1.0 / 7.0, -2.0),
                         .value = -0.001});
    p.objects.push_back(toObject({.centreX = 2, .semiAxisA = 3, .semiAxisB = 4, .angle = 0.1}));
    p.objects.push_back(waterCylinder(20, 30, 0.02).objects[0]);
    const std::filesystem::path path = m_dir / "p.json";
    writePhantom(p, path);
    EXPECT_EQ(readPhantom(path), p);
    EXPECT_EQ(parsePhantom(toJson(p)), p);
    // Rotations given in degrees are written back in degrees.
    EXPECT_NE(toJson(sheppLogan3D(SheppLoganVariant::Modified, 100, 0.02)).find("\"euler_deg\""),
              std::string::npos);
}

TEST_F(PhantomFiles, JsonWithEulerDegreesBuildsTheObject)
{
    const auto path = writeText("one.json", R"({"format": "tomoscope-phantom", "version": 1,
        "name": "one", "objects": [{"kind": "cylinder", "centre_mm": [1, 2, 3],
        "semi_axes_mm": [10, 5, "infinity"], "euler_deg": [30, 0, 0], "value_per_mm": 0.5}]})");
    const Phantom p = readPhantom(path);
    ASSERT_EQ(p.objects.size(), 1u);
    EXPECT_EQ(p.name, "one");
    EXPECT_EQ(p.objects[0].kind, ShapeKind::Cylinder);
    EXPECT_TRUE(std::isinf(p.objects[0].semiAxes.z));
    EXPECT_EQ(p.objects[0].rotation, rotationFromEuler(30 * kDegree, 0, 0));
    EXPECT_NEAR(lineIntegral(p, {1, 2, 0}, {std::cos(30 * kDegree), std::sin(30 * kDegree), 0}),
                0.5 * 20.0, kExactTolerance);
}

TEST_F(PhantomFiles, BadJsonNamesTheFileThePathAndTheValue)
{
    const std::string head = R"({"format": "tomoscope-phantom", "version": 1, "objects": [)";
    const std::string good = R"({"kind": "box", "centre_mm": [0, 0, 0],
        "semi_axes_mm": [1, 1, 1], "value_per_mm": 1})";
    struct Case
    {
        std::string objects;
        std::string expected;
    };
    const Case cases[] = {
        {good + R"(, {"kind": "sphere", "centre_mm": [0, 0, 0], "semi_axes_mm": [1, 1, 1],
            "value_per_mm": 1})",
         "objects[1].kind = \"sphere\" is invalid: accepted: ellipsoid, box, cylinder"},
        {R"({"kind": "box", "centre_mm": [0, 0, 0], "semi_axes_mm": [1, -2, 1],
            "value_per_mm": 1})",
         "objects[0].semi_axes_mm[1] = -2 is invalid"},
        {R"({"kind": "ellipsoid", "centre_mm": [0, 0, 0], "semi_axes_mm": [1, 1, "infinity"],
            "value_per_mm": 1})",
         "objects[0].semi_axes_mm[2] = \"infinity\" is invalid"},
        {R"({"kind": "box", "centre_mm": [0, 0], "semi_axes_mm": [1, 1, 1], "value_per_mm": 1})",
         "objects[0].centre_mm = [0,0] is invalid"},
        {R"({"kind": "box", "centre_mm": [0, 0, 0], "semi_axes_mm": [1, 1, 1],
            "value_per_mm": 1, "colour": "red"})",
         "objects[0].colour = \"red\" is invalid: unknown key"},
        {R"({"kind": "box", "centre_mm": [0, 0, 0], "semi_axes_mm": [1, 1, 1],
            "rotation": [1, 0, 0, 0, 1, 0, 0, 0, -1], "value_per_mm": 1})",
         "objects[0].rotation = determinant -1 is invalid"},
        {R"({"kind": "box", "centre_mm": [0, 0, 0], "semi_axes_mm": [1, 1, 1]})",
         "objects[0].value_per_mm = missing is invalid"},
    };
    int n = 0;
    for (const Case& c : cases) {
        const auto path = writeText("bad" + std::to_string(n++) + ".json", head + c.objects + "]}");
        const std::string message = messageOf([&] { (void)readPhantom(path); });
        EXPECT_NE(message.find(path.string() + ": "), std::string::npos) << message;
        EXPECT_NE(message.find(c.expected), std::string::npos) << message;
    }
    const auto wrongFormat = writeText("scene.json", R"({"format": "tomoscope-scene"})");
    EXPECT_NE(messageOf([&] {
                  (void)readPhantom(wrongFormat);
              }).find("format = \"tomoscope-scene\" is invalid"),
              std::string::npos);
    EXPECT_THROW((void)readPhantom(m_dir / "missing.json"), IoError);
    EXPECT_THROW((void)readPhantom(writeText("broken.json", "{")), InvalidArgument);
}

TEST_F(PhantomFiles, WriteFailureLeavesTheOldFile)
{
    const std::filesystem::path path = m_dir / "keep.json";
    writePhantom(waterCylinder(10, 10, 0.02), path);
    Phantom bad = waterCylinder(10, 10, 0.02);
    bad.objects[0].value = std::numeric_limits<double>::quiet_NaN();
    EXPECT_THROW(writePhantom(bad, path), InvalidArgument);
    EXPECT_EQ(readPhantom(path), waterCylinder(10, 10, 0.02));
    EXPECT_THROW(writePhantom(bad, m_dir / "no" / "such" / "dir.json"), InvalidArgument);
    EXPECT_THROW(writePhantom(waterCylinder(1, 1, 0), m_dir / "no" / "dir.json"), IoError);
}

TEST_F(PhantomFiles, CtsimEllipsesAndRectanglesAreRead)
{
    const auto path = writeText("head.phm", "# two objects\n"
                                            "ellipse 100 100 30 20 0 0.5\n"
                                            "\n"
                                            "rectangle 0 0 4 2 90 1.0\n");
    const Phantom p = readPhantom(path);
    ASSERT_EQ(p.objects.size(), 2u);
    EXPECT_EQ(p.name, "head");
    // The ellipse as in the 2D tests: 2·30 along x through its centre.
    EXPECT_NEAR(lineIntegral(p, {-100, 100, 0}, {1, 0, 0}), 0.5 * 60.0, kExactTolerance);
    // The rectangle turned by 90°: its u = 4 half-width now lies along y.
    EXPECT_NEAR(lineIntegral(p, {0, 100, 0}, {0, -1, 0}), 8.0, kExactTolerance);
    EXPECT_NEAR(lineIntegral(p, {-100, 0, 0}, {1, 0, 0}), 4.0, kExactTolerance);
    EXPECT_EQ(valueAt(p, {1.9, 3.9, 123.0}), 1.0);
    EXPECT_EQ(valueAt(p, {2.1, 0, 0}), 0.0);
}

TEST_F(PhantomFiles, CtsimOtherTypesAreRejectedWithTheirLine)
{
    const auto path = writeText("herman.phm", "ellipse 0 0 1 1 0 1\n"
                                              "triangle 5 3.75 1.125 0.5 110.75 0.206\n");
    const std::string message = messageOf([&] { (void)readPhantom(path); });
    EXPECT_NE(message.find(path.string() + " line 2 = \"triangle\" is invalid"), std::string::npos)
        << message;
    EXPECT_NE(messageOf([] {
                  (void)parseCtsimPhantom("ellipse 0 0 1 1 0\n", "x.phm");
              }).find("x.phm line 1 = 5 numbers is invalid"),
              std::string::npos);
    EXPECT_NE(messageOf([] {
                  (void)parseCtsimPhantom("\nellipse 0 0 1 one 0 1\n", "x.phm");
              }).find("x.phm line 2 = \"one\" is invalid"),
              std::string::npos);
    EXPECT_THROW((void)parseCtsimPhantom("rectangle 0 0 0 1 0 1\n"), InvalidArgument);
}
// The example 2D scene with its "object" section replaced by `object`.
std::string sceneWithObject(const std::string& object)
{
    const std::filesystem::path dir = test::resourcesDir();
    std::ifstream in(dir / "scenes/shepp-logan-2d-parallel.json");
    std::string text(std::istreambuf_iterator<char>(in), {});
    const std::string from = R"("object": {)";
    const auto begin = text.find(from);
    const auto end = text.find('}', begin);
    EXPECT_NE(begin, std::string::npos);
    return text.replace(begin, end + 1 - begin, "\"object\": " + object);
}

TEST(SceneObject, BuiltInPhantomsAreAccepted)
{
    const Scene sl3 = parseScene(sceneWithObject(
        R"({"phantom": "shepp-logan-3d", "variant": "original", "radius_mm": 90})"));
    EXPECT_EQ(sl3.phantom(), sheppLogan3D(SheppLoganVariant::Original, 90.0, 0.02));

    const Scene water = parseScene(sceneWithObject(
        R"({"phantom": "water-cylinder", "radius_mm": 50, "height_mm": 80,
            "mu_per_unit": 0.019})"));
    EXPECT_EQ(water.phantom(), waterCylinder(50.0, 80.0, 0.019));
    // Written and read back, the object is the same.
    const Scene again = parseScene(toJson(water));
    EXPECT_EQ(again.object.phantom, "water-cylinder");
    EXPECT_EQ(again.object.heightMm, 80.0);
    EXPECT_EQ(again.phantom(), water.phantom());

    const Scene sl2 = parseScene(sceneWithObject(R"({"phantom": "shepp-logan-2d"})"));
    EXPECT_EQ(sl2.phantom(), sheppLogan2D(SheppLoganVariant::Modified, 100.0, 0.02));
}

TEST(SceneObject, KeysThatDoNotApplyAndUnknownPhantomsAreRejected)
{
    const auto message = [](const std::string& object) {
        return messageOf([&] { (void)parseScene(sceneWithObject(object), "s.json"); });
    };
    EXPECT_NE(message(R"({"phantom": "sphere"})")
                  .find("s.json: object.phantom = \"sphere\" is invalid: accepted: "
                        "shepp-logan-2d, shepp-logan-3d, water-cylinder, forbild-head-2d, "
                        "forbild-head-3d, line-pairs-2d, line-pairs-3d, contrast-detail-2d, "
                        "contrast-detail-3d, file"),
              std::string::npos);
    EXPECT_NE(message(R"({"phantom": "shepp-logan-2d", "height_mm": 10})")
                  .find("object.height_mm = 10 is invalid: unknown key"),
              std::string::npos);
    EXPECT_NE(message(R"({"phantom": "water-cylinder", "height_mm": -1})")
                  .find("object.height_mm = -1 is invalid"),
              std::string::npos);
    EXPECT_NE(message(R"({"phantom": "file"})").find("object.path = missing is invalid"),
              std::string::npos);
}

TEST(SceneObject, TestPatternsAndTheForbildHeadAreParsedAndSaved)
{
    struct Case
    {
        std::string object;
        Phantom expected;
    };
    const Case cases[] = {
        {R"({"phantom": "forbild-head-3d", "radius_mm": 64, "mu_per_unit": 0.019})",
         forbildHead3D(64.0, 0.019)},
        {R"({"phantom": "forbild-head-2d"})", forbildHead2D(100.0, 0.02)},
        {R"({"phantom": "line-pairs-2d", "radius_mm": 10})", linePairs2D(10.0, 0.02)},
        {R"({"phantom": "line-pairs-3d", "radius_mm": 10, "height_mm": 5})",
         linePairs3D(10.0, 5.0, 0.02)},
        {R"({"phantom": "contrast-detail-2d", "mu_per_unit": 0.018})",
         contrastDetail2D(100.0, 0.018)},
        {R"({"phantom": "contrast-detail-3d", "height_mm": 30})",
         contrastDetail3D(100.0, 30.0, 0.02)},
    };
    for (const Case& c : cases) {
        const Scene s = parseScene(sceneWithObject(c.object));
        EXPECT_EQ(s.phantom(), c.expected) << c.object;
        // Saved and read back: the same object, and the same text.
        const Scene again = parseScene(toJson(s));
        EXPECT_EQ(again.phantom(), c.expected) << c.object;
        EXPECT_EQ(toJson(again), toJson(s)) << c.object;
    }
    const auto message = [](const std::string& object) {
        return messageOf([&] { (void)parseScene(sceneWithObject(object), "s.json"); });
    };
    EXPECT_NE(message(R"({"phantom": "line-pairs-2d", "height_mm": 10})")
                  .find("object.height_mm = 10 is invalid: unknown key"),
              std::string::npos);
    EXPECT_NE(message(R"({"phantom": "forbild-head-3d", "variant": "original"})")
                  .find("object.variant = \"original\" is invalid: unknown key"),
              std::string::npos);
    EXPECT_NE(message(R"({"phantom": "contrast-detail-3d", "height_mm": 0})")
                  .find("object.height_mm = 0 is invalid"),
              std::string::npos);
    EXPECT_NE(message(R"({"phantom": "forbild-head-3d", "radius_mm": -5})")
                  .find("object.radius_mm = -5 is invalid: must be a finite length > 0 mm"),
              std::string::npos);
}

TEST_F(PhantomFiles, SceneFilePhantomIsResolvedAgainstTheSceneFolder)
{
    const Phantom p = sheppLogan3D(SheppLoganVariant::Modified, 80.0, 0.02);
    std::filesystem::create_directories(m_dir / "phantoms");
    writePhantom(p, m_dir / "phantoms" / "head.json");
    const auto scenePath = writeText(
        "scene.json", sceneWithObject(R"({"phantom": "file", "path": "phantoms/head.json"})"));
    const Scene s = loadScene(scenePath);
    EXPECT_EQ(s.object.path, m_dir / "phantoms" / "head.json");
    EXPECT_EQ(s.phantom(), p);
    // Saved and loaded again from elsewhere, it still finds the file.
    saveScene(s, m_dir / "phantoms" / "copy.json");
    EXPECT_EQ(loadScene(m_dir / "phantoms" / "copy.json").phantom(), p);

    const auto missing =
        writeText("missing.json", sceneWithObject(R"({"phantom": "file", "path": "nope.json"})"));
    EXPECT_THROW((void)loadScene(missing), IoError);
}
} // namespace
} // namespace tomo
