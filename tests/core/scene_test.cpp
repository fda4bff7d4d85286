#include "common/test_support.h"
#include "tomo/error.h"
#include "tomo/phantom.h"
#include "tomo/scene.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <numbers>
#include <stdexcept>
#include <string>
#include <vector>

namespace tomo
{
namespace
{
std::filesystem::path resources()
{
    return test::resourcesDir();
}

std::string defaultText()
{
    std::ifstream in(resources() / "scenes/shepp-logan-2d-parallel.json");
    return std::string(std::istreambuf_iterator<char>(in), {});
}

std::string errorOf(const std::string& json)
{
    try {
        (void)parseScene(json, "test.json");
    } catch (const InvalidArgument& e) {
        return e.what();
    }
    return "<no InvalidArgument>";
}

std::string replaced(std::string text, const std::string& from, const std::string& to)
{
    const auto at = text.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    return text.replace(at, from.size(), to);
}

TEST(Scene, EveryExampleSceneLoads)
{
    int count = 0;
    for (const auto& entry : std::filesystem::directory_iterator(resources() / "scenes")) {
        EXPECT_NO_THROW((void)loadScene(entry.path())) << entry.path();
        ++count;
    }
    EXPECT_GE(count, 1);
}

TEST(Scene, DefaultSceneHasTheDocumentedValues)
{
    const Scene s = parseScene(defaultText());
    EXPECT_EQ(s.beam, BeamType::Parallel2D);
    EXPECT_EQ(s.trajectory.views, 360u);
    EXPECT_NEAR(s.trajectory.angularRange, 3.14159265358979, 1e-12);
    EXPECT_EQ(s.detector.columns, 367u);
    EXPECT_EQ(s.reconstruction.gridSize[0], 256u);
}

TEST(Scene, JsonRoundTripIsLossless)
{
    Scene s = parseScene(defaultText());
    s.name = "round trip";
    s.description = "What the scene shows, kept on save.";
    s.reconstruction.fbp.window = RampWindow::Hamming;
    s.reconstruction.fbp.cutoff = 0.8;
    s.detector.offsetU = 0.25;
    const Scene back = parseScene(toJson(s));
    EXPECT_EQ(back.name, s.name);
    EXPECT_EQ(back.description, s.description);
    EXPECT_EQ(back.reconstruction.fbp.window, RampWindow::Hamming);
    EXPECT_EQ(back.reconstruction.fbp.cutoff, 0.8);
    EXPECT_EQ(back.detector, s.detector);
    EXPECT_EQ(back.geometry(), s.geometry());
    EXPECT_EQ(toJson(back), toJson(s));
}

TEST(Scene, ErrorsNameTheJsonPath)
{
    const std::string text = defaultText();
    std::string m = errorOf(replaced(text, "\"columns\": 367", "\"columns\": -3"));
    EXPECT_NE(m.find("test.json: geometry.detector.columns = -3"), std::string::npos) << m;
    m = errorOf(replaced(text, "\"views\": 360", "\"views\": 0"));
    // Fields the core checks are named where the scene file holds them.
    EXPECT_NE(m.find("test.json: geometry.trajectory.views = 0"), std::string::npos) << m;
    m = errorOf(replaced(text, "\"sdd_mm\": 1000", "\"sdd_mm\": 100"));
    EXPECT_NE(m.find("test.json: geometry.trajectory.sdd_mm = 100"), std::string::npos) << m;
    m = errorOf(replaced(text, "\"algorithm\": \"fbp\"",
                         "\"algorithm\": \"fista-tv\", \"tv_weight_per_mm\": -1"));
    EXPECT_NE(m.find("test.json: reconstruction.tv_weight_per_mm = -1"), std::string::npos) << m;
    m = errorOf(replaced(text, "\"filter\": \"ram-lak\"", "\"filter\": \"ramp\""));
    EXPECT_NE(m.find("reconstruction.filter = \"ramp\""), std::string::npos) << m;
    m = errorOf(replaced(text, "\"radius_mm\": 100", "\"radius_mm\": \"big\""));
    EXPECT_NE(m.find("object.radius_mm = \"big\" is invalid: must be a number"), std::string::npos)
        << m;
}

TEST(Scene, AnInlinePhantomRoundTripsExactlyAndIsThePhantomTheSceneScans)
{
    Scene scene = parseScene(defaultText(), "test.json");
    Phantom edited = sheppLogan2D(SheppLoganVariant::Modified, 100.0, 0.02);
    edited.objects[3].value = 0.0125;
    edited.objects[3].rotation = rotationFromEuler(0.3, 0.0, 0.0); // not whole degrees
    edited.objects.push_back({ShapeKind::Box,
                              {10.0, -20.0, 0.0},
                              {5.0, 8.0, 30.0},
                              rotationFromEuler(0.0, 0.5, 0.25),
                              "cortical-bone",
                              0.05});
    scene.object.phantom = "inline";
    scene.object.objects = edited.objects;

    const Scene back = parseScene(toJson(scene), "test.json");
    EXPECT_EQ(back.object.phantom, "inline");
    EXPECT_EQ(back.object.objects, edited.objects); // bit for bit, rotations included
    const Phantom scanned = back.phantom();
    EXPECT_EQ(scanned.name, "inline");
    EXPECT_EQ(scanned.objects, edited.objects);
    EXPECT_NO_THROW(back.validate());
}

TEST(Scene, InlinePhantomErrorsNameTheObjectAndItsKey)
{
    const std::string text = replaced(defaultText(), R"("phantom": "shepp-logan-2d",
    "variant": "modified",
    "radius_mm": 100,
    "mu_per_unit": 0.02)",
                                      R"("phantom": "inline", "objects": OBJECTS)");
    const auto with = [&text](const std::string& objects) {
        return errorOf(replaced(text, "OBJECTS", objects));
    };
    const std::string good = R"({"kind": "ellipsoid", "centre_mm": [0, 0, 0],
                                 "semi_axes_mm": [50, 40, 30], "value_per_mm": 0.02})";
    std::string m = with("{}");
    EXPECT_NE(m.find("object.objects = {} is invalid: must be an array"), std::string::npos) << m;
    m = with("[" + good + R"(, {"kind": "ellipsoid", "centre_mm": [0, 0, 0],
                                 "semi_axes_mm": [-5, 4, 3], "value_per_mm": 0.01}])");
    EXPECT_NE(m.find("object.objects[1].semi_axes_mm[0] = -5"), std::string::npos) << m;
    m = with(R"([{"kind": "box", "centre_mm": [0, 0, 0], "semi_axes_mm": [5, 4, 3],
                  "rotation": [1, 0, 0, 0, 1, 0, 0, 0, -1], "value_per_mm": 0.01}])");
    EXPECT_NE(m.find("object.objects[0].rotation = determinant -1"), std::string::npos) << m;
    m = with(R"([{"kind": "ellipsoid", "centre_mm": [0, 0, 0], "semi_axes_mm": [5, 4, 3],
                  "value_per_mm": 0.01, "colour": "red"}])");
    EXPECT_NE(m.find("object.objects[0].colour"), std::string::npos) << m;
    EXPECT_NE(m.find("unknown key"), std::string::npos) << m;
    // The built-in phantoms' keys do not apply to an inline one.
    m = with("[" + good + "], \"radius_mm\": 100");
    EXPECT_NE(m.find("object.radius_mm"), std::string::npos) << m;

    // A scene built in code is checked as the file is.
    Scene scene = parseScene(defaultText(), "test.json");
    scene.object.phantom = "inline";
    scene.object.objects = {{ShapeKind::Ellipsoid, {}, {5.0, 0.0, 3.0}}};
    try {
        scene.validate();
        ADD_FAILURE() << "a zero semi-axis was accepted";
    } catch (const InvalidArgument& e) {
        EXPECT_NE(std::string(e.what()).find("object.objects[0].semi_axes_mm[1] = 0"),
                  std::string::npos)
            << e.what();
    }
}

