// A CT volume as the scene's object (ObjectSpec "volume", SceneObject): read, converted to μ,
// made axis-aligned, placed, simulated and used as the truth.
#include "common/test_support.h"
#include "tomo/compute.h"
#include "tomo/error.h"
#include "tomo/io.h"
#include "tomo/phantom.h"
#include "tomo/pipeline.h"
#include "tomo/projector.h"
#include "tomo/scene.h"
#include "tomo/spatial.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <numbers>
#include <string>

namespace tomo
{
namespace
{
// Float sums of the same rays over the same voxels in another order: well below 1e-5 of the
// largest line integral.
constexpr double kSameProjectionsRelative = 1e-5;
// An object turned by 30° and resampled back onto the axes (trilinear, 1.6 mm voxels) against
// the same object rasterised on the axes: its edges blur by about one voxel, which moved 1.6% of
// the line integrals' RMS when measured; twice that is the bound.
constexpr double kObliqueResampledRelativeRms = 0.03;
// The reconstruction grid's voxel centres fall midway between those of the 2x finer simulation
// grid, so the resampled truth averages 2x2 fine voxels of 2x2 samples each: the same 4x4 samples
// per pixel that runScene rasterises a phantom's truth with, summed in another order
// (measured 3.5e-5 relative RMS, float rounding).
constexpr double kSameTruthRelativeRms = 1e-4;

class VolumeObject : public ::testing::Test
{
protected:
    void SetUp() override
    {
        m_dir = std::filesystem::temp_directory_path() /
                ("tomo-scene-object-" +
                 std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "-" +
                 ::testing::UnitTest::GetInstance()->current_test_info()->name());
        std::filesystem::remove_all(m_dir);
        std::filesystem::create_directories(m_dir);
    }
    void TearDown() override { std::filesystem::remove_all(m_dir); }

    [[nodiscard]] std::filesystem::path path(const std::string& name) const { return m_dir / name; }

    std::filesystem::path m_dir;
};

// The default 2D scene with a volume object at `file`.
Scene volumeScene(const std::filesystem::path& file)
{
    Scene s = test::defaultScene();
    s.object = {};
    s.object.phantom = "volume";
    s.object.path = file;
    return s;
}

// The grid on which runScene's "joseph" simulation rasterises the scene's phantom, as a 3D grid
// of three slices 1 mm apart about z = 0.
VolumeGrid simulationGrid3(const Scene& s)
{
    const auto& n = s.reconstruction.gridSize;
    const auto& d = s.reconstruction.gridSpacingMm;
    const std::size_t f = Scene::kSimulationOversampling;
    return VolumeGrid::centred({n[0] * f, n[1] * f, 3}, {d[0] / f, d[1] / f, 1.0});
}

// The default scene's JSON with `object` (JSON text) as its "object" section, parsed.
Scene withObject(const std::string& object)
{
    nlohmann::json doc = nlohmann::json::parse(toJson(test::defaultScene()));
    doc["object"] = nlohmann::json::parse(object);
    return parseScene(doc.dump());
}

std::string invalidMessage(const Scene& s)
{
    try {
        s.validate();
        (void)SceneObject::load(s);
    } catch (const InvalidArgument& e) {
        return e.what();
    }
    return "<no InvalidArgument>";
}

double maxAbs(std::span<const float> data)
{
    double m = 0.0;
    for (float v : data) {
        m = std::max(m, static_cast<double>(std::abs(v)));
    }
    return m;
}

TEST_F(VolumeObject, VolumeObjectsRoundTripThroughSceneFiles)
{
    const Volume mu = Volume::zeros(VolumeGrid::centred({8, 8, 8}, {1, 1, 1}));
    writeVolume(mu, path("ct.nii.gz"));
    const std::string text = R"({"format": "tomoscope-scene", "version": 1,
        "geometry": {"beam": "cone3d", "trajectory": {"kind": "circular", "views": 8},
                     "detector": {"columns": 16, "rows": 16}},
        "object": {"phantom": "volume", "path": "ct.nii.gz", "unit": "HU",
                   "placement": "centred"},
        "reconstruction": {"grid": {"size": [8, 8, 8]}}})";
    writeTextFile(path("scene.json"), text);
    const Scene s = loadScene(path("scene.json"));
    EXPECT_EQ(s.object.phantom, "volume");
    EXPECT_EQ(s.object.path, path("ct.nii.gz")) << "relative to the scene file's folder";
    ASSERT_TRUE(s.object.unit.has_value());
    EXPECT_EQ(*s.object.unit, ValueUnit::Hu);
    EXPECT_TRUE(s.object.centred);
    EXPECT_NO_THROW(s.validate());

