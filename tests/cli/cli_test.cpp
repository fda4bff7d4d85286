// Runs the real tomoscope-cli binary and checks exit codes, messages and outputs.
#include "shell_run.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <sys/wait.h>
#include <vector>

namespace
{
namespace fs = std::filesystem;

using Outcome = tomo::test::ShellOutcome;

/// tomoscope-cli ARGS with standard error merged into the output.
Outcome runCli(const std::string& args, const std::string& environment = "")
{
    return tomo::test::runShell(environment + " " + std::string(TOMO_CLI_PATH) + " " + args +
                                " 2>&1");
}

class Cli : public ::testing::Test
{
protected:
    void SetUp() override
    {
        m_dir = fs::temp_directory_path() /
                (std::string("tomo_cli_") +
                 ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(m_dir);
        fs::create_directories(m_dir);
    }
    void TearDown() override { fs::remove_all(m_dir); }

    // The default scene shrunk so a run takes a fraction of a second.
    fs::path smallScene()
    {
        std::ifstream in(fs::path(TOMO_TEST_RESOURCES) / "scenes/shepp-logan-2d-parallel.json");
        nlohmann::json scene = nlohmann::json::parse(in);
        scene["geometry"]["trajectory"]["views"] = 60;
        scene["geometry"]["detector"]["columns"] = 100;
        scene["geometry"]["detector"]["pixel_u_mm"] = 2.4;
        scene["reconstruction"]["grid"]["size"] = {80, 80, 1};
        scene["reconstruction"]["grid"]["spacing_mm"] = {2.56, 2.56, 2.56};
        const fs::path path = m_dir / "small.json";
        std::ofstream(path) << scene.dump(2);
        return path;
    }

    fs::path m_dir;
};

TEST_F(Cli, RunWritesImagesAndPrintsMetrics)
{
    const Outcome o = runCli("run " + smallScene().string() + " -o " + (m_dir / "out").string() +
                             " --device cpu");
    ASSERT_EQ(o.exitCode, 0) << o.output;
    EXPECT_NE(o.output.find("PSNR"), std::string::npos) << o.output;
    for (const char* name : {"sinogram.png", "sinogram.nii.gz", "reconstruction.png",
                             "reconstruction.nii.gz", "truth.nii.gz", "metrics.json"}) {
        EXPECT_TRUE(fs::is_regular_file(m_dir / "out" / name)) << name;
    }
}

// An inline phantom runs like any other; an empty one (an air scan) runs too, and its PSNR and
// SSIM, which need a truth with contrast, are reported as undefined rather than failing the run.
TEST_F(Cli, RunScansAnInlinePhantomAndAnEmptyOneHasNoPsnr)
{
    std::ifstream in(smallScene());
    nlohmann::json scene = nlohmann::json::parse(in);
    scene["object"] = nlohmann::json::parse(R"({"phantom": "inline", "objects": [
        {"kind": "cylinder", "centre_mm": [0, 0, 0], "semi_axes_mm": [80, 60, "infinity"],
         "value_per_mm": 0.02},
        {"kind": "box", "centre_mm": [20, 0, 0], "semi_axes_mm": [10, 10, "infinity"],
         "euler_deg": [30, 0, 0], "value_per_mm": 0.01}]})");
    const fs::path path = m_dir / "inline.json";
    std::ofstream(path) << scene.dump(2);
    Outcome o = runCli("run " + path.string() + " -o " + (m_dir / "out").string() + " --json");
    ASSERT_EQ(o.exitCode, 0) << o.output;
    EXPECT_GT(nlohmann::json::parse(o.output).at("psnr_db").get<double>(), 20.0) << o.output;

    scene["object"]["objects"] = nlohmann::json::array();
    const fs::path empty = m_dir / "empty.json";
    std::ofstream(empty) << scene.dump(2);
    o = runCli("run " + empty.string() + " -o " + (m_dir / "air").string());
    ASSERT_EQ(o.exitCode, 0) << o.output;
    EXPECT_NE(o.output.find("PSNR and SSIM undefined: the truth is constant"), std::string::npos)
        << o.output;
    std::ifstream metricsFile(m_dir / "air" / "metrics.json");
    const nlohmann::json metrics = nlohmann::json::parse(metricsFile);
    EXPECT_TRUE(metrics.at("psnr_db").is_null()) << metrics.dump();
    EXPECT_TRUE(metrics.at("ssim").is_null()) << metrics.dump();
    EXPECT_TRUE(metrics.at("rmse_per_mm").is_number()) << metrics.dump();
}

// A CT volume as the scene's object: `run` scans it, the analytic model refuses it, and a
// volume that is not there is a user error naming object.path.
TEST_F(Cli, RunScansAVolumeObject)
{
    Outcome o = runCli("phantom forbild-head-3d --size 80,80,5 --spacing 2.56 -q -o " +
                       (m_dir / "head.nii.gz").string());
    ASSERT_EQ(o.exitCode, 0) << o.output;
    std::ifstream in(smallScene());
    nlohmann::json scene = nlohmann::json::parse(in);
    scene["object"] = {{"phantom", "volume"}, {"path", "head.nii.gz"}};
    const fs::path path = m_dir / "volume.json";
    std::ofstream(path) << scene.dump(2);

    o = runCli("run " + path.string() + " -o " + (m_dir / "out").string() + " --json");
    ASSERT_EQ(o.exitCode, 0) << o.output;
    const nlohmann::json result = nlohmann::json::parse(o.output);
    EXPECT_GT(result.at("psnr_db").get<double>(), 20.0) << o.output;
    EXPECT_GT(result.at("ssim").get<double>(), 0.5) << o.output;
    EXPECT_LE(result.at("ssim").get<double>(), 1.0) << o.output;

    o = runCli("project " + path.string() + " --model analytic -o " + (m_dir / "p.mha").string());
    EXPECT_EQ(o.exitCode, 1) << o.output;
    EXPECT_NE(o.output.find("--model"), std::string::npos) << o.output;

    fs::remove(m_dir / "head.nii.gz");
    o = runCli("run " + path.string() + " -o " + (m_dir / "again").string());
    EXPECT_EQ(o.exitCode, 1) << o.output;
    EXPECT_NE(o.output.find("object.path"), std::string::npos) << o.output;
}

TEST_F(Cli, JsonOutputIsMachineReadable)
{
    const Outcome o = runCli("run " + smallScene().string() + " -o " + (m_dir / "out").string() +
                             " --device cpu --json 2>/dev/null");
    ASSERT_EQ(o.exitCode, 0) << o.output;
    const auto doc = nlohmann::json::parse(o.output);
    EXPECT_GT(doc.at("psnr_db").get<double>(), 0.0);
    EXPECT_EQ(doc.at("outputs").size(), 6u);
}

TEST_F(Cli, MissingSceneIsAUserError)
{
    const Outcome o =
        runCli("run " + (m_dir / "absent.json").string() + " -o " + (m_dir / "out").string());
    EXPECT_EQ(o.exitCode, 1) << o.output;
    EXPECT_NE(o.output.find("absent.json"), std::string::npos) << o.output;
    EXPECT_FALSE(fs::exists(m_dir / "out"));
}

