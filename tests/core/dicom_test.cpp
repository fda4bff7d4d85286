// DICOM series: write -> read round trips on generated volumes (no downloaded data), the bad
// inputs of issue 7, and a check of the written files with dcmtk and gdcm where installed.
#include "tomo/dicom.h"
#include "tomo/error.h"
#include "tomo/recon.h"

#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <numbers>
#include <set>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <vector>

namespace tomo
{
namespace
{
namespace fs = std::filesystem;

// Values are stored as whole HU (slope 1), so a read-back value is the exact HU rounded to the
// nearest integer: at most 0.5 HU off, plus double round-off in computing the expectation.
constexpr double kHuRoundOff = 0.5 + 1e-9;
// Positions are written as 16-character DS strings (≥ 10 significant digits for these
// magnitudes); directions carry the same relative precision.
constexpr double kPositionToleranceMm = 1e-4;
constexpr double kDirectionTolerance = 1e-6;
constexpr double kMuWater = kWaterMuAt70keV;

class DicomTest : public ::testing::Test
{
protected:
    void SetUp() override
    {
        m_dir = fs::temp_directory_path() /
                ("tomo_dicom_test_" +
                 std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "_" +
                 ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(m_dir);
        fs::create_directories(m_dir);
    }
    void TearDown() override { fs::remove_all(m_dir); }
    fs::path m_dir;
};

/// Row-major rotation by `angle` about the unit axis `(ax, ay, az)` (Rodrigues).
std::array<double, 9> rotation(double ax, double ay, double az, double angle)
{
    const double n = std::sqrt(ax * ax + ay * ay + az * az);
    ax /= n;
    ay /= n;
    az /= n;
    const double c = std::cos(angle);
    const double s = std::sin(angle);
    const double t = 1.0 - c;
    return {t * ax * ax + c,      t * ax * ay - s * az, t * ax * az + s * ay,
            t * ax * ay + s * az, t * ay * ay + c,      t * ay * az - s * ax,
            t * ax * az - s * ay, t * ay * az + s * ax, t * az * az + c};
}

/// A 24 x 20 x 12 volume in μ (mm⁻¹): water with a bone-like box, an air box, a metal-like box
/// and a gentle ramp along x so that HU are not whole numbers.
Volume phantom(const std::array<double, 9>& direction)
{
    const VolumeGrid grid =
        VolumeGrid::make({24, 20, 12}, {0.7, 0.9, 1.6}, {-12.3, 45.6, -78.9}, direction);
    Volume v = Volume::zeros(grid);
    for (std::size_t k = 0; k < 12; ++k) {
        for (std::size_t j = 0; j < 20; ++j) {
            for (std::size_t i = 0; i < 24; ++i) {
                double mu = kMuWater * (1.0 + 0.00123 * static_cast<double>(i) +
                                        0.0007 * static_cast<double>(k));
                if (i >= 3 && i < 9 && j >= 4 && j < 10 && k >= 2 && k < 7) {
                    mu = 2.3 * kMuWater; // bone-like, ~1300 HU
                }
                if (i >= 14 && i < 20 && j >= 12 && j < 18 && k >= 5 && k < 11) {
                    mu = 0.0; // air, -1000 HU
                }
                if (i == 20 && j == 3 && k == 9) {
                    mu = 0.4; // metal-like, ~19650 HU
                }
                v.at(i, j, k) = static_cast<float>(mu);
            }
        }
    }
    v.meta().modality = Modality::CT;
    v.meta().subtype = "reconstruction";
    v.meta().unit = ValueUnit::MuPerMm;
    v.meta().dictionary = {
        {std::string(meta_key::kVersion), "0.9.1-test"},
        {std::string(meta_key::kAlgorithm), "fdk"},
        {std::string(meta_key::kParameters), R"({"filter": "hann", "path": "C:\\scans\\a"})"},
        {std::string(meta_key::kSource), "scan \"one\"\nline two, µ ✓"},
    };
    return v;
}

DicomWriteOptions withMuWater(double muWater)
{
    DicomWriteOptions options;
    options.muWater = muWater;
    return options;
}

DicomWriteOptions withDescription(std::string description)
{
    DicomWriteOptions options;
    options.seriesDescription = std::move(description);
    return options;
}

double expectedHu(float mu)
{
    return 1000.0 * (static_cast<double>(mu) - kMuWater) / kMuWater;
}

void expectSameGrid(const VolumeGrid& back, const VolumeGrid& written)
{
    ASSERT_EQ(back.size(), written.size());
    for (std::size_t a = 0; a < 3; ++a) {
        EXPECT_NEAR(back.spacing()[a], written.spacing()[a], kPositionToleranceMm) << "axis " << a;
    }
    EXPECT_NEAR(back.origin().x, written.origin().x, kPositionToleranceMm);
    EXPECT_NEAR(back.origin().y, written.origin().y, kPositionToleranceMm);
    EXPECT_NEAR(back.origin().z, written.origin().z, kPositionToleranceMm);
    for (std::size_t e = 0; e < 9; ++e) {
        EXPECT_NEAR(back.direction()[e], written.direction()[e], kDirectionTolerance)
            << "direction entry " << e;
    }
}

void expectRoundTrip(const Volume& written, const fs::path& folder)
{
    const Volume back = readDicomSeries(folder);
    expectSameGrid(back.grid(), written.grid());
    double worst = 0.0;
    for (std::size_t n = 0; n < written.data().size(); ++n) {
        worst = std::max(worst, std::abs(back.data()[n] - expectedHu(written.data()[n])));
    }
    EXPECT_LE(worst, kHuRoundOff);
    EXPECT_EQ(back.meta().modality, Modality::CT);
    EXPECT_EQ(back.meta().unit, ValueUnit::Hu);
    EXPECT_EQ(back.meta().subtype, "reconstruction");
    EXPECT_EQ(back.meta().dictionary, written.meta().dictionary);
}

std::vector<fs::path> filesIn(const fs::path& folder)
{
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(folder)) {
        files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    return files;
}

TEST_F(DicomTest, SeriesRoundTripsGridHuAndMetaWithRotatedDirection)
{
    const Volume v = phantom(rotation(0, 0, 1, 0.52));
    writeDicomSeries(v, m_dir / "series", withMuWater(kMuWater));
    const std::vector<fs::path> files = filesIn(m_dir / "series");
    ASSERT_EQ(files.size(), 12u);
    EXPECT_EQ(files.front().filename(), "IM000001.dcm");
    EXPECT_EQ(files.back().filename(), "IM000012.dcm");
    expectRoundTrip(v, m_dir / "series");
}

TEST_F(DicomTest, SeriesRoundTripsWithObliqueDirection)
{
    const Volume v = phantom(rotation(0.3, -0.8, 0.5, 0.9));
    writeDicomSeries(v, m_dir / "oblique");
    expectRoundTrip(v, m_dir / "oblique");
}

TEST_F(DicomTest, HuVolumeIsWrittenAsIsAndSingleSliceSeriesReads)
{
    const VolumeGrid grid = VolumeGrid::make({6, 5, 1}, {0.5, 0.25, 3.0}, {1.0, 2.0, 3.0});
    Volume v = Volume::zeros(grid);
    for (std::size_t n = 0; n < v.data().size(); ++n) {
        v.data()[n] = -1024.0f + 137.25f * static_cast<float>(n);
    }
    v.meta().unit = ValueUnit::Hu;
    // The option is ignored for a volume already in HU.
    writeDicomSeries(v, m_dir / "hu", withMuWater(1.0));
    const Volume back = readDicomSeries(m_dir / "hu");
    ASSERT_EQ(back.grid().size(), grid.size());
    EXPECT_NEAR(back.grid().origin().z, 3.0, kPositionToleranceMm);
    // One slice has no neighbour: its z spacing is the written Spacing Between Slices.
    EXPECT_NEAR(back.grid().spacing()[2], 3.0, kPositionToleranceMm);
    for (std::size_t n = 0; n < v.data().size(); ++n) {
        EXPECT_LE(std::abs(back.data()[n] - v.data()[n]), kHuRoundOff) << n;
    }
    EXPECT_EQ(back.meta().subtype, "Tomoscope"); // no subtype and no description given
}

TEST_F(DicomTest, MetaTooLongForImageCommentsLeavesOutTheLongestEntries)
{
    // Image Comments (LT) hold at most 10240 characters: the writer drops the longest entries
    // (with a warning) rather than write a non-conforming file or refuse the series.
    Volume v = Volume::zeros(VolumeGrid::make({4, 4, 2}, {1.0, 1.0, 1.0}, {0.0, 0.0, 0.0}));
    v.meta().unit = ValueUnit::Hu;
    v.meta().dictionary = {{"short", "kept"}, {"huge", std::string(12000, 'x')}};
    writeDicomSeries(v, m_dir / "long");
    const Volume back = readDicomSeries(m_dir / "long");
    EXPECT_EQ(back.meta().dictionary, (std::map<std::string, std::string>{{"short", "kept"}}));
}

TEST_F(DicomTest, LeftHandedDirectionReadsBackAsTheSameImageWithKReversed)
{
    // DICOM's slice normal is row x column; with the k axis pointing the other way the reader
    // stacks the slices along the normal, so voxel (i, j, k) comes back as (i, j, nz-1-k) at
    // the same world position.
    const Volume v = phantom({1, 0, 0, 0, 1, 0, 0, 0, -1});
    writeDicomSeries(v, m_dir / "flipped");
    const Volume back = readDicomSeries(m_dir / "flipped");
    const auto [nx, ny, nz] = v.grid().size();
    ASSERT_EQ(back.grid().size(), v.grid().size());
    EXPECT_NEAR(back.grid().direction()[8], 1.0, kDirectionTolerance);
    for (std::size_t k = 0; k < nz; k += 5) {
        for (std::size_t j = 0; j < ny; j += 3) {
            for (std::size_t i = 0; i < nx; i += 4) {
                const Vec3 p = v.grid().voxelCentre(static_cast<double>(i), static_cast<double>(j),
                                                    static_cast<double>(k));
                const Vec3 q =
                    back.grid().voxelCentre(static_cast<double>(i), static_cast<double>(j),
                                            static_cast<double>(nz - 1 - k));
                EXPECT_LT(norm(p - q), kPositionToleranceMm);
                EXPECT_LE(std::abs(back.at(i, j, nz - 1 - k) - expectedHu(v.at(i, j, k))),
                          kHuRoundOff);
            }
        }
    }
}

TEST_F(DicomTest, FolderWithTwoSeriesIsListedAndReadByUid)
{
    Volume a = phantom(rotation(0, 0, 1, 0.52));
    Volume b = phantom({1, 0, 0, 0, 1, 0, 0, 0, 1});
    b.meta().dictionary["which"] = "b";
    writeDicomSeries(a, m_dir / "a", withDescription("series A"));
    writeDicomSeries(b, m_dir / "b", withDescription("series B"));
    const fs::path mixed = m_dir / "mixed";
    fs::create_directory(mixed);
    for (const char* name : {"a", "b"}) {
        for (const fs::path& file : filesIn(m_dir / name)) {
            fs::copy_file(file, mixed / (std::string(name) + file.filename().string()));
        }
    }

    const std::vector<DicomSeriesInfo> series = listDicomSeries(mixed);
    ASSERT_EQ(series.size(), 2u);
    const DicomSeriesInfo& infoA = series[0].description == "series A" ? series[0] : series[1];
    const DicomSeriesInfo& infoB = series[0].description == "series A" ? series[1] : series[0];
    EXPECT_EQ(infoA.description, "series A");
    EXPECT_EQ(infoB.description, "series B");
    EXPECT_EQ(infoA.modality, "CT");
    EXPECT_EQ(infoA.files, 12u);
    EXPECT_EQ(infoB.files, 12u);
    EXPECT_NE(infoA.seriesUid, infoB.seriesUid);
    EXPECT_EQ(listDicomSeries(m_dir / "a"), std::vector<DicomSeriesInfo>{infoA});

    try {
        (void)readDicomSeries(mixed);
        FAIL() << "a folder with two series needs a UID";
    } catch (const IoError& e) {
        const std::string what = e.what();
        EXPECT_NE(what.find(infoA.seriesUid), std::string::npos) << what;
        EXPECT_NE(what.find(infoB.seriesUid), std::string::npos) << what;
        EXPECT_NE(what.find("series A"), std::string::npos) << what;
        EXPECT_NE(what.find("12 files"), std::string::npos) << what;
        EXPECT_NE(what.find(mixed.string()), std::string::npos) << what;
    }

    const Volume backB = readDicomSeries(mixed, infoB.seriesUid);
    EXPECT_EQ(backB.meta().dictionary.at("which"), "b");
    expectSameGrid(backB.grid(), b.grid());
    EXPECT_EQ(backB.meta().subtype, "series B");
    const Volume backA = readDicomSeries(mixed, infoA.seriesUid);
    expectSameGrid(backA.grid(), a.grid());
    EXPECT_EQ(backA.meta().dictionary.count("which"), 0u);

    EXPECT_THROW((void)readDicomSeries(mixed, "1.2.3.4"), IoError);
}

TEST_F(DicomTest, MissingSliceIsReportedWithThePositionOfTheGap)
{
    const Volume v = phantom({1, 0, 0, 0, 1, 0, 0, 0, 1});
    writeDicomSeries(v, m_dir / "gap");
    fs::remove(m_dir / "gap" / "IM000006.dcm");
    try {
        (void)readDicomSeries(m_dir / "gap");
        FAIL() << "a missing slice must be reported";
    } catch (const IoError& e) {
        const std::string what = e.what();
        EXPECT_NE(what.find((m_dir / "gap").string()), std::string::npos) << what;
        EXPECT_NE(what.find("IM000005.dcm and IM000007.dcm"), std::string::npos) << what;
        EXPECT_NE(what.find("gap is 3.2 mm"), std::string::npos) << what;
        EXPECT_NE(what.find("spacing is 1.6 mm"), std::string::npos) << what;
    }
}

TEST_F(DicomTest, MissingFolderAndFolderWithoutDicomAreIoErrorsNamingThem)
{
    const fs::path missing = m_dir / "no-such-folder";
    for (const auto& call : {+[](const fs::path& p) { (void)readDicomSeries(p); },
                             +[](const fs::path& p) {
                                 (void)listDicomSeries(p);
                             }}) {
        try {
            call(missing);
            FAIL() << "a missing folder must be reported";
        } catch (const IoError& e) {
            EXPECT_NE(std::string(e.what()).find(missing.string()), std::string::npos) << e.what();
        }
    }
    std::ofstream(m_dir / "notes.txt") << "not DICOM";
    EXPECT_TRUE(listDicomSeries(m_dir).empty());
    EXPECT_THROW((void)readDicomSeries(m_dir), IoError);
    EXPECT_THROW((void)readDicomSeries(m_dir / "notes.txt"), IoError);
}

TEST_F(DicomTest, NonEmptyFolderIsNotOverwritten)
{
    const fs::path target = m_dir / "busy";
    fs::create_directory(target);
    std::ofstream(target / "keep.txt") << "precious";
    try {
        writeDicomSeries(phantom({1, 0, 0, 0, 1, 0, 0, 0, 1}), target);
        FAIL() << "a non-empty folder must be refused";
    } catch (const IoError& e) {
        EXPECT_NE(std::string(e.what()).find(target.string()), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("not empty"), std::string::npos) << e.what();
    }
    EXPECT_EQ(filesIn(target), std::vector<fs::path>{target / "keep.txt"});
    EXPECT_EQ(filesIn(m_dir), std::vector<fs::path>{target}); // no temporary folder left

    // An empty folder is fine, and a trailing separator names the same folder.
    const fs::path empty = m_dir / "empty";
    fs::create_directory(empty);
    writeDicomSeries(phantom({1, 0, 0, 0, 1, 0, 0, 0, 1}), empty.string() + "/");
    EXPECT_EQ(filesIn(empty).size(), 12u);
}

TEST_F(DicomTest, UnwritableTargetIsAnIoErrorAndLeavesNothingBehind)
{
    const fs::path file = m_dir / "plain-file";
    std::ofstream(file) << "x";
    const fs::path target = file / "series";
    try {
        writeDicomSeries(phantom({1, 0, 0, 0, 1, 0, 0, 0, 1}), target);
        FAIL() << "a folder under a regular file cannot be written";
    } catch (const IoError& e) {
        EXPECT_NE(std::string(e.what()).find(target.string()), std::string::npos) << e.what();
    }
    EXPECT_THROW(writeDicomSeries(phantom({1, 0, 0, 0, 1, 0, 0, 0, 1}), m_dir / "a" / "b"),
                 IoError);
    EXPECT_EQ(filesIn(m_dir), std::vector<fs::path>{file});
}

TEST_F(DicomTest, VolumesDicomCannotHoldAreInvalidArguments)
{
    Volume v = phantom({1, 0, 0, 0, 1, 0, 0, 0, 1});
    v.meta().unit = ValueUnit::LineIntegral;
    try {
        writeDicomSeries(v, m_dir / "projections");
        FAIL() << "line integrals are not CT values";
    } catch (const InvalidArgument& e) {
        EXPECT_NE(std::string(e.what()).find("line_integral"), std::string::npos) << e.what();
    }
    v.meta().unit = ValueUnit::Unknown;
    EXPECT_THROW(writeDicomSeries(v, m_dir / "unknown"), InvalidArgument);

    v.meta().unit = ValueUnit::MuPerMm;
    EXPECT_THROW(writeDicomSeries(v, m_dir / "mu", withMuWater(0.0)), InvalidArgument);
    EXPECT_THROW(writeDicomSeries(v, m_dir / "mu", withMuWater(std::nan(""))), InvalidArgument);

    v.at(2, 3, 4) = 1.0f; // ~50600 HU: beyond int16
    try {
        writeDicomSeries(v, m_dir / "metal");
        FAIL() << "HU beyond int16 must be refused";
    } catch (const InvalidArgument& e) {
        EXPECT_NE(std::string(e.what()).find("(2, 3, 4)"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("32767"), std::string::npos) << e.what();
    }
    EXPECT_TRUE(filesIn(m_dir).empty());
}

// ---------------------------------------------------------------------------------------------
// Other readers: dcmtk (dcmdump, dcm2pnm) and gdcm (gdcminfo), Debian packages dcmtk and
// libgdcm-tools.

bool onPath(const std::string& tool)
{
    const char* path = std::getenv("PATH");
    std::stringstream dirs(path != nullptr ? path : "");
    std::string dir;
    while (std::getline(dirs, dir, ':')) {
        std::error_code ec;
        if (!dir.empty() && fs::is_regular_file(fs::path(dir) / tool, ec)) {
            return true;
        }
    }
    return false;
}

struct ToolRun
{
    int status = -1;
    std::string output;
};

ToolRun runTool(const std::string& command)
{
    ToolRun r;
    FILE* pipe = popen((command + " 2>&1").c_str(), "r");
    if (pipe == nullptr) {
        return r;
    }
    char buffer[4096];
    std::size_t n = 0;
    while ((n = std::fread(buffer, 1, sizeof(buffer), pipe)) > 0) {
        r.output.append(buffer, n);
    }
    const int status = pclose(pipe);
    r.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return r;
}

/// The value of `tag` ("(0020,000e)") in dcmdump output, between the brackets.
std::string dumpedValue(const std::string& dump, const std::string& tag)
{
    const std::size_t at = dump.find(tag);
    if (at == std::string::npos) {
        return {};
    }
    const std::size_t open = dump.find('[', at);
    const std::size_t close = dump.find(']', open);
    const std::size_t eol = dump.find('\n', at);
    if (open == std::string::npos || close == std::string::npos || open > eol) {
        return {};
    }
    return dump.substr(open + 1, close - open - 1);
}

std::string quotedPath(const fs::path& p)
{
    return "'" + p.string() + "'";
}

TEST_F(DicomTest, OtherReadersAcceptTheSeries)
{
    if (!onPath("dcmdump") || !onPath("gdcminfo")) {
        GTEST_SKIP() << "dcmdump (dcmtk) or gdcminfo (libgdcm-tools) is not on PATH; install the "
                        "Debian packages dcmtk and libgdcm-tools to run this check";
    }
    const Volume v = phantom(rotation(0, 0, 1, 0.52));
    writeDicomSeries(v, m_dir / "series", withDescription("checked"));
    const std::vector<fs::path> files = filesIn(m_dir / "series");
    ASSERT_EQ(files.size(), 12u);

    std::set<std::string> sopInstances;
    std::set<std::string> series;
    std::set<std::string> studies;
    std::set<std::string> frames;
    for (std::size_t k = 0; k < files.size(); ++k) {
        const ToolRun dump = runTool("dcmdump " + quotedPath(files[k]));
        ASSERT_EQ(dump.status, 0) << dump.output;
        EXPECT_NE(dump.output.find("(0008,0060) CS [CT]"), std::string::npos) << dump.output;
        EXPECT_NE(dump.output.find("(0008,0016) UI =CTImageStorage"), std::string::npos);
        EXPECT_EQ(dumpedValue(dump.output, "(0028,1053)"), "1");
        EXPECT_EQ(dumpedValue(dump.output, "(0028,1052)"), "0");
        EXPECT_EQ(dumpedValue(dump.output, "(0028,1054)"), "HU");
        EXPECT_EQ(dumpedValue(dump.output, "(0020,0013)"), std::to_string(k + 1));
        // Pixel Spacing is row spacing (y) \ column spacing (x).
        double rowSpacing = 0.0;
        double columnSpacing = 0.0;
        const std::string pixelSpacing = dumpedValue(dump.output, "(0028,0030)");
        ASSERT_EQ(std::sscanf(pixelSpacing.c_str(), "%lf\\%lf", &rowSpacing, &columnSpacing), 2)
            << pixelSpacing;
        EXPECT_DOUBLE_EQ(rowSpacing, 0.9);
        EXPECT_DOUBLE_EQ(columnSpacing, 0.7);
        EXPECT_EQ(dumpedValue(dump.output, "(0018,0050)"), "1.6");
        EXPECT_EQ(dumpedValue(dump.output, "(0018,1020)"), "Tomoscope 0.9.1-test");

        const std::string ipp = dumpedValue(dump.output, "(0020,0032)");
        double x = 0.0;
        double y = 0.0;
        double z = 0.0;
        ASSERT_EQ(std::sscanf(ipp.c_str(), "%lf\\%lf\\%lf", &x, &y, &z), 3) << ipp;
        const Vec3 expected = v.grid().voxelCentre(0.0, 0.0, static_cast<double>(k));
        EXPECT_LT(norm(Vec3{x, y, z} - expected), kPositionToleranceMm) << ipp;

        sopInstances.insert(dumpedValue(dump.output, "(0008,0018)"));
        series.insert(dumpedValue(dump.output, "(0020,000e)"));
        studies.insert(dumpedValue(dump.output, "(0020,000d)"));
        frames.insert(dumpedValue(dump.output, "(0020,0052)"));

        const ToolRun info = runTool("gdcminfo " + quotedPath(files[k]));
        EXPECT_EQ(info.status, 0) << info.output;
    }
    EXPECT_EQ(sopInstances.size(), files.size()) << "SOP Instance UIDs must be unique";
    EXPECT_EQ(series.size(), 1u);
    EXPECT_EQ(studies.size(), 1u);
    EXPECT_EQ(frames.size(), 1u);
    EXPECT_FALSE(series.begin()->empty());

    if (onPath("dcm2pnm")) {
        const fs::path pgm = m_dir / "slice.pgm";
        const ToolRun decode =
            runTool("dcm2pnm --write-raw-pnm " + quotedPath(files[3]) + " " + quotedPath(pgm));
        EXPECT_EQ(decode.status, 0) << decode.output;
        EXPECT_GT(fs::file_size(pgm), 24u * 20u);
    }
}
} // namespace
} // namespace tomo
