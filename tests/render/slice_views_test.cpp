#include "golden.h"
#include "tomo/error.h"
#include "tomo/metrics.h"
#include "tomo/phantom.h"
#include "tomo/render/slice_views.h"
#include "tomo/volume.h"
#include "view_test_utils.h"

#include <gtest/gtest.h>
#include <vtkDataArray.h>
#include <vtkImageData.h>
#include <vtkPointData.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <memory>
#include <numbers>
#include <string>
#include <utility>

namespace tomo::render
{
namespace
{
using testing::findColour;
using testing::findLines;
using testing::haveDisplay;

// Three 160 × 160 panels (axial | coronal | sagittal): big enough to show the small ellipsoids
// of a 64³ Shepp–Logan, small enough for baselines of a few tens of KB.
constexpr int kPanel = 160;
constexpr int kWidth = 3 * kPanel;
constexpr int kHeight = kPanel;
// Where a line or a voxel centre is expected on screen: the camera fit and the rasteriser's
// pixel-centre rule may put it half a pixel either way, and a one-pixel line drawn on a pixel
// boundary may land on either neighbour.
constexpr double kPixelTolerance = 1.5;
// Per-channel tolerance for "this colour": the overlays are unlit and not anti-aliased, the
// image is nearest-neighbour through a 256-entry table, so colours are exact up to 8-bit rounding.
constexpr int kColourTolerance = 3;
// A window's middle value maps to entry 128 of 256 (0x80 in grey): one table step either way.
constexpr int kMidGreyTolerance = 2;

constexpr std::uint32_t kWhite = 0xFFFFFF;
constexpr std::uint32_t kBlack = 0x000000;

/// The 3D Shepp–Logan head (Shepp & Logan's intensities: brain 1.02, skull 2) rasterised on a
/// centred 64³ grid of 1 mm voxels, outer ellipsoid 0.69·32 × 0.92·32 × 0.81·32 mm.
std::shared_ptr<const Volume> sheppLoganVolume()
{
    static const std::shared_ptr<const Volume> volume = [] {
        const Phantom phantom = sheppLogan3D(SheppLoganVariant::Original, 32.0, 1.0);
        const VolumeGrid grid = VolumeGrid::centred({64, 64, 64}, {1.0, 1.0, 1.0});
        return std::make_shared<const Volume>(rasterise(phantom, grid, 2));
    }();
    return volume;
}

/// Level 1.02 (brain), width 0.06: the ±0.01–0.02 ellipsoids inside the brain show as clearly
/// darker or brighter; the skull (2.0) is white, the outside (0) black.
constexpr WindowLevel kBrainWindow{1.02F, 0.06F};

/// A cursor through the two small ellipsoids at z = 0.25·32 mm, the ventricles and the large
/// ellipsoid at y = +0.35·32 mm: every view shows inner structure.
constexpr Vec3 kSheppLoganCursor{-2.5, 3.5, 7.5};

/// Display rectangle of a slice (pixel edges, display mm): [x0, x1] × [y0, y1].
struct DisplayRect
{
    double x0;
    double y0;
    double x1;
    double y1;
};

/// Where display point (x, y) lies in a `width` × `height` panel showing `rect` as the views fit
/// it (kFitMargin of fitImageCamera: 1.04), y = 0 at the top.
std::array<double, 2> expectedPixel(const DisplayRect& rect, int width, int height, double x,
                                    double y)
{
    constexpr double kFitMargin = 1.04;
    const double aspect = static_cast<double>(width) / height;
    const double halfW = 0.5 * (rect.x1 - rect.x0);
    const double halfH = 0.5 * (rect.y1 - rect.y0);
    const double scale = kFitMargin * std::max(halfH, halfW / aspect); // mm, half the height
    const double mmPerPixel = 2.0 * scale / height;
    const double cx = 0.5 * (rect.x0 + rect.x1);
    const double cy = 0.5 * (rect.y0 + rect.y1);
    // Pixel centres are at integer + 0.5 in window coordinates.
    return {0.5 * width + (x - cx) / mmPerPixel - 0.5, 0.5 * height - (y - cy) / mmPerPixel - 0.5};
}

/// The display rectangle and display point of each orientation for a grid and a world point
/// (the header's table: axial (x, −y), coronal (x, z), sagittal (y, z)).
struct PanelGeometry
{
    DisplayRect rect;
    std::array<double, 2> point;
};

PanelGeometry panelGeometry(SliceOrientation o, const VolumeGrid& grid, Vec3 p)
{
    // Screen right and up in world directions (the header's table).
    Vec3 right{1, 0, 0};
    Vec3 up{0, -1, 0};
    if (o == SliceOrientation::Coronal) {
        up = {0, 0, 1};
    } else if (o == SliceOrientation::Sagittal) {
        right = {0, 1, 0};
        up = {0, 0, 1};
    }
    // The grid's box (voxel edges) projected onto them.
    DisplayRect rect{1e300, 1e300, -1e300, -1e300};
    const auto& n = grid.size();
    for (unsigned k = 0; k < 8; ++k) {
        const Vec3 c = grid.voxelCentre((k & 1U) != 0 ? static_cast<double>(n[0]) - 0.5 : -0.5,
                                        (k & 2U) != 0 ? static_cast<double>(n[1]) - 0.5 : -0.5,
                                        (k & 4U) != 0 ? static_cast<double>(n[2]) - 0.5 : -0.5);
        rect.x0 = std::min(rect.x0, dot(c, right));
        rect.x1 = std::max(rect.x1, dot(c, right));
        rect.y0 = std::min(rect.y0, dot(c, up));
        rect.y1 = std::max(rect.y1, dot(c, up));
    }
    return {rect, {dot(p, right), dot(p, up)}};
}

constexpr std::array<SliceOrientation, 3> kOrientations{
    SliceOrientation::Axial, SliceOrientation::Coronal, SliceOrientation::Sagittal};

/// A 32³ grid of anisotropic voxels (0.8 × 1.0 × 1.25 mm) with one voxel of value 1 at index
/// (24, 8, 22): world (+6.8, −7.5, +8.125) mm, i.e. patient left, anterior, superior.
constexpr std::array<std::size_t, 3> kBrightVoxel{24, 8, 22};

VolumeGrid anisotropicGrid()
{
    return VolumeGrid::centred({32, 32, 32}, {0.8, 1.0, 1.25});
}

std::shared_ptr<const Volume> brightVoxelVolume()
{
    Volume v = Volume::zeros(anisotropicGrid());
    v.at(kBrightVoxel[0], kBrightVoxel[1], kBrightVoxel[2]) = 1.0F;
    return std::make_shared<const Volume>(std::move(v));
}

Vec3 brightVoxelCentre()
{
    return anisotropicGrid().voxelCentre(static_cast<double>(kBrightVoxel[0]),
                                         static_cast<double>(kBrightVoxel[1]),
                                         static_cast<double>(kBrightVoxel[2]));
}

TEST(SliceViews, MatchesBaselineWithAKnownWindowInGrey)
{
    if (!haveDisplay()) {
        GTEST_SKIP() << "no X display: run under xvfb-run (CTest does)";
    }
    SliceViews views;
    views.setVolume(sheppLoganVolume());
    views.setWindow(kBrainWindow.toWindow());
    views.setCursor(kSheppLoganCursor);
    const RgbImage image = views.renderOffscreen(kWidth, kHeight);
    testing::dumpImage(image, "slice_views_grey");
    EXPECT_TRUE(testing::matchesBaseline(image, "SliceViewsSheppLoganGrey"));
}

TEST(SliceViews, MatchesBaselineWithTheViridisColourMapAndAProfileLine)
{
    if (!haveDisplay()) {
        GTEST_SKIP() << "no X display: run under xvfb-run (CTest does)";
    }
    SliceViews views;
    views.setVolume(sheppLoganVolume());
    views.setWindow(WindowLevel{1.02F, 0.12F}.toWindow());
    views.setColourMap(ColourMap::Viridis);
    views.setCursor(kSheppLoganCursor);
    // A diagonal in the axial slice (z = 7.5 mm): drawn solid there; in the coronal and
    // sagittal views it is only a projection (faint, along the crosshair's horizontal line).
    views.setProfileLine(std::pair{Vec3{-18.0, -14.0, 7.5}, Vec3{16.0, 12.0, 7.5}});
    const RgbImage image = views.renderOffscreen(kWidth, kHeight);
    testing::dumpImage(image, "slice_views_viridis");
    EXPECT_TRUE(testing::matchesBaseline(image, "SliceViewsSheppLoganViridis"));
}

TEST(SliceViews, ShowsAnOffCentreVoxelOnTheDocumentedSideOfEachView)
{
    if (!haveDisplay()) {
        GTEST_SKIP() << "no X display: run under xvfb-run (CTest does)";
    }
    SliceViews views;
    views.setVolume(brightVoxelVolume());
    views.setWindow({0.0F, 1.0F});
    const Vec3 voxel = brightVoxelCentre();
    views.setCursor(voxel);
    const RgbImage image = views.renderOffscreen(kWidth, kHeight);
    testing::dumpImage(image, "slice_views_voxel");

    // Screen side of the voxel (+x, −y, +z: patient left, anterior, superior) per the header:
    // axial right & up (anterior at the top), coronal right & up, sagittal left (anterior) & up.
    const std::array<std::array<int, 2>, 3> side{{{+1, +1}, {+1, +1}, {-1, +1}}};
    for (std::size_t p = 0; p < 3; ++p) {
        const SliceOrientation o = kOrientations[p];
        SCOPED_TRACE(std::string(toString(o)));
        const int x0 = static_cast<int>(p) * kPanel;
        const auto white = findColour(image, x0, kPanel, kWhite, kColourTolerance);
        ASSERT_GT(white.count, 0) << "the bright voxel is not in the " << toString(o) << " view";
        const double centre = 0.5 * kPanel - 0.5;
        EXPECT_EQ(white.cx > centre ? 1 : -1, side[p][0]) << "voxel at panel x " << white.cx;
        EXPECT_EQ(white.cy < centre ? 1 : -1, side[p][1]) << "voxel at panel y " << white.cy;

        const PanelGeometry g = panelGeometry(o, anisotropicGrid(), voxel);
        const auto expected = expectedPixel(g.rect, kPanel, kHeight, g.point[0], g.point[1]);
        EXPECT_NEAR(white.cx, expected[0], kPixelTolerance);
        EXPECT_NEAR(white.cy, expected[1], kPixelTolerance);
        // The crosshair passes through the cursor (here the voxel's centre).
        const auto cross =
            findLines(image, x0, kPanel, SliceScene::kCrosshairColour, kColourTolerance);
        EXPECT_NEAR(cross.column, expected[0], kPixelTolerance);
        EXPECT_NEAR(cross.row, expected[1], kPixelTolerance);
    }
}

TEST(SliceViews, ShowsAVoxelOnlyInTheSlicesThroughTheCursor)
{
    if (!haveDisplay()) {
        GTEST_SKIP() << "no X display: run under xvfb-run (CTest does)";
    }
    SliceViews views;
    views.setVolume(brightVoxelVolume());
    views.setWindow({0.0F, 1.0F});
    // Five voxels (6.25 mm) below the voxel: the axial slice misses it, the coronal and sagittal
    // slices (same y and x) still hold it.
    const Vec3 below = brightVoxelCentre() - Vec3{0.0, 0.0, 5 * 1.25};
    views.setCursor(below);
    for (SliceOrientation o : kOrientations) {
        EXPECT_EQ(views.scene(o).cursor(), below) << "setCursor moves every view";
    }
    EXPECT_EQ(views.cursor(), below);
    const RgbImage image = views.renderOffscreen(kWidth, kHeight);
    EXPECT_EQ(findColour(image, 0, kPanel, kWhite, kColourTolerance).count, 0);
    EXPECT_GT(findColour(image, kPanel, kPanel, kWhite, kColourTolerance).count, 0);
    EXPECT_GT(findColour(image, 2 * kPanel, kPanel, kWhite, kColourTolerance).count, 0);
}

/// The bright voxel of brightVoxelVolume at the same world position on a grid with direction
/// cosines `direction` (same size and spacing), and the grid.
std::pair<std::shared_ptr<const Volume>, VolumeGrid>
brightVoxelOnGrid(const std::array<double, 9>& direction, std::array<std::size_t, 3> index)
{
    // Put the grid's centre at the isocentre: origin = −D·((n − 1)/2 · spacing).
    const VolumeGrid centred = anisotropicGrid();
    const auto& s = centred.spacing();
    const Vec3 half{15.5 * s[0], 15.5 * s[1], 15.5 * s[2]};
    const Vec3 origin{-(direction[0] * half.x + direction[1] * half.y + direction[2] * half.z),
                      -(direction[3] * half.x + direction[4] * half.y + direction[5] * half.z),
                      -(direction[6] * half.x + direction[7] * half.y + direction[8] * half.z)};
    const VolumeGrid grid = VolumeGrid::make(centred.size(), s, origin, direction);
    Volume v = Volume::zeros(grid);
    v.at(index[0], index[1], index[2]) = 1.0F;
    return {std::make_shared<const Volume>(std::move(v)), grid};
}

TEST(SliceViews, ShowsVoxelsAtTheirWorldPositionWhenDirectionCosinesFlipOrRotate)
{
    if (!haveDisplay()) {
        GTEST_SKIP() << "no X display: run under xvfb-run (CTest does)";
    }
    struct Case
    {
        const char* name;
        std::array<double, 9> direction;
        std::array<std::size_t, 3> index;
        double tolerance;
    };
    const double c = std::cos(std::numbers::pi / 6.0);
    const double s = std::sin(std::numbers::pi / 6.0);
    // The turned grid's slices are resampled at the smallest spacing over its bounding box: its
    // picture may be scaled by up to one sample over the box and shifted by half a sample
    // (about 2.5 pixels at 0.8 mm and 4.8 pixels per mm).
    constexpr double kResampledTolerance = 3.0;
    const std::array<Case, 2> cases{{
        // Index axes i and j reversed (i along −x, j along −y): index (7, 23, 22) is the voxel
        // at (+6.8, −7.5, +8.125) mm again, and the slices are still whole voxel layers.
        {"flipped", {-1, 0, 0, 0, -1, 0, 0, 0, 1}, {7, 23, 22}, kPixelTolerance},
        // Turned 30° about z: oblique to the coronal and sagittal planes, resampled there.
        {"turned", {c, -s, 0, s, c, 0, 0, 0, 1}, kBrightVoxel, kResampledTolerance},
    }};
    for (const Case& k : cases) {
        const auto [volume, grid] = brightVoxelOnGrid(k.direction, k.index);
        const Vec3 voxel =
            grid.voxelCentre(static_cast<double>(k.index[0]), static_cast<double>(k.index[1]),
                             static_cast<double>(k.index[2]));
        SliceViews views;
        views.setVolume(volume);
        views.setWindow({0.0F, 1.0F});
        views.setCursor(voxel);
        const RgbImage image = views.renderOffscreen(kWidth, kHeight);
        testing::dumpImage(image, std::string("slice_views_") + k.name);
        for (std::size_t p = 0; p < 3; ++p) {
            const SliceOrientation o = kOrientations[p];
            SCOPED_TRACE(std::string(toString(o)) + " " + k.name);
            const auto white =
                findColour(image, static_cast<int>(p) * kPanel, kPanel, kWhite, kColourTolerance);
            ASSERT_GT(white.count, 0);
            const PanelGeometry g = panelGeometry(o, grid, voxel);
            const auto expected = expectedPixel(g.rect, kPanel, kHeight, g.point[0], g.point[1]);
            EXPECT_NEAR(white.cx, expected[0], k.tolerance);
            EXPECT_NEAR(white.cy, expected[1], k.tolerance);
        }
    }
}

TEST(SliceViews, DrawsVoxelsWithTheirSpacingWhenSpacingDiffersPerAxis)
{
    if (!haveDisplay()) {
        GTEST_SKIP() << "no X display: run under xvfb-run (CTest does)";
    }
    // A 16 × 24 × 8 grid of 2 × 0.5 × 3 mm voxels: the volume is 32 × 12 × 24 mm.
    const VolumeGrid grid = VolumeGrid::centred({16, 24, 8}, {2.0, 0.5, 3.0});
    Volume v = Volume::zeros(grid);
    std::fill(v.data().begin(), v.data().end(), 1.0F);
    SliceViews views;
    views.setVolume(std::make_shared<const Volume>(std::move(v)));
    views.setWindow({0.0F, 0.5F});
    const RgbImage image = views.renderOffscreen(kWidth, kHeight);
    testing::dumpImage(image, "slice_views_aspect");
    // Width / height in mm of the axial, coronal and sagittal views.
    const std::array<double, 3> aspect{32.0 / 12.0, 32.0 / 24.0, 12.0 / 24.0};
    for (std::size_t p = 0; p < 3; ++p) {
        SCOPED_TRACE(std::string(toString(kOrientations[p])));
        const auto white =
            findColour(image, static_cast<int>(p) * kPanel, kPanel, kWhite, kColourTolerance);
        ASSERT_GT(white.count, 0);
        const double w = white.maxX - white.minX + 1;
        const double h = white.maxY - white.minY + 1;
        // One pixel of rounding on each side of each edge.
        EXPECT_NEAR(w / h, aspect[p], aspect[p] * 2.0 * kPixelTolerance / std::min(w, h));
    }
}

TEST(SliceScene, MapsValuesThroughTheWindowWhenColourMapIsGreyOrInverted)
{
    if (!haveDisplay()) {
        GTEST_SKIP() << "no X display: run under xvfb-run (CTest does)";
    }
    // A 2D image of three 1 mm voxels along x: below, in the middle of and above the window.
    const VolumeGrid grid = VolumeGrid::centred({3, 1, 1}, {1.0, 1.0, 1.0});
    auto volume = std::make_shared<const Volume>(Volume::fromData(grid, {-1.0F, 0.5F, 2.0F}));
    SliceScene scene(SliceOrientation::Axial);
    scene.setVolume(volume);
    scene.setWindow(WindowLevel{0.5F, 1.0F}.toWindow()); // [0, 1]
    constexpr int kW = 300;
    constexpr int kH = 100;
    const PanelGeometry g = panelGeometry(SliceOrientation::Axial, grid, {});
    // Sample each voxel a quarter of a voxel right of and above its centre, off the crosshair
    // (through the middle voxel's centre).
    const auto at = [&](const RgbImage& image, double x) {
        const auto px = expectedPixel(g.rect, kW, kH, x + 0.25, 0.25);
        return image.pixel(static_cast<int>(std::lround(px[0])),
                           static_cast<int>(std::lround(px[1])));
    };
    const RgbImage grey = scene.renderOffscreen(kW, kH);
    testing::dumpImage(grey, "slice_scene_window_grey");
    EXPECT_EQ(at(grey, -1.0), kBlack);
    EXPECT_TRUE(testing::near(at(grey, 0.0), 0x808080, kMidGreyTolerance))
        << std::hex << at(grey, 0.0);
    EXPECT_EQ(at(grey, 1.0), kWhite);

    scene.setColourMap(ColourMap::Inverted);
    const RgbImage inverted = scene.renderOffscreen(kW, kH);
    EXPECT_EQ(at(inverted, -1.0), kWhite);
    EXPECT_EQ(at(inverted, 1.0), kBlack);
}

TEST(SliceViews, KeepsItsPipelineWhenANewSnapshotArrives)
{
    if (!haveDisplay()) {
        GTEST_SKIP() << "no X display: run under xvfb-run (CTest does)";
    }
    SliceViews views;
    auto first = brightVoxelVolume();
    views.setVolume(first);
    views.setWindow({0.0F, 1.0F});
    views.setCursor(brightVoxelCentre());
    const RgbImage before = views.renderOffscreen(kWidth, kHeight);

    std::array<vtkImageData*, 3> images{};
    std::array<vtkRenderer*, 3> renderers{};
    for (std::size_t p = 0; p < 3; ++p) {
        images[p] = views.scene(kOrientations[p]).volumeImage();
        renderers[p] = views.scene(kOrientations[p]).renderer();
        EXPECT_EQ(images[p]->GetPointData()->GetScalars()->GetVoidPointer(0),
                  static_cast<const void*>(first->data().data()))
            << "zero-copy: the image shows the snapshot's own voxels";
    }
    Volume next = *first;
    std::fill(next.data().begin(), next.data().end(), 0.5F);
    auto second = std::make_shared<const Volume>(std::move(next));
    views.setVolume(second);
    EXPECT_EQ(views.cursor(), brightVoxelCentre()) << "same grid: the cursor stays";
    for (std::size_t p = 0; p < 3; ++p) {
        EXPECT_EQ(views.scene(kOrientations[p]).volumeImage(), images[p]);
        EXPECT_EQ(views.scene(kOrientations[p]).renderer(), renderers[p]);
        EXPECT_EQ(images[p]->GetPointData()->GetScalars()->GetVoidPointer(0),
                  static_cast<const void*>(second->data().data()));
    }
    const RgbImage after = views.renderOffscreen(kWidth, kHeight);
    EXPECT_EQ(findColour(after, 0, kWidth, kWhite, kColourTolerance).count, 0);
    EXPECT_GT(findColour(after, 0, kWidth, 0x808080, kMidGreyTolerance).count, kPanel * kPanel)
        << "the new snapshot's 0.5 shows as mid grey";
    EXPECT_GT(findColour(before, 0, kWidth, kWhite, kColourTolerance).count, 0);
}

TEST(SliceViews, RendersEachSceneOnItsOwnAfterRenderingTheThree)
{
    if (!haveDisplay()) {
        GTEST_SKIP() << "no X display: run under xvfb-run (CTest does)";
    }
    SliceViews views;
    views.setVolume(brightVoxelVolume());
    const RgbImage three = views.renderOffscreen(kWidth, kHeight);
    const RgbImage axial = views.scene(SliceOrientation::Axial).renderOffscreen(kPanel, kPanel);
    const RgbImage again = views.renderOffscreen(kWidth, kHeight);
    ASSERT_EQ(axial.width, kPanel);
    // The axial view alone is the left third of the three.
    RgbImage left;
    left.width = kPanel;
    left.height = kPanel;
    for (int y = 0; y < kPanel; ++y) {
        for (int x = 0; x < kPanel; ++x) {
            const std::uint32_t p = three.pixel(x, y);
            left.rgb.push_back(static_cast<std::uint8_t>(p >> 16U));
            left.rgb.push_back(static_cast<std::uint8_t>((p >> 8U) & 0xFFU));
            left.rgb.push_back(static_cast<std::uint8_t>(p & 0xFFU));
        }
    }
    EXPECT_EQ(left.rgb, axial.rgb);
    EXPECT_EQ(three.rgb, again.rgb);
}

TEST(SliceViews, SamplesTheSameProfileAsCoreLineProfile)
{
    SliceViews views;
    EXPECT_TRUE(views.sampleProfile({-20, -5, 3}, {25, 10, -4}, 50).empty()) << "no volume yet";
    const auto volume = sheppLoganVolume();
    views.setVolume(volume);
    const Vec3 from{-20.0, -5.0, 3.0};
    const Vec3 to{25.0, 10.0, -4.0};
    EXPECT_EQ(views.sampleProfile(from, to, 50), lineProfile(*volume, from, to, 50));
    EXPECT_THROW((void)views.sampleProfile(from, to, 1), InvalidArgument);
}

TEST(SliceViews, PutsTheCursorAtTheGridCentreWhenTheFirstVolumeArrives)
{
    SliceViews views;
    views.setVolume(brightVoxelVolume());
    const Vec3 c = views.cursor();
    EXPECT_DOUBLE_EQ(c.x, 0.0);
    EXPECT_DOUBLE_EQ(c.y, 0.0);
    EXPECT_DOUBLE_EQ(c.z, 0.0);
}

TEST(SliceScene, RejectsANonFiniteCursorAndANonPositiveSize)
{
    SliceScene scene(SliceOrientation::Coronal);
    EXPECT_THROW(scene.setCursor({std::numeric_limits<double>::quiet_NaN(), 0.0, 0.0}),
                 InvalidArgument);
    EXPECT_THROW((void)scene.renderOffscreen(0, 10), InvalidArgument);
}

TEST(SliceScene, ConvertsBetweenWorldAndDisplayPerOrientation)
{
    const Vec3 p{1.0, 2.0, 3.0};
    SliceScene axial(SliceOrientation::Axial);
    SliceScene coronal(SliceOrientation::Coronal);
    SliceScene sagittal(SliceOrientation::Sagittal);
    EXPECT_EQ(axial.displayFromWorld(p), (std::array<double, 2>{1.0, -2.0}));
    EXPECT_EQ(coronal.displayFromWorld(p), (std::array<double, 2>{1.0, 3.0}));
    EXPECT_EQ(sagittal.displayFromWorld(p), (std::array<double, 2>{2.0, 3.0}));
    axial.setVolume(brightVoxelVolume());
    axial.setCursor(brightVoxelCentre());
    const Vec3 back = axial.worldFromDisplay(1.0, -2.0);
    EXPECT_DOUBLE_EQ(back.x, 1.0);
    EXPECT_DOUBLE_EQ(back.y, 2.0);
    EXPECT_DOUBLE_EQ(back.z, brightVoxelCentre().z) << "on the slice through the cursor";
}
} // namespace
} // namespace tomo::render