TEST_F(Cli, MalformedSceneNamesTheProblem)
{
    std::ofstream(m_dir / "bad.json") << "{\"format\": \"tomoscope-scene\", \"version\": 1,";
    Outcome o = runCli("run " + (m_dir / "bad.json").string() + " -o " + (m_dir / "out").string());
    EXPECT_EQ(o.exitCode, 1) << o.output;
    EXPECT_NE(o.output.find("not valid JSON"), std::string::npos) << o.output;

    std::ifstream in(smallScene());
    nlohmann::json scene = nlohmann::json::parse(in);
    scene["geometry"]["detector"]["columns"] = 0;
    std::ofstream(m_dir / "zero.json") << scene.dump();
    o = runCli("run " + (m_dir / "zero.json").string() + " -o " + (m_dir / "out").string());
    EXPECT_EQ(o.exitCode, 1) << o.output;
    EXPECT_NE(o.output.find("detector.columns = 0"), std::string::npos) << o.output;
}

TEST_F(Cli, UnknownDeviceListsTheChoices)
{
    const Outcome o = runCli("run " + smallScene().string() + " -o " + (m_dir / "out").string() +
                             " --device quantum-9000");
    EXPECT_EQ(o.exitCode, 1) << o.output;
    EXPECT_NE(o.output.find("device = \"quantum-9000\""), std::string::npos) << o.output;
    EXPECT_NE(o.output.find("cpu"), std::string::npos) << o.output;
}

TEST_F(Cli, UnwritableOutputFolderIsAUserErrorAndLeavesNothing)
{
    std::ofstream(m_dir / "a-file") << "in the way";
    const Outcome o = runCli("run " + smallScene().string() + " -o " +
                             (m_dir / "a-file" / "out").string() + " --device cpu");
    EXPECT_EQ(o.exitCode, 1) << o.output;
    EXPECT_NE(o.output.find("a-file"), std::string::npos) << o.output;
}

TEST_F(Cli, BadArgumentsAreUserErrors)
{
    EXPECT_EQ(runCli("").exitCode, 1);
    EXPECT_EQ(runCli("frobnicate").exitCode, 1);
    EXPECT_EQ(runCli("run").exitCode, 1);
    EXPECT_EQ(runCli("--help").exitCode, 0);
}

TEST_F(Cli, DevicesListsTheCpuBackend)
{
    const Outcome o = runCli("devices --json");
    ASSERT_EQ(o.exitCode, 0) << o.output;
    const auto doc = nlohmann::json::parse(o.output.substr(o.output.find('[')));
    ASSERT_GE(doc.size(), 1u);
    EXPECT_EQ(doc[0].at("id"), "cpu");
}
TEST_F(Cli, WithoutAnyOpenClPlatformItSaysSoOnceAndUsesTheCpu)
{
    // ocl-icd reads its vendor list from OCL_ICD_VENDORS: an empty folder means no platform.
    const std::string noPlatform = "OCL_ICD_VENDORS=" + (m_dir / "no-vendors").string();
    fs::create_directories(m_dir / "no-vendors");
    const Outcome o =
        runCli("run " + smallScene().string() + " -o " + (m_dir / "out").string(), noPlatform);
    ASSERT_EQ(o.exitCode, 0) << o.output;
    EXPECT_NE(o.output.find("C++ backend"), std::string::npos) << o.output;
    const std::string warning = "no OpenCL platform";
    const auto first = o.output.find(warning);
    ASSERT_NE(first, std::string::npos) << o.output;
    EXPECT_EQ(o.output.find(warning, first + 1), std::string::npos) << "said more than once";
}
} // namespace

