// Projection matrices, magnification, fan/cone angles, field of view and curved detectors.
#include "tomo/error.h"
#include "tomo/geometry.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <random>
#include <stdexcept>
#include <tuple>

namespace
{
using namespace tomo;

// Pixel indices come out of a few dozen double operations on mm-sized numbers.
constexpr double kPixelTolerance = 1e-9;
// Angles and lengths from closed forms, computed through atan2 and square roots.
constexpr double kClosedFormTolerance = 1e-9;

struct Pixel
{
    double iu = 0.0;
    double iv = 0.0;
};

Pixel project(const std::array<double, 12>& m, Vec3 x)
{
    const double a = m[0] * x.x + m[1] * x.y + m[2] * x.z + m[3];
    const double b = m[4] * x.x + m[5] * x.y + m[6] * x.z + m[7];
    const double w = m[8] * x.x + m[9] * x.y + m[10] * x.z + m[11];
    return {a / w, b / w};
}

// The reference: intersect the ray through x (from the source, or along the parallel ray) with
// the detector plane explicitly and read (iu, iv) off by dot products.
Pixel projectByHand(const Geometry& g, std::size_t view, Vec3 x)
{
    const ViewPose& p = g.poses()[view];
    const Detector& det = g.detector();
    const Vec3 n = cross(p.u, p.v);
    const Vec3 direction = isParallel(g.beam()) ? p.source : x - p.source;
    const double t = dot(p.detector - x, n) / dot(direction, n);
    const Vec3 q = x + t * direction;
    const double iu = dot(q - p.detector, p.u) / det.pixelU +
                      0.5 * (static_cast<double>(det.columns) - 1.0) - det.offsetU;
    const double iv = dot(q - p.detector, p.v) / det.pixelV +
                      0.5 * (static_cast<double>(det.rows) - 1.0) - det.offsetV;
    return {iu, iv};
}

Detector flatDetector(std::size_t columns, std::size_t rows)
{
    return Detector{.columns = columns, .rows = rows, .pixelU = 0.8, .pixelV = 1.1};
}

// Poses with rotated û and v̂: the detector turned about its normal and tilted out of plane.
Geometry tiltedCone()
{
    std::vector<ViewPose> poses;
    for (int k = 0; k < 5; ++k) {
        const double theta = 0.7 * k;
        ViewPose p;
        p.source = rotateZ({3.0, -480.0, 12.0}, theta);
        p.detector = rotateZ({-5.0, 520.0, -7.0}, theta);
        // In-plane rotation by 0.2 rad, then a tilt of v̂ towards the source by 0.15 rad.
        const Vec3 u0{std::cos(0.2), 0.0, std::sin(0.2)};
        const Vec3 v0{-std::sin(0.2), 0.0, std::cos(0.2)};
        const Vec3 n0{0.0, -1.0, 0.0};
        const Vec3 v1 = std::cos(0.15) * v0 + std::sin(0.15) * n0;
        p.u = rotateZ(u0, theta);
        p.v = rotateZ(v1, theta);
        poses.push_back(p);
    }
    Detector det = flatDetector(64, 48);
    det.offsetU = 3.25;
    det.offsetV = -1.5;
    return Geometry::fromPoses(BeamType::Cone3D, det, poses);
}

void expectMatrixMatchesRays(const Geometry& g)
{
    std::mt19937 rng(7);
    std::uniform_real_distribution<double> coordinate(-80.0, 80.0);
    for (std::size_t k = 0; k < g.viewCount(); ++k) {
        const auto m = g.projectionMatrix(k);
        for (int i = 0; i < 20; ++i) {
            const Vec3 x{coordinate(rng), coordinate(rng), is2D(g.beam()) ? 0.0 : coordinate(rng)};
            const Pixel a = project(m, x);
            const Pixel b = projectByHand(g, k, x);
            EXPECT_NEAR(a.iu, b.iu, kPixelTolerance) << "view " << k;
            EXPECT_NEAR(a.iv, b.iv, kPixelTolerance) << "view " << k;
        }
    }
}

TEST(ProjectionMatrix, CentralRayPointLandsOnTheCentrePixel)
{
    CircularTrajectory t{.views = 8, .sourceIsocentre = 500.0, .sourceDetector = 900.0};
    const Geometry g = Geometry::circular(BeamType::Cone3D, flatDetector(65, 33), t);
    for (std::size_t k = 0; k < g.viewCount(); ++k) {
        const ViewPose& p = g.poses()[k];
        // Any point between source and detector centre lies on the central ray.
        const Vec3 x = p.source + 0.3 * (p.detector - p.source);
        const Pixel px = project(g.projectionMatrix(k), x);
        EXPECT_NEAR(px.iu, 32.0, kPixelTolerance);
        EXPECT_NEAR(px.iv, 16.0, kPixelTolerance);
    }
}

TEST(ProjectionMatrix, IsocentreMovesWithTheDetectorOffset)
{
    Detector det = flatDetector(64, 32);
    det.offsetU = 4.5;
    det.offsetV = -2.0;
    CircularTrajectory t{.views = 4, .sourceIsocentre = 500.0, .sourceDetector = 900.0};
    for (BeamType beam : {BeamType::Cone3D, BeamType::Parallel3D}) {
        const Geometry g = Geometry::circular(beam, det, t);
        for (std::size_t k = 0; k < g.viewCount(); ++k) {
            const Pixel px = project(g.projectionMatrix(k), {0.0, 0.0, 0.0});
            EXPECT_NEAR(px.iu, 31.5 - 4.5, kPixelTolerance) << toString(beam);
            EXPECT_NEAR(px.iv, 15.5 + 2.0, kPixelTolerance) << toString(beam);
        }
    }
}

TEST(ProjectionMatrix, AgreesWithExplicitRayPlaneIntersection)
{
    CircularTrajectory t{.views = 7, .sourceIsocentre = 400.0, .sourceDetector = 700.0};
    Detector det3 = flatDetector(40, 30);
    det3.offsetU = -1.25;
    expectMatrixMatchesRays(Geometry::circular(BeamType::Cone3D, det3, t));
    expectMatrixMatchesRays(Geometry::circular(BeamType::Parallel3D, det3, t));
    expectMatrixMatchesRays(Geometry::circular(BeamType::Fan2D, flatDetector(40, 1), t));
    expectMatrixMatchesRays(Geometry::circular(BeamType::Parallel2D, flatDetector(40, 1), t));
    expectMatrixMatchesRays(tiltedCone());
}

TEST(ProjectionMatrix, ObliqueParallelRaysProjectAlongTheRay)
{
    ViewPose p;
    p.source = {0.2, std::sqrt(1.0 - 0.2 * 0.2 - 0.1 * 0.1), 0.1};
    p.detector = {3.0, 200.0, -4.0};
    const Geometry g = Geometry::fromPoses(BeamType::Parallel3D, flatDetector(30, 20), {p});
    expectMatrixMatchesRays(g);
    const auto m = g.projectionMatrix(0);
    EXPECT_EQ(m[8], 0.0);
    EXPECT_EQ(m[11], 1.0);
}

TEST(ProjectionMatrix, CylindricalDetectorIsRefused)
{
    Detector det = flatDetector(16, 4);
    det.shape = DetectorShape::Cylindrical;
    det.radius = 900.0;
    CircularTrajectory t{.views = 2, .sourceIsocentre = 500.0, .sourceDetector = 900.0};
    const Geometry g = Geometry::circular(BeamType::Cone3D, det, t);
    EXPECT_THROW((void)g.projectionMatrix(0), InvalidArgument);
}

TEST(GeometryAnalysis, CircularReferenceMatchesClosedForms)
{
    const double sid = 500.0;
    const double sdd = 800.0;
    const Detector det = flatDetector(100, 60);
    CircularTrajectory t{.views = 12, .sourceIsocentre = sid, .sourceDetector = sdd};
    const Geometry g = Geometry::circular(BeamType::Cone3D, det, t);
    const double fan = 2.0 * std::atan(100 * 0.8 / 2.0 / sdd);
    const double cone = 2.0 * std::atan(60 * 1.1 / 2.0 / sdd);
    for (std::size_t k = 0; k < g.viewCount(); ++k) {
        EXPECT_NEAR(g.magnification(k), sdd / sid, kClosedFormTolerance);
        const auto [pu, pv] = g.pixelSizeAtIsocentre(k);
        EXPECT_NEAR(pu, 0.8 * sid / sdd, kClosedFormTolerance);
        EXPECT_NEAR(pv, 1.1 * sid / sdd, kClosedFormTolerance);
        EXPECT_NEAR(g.fanAngle(k), fan, kClosedFormTolerance);
        EXPECT_NEAR(g.coneAngle(k), cone, kClosedFormTolerance);
    }
    EXPECT_NEAR(g.fieldOfViewRadius(), sid * std::sin(fan / 2.0), kClosedFormTolerance);
}

TEST(GeometryAnalysis, ParallelBeamsHaveUnitMagnificationAndDetectorSizedFieldOfView)
{
    Detector det = flatDetector(100, 1);
    CircularTrajectory t{.views = 9};
    const Geometry g = Geometry::circular(BeamType::Parallel2D, det, t);
    EXPECT_EQ(g.magnification(3), 1.0);
    EXPECT_EQ(g.fanAngle(3), 0.0);
    EXPECT_EQ(g.coneAngle(3), 0.0);
    EXPECT_NEAR(g.fieldOfViewRadius(), 50 * 0.8, kClosedFormTolerance);
    // An offset of 10 columns moves one edge 8 mm closer to the axis.
    det.offsetU = 10.0;
    EXPECT_NEAR(Geometry::circular(BeamType::Parallel2D, det, t).fieldOfViewRadius(), 40.0 - 8.0,
                kClosedFormTolerance);
}

TEST(GeometryAnalysis, DetectorOffsetShrinksTheFanBeamFieldOfView)
{
    const double sid = 500.0;
    const double sdd = 1000.0;
    Detector det = flatDetector(100, 1);
    det.offsetU = 20.0; // the detector centre moves 16 mm along +û
    CircularTrajectory t{.views = 30, .sourceIsocentre = sid, .sourceDetector = sdd};
    const Geometry g = Geometry::circular(BeamType::Fan2D, det, t);
    // Edges at s = ±40 + 16 mm on the detector; the nearer one is at 24 mm.
    const double halfAngle = std::atan(24.0 / sdd);
    EXPECT_NEAR(g.fieldOfViewRadius(), sid * std::sin(halfAngle), kClosedFormTolerance);
    // A detector shifted beyond the axis covers no circle at all.
    det.offsetU = 60.0;
    EXPECT_EQ(Geometry::circular(BeamType::Fan2D, det, t).fieldOfViewRadius(), 0.0);
}

TEST(CylindricalDetector, EquiangularWhenTheRadiusIsTheSourceDetectorDistance)
{
    const double sid = 500.0;
    const double sdd = 1000.0;
    Detector det = flatDetector(41, 1);
    det.shape = DetectorShape::Cylindrical;
    det.radius = sdd;
    CircularTrajectory t{.views = 3, .sourceIsocentre = sid, .sourceDetector = sdd};
    const Geometry g = Geometry::circular(BeamType::Fan2D, det, t);
    const double step = 0.8 / sdd; // radians per column: arc length over radius
    for (std::size_t k = 0; k < g.viewCount(); ++k) {
        const Vec3 s = g.poses()[k].source;
        for (int iu = 0; iu < 41; ++iu) {
            const Vec3 c = g.pixelCentre(k, iu, 0.0);
            EXPECT_NEAR(norm(c - s), sdd, kClosedFormTolerance) << "column " << iu;
            if (iu > 0) {
                const Vec3 previous = g.pixelCentre(k, iu - 1, 0.0);
                const double angle = std::acos(dot(c - s, previous - s) / (sdd * sdd));
                EXPECT_NEAR(angle, step, kClosedFormTolerance) << "column " << iu;
            }
        }
        // The central column is the flat detector's centre.
        const Vec3 centre = g.pixelCentre(k, 20.0, 0.0);
        EXPECT_NEAR(norm(centre - g.poses()[k].detector), 0.0, kClosedFormTolerance);
    }
    // The fan angle is the arc's angle: nu·du/R.
    EXPECT_NEAR(g.fanAngle(0), 41 * 0.8 / sdd, kClosedFormTolerance);
}

// projectPoint inverts pixelCentre: a point on the ray to a pixel centre (between the source and
// the detector, or before the detector along a parallel ray) lands on that pixel, on flat and
// cylindrical detectors (radius SDD and a tighter one), with offsets and off-centre rows.
TEST(ProjectPoint, InvertsPixelCentreOnFlatAndCylindricalDetectors)
{
    std::mt19937 rng(11);
    std::uniform_real_distribution<double> column(-0.5, 63.5);
    std::uniform_real_distribution<double> row(-0.5, 15.5);
    CircularTrajectory t{.views = 7, .sourceIsocentre = 500.0, .sourceDetector = 900.0};
    t.angularRange = 2.0 * std::numbers::pi;
    for (const auto& [shape, radius, beam] :
         {std::tuple{DetectorShape::Flat, 0.0, BeamType::Cone3D},
          std::tuple{DetectorShape::Flat, 0.0, BeamType::Parallel3D},
          std::tuple{DetectorShape::Cylindrical, 900.0, BeamType::Cone3D},
          std::tuple{DetectorShape::Cylindrical, 600.0, BeamType::Cone3D}}) {
        Detector det = flatDetector(64, 16);
        det.offsetU = 2.5;
        det.offsetV = -1.25;
        det.shape = shape;
        det.radius = radius;
        const Geometry g = Geometry::circular(beam, det, t);
        for (std::size_t k = 0; k < g.viewCount(); ++k) {
            const ViewPose& p = g.poses()[k];
            for (int trial = 0; trial < 20; ++trial) {
                const double iu = column(rng);
                const double iv = row(rng);
                const Vec3 c = g.pixelCentre(k, iu, iv);
                const Vec3 x =
                    isParallel(beam) ? c - 300.0 * p.source : p.source + 0.55 * (c - p.source);
                const auto hit = g.projectPoint(k, x);
                ASSERT_TRUE(hit.has_value()) << toString(shape) << " view " << k;
                EXPECT_NEAR((*hit)[0], iu, kPixelTolerance) << toString(shape) << " view " << k;
                EXPECT_NEAR((*hit)[1], iv, kPixelTolerance) << toString(shape) << " view " << k;
            }
        }
    }
}

TEST(ProjectPoint, PointsBehindTheSourceHaveNoPixel)
{
    Detector det = flatDetector(64, 16);
    CircularTrajectory t{.views = 1, .sourceIsocentre = 500.0, .sourceDetector = 900.0};
    for (DetectorShape shape : {DetectorShape::Flat, DetectorShape::Cylindrical}) {
        det.shape = shape;
        det.radius = 900.0;
        const Geometry g = Geometry::circular(BeamType::Cone3D, det, t);
        // The source is at (0, -500, 0) and looks towards +y.
        EXPECT_FALSE(g.projectPoint(0, Vec3{0.0, -700.0, 0.0}).has_value()) << toString(shape);
        EXPECT_FALSE(g.projectPoint(0, Vec3{10.0, -500.0, 0.0}).has_value()) << toString(shape);
        EXPECT_TRUE(g.projectPoint(0, Vec3{0.0, 0.0, 0.0}).has_value()) << toString(shape);
    }
    EXPECT_THROW((void)Geometry::circular(BeamType::Cone3D, det, t).projectPoint(1, Vec3{}),
                 std::out_of_range);
}

TEST(CylindricalDetector, ValidationNamesTheRadiusAndTheBeam)
{
    Detector det = flatDetector(16, 1);
    det.shape = DetectorShape::Cylindrical;
    det.radius = 0.0;
    try {
        det.validate();
        FAIL() << "no exception";
    } catch (const InvalidArgument& e) {
        EXPECT_NE(std::string(e.what()).find("detector.radius_mm > 0"), std::string::npos)
            << e.what();
    }
    det.radius = 800.0;
    try {
        (void)Geometry::circular(BeamType::Parallel2D, det, CircularTrajectory{.views = 2});
        FAIL() << "no exception";
    } catch (const InvalidArgument& e) {
        EXPECT_NE(std::string(e.what()).find("detector.shape"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("parallel2d"), std::string::npos) << e.what();
    }
    EXPECT_EQ(parseDetectorShape("cylindrical"), DetectorShape::Cylindrical);
    EXPECT_THROW((void)parseDetectorShape("spherical"), InvalidArgument);
}
} // namespace