    const Scene again = parseScene(toJson(s));
    EXPECT_EQ(again.object.path, s.object.path);
    EXPECT_EQ(again.object.unit, s.object.unit);
    EXPECT_EQ(again.object.centred, s.object.centred);
    EXPECT_EQ(toJson(again), toJson(s));

    // Without "unit" and "placement": the file says, and the file's placement.
    const Scene plain = withObject(R"({"phantom": "volume", "path": "/x.nrrd"})");
    EXPECT_FALSE(plain.object.unit.has_value());
    EXPECT_FALSE(plain.object.centred);
    EXPECT_EQ(plain.object.path, std::filesystem::path("/x.nrrd"));
}

TEST_F(VolumeObject, BadVolumeObjectsAreRefusedNamingTheField)
{
    const auto parseError = [](const std::string& object) {
        try {
            (void)withObject(object);
        } catch (const InvalidArgument& e) {
            return std::string(e.what());
        }
        return std::string("<no InvalidArgument>");
    };
    EXPECT_NE(parseError(R"({"phantom": "volume"})").find("object.path"), std::string::npos);
    EXPECT_NE(parseError(R"({"phantom": "volume", "path": "a.nii", "unit": "counts"})")
                  .find("object.unit = \"counts\""),
              std::string::npos);
    EXPECT_NE(parseError(R"({"phantom": "volume", "path": "a.nii", "placement": "middle"})")
                  .find("object.placement = \"middle\""),
              std::string::npos);
    EXPECT_NE(
        parseError(R"({"phantom": "volume", "path": "a.nii", "radius_mm": 3})").find("radius_mm"),
        std::string::npos)
        << "phantom parameters do not apply to a volume";
    EXPECT_NE(parseError(R"({"phantom": "voxels"})").find("volume"), std::string::npos)
        << "the accepted names include volume";

    // A missing file: the scene is valid (so that it opens and its path can be fixed); loading
    // the object names the path.
    Scene missing = volumeScene(path("nothing-here.nii.gz"));
    EXPECT_NO_THROW(missing.validate());
    try {
        (void)SceneObject::load(missing);
        ADD_FAILURE() << "no IoError";
    } catch (const IoError& e) {
        EXPECT_NE(std::string(e.what()).find("object.path"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("nothing-here.nii.gz"), std::string::npos) << e.what();
    }
    Scene empty = volumeScene("");
    const std::string m = invalidMessage(empty);
    EXPECT_NE(m.find("object.path"), std::string::npos) << m;

    writeVolume(Volume::zeros(VolumeGrid::centred({4, 4, 4}, {1, 1, 1})), path("mu.mha"));
    Scene analytic = volumeScene(path("mu.mha"));
    analytic.simulation = "analytic";
    analytic.object.unit = ValueUnit::MuPerMm;
    EXPECT_THROW(analytic.validate(), InvalidArgument);
    try {
        analytic.validate();
    } catch (const InvalidArgument& e) {
        EXPECT_NE(std::string(e.what()).find("simulation.model"), std::string::npos) << e.what();
    }
    EXPECT_THROW((void)analytic.phantom(), InvalidArgument);

    // A file that does not say what its values are, and no unit in the scene.
    Volume unknown = Volume::zeros(VolumeGrid::centred({4, 4, 4}, {1, 1, 1}));
    unknown.meta().unit = ValueUnit::Unknown;
    writeVolume(unknown, path("unknown.nrrd"));
    const std::string u = invalidMessage(volumeScene(path("unknown.nrrd")));
    EXPECT_NE(u.find("object.unit"), std::string::npos) << u;
    EXPECT_NE(u.find("unknown.nrrd"), std::string::npos) << u;

    // A file that is not an image.
    writeTextFile(path("notes.nii"), "not an image");
    Scene garbage = volumeScene(path("notes.nii"));
    garbage.object.unit = ValueUnit::MuPerMm;
    try {
        (void)SceneObject::load(garbage);
        ADD_FAILURE() << "no IoError";
    } catch (const IoError& e) {
        EXPECT_NE(std::string(e.what()).find("object.path"), std::string::npos) << e.what();
    }
}

TEST_F(VolumeObject, AVolumeOfThePhantomRunsAsThePhantomDoes)
{
    // The phantom rasterised exactly as runScene rasterises it for its simulation, written as a
    // μ volume of three slices: its 2D scan (the plane z = 0, the middle slice) is the same
    // projections as the phantom scene's.
    const Scene phantomScene = test::defaultScene();
    Volume mu = rasterise(phantomScene.phantom(), simulationGrid3(phantomScene), 2);
    mu.meta().unit = ValueUnit::MuPerMm;
    writeVolume(mu, path("phantom-mu.nii.gz"));
    const Scene scene = volumeScene(path("phantom-mu.nii.gz"));

    auto compute = ComputeContext::create("cpu");
    NullRunContext ctx;
    const RunResult fromPhantom = runScene(phantomScene, *compute, ctx);
    const RunResult fromVolume = runScene(scene, *compute, ctx);

    const auto a = fromPhantom.projections->data();
    const auto b = fromVolume.projections->data();
    ASSERT_EQ(a.size(), b.size());
    double worst = 0.0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        worst = std::max(worst, static_cast<double>(std::abs(a[i] - b[i])));
    }
    EXPECT_LT(worst, kSameProjectionsRelative * maxAbs(a));

    // The truth is the volume resampled onto the reconstruction grid: the phantom's own truth
    // (kSameTruthRelativeRms), so the run measures the same.
    ASSERT_EQ(fromVolume.truth->grid(), phantomScene.reconstructionGrid());
    EXPECT_LT(test::relativeRms(fromVolume.truth->data(), fromPhantom.truth->data()),
              kSameTruthRelativeRms);
    EXPECT_NEAR(fromVolume.psnr, fromPhantom.psnr, 0.01);
}