namespace
{
TEST_F(Cli, GeometryExportImportRoundTripsThroughFiles)
{
    const fs::path scene = smallScene();
    for (const std::string format : {"json", "astra", "matrices", "rtk"}) {
        const fs::path file = m_dir / ("g-" + format);
        const fs::path out = m_dir / ("new-" + format + ".json");
        Outcome o = runCli("geometry " + scene.string() + " --export " + file.string() +
                           " --format " + format);
        ASSERT_EQ(o.exitCode, 0) << format << ": " << o.output;
        o = runCli("geometry " + scene.string() + " --import " + file.string() + " --format " +
                   format + " -o " + out.string() + " --detector 100,1");
        ASSERT_EQ(o.exitCode, 0) << format << ": " << o.output;
        std::ifstream in(out);
        const auto doc = nlohmann::json::parse(in);
        EXPECT_EQ(doc.at("geometry").at("trajectory").at("kind"), "explicit") << format;
        EXPECT_EQ(doc.at("geometry").at("trajectory").at("poses").size(), 60u) << format;
        EXPECT_EQ(doc.at("geometry").at("detector").at("columns"), 100) << format;
    }
}

TEST_F(Cli, GeometryRejectsAnUnknownFormat)
{
    const Outcome o = runCli("geometry " + smallScene().string() + " --export " +
                             (m_dir / "g.dcm").string() + " --format dicom");
    EXPECT_EQ(o.exitCode, 1) << o.output;
    EXPECT_NE(o.output.find("--format = \"dicom\""), std::string::npos) << o.output;
    EXPECT_NE(o.output.find("plastimatch-dir"), std::string::npos) << o.output;
    EXPECT_FALSE(fs::exists(m_dir / "g.dcm"));
    EXPECT_EQ(runCli("geometry " + smallScene().string() + " --format json").exitCode, 1);
}
TEST_F(Cli, GeometryCheckNamesTruncatedViews)
{
    std::ifstream in(fs::path(TOMO_TEST_RESOURCES) / "scenes/cone-circular.json");
    nlohmann::json scene = nlohmann::json::parse(in);
    // A 300 mm wide volume does not fit the 200 mm field of view.
    scene["reconstruction"]["grid"]["size"] = {300, 300, 10};
    scene["reconstruction"]["grid"]["spacing_mm"] = {1.0, 1.0, 1.0};
    std::ofstream(m_dir / "wide.json") << scene.dump();
    Outcome o = runCli("geometry " + (m_dir / "wide.json").string() + " --check");
    ASSERT_EQ(o.exitCode, 0) << o.output;
    EXPECT_NE(o.output.find("truncation"), std::string::npos) << o.output;
    EXPECT_NE(o.output.find("360 of 360 views (0-359)"), std::string::npos) << o.output;

    o = runCli("geometry " + (m_dir / "wide.json").string() + " --check --json --completeness " +
               (m_dir / "tuy.nii.gz").string() + " 2>/dev/null");
    ASSERT_EQ(o.exitCode, 0) << o.output;
    const auto doc = nlohmann::json::parse(o.output);
    bool truncation = false;
    for (const auto& f : doc) {
        truncation = truncation || (f.at("code") == "truncation" && f.at("views").size() == 360);
    }
    EXPECT_TRUE(truncation) << o.output;
    EXPECT_TRUE(fs::is_regular_file(m_dir / "tuy.nii.gz"));
}

TEST_F(Cli, GeometryNeedsAnAction)
{
    const Outcome o = runCli("geometry " + smallScene().string());
    EXPECT_EQ(o.exitCode, 1) << o.output;
    EXPECT_NE(o.output.find("--check"), std::string::npos) << o.output;
}
TEST_F(Cli, ProjectAndBackprojectWriteVolumesOfTheSceneSizes)
{
    std::ifstream in(fs::path(TOMO_TEST_RESOURCES) / "scenes/cone-circular.json");
    nlohmann::json scene = nlohmann::json::parse(in);
    scene["geometry"]["trajectory"]["views"] = 12;
    scene["geometry"]["detector"] = {
        {"columns", 40}, {"rows", 30}, {"pixel_u_mm", 8.0}, {"pixel_v_mm", 8.0}};
    scene["reconstruction"]["grid"]["size"] = {24, 24, 16};
    scene["reconstruction"]["grid"]["spacing_mm"] = {6.0, 6.0, 6.0};
    scene["object"] = {{"phantom", "shepp-logan-3d"}, {"radius_mm", 60}, {"mu_per_unit", 0.02}};
    std::ofstream(m_dir / "cone.json") << scene.dump();
    const std::string sceneArg = (m_dir / "cone.json").string();
    Outcome o =
        runCli("project " + sceneArg + " -o " + (m_dir / "p.mha").string() + " --device cpu -q");
    ASSERT_EQ(o.exitCode, 0) << o.output;
    EXPECT_NE(o.output.find("12 views of 40 x 30 pixels"), std::string::npos) << o.output;
    o = runCli("backproject " + sceneArg + " --projections " + (m_dir / "p.mha").string() + " -o " +
               (m_dir / "b.nii.gz").string() + " --backend cpu -q"); // the issue's name
    ASSERT_EQ(o.exitCode, 0) << o.output;
    EXPECT_TRUE(fs::is_regular_file(m_dir / "b.nii.gz"));
    // The wrong file for this geometry is refused with the sizes it expected.
    o = runCli("backproject " + sceneArg + " --projections " + (m_dir / "b.nii.gz").string() +
               " -o " + (m_dir / "c.nii.gz").string());
    EXPECT_EQ(o.exitCode, 1) << o.output;
    EXPECT_NE(o.output.find("40 x 30 x 12"), std::string::npos) << o.output;
    EXPECT_FALSE(fs::exists(m_dir / "c.nii.gz"));
}

TEST_F(Cli, ProjectOnOpenClReportsItsMemoryPlanAndRefusesABadBudget)
{
    if (runCli("devices").output.find("opencl") == std::string::npos) {
        GTEST_SKIP() << "no OpenCL device here (CI always has PoCL)";
    }
    std::ifstream in(fs::path(TOMO_TEST_RESOURCES) / "scenes/cone-circular.json");
    nlohmann::json scene = nlohmann::json::parse(in);
    scene["geometry"]["trajectory"]["views"] = 4;
    scene["geometry"]["detector"] = {
        {"columns", 40}, {"rows", 30}, {"pixel_u_mm", 8.0}, {"pixel_v_mm", 8.0}};
    // 128 x 128 x 24 floats = 1.5 MB: two slabs within 1 MB.
    scene["reconstruction"]["grid"]["size"] = {128, 128, 24};
    scene["reconstruction"]["grid"]["spacing_mm"] = {1.0, 1.0, 1.0};
    scene["object"] = {{"phantom", "shepp-logan-3d"}, {"radius_mm", 50}, {"mu_per_unit", 0.02}};
    std::ofstream(m_dir / "cone.json") << scene.dump();
    const std::string args = "project " + (m_dir / "cone.json").string() + " -o " +
                             (m_dir / "p.mha").string() + " --backend opencl";
    Outcome o = runCli(args, "TOMO_DEVICE_MEMORY_MB=1");
    ASSERT_EQ(o.exitCode, 0) << o.output;
    EXPECT_NE(o.output.find("memory plan on"), std::string::npos) << o.output;
    EXPECT_NE(o.output.find("in 2 slabs of"), std::string::npos) << o.output;
    o = runCli(args, "TOMO_DEVICE_MEMORY_MB=lots");
    EXPECT_EQ(o.exitCode, 1) << o.output;
    EXPECT_NE(o.output.find("TOMO_DEVICE_MEMORY_MB"), std::string::npos) << o.output;
}

// The grid and voxels of an uncompressed NIfTI-1 file (.nii) of float32: enough of the format
// to check what the phantom command wrote without linking ITK into the CLI tests.
struct Nifti
{
    std::array<int, 3> size{};
    std::array<float, 3> spacing{};
    std::vector<float> voxels;
};

Nifti readNifti(const fs::path& path)
{
    std::ifstream in(path, std::ios::binary);
    std::vector<char> bytes(std::istreambuf_iterator<char>(in), {});
    Nifti n;
    if (bytes.size() < 352) {
        ADD_FAILURE() << path << " is too short for a NIfTI-1 file";
        return n;
    }
    std::int16_t dim[8] = {};
    float pixdim[8] = {};
    float offset = 0.0f;
    std::int16_t datatype = 0;
    std::memcpy(dim, bytes.data() + 40, sizeof(dim));
    std::memcpy(&datatype, bytes.data() + 70, sizeof(datatype));
    std::memcpy(pixdim, bytes.data() + 76, sizeof(pixdim));
    std::memcpy(&offset, bytes.data() + 108, sizeof(offset));
    EXPECT_EQ(datatype, 16) << "float32";
    std::size_t count = 1;
    for (std::size_t a = 0; a < 3; ++a) {
        n.size[a] = a < static_cast<std::size_t>(dim[0]) ? dim[a + 1] : 1;
        n.spacing[a] = pixdim[a + 1];
        count *= static_cast<std::size_t>(n.size[a]);
    }
    const auto begin = static_cast<std::size_t>(offset);
    if (bytes.size() >= begin + 4 * count) {
        n.voxels.resize(count);
        std::memcpy(n.voxels.data(), bytes.data() + begin, 4 * count);
    }
    return n;
}

TEST_F(Cli, PhantomWritesTheRequestedGrid)
{
    // Values near 0.02 mm^-1 stored as float32 are within ~1e-9 of the exact ones.
    constexpr double kFloatTolerance = 1e-8;
    const fs::path out = m_dir / "cd.nii";
    Outcome o =
        runCli("phantom contrast-detail-2d --size 100,90,1 --spacing 2.5 -o " + out.string());
    ASSERT_EQ(o.exitCode, 0) << o.output;
    EXPECT_NE(o.output.find("100 x 90 x 1 voxels of 2.5 x 2.5 x 2.5 mm"), std::string::npos)
        << o.output;
    const Nifti n = readNifti(out);
    EXPECT_EQ(n.size, (std::array<int, 3>{100, 90, 1}));
    EXPECT_EQ(n.spacing, (std::array<float, 3>{2.5f, 2.5f, 2.5f}));
    ASSERT_EQ(n.voxels.size(), 100u * 90u);
    // Voxel (50, 45) covers [0, 2.5] mm in x and y: wholly inside the central insert (8 mm
    // across, contrast +0.02) of the default 100 mm disc of μ 0.02 mm^-1 (float rounding only).
    EXPECT_NEAR(n.voxels[50 + 100 * 45], 1.02 * 0.02, kFloatTolerance);
    EXPECT_NEAR(n.voxels[50 + 100 * 40], 0.02, kFloatTolerance); // water between the insert rows
    EXPECT_EQ(n.voxels[0], 0.0f);                                // the corner lies outside the disc

    // On a scene's reconstruction grid, a FORBILD head of another size.
    std::ifstream in(fs::path(TOMO_TEST_RESOURCES) / "scenes/cone-circular.json");
    nlohmann::json scene = nlohmann::json::parse(in);
    scene["reconstruction"]["grid"]["size"] = {24, 20, 16};
    scene["reconstruction"]["grid"]["spacing_mm"] = {6.0, 6.5, 7.0};
    std::ofstream(m_dir / "cone.json") << scene.dump();
    o = runCli("phantom forbild-head-3d --radius 60 --supersample 2 --grid " +
               (m_dir / "cone.json").string() + " -o " + (m_dir / "head.nii").string());
    ASSERT_EQ(o.exitCode, 0) << o.output;
    const Nifti head = readNifti(m_dir / "head.nii");
    EXPECT_EQ(head.size, (std::array<int, 3>{24, 20, 16}));
    EXPECT_EQ(head.spacing, (std::array<float, 3>{6.0f, 6.5f, 7.0f}));
}

TEST_F(Cli, PhantomRefusesBadNamesAndGridsWithExitCodeOne)
{
    const fs::path out = m_dir / "p.nii";
    Outcome o = runCli("phantom forbild --size 8,8,1 --spacing 1 -o " + out.string());
    EXPECT_EQ(o.exitCode, 1) << o.output;
    EXPECT_NE(o.output.find("phantom = \"forbild\" is invalid: accepted: shepp-logan-2d"),
              std::string::npos)
        << o.output;
    EXPECT_NE(o.output.find("forbild-head-3d"), std::string::npos) << o.output;

    o = runCli("phantom line-pairs-2d --size 8,8 --spacing 1 -o " + out.string());
    EXPECT_EQ(o.exitCode, 1) << o.output;
    EXPECT_NE(o.output.find("--size = \"8,8\" is invalid"), std::string::npos) << o.output;

    o = runCli("phantom line-pairs-2d --size 8,8,1 --spacing 1,0,1 -o " + out.string());
    EXPECT_EQ(o.exitCode, 1) << o.output;
    EXPECT_NE(o.output.find("--spacing = \"1,0,1\" is invalid"), std::string::npos) << o.output;

    o = runCli("phantom line-pairs-2d -o " + out.string());
    EXPECT_EQ(o.exitCode, 1) << o.output;
    EXPECT_NE(o.output.find("--grid"), std::string::npos) << o.output;

    std::ofstream(m_dir / "e.phm") << "ellipse 0 0 10 5 0 0.02\n";
    o = runCli("phantom " + (m_dir / "e.phm").string() +
               " --radius 5 --size 8,8,1 --spacing 1 "
               "-o " +
               out.string());
    EXPECT_EQ(o.exitCode, 1) << o.output;
    EXPECT_NE(o.output.find("--radius"), std::string::npos) << o.output;

    o = runCli("phantom " + (m_dir / "missing.json").string() + " --size 8,8,1 --spacing 1 -o " +
               out.string());
    EXPECT_EQ(o.exitCode, 1) << o.output;
    EXPECT_NE(o.output.find("missing.json"), std::string::npos) << o.output;
    EXPECT_FALSE(fs::exists(out));

    // A CTSim file is read and written.
    o = runCli("phantom " + (m_dir / "e.phm").string() + " --size 8,8,1 --spacing 1 -o " +
               out.string());
    EXPECT_EQ(o.exitCode, 0) << o.output;
    EXPECT_TRUE(fs::is_regular_file(out));
}

// A small cone scan (3D Shepp–Logan of radius 40 mm, 32³ grid) for reconstruct and compare.
fs::path smallConeScene(const fs::path& dir)
{
    std::ifstream in(fs::path(TOMO_TEST_RESOURCES) / "scenes/cone-circular.json");
    nlohmann::json scene = nlohmann::json::parse(in);
    scene["geometry"]["trajectory"]["views"] = 90;
    scene["geometry"]["detector"]["columns"] = 96;
    scene["geometry"]["detector"]["rows"] = 64;
    scene["geometry"]["detector"]["pixel_u_mm"] = 3.2;
    scene["geometry"]["detector"]["pixel_v_mm"] = 3.2;
    scene["object"]["radius_mm"] = 40;
    scene["reconstruction"]["grid"]["size"] = {32, 32, 32};
    scene["reconstruction"]["grid"]["spacing_mm"] = {2.8, 2.8, 2.8};
    const fs::path path = dir / "cone.json";
    std::ofstream(path) << scene.dump(2);
    return path;
}

TEST_F(Cli, ReconstructAndCompareScoreAnFdkAgainstTheTruth)
{
    const fs::path scene = smallConeScene(m_dir);
    const std::string p = (m_dir / "p.mha").string();
    ASSERT_EQ(runCli("project " + scene.string() + " --model analytic -q -o " + p).exitCode, 0);
    const std::string v = (m_dir / "v.nii.gz").string();
    const Outcome r =
        runCli("reconstruct " + scene.string() + " --projections " + p + " -o " + v + " -q");
    ASSERT_EQ(r.exitCode, 0) << r.output;
    EXPECT_NE(r.output.find("FDK (flat detector) (full turn weighting)"), std::string::npos)
        << r.output;
    const std::string t = (m_dir / "t.nii.gz").string();
    ASSERT_EQ(
        runCli("phantom shepp-logan-3d --radius 40 --grid " + scene.string() + " -o " + t).exitCode,
        0);
    const Outcome c = runCli("compare " + v + " " + t + " --json");
    ASSERT_EQ(c.exitCode, 0) << c.output;
    const nlohmann::json metrics = nlohmann::json::parse(c.output);
    // 32³ voxels of 2.8 mm: measured 28.9 dB and SSIM 0.85; a wrong amplitude or a flipped
    // axis falls far below.
    EXPECT_GT(metrics["psnr_db"].get<double>(), 26.0);
    EXPECT_GT(metrics["ssim"].get<double>(), 0.8);
    EXPECT_EQ(metrics["ssim_per_slice"].size(), 32u);
    EXPECT_GT(metrics["d"].get<double>(), 0.0);
    // A line profile through the centre: both volumes, the truth's brain (0.2 · 0.02) at x = 0.
    const Outcome profile =
        runCli("compare " + v + " " + t + " --json --profile -40,0,0:40,0,0 --samples 9");
    ASSERT_EQ(profile.exitCode, 0) << profile.output;
    const nlohmann::json withProfile = nlohmann::json::parse(profile.output);
    ASSERT_EQ(withProfile["profile"]["estimate"].size(), 9u);
    EXPECT_NEAR(withProfile["profile"]["reference"][4].get<double>(), 0.004, 1e-3);
    EXPECT_EQ(runCli("compare " + v + " " + t + " --profile 1,2,3").exitCode, 1);
}

TEST_F(Cli, ReconstructPlanNamesTheWeightsAndRefusesMismatchedData)
{
    const fs::path scene = smallConeScene(m_dir);
    const Outcome plan = runCli("reconstruct " + scene.string() + " --plan --device cpu");
    ASSERT_EQ(plan.exitCode, 0) << plan.output;
    EXPECT_NE(plan.output.find("host memory: 3 projection stacks"), std::string::npos)
        << plan.output;
    // Projections of another geometry: named sizes, exit code 1, no output file.
    const std::string p = (m_dir / "p.mha").string();
    ASSERT_EQ(runCli("project " + smallScene().string() + " --model analytic -q -o " + p).exitCode,
              0);
    const fs::path v = m_dir / "v.nii.gz";
    const Outcome bad = runCli("reconstruct " + scene.string() + " --projections " + p + " -o " +
                               v.string() + " -q");
    EXPECT_EQ(bad.exitCode, 1) << bad.output;
    EXPECT_NE(bad.output.find("the geometry needs columns x rows x views = 96 x 64 x 90"),
              std::string::npos)
        << bad.output;
    EXPECT_FALSE(fs::exists(v));
    const Outcome fbp = runCli("reconstruct " + scene.string() + " --plan --algorithm fbp");
    EXPECT_EQ(fbp.exitCode, 1);
    EXPECT_NE(fbp.output.find("--algorithm = \"fbp\""), std::string::npos) << fbp.output;
    // Not enough host memory: the estimate and the limit, before reading anything.
    const Outcome tight =
        runCli("reconstruct " + scene.string() + " --plan", "TOMO_HOST_MEMORY_MB=1");
    EXPECT_EQ(tight.exitCode, 1);
    EXPECT_NE(tight.output.find("exceeds the 1 MB of this machine"), std::string::npos)
        << tight.output;
}
} // namespace