// Sub-micrometre: the grid and detector sizes are products and quotients of a few millimetres.
constexpr double kMmTolerance = 1e-9;

// The app's Beam choice on the default scene (256², 367 columns of 0.8 mm, parallel, 180°, FBP):
// a cone beam gets a 3D head on a 128³ grid over the same field, detector pixels that match the
// simulation's finer voxels at the isocentre, columns that cover the field the parallel detector
// covered, rows that cover the grid's height as the source sees it, a full turn and FDK; back to 2D
// restores a one-row, one-slice scan of the 2D head.
TEST(Scene, WithBeamMakesATwoDSceneThreeDAndBack)
{
    const Scene flat = loadScene(test::resourcesDir() + "/scenes/shepp-logan-2d-parallel.json");
    ASSERT_EQ(flat.reconstruction.gridSize[0], 256U);
    const double field = 256 * 0.8;
    const double covered = flat.geometry().fieldOfViewRadius();
    ASSERT_NEAR(covered, 0.5 * 367 * 0.8, kMmTolerance);

    const Scene cone = withBeam(flat, BeamType::Cone3D);
    EXPECT_EQ(cone.beam, BeamType::Cone3D);
    EXPECT_EQ(cone.object.phantom, "shepp-logan-3d");
    EXPECT_EQ(cone.object.variant, flat.object.variant);
    EXPECT_DOUBLE_EQ(cone.object.radiusMm, flat.object.radiusMm);
    for (std::size_t a = 0; a < 3; ++a) {
        EXPECT_EQ(cone.reconstruction.gridSize[a], kBeamSwitchGridSide) << "axis " << a;
        EXPECT_NEAR(cone.reconstruction.gridSpacingMm[a], field / 128.0, kMmTolerance);
    }
    const double magnification = 1000.0 / 500.0;
    EXPECT_NEAR(cone.detector.pixelU,
                field / 128.0 / Scene::kSimulationOversampling * magnification, kMmTolerance);
    EXPECT_EQ(cone.detector.columns, 384U);
    EXPECT_EQ(cone.detector.rows, 361U);
    EXPECT_DOUBLE_EQ(cone.detector.pixelV, cone.detector.pixelU);
    EXPECT_DOUBLE_EQ(cone.trajectory.angularRange, 2.0 * std::numbers::pi);
    EXPECT_EQ(cone.reconstruction.algorithm, "");
    EXPECT_EQ(cone.algorithm(), "fdk");
    EXPECT_NO_THROW(cone.validate());

    // The field of view is kept, to within one pixel at the isocentre.
    const Geometry g = cone.geometry();
    EXPECT_GE(g.fieldOfViewRadius(), covered);
    EXPECT_LT(g.fieldOfViewRadius(), covered + cone.detector.pixelU / magnification);
    // Every view sees the grid's eight corners on the detector's rows, and the detector has no
    // more than one row beyond the highest (a corner pointing at the source, views 45, 135, ...).
    const double rows = static_cast<double>(cone.detector.rows);
    double highest = 0.0;
    for (std::size_t view = 0; view < g.viewCount(); view += 45) {
        for (const double x : {-0.5 * field, 0.5 * field}) {
            for (const double y : {-0.5 * field, 0.5 * field}) {
                for (const double z : {-0.5 * field, 0.5 * field}) {
                    const auto at = g.projectPoint(view, Vec3{x, y, z});
                    ASSERT_TRUE(at.has_value()) << "view " << view;
                    EXPECT_GE((*at)[1], -0.5) << "view " << view << " corner " << x << y << z;
                    EXPECT_LE((*at)[1], rows - 0.5) << "view " << view << " corner " << x << y << z;
                    highest = std::max(highest, (*at)[1]);
                }
            }
        }
    }
    EXPECT_GT(highest, rows - 1.5) << "the detector is taller than the grid needs";

    const Scene back = withBeam(cone, BeamType::Parallel2D);
    EXPECT_EQ(back.detector.rows, 1U);
    EXPECT_EQ(back.reconstruction.gridSize[2], 1U);
    EXPECT_EQ(back.object.phantom, "shepp-logan-2d");
    EXPECT_EQ(back.algorithm(), "fbp");
    EXPECT_GE(back.geometry().fieldOfViewRadius(), g.fieldOfViewRadius());
    EXPECT_NO_THROW(back.validate());

    // The name follows the beam; the description says it was written for the scene before.
    ASSERT_EQ(flat.name, "Shepp-Logan 2D, parallel beam");
    EXPECT_EQ(cone.name, "Shepp-Logan 3D, cone beam");
    EXPECT_EQ(back.name, flat.name);
    EXPECT_EQ(cone.description, "Made a cone-beam scan by the Beam choice, from a scene "
                                "described as: " +
                                    flat.description);
    EXPECT_EQ(back.description, "Made a 2D parallel-beam scan by the Beam choice, from a scene "
                                "described as: " +
                                    flat.description)
        << "said once, however often the beam changes";
    // A name that says neither gets the beam added; the helical example's says "Cone beam".
    Scene named = flat;
    named.name = "my scan";
    EXPECT_EQ(withBeam(named, BeamType::Fan2D).name, "my scan, 2D fan beam");
    const Scene helix = loadScene(test::resourcesDir() + "/scenes/cone-helical.json");
    ASSERT_EQ(helix.name, "Cone beam, helical orbit");
    EXPECT_EQ(withBeam(helix, BeamType::Parallel3D).name, "Parallel beam, helical orbit");
}