TEST_F(VolumeObject, HuBecomeMuWithTheFilesWaterAndPaddingBecomesVacuum)
{
    Volume hu = Volume::fromData(VolumeGrid::centred({4, 1, 1}, {1, 1, 1}),
                                 {-3024.0f, -1000.0f, 0.0f, 1000.0f});
    hu.meta().unit = ValueUnit::Hu;
    hu.meta().dictionary["tomoscope_mu_water_per_mm"] = "0.025";
    writeVolume(hu, path("hu.mha"));

    const SceneObject object = SceneObject::load(volumeScene(path("hu.mha")));
    ASSERT_TRUE(object.isVolume());
    EXPECT_EQ(object.clampedVoxels(), 1u);
    const auto v = object.volume().data();
    ASSERT_EQ(v.size(), 4u);
    EXPECT_FLOAT_EQ(v[0], 0.0f);
    EXPECT_FLOAT_EQ(v[1], 0.0f);
    EXPECT_FLOAT_EQ(v[2], 0.025f);
    EXPECT_FLOAT_EQ(v[3], 0.05f);
    EXPECT_EQ(object.volume().meta().unit, ValueUnit::MuPerMm);

    // The scene's unit overrides the file's: the same numbers read as μ.
    Scene asMu = volumeScene(path("hu.mha"));
    asMu.object.unit = ValueUnit::MuPerMm;
    EXPECT_FLOAT_EQ(SceneObject::load(asMu).volume().data()[3], 1000.0f);
    EXPECT_THROW((void)object.phantom(), InvalidArgument);
}