namespace
{
TEST_F(Cli, ReconstructWritesAnObliqueSliceAndRefusesAZeroNormal)
{
    const fs::path scene = smallConeScene(m_dir);
    const std::string p = (m_dir / "p.mha").string();
    ASSERT_EQ(runCli("project " + scene.string() + " --model analytic -q -o " + p).exitCode, 0);
    const fs::path v = m_dir / "oblique.nii.gz";
    const Outcome oblique = runCli("reconstruct " + scene.string() + " --projections " + p +
                                   " -o " + v.string() + " --slice-normal 0,1,1 -q");
    ASSERT_EQ(oblique.exitCode, 0) << oblique.output;
    EXPECT_NE(oblique.output.find("32 x 32 x 1"), std::string::npos) << oblique.output;
    EXPECT_TRUE(fs::exists(v));
    const fs::path zero = m_dir / "zero.nii.gz";
    const Outcome bad = runCli("reconstruct " + scene.string() + " --projections " + p + " -o " +
                               zero.string() + " --slice-normal 0,0,0 -q");
    EXPECT_EQ(bad.exitCode, 1);
    EXPECT_NE(bad.output.find("--slice-normal = \"0,0,0\""), std::string::npos) << bad.output;
    EXPECT_FALSE(fs::exists(zero));
}
} // namespace

