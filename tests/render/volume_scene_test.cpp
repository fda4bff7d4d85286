#include "golden.h"
#include "tomo/error.h"
#include "tomo/phantom.h"
#include "tomo/recon.h"
#include "tomo/render/image_compare.h"
#include "tomo/render/volume_scene.h"
#include "tomo/volume.h"
#include "view_test_utils.h"

#include <gtest/gtest.h>
#include <vtkAbstractVolumeMapper.h>
#include <vtkDataSet.h>
#include <vtkImageData.h>
#include <vtkRenderWindow.h>
#include <vtkRenderer.h>
#include <vtkSmartPointer.h>
#include <vtkVolume.h>
#include <vtkVolumeCollection.h>
#include <vtkVolumeProperty.h>

#include <array>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace tomo::render
{
namespace
{
using testing::dumpImage;
using testing::haveDisplay;
// Golden images and pictures measured in pixels.
constexpr int kSize = 320;
// Pictures only compared with each other: enough pixels for the 11×11 SSIM window to see the
// rods' structure, at under half the ray-casting time of kSize.
constexpr int kCheckSize = 200;
// Voxels per edge of the rods volumes: 64³ renders in well under a second on llvmpipe and
// still resolves a 20 mm rod in 8 voxels.
constexpr std::size_t kEdge = 64;
// Voxels per edge of the Shepp–Logan volume. Its skull is 3 % of the radius thick: one voxel at
// 64³, which voxelises into strong ring patterns; 96³ (2.2 mm, ~1.3 voxels) keeps them finer
// and still voxelises in ~0.3 s.
constexpr std::size_t kSheppLoganEdge = 96;
// Two renderings of the same data (the same snapshot again, or the same world content on a
// rotated grid or in other units) differ only by rounding in the ray caster: far below the
// golden threshold.
constexpr double kSameImageError = 0.01;
// A changed volume, preset or placement changes the picture's structure: above the golden
// threshold (kDefaultImageErrorThreshold), which is what a reviewer would call "different".
constexpr double kDifferentImageError = kDefaultImageErrorThreshold;
// Channel difference counted as "not background": the ray caster's dithering-free blending
// leaves the background exact, but a faint veil of low opacity may not be.
constexpr int kBackgroundTolerance = 6;
// The phantoms fill a good part of the frame; an empty or failed render covers nothing.
constexpr double kMinCoveredFraction = 0.05;
// μ of water at ~40 keV (mm⁻¹): deliberately not kWaterMuAt70keV, so that a μ volume read with
// the default instead of its recorded μ_water would put water at ~+390 HU and show it as bone.
constexpr double kTestMuWater = 0.0268;

/// The modified (Toft) 3D Shepp–Logan head, radius 100 mm (skull 138 × 184 × 162 mm), on a 96³
/// grid of 2.2 mm centred on the isocentre (3³ samples per voxel), in table units (0 … 1; unit
/// Unknown), made once.
std::shared_ptr<const Volume> sheppLogan()
{
    static const std::shared_ptr<const Volume> volume = [] {
        const Phantom phantom = sheppLogan3D(SheppLoganVariant::Modified, 100.0, 1.0);
        const VolumeGrid grid = VolumeGrid::centred(
            {kSheppLoganEdge, kSheppLoganEdge, kSheppLoganEdge}, {2.2, 2.2, 2.2});
        Volume v = rasterise(phantom, grid, 3);
        v.meta().unit = ValueUnit::Unknown;
        v.meta().subtype = "phantom";
        return std::make_shared<const Volume>(std::move(v));
    }();
    return volume;
}

/// A water cylinder (radius 60 mm, 120 mm long, along z) holding a bone rod (+1000 HU, radius
/// 10 mm, 100 mm long) at x = +30 mm, a bone ball (+600 HU, radius 14 mm) high up at
/// (0, +30, +35) mm and a fat rod (−100 HU, radius 12 mm) at x = −30 mm: a scene whose
/// orientation can be read off a picture.
Phantom rodsPhantom()
{
    Phantom p = waterCylinder(60.0, 120.0, kTestMuWater);
    AnalyticObject rod;
    rod.kind = ShapeKind::Cylinder;
    rod.centre = {30.0, 0.0, 0.0};
    rod.semiAxes = {10.0, 10.0, 50.0};
    rod.value = 1.0 * kTestMuWater;
    p.objects.push_back(rod);
    AnalyticObject ball;
    ball.kind = ShapeKind::Ellipsoid;
    ball.centre = {0.0, 30.0, 35.0};
    ball.semiAxes = {14.0, 14.0, 14.0};
    ball.value = 0.6 * kTestMuWater;
    p.objects.push_back(ball);
    AnalyticObject fat;
    fat.kind = ShapeKind::Cylinder;
    fat.centre = {-30.0, 0.0, 0.0};
    fat.semiAxes = {12.0, 12.0, 50.0};
    fat.value = -0.1 * kTestMuWater;
    p.objects.push_back(fat);
    return p;
}

VolumeGrid rodsGrid()
{
    return VolumeGrid::centred({kEdge, kEdge, kEdge}, {2.5, 2.5, 2.5});
}

/// rodsPhantom on `grid` in μ (mm⁻¹), with its μ of water recorded.
std::shared_ptr<const Volume> rodsMu(const VolumeGrid& grid)
{
    Volume v = rasterise(rodsPhantom(), grid, 2);
    v.meta().unit = ValueUnit::MuPerMm;
    v.meta().dictionary["tomoscope_mu_water_per_mm"] = formatValue(kTestMuWater);
    return std::make_shared<const Volume>(std::move(v));
}

/// rodsMu on rodsGrid(), made once.
std::shared_ptr<const Volume> rodsMu()
{
    static const std::shared_ptr<const Volume> volume = rodsMu(rodsGrid());
    return volume;
}

/// The same scan in HU (convertToHu records μ of water too).
std::shared_ptr<const Volume> rodsHu()
{
    static const std::shared_ptr<const Volume> volume = [] {
        Volume v = *rodsMu();
        convertToHu(v, kTestMuWater);
        return std::make_shared<const Volume>(std::move(v));
    }();
    return volume;
}

double coveredFraction(const RgbImage& image)
{
    return static_cast<double>(
               image.countDifferent(VolumeScene::kBackground, kBackgroundTolerance)) /
           (static_cast<double>(image.width) * image.height);
}

/// Mean column of the pixels that differ from the background.
double centroidX(const RgbImage& image)
{
    double sum = 0.0;
    double count = 0.0;
    for (int y = 0; y < image.height; ++y) {
        for (int x = 0; x < image.width; ++x) {
            const std::uint32_t p = image.pixel(x, y);
            const std::uint32_t bg = VolumeScene::kBackground;
            bool differs = false;
            for (unsigned shift : {0U, 8U, 16U}) {
                const int a = static_cast<int>((p >> shift) & 0xFFU);
                const int b = static_cast<int>((bg >> shift) & 0xFFU);
                differs = differs || std::abs(a - b) > kBackgroundTolerance;
            }
            if (differs) {
                sum += x;
                count += 1.0;
            }
        }
    }
    return count > 0.0 ? sum / count : -1.0;
}

/// Xvfb resets when its last client disconnects, and a connection attempt during that reset
/// fails (VTK aborts: "bad X server connection"). Every scene's offscreen window is such a client,
/// so a test that drops one scene and makes the next races the reset. This window, opened before
/// the first test and closed after the last, keeps the server from resetting (xvfb-run -s
/// -noreset does the same from outside).
class KeepDisplayOpen : public ::testing::Environment
{
public:
    void SetUp() override
    {
        if (haveDisplay()) {
            m_window = vtkSmartPointer<vtkRenderWindow>::New();
            m_window->SetOffScreenRendering(1);
            m_window->SetSize(1, 1);
            m_window->Render();
        }
    }
    void TearDown() override
    {
        if (m_window) {
            m_window->Finalize();
            m_window = nullptr;
        }
    }

private:
    vtkSmartPointer<vtkRenderWindow> m_window;
};

[[maybe_unused]] ::testing::Environment* const kKeepDisplayOpen =
    ::testing::AddGlobalTestEnvironment(new KeepDisplayOpen);

double imageError(const RgbImage& a, const RgbImage& b)
{
    return compareImages(a, b).error;
}

vtkVolume* theVolume(const VolumeScene& scene)
{
    vtkVolumeCollection* volumes = scene.renderer()->GetVolumes();
    EXPECT_EQ(volumes->GetNumberOfItems(), 1);
    volumes->InitTraversal();
    return volumes->GetNextVolume();
}

/// The pipeline objects that must survive an update.
struct Pipeline
{
    vtkVolume* volume = nullptr;
    vtkAbstractVolumeMapper* mapper = nullptr;
    vtkDataSet* input = nullptr;
    vtkVolumeProperty* property = nullptr;

    friend bool operator==(const Pipeline&, const Pipeline&) = default;
};

Pipeline pipelineOf(const VolumeScene& scene)
{
    Pipeline p;
    p.volume = theVolume(scene);
    p.mapper = vtkAbstractVolumeMapper::SafeDownCast(p.volume->GetMapper());
    p.input = p.mapper->GetDataSetInput();
    p.property = p.volume->GetProperty();
    return p;
}

TEST(VolumeScene, ParsesAndPrintsEveryPresetName)
{
    for (VolumePreset p : {VolumePreset::CtBone, VolumePreset::SoftTissue, VolumePreset::Mip,
                           VolumePreset::MuGrey}) {
        EXPECT_EQ(parseVolumePreset(toString(p)), p) << toString(p);
    }
    EXPECT_EQ(toString(VolumePreset::CtBone), "ct-bone");
    EXPECT_EQ(toString(VolumePreset::SoftTissue), "soft-tissue");
    EXPECT_EQ(toString(VolumePreset::Mip), "mip");
    EXPECT_EQ(toString(VolumePreset::MuGrey), "mu-grey");
}

TEST(VolumeScene, RejectsUnknownPresetNames)
{
    for (const char* bad : {"", "bone", "CT-Bone", "ct_bone", "mip ", "MIP", "mu-gray"}) {
        EXPECT_FALSE(parseVolumePreset(bad).has_value()) << '"' << bad << '"';
    }
}

TEST(VolumeScene, RejectsNonPositiveOffscreenSize)
{
    VolumeScene scene;
    EXPECT_THROW((void)scene.renderOffscreen(0, 10), InvalidArgument);
    EXPECT_THROW((void)scene.renderOffscreen(10, -1), InvalidArgument);
}

TEST(VolumeScene, KeepsThePresetItIsGiven)
{
    VolumeScene scene(nullptr, VolumePreset::Mip);
    EXPECT_EQ(scene.preset(), VolumePreset::Mip);
    scene.setPreset(VolumePreset::SoftTissue);
    EXPECT_EQ(scene.preset(), VolumePreset::SoftTissue);
    EXPECT_EQ(VolumeScene().preset(), VolumePreset::MuGrey);
}

TEST(VolumeScene, MatchesBaselineForSheppLoganWithMuGreyPreset)
{
    if (!haveDisplay()) {
        GTEST_SKIP() << "no X display: run under xvfb-run (CTest does)";
    }
    VolumeScene scene(sheppLogan(), VolumePreset::MuGrey);
    const RgbImage image = scene.renderOffscreen(kSize, kSize);
    EXPECT_GT(coveredFraction(image), kMinCoveredFraction);
    EXPECT_TRUE(testing::matchesBaseline(image, "VolumeScene_SheppLogan_MuGrey"));
}

TEST(VolumeScene, MatchesBaselineForSheppLoganWithMipPreset)
{
    if (!haveDisplay()) {
        GTEST_SKIP() << "no X display: run under xvfb-run (CTest does)";
    }
    VolumeScene scene(sheppLogan(), VolumePreset::Mip);
    const RgbImage image = scene.renderOffscreen(kSize, kSize);
    EXPECT_GT(coveredFraction(image), kMinCoveredFraction);
    EXPECT_TRUE(testing::matchesBaseline(image, "VolumeScene_SheppLogan_Mip"));
}

TEST(VolumeScene, MatchesBaselineForBoneRodsWithCtBonePresetOnMuVolume)
{
    if (!haveDisplay()) {
        GTEST_SKIP() << "no X display: run under xvfb-run (CTest does)";
    }
    VolumeScene scene(rodsMu(), VolumePreset::CtBone);
    const RgbImage image = scene.renderOffscreen(kSize, kSize);
    EXPECT_GT(coveredFraction(image), kMinCoveredFraction / 5); // two bones, no water
    EXPECT_TRUE(testing::matchesBaseline(image, "VolumeScene_Rods_CtBone"));
}

TEST(VolumeScene, MatchesBaselineForRodsWithSoftTissuePresetOnHuVolume)
{
    if (!haveDisplay()) {
        GTEST_SKIP() << "no X display: run under xvfb-run (CTest does)";
    }
    VolumeScene scene(rodsHu(), VolumePreset::SoftTissue);
    const RgbImage image = scene.renderOffscreen(kSize, kSize);
    EXPECT_GT(coveredFraction(image), kMinCoveredFraction);
    EXPECT_TRUE(testing::matchesBaseline(image, "VolumeScene_Rods_SoftTissue"));
}

/// Renders the μ and the HU version of the rods with `preset`: the HU thresholds become μ
/// through the μ of water the μ volume records, so the pictures agree.
void expectSamePictureInMuAndHu(VolumePreset preset)
{
    VolumeScene mu(rodsMu(), preset);
    VolumeScene hu(rodsHu(), preset);
    EXPECT_LT(imageError(mu.renderOffscreen(kCheckSize, kCheckSize),
                         hu.renderOffscreen(kCheckSize, kCheckSize)),
              kSameImageError)
        << toString(preset);
}

TEST(VolumeScene, RendersTheSameCtBonePictureWhenTheScanIsInMuOrHu)
{
    if (!haveDisplay()) {
        GTEST_SKIP() << "no X display: run under xvfb-run (CTest does)";
    }
    expectSamePictureInMuAndHu(VolumePreset::CtBone);
}

TEST(VolumeScene, RendersTheSameSoftTissuePictureWhenTheScanIsInMuOrHu)
{
    if (!haveDisplay()) {
        GTEST_SKIP() << "no X display: run under xvfb-run (CTest does)";
    }
    expectSamePictureInMuAndHu(VolumePreset::SoftTissue);
}

TEST(VolumeScene, ConvertsHuThroughWaterAt70keVWhenTheMuVolumeRecordsNoMuWater)
{
    if (!haveDisplay()) {
        GTEST_SKIP() << "no X display: run under xvfb-run (CTest does)";
    }
    // The rods' μ (water at kTestMuWater, ~40 keV) read against water at 70 keV: water becomes
    // ~+390 HU and shows as bone, unlike in the HU version.
    Volume unrecorded = *rodsMu();
    unrecorded.meta().dictionary.erase("tomoscope_mu_water_per_mm");
    VolumeScene mu(std::make_shared<const Volume>(std::move(unrecorded)), VolumePreset::CtBone);
    VolumeScene hu(rodsHu(), VolumePreset::CtBone);
    EXPECT_GT(imageError(mu.renderOffscreen(kCheckSize, kCheckSize),
                         hu.renderOffscreen(kCheckSize, kCheckSize)),
              kDifferentImageError);
}

TEST(VolumeScene, RendersADifferentPictureForEachPreset)
{
    if (!haveDisplay()) {
        GTEST_SKIP() << "no X display: run under xvfb-run (CTest does)";
    }
    const std::array presets{VolumePreset::CtBone, VolumePreset::SoftTissue, VolumePreset::Mip,
                             VolumePreset::MuGrey};
    VolumeScene scene(rodsMu());
    std::array<RgbImage, 4> images;
    for (std::size_t i = 0; i < presets.size(); ++i) {
        scene.setPreset(presets[i]);
        images[i] = scene.renderOffscreen(kCheckSize, kCheckSize);
        EXPECT_GT(coveredFraction(images[i]), kMinCoveredFraction / 5) << toString(presets[i]);
    }
    for (std::size_t i = 0; i < presets.size(); ++i) {
        for (std::size_t j = i + 1; j < presets.size(); ++j) {
            EXPECT_GT(imageError(images[i], images[j]), kDifferentImageError)
                << toString(presets[i]) << " vs " << toString(presets[j]);
        }
    }
}

TEST(VolumeScene, UpdatesInPlaceWhenGivenANewSnapshotOfTheSameGrid)
{
    if (!haveDisplay()) {
        GTEST_SKIP() << "no X display: run under xvfb-run (CTest does)";
    }
    std::shared_ptr<const Volume> first = sheppLogan();
    // A later "preview": the same grid with the upper half (z > 0) not yet filled in.
    Volume half = *first;
    const auto& n = half.grid().size();
    for (std::size_t k = n[2] / 2; k < n[2]; ++k) {
        for (std::size_t j = 0; j < n[1]; ++j) {
            for (std::size_t i = 0; i < n[0]; ++i) {
                half.at(i, j, k) = 0.0F;
            }
        }
    }
    auto second = std::make_shared<const Volume>(std::move(half));

    VolumeScene scene(first, VolumePreset::Mip);
    const Pipeline before = pipelineOf(scene);
    const RgbImage a = scene.renderOffscreen(kSize, kSize);

    scene.setVolume(second);
    EXPECT_EQ(scene.volume(), second);
    EXPECT_EQ(pipelineOf(scene), before);
    // VTK reads the snapshot's own voxels (zero copy).
    auto* image = vtkImageData::SafeDownCast(before.input);
    ASSERT_NE(image, nullptr);
    EXPECT_EQ(image->GetScalarPointer(), static_cast<const void*>(second->data().data()));
    const RgbImage b = scene.renderOffscreen(kSize, kSize);
    EXPECT_GT(imageError(a, b), kDifferentImageError);

    scene.setVolume(first);
    EXPECT_EQ(pipelineOf(scene), before);
    const RgbImage again = scene.renderOffscreen(kSize, kSize);
    EXPECT_LT(imageError(a, again), kSameImageError);
}

TEST(VolumeScene, UpdatesInPlaceWhenTheNewSnapshotHasAnotherGrid)
{
    if (!haveDisplay()) {
        GTEST_SKIP() << "no X display: run under xvfb-run (CTest does)";
    }
    VolumeScene scene(rodsMu(), VolumePreset::Mip);
    const Pipeline before = pipelineOf(scene);
    const RgbImage a = scene.renderOffscreen(kSize, kSize);

    // Another size, spacing and aspect: a coarser, anisotropic grid.
    const VolumeGrid coarse = VolumeGrid::centred({kEdge / 2, 48, kEdge / 2}, {5.0, 3.0, 5.0});
    scene.setVolume(rodsMu(coarse));
    EXPECT_EQ(pipelineOf(scene), before);
    auto* image = vtkImageData::SafeDownCast(before.input);
    ASSERT_NE(image, nullptr);
    std::array<int, 3> dims{};
    image->GetDimensions(dims.data());
    EXPECT_EQ(dims, (std::array<int, 3>{32, 48, 32}));
    const RgbImage b = scene.renderOffscreen(kSize, kSize);
    EXPECT_GT(coveredFraction(b), kMinCoveredFraction / 5);

    scene.setVolume(rodsMu());
    EXPECT_LT(imageError(a, scene.renderOffscreen(kSize, kSize)), kSameImageError);
}

TEST(VolumeScene, SpansTheVoxelCentresOfItsGridInWorldMillimetres)
{
    // An oblique grid: index axis i along world +y, j along world −x, k along +z, origin far
    // from the isocentre. VTK's volume bounds run from the first to the last voxel centre
    // (point data), not to the voxels' outer faces.
    const std::array<double, 9> rotated{0, -1, 0, 1, 0, 0, 0, 0, 1};
    const VolumeGrid grid =
        VolumeGrid::make({10, 20, 30}, {1.0, 2.0, 0.5}, Vec3{100.0, -50.0, 7.0}, rotated);
    VolumeScene scene(std::make_shared<const Volume>(Volume::zeros(grid)));
    std::array<double, 6> bounds{};
    theVolume(scene)->GetBounds(bounds.data());
    // x: j runs 0 … 19 along −x at 2 mm; y: i runs 0 … 9 along +y at 1 mm; z: k 0 … 29 at 0.5.
    const std::array<double, 6> expected{100.0 - 19 * 2.0, 100.0, -50.0,
                                         -50.0 + 9 * 1.0,  7.0,   7.0 + 29 * 0.5};
    for (std::size_t a = 0; a < 6; ++a) {
        EXPECT_NEAR(bounds[a], expected[a], 1e-9) << "bound " << a;
    }
}

TEST(VolumeScene, RendersTheSamePictureOfTheSameWorldOnARotatedGrid)
{
    if (!haveDisplay()) {
        GTEST_SKIP() << "no X display: run under xvfb-run (CTest does)";
    }
    // The rods phantom on the default grid and on one turned 90° about z (i along +y, j along
    // −x) covering the same voxels: the world content, and so the picture, is the same.
    const VolumeGrid straight = rodsGrid();
    const double s = straight.spacing()[0];
    const Vec3 o = straight.origin();
    const VolumeGrid turned = VolumeGrid::make(
        straight.size(), straight.spacing(),
        Vec3{o.x + static_cast<double>(kEdge - 1) * s, o.y, o.z}, {0, -1, 0, 1, 0, 0, 0, 0, 1});
    VolumeScene scene(rodsMu(straight), VolumePreset::CtBone);
    const RgbImage a = scene.renderOffscreen(kCheckSize, kCheckSize);
    scene.setVolume(rodsMu(turned));
    const RgbImage b = scene.renderOffscreen(kCheckSize, kCheckSize);
    EXPECT_LT(imageError(a, b), kSameImageError);
}

TEST(VolumeScene, DrawsAShiftedGridOffCentreWithAFixedCamera)
{
    if (!haveDisplay()) {
        GTEST_SKIP() << "no X display: run under xvfb-run (CTest does)";
    }
    const VolumeGrid centred = rodsGrid();
    // The same voxels with the box moved 60 mm along +x (about 40 % of its width). The camera,
    // looking from −y and above with +z up, has world +x to the right of the picture.
    const Vec3 o = centred.origin();
    const VolumeGrid shifted = VolumeGrid::make(centred.size(), centred.spacing(),
                                                Vec3{o.x + 60.0, o.y, o.z}, centred.direction());
    const std::shared_ptr<const Volume> there = rodsMu(centred);
    std::vector<float> voxels(there->data().begin(), there->data().end());
    auto moved = std::make_shared<Volume>(Volume::fromData(shifted, std::move(voxels)));
    moved->meta() = there->meta();
    VolumeScene scene(there, VolumePreset::MuGrey);
    const RgbImage a = scene.renderOffscreen(kSize, kSize);
    scene.setVolume(moved); // the same voxels elsewhere; does not move the camera
    const RgbImage b = scene.renderOffscreen(kSize, kSize);
    // 60 mm at the framing of a 160 mm box over 320 px is ~80 px; half of it is a safe floor.
    constexpr double kMinShiftPixels = 40.0;
    EXPECT_GT(centroidX(b) - centroidX(a), kMinShiftPixels)
        << "centroid " << centroidX(a) << " -> " << centroidX(b);

    // Resetting the camera frames the moved box again: the picture is the unshifted one.
    scene.resetCamera();
    const RgbImage c = scene.renderOffscreen(kSize, kSize);
    dumpImage(a, "volume_centred");
    dumpImage(b, "volume_shifted");
    dumpImage(c, "volume_shifted_reset");
    EXPECT_NEAR(centroidX(c), centroidX(a), 1.0);
}

TEST(VolumeScene, RendersOnlyTheBackgroundWithoutAVolume)
{
    if (!haveDisplay()) {
        GTEST_SKIP() << "no X display: run under xvfb-run (CTest does)";
    }
    VolumeScene empty;
    EXPECT_EQ(empty.volume(), nullptr);
    const RgbImage blank = empty.renderOffscreen(kSize, kSize);
    EXPECT_EQ(blank.countDifferent(VolumeScene::kBackground), 0U);

    std::weak_ptr<const Volume> held;
    {
        auto snapshot = std::make_shared<const Volume>(*sheppLogan());
        held = snapshot;
        empty.setVolume(std::move(snapshot));
    }
    EXPECT_FALSE(held.expired()); // the scene holds the snapshot VTK reads
    EXPECT_GT(coveredFraction(empty.renderOffscreen(kSize, kSize)), kMinCoveredFraction);
    empty.setVolume(nullptr);
    EXPECT_TRUE(held.expired()); // and lets go of it
    EXPECT_EQ(empty.renderOffscreen(kSize, kSize).countDifferent(VolumeScene::kBackground), 0U);
}
} // namespace
} // namespace tomo::render