TEST(Scene, WithBeamKeepsWhatNeedsNoChange)
{
    const Scene flat = loadScene(test::resourcesDir() + "/scenes/shepp-logan-2d-parallel.json");
    // A parallel 3D beam: no magnification, the detector as wide as before at half the 1.6 mm
    // voxel, and 180° is still a complete parallel scan.
    const Scene parallel = withBeam(flat, BeamType::Parallel3D);
    EXPECT_DOUBLE_EQ(parallel.detector.pixelU, 0.8);
    EXPECT_EQ(parallel.detector.columns, 367U);
    EXPECT_EQ(parallel.detector.rows, 256U); // 204.8 mm / 0.8 mm
    EXPECT_DOUBLE_EQ(parallel.trajectory.angularRange, flat.trajectory.angularRange);
    // Between two 3D beams the grid, the pitch and the rows stay; an iterative choice stays.
    Scene chosen = parallel;
    chosen.reconstruction.algorithm = "sirt";
    const Scene cone = withBeam(chosen, BeamType::Cone3D);
    EXPECT_EQ(cone.detector.rows, chosen.detector.rows);
    EXPECT_DOUBLE_EQ(cone.detector.pixelU, chosen.detector.pixelU);
    EXPECT_GE(cone.geometry().fieldOfViewRadius(), chosen.geometry().fieldOfViewRadius());
    EXPECT_EQ(cone.reconstruction.gridSize, chosen.reconstruction.gridSize);
    EXPECT_EQ(cone.reconstruction.algorithm, "sirt");
    // Between two divergent beams nothing but the beam changes.
    const Scene fan = withBeam(withBeam(flat, BeamType::Cone3D), BeamType::Fan2D);
    const Scene fanAgain = withBeam(fan, BeamType::Fan2D);
    EXPECT_EQ(fanAgain.detector, fan.detector);
    // Phantoms without a counterpart of the other dimension stay as they are.
    Scene water = flat;
    water.object.phantom = "water-cylinder";
    EXPECT_EQ(withBeam(water, BeamType::Cone3D).object.phantom, "water-cylinder");
    Scene inlined = flat;
    inlined.object.phantom = "inline";
    EXPECT_EQ(withBeam(inlined, BeamType::Cone3D).object.phantom, "inline");
    // A small grid is not made finer.
    Scene small = flat;
    small.reconstruction.gridSize = {64, 48, 1};
    small.reconstruction.gridSpacingMm = {2.0, 2.0, 2.0};
    const Scene smallCone = withBeam(small, BeamType::Cone3D);
    EXPECT_EQ(smallCone.reconstruction.gridSize, (std::array<std::size_t, 3>{64, 48, 64}));
    EXPECT_DOUBLE_EQ(smallCone.reconstruction.gridSpacingMm[2], 2.0);
}