namespace
{
TEST_F(Cli, InfoPrintsTheGridTheOrientationAndTheValueRange)
{
    const std::string v = (m_dir / "sl.nii.gz").string();
    ASSERT_EQ(runCli("phantom shepp-logan-2d --size 64,48,1 --spacing 2 -o " + v).exitCode, 0);
    const Outcome text = runCli("info " + v);
    ASSERT_EQ(text.exitCode, 0) << text.output;
    EXPECT_NE(text.output.find("size:        64 x 48 x 1"), std::string::npos) << text.output;
    EXPECT_NE(text.output.find("orientation: LPS"), std::string::npos) << text.output;
    const Outcome json = runCli("info " + v + " --json");
    ASSERT_EQ(json.exitCode, 0) << json.output;
    const nlohmann::json info = nlohmann::json::parse(json.output);
    EXPECT_EQ(info["size"][0].get<int>(), 64);
    EXPECT_DOUBLE_EQ(info["spacing_mm"][1].get<double>(), 2.0);
    EXPECT_DOUBLE_EQ(info["minimum"].get<double>(), 0.0);
    EXPECT_GT(info["maximum"].get<double>(), 0.0);
    const Outcome missing = runCli("info " + (m_dir / "nope.nii").string());
    EXPECT_EQ(missing.exitCode, 1);
    EXPECT_NE(missing.output.find("no such file"), std::string::npos) << missing.output;
}
} // namespace

namespace
{
TEST_F(Cli, ConvertReorientsAndComesBackVoxelForVoxel)
{
    const std::string v = (m_dir / "sl.nii.gz").string();
    ASSERT_EQ(runCli("phantom shepp-logan-3d --size 20,16,12 --spacing 8 -o " + v).exitCode, 0);
    const std::string ras = (m_dir / "ras.mha").string();
    const Outcome there = runCli("convert " + v + " " + ras + " --orientation RAS");
    ASSERT_EQ(there.exitCode, 0) << there.output;
    EXPECT_NE(runCli("info " + ras).output.find("orientation: RAS"), std::string::npos);
    const std::string back = (m_dir / "back.nrrd").string();
    ASSERT_EQ(runCli("convert " + ras + " " + back + " --orientation LPS").exitCode, 0);
    const Outcome same = runCli("compare " + back + " " + v + " --json");
    ASSERT_EQ(same.exitCode, 0) << same.output;
    EXPECT_EQ(nlohmann::json::parse(same.output)["rmse"].get<double>(), 0.0);
    const Outcome bad =
        runCli("convert " + v + " " + (m_dir / "x.mha").string() + " --orientation LLS");
    EXPECT_EQ(bad.exitCode, 1);
    EXPECT_FALSE(fs::exists(m_dir / "x.mha"));
    // Resampled to 4 mm over the same box: twice the voxels per axis.
    const std::string fine = (m_dir / "fine.nii.gz").string();
    const Outcome resampled = runCli("convert " + v + " " + fine + " --spacing 4");
    ASSERT_EQ(resampled.exitCode, 0) << resampled.output;
    EXPECT_NE(resampled.output.find("40 x 32 x 24 voxels of 4 x 4 x 4 mm"), std::string::npos)
        << resampled.output;
    // μ to HU and back: the same values to float rounding.
    const std::string hu = (m_dir / "hu.nii.gz").string();
    const std::string mu = (m_dir / "mu.nii.gz").string();
    ASSERT_EQ(runCli("convert " + v + " " + hu + " --hu").exitCode, 0);
    ASSERT_EQ(runCli("convert " + hu + " " + mu + " --mu").exitCode, 0);
    const Outcome roundTrip = runCli("compare " + mu + " " + v + " --json");
    ASSERT_EQ(roundTrip.exitCode, 0) << roundTrip.output;
    EXPECT_LT(nlohmann::json::parse(roundTrip.output)["rmse"].get<double>(), 1e-8);
}
} // namespace