TEST_F(VolumeObject, TheTruthOfAFinerVolumeIsItsMeanOverEachVoxelNotACentreSample)
{
    // Stripes along x of three 0.5 mm voxels (0, 0, 0.06 mm⁻¹) on a grid of 1.5 mm voxels, one
    // period each: the mean over every voxel is 0.02, while each voxel's centre lies on a zero.
    const VolumeGrid fineGrid = VolumeGrid::make({48, 8, 8}, {0.5, 0.5, 0.5}, {0.25, 0.25, 0.25});
    Volume fine = Volume::zeros(fineGrid);
    for (std::size_t k = 0; k < 8; ++k) {
        for (std::size_t j = 0; j < 8; ++j) {
            for (std::size_t i = 2; i < 48; i += 3) {
                fine.at(i, j, k) = 0.06f;
            }
        }
    }
    fine.meta().unit = ValueUnit::MuPerMm;
    writeVolume(fine, path("stripes.mha"));
    Scene s = volumeScene(path("stripes.mha"));
    s.beam = BeamType::Cone3D;
    s.detector.rows = 16;
    const SceneObject object = SceneObject::load(s);
    // Voxels [1.5, 3) ... in x (whole periods away from the volume's edges), one 1.5 mm voxel
    // across y and z inside the stripes.
    const VolumeGrid coarse = VolumeGrid::make({8, 2, 2}, {1.5, 1.5, 1.5}, {2.25, 1.5, 1.5});
    const Volume centres = object.sample(coarse, 1);
    const Volume means = object.sample(coarse, 4);
    // Four nearest-voxel samples per axis, at ±3/8 and ±1/8 of a voxel from its centre, fall in
    // the stripes 0, 0, 0 and 0.06: 0.015 for the exact mean 0.02 (three stripes per voxel do
    // not divide into four samples).
    constexpr double kFourSampleMean = 0.015;
    for (std::size_t i = 1; i + 1 < 8; ++i) {
        EXPECT_NEAR(centres.at(i, 0, 0), 0.0, 1e-7) << "the centre sample aliases to a zero";
        EXPECT_NEAR(means.at(i, 0, 0), kFourSampleMean, 1e-6) << i;
    }
}

TEST_F(VolumeObject, PlacementFollowsTheFileOrMovesTheCentreToTheIsocentre)
{
    // A volume 50–70 mm above the isocentre: a 2D scan's plane misses it where the file puts
    // it, and meets its middle when it is centred.
    const VolumeGrid high = VolumeGrid::make({8, 8, 5}, {2, 2, 5}, {-7, -7, 50});
    Volume mu = Volume::zeros(high);
    std::fill(mu.data().begin(), mu.data().end(), 0.02f);
    mu.meta().unit = ValueUnit::MuPerMm;
    writeVolume(mu, path("high.mha"));
    Scene s = volumeScene(path("high.mha"));
    const std::string m = invalidMessage(s);
    EXPECT_NE(m.find("object.placement"), std::string::npos) << m;
    EXPECT_NE(m.find("47.5 mm"), std::string::npos) << "names the volume's z range: " << m;

    s.object.centred = true;
    const SceneObject object = SceneObject::load(s);
    const VolumeGrid& g = object.volume().grid();
    EXPECT_EQ(g.size()[2], 1u) << "a 2D beam scans one plane";
    EXPECT_NEAR(g.origin().x, -7.0, 1e-12);
    EXPECT_NEAR(g.origin().z, 0.0, 1e-12);
    EXPECT_FLOAT_EQ(object.volume().data()[0], 0.02f);

    // A 3D beam keeps the whole volume, centred in all three axes.
    Scene cone = s;
    cone.beam = BeamType::Cone3D;
    cone.detector.rows = 16;
    const SceneObject whole = SceneObject::load(cone);
    const VolumeGrid& w = whole.volume().grid();
    EXPECT_EQ(w.size()[2], 5u);
    const Vec3 centre = gridCentre(w);
    EXPECT_NEAR(centre.x, 0.0, 1e-12);
    EXPECT_NEAR(centre.y, 0.0, 1e-12);
    EXPECT_NEAR(centre.z, 0.0, 1e-12);
}