TEST(Scene, CylindricalDetectorsRoundTrip)
{
    Scene s = parseScene(defaultText());
    s.beam = BeamType::Fan2D;
    s.detector.shape = DetectorShape::Cylindrical;
    s.detector.radius = 1000.0;
    const Scene back = parseScene(toJson(s));
    EXPECT_EQ(back.detector, s.detector);
    EXPECT_EQ(back.geometry(), s.geometry());
    const std::string flat = toJson(parseScene(defaultText()));
    EXPECT_EQ(flat.find("\"shape\""), std::string::npos) << "flat detectors write no shape";
}

TEST(Scene, UnknownKeysAreRejectedNotIgnored)
{
    const std::string m =
        errorOf(replaced(defaultText(), "\"rows\": 1,", "\"rows\": 1, \"colums\": 5,"));
    EXPECT_NE(m.find("geometry.detector.colums"), std::string::npos) << m;
    EXPECT_NE(m.find("unknown key"), std::string::npos) << m;
}

TEST(Scene, MalformedJsonAndWrongFormatAreReported)
{
    EXPECT_NE(errorOf("{ \"format\": ").find("not valid JSON"), std::string::npos);
    EXPECT_NE(errorOf("{\"format\": \"tomoscope-geometry\", \"version\": 1}").find("format"),
              std::string::npos);
    EXPECT_THROW((void)loadScene("/nonexistent/scene.json"), IoError);
}

