// Geometry import and export: round trips through every format, RTK's matrix against ours, the
// real plastimatch files in tests/data/plastimatch, and messages for bad input.
#include "common/test_support.h"
#include "tomo/error.h"
#include "tomo/geometry.h"
#include "tomo/geometry_io.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <numbers>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace
{
using namespace tomo;
namespace fs = std::filesystem;

// The round-trip requirement for poses (mm, and unit vectors).
constexpr double kPoseTolerance = 1e-6;
// Pixel indices from two independently composed projection matrices.
constexpr double kPixelTolerance = 1e-9;

class GeometryIo : public ::testing::Test
{
protected:
    void SetUp() override
    {
        m_dir = fs::temp_directory_path() /
                (std::string("tomo_geometry_io_") +
                 ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(m_dir);
        fs::create_directories(m_dir);
    }
    void TearDown() override { fs::remove_all(m_dir); }

    fs::path write(const std::string& name, const std::string& text)
    {
        std::ofstream(m_dir / name) << text;
        return m_dir / name;
    }

    fs::path m_dir;
};

Detector detector(std::size_t columns, std::size_t rows)
{
    Detector d{.columns = columns, .rows = rows, .pixelU = 0.75, .pixelV = 1.25};
    d.offsetU = 2.5;
    d.offsetV = rows > 1 ? -1.75 : 0.0;
    return d;
}

// A cone beam with perturbed poses: tilted detectors, source offsets, varying distances.
Geometry perturbedCone()
{
    std::mt19937 rng(3);
    std::normal_distribution<double> jitter(0.0, 4.0);
    std::vector<ViewPose> poses;
    for (int k = 0; k < 9; ++k) {
        const double theta = 0.4 * k;
        const double tilt = 0.05 * (k % 3);
        ViewPose p;
        p.source = rotateZ({jitter(rng), -600.0 + jitter(rng), jitter(rng)}, theta);
        p.detector = rotateZ({jitter(rng), 400.0 + jitter(rng), jitter(rng)}, theta);
        const Vec3 u0{std::cos(tilt), 0.0, std::sin(tilt)};
        const Vec3 v0{-std::sin(tilt), 0.0, std::cos(tilt)};
        const Vec3 n0{0.0, -1.0, 0.0};
        p.u = rotateZ(std::cos(tilt) * u0 + std::sin(tilt) * n0, theta);
        p.v = rotateZ(v0, theta);
        poses.push_back(p);
    }
    return Geometry::fromPoses(BeamType::Cone3D, detector(48, 32), poses);
}

Geometry circular(BeamType beam)
{
    CircularTrajectory t{.views = 10, .sourceIsocentre = 500.0, .sourceDetector = 850.0};
    return Geometry::circular(beam, detector(40, is2D(beam) ? 1 : 24), t);
}

void expectSamePoses(const Geometry& a, const Geometry& b)
{
    ASSERT_EQ(a.viewCount(), b.viewCount());
    EXPECT_EQ(a.beam(), b.beam());
    for (std::size_t k = 0; k < a.viewCount(); ++k) {
        const ViewPose& p = a.poses()[k];
        const ViewPose& q = b.poses()[k];
        EXPECT_LT(norm(p.source - q.source), kPoseTolerance) << "view " << k;
        EXPECT_LT(norm(p.detector - q.detector), kPoseTolerance) << "view " << k;
        EXPECT_LT(norm(p.u - q.u), kPoseTolerance) << "view " << k;
        EXPECT_LT(norm(p.v - q.v), kPoseTolerance) << "view " << k;
    }
    EXPECT_NEAR(a.detector().pixelU, b.detector().pixelU, kPoseTolerance);
    EXPECT_NEAR(a.detector().pixelV, b.detector().pixelV, kPoseTolerance);
}

GeometryImportHints hintsFor(const Geometry& g)
{
    return {.beam = g.beam(), .detector = g.detector()};
}

void expectInvalid(const std::function<void()>& f, std::initializer_list<std::string> parts)
{
    try {
        f();
        ADD_FAILURE() << "no InvalidArgument";
    } catch (const InvalidArgument& e) {
        for (const std::string& part : parts) {
            EXPECT_NE(std::string(e.what()).find(part), std::string::npos)
                << "\"" << part << "\" missing from: " << e.what();
        }
    }
}

TEST_F(GeometryIo, JsonRoundTripIsExact)
{
    for (const Geometry& g : {perturbedCone(), circular(BeamType::Parallel2D)}) {
        exportGeometry(g, m_dir / "g.json", GeometryFormat::Json);
        const Geometry back = importGeometry(m_dir / "g.json", GeometryFormat::Json, {});
        EXPECT_EQ(back, g);
    }
    Detector cyl = detector(30, 1);
    cyl.shape = DetectorShape::Cylindrical;
    cyl.radius = 850.0;
    const Geometry curved = Geometry::circular(BeamType::Fan2D, cyl, {.views = 4});
    exportGeometry(curved, m_dir / "c.json", GeometryFormat::Json);
    EXPECT_EQ(importGeometry(m_dir / "c.json", GeometryFormat::Json, {}), curved);
}

TEST_F(GeometryIo, RtkRoundTripKeepsThePoses)
{
    for (const Geometry& g : {perturbedCone(), circular(BeamType::Cone3D),
                              circular(BeamType::Parallel3D), circular(BeamType::Fan2D)}) {
        exportGeometry(g, m_dir / "g.xml", GeometryFormat::Rtk);
        expectSamePoses(importGeometry(m_dir / "g.xml", GeometryFormat::Rtk, hintsFor(g)), g);
    }
}

TEST_F(GeometryIo, RtkMatrixProjectsLikeOursThroughTheFrameChange)
{
    const Geometry g = perturbedCone();
    exportGeometry(g, m_dir / "g.xml", GeometryFormat::Rtk);
    // Read the parameters back as RTK would and compose RTK's matrix independently.
    std::ifstream in(m_dir / "g.xml");
    const std::string xml((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto value = [&](std::size_t& from, const std::string& tag) {
        const std::size_t a = xml.find("<" + tag + ">", from) + tag.size() + 2;
        from = a;
        return std::stod(xml.substr(a, xml.find('<', a) - a));
    };
    const Detector& det = g.detector();
    std::mt19937 rng(11);
    std::uniform_real_distribution<double> coordinate(-60.0, 60.0);
    std::size_t cursor = 0;
    const double degree = std::numbers::pi / 180.0;
    for (std::size_t k = 0; k < g.viewCount(); ++k) {
        const double gantry = value(cursor, "GantryAngle") * degree;
        const double sid = value(cursor, "SourceToIsocenterDistance");
        const double sdd = value(cursor, "SourceToDetectorDistance");
        const double sx = value(cursor, "SourceOffsetX");
        const double sy = value(cursor, "SourceOffsetY");
        const double px = value(cursor, "ProjectionOffsetX");
        const double py = value(cursor, "ProjectionOffsetY");
        const double inPlane = value(cursor, "InPlaneAngle") * degree;
        const double outOfPlane = value(cursor, "OutOfPlaneAngle") * degree;
        const auto rtk = rtkProjectionMatrix(sid, sdd, gantry, px, py, outOfPlane, inPlane, sx, sy);
        const auto ours = g.projectionMatrix(k);
        for (int i = 0; i < 10; ++i) {
            const Vec3 x{coordinate(rng), coordinate(rng), coordinate(rng)};
            const Vec3 r = toRtkFrame(x);
            const double w = rtk[8] * r.x + rtk[9] * r.y + rtk[10] * r.z + rtk[11];
            const double u = (rtk[0] * r.x + rtk[1] * r.y + rtk[2] * r.z + rtk[3]) / w;
            const double v = (rtk[4] * r.x + rtk[5] * r.y + rtk[6] * r.z + rtk[7]) / w;
            // RTK projection coordinates are 0 at the centre of the pixel grid.
            const double iuRtk = u / det.pixelU + 0.5 * (static_cast<double>(det.columns) - 1.0);
            const double ivRtk = v / det.pixelV + 0.5 * (static_cast<double>(det.rows) - 1.0);
            const double wo = ours[8] * x.x + ours[9] * x.y + ours[10] * x.z + ours[11];
            EXPECT_NEAR((ours[0] * x.x + ours[1] * x.y + ours[2] * x.z + ours[3]) / wo, iuRtk,
                        kPixelTolerance);
            EXPECT_NEAR((ours[4] * x.x + ours[5] * x.y + ours[6] * x.z + ours[7]) / wo, ivRtk,
                        kPixelTolerance);
        }
    }
}

TEST_F(GeometryIo, RtkGantryAngleIsOurViewAngle)
{
    const Geometry g = circular(BeamType::Cone3D);
    exportGeometry(g, m_dir / "g.xml", GeometryFormat::Rtk);
    std::ifstream in(m_dir / "g.xml");
    const std::string xml((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::size_t at = 0;
    for (std::size_t k = 0; k < g.viewCount(); ++k) {
        at = xml.find("<GantryAngle>", at) + 13;
        double gantry = std::stod(xml.substr(at));
        gantry = std::fmod(gantry + 360.0, 360.0);
        EXPECT_NEAR(gantry, g.viewAngle(k) * 180.0 / std::numbers::pi, 1e-9) << "view " << k;
    }
    EXPECT_NE(xml.find("<SourceToIsocenterDistance>500<"), std::string::npos) << xml;
    EXPECT_NE(xml.find("<SourceToDetectorDistance>850<"), std::string::npos) << xml;
}

TEST_F(GeometryIo, RtkRefusesADetectorFacingAwayAndBadFiles)
{
    ViewPose p;
    p.source = {0.0, -500.0, 0.0};
    p.detector = {0.0, 300.0, 0.0};
    p.v = {0.0, 0.0, -1.0}; // û × v̂ points away from the source
    const Geometry g = Geometry::fromPoses(BeamType::Cone3D, detector(8, 8), {p});
    expectInvalid([&] { exportGeometry(g, m_dir / "g.xml", GeometryFormat::Rtk); },
                  {"views[0]", "towards the source"});
    const GeometryImportHints hints{.beam = BeamType::Cone3D, .detector = detector(8, 8)};
    const fs::path noAngle = write("a.xml", "<?xml version=\"1.0\"?><RTKThreeDCircularGeometry "
                                            "version=\"3\"><SourceToIsocenterDistance>500"
                                            "</SourceToIsocenterDistance><Projection>"
                                            "<SourceToDetectorDistance>900"
                                            "</SourceToDetectorDistance></Projection>"
                                            "</RTKThreeDCircularGeometry>");
    expectInvalid([&] { (void)importGeometry(noAngle, GeometryFormat::Rtk, hints); },
                  {"a.xml", "Projection[0].GantryAngle = missing"});
    const fs::path nan = write("b.xml", "<RTKThreeDCircularGeometry version=\"3\"><Projection>"
                                        "<GantryAngle>nan</GantryAngle>"
                                        "<SourceToIsocenterDistance>500"
                                        "</SourceToIsocenterDistance></Projection>"
                                        "</RTKThreeDCircularGeometry>");
    expectInvalid([&] { (void)importGeometry(nan, GeometryFormat::Rtk, hints); },
                  {"b.xml", "GantryAngle = nan", "finite"});
    const fs::path badMatrix = write(
        "c.xml", "<RTKThreeDCircularGeometry version=\"3\"><Projection><GantryAngle>0"
                 "</GantryAngle><SourceToIsocenterDistance>500</SourceToIsocenterDistance>"
                 "<SourceToDetectorDistance>900</SourceToDetectorDistance><Matrix>1 2 3 4 5 6 7 "
                 "8 9 10 11 12</Matrix></Projection></RTKThreeDCircularGeometry>");
    expectInvalid([&] { (void)importGeometry(badMatrix, GeometryFormat::Rtk, hints); },
                  {"c.xml", "Matrix[0] = 1", "does not match"});
}

TEST_F(GeometryIo, AstraRoundTripForEveryKind)
{
    for (const Geometry& g : {perturbedCone(), circular(BeamType::Parallel3D),
                              circular(BeamType::Fan2D), circular(BeamType::Parallel2D)}) {
        exportGeometry(g, m_dir / "g.txt", GeometryFormat::Astra);
        // The beam in the hints is wrong on purpose: the "# astra <kind>" line decides.
        GeometryImportHints hints = hintsFor(g);
        hints.beam = BeamType::Cone3D;
        expectSamePoses(importGeometry(m_dir / "g.txt", GeometryFormat::Astra, hints), g);
    }
}

TEST_F(GeometryIo, AstraDetectorCentreIsThePixelGridCentre)
{
    // ASTRA: pixel (row, col) centre = d + (col - nc/2 + 0.5) u + (row - nr/2 + 0.5) v.
    const Geometry g = perturbedCone();
    exportGeometry(g, m_dir / "g.txt", GeometryFormat::Astra);
    std::ifstream in(m_dir / "g.txt");
    std::string line;
    std::getline(in, line);
    std::getline(in, line);
    std::vector<double> v(12);
    for (double& x : v) {
        in >> x;
    }
    const Vec3 d{v[3], v[4], v[5]};
    const Vec3 u{v[6], v[7], v[8]};
    const Vec3 w{v[9], v[10], v[11]};
    const double col = 5.0;
    const double row = 7.0;
    const Vec3 astra = d + (col - 48 / 2.0 + 0.5) * u + (row - 32 / 2.0 + 0.5) * w;
    EXPECT_LT(norm(astra - g.pixelCentre(0, col, row)), kPoseTolerance);
}

// ASTRA's own conversion of its circular geometries (geom_2vec in astra/functions.py, fanflat and
// cone) gives source (sin θ·DSO, −cos θ·DSO, 0), detector (−sin θ·DOD, cos θ·DOD, 0),
// u = (cos θ, sin θ, 0)·du and v = (0, 0, dv). Our circular scan at θ exports exactly these rows:
// ASTRA's angle is our θ, DistanceOriginSource = SID, DistanceOriginDetector = SDD − SID
// (docs/geometry.md, "How RTK, ASTRA and plastimatch map onto ours").
TEST_F(GeometryIo, AstraCircularRowsAreAstrasOwnGeometryAtOurAngle)
{
    const double sid = 500.0;
    const double sdd = 850.0;
    const double start = 0.3;
    for (BeamType beam : {BeamType::Fan2D, BeamType::Cone3D}) {
        const Detector det{.columns = 40,
                           .rows = is2D(beam) ? std::size_t{1} : std::size_t{24},
                           .pixelU = 0.75,
                           .pixelV = 1.25};
        const CircularTrajectory t{.views = 10,
                                   .startAngle = start,
                                   .angularRange = 2.0 * std::numbers::pi,
                                   .sourceIsocentre = sid,
                                   .sourceDetector = sdd};
        const Geometry g = Geometry::circular(beam, det, t);
        exportGeometry(g, m_dir / "g.txt", GeometryFormat::Astra);
        std::ifstream in(m_dir / "g.txt");
        std::string comment;
        std::getline(in, comment);
        std::getline(in, comment);
        for (std::size_t k = 0; k < g.viewCount(); ++k) {
            const double theta = start + 2.0 * std::numbers::pi * static_cast<double>(k) / 10.0;
            const double sn = std::sin(theta);
            const double cs = std::cos(theta);
            const double dod = sdd - sid;
            const std::vector<double> astra =
                is2D(beam)
                    ? std::vector<double>{sn * sid, -cs * sid,       -sn * dod,
                                          cs * dod, cs * det.pixelU, sn * det.pixelU}
                    : std::vector<double>{
                          sn * sid,        -cs * sid,       0.0, -sn * dod, cs * dod, 0.0,
                          cs * det.pixelU, sn * det.pixelU, 0.0, 0.0,       0.0,      det.pixelV};
            for (std::size_t i = 0; i < astra.size(); ++i) {
                double value = 0.0;
                in >> value;
                EXPECT_NEAR(value, astra[i], kPoseTolerance)
                    << toString(beam) << " view " << k << " column " << i;
            }
        }
    }
}

// ASTRA's parallel3d (geom_2vec): ray (sin θ, −cos θ, 0), detector at the origin, u and v as for
// the cone. Its ray points the other way than ours (R_z(θ)(0, 1, 0)) but the lines are the same:
// imported, each view projects every point to the pixel our circular parallel scan at θ does.
TEST_F(GeometryIo, AstraParallelGeometryAtOurAngleProjectsLikeOurs)
{
    const Detector det{.columns = 40, .rows = 24, .pixelU = 0.75, .pixelV = 1.25};
    const CircularTrajectory t{.views = 8, .startAngle = 0.2, .angularRange = std::numbers::pi};
    const Geometry ours = Geometry::circular(BeamType::Parallel3D, det, t);
    std::ostringstream rows;
    rows.precision(17);
    rows << "# astra parallel3d_vec: rays as astra.functions.geom_2vec writes them\n";
    for (std::size_t k = 0; k < ours.viewCount(); ++k) {
        const double theta = 0.2 + std::numbers::pi * static_cast<double>(k) / 8.0;
        const double sn = std::sin(theta);
        const double cs = std::cos(theta);
        rows << sn << ' ' << -cs << " 0 0 0 0 " << cs * det.pixelU << ' ' << sn * det.pixelU
             << " 0 0 0 " << det.pixelV << '\n';
    }
    const Geometry astra = importGeometry(write("p.txt", rows.str()), GeometryFormat::Astra,
                                          {.beam = BeamType::Parallel3D, .detector = det});
    ASSERT_EQ(astra.viewCount(), ours.viewCount());
    for (std::size_t k = 0; k < ours.viewCount(); ++k) {
        const auto a = astra.projectionMatrix(k);
        const auto o = ours.projectionMatrix(k);
        for (std::size_t i = 0; i < 12; ++i) {
            EXPECT_NEAR(a[i], o[i], kPoseTolerance) << "view " << k << " entry " << i;
        }
        EXPECT_LT(norm(astra.poses()[k].source + ours.poses()[k].source), kPoseTolerance)
            << "view " << k << ": ASTRA's ray is the opposite of ours";
    }
}

TEST_F(GeometryIo, AstraBadRowsNameLineColumnAndValue)
{
    const GeometryImportHints hints{.beam = BeamType::Cone3D, .detector = detector(8, 8)};
    const fs::path shortRow = write("s.txt", "0 -500 0 0 300 0 1 0 0 0 0 1\n0 -500 0 0 300 0\n");
    expectInvalid([&] { (void)importGeometry(shortRow, GeometryFormat::Astra, hints); },
                  {"s.txt: line 2", "column count = 6", "12 numbers", "cone_vec"});
    const fs::path nan = write("n.txt", "0,-500,0,0,300,0,1,0,0,0,0,nan\n");
    expectInvalid([&] { (void)importGeometry(nan, GeometryFormat::Astra, hints); },
                  {"n.txt: line 1, column 12 = nan", "finite"});
    const fs::path word = write("w.txt", "0 -500 0 0 300 0 1 0 0 0 0 1\n0 -500 zero 0 300 0 1 0 "
                                         "0 0 0 1\n");
    expectInvalid([&] { (void)importGeometry(word, GeometryFormat::Astra, hints); },
                  {"w.txt: line 2, column 3 = \"zero\"", "must be a number"});
}

TEST_F(GeometryIo, MatricesRoundTripKeepsDivergentPoses)
{
    for (const Geometry& g : {perturbedCone(), circular(BeamType::Fan2D)}) {
        exportGeometry(g, m_dir / "m.csv", GeometryFormat::Matrices);
        expectSamePoses(importGeometry(m_dir / "m.csv", GeometryFormat::Matrices, hintsFor(g)), g);
    }
}

TEST_F(GeometryIo, ParallelMatricesRoundTripKeepsTheProjection)
{
    const Geometry g = circular(BeamType::Parallel3D);
    exportGeometry(g, m_dir / "m.csv", GeometryFormat::Matrices);
    const Geometry back = importGeometry(m_dir / "m.csv", GeometryFormat::Matrices, hintsFor(g));
    ASSERT_EQ(back.viewCount(), g.viewCount());
    EXPECT_EQ(back.beam(), BeamType::Parallel3D);
    for (std::size_t k = 0; k < g.viewCount(); ++k) {
        const auto a = g.projectionMatrix(k);
        const auto b = back.projectionMatrix(k);
        for (std::size_t i = 0; i < 12; ++i) {
            EXPECT_NEAR(a[i], b[i], kPoseTolerance) << "view " << k << " entry " << i;
        }
        EXPECT_LT(norm(back.poses()[k].source - g.poses()[k].source), kPoseTolerance);
    }
}

TEST_F(GeometryIo, SingularMatrixAndWrongColumnCountNameTheLine)
{
    const GeometryImportHints hints{.beam = BeamType::Cone3D, .detector = detector(8, 8)};
    const fs::path singular = write("m.csv", "p11,p12,p13,p14,p21,p22,p23,p24,p31,p32,p33,p34\n"
                                             "1,0,0,0,0,1,0,0,1,1,0,500\n");
    expectInvalid([&] { (void)importGeometry(singular, GeometryFormat::Matrices, hints); },
                  {"m.csv: line 2", "singular", "not a projection matrix"});
    const fs::path wrong = write("w.csv", "1,0,0,0,0,1,0,0,0,0,1\n");
    expectInvalid([&] { (void)importGeometry(wrong, GeometryFormat::Matrices, hints); },
                  {"w.csv: line 1", "column count = 11", "12 numbers"});
    expectInvalid(
        [&] { (void)importGeometry(singular, GeometryFormat::Matrices, GeometryImportHints{}); },
        {"detector size", "0 x 0"});
}

TEST_F(GeometryIo, PlastimatchRoundTripKeepsThePoses)
{
    for (const Geometry& g : {perturbedCone(), circular(BeamType::Cone3D)}) {
        exportGeometry(g, m_dir / "pm", GeometryFormat::PlastimatchDir);
        EXPECT_TRUE(fs::is_regular_file(m_dir / "pm" / "proj0000.txt"));
        expectSamePoses(importGeometry(m_dir / "pm", GeometryFormat::PlastimatchDir, hintsFor(g)),
                        g);
        fs::remove_all(m_dir / "pm");
    }
    expectInvalid(
        [&] {
            exportGeometry(circular(BeamType::Parallel3D), m_dir / "p",
                           GeometryFormat::PlastimatchDir);
        },
        {"beam = \"parallel3d\"", "divergent"});
}

// tests/data/plastimatch/ holds files written by `plastimatch drr -G` (1.9.4, Debian 12):
// 6 x 8 pixels of 10 x 5 mm, --sad 500 --sid 900, default image centre.
TEST_F(GeometryIo, ReadsRealPlastimatchFiles)
{
    const fs::path folder = fs::path(test::resourcesDir()) / ".." / "tests/data/plastimatch";
    Detector det{.columns = 6, .rows = 8, .pixelU = 1.0, .pixelV = 1.0};
    const Geometry g = importGeometry(folder, GeometryFormat::PlastimatchDir,
                                      {.beam = BeamType::Cone3D, .detector = det});
    ASSERT_GE(g.viewCount(), 1u);
    EXPECT_NEAR(g.detector().pixelU, 10.0, kPoseTolerance);
    EXPECT_NEAR(g.detector().pixelV, 5.0, kPoseTolerance);
    for (std::size_t k = 0; k < g.viewCount(); ++k) {
        const ViewPose& p = g.poses()[k];
        EXPECT_NEAR(norm(p.source), 500.0, kPoseTolerance);
        EXPECT_NEAR(norm(p.detector - p.source), 900.0, kPoseTolerance);
        // The isocentre projects onto the image centre (2.5, 3.5).
        const auto m = g.projectionMatrix(k);
        EXPECT_NEAR(m[3] / m[11], 2.5, kPoseTolerance);
        EXPECT_NEAR(m[7] / m[11], 3.5, kPoseTolerance);
        EXPECT_NEAR(g.magnification(k), 900.0 / 500.0, kPoseTolerance);
    }
}

// The same files: `plastimatch drr -G -a 3 -N 40 -r "6 8" -z "60 40" --sad 500 --sid 900` writes
// them byte for byte, so they hold gantry angles a = 0°, 40°, 80°. plastimatch puts the source at
// sad·(cos a, −sin a, 0), looks at the isocentre with vup = +z and counts rows downwards: its view
// at gantry angle a is our circular pose at θ = 90° − a (a turns clockwise seen from +z) with
// v̂ = −z, SID = sad and SDD = plastimatch's "sid" (docs/geometry.md, "How RTK, ASTRA and
// plastimatch map onto ours").
TEST_F(GeometryIo, PlastimatchGantryAngleIsNinetyDegreesMinusOurThetaWithRowsDown)
{
    const fs::path folder = fs::path(test::resourcesDir()) / ".." / "tests/data/plastimatch";
    const Detector det{.columns = 6, .rows = 8, .pixelU = 1.0, .pixelV = 1.0};
    const Geometry g = importGeometry(folder, GeometryFormat::PlastimatchDir,
                                      {.beam = BeamType::Cone3D, .detector = det});
    ASSERT_EQ(g.viewCount(), 3u);
    // plastimatch writes "%18.8e" (9 significant digits): positions of ~500 mm come back from
    // the matrix within ~2e-5 mm, unit vectors and angles within ~1e-8.
    constexpr double kNineDigitPositionTolerance = 1e-4;
    const double degree = std::numbers::pi / 180.0;
    for (std::size_t k = 0; k < g.viewCount(); ++k) {
        const double a = 40.0 * degree * static_cast<double>(k);
        const double theta = 90.0 * degree - a;
        const ViewPose& p = g.poses()[k];
        EXPECT_LT(norm(p.source - Vec3{500.0 * std::cos(a), -500.0 * std::sin(a), 0.0}),
                  kNineDigitPositionTolerance)
            << "view " << k;
        EXPECT_LT(norm(p.source - rotateZ({0.0, -500.0, 0.0}, theta)), kNineDigitPositionTolerance);
        EXPECT_LT(norm(p.detector - rotateZ({0.0, 900.0 - 500.0, 0.0}, theta)),
                  kNineDigitPositionTolerance);
        EXPECT_LT(norm(p.u - rotateZ({1.0, 0.0, 0.0}, theta)), kPoseTolerance);
        EXPECT_LT(norm(p.v - Vec3{0.0, 0.0, -1.0}), kPoseTolerance) << "rows run downwards";
        EXPECT_NEAR(g.viewAngle(k), theta, kPoseTolerance);
    }
}

// Exporting the geometry read from the real files writes plastimatch's numbers again: image
// centre, matrix, sad, sid, the normal line (plastimatch writes its third extrinsic row there:
// the unit vector from the source towards the detector) and the extrinsic and intrinsic blocks.
TEST_F(GeometryIo, PlastimatchExportOfTheRealGeometryWritesPlastimatchsNumbers)
{
    // The real files hold 9 significant digits ("%18.8e"); a position of ~500 mm read back from
    // them is good to ~5e-7 mm, which a product like û·s (0 in the file) inherits.
    constexpr double kNineDigitRelativeTolerance = 1e-7;
    constexpr double kNineDigitPositionError = 1e-6;
    const fs::path folder = fs::path(test::resourcesDir()) / ".." / "tests/data/plastimatch";
    const Detector det{.columns = 6, .rows = 8, .pixelU = 1.0, .pixelV = 1.0};
    const Geometry g = importGeometry(folder, GeometryFormat::PlastimatchDir,
                                      {.beam = BeamType::Cone3D, .detector = det});
    exportGeometry(g, m_dir / "pm", GeometryFormat::PlastimatchDir);
    const auto numbers = [](const fs::path& file) {
        std::ifstream in(file);
        std::vector<double> values;
        std::string token;
        while (in >> token) {
            if (token != "Extrinsic" && token != "Intrinsic") {
                values.push_back(std::stod(token));
            }
        }
        return values;
    };
    for (const char* name : {"proj0000.txt", "proj0001.txt", "proj0002.txt"}) {
        const std::vector<double> theirs = numbers(folder / name);
        const std::vector<double> ours = numbers(m_dir / "pm" / name);
        ASSERT_EQ(ours.size(), theirs.size()) << name;
        for (std::size_t i = 0; i < theirs.size(); ++i) {
            EXPECT_NEAR(ours[i], theirs[i],
                        kNineDigitRelativeTolerance * std::max(1.0, std::abs(theirs[i])) +
                            kNineDigitPositionError)
                << name << " number " << i;
        }
    }
}

TEST_F(GeometryIo, PlastimatchBadFilesNameFileAndField)
{
    const GeometryImportHints hints{.beam = BeamType::Cone3D, .detector = detector(8, 8)};
    fs::create_directories(m_dir / "bad");
    std::ofstream(m_dir / "bad" / "proj0000.txt") << "2.5 3.5\n1 0 0 0\n0 1 0 0\n";
    expectInvalid(
        [&] { (void)importGeometry(m_dir / "bad", GeometryFormat::PlastimatchDir, hints); },
        {"proj0000.txt", "number count = 10", "19 numbers"});
    std::ofstream(m_dir / "bad" / "proj0000.txt")
        << "2.5 3.5\n0 0.1 0 0\n0 0 -0.2 0\n-0.001 0 0 0.5\n500\nnan\n1 0 0\n";
    expectInvalid(
        [&] { (void)importGeometry(m_dir / "bad", GeometryFormat::PlastimatchDir, hints); },
        {"proj0000.txt: sid = nan", "finite"});
}

TEST_F(GeometryIo, JsonBadInputNamesTheField)
{
    exportGeometry(circular(BeamType::Cone3D), m_dir / "g.json", GeometryFormat::Json);
    std::ifstream in(m_dir / "g.json");
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const std::string missing = std::string(text).replace(text.find("\"u\""), 3, "\"w\"");
    expectInvalid([&] { (void)geometryFromJson(missing, "g.json"); },
                  {"g.json: views[0].u = missing"});
    const std::string badBeam = std::string(text).replace(text.find("cone3d"), 6, "cone9d");
    expectInvalid([&] { (void)geometryFromJson(badBeam, "g.json"); },
                  {"g.json: beam = \"cone9d\"", "accepted"});
    EXPECT_THROW((void)parseGeometryFormat("dicom"), InvalidArgument);
}
} // namespace
