#include "common/test_support.h"
#include "tomo/attenuation.h"
#include "tomo/drr.h"
#include "tomo/error.h"
#include "tomo/geometry_io.h"
#include "tomo/io.h"
#include "tomo/spatial.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <numbers>
#include <string>

namespace tomo
{
namespace
{
// The central ray of an odd-sized grid runs through voxel centres along an index axis, so
// Joseph's sum along it is the box's chord times μ exactly; only float rounding of ~40 samples
// and μ_water's cast to float separate them (measured ≤ 1.1e-7 relative).
constexpr double kChordRelative = 1e-6;
// Half-maximum crossings of a box's shadow: the half-chord ray meets the box's middle plane at
// its face, so the half-maximum width is the face-to-face size times SDD/SID. Joseph's linear
// interpolation smooths each face symmetrically over a voxel, and the crossing is read by linear
// interpolation between 1 mm pixels: measured within 0.0015 mm. 0.05 mm catches a half-pixel
// or half-voxel error (0.5 mm, 1.5 mm) and a wrong magnification (0.6 mm per 1%).
constexpr double kWidthToleranceMm = 0.05;
// A marker's shadow centroid: Joseph's bilinear weights are a partition of unity, so the
// centroid lands on the projected centre up to the perspective skew of a 6 mm cube at 1 m
// (measured ≤ 0.008 pixel); 0.05 pixel catches any half-pixel or mirrored-axis error.
constexpr double kCentroidTolerancePx = 0.05;
// The same voxels re-indexed (reorient) and projected through turned poses visit the same
// sample planes in another order: float summation only (measured ≤ 1e-6 relative RMS).
constexpr double kReorientRelative = 1e-5;

constexpr std::size_t kN = 41; // odd: the grid centre is a voxel centre
constexpr double kVoxel = 2.0;
constexpr std::size_t kCentre = kN / 2;

VolumeGrid testGrid()
{
    return VolumeGrid::centred({kN, kN, kN}, {kVoxel, kVoxel, kVoxel});
}

Volume filledHu(float hu)
{
    Volume v = Volume::zeros(testGrid());
    std::ranges::fill(v.data(), hu);
    v.meta().unit = ValueUnit::Hu;
    return v;
}

/// Sets voxels [c − h, c + h] per axis around the centre to `hu`.
void setBox(Volume& v, std::array<std::size_t, 3> half, std::array<std::size_t, 3> centre, float hu)
{
    for (std::size_t k = centre[2] - half[2]; k <= centre[2] + half[2]; ++k) {
        for (std::size_t j = centre[1] - half[1]; j <= centre[1] + half[1]; ++j) {
            for (std::size_t i = centre[0] - half[0]; i <= centre[0] + half[0]; ++i) {
                v.at(i, j, k) = hu;
            }
        }
    }
}

// A 62 x 30 x 42 mm box (31 x 15 x 21 voxels of 2 mm) of HU 1000 (μ = 2 μ_water) in air, with
// slabs of scanner padding (−3024 HU) at the front and back that a DRR must count as air.
constexpr std::array<std::size_t, 3> kBoxHalf{15, 7, 10};
constexpr double kBoxMm[3] = {62.0, 30.0, 42.0};

Volume boxVolume()
{
    Volume v = filledHu(-1000.0f);
    setBox(v, kBoxHalf, {kCentre, kCentre, kCentre}, 1000.0f);
    for (std::size_t k = 0; k < kN; ++k) {
        for (std::size_t i = 0; i < kN; ++i) {
            v.at(i, 0, k) = -3024.0f;
            v.at(i, kN - 1, k) = -3024.0f;
        }
    }
    return v;
}

DrrOptions options(double angle, std::size_t size = 201)
{
    DrrOptions o;
    o.angle = angle;
    o.columns = size;
    o.rows = size;
    return o;
}

Volume drrOf(const Volume& volume, const DrrOptions& o)
{
    auto compute = ComputeContext::create("cpu");
    NullRunContext ctx;
    return computeDrr(volume, o, *compute, ctx);
}

/// The width (mm) between the half-maximum crossings of `profile` around its centre.
double halfMaximumWidth(const std::vector<double>& profile, double pixelMm)
{
    const std::size_t c = profile.size() / 2;
    const double half = 0.5 * profile[c];
    std::size_t right = c;
    while (right + 1 < profile.size() && profile[right + 1] >= half) {
        ++right;
    }
    std::size_t left = c;
    while (left > 0 && profile[left - 1] >= half) {
        --left;
    }
    const double r = static_cast<double>(right) +
                     (profile[right] - half) / (profile[right] - profile[right + 1]);
    const double l =
        static_cast<double>(left) - (profile[left] - half) / (profile[left] - profile[left - 1]);
    return (r - l) * pixelMm;
}

std::vector<double> row(const Volume& image, std::size_t j)
{
    std::vector<double> out;
    for (std::size_t i = 0; i < image.grid().size()[0]; ++i) {
        out.push_back(image.at(i, j, 0));
    }
    return out;
}

std::vector<double> column(const Volume& image, std::size_t i)
{
    std::vector<double> out;
    for (std::size_t j = 0; j < image.grid().size()[1]; ++j) {
        out.push_back(image.at(i, j, 0));
    }
    return out;
}

std::pair<double, double> centroid(const Volume& image)
{
    double mass = 0.0;
    double ci = 0.0;
    double cj = 0.0;
    const auto& n = image.grid().size();
    for (std::size_t j = 0; j < n[1]; ++j) {
        for (std::size_t i = 0; i < n[0]; ++i) {
            const double value = image.at(i, j, 0);
            mass += value;
            ci += value * static_cast<double>(i);
            cj += value * static_cast<double>(j);
        }
    }
    return {ci / mass, cj / mass};
}

template <class F> std::string invalidMessage(F&& f)
{
    try {
        f();
    } catch (const InvalidArgument& e) {
        return e.what();
    }
    return "(no InvalidArgument thrown)";
}

TEST(DrrTest, CentralPixelOfABoxInHuIsItsChordTimesMu)
{
    const Volume v = boxVolume();
    for (double energy : {70.0, 60.0}) {
        const double mu = 2.0 * waterMuPerMm(energy);
        for (auto [angle, chord] :
             {std::pair{kDrrApAngle, kBoxMm[1]}, std::pair{kDrrLateralAngle, kBoxMm[0]}}) {
            DrrOptions o = options(angle);
            o.energyKeV = energy;
            const Volume image = drrOf(v, o);
            ASSERT_EQ(image.grid().size(), (std::array<std::size_t, 3>{201, 201, 1}));
            const double expected = mu * chord;
            EXPECT_NEAR(image.at(100, 100, 0), expected, kChordRelative * expected)
                << "angle " << angle << ", " << energy << " keV";
            o.transmission = true;
            const Volume transmission = drrOf(v, o);
            EXPECT_NEAR(transmission.at(100, 100, 0), std::exp(-expected),
                        kChordRelative * expected * std::exp(-expected));
            // Air all around: the corner rays cross only padding and air.
            EXPECT_EQ(image.at(0, 0, 0), 0.0f);
            EXPECT_EQ(transmission.at(0, 0, 0), 1.0f);
        }
    }
}

TEST(DrrTest, AVolumeInMuIsProjectedAsItIsAndHuAsMuOfWater)
{
    Volume hu = boxVolume();
    Volume mu = hu;
    const double muWater = waterMuPerMm(70.0);
    for (float& value : mu.data()) {
        value = static_cast<float>(std::max(0.0, muWater * (1.0 + value / 1000.0)));
    }
    mu.meta().unit = ValueUnit::MuPerMm;
    const Volume a = drrOf(hu, options(kDrrApAngle, 61));
    const Volume b = drrOf(mu, options(kDrrApAngle, 61));
    EXPECT_LT(test::relativeRms(a.data(), b.data()), kChordRelative);
    EXPECT_EQ(a.meta().unit, ValueUnit::LineIntegral);
    EXPECT_EQ(a.meta().subtype, "drr");
    EXPECT_EQ(geometryFromJson(a.meta().dictionary.at("tomoscope_geometry")),
              drrGeometry(hu.grid(), options(kDrrApAngle, 61)));
}

TEST(DrrTest, ApAndLateralShowTheBoxWidthsMagnified)
{
    const Volume v = boxVolume();
    const DrrOptions ap = options(kDrrApAngle);
    const double magnification = ap.sourceDetectorMm / ap.sourceIsocentreMm;
    const Volume front = drrOf(v, ap);
    const Volume side = drrOf(v, options(kDrrLateralAngle));
    // AP sees x across and z up; the lateral sees y across and z up.
    EXPECT_NEAR(halfMaximumWidth(row(front, 100), ap.pixelMm), kBoxMm[0] * magnification,
                kWidthToleranceMm);
    EXPECT_NEAR(halfMaximumWidth(row(side, 100), ap.pixelMm), kBoxMm[1] * magnification,
                kWidthToleranceMm);
    EXPECT_NEAR(halfMaximumWidth(column(front, 100), ap.pixelMm), kBoxMm[2] * magnification,
                kWidthToleranceMm);
    EXPECT_NEAR(halfMaximumWidth(column(side, 100), ap.pixelMm), kBoxMm[2] * magnification,
                kWidthToleranceMm);
}

TEST(DrrTest, TheViewsPutTheSourceWhereTheConventionSays)
{
    // An off-centre volume: the isocentre is the centre of its box.
    const VolumeGrid grid = VolumeGrid::make({10, 12, 8}, {1.0, 1.0, 1.0}, {5.0, -20.0, 30.0});
    const Vec3 c = gridCentre(grid);
    const ViewPose ap = drrGeometry(grid, DrrOptions{}).poses()[0];
    EXPECT_NEAR(norm(ap.source - (c + Vec3{0.0, -1000.0, 0.0})), 0.0, 1e-9); // anterior
    EXPECT_NEAR(norm(ap.detector - (c + Vec3{0.0, 500.0, 0.0})), 0.0, 1e-9);
    EXPECT_NEAR(norm(ap.u - Vec3{1.0, 0.0, 0.0}), 0.0, 1e-12); // patient's left
    EXPECT_NEAR(norm(ap.v - Vec3{0.0, 0.0, 1.0}), 0.0, 1e-12); // superior
    DrrOptions lateral;
    lateral.angle = kDrrLateralAngle;
    const ViewPose side = drrGeometry(grid, lateral).poses()[0];
    EXPECT_NEAR(norm(side.source - (c + Vec3{-1000.0, 0.0, 0.0})), 0.0, 1e-9); // patient's right
    EXPECT_NEAR(norm(side.u - Vec3{0.0, -1.0, 0.0}), 0.0, 1e-12);              // anterior
}

TEST(DrrTest, AMarkerAtThePatientsLeftIsOnTheImagesRightInAp)
{
    const DrrOptions ap = options(kDrrApAngle);
    const double m = ap.sourceDetectorMm / ap.sourceIsocentreMm;
    // A 6 mm cube at the patient's left and above the middle: x = +24, z = +16 mm.
    Volume left = filledHu(-1000.0f);
    setBox(left, {1, 1, 1}, {kCentre + 12, kCentre, kCentre + 8}, 3000.0f);
    const auto [li, lj] = centroid(drrOf(left, ap));
    EXPECT_NEAR(li, 100.0 + 24.0 * m, kCentroidTolerancePx) << "column (image x)";
    EXPECT_NEAR(lj, 100.0 + 16.0 * m, kCentroidTolerancePx) << "row (image y, up)";
    // Seen from the patient's right it sits straight ahead, farther from the source.
    const auto [si, sj] = centroid(drrOf(left, options(kDrrLateralAngle)));
    EXPECT_NEAR(si, 100.0, kCentroidTolerancePx);
    EXPECT_NEAR(sj, 100.0 + 16.0 * ap.sourceDetectorMm / (ap.sourceIsocentreMm + 24.0),
                kCentroidTolerancePx);
    // An anterior marker (y = −20 mm) below the middle (z = −10 mm) is on the right of the left
    // lateral and nearer the source in AP.
    Volume front = filledHu(-1000.0f);
    setBox(front, {1, 1, 1}, {kCentre, kCentre - 10, kCentre - 5}, 3000.0f);
    const auto [fi, fj] = centroid(drrOf(front, options(kDrrLateralAngle)));
    EXPECT_NEAR(fi, 100.0 + 20.0 * m, kCentroidTolerancePx);
    EXPECT_NEAR(fj, 100.0 - 10.0 * m, kCentroidTolerancePx);
    const auto [ai, aj] = centroid(drrOf(front, ap));
    EXPECT_NEAR(ai, 100.0, kCentroidTolerancePx);
    EXPECT_NEAR(aj, 100.0 - 10.0 * ap.sourceDetectorMm / (ap.sourceIsocentreMm - 20.0),
                kCentroidTolerancePx);
}

TEST(DrrTest, AReorientedOrObliqueVolumeGivesTheSameImage)
{
    Volume v = boxVolume();
    setBox(v, {1, 1, 1}, {kCentre + 17, kCentre - 12, kCentre + 15}, 3000.0f);
    for (DrrOptions o :
         {options(kDrrApAngle, 81), options(kDrrLateralAngle, 81), options(0.4, 81)}) {
        o.pixelMm = 1.5;
        const Volume reference = drrOf(v, o);
        for (const char* code : {"RAS", "SLP", "AIR"}) {
            const Volume turned = reorient(v, code);
            ASSERT_NE(turned.grid().direction(), v.grid().direction()) << code;
            EXPECT_LT(test::relativeRms(drrOf(turned, o).data(), reference.data()),
                      kReorientRelative)
                << code << " at angle " << o.angle;
        }
        // An oblique grid: the volume turned by 0.3 rad about z through its centre, seen from
        // 0.3 rad further round, is the same picture.
        const Volume oblique =
            withGrid(v, rotateGrid(v.grid(), {0.0, 0.0, 1.0}, 0.3, gridCentre(v.grid())));
        DrrOptions along = o;
        along.angle += 0.3;
        EXPECT_LT(test::relativeRms(drrOf(oblique, along).data(), reference.data()),
                  kReorientRelative)
            << "turned grid at angle " << along.angle;
    }
}

TEST(DrrTest, TheDefaultDetectorHoldsTheWholeShadow)
{
    const Volume v = filledHu(0.0f); // water everywhere: the shadow is the volume's box
    for (double angle : {kDrrApAngle, kDrrLateralAngle, 0.7}) {
        DrrOptions o;
        o.angle = angle;
        const Volume image = drrOf(v, o);
        const auto& n = image.grid().size();
        double border = 0.0;
        for (std::size_t i = 0; i < n[0]; ++i) {
            border = std::max({border, static_cast<double>(image.at(i, 0, 0)),
                               static_cast<double>(image.at(i, n[1] - 1, 0))});
        }
        for (std::size_t j = 0; j < n[1]; ++j) {
            border = std::max({border, static_cast<double>(image.at(0, j, 0)),
                               static_cast<double>(image.at(n[0] - 1, j, 0))});
        }
        EXPECT_EQ(border, 0.0) << "angle " << angle;
        EXPECT_GT(image.at(n[0] / 2, n[1] / 2, 0), 0.0f);
        // The box is 82 mm wide (116 mm across the diagonal at 0.7 rad), 123 to 174 mm on the
        // detector: it fits in fewer than 190 pixels.
        EXPECT_LT(n[0], 190u);
        EXPECT_EQ(image.grid().spacing()[0], o.pixelMm);
    }
}

TEST(DrrTest, BadOptionsAndVolumesAreRefusedByName)
{
    const Volume v = boxVolume();
    const auto message = [&](DrrOptions o) {
        return invalidMessage([&] { (void)drrOf(v, o); });
    };
    DrrOptions o;
    o.sourceDetectorMm = 900.0;
    EXPECT_NE(message(o).find("sdd_mm = 900"), std::string::npos) << message(o);
    o = {};
    o.pixelMm = 0.0;
    EXPECT_NE(message(o).find("pixel_mm = 0"), std::string::npos) << message(o);
    o = {};
    o.energyKeV = 0.07;
    EXPECT_NE(message(o).find("energy_kev = 0.07"), std::string::npos) << message(o);
    o = {};
    o.sourceIsocentreMm = 30.0; // inside the 82 mm box
    o.sourceDetectorMm = 300.0;
    EXPECT_NE(message(o).find("sid_mm = 30"), std::string::npos) << message(o);
    EXPECT_NE(message(o).find("41 mm"), std::string::npos) << message(o);
    o = {};
    o.columns = kMaxDrrPixels + 1;
    EXPECT_NE(message(o).find("columns = 16385"), std::string::npos) << message(o);
    o = {};
    o.pixelMm = 0.001; // a shadow of 150 000 pixels
    EXPECT_NE(message(o).find("pixel_mm = 0.001"), std::string::npos) << message(o);
    EXPECT_NE(message(o).find("more than 16384"), std::string::npos) << message(o);

    for (ValueUnit unit : {ValueUnit::LineIntegral, ValueUnit::Unknown}) {
        Volume w = v;
        w.meta().unit = unit;
        const std::string text = invalidMessage([&] { (void)drrOf(w, DrrOptions{}); });
        EXPECT_NE(text.find("volume unit = \"" + std::string(toString(unit)) + "\""),
                  std::string::npos)
            << text;
        EXPECT_NE(text.find("HU or mu_per_mm"), std::string::npos) << text;
    }
    Volume flat = Volume::zeros(VolumeGrid::centred({16, 16, 1}, {1.0, 1.0, 1.0}));
    flat.meta().unit = ValueUnit::MuPerMm;
    const std::string text = invalidMessage([&] { (void)drrOf(flat, DrrOptions{}); });
    EXPECT_NE(text.find("volume size = 16 x 16 x 1"), std::string::npos) << text;
}

Volume image(std::size_t nx, std::size_t ny, unsigned seed)
{
    Volume v = Volume::zeros(VolumeGrid::centred({nx, ny, 1}, {1.0, 1.0, 1.0}));
    test::fillRandom(v.data(), seed);
    return v;
}

TEST(DrrTest, CompareImagesGivesOneForTheSameImageAndMinusOneForItsNegative)
{
    const Volume a = image(32, 24, 5);
    ImageComparison c = compareImages(a, a);
    EXPECT_NEAR(c.ncc, 1.0, 1e-12);
    EXPECT_NEAR(c.l1, 0.0, 1e-12);

    // Brightness and contrast do not count.
    Volume scaled = a;
    for (float& value : scaled.data()) {
        value = 40.0f * value + 7.0f;
    }
    c = compareImages(a, scaled);
    EXPECT_NEAR(c.ncc, 1.0, 1e-6);
    EXPECT_NEAR(c.l1, 0.0, 1e-5);

    Volume negated = a;
    for (float& value : negated.data()) {
        value = -value;
    }
    c = compareImages(a, negated);
    EXPECT_NEAR(c.ncc, -1.0, 1e-12);
    // Uniform values in [0, 1): mean |z| = (1/4)/(1/√12) = √3/2, doubled.
    EXPECT_NEAR(c.l1, std::sqrt(3.0), 0.05);

    // Independent noise: NCC near 0 (±3/√N).
    c = compareImages(a, image(32, 24, 6));
    EXPECT_LT(std::abs(c.ncc), 3.0 / std::sqrt(32.0 * 24.0));
}

TEST(DrrTest, CompareImagesRefusesDifferentSizesAndFlatImages)
{
    const std::string text =
        invalidMessage([] { (void)compareImages(image(32, 24, 1), image(24, 32, 2)); });
    EXPECT_NE(text.find("DRR 32 x 24 x 1"), std::string::npos) << text;
    EXPECT_NE(text.find("X-ray 24 x 32 x 1"), std::string::npos) << text;
    Volume flat = Volume::zeros(VolumeGrid::centred({32, 24, 1}, {1.0, 1.0, 1.0}));
    const std::string constant =
        invalidMessage([&] { (void)compareImages(image(32, 24, 1), flat); });
    EXPECT_NE(constant.find("X-ray = constant"), std::string::npos) << constant;
}

TEST(DrrTest, APngWrittenUpRightReadsBackTheRightWayUp)
{
    // Bone in the upper half only: upside down it would hardly correlate.
    Volume v = filledHu(-1000.0f);
    setBox(v, {15, 7, 8}, {kCentre, kCentre, kCentre + 10}, 1000.0f);
    const Volume drr = drrOf(v, options(kDrrApAngle, 121));
    const auto dir = std::filesystem::temp_directory_path() /
                     ("tomo_drr_" +
                      std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    std::filesystem::create_directories(dir);
    const auto hi = *std::ranges::max_element(drr.data());
    writePng(drr, 0, 0.0, hi, dir / "drr.png", true);
    const Volume picture = readXrayImage(dir / "drr.png");
    const Volume asStored = readVolume(dir / "drr.png");
    std::filesystem::remove_all(dir);
    // 8 bits of grey: quantisation noise of 1/(√12·255) of the range.
    EXPECT_GT(compareImages(drr, picture).ncc, 0.999);
    // The same picture taken as stored (top row first) is upside down.
    EXPECT_LT(compareImages(drr, asStored).ncc, 0.5);
}
} // namespace
} // namespace tomo

namespace tomo
{
namespace
{
TEST(DrrTest, ASixteenBitGreyPngIsReadWithItsTopRowUp)
{
    // tests/data/xray/grey16.png: 6 x 4 pixels of 16-bit grey, written with Python's zlib
    // (no imaging library); the pixel in column i of the picture's row r (r = 0 at the top)
    // holds 1000·r + 10·i + 7.
    const Volume x = readXrayImage(std::filesystem::path(test::resourcesDir()) / ".." /
                                   "tests/data/xray/grey16.png");
    ASSERT_EQ(x.grid().size(), (std::array<std::size_t, 3>{6, 4, 1}));
    for (std::size_t j = 0; j < 4; ++j) {
        for (std::size_t i = 0; i < 6; ++i) {
            EXPECT_EQ(x.at(i, j, 0), static_cast<float>(1000 * (3 - j) + 10 * i + 7))
                << "column " << i << ", row " << j << " from the bottom";
        }
    }
}
} // namespace
} // namespace tomo