TEST(Scene, SaveIsAtomicAndReadable)
{
    const auto dir = std::filesystem::temp_directory_path() / "tomo_scene_test";
    std::filesystem::create_directories(dir);
    const Scene s = parseScene(defaultText());
    saveScene(s, dir / "saved.json");
    EXPECT_EQ(toJson(loadScene(dir / "saved.json")), toJson(s));
    int leftovers = 0;
    for (const auto& e : std::filesystem::directory_iterator(dir)) {
        leftovers += e.path().filename().string().find(".tmp-") != std::string::npos ? 1 : 0;
    }
    EXPECT_EQ(leftovers, 0);
    EXPECT_THROW(saveScene(s, dir / "missing-folder" / "x.json"), IoError);
    std::filesystem::remove_all(dir);
}
} // namespace
} // namespace tomo

namespace tomo
{
namespace
{
TEST(SceneReconstruction, IterativeSettingsRoundTripAndTheAnalyticMethodFollowsTheBeam)
{
    const std::string sirt = replaced(defaultText(), "\"algorithm\": \"fbp\"",
                                      "\"algorithm\": \"asd-pocs\", \"iterations\": 7, "
                                      "\"alpha\": 0.004, \"subset_order\": \"random\", "
                                      "\"seed\": 3, \"multi_resolution\": true");
    const Scene s = parseScene(sirt);
    EXPECT_TRUE(s.isIterative());
    EXPECT_EQ(s.reconstruction.iterative.iterations, 7u);
    EXPECT_EQ(s.reconstruction.iterative.order, SubsetOrder::Random);
    const Scene again = parseScene(toJson(s));
    EXPECT_EQ(again.algorithm(), "asd-pocs");
    EXPECT_EQ(again.reconstruction.iterative.seed, 3u);
    EXPECT_DOUBLE_EQ(again.reconstruction.iterative.alpha, 0.004);
    EXPECT_TRUE(again.reconstruction.iterative.multiResolution);

    // Without an algorithm a 3D beam gets FDK; FBP on a cone beam names the way out.
    Scene cone = parseScene(defaultText());
    cone.beam = BeamType::Cone3D;
    cone.detector.rows = 16;
    cone.reconstruction.algorithm.clear();
    EXPECT_EQ(cone.algorithm(), "fdk");
    cone.reconstruction.algorithm = "fbp";
    try {
        cone.validate();
        ADD_FAILURE() << "no exception";
    } catch (const InvalidArgument& e) {
        EXPECT_NE(std::string(e.what()).find("reconstructed analytically with fdk"),
                  std::string::npos)
            << e.what();
    }
    EXPECT_NE(errorOf(replaced(defaultText(), "\"algorithm\": \"fbp\"",
                               "\"algorithm\": \"sirt\", \"iterations\": 0")),
              "<no InvalidArgument>");
    EXPECT_NE(errorOf(replaced(defaultText(), "\"algorithm\": \"fbp\"", "\"algorithm\": \"art\""))
                  .find("accepted: fbp (2D beams), fdk (3D beams), sirt"),
              std::string::npos);
}
} // namespace
} // namespace tomo

