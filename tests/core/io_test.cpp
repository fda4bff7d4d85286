#include "tomo/error.h"
#include "tomo/io.h"
#include "tomo/projections.h"

#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace tomo
{
namespace
{
class IoTest : public ::testing::Test
{
protected:
    void SetUp() override
    {
        m_dir =
            std::filesystem::temp_directory_path() /
            ("tomo_io_test_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
        std::filesystem::create_directories(m_dir);
    }
    void TearDown() override { std::filesystem::remove_all(m_dir); }
    std::filesystem::path m_dir;
};

Volume sampleVolume()
{
    const VolumeGrid g = VolumeGrid::make({5, 4, 3}, {0.5, 0.75, 2.0}, {-10.0, 3.5, 7.25});
    Volume v = Volume::zeros(g);
    for (std::size_t n = 0; n < v.data().size(); ++n) {
        v.data()[n] = static_cast<float>(n) * 0.25f - 3.0f;
    }
    return v;
}

TEST_F(IoTest, VolumesRoundTripWithSpacingAndOrigin)
{
    const Volume v = sampleVolume();
    for (const char* name : {"v.nii.gz", "v.nii", "v.mha", "v.nrrd"}) {
        writeVolume(v, m_dir / name);
        const Volume back = readVolume(m_dir / name);
        EXPECT_EQ(back.grid().size(), v.grid().size()) << name;
        for (int a = 0; a < 3; ++a) {
            EXPECT_NEAR(back.grid().spacing()[a], v.grid().spacing()[a], 1e-6) << name;
        }
        EXPECT_NEAR(back.grid().origin().x, -10.0, 1e-5) << name;
        EXPECT_NEAR(back.grid().origin().z, 7.25, 1e-5) << name;
        EXPECT_EQ(std::vector<float>(back.data().begin(), back.data().end()),
                  std::vector<float>(v.data().begin(), v.data().end()))
            << name;
    }
}

TEST_F(IoTest, ProjectionsAreWrittenWithCentredDetectorCoordinates)
{
    const Geometry g = Geometry::circular(
        BeamType::Cone3D, {.columns = 5, .rows = 3, .pixelU = 0.5, .pixelV = 2.0}, {.views = 4});
    ProjectionStack p = ProjectionStack::zeros(g);
    p.view(3)[2 * 5 + 4] = 7.0f;
    writeProjections(p, m_dir / "p.mha");
    const Volume back = readVolume(m_dir / "p.mha");
    EXPECT_EQ(back.grid().size(), (std::array<std::size_t, 3>{5, 3, 4}));
    // Pixel (0, 0) sits (nu-1)/2 du and (nv-1)/2 dv before the centre of the pixel grid.
    EXPECT_NEAR(back.grid().origin().x, -1.0, 1e-9);
    EXPECT_NEAR(back.grid().origin().y, -2.0, 1e-9);
    EXPECT_EQ(back.at(4, 2, 3), 7.0f);
}

// 360 views of per-view geometry (~33 kB of JSON) exceed what MetaIO reads back from a header
// field (4096 characters): such values go to a sidecar the header names, and the file reads back
// whole; NRRD keeps them in its header.
TEST_F(IoTest, ProjectionStacksWithLongGeometryReadBack)
{
    const Geometry g = Geometry::circular(
        BeamType::Cone3D, {.columns = 4, .rows = 2, .pixelU = 0.5, .pixelV = 2.0}, {.views = 360});
    ProjectionStack p = ProjectionStack::zeros(g);
    p.view(359)[7] = 3.0f;
    for (const char* name : {"p.mha", "p.nrrd"}) {
        writeProjections(p, m_dir / name);
        const ProjectionStack back = readProjections(m_dir / name, g);
        EXPECT_EQ(back.view(359)[7], 3.0f) << name;
        const Volume image = readVolume(m_dir / name);
        ASSERT_TRUE(image.meta().dictionary.contains("tomoscope_geometry")) << name;
        EXPECT_GT(image.meta().dictionary.at("tomoscope_geometry").size(), 4096U) << name;
        EXPECT_FALSE(image.meta().dictionary.contains("tomoscope_sidecar")) << name;
    }
    EXPECT_TRUE(std::filesystem::exists(m_dir / "p.mha.json"));
    // The header names its sidecar: without it the read says what is missing.
    std::filesystem::remove(m_dir / "p.mha.json");
    try {
        (void)readVolume(m_dir / "p.mha");
        FAIL() << "expected IoError";
    } catch (const IoError& e) {
        EXPECT_NE(std::string(e.what()).find("p.mha.json"), std::string::npos) << e.what();
    }
    // A short header keeps everything in the file and ignores a stale sidecar.
    writeVolume(sampleVolume(), m_dir / "p.mha");
    {
        std::ofstream stale(m_dir / "p.mha.json");
        stale << R"({"tomoscope_geometry": "stale"})";
    }
    EXPECT_FALSE(readVolume(m_dir / "p.mha").meta().dictionary.contains("tomoscope_geometry"));
}

TEST_F(IoTest, UnknownExtensionAndMissingFolderAreIoErrors)
{
    const Volume v = sampleVolume();
    EXPECT_THROW(writeVolume(v, m_dir / "v.xyz"), IoError);
    EXPECT_THROW(writeVolume(v, m_dir / "nope" / "v.nii.gz"), IoError);
    EXPECT_THROW((void)readVolume(m_dir / "absent.nii.gz"), IoError);
    EXPECT_TRUE(std::filesystem::is_empty(m_dir)) << "a failed write left a file behind";
}

std::string fileText(const std::filesystem::path& path)
{
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

TEST_F(IoTest, ARawFileReplacesNoOtherImagesCompanion)
{
    // v.raw's header and v.nii.gz's sidecar are both v.json: the second write is refused
    // rather than replacing the first file's JSON.
    const Volume v = sampleVolume();
    writeVolume(v, m_dir / "v.nii.gz");
    ASSERT_TRUE(std::filesystem::exists(m_dir / "v.json"));
    const std::string sidecar = fileText(m_dir / "v.json");
    try {
        writeVolume(v, m_dir / "v.raw");
        ADD_FAILURE() << "v.raw was written over v.nii.gz's sidecar";
    } catch (const IoError& e) {
        const std::string message = e.what();
        EXPECT_NE(message.find("v.json"), std::string::npos) << message;
        EXPECT_NE(message.find("v.nii.gz"), std::string::npos) << message;
    }
    EXPECT_FALSE(std::filesystem::exists(m_dir / "v.raw"));
    EXPECT_EQ(fileText(m_dir / "v.json"), sidecar);

    writeVolume(v, m_dir / "w.raw");
    const std::string header = fileText(m_dir / "w.json");
    EXPECT_THROW(writeVolume(v, m_dir / "w.nii"), IoError);
    EXPECT_FALSE(std::filesystem::exists(m_dir / "w.nii"));
    EXPECT_EQ(fileText(m_dir / "w.json"), header);
    EXPECT_EQ(readVolume(m_dir / "w.raw").grid().size(), v.grid().size());
    // X.mhd keeps its voxels in X.raw.
    writeVolume(v, m_dir / "m.mhd");
    EXPECT_THROW(writeVolume(v, m_dir / "m.raw"), IoError);
    EXPECT_EQ(readVolume(m_dir / "m.mhd").grid().size(), v.grid().size());
    // Rewriting a file of the same kind replaces its own JSON, as before.
    EXPECT_NO_THROW(writeVolume(v, m_dir / "w.raw"));
    EXPECT_NO_THROW(writeVolume(v, m_dir / "v.nii.gz"));
}

TEST_F(IoTest, CorruptFileIsAnIoError)
{
    {
        std::ofstream out(m_dir / "bad.nii.gz", std::ios::binary);
        out << "this is not a NIfTI file";
    }
    EXPECT_THROW((void)readVolume(m_dir / "bad.nii.gz"), IoError);
}

TEST_F(IoTest, PngMapsTheWindowAndFlipsY)
{
    const VolumeGrid g = VolumeGrid::make({2, 2, 1}, {1, 1, 1}, {0, 0, 0});
    const Volume v = Volume::fromData(g, {0.0f, 1.0f, 2.0f, 3.0f});
    writePng(v, 0, 0.0, 3.0, m_dir / "x.png");
    const Volume back = readVolume(m_dir / "x.png");
    // Row 0 of the picture is the volume's top row (j = 1): values 2, 3 -> 170, 255.
    EXPECT_EQ(back.data()[0], 170.0f);
    EXPECT_EQ(back.data()[1], 255.0f);
    EXPECT_EQ(back.data()[2], 0.0f);
    EXPECT_THROW(writePng(v, 1, 0.0, 1.0, m_dir / "y.png"), InvalidArgument);
    EXPECT_THROW(writePng(v, 0, 1.0, 1.0, m_dir / "y.png"), InvalidArgument);
}
} // namespace
} // namespace tomo

namespace tomo
{
namespace
{
TEST(Orientation, CodesNameTheDirectionEachIndexAxisPointsTowards)
{
    EXPECT_EQ(orientationCode({1, 0, 0, 0, 1, 0, 0, 0, 1}), "LPS");
    EXPECT_EQ(orientationCode({-1, 0, 0, 0, -1, 0, 0, 0, 1}), "RAS");
    EXPECT_EQ(orientationCode({-1, 0, 0, 0, 1, 0, 0, 0, -1}), "RPI");
    // Columns are the index axes: i along z, j along -x, k along -y.
    EXPECT_EQ(orientationCode({0, -1, 0, 0, 0, -1, 1, 0, 0}), "SRA");
    // 30 deg about z: still closest to LPS, with three different letters.
    const double c = std::cos(0.5236);
    const double s = std::sin(0.5236);
    EXPECT_EQ(orientationCode({c, -s, 0, s, c, 0, 0, 0, 1}), "LPS");
}

class ImageInfoTest : public ::testing::Test
{
protected:
    void SetUp() override
    {
        m_dir =
            std::filesystem::temp_directory_path() /
            ("tomo_info_test_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()));
        std::filesystem::create_directories(m_dir);
    }
    void TearDown() override { std::filesystem::remove_all(m_dir); }
    std::filesystem::path m_dir;
};

TEST_F(ImageInfoTest, ReportsTheHeaderTheOrientationAndTheValueRange)
{
    // x and y flipped (RAS), a known origin and values from -3 to 11.75.
    const VolumeGrid g = VolumeGrid::make({5, 4, 3}, {0.5, 0.75, 2.0}, {-10.0, 3.5, 7.25},
                                          {-1, 0, 0, 0, -1, 0, 0, 0, 1});
    Volume v = Volume::zeros(g);
    for (std::size_t n = 0; n < v.data().size(); ++n) {
        v.data()[n] = static_cast<float>(n) * 0.25f - 3.0f;
    }
    for (const char* name : {"v.nii.gz", "v.mha", "v.nrrd"}) {
        writeVolume(v, m_dir / name);
        const ImageInfo info = readImageInfo(m_dir / name);
        EXPECT_EQ(info.dimensions, 3u) << name;
        EXPECT_EQ(info.components, 1u) << name;
        EXPECT_EQ(info.componentType, "float") << name;
        EXPECT_EQ(info.size, (std::array<std::size_t, 3>{5, 4, 3})) << name;
        EXPECT_NEAR(info.spacing[1], 0.75, 1e-6) << name;
        EXPECT_NEAR(info.origin.x, -10.0, 1e-5) << name;
        EXPECT_NEAR(info.origin.z, 7.25, 1e-5) << name;
        EXPECT_NEAR(info.direction[0], -1.0, 1e-6) << name;
        EXPECT_EQ(info.orientation, "RAS") << name;
        EXPECT_DOUBLE_EQ(info.minimum, -3.0) << name;
        EXPECT_DOUBLE_EQ(info.maximum, 59 * 0.25 - 3.0) << name;
    }
    EXPECT_THROW((void)readImageInfo(m_dir / "missing.nii"), IoError);
}
} // namespace
} // namespace tomo