// The cone-beam projections of a volume object, on the CPU.
ProjectionStack coneProjections(const Scene& scene)
{
    auto compute = ComputeContext::create("cpu");
    NullRunContext ctx;
    return simulateScene(scene, *compute, ctx).lineIntegrals;
}

Scene smallConeScene(const std::filesystem::path& file)
{
    Scene s = volumeScene(file);
    s.beam = BeamType::Cone3D;
    s.trajectory = {};
    s.trajectory.views = 24;
    s.trajectory.angularRange = 2 * std::numbers::pi;
    s.trajectory.sourceIsocentre = 300.0;
    s.trajectory.sourceDetector = 450.0;
    s.detector = {.columns = 48, .rows = 32, .pixelU = 2.4, .pixelV = 2.4};
    s.reconstruction.gridSize = {32, 32, 16};
    s.reconstruction.gridSpacingMm = {1.6, 1.6, 1.6};
    s.object.unit = ValueUnit::MuPerMm;
    s.reconstruction.algorithm = "fdk";
    return s;
}

TEST_F(VolumeObject, FlippedAndObliqueVolumesAreTheSameObject)
{
    // The 3D Shepp–Logan head (not symmetric under a flip of x or y), 1.6 mm voxels.
    const VolumeGrid grid = VolumeGrid::centred({32, 32, 16}, {1.6, 1.6, 1.6});
    const Volume lps = rasterise(sheppLogan3D(SheppLoganVariant::Modified, 22.0, 0.02), grid, 2);
    writeVolume(lps, path("lps.mha"));
    const ProjectionStack reference = coneProjections(smallConeScene(path("lps.mha")));

    // The same voxels stored right-to-left and anterior-to-posterior (NIfTI's RAS order) are
    // re-indexed exactly.
    const Volume ras = reorient(lps, "RAS");
    ASSERT_NE(ras.grid().direction(), grid.direction());
    writeVolume(ras, path("ras.nii.gz"));
    const ProjectionStack flipped = coneProjections(smallConeScene(path("ras.nii.gz")));
    double worst = 0.0;
    for (std::size_t i = 0; i < reference.data().size(); ++i) {
        worst =
            std::max(worst, static_cast<double>(std::abs(reference.data()[i] - flipped.data()[i])));
    }
    EXPECT_LT(worst, kSameProjectionsRelative * maxAbs(reference.data()));

    // The object turned by 30° about z together with its grid (an oblique acquisition) is
    // resampled back onto the axes: the same object up to trilinear blur.
    const VolumeGrid turnedGrid = rotateGrid(grid, {0, 0, 1}, std::numbers::pi / 6, {0, 0, 0});
    const Volume turnedBack =
        rotate(lps, {0, 0, 1}, -std::numbers::pi / 6, {0, 0, 0}, Interpolation::Linear);
    writeVolume(withGrid(turnedBack, turnedGrid), path("oblique.nrrd"));
    const ProjectionStack oblique = coneProjections(smallConeScene(path("oblique.nrrd")));
    EXPECT_LT(test::relativeRms(oblique.data(), reference.data()), kObliqueResampledRelativeRms);
}
} // namespace
} // namespace tomo