namespace tomo
{
namespace
{
TEST(Scene, PhysicsRoundTripsThroughJson)
{
    Scene s = parseScene(defaultText());
    s.physics.seed = 42;
    s.physics.spectrum.kvp = 100.0;
    s.physics.spectrum.filtration = {{findMaterial("aluminium"), 3.0},
                                     {findMaterial("copper"), 0.2}};
    s.physics.materials.bands = {{findMaterial("air"), -500.0}, {findMaterial("iron")}};
    s.physics.detector.mode = DetectorMode::Integrating;
    s.physics.detector.blurSigmaPx = 0.7;
    s.physics.photonsPerPixel = 1e4;
    s.physics.electronicNoise = 2.5;
    s.physics.darkCurrent = 1.0;
    s.physics.scatter = {0.25, 30.0};
    s.physics.rings.gainSigma = 0.01;
    s.physics.rings.deadFraction = 0.001;
    s.physics.motion.translationMm = {1.0, 2.0, 0.0};
    s.physics.motion.rotationRad = 0.5; // radians; the file holds degrees
    s.physics.motion.profile = MotionProfile::Step;
    s.physics.lag = 0.05;
    s.physics.corrections.waterBeamHardening = true;
    s.physics.corrections.ringRemoval = true;
    Scene back = parseScene(toJson(s));
    // Degrees and back: equal to rounding.
    EXPECT_NEAR(back.physics.motion.rotationRad, 0.5, 1e-15);
    back.physics.motion.rotationRad = s.physics.motion.rotationRad;
    EXPECT_EQ(back.physics, s.physics);
    // Without physics keys the scene is ideal.
    EXPECT_TRUE(parseScene(defaultText()).physics.isIdeal());
}

TEST(Scene, PhysicsErrorsNameTheJsonPath)
{
    const std::string model = R"("model": "joseph")";
    const auto errorWith = [&](const std::string& keys) {
        return errorOf(replaced(defaultText(), model, keys));
    };
    EXPECT_NE(errorWith(R"("model": "joseph", "spectrum": {"kvp": 400})")
                  .find("test.json: simulation.spectrum.kvp = 400"),
              std::string::npos);
    EXPECT_NE(
        errorWith(R"("model": "joseph", "scatter": {"sp": 0.2})").find("simulation.scatter.sp"),
        std::string::npos);
    EXPECT_NE(
        errorWith(R"("model": "analytic", "spectrum": {"kvp": 120})").find("simulation.model"),
        std::string::npos);
    EXPECT_NE(errorWith(R"("model": "joseph", "detector": {"scintillator": "kryptonite"})")
                  .find("simulation.detector.scintillator"),
              std::string::npos);
    // Degrees in the file, degrees in the check and in the message (400° is 6.98 rad, which a
    // check in radians against ±7 let through).
    const std::string rotation = errorWith(R"("model": "joseph", "motion": {"rotation_deg": 400})");
    EXPECT_NE(rotation.find("simulation.motion.rotation_deg = 400"), std::string::npos) << rotation;
    EXPECT_NE(rotation.find("within ±360 degrees"), std::string::npos) << rotation;
    EXPECT_EQ(errorWith(R"("model": "joseph", "motion": {"rotation_deg": -300})"),
              "<no InvalidArgument>")
        << "300 degrees is within the accepted amplitude";
}
} // namespace
} // namespace tomo

