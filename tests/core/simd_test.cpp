// The AVX2 paths of the CPU backend (joseph3d_avx2.cpp: forward and transpose; voxel3d_avx2.cpp)
// against the portable loops they replace, on geometries chosen to reach their edge cases: detector
// widths that are not a multiple of the eight lanes, groups of rays with different dominant axes,
// tilted and offset and curved detectors, voxels outside the detector and voxels behind the source.
// On a processor without AVX2 both runs take the portable path and the comparison is trivially
// exact.
#include "common/test_support.h"
#include "project/avx2_window.h"
#include "tomo/projector.h"
#include "tomo/trajectory.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <numbers>
#include <random>
#include <string>

namespace tomo
{
namespace
{
// Both paths evaluate the same samples and weights; only FMA contraction, summation order and
// (voxel-driven) the incremental evaluation of the projection along a grid row differ: measured
// 4e-7 to 2e-6 of the peak.
constexpr double kPathTolerance = 1e-5;
// With the source inside the grid, voxels 1 to 2 mm from it are magnified ~40 times, and so are
// the rounding differences of their detector coordinates: measured 1.5e-5 for the ray-driven
// paths; the voxel-driven one also squares the rounding of 1/depth in its distance weight,
// which reaches ~100 there: measured 2.4e-4.
constexpr double kNearSourceTolerance = 5e-4;

/// Sets TOMO_SIMD for one scope.
class SimdOff
{
public:
    SimdOff() { ::setenv("TOMO_SIMD", "off", 1); }
    ~SimdOff() { ::unsetenv("TOMO_SIMD"); }
    SimdOff(const SimdOff&) = delete;
    SimdOff& operator=(const SimdOff&) = delete;
};

double maxDifferenceOverPeak(std::span<const float> a, std::span<const float> b)
{
    double peak = 0.0;
    double worst = 0.0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        peak = std::max(peak, std::abs(static_cast<double>(b[i])));
        worst = std::max(worst, std::abs(static_cast<double>(a[i]) - static_cast<double>(b[i])));
    }
    return peak > 0.0 ? worst / peak : worst;
}

struct Case
{
    std::string name;
    Geometry geometry;
    VolumeGrid grid;
    double tolerance = kPathTolerance;
};

std::vector<Case> cases()
{
    Detector odd{.columns = 37, .rows = 21, .pixelU = 1.3, .pixelV = 1.1};
    TrajectorySpec tilted;
    tilted.views = 7;
    tilted.angularRange = 2.0 * std::numbers::pi;
    tilted.sourceIsocentre = 60.0;
    tilted.sourceDetector = 120.0;
    tilted.tilt.inPlane = 0.07;
    tilted.tilt.aboutU = 0.12;
    Detector offset = odd;
    offset.offsetU = 3.5;
    offset.offsetV = -2.25;
    Detector curved = odd;
    curved.shape = DetectorShape::Cylindrical;
    curved.radius = 120.0;
    Detector tallRows = offset;
    tallRows.pixelV = 3.0;
    Detector tallCurved = curved;
    tallCurved.pixelV = 3.0;
    // Rows 1.9 and 2.5 voxels apart at the isocentre: eight rows spread over 10 to 16 z-slices
    // along their rays at 6 mm, 13 to 22 at 8 mm, where the Joseph column path's window holds
    // 13; groups over that gather. A grid tall enough for many rows to cross it.
    Detector sparseRows = offset;
    sparseRows.pixelV = 6.0;
    Detector sparserRows = offset;
    sparserRows.pixelV = 8.0;
    const VolumeGrid tallGrid = VolumeGrid::centred({19, 22, 48}, {1.5, 1.4, 1.6});
    // Rows 0.2 mm at the isocentre under 1.6 mm voxels: eight z-neighbours spread over about
    // 60 rows, wider than the voxel-driven column path's window, so it gathers.
    Detector fineRows = offset;
    fineRows.rows = 61;
    fineRows.pixelV = 0.4;
    // A source 12 mm from the isocentre, inside the 30 mm grid: some voxels lie behind it.
    TrajectorySpec inside;
    inside.views = 5;
    inside.angularRange = 2.0 * std::numbers::pi;
    inside.sourceIsocentre = 12.0;
    inside.sourceDetector = 60.0;
    TrajectorySpec upright = tilted;
    upright.tilt = {};
    TrajectorySpec helix = upright;
    helix.kind = TrajectoryKind::Helical;
    helix.views = 9;
    helix.angularRange = 4.0 * std::numbers::pi;
    helix.pitchMm = 10.0;
    // The detector turned half a turn in its plane: rows run against z, and the voxel-driven
    // column path walks each column's line backwards.
    TrajectorySpec flipped = upright;
    flipped.tilt.inPlane = std::numbers::pi;
    TrajectorySpec parallel;
    parallel.views = 6;
    const VolumeGrid grid = VolumeGrid::centred({19, 22, 13}, {1.5, 1.4, 1.6});
    return {
        {"cone-tilted-offset", makeGeometry(BeamType::Cone3D, offset, tilted), grid},
        {"cone-curved", makeGeometry(BeamType::Cone3D, curved, tilted), grid},
        {"parallel", makeGeometry(BeamType::Parallel3D, odd, parallel), grid},
        {"cone-source-inside-grid", makeGeometry(BeamType::Cone3D, odd, inside), grid,
         kNearSourceTolerance},
        // Rows along z (no v-tilt): the column path of joseph3d_columns_avx2.cpp; 21 rows end
        // in a part-filled group of lanes.
        {"cone-rows-along-z", makeGeometry(BeamType::Cone3D, offset, upright), grid},
        {"cone-curved-rows-along-z", makeGeometry(BeamType::Cone3D, curved, upright), grid},
        // Rows 3 mm high: eight z-neighbours fall within one 16-row window (voxel-driven
        // column path's window loop; the 1.1 mm rows above take its gathered loop).
        {"cone-rows-along-z-window", makeGeometry(BeamType::Cone3D, tallRows, upright), grid},
        {"cone-curved-rows-along-z-window", makeGeometry(BeamType::Cone3D, tallCurved, upright),
         grid},
        {"cone-sparse-rows-along-z", makeGeometry(BeamType::Cone3D, sparseRows, upright), tallGrid},
        {"cone-sparser-rows-along-z", makeGeometry(BeamType::Cone3D, sparserRows, upright),
         tallGrid},
        {"cone-fine-rows-along-z", makeGeometry(BeamType::Cone3D, fineRows, upright), grid},
        {"cone-rows-against-z", makeGeometry(BeamType::Cone3D, offset, flipped), grid},
        {"cone-rows-against-z-window", makeGeometry(BeamType::Cone3D, tallRows, flipped), grid},
        {"cone-fine-rows-against-z", makeGeometry(BeamType::Cone3D, fineRows, flipped), grid},
        {"helix", makeGeometry(BeamType::Cone3D, odd, helix), grid},
        // A detector smaller than the grid's shadow: rays and voxels outside it.
        {"cone-truncated",
         makeGeometry(BeamType::Cone3D, {.columns = 9, .rows = 7, .pixelU = 1.0, .pixelV = 1.0},
                      tilted),
         grid},
    };
}

TEST(SimdPaths, JosephForwardMatchesThePortableLoop)
{
    auto compute = ComputeContext::create("cpu");
    const auto joseph = makeProjector(ProjectorModel::Joseph, *compute);
    for (const Case& c : cases()) {
        Volume x = Volume::zeros(c.grid);
        test::fillRandom(x.data(), 5);
        ProjectionStack fast = ProjectionStack::zeros(c.geometry);
        joseph->forward(x, fast, 0, c.geometry.viewCount());
        ProjectionStack portable = ProjectionStack::zeros(c.geometry);
        {
            const SimdOff off;
            joseph->forward(x, portable, 0, c.geometry.viewCount());
        }
        EXPECT_GT(*std::max_element(portable.data().begin(), portable.data().end()), 0.0f)
            << c.name;
        EXPECT_LT(maxDifferenceOverPeak(fast.data(), portable.data()), c.tolerance) << c.name;
    }
}

TEST(SimdPaths, JosephForwardSeesTheVolumeChangeBetweenCalls)
{
    // The projector keeps a reordered copy of the volume between batches; a changed voxel, or a
    // different volume at the same address, must be projected as it is now.
    auto compute = ComputeContext::create("cpu");
    const auto joseph = makeProjector(ProjectorModel::Joseph, *compute);
    const Case c = cases()[4]; // rows along z: the path that keeps the copy
    ASSERT_EQ(c.name, "cone-rows-along-z");
    Volume x = Volume::zeros(c.grid);
    test::fillRandom(x.data(), 8);
    ProjectionStack before = ProjectionStack::zeros(c.geometry);
    joseph->forward(x, before, 0, c.geometry.viewCount());
    x.at(9, 11, 6) += 5.0f;
    ProjectionStack after = ProjectionStack::zeros(c.geometry);
    joseph->forward(x, after, 0, c.geometry.viewCount());
    ProjectionStack fresh = ProjectionStack::zeros(c.geometry);
    makeProjector(ProjectorModel::Joseph, *compute)->forward(x, fresh, 0, c.geometry.viewCount());
    EXPECT_TRUE(std::equal(after.data().begin(), after.data().end(), fresh.data().begin()));
    EXPECT_FALSE(std::equal(after.data().begin(), after.data().end(), before.data().begin()));
}

TEST(SimdPaths, JosephTransposeMatchesThePortableLoop)
{
    auto compute = ComputeContext::create("cpu");
    const auto joseph = makeProjector(ProjectorModel::Joseph, *compute);
    for (const Case& c : cases()) {
        ProjectionStack y = ProjectionStack::zeros(c.geometry);
        test::fillRandom(y.data(), 7);
        Volume fast = Volume::zeros(c.grid);
        joseph->backAccumulate(y, 0, c.geometry.viewCount(), 0.5f, fast);
        Volume portable = Volume::zeros(c.grid);
        {
            const SimdOff off;
            joseph->backAccumulate(y, 0, c.geometry.viewCount(), 0.5f, portable);
        }
        EXPECT_GT(*std::max_element(portable.data().begin(), portable.data().end()), 0.0f)
            << c.name;
        EXPECT_LT(maxDifferenceOverPeak(fast.data(), portable.data()), kPathTolerance) << c.name;
    }
}

TEST(SimdPaths, VoxelDrivenBackprojectionMatchesThePortableLoop)
{
    auto compute = ComputeContext::create("cpu");
    const auto voxel = makeProjector(ProjectorModel::VoxelDriven, *compute);
    for (const Case& c : cases()) {
        ProjectionStack y = ProjectionStack::zeros(c.geometry);
        test::fillRandom(y.data(), 6);
        Volume fast = Volume::zeros(c.grid);
        voxel->backAccumulate(y, 0, c.geometry.viewCount(), 0.5f, fast);
        Volume portable = Volume::zeros(c.grid);
        {
            const SimdOff off;
            voxel->backAccumulate(y, 0, c.geometry.viewCount(), 0.5f, portable);
        }
        EXPECT_GT(*std::max_element(portable.data().begin(), portable.data().end()), 0.0f)
            << c.name;
        EXPECT_LT(maxDifferenceOverPeak(fast.data(), portable.data()), c.tolerance) << c.name;
    }
}
} // namespace
} // namespace tomo