namespace
{
TEST_F(Cli, ConvertWritesADicomSeriesAndReadsItBackAsTheSameHu)
{
    const std::string v = (m_dir / "sl.nii.gz").string();
    ASSERT_EQ(runCli("phantom shepp-logan-3d --size 24,20,10 --spacing 6 -o " + v).exitCode, 0);
    const std::string series = (m_dir / "series").string() + "/";
    const Outcome written = runCli("convert " + v + " " + series + " --energy 60");
    ASSERT_EQ(written.exitCode, 0) << written.output;
    EXPECT_NE(written.output.find(", HU"), std::string::npos) << written.output;
    EXPECT_TRUE(fs::exists(m_dir / "series" / "IM000010.dcm"));
    // Read back (a folder is a DICOM series) and compare in HU: the same to the int16 round-off.
    const std::string hu = (m_dir / "hu.nii.gz").string();
    ASSERT_EQ(runCli("convert " + v + " " + hu + " --hu --energy 60").exitCode, 0);
    const std::string back = (m_dir / "back.nii.gz").string();
    ASSERT_EQ(runCli("convert " + series + " " + back).exitCode, 0);
    const Outcome same = runCli("compare " + back + " " + hu + " --json");
    ASSERT_EQ(same.exitCode, 0) << same.output;
    constexpr double kHuRoundOff = 0.5; // int16 HU, slope 1: round-off ≤ 0.5 HU
    EXPECT_LE(nlohmann::json::parse(same.output)["rmse"].get<double>(), kHuRoundOff);
    // The provenance went through the DICOM tags.
    const Outcome info = runCli("info " + series);
    ASSERT_EQ(info.exitCode, 0) << info.output;
    EXPECT_NE(info.output.find("modality:    CT, phantom"), std::string::npos) << info.output;
    EXPECT_NE(info.output.find("tomoscope_source: shepp-logan-3d"), std::string::npos)
        << info.output;
    EXPECT_NE(info.output.find("\"energy_kev\":60"), std::string::npos) << info.output;
    // Writing over a series is refused, and leaves it alone.
    const Outcome again = runCli("convert " + v + " " + series);
    EXPECT_EQ(again.exitCode, 1);
    EXPECT_NE(again.output.find("not empty"), std::string::npos) << again.output;
    EXPECT_TRUE(fs::exists(m_dir / "series" / "IM000010.dcm"));
}

TEST_F(Cli, WithoutTheFormatsModuleDicomIsRefusedByNameAndTheOtherFormatsWork)
{
    // DICOM, HDF5 and TIFF come from the formats module, loaded on the first such file; the
    // other formats do not need it.
    const std::string v = (m_dir / "sl.nii.gz").string();
    ASSERT_EQ(runCli("phantom shepp-logan-3d --size 12,10,6 --spacing 6 -o " + v).exitCode, 0);
    const std::string missing = "TOMO_FORMATS_MODULE=" + (m_dir / "nowhere.so").string();
    const Outcome mha = runCli("convert " + v + " " + (m_dir / "sl.mha").string(), missing);
    EXPECT_EQ(mha.exitCode, 0) << mha.output;
    const Outcome dicom = runCli("convert " + v + " " + (m_dir / "series").string() + "/", missing);
    EXPECT_EQ(dicom.exitCode, 1) << dicom.output;
    EXPECT_NE(dicom.output.find("formats module"), std::string::npos) << dicom.output;
    EXPECT_NE(dicom.output.find((m_dir / "nowhere.so").string()), std::string::npos)
        << dicom.output;
    EXPECT_NE(dicom.output.find("tomo_formats"), std::string::npos) << dicom.output;
    EXPECT_FALSE(fs::exists(m_dir / "series" / "IM000001.dcm"));
    // A missing TIFF file is named as missing before the module is looked for.
    const Outcome tiff = runCli("info " + (m_dir / "none.tif").string(), missing);
    EXPECT_EQ(tiff.exitCode, 1) << tiff.output;
    EXPECT_NE(tiff.output.find("no such file"), std::string::npos) << tiff.output;
    // A file that is not a module is named with the loader's reason.
    const std::string notModule = "TOMO_FORMATS_MODULE=" + v;
    const Outcome bad =
        runCli("convert " + v + " " + (m_dir / "series2").string() + "/", notModule);
    EXPECT_EQ(bad.exitCode, 1) << bad.output;
    EXPECT_NE(bad.output.find("cannot load Tomoscope's formats module"), std::string::npos)
        << bad.output;
}

TEST_F(Cli, ConvertCropsPadsRotatesAndTranslatesKeepingWorldPositions)
{
    const std::string v = (m_dir / "sl.nii.gz").string();
    ASSERT_EQ(runCli("phantom shepp-logan-3d --size 20,16,12 --spacing 8 -o " + v).exitCode, 0);
    // Crop then pad back to the same box: the kept voxels are unchanged, the rest 0.
    const std::string cropped = (m_dir / "c.mha").string();
    const Outcome c = runCli("convert " + v + " " + cropped + " --crop 2,2,0:16,12,12");
    ASSERT_EQ(c.exitCode, 0) << c.output;
    EXPECT_NE(c.output.find("16 x 12 x 12 voxels"), std::string::npos) << c.output;
    const std::string padded = (m_dir / "p.mha").string();
    ASSERT_EQ(runCli("convert " + cropped + " " + padded + " --pad 2,2,0").exitCode, 0);
    const std::string onBox = (m_dir / "onbox.mha").string();
    // --like onto the original grid must be the identity if positions were kept.
    ASSERT_EQ(runCli("convert " + padded + " " + onBox + " --like " + v).exitCode, 0);
    const Outcome paddedInfo = runCli("info " + onBox + " --json");
    const nlohmann::json a = nlohmann::json::parse(paddedInfo.output);
    const nlohmann::json b = nlohmann::json::parse(runCli("info " + v + " --json").output);
    for (int i = 0; i < 3; ++i) {
        EXPECT_NEAR(a["origin_mm"][i].get<double>(), b["origin_mm"][i].get<double>(), 1e-9);
    }
    // A full turn about z through the centre and a translation there and back: the same image.
    const std::string turned = (m_dir / "t.mha").string();
    const Outcome r = runCli("convert " + v + " " + turned +
                             " --rotate z:360 --translate 5,0,-3 --interpolation nearest");
    ASSERT_EQ(r.exitCode, 0) << r.output;
    const std::string home = (m_dir / "home.mha").string();
    ASSERT_EQ(runCli("convert " + turned + " " + home + " --translate -5,0,3").exitCode, 0);
    const Outcome same = runCli("compare " + home + " " + v + " --json");
    ASSERT_EQ(same.exitCode, 0) << same.output;
    EXPECT_LT(nlohmann::json::parse(same.output)["rmse"].get<double>(), 1e-7);
    // A file that does not say its unit needs --fill before voxels are added.
    const std::string bare = (m_dir / "bare.nii").string();
    ASSERT_EQ(runCli("convert " + v + " " + bare).exitCode, 0);
    fs::remove(m_dir / "bare.json");
    const Outcome noFill =
        runCli("convert " + bare + " " + (m_dir / "x.mha").string() + " --pad 1");
    EXPECT_EQ(noFill.exitCode, 1);
    EXPECT_NE(noFill.output.find("--fill"), std::string::npos) << noFill.output;
    EXPECT_FALSE(fs::exists(m_dir / "x.mha"));
    const Outcome badRotate =
        runCli("convert " + v + " " + (m_dir / "y.mha").string() + " --rotate w:10");
    EXPECT_EQ(badRotate.exitCode, 1);
    EXPECT_NE(badRotate.output.find("AXIS:DEGREES"), std::string::npos) << badRotate.output;
}

TEST_F(Cli, EveryOutputSaysWhichSceneAndAlgorithmMadeIt)
{
    const fs::path out = m_dir / "run";
    const Outcome run =
        runCli("run " + smallScene().string() + " -o " + out.string() + " --device cpu -q");
    ASSERT_EQ(run.exitCode, 0) << run.output;
    const Outcome info = runCli("info " + (out / "reconstruction.nii.gz").string() + " --json");
    ASSERT_EQ(info.exitCode, 0) << info.output;
    const nlohmann::json meta = nlohmann::json::parse(info.output);
    EXPECT_EQ(meta["unit"], "mu_per_mm");
    EXPECT_EQ(meta["subtype"], "reconstruction");
    EXPECT_EQ(meta["metadata"]["tomoscope_algorithm"], "fbp");
    EXPECT_FALSE(meta["metadata"]["tomoscope_version"].get<std::string>().empty());
    EXPECT_NE(meta["metadata"]["tomoscope_parameters"].get<std::string>().find("filter"),
              std::string::npos);
    const nlohmann::json sino = nlohmann::json::parse(
        runCli("info " + (out / "sinogram.nii.gz").string() + " --json").output);
    EXPECT_EQ(sino["unit"], "line_integral");
    EXPECT_TRUE(sino["metadata"].contains("tomoscope_geometry"));
}
} // namespace