namespace tomo
{
namespace
{
const AlgorithmChoice& choiceOf(const std::vector<AlgorithmChoice>& choices,
                                const std::string& name)
{
    for (const AlgorithmChoice& c : choices) {
        if (c.name == name) {
            return c;
        }
    }
    throw std::runtime_error("no choice named " + name);
}

bool mentions(const std::string& text, const std::string& word)
{
    return text.find(word) != std::string::npos;
}

// A small circular cone-beam scene: 64 views over 360 degrees, a 64 x 48 detector that covers
// the 64^3 grid.
Scene coneScene()
{
    Scene s = loadScene(resources() / "scenes/cone-circular.json");
    s.trajectory.views = 64;
    s.trajectory.angularRange = 2.0 * std::numbers::pi;
    s.reconstruction.algorithm.clear();
    s.reconstruction.gridSize = {64, 64, 48};
    return s;
}

TEST(SceneAlgorithmChoices, ListsEveryAlgorithmTheSceneAcceptsInTheDocumentedOrder)
{
    const std::vector<AlgorithmChoice> choices = algorithmChoices(parseScene(defaultText()));
    std::vector<std::string> names;
    for (const AlgorithmChoice& c : choices) {
        names.push_back(c.name);
    }
    EXPECT_EQ(names,
              (std::vector<std::string>{"fbp", "fdk", "sirt", "sart", "os-sart", "cgls", "mlem",
                                        "osem", "fista-tv", "tv-pocs", "asd-pocs", "awtv-pocs"}));
    // Every name is one Scene::validate accepts for some beam.
    for (const AlgorithmChoice& c : choices) {
        Scene s = parseScene(defaultText());
        s.reconstruction.algorithm = c.name;
        if (c.name == "fdk") {
            s.beam = BeamType::Parallel3D;
            s.detector.rows = 8;
        }
        EXPECT_NO_THROW(s.validate()) << c.name;
    }
}

TEST(SceneAlgorithmChoices, ParallelTwoDOffersFbpAndRefusesFdkNamingTheBeam)
{
    const Scene s = parseScene(defaultText());
    ASSERT_EQ(s.beam, BeamType::Parallel2D);
    const std::vector<AlgorithmChoice> choices = algorithmChoices(s);
    EXPECT_TRUE(choiceOf(choices, "fbp").available) << choiceOf(choices, "fbp").reason;
    const AlgorithmChoice& fdk = choiceOf(choices, "fdk");
    EXPECT_FALSE(fdk.available);
    EXPECT_TRUE(mentions(fdk.reason, "2D")) << fdk.reason;
    EXPECT_TRUE(mentions(fdk.reason, "FBP")) << "names the way out: " << fdk.reason;
    for (const AlgorithmChoice& c : choices) {
        if (c.name != "fbp" && c.name != "fdk") {
            EXPECT_TRUE(c.available) << c.name << ": " << c.reason;
            EXPECT_TRUE(c.reason.empty()) << c.name << ": " << c.reason;
        }
    }
    // What the choices say agrees with Scene::validate.
    Scene withFdk = s;
    withFdk.reconstruction.algorithm = "fdk";
    EXPECT_THROW(withFdk.validate(), InvalidArgument);
}

TEST(SceneAlgorithmChoices, CircularConeBeamOffersFdkWithoutWarningAndRefusesFbp)
{
    const Scene s = coneScene();
    ASSERT_NO_THROW(s.validate());
    const std::vector<AlgorithmChoice> choices = algorithmChoices(s);
    const AlgorithmChoice& fdk = choiceOf(choices, "fdk");
    EXPECT_TRUE(fdk.available) << fdk.reason;
    EXPECT_TRUE(fdk.reason.empty()) << fdk.reason;
    const AlgorithmChoice& fbp = choiceOf(choices, "fbp");
    EXPECT_FALSE(fbp.available);
    EXPECT_TRUE(mentions(fbp.reason, "cone-beam")) << fbp.reason;
    EXPECT_TRUE(mentions(fbp.reason, "FDK")) << fbp.reason;
    for (const AlgorithmChoice& c : choices) {
        if (c.name != "fbp" && c.name != "fdk") {
            EXPECT_TRUE(c.available) << c.name << ": " << c.reason;
        }
    }
}

TEST(SceneAlgorithmChoices, HelicalConeBeamOffersFdkWithANonCircularWarning)
{
    Scene s = coneScene();
    s.trajectory.kind = TrajectoryKind::Helical;
    s.trajectory.pitchMm = 20.0;
    s.trajectory.angularRange = 4.0 * std::numbers::pi;
    s.trajectory.views = 128;
    ASSERT_NO_THROW(s.validate());
    const std::vector<AlgorithmChoice> choices = algorithmChoices(s);
    const AlgorithmChoice& fdk = choiceOf(choices, "fdk");
    EXPECT_TRUE(fdk.available) << fdk.reason;
    EXPECT_TRUE(mentions(fdk.reason, "non-circular")) << fdk.reason;
    EXPECT_TRUE(choiceOf(choices, "sirt").available);
    EXPECT_TRUE(choiceOf(choices, "sirt").reason.empty());
}

TEST(SceneAlgorithmChoices, AnalyticMethodsAreRefusedWherePlanAnalyticRefusesTheScan)
{
    // A custom orbit whose angle swings back and forth: FDK needs views that advance in one
    // direction, the iterative methods do not.
    Scene s = coneScene();
    s.trajectory.kind = TrajectoryKind::Custom;
    s.trajectory.angleFormula = "sin(2*_pi*t)";
    s.trajectory.sidFormula = "500";
    s.trajectory.sddFormula = "1000";
    ASSERT_NO_THROW(s.validate());
    const std::vector<AlgorithmChoice> choices = algorithmChoices(s);
    const AlgorithmChoice& fdk = choiceOf(choices, "fdk");
    EXPECT_FALSE(fdk.available);
    EXPECT_TRUE(mentions(fdk.reason, "advance in one direction")) << fdk.reason;
    EXPECT_TRUE(mentions(fdk.reason, "iterative")) << fdk.reason;
    EXPECT_TRUE(choiceOf(choices, "cgls").available) << choiceOf(choices, "cgls").reason;
}

TEST(SceneAlgorithmChoices, AnInvalidGeometryLeavesOnlyTheBeamRule)
{
    Scene s = coneScene();
    s.trajectory.sourceDetector = 0.5 * s.trajectory.sourceIsocentre; // SDD below SID
    EXPECT_THROW(s.validate(), InvalidArgument);
    std::vector<AlgorithmChoice> choices;
    ASSERT_NO_THROW(choices = algorithmChoices(s));
    EXPECT_FALSE(choiceOf(choices, "fbp").available);
    EXPECT_TRUE(choiceOf(choices, "fdk").available);
    EXPECT_TRUE(choiceOf(choices, "sirt").available);
}
} // namespace
} // namespace tomo
