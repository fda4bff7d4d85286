#include "tomo/error.h"
#include "tomo/scene.h"
#include "tomo/trajectory.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <numbers>
#include <string>

namespace tomo
{
namespace
{
// Generators evaluate closed forms in double: positions agree with the defining formula to
// rounding of a few hundred mm (1e-9 mm is ~1e4 ulps of margin).
constexpr double kFormulaToleranceMm = 1e-9;
// Angles read back through atan2 of positions (and muparser's own π): 1e-10 rad is 1e-7 mm at
// 1 m, far below any geometric effect and far above double rounding.
constexpr double kAngleTolerance = 1e-10;
constexpr double kPi = std::numbers::pi;

Detector coneDetector()
{
    return {.columns = 64, .rows = 48, .pixelU = 1.0, .pixelV = 1.0};
}

Detector fanDetector()
{
    return {.columns = 64, .rows = 1, .pixelU = 1.0, .pixelV = 1.0};
}

std::string errorOf(BeamType beam, const Detector& det, const TrajectorySpec& spec)
{
    try {
        (void)makeGeometry(beam, det, spec);
    } catch (const InvalidArgument& e) {
        return e.what();
    }
    return "<no InvalidArgument>";
}

// Source angle about z, height and distance from the z axis of view k.
struct Cylindrical
{
    double theta, z, radius;
};

Cylindrical sourceOf(const Geometry& g, std::size_t k)
{
    const Vec3 s = g.poses()[k].source;
    // s = R_z(θ)(0, −r, z): θ = atan2(x, −y).
    return {std::atan2(s.x, -s.y), s.z, std::hypot(s.x, s.y)};
}

double wrap(double a)
{
    return std::remainder(a, 2.0 * kPi);
}

TEST(Trajectory, CircularMatchesTheReferenceFactory)
{
    TrajectorySpec spec;
    spec.views = 90;
    spec.startAngle = 0.3;
    spec.angularRange = 2.0 * kPi;
    const Geometry a = makeGeometry(BeamType::Cone3D, coneDetector(), spec);
    const Geometry b = Geometry::circular(BeamType::Cone3D, coneDetector(),
                                          {.views = 90,
                                           .startAngle = 0.3,
                                           .angularRange = 2.0 * kPi,
                                           .sourceIsocentre = 500.0,
                                           .sourceDetector = 1000.0});
    EXPECT_EQ(a, b);
}

TEST(Trajectory, HelixRisesOnePitchPerTurn)
{
    TrajectorySpec spec;
    spec.kind = TrajectoryKind::Helical;
    spec.views = 720;
    spec.angularRange = 4.0 * kPi; // two turns
    spec.pitchMm = 25.0;
    spec.zOffset = -10.0;
    const Geometry g = makeGeometry(BeamType::Cone3D, coneDetector(), spec);
    for (std::size_t k : {0u, 1u, 179u, 360u, 719u}) {
        const double theta = 4.0 * kPi * static_cast<double>(k) / 720.0;
        const Cylindrical c = sourceOf(g, k);
        EXPECT_NEAR(c.z, -10.0 + 25.0 * theta / (2.0 * kPi), kFormulaToleranceMm) << k;
        EXPECT_NEAR(wrap(c.theta - theta), 0.0, kAngleTolerance) << k;
        EXPECT_NEAR(c.radius, 500.0, kFormulaToleranceMm) << k;
        EXPECT_NEAR(g.poses()[k].detector.z, c.z, kFormulaToleranceMm) << k;
    }
}

TEST(Trajectory, SinusoidalAndSaddleFollowTheirWaves)
{
    TrajectorySpec spec;
    spec.kind = TrajectoryKind::Sinusoidal;
    spec.views = 100;
    spec.angularRange = 2.0 * kPi;
    spec.sidAmplitude = 40.0;
    spec.zAmplitude = 15.0;
    spec.frequency = 3.0;
    const Geometry sine = makeGeometry(BeamType::Cone3D, coneDetector(), spec);
    spec.kind = TrajectoryKind::Saddle;
    const Geometry saddle = makeGeometry(BeamType::Cone3D, coneDetector(), spec);
    for (std::size_t k : {0u, 7u, 25u, 50u, 99u}) {
        const double theta = 2.0 * kPi * static_cast<double>(k) / 100.0;
        const Cylindrical a = sourceOf(sine, k);
        EXPECT_NEAR(a.z, 15.0 * std::sin(3.0 * theta), kFormulaToleranceMm) << k;
        EXPECT_NEAR(a.radius, 500.0 + 40.0 * std::sin(3.0 * theta), kFormulaToleranceMm) << k;
        const Cylindrical b = sourceOf(saddle, k);
        EXPECT_NEAR(b.z, 15.0 * std::cos(2.0 * theta), kFormulaToleranceMm) << k;
        EXPECT_NEAR(b.radius, 500.0 + 40.0 * std::cos(2.0 * theta), kFormulaToleranceMm) << k;
        // The detector keeps its distance from the isocentre (SDD − SID = 500 mm).
        const Vec3 d = saddle.poses()[k].detector;
        EXPECT_NEAR(std::hypot(d.x, d.y), 500.0, kFormulaToleranceMm) << k;
    }
}

TEST(Trajectory, MultiCircleRepeatsTheCirclePerPlane)
{
    TrajectorySpec spec;
    spec.kind = TrajectoryKind::MultiCircle;
    spec.views = 30;
    spec.angularRange = 2.0 * kPi;
    spec.zPlanes = {-40.0, 0.0, 40.0};
    const Geometry g = makeGeometry(BeamType::Cone3D, coneDetector(), spec);
    ASSERT_EQ(g.viewCount(), 90u);
    EXPECT_NEAR(sourceOf(g, 0).z, -40.0, kFormulaToleranceMm);
    EXPECT_NEAR(sourceOf(g, 45).z, 0.0, kFormulaToleranceMm);
    EXPECT_NEAR(sourceOf(g, 89).z, 40.0, kFormulaToleranceMm);
    EXPECT_NEAR(wrap(sourceOf(g, 30).theta - sourceOf(g, 0).theta), 0.0, kAngleTolerance);
    spec.zPlanes.clear();
    EXPECT_NE(errorOf(BeamType::Cone3D, coneDetector(), spec).find("z_planes_mm"),
              std::string::npos);
}

TEST(Trajectory, RandomPerturbationsAreSeededAndHaveTheirSigma)
{
    TrajectorySpec spec;
    spec.kind = TrajectoryKind::RandomCircular;
    spec.views = 4000;
    spec.angularRange = 2.0 * kPi;
    spec.seed = 42;
    spec.sigmaSourceMm = 2.0;
    spec.sigmaSidMm = 0.0;
    const Geometry a = makeGeometry(BeamType::Cone3D, coneDetector(), spec);
    EXPECT_EQ(a, makeGeometry(BeamType::Cone3D, coneDetector(), spec)) << "not reproducible";
    spec.seed = 43;
    EXPECT_FALSE(a == makeGeometry(BeamType::Cone3D, coneDetector(), spec));

    TrajectorySpec plain = spec;
    plain.kind = TrajectoryKind::Circular;
    const Geometry circle = makeGeometry(BeamType::Cone3D, coneDetector(), plain);
    double sumSq = 0.0;
    for (std::size_t k = 0; k < a.viewCount(); ++k) {
        const Vec3 d = a.poses()[k].source - circle.poses()[k].source;
        sumSq += dot(d, d);
        // The detector does not move when only the source is perturbed.
        EXPECT_EQ(a.poses()[k].detector, circle.poses()[k].detector);
    }
    // E|δ|² = 3σ² for an isotropic Gaussian; 4000 views give ~1.3% relative standard error.
    constexpr double kSigmaTolerance = 0.05;
    const double sigma = std::sqrt(sumSq / (3.0 * static_cast<double>(a.viewCount())));
    EXPECT_NEAR(sigma / 2.0, 1.0, kSigmaTolerance);

    spec.sigmaSourceMm = -1.0;
    EXPECT_NE(errorOf(BeamType::Cone3D, coneDetector(), spec).find("sigma_source_mm = -1"),
              std::string::npos);
}

TEST(Trajectory, TomosynthesisMovesOnlyTheSource)
{
    TrajectorySpec spec;
    spec.kind = TrajectoryKind::Tomosynthesis;
    spec.views = 21;
    spec.startAngle = -20.0 * kPi / 180.0;
    spec.angularRange = 40.0 * kPi / 180.0;
    const Geometry g = makeGeometry(BeamType::Cone3D, coneDetector(), spec);
    for (std::size_t k = 0; k < g.viewCount(); ++k) {
        EXPECT_EQ(g.poses()[k].detector, g.poses()[0].detector);
        EXPECT_EQ(g.poses()[k].u, g.poses()[0].u);
        const double theta = spec.startAngle + spec.angularRange * static_cast<double>(k) / 21.0;
        EXPECT_NEAR(wrap(sourceOf(g, k).theta - theta), 0.0, kAngleTolerance);
    }
    // The detector sits at the arc's centre angle, θ = 0: d = (0, 500, 0).
    EXPECT_NEAR(g.poses()[0].detector.x, 0.0, kFormulaToleranceMm);
    EXPECT_NEAR(g.poses()[0].detector.y, 500.0, kFormulaToleranceMm);
}

TEST(Trajectory, CustomFormulasAreEvaluatedPerView)
{
    TrajectorySpec spec;
    spec.kind = TrajectoryKind::Custom;
    spec.views = 50;
    spec.tStart = 0.0;
    spec.tEnd = 1.0;
    spec.angleFormula = "2*_pi*t";
    spec.zFormula = "30*sin(4*_pi*t)";
    spec.sidFormula = "600 + 50*t";
    spec.sddFormula = "1100 + 50*t";
    const Geometry g = makeGeometry(BeamType::Cone3D, coneDetector(), spec);
    for (std::size_t k : {0u, 13u, 49u}) {
        const double t = static_cast<double>(k) / 50.0;
        const Cylindrical c = sourceOf(g, k);
        EXPECT_NEAR(wrap(c.theta - 2.0 * kPi * t), 0.0, kAngleTolerance);
        EXPECT_NEAR(c.z, 30.0 * std::sin(4.0 * kPi * t), kFormulaToleranceMm);
        EXPECT_NEAR(c.radius, 600.0 + 50.0 * t, kFormulaToleranceMm);
    }
}

TEST(Trajectory, BadFormulasNameTheFieldTheValueAndTheView)
{
    TrajectorySpec spec;
    spec.kind = TrajectoryKind::Custom;
    spec.views = 10;
    spec.zFormula = "3*(t";
    std::string m = errorOf(BeamType::Cone3D, coneDetector(), spec);
    EXPECT_NE(m.find("trajectory.z_formula = \"3*(t\""), std::string::npos) << m;
    spec.zFormula = "sqrt(t - 0.5)";
    m = errorOf(BeamType::Cone3D, coneDetector(), spec);
    EXPECT_NE(m.find("trajectory.z_formula"), std::string::npos) << m;
    EXPECT_NE(m.find("nan at t = 0 (view 0)"), std::string::npos) << m;
    spec.zFormula = "0";
    spec.sddFormula = "400 + 200*t"; // passes SID = 500 at t = 0.5
    m = errorOf(BeamType::Cone3D, coneDetector(), spec);
    EXPECT_NE(m.find("sdd_mm (view 0) = 400"), std::string::npos) << m;
}

TEST(Trajectory, TiltRotatesTheDetectorFrameAndKeepsItOrthonormal)
{
    TrajectorySpec spec;
    spec.views = 4;
    spec.angularRange = 2.0 * kPi;
    spec.tilt.inPlane = kPi / 2.0;
    const Geometry g = makeGeometry(BeamType::Cone3D, coneDetector(), spec);
    // At θ = 0, û = (1,0,0), v̂ = (0,0,1); a quarter turn in plane sends û to v̂.
    EXPECT_NEAR(g.poses()[0].u.z, 1.0, 1e-12);
    EXPECT_NEAR(g.poses()[0].v.x, -1.0, 1e-12);
    spec.tilt.inPlane = 0.1;
    spec.tilt.aboutU = 0.2;
    spec.tilt.aboutV = -0.3;
    const Geometry h = makeGeometry(BeamType::Cone3D, coneDetector(), spec);
    for (const ViewPose& p : h.poses()) {
        EXPECT_NEAR(norm(p.u), 1.0, 1e-12);
        EXPECT_NEAR(norm(p.v), 1.0, 1e-12);
        EXPECT_NEAR(dot(p.u, p.v), 0.0, 1e-12);
    }
    // about_u turns v̂ and about_v turns û towards the source: at θ = 0 the source is at −y.
    spec.tilt = DetectorTilt{};
    spec.tilt.aboutU = 0.2;
    EXPECT_LT(makeGeometry(BeamType::Cone3D, coneDetector(), spec).poses()[0].v.y, 0.0);
    spec.tilt = DetectorTilt{};
    spec.tilt.aboutV = 0.2;
    EXPECT_LT(makeGeometry(BeamType::Cone3D, coneDetector(), spec).poses()[0].u.y, 0.0);
}

TEST(Trajectory, TwoDimensionalBeamsStayInTheirPlane)
{
    TrajectorySpec spec;
    spec.kind = TrajectoryKind::Helical;
    spec.views = 10;
    std::string m = errorOf(BeamType::Fan2D, fanDetector(), spec);
    EXPECT_NE(m.find("z = 0 plane"), std::string::npos) << m;
    spec.kind = TrajectoryKind::Circular;
    spec.tilt.aboutU = 0.1;
    m = errorOf(BeamType::Fan2D, fanDetector(), spec);
    EXPECT_NE(m.find("trajectory.tilt"), std::string::npos) << m;
    TrajectorySpec none;
    none.views = 0;
    EXPECT_NE(errorOf(BeamType::Fan2D, fanDetector(), none).find("trajectory.views = 0"),
              std::string::npos);
}

TEST(Trajectory, PoseCsvRoundTripsExactly)
{
    const auto dir = std::filesystem::temp_directory_path() / "tomo_pose_csv";
    std::filesystem::create_directories(dir);
    TrajectorySpec spec;
    spec.kind = TrajectoryKind::RandomCircular;
    spec.views = 17;
    spec.sigmaSourceMm = 1.5;
    spec.sigmaDetectorRotation = 0.01;
    const Geometry g = makeGeometry(BeamType::Cone3D, coneDetector(), spec);
    const std::vector<ViewPose> poses(g.poses().begin(), g.poses().end());
    writePoseCsv(poses, dir / "poses.csv");
    EXPECT_EQ(readPoseCsv(dir / "poses.csv"), poses);

    std::ofstream(dir / "bad.csv")
        << "header\n1,2,3,4,5,6,7,8,9,10,11,12\n1,2,x,4,5,6,7,8,9,10,11,12\n";
    try {
        (void)readPoseCsv(dir / "bad.csv");
        FAIL() << "no exception";
    } catch (const InvalidArgument& e) {
        EXPECT_NE(std::string(e.what()).find("bad.csv line 3 column 3 = \"x\""), std::string::npos)
            << e.what();
    }
    std::ofstream(dir / "short.csv") << "header\n1,2,3\n";
    EXPECT_THROW((void)readPoseCsv(dir / "short.csv"), InvalidArgument);
    EXPECT_THROW((void)readPoseCsv(dir / "absent.csv"), IoError);
    std::filesystem::remove_all(dir);
}

TEST(Trajectory, EveryKindRoundTripsThroughSceneJson)
{
    for (TrajectoryKind kind :
         {TrajectoryKind::Circular, TrajectoryKind::Helical, TrajectoryKind::Sinusoidal,
          TrajectoryKind::Saddle, TrajectoryKind::MultiCircle, TrajectoryKind::RandomCircular,
          TrajectoryKind::Tomosynthesis, TrajectoryKind::Custom, TrajectoryKind::Explicit}) {
        Scene scene;
        scene.beam = BeamType::Cone3D;
        scene.detector = coneDetector();
        scene.reconstruction.gridSize = {64, 64, 64};
        scene.trajectory.kind = kind;
        scene.trajectory.views = 24;
        // A tomosynthesis arc must stay on one side of its detector.
        scene.trajectory.angularRange =
            kind == TrajectoryKind::Tomosynthesis ? kPi / 4.0 : 2.0 * kPi;
        scene.trajectory.zAmplitude = 10.0;
        scene.trajectory.sigmaSourceMm = 1.0;
        scene.trajectory.tilt.aboutV = 0.05;
        scene.trajectory.angleFormula = "2*_pi*t";
        scene.trajectory.sidFormula = "500";
        if (kind == TrajectoryKind::Explicit) {
            TrajectorySpec helix;
            helix.kind = TrajectoryKind::Helical;
            helix.views = 24;
            const Geometry g = makeGeometry(BeamType::Cone3D, coneDetector(), helix);
            scene.trajectory.poses.assign(g.poses().begin(), g.poses().end());
        }
        const Scene back = parseScene(toJson(scene), "roundtrip.json");
        EXPECT_EQ(back.geometry(), scene.geometry()) << toString(kind);
        EXPECT_EQ(toJson(back), toJson(scene)) << toString(kind);
    }
}

TEST(Trajectory, AHelixCanBeGivenByItsZRange)
{
    Scene scene;
    scene.beam = BeamType::Cone3D;
    scene.detector = coneDetector();
    scene.reconstruction.gridSize = {32, 32, 32};
    scene.trajectory.kind = TrajectoryKind::Helical;
    scene.trajectory.angularRange = 6.0 * kPi; // three turns
    std::string json = toJson(scene);
    const auto at = json.find("\"pitch_mm\"");
    json.replace(at, json.find(",", at) - at, "\"z_range_mm\": 150.0");
    EXPECT_DOUBLE_EQ(parseScene(json).trajectory.pitchMm, 50.0);
    json.replace(json.find("\"z_range_mm\""), 0, "\"pitch_mm\": 3, ");
    EXPECT_THROW((void)parseScene(json), InvalidArgument);
}

TEST(Trajectory, KeysOfAnotherKindAreRejected)
{
    Scene scene;
    const std::string json = toJson(scene);
    const std::string bad = json.substr(0, json.find("\"kind\"")) + "\"pitch_mm\": 5, " +
                            json.substr(json.find("\"kind\""));
    try {
        (void)parseScene(bad, "pitch.json");
        FAIL() << "no exception";
    } catch (const InvalidArgument& e) {
        EXPECT_NE(std::string(e.what()).find("geometry.trajectory.pitch_mm"), std::string::npos)
            << e.what();
    }
}
} // namespace
} // namespace tomo