namespace
{
// The number after `label` in `text` (NaN when it is not there).
double numberAfter(const std::string& text, const std::string& label)
{
    const std::size_t at = text.find(label);
    return at == std::string::npos ? std::nan("") : std::stod(text.substr(at + label.size()));
}

TEST_F(Cli, DrrWritesAPictureAndAnImageAndScoresThemAgainstAnXray)
{
    const std::string mu = (m_dir / "head.nii.gz").string();
    const std::string hu = (m_dir / "head-hu.nii.gz").string();
    ASSERT_EQ(runCli("phantom forbild-head-3d --radius 60 --supersample 2 --size 40,40,40 "
                     "--spacing 4 -o " +
                     mu)
                  .exitCode,
              0);
    ASSERT_EQ(runCli("convert " + mu + " " + hu + " --hu").exitCode, 0);

    const fs::path ap = m_dir / "ap.png";
    Outcome o = runCli("drr " + hu + " --view ap -o " + ap.string() + " --device cpu -q");
    ASSERT_EQ(o.exitCode, 0) << o.output;
    EXPECT_NE(o.output.find("AP DRR"), std::string::npos) << o.output;
    EXPECT_TRUE(fs::is_regular_file(ap));

    const fs::path lateral = m_dir / "lateral.nii.gz";
    o = runCli("drr " + hu + " --view lateral -o " + lateral.string() + " --device cpu -q");
    ASSERT_EQ(o.exitCode, 0) << o.output;
    const nlohmann::json info =
        nlohmann::json::parse(runCli("info " + lateral.string() + " --json").output);
    EXPECT_EQ(info["unit"], "line_integral");
    EXPECT_EQ(info["subtype"], "drr");
    EXPECT_EQ(info["size"][2].get<int>(), 1);
    EXPECT_EQ(info["metadata"]["tomoscope_algorithm"], "drr");
    EXPECT_EQ(info["metadata"]["tomoscope_source"], hu);

    // Against its own 8-bit picture (the X-ray's size is taken), from HU and from μ: convert
    // --hu used water at 70 keV, the DRR's default energy, so both see the same μ.
    for (const std::string& volume : {hu, mu}) {
        o = runCli("drr " + volume + " --view ap --compare " + ap.string() + " --device cpu -q");
        ASSERT_EQ(o.exitCode, 0) << o.output;
        EXPECT_GT(numberAfter(o.output, "NCC "), 0.99) << o.output;
        EXPECT_LT(numberAfter(o.output, "L1 "), 0.1) << o.output;
    }
    o = runCli("drr " + hu + " --view 90 --compare " + ap.string() + " --device cpu -q");
    ASSERT_EQ(o.exitCode, 0) << o.output;
    EXPECT_LT(numberAfter(o.output, "NCC "), 0.99) << o.output;
}

TEST_F(Cli, DrrRefusesABadViewAndMismatchedSizesWithExitCodeOne)
{
    const std::string v = (m_dir / "head.nii.gz").string();
    ASSERT_EQ(
        runCli("phantom forbild-head-3d --radius 60 --size 24,24,24 --spacing 8 -o " + v).exitCode,
        0);
    const fs::path out = m_dir / "out.png";
    Outcome o = runCli("drr " + v + " --view oblique -o " + out.string());
    EXPECT_EQ(o.exitCode, 1) << o.output;
    EXPECT_NE(o.output.find("--view = \"oblique\""), std::string::npos) << o.output;
    EXPECT_NE(o.output.find("ap, lateral"), std::string::npos) << o.output;
    EXPECT_FALSE(fs::exists(out));

    o = runCli("drr " + v + " --size 0x5 -o " + out.string());
    EXPECT_EQ(o.exitCode, 1) << o.output;
    EXPECT_NE(o.output.find("--size = \"0x5\""), std::string::npos) << o.output;
    o = runCli("drr " + v + " --sdd 800 -o " + out.string());
    EXPECT_EQ(o.exitCode, 1) << o.output;
    EXPECT_NE(o.output.find("--sdd = 800"), std::string::npos) << o.output;
    o = runCli("drr " + v + " --unit line_integral -o " + out.string());
    EXPECT_EQ(o.exitCode, 1) << o.output;
    EXPECT_NE(o.output.find("--unit = \"line_integral\""), std::string::npos) << o.output;
    o = runCli("drr " + v);
    EXPECT_EQ(o.exitCode, 1) << o.output;
    EXPECT_FALSE(fs::exists(out));

    ASSERT_EQ(runCli("drr " + v + " -o " + out.string() + " --size 30x20 -q").exitCode, 0);
    const fs::path other = m_dir / "other.png";
    o = runCli("drr " + v + " --size 20x20 --compare " + out.string() + " -o " + other.string() +
               " -q");
    EXPECT_EQ(o.exitCode, 1) << o.output;
    EXPECT_NE(o.output.find("DRR 20 x 20 x 1, X-ray 30 x 20 x 1"), std::string::npos) << o.output;
    EXPECT_FALSE(fs::exists(other));
}
} // namespace