namespace tomo
{
namespace
{
TEST(SimdPaths, VoxelDriven2DBackprojectionMatchesThePortableLoop)
{
    // Parallel and flat fan beams, offset and truncated detectors, and a source 12 mm from the
    // isocentre inside the grid. Parallel beams read eight voxels' columns from an 8-float window
    // where the detector's pixels are wider than 0.71 voxels (1.6 mm), from a 16-float one where
    // they are down to about half that (0.75 mm: along rows or columns, with a positive or negative
    // slope, as the 40 views go round), and gather for narrower ones (0.1 mm).
    struct Case2D
    {
        const char* name;
        BeamType beam;
        Detector detector;
        double sid;
        double sdd;
        double tolerance;
        int views = 11;
    };
    const Detector fine{.columns = 61, .rows = 1, .pixelU = 0.9, .pixelV = 0.9, .offsetU = 2.5};
    const Detector coarse{.columns = 9, .rows = 1, .pixelU = 0.1, .pixelV = 0.1};
    const Detector wide{.columns = 41, .rows = 1, .pixelU = 1.6, .pixelV = 1.6, .offsetU = -1.5};
    const Detector narrow{.columns = 90, .rows = 1, .pixelU = 0.75, .pixelV = 0.75};
    // Detectors a fifth of the grid wide: each view's footprint covers a few groups of eight
    // voxels of a line, which the parallel passes sweep alone, without clamping.
    const Detector wideTruncated{
        .columns = 7, .rows = 1, .pixelU = 1.6, .pixelV = 1.6, .offsetU = 4.0};
    const Detector narrowTruncated{.columns = 15, .rows = 1, .pixelU = 0.75, .pixelV = 0.75};
    const std::vector<Case2D> cases{
        {"parallel", BeamType::Parallel2D, fine, 60.0, 120.0, kPathTolerance},
        {"parallel-narrow-pixels", BeamType::Parallel2D, coarse, 60.0, 120.0, kPathTolerance},
        {"parallel-wide-pixels", BeamType::Parallel2D, wide, 60.0, 120.0, kPathTolerance},
        {"parallel-window16", BeamType::Parallel2D, narrow, 60.0, 120.0, kPathTolerance, 40},
        {"parallel-wide-pixels-truncated", BeamType::Parallel2D, wideTruncated, 60.0, 120.0,
         kPathTolerance, 40},
        {"parallel-window16-truncated", BeamType::Parallel2D, narrowTruncated, 60.0, 120.0,
         kPathTolerance, 40},
        {"fan", BeamType::Fan2D, fine, 60.0, 120.0, kPathTolerance},
        {"fan-source-inside-grid", BeamType::Fan2D, fine, 12.0, 60.0, kNearSourceTolerance},
    };
    auto compute = ComputeContext::create("cpu");
    const auto voxel = makeProjector(ProjectorModel::VoxelDriven, *compute);
    const VolumeGrid grid = VolumeGrid::centred({37, 22, 1}, {1.5, 1.4, 1.0});
    for (const Case2D& c : cases) {
        const Geometry g = Geometry::circular(c.beam, c.detector,
                                              {.views = static_cast<std::size_t>(c.views),
                                               .angularRange = 2.0 * std::numbers::pi,
                                               .sourceIsocentre = c.sid,
                                               .sourceDetector = c.sdd});
        ProjectionStack y = ProjectionStack::zeros(g);
        test::fillRandom(y.data(), 9);
        Volume fast = Volume::zeros(grid);
        voxel->backAccumulate(y, 0, g.viewCount(), 0.5f, fast);
        Volume portable = Volume::zeros(grid);
        {
            const SimdOff off;
            voxel->backAccumulate(y, 0, g.viewCount(), 0.5f, portable);
        }
        EXPECT_GT(*std::max_element(portable.data().begin(), portable.data().end()), 0.0f)
            << c.name;
        EXPECT_LT(maxDifferenceOverPeak(fast.data(), portable.data()), c.tolerance) << c.name;
    }
}

#if TOMO_HAVE_AVX2_PATH
/// splatIntoWindow on eight lanes given as arrays, into a 16-float window.
TOMO_TARGET_AVX2 void splat(const int* rel, const float* lower, const float* upper, bool rising,
                            float* window)
{
    __m256 low;
    __m256 high;
    detail::splatIntoWindow(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(rel)),
                            _mm256_loadu_ps(lower), _mm256_loadu_ps(upper), rising, low, high);
    _mm256_storeu_ps(window, low);
    _mm256_storeu_ps(window + 8, high);
}
#endif

TEST(SimdPaths, WindowSplatAddsEachLaneAtItsIndexAndTheNext)
{
#if TOMO_HAVE_AVX2_PATH
    if (!detail::useAvx2()) {
        GTEST_SKIP() << "no AVX2 on this processor";
    }
    // Prefix sums of eight lanes, then differences: a few float roundings of the largest sum.
    constexpr double kSplatTolerance = 1e-6;
    std::mt19937 random(11);
    std::uniform_int_distribution<int> step(0, 2);
    std::uniform_real_distribution<float> value(-1.0f, 1.0f);
    for (int trial = 0; trial < 2000; ++trial) {
        // Monotone indices from 0, rising by 0 to 2 (lanes sharing a voxel, lanes a voxel
        // apart, gaps); every fourth trial spreads to the largest index the window takes, 14.
        int rel[8] = {0};
        for (int lane = 1; lane < 8; ++lane) {
            rel[lane] = rel[lane - 1] + (trial % 4 == 0 ? 2 : step(random));
        }
        rel[7] = std::min(rel[7], 14);
        rel[6] = std::min(rel[6], rel[7]);
        float lower[8];
        float upper[8];
        for (int lane = 0; lane < 8; ++lane) {
            lower[lane] = value(random);
            upper[lane] = value(random);
        }
        const bool rising = trial % 2 == 0;
        if (!rising) { // the same lanes in falling order
            std::reverse(rel, rel + 8);
            std::reverse(lower, lower + 8);
            std::reverse(upper, upper + 8);
        }
        double expected[16] = {};
        double scale = 0.0;
        for (int lane = 0; lane < 8; ++lane) {
            expected[rel[lane]] += lower[lane];
            expected[rel[lane] + 1] += upper[lane];
            scale += std::abs(lower[lane]) + std::abs(upper[lane]);
        }
        float window[16];
        splat(rel, lower, upper, rising, window);
        for (int p = 0; p < 16; ++p) {
            ASSERT_NEAR(window[p], expected[p], kSplatTolerance * scale)
                << "trial " << trial << ", index " << p;
        }
    }
#else
    GTEST_SKIP() << "no AVX2 path in this build";
#endif
}
} // namespace
} // namespace tomo