namespace
{
std::string fileBytes(const fs::path& path)
{
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

// render draws each view into a PNG (CTest runs under Xvfb); without a display, or with a bad
// view, size or overlay, it names the problem, exits 1 and writes nothing.
TEST_F(Cli, RenderWritesEachViewAndRefusesBadInput)
{
    const char* display = std::getenv("DISPLAY");
    const std::string scene =
        (fs::path(TOMO_TEST_RESOURCES) / "scenes/cone-circular.json").string();
    const fs::path png = m_dir / "r.png";
    Outcome o = runCli("render " + scene + " -o " + png.string(), "env -u DISPLAY");
    EXPECT_EQ(o.exitCode, 1) << o.output;
    EXPECT_NE(o.output.find("xvfb-run"), std::string::npos) << o.output;
    EXPECT_FALSE(fs::exists(png));
    o = runCli("render " + scene + " --view cubes -o " + png.string());
    EXPECT_EQ(o.exitCode, 1) << o.output;
    EXPECT_NE(o.output.find("trajectory, volume, slices or projections"), std::string::npos);
    o = runCli("render " + scene + " --size 0x10 -o " + png.string());
    EXPECT_EQ(o.exitCode, 1) << o.output;
    EXPECT_NE(o.output.find("--size"), std::string::npos) << o.output;
    o = runCli("render " + scene + " --current 360 -o " + png.string());
    EXPECT_EQ(o.exitCode, 1) << o.output;
    EXPECT_NE(o.output.find("0 to 359"), std::string::npos) << o.output;
    EXPECT_FALSE(fs::exists(png));
    if (display == nullptr || *display == '\0') {
        GTEST_SKIP() << "no X display for the renderings: run under xvfb-run (CTest does)";
    }
    o = runCli("render " + scene + " --current 30 --ray 20,0,10 --size 320x240 -o " + png.string());
    ASSERT_EQ(o.exitCode, 0) << o.output;
    EXPECT_NE(o.output.find("ray lands on column"), std::string::npos) << o.output;
    EXPECT_GT(fs::file_size(png), 1000U);
    for (const char* view : {"volume", "slices"}) {
        const fs::path out = m_dir / (std::string(view) + ".png");
        o = runCli("render " + scene + " --view " + view + " --size 240x160 -o " + out.string());
        ASSERT_EQ(o.exitCode, 0) << view << ": " << o.output;
        EXPECT_GT(fs::file_size(out), 500U) << view;
    }
    o = runCli("render " + scene + " --view volume --preset bone -o " + png.string());
    EXPECT_EQ(o.exitCode, 1) << o.output;
    EXPECT_NE(o.output.find("ct-bone, soft-tissue, mip or mu-grey"), std::string::npos);
}

} // namespace

TEST_F(Cli, SimulateWritesLineIntegralsAndReadingsReproducibly)
{
    std::ifstream in(smallScene());
    nlohmann::json scene = nlohmann::json::parse(in);
    scene["simulation"]["spectrum"] = {{"kvp", 120}};
    scene["simulation"]["detector"] = {{"mode", "integrating"}};
    scene["simulation"]["photons_per_pixel"] = 1e4;
    const fs::path path = m_dir / "physics.json";
    std::ofstream(path) << scene.dump(2);

    const auto simulate = [&](const std::string& name, const std::string& extra) {
        return runCli("simulate " + path.string() + " -q -o " + (m_dir / name).string() +
                      " --raw " + (m_dir / ("raw-" + name)).string() + extra);
    };
    Outcome o = simulate("a.mha", "");
    ASSERT_EQ(o.exitCode, 0) << o.output;
    EXPECT_NE(o.output.find("spectrum mean"), std::string::npos) << o.output;
    o = simulate("b.mha", "");
    ASSERT_EQ(o.exitCode, 0) << o.output;
    // Same seed, same bytes; the header names each file's own geometry sidecar.
    std::string b = fileBytes(m_dir / "b.mha");
    const std::size_t named = b.find("b.mha.json");
    ASSERT_NE(named, std::string::npos);
    b.replace(named, 1, "a");
    EXPECT_EQ(fileBytes(m_dir / "a.mha"), b);
    EXPECT_EQ(fileBytes(m_dir / "a.mha.json"), fileBytes(m_dir / "b.mha.json"));
    o = simulate("c.mha", " --seed 9");
    ASSERT_EQ(o.exitCode, 0) << o.output;
    EXPECT_NE(fileBytes(m_dir / "a.mha"), fileBytes(m_dir / "c.mha"));

    o = runCli("info --json " + (m_dir / "a.mha").string());
    ASSERT_EQ(o.exitCode, 0) << o.output;
    EXPECT_NE(o.output.find("line_integral"), std::string::npos) << o.output;
    o = runCli("info --json " + (m_dir / "raw-a.mha").string());
    ASSERT_EQ(o.exitCode, 0) << o.output;
    EXPECT_NE(o.output.find("\"counts\""), std::string::npos) << o.output;
}

TEST_F(Cli, SimulateRefusesBadPhysicsAndBadOutputs)
{
    std::ifstream in(smallScene());
    nlohmann::json scene = nlohmann::json::parse(in);
    scene["simulation"]["scatter"] = {{"spr", -1}};
    const fs::path path = m_dir / "bad.json";
    std::ofstream(path) << scene.dump(2);
    Outcome o = runCli("simulate " + path.string() + " -o " + (m_dir / "p.mha").string());
    EXPECT_EQ(o.exitCode, 1) << o.output;
    EXPECT_NE(o.output.find("simulation.scatter.spr"), std::string::npos) << o.output;
    EXPECT_FALSE(fs::exists(m_dir / "p.mha"));

    o = runCli("simulate " + smallScene().string() + " -o " +
               (m_dir / "missing" / "p.mha").string());
    EXPECT_EQ(o.exitCode, 1) << o.output;
    EXPECT_NE(o.output.find("-o"), std::string::npos) << o.output;
}

TEST_F(Cli, SimulateTakesACtVolumeInHuOrMu)
{
    // The small scene's phantom on its grid in μ, and the same in HU: one simulation.
    const std::string mu = (m_dir / "mu.nii.gz").string();
    const std::string hu = (m_dir / "hu.nii.gz").string();
    Outcome o = runCli("phantom shepp-logan-2d --grid " + smallScene().string() + " -o " + mu);
    ASSERT_EQ(o.exitCode, 0) << o.output;
    o = runCli("convert " + mu + " " + hu + " --hu --energy 70");
    ASSERT_EQ(o.exitCode, 0) << o.output;
    const std::string scene = smallScene().string();
    o = runCli("simulate " + scene + " -q --volume " + mu + " -o " + (m_dir / "a.mha").string());
    ASSERT_EQ(o.exitCode, 0) << o.output;
    o = runCli("simulate " + scene + " -q --volume " + hu + " -o " + (m_dir / "b.mha").string());
    ASSERT_EQ(o.exitCode, 0) << o.output;
    o = runCli("compare " + (m_dir / "a.mha").string() + " " + (m_dir / "b.mha").string() +
               " --json");
    ASSERT_EQ(o.exitCode, 0) << o.output;
    const auto result = nlohmann::json::parse(o.output.substr(o.output.find('{')));
    // μ → HU → μ through float with the water μ the file records: line integrals of order 1
    // agree to float rounding (1e-5 is a hundred float ulps of them).
    EXPECT_LT(result["rmse"].get<double>(), 1e-5) << o.output;
    o = runCli("simulate " + scene + " --volume " + mu + " --unit counts -o " +
               (m_dir / "c.mha").string());
    EXPECT_EQ(o.exitCode, 1) << o.output;
    EXPECT_NE(o.output.find("--unit"), std::string::npos) << o.output;
}

TEST_F(Cli, ConvertCalibratesHuFromAWaterAndAnAirRegion)
{
    // A water cylinder read 7 % low, as scatter or a soft spectrum leave it: the water disc
    // becomes 0 HU and the air -1000 HU.
    const std::string mu = (m_dir / "mu.nii.gz").string();
    const std::string hu = (m_dir / "hu.nii.gz").string();
    Outcome o = runCli("phantom water-cylinder --radius 40 --height 100 --mu 0.018 --size "
                       "64,64,1 --spacing 2 -o " +
                       mu);
    ASSERT_EQ(o.exitCode, 0) << o.output;
    o = runCli("convert " + mu + " " + hu + " --calibrate-hu 0,0,0,20:55,55,0,5");
    ASSERT_EQ(o.exitCode, 0) << o.output;
    o = runCli("info --json " + hu);
    ASSERT_EQ(o.exitCode, 0) << o.output;
    const auto info = nlohmann::json::parse(o.output.substr(o.output.find('{')));
    EXPECT_EQ(info["unit"], "HU") << o.output;
    EXPECT_NEAR(info["minimum"].get<double>(), -1000.0, 1e-3) << o.output;
    EXPECT_NEAR(info["maximum"].get<double>(), 0.0, 1e-3) << o.output;
    o = runCli("convert " + mu + " " + hu + " --calibrate-hu 0,0,0:55,55,0,5");
    EXPECT_EQ(o.exitCode, 1) << o.output;
    EXPECT_NE(o.output.find("--calibrate-hu"), std::string::npos) << o.output;
}
