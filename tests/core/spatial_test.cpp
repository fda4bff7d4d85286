// Reorientation: exact re-indexing that keeps every voxel where it is in the world.
#include "tomo/error.h"
#include "tomo/io.h"
#include "tomo/spatial.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <string>

namespace tomo
{
namespace
{
// World positions of voxel centres after re-indexing: origin and direction products of
// doubles, exact to rounding.
constexpr double kPositionTolerance = 1e-9; // mm

Volume markedVolume()
{
    const VolumeGrid g = VolumeGrid::make({5, 4, 3}, {0.5, 0.75, 2.0}, {-10.0, 3.5, 7.25});
    Volume v = Volume::zeros(g);
    v.at(1, 2, 0) = 7.0f;
    v.at(4, 0, 2) = 3.0f;
    return v;
}

// The index of the voxel holding `value` (unique in these volumes).
std::array<std::size_t, 3> find(const Volume& v, float value)
{
    const auto& n = v.grid().size();
    for (std::size_t k = 0; k < n[2]; ++k) {
        for (std::size_t j = 0; j < n[1]; ++j) {
            for (std::size_t i = 0; i < n[0]; ++i) {
                if (v.at(i, j, k) == value) {
                    return {i, j, k};
                }
            }
        }
    }
    return {99, 99, 99};
}

TEST(Reorient, MovesAMarkedVoxelToThePredictedIndexAndKeepsItsWorldPosition)
{
    const Volume v = markedVolume();
    const Vec3 marked = v.grid().voxelCentre(1, 2, 0);
    // LPS → RAS flips x and y: (1, 2, 0) → (5 − 1 − 1, 4 − 1 − 2, 0).
    const Volume ras = reorient(v, "RAS");
    EXPECT_EQ(orientationCode(ras.grid().direction()), "RAS");
    EXPECT_EQ(find(ras, 7.0f), (std::array<std::size_t, 3>{3, 1, 0}));
    // A permutation: i along y, j along z, k along x; sizes and spacings follow their axes.
    const Volume psl = reorient(v, "PSL");
    EXPECT_EQ(psl.grid().size(), (std::array<std::size_t, 3>{4, 3, 5}));
    EXPECT_DOUBLE_EQ(psl.grid().spacing()[0], 0.75);
    EXPECT_EQ(find(psl, 7.0f), (std::array<std::size_t, 3>{2, 0, 1}));
    for (const char* code :
         {"RAS", "LPS", "RAI", "LPI", "RPS", "LAS", "RPI", "LAI", "PSL", "IRA"}) {
        const Volume r = reorient(v, code);
        EXPECT_EQ(orientationCode(r.grid().direction()), code);
        for (float value : {7.0f, 3.0f}) {
            const auto at = find(r, value);
            const Vec3 p = r.grid().voxelCentre(
                static_cast<double>(at[0]), static_cast<double>(at[1]), static_cast<double>(at[2]));
            const auto orig = find(v, value);
            const Vec3 q =
                v.grid().voxelCentre(static_cast<double>(orig[0]), static_cast<double>(orig[1]),
                                     static_cast<double>(orig[2]));
            EXPECT_NEAR(norm(p - q), 0.0, kPositionTolerance) << code << " value " << value;
        }
        // And back: the original volume, voxel for voxel.
        EXPECT_EQ(reorient(r, "LPS"), v) << code;
    }
    EXPECT_NEAR(norm(ras.grid().voxelCentre(3, 1, 0) - marked), 0.0, kPositionTolerance);
}

TEST(Reorient, RefusesCodesThatDoNotNameEachAxisOnce)
{
    const Volume v = markedVolume();
    for (const char* bad : {"LLS", "RAX", "RA", "RASL", "lps"}) {
        try {
            (void)reorient(v, bad);
            ADD_FAILURE() << bad;
        } catch (const InvalidArgument& e) {
            EXPECT_NE(std::string(e.what()).find("orientation = \"" + std::string(bad) + "\""),
                      std::string::npos)
                << e.what();
        }
    }
}
} // namespace
} // namespace tomo

namespace tomo
{
namespace
{
// A Gaussian blob of σ = 3 mm centred at `centre` on `grid`.
Volume blob(const VolumeGrid& grid, Vec3 centre)
{
    Volume v = Volume::zeros(grid);
    const auto& n = grid.size();
    for (std::size_t k = 0; k < n[2]; ++k) {
        for (std::size_t j = 0; j < n[1]; ++j) {
            for (std::size_t i = 0; i < n[0]; ++i) {
                const Vec3 p = grid.voxelCentre(static_cast<double>(i), static_cast<double>(j),
                                                static_cast<double>(k));
                const Vec3 d = p - centre;
                v.at(i, j, k) = static_cast<float>(std::exp(-dot(d, d) / (2.0 * 9.0)));
            }
        }
    }
    return v;
}

Vec3 centroid(const Volume& v)
{
    const auto& n = v.grid().size();
    Vec3 sum;
    double weight = 0.0;
    for (std::size_t k = 0; k < n[2]; ++k) {
        for (std::size_t j = 0; j < n[1]; ++j) {
            for (std::size_t i = 0; i < n[0]; ++i) {
                const double w = v.at(i, j, k);
                sum = sum + v.grid().voxelCentre(static_cast<double>(i), static_cast<double>(j),
                                                 static_cast<double>(k)) *
                                w;
                weight += w;
            }
        }
    }
    return sum * (1.0 / weight);
}

TEST(Resample, OntoAShiftedRotatedGridKeepsAMarkedPointWhereItIs)
{
    // A smooth blob at P on an axis-aligned grid, resampled (linear and B-spline) onto a grid
    // turned 30 deg about z and 20 deg about x, shifted and with other spacings: its centroid
    // stays at P. Tolerance: a tenth of the coarser spacing (the blob's sampling moves the
    // centroid by far less; a wrong direction convention moves it by millimetres).
    constexpr double kCentroidTolerance = 0.15; // mm
    const VolumeGrid source = VolumeGrid::make({40, 40, 30}, {1.0, 1.0, 1.2}, {-20, -18, -15});
    const Vec3 p{3.5, -2.0, 4.0};
    const Volume v = blob(source, p);
    const double a = 30.0 * 3.14159265358979 / 180.0;
    const double b = 20.0 * 3.14159265358979 / 180.0;
    // R = Rz(a)·Rx(b), row-major; columns are the new index axes.
    const std::array<double, 9> r{std::cos(a),
                                  -std::sin(a) * std::cos(b),
                                  std::sin(a) * std::sin(b),
                                  std::sin(a),
                                  std::cos(a) * std::cos(b),
                                  -std::cos(a) * std::sin(b),
                                  0.0,
                                  std::sin(b),
                                  std::cos(b)};
    const VolumeGrid target = VolumeGrid::make({36, 34, 30}, {1.3, 1.1, 1.0}, {-12, -25, -8}, r);
    for (Interpolation i : {Interpolation::Linear, Interpolation::BSpline}) {
        const Volume out = resample(v, target, i);
        EXPECT_EQ(out.grid(), target);
        EXPECT_LT(norm(centroid(out) - p), kCentroidTolerance) << toString(i);
    }
    EXPECT_LT(norm(centroid(v) - p), kCentroidTolerance);
}

TEST(Resample, NearestKeepsLabelsAndTheIdentityKeepsValues)
{
    const Volume labels = markedVolume();
    const VolumeGrid finer = withSpacing(labels.grid(), {0.25, 0.25, 0.5});
    const Volume out = resample(labels, finer, Interpolation::Nearest);
    for (float value : out.data()) {
        EXPECT_TRUE(value == 0.0f || value == 7.0f || value == 3.0f) << value;
    }
    EXPECT_GT(*std::max_element(out.data().begin(), out.data().end()), 6.0f);
    // On its own grid, linear resampling returns the voxels themselves.
    EXPECT_EQ(resample(labels, labels.grid(), Interpolation::Linear), labels);
    EXPECT_EQ(parseInterpolation("bspline"), Interpolation::BSpline);
    EXPECT_THROW((void)parseInterpolation("cubic"), InvalidArgument);
}

TEST(Resample, WithSpacingCoversTheSameBox)
{
    const VolumeGrid g = VolumeGrid::make({100, 50, 3}, {1.0, 2.0, 4.0}, {-49.5, -49.0, 0.0});
    const VolumeGrid h = withSpacing(g, {2.0, 1.0, 4.0});
    EXPECT_EQ(h.size(), (std::array<std::size_t, 3>{50, 100, 3}));
    // The outer edge of voxel 0 stays at x = -50 and y = -50.
    EXPECT_NEAR(h.origin().x - 1.0, -50.0, 1e-12);
    EXPECT_NEAR(h.origin().y - 0.5, -50.0, 1e-12);
    EXPECT_THROW((void)withSpacing(g, {0.0, 1.0, 1.0}), InvalidArgument);
}

TEST(Crop, KeepsEachKeptVoxelWhereItIsAndRefusesBoxesOutside)
{
    Volume v = markedVolume();
    v.meta().unit = ValueUnit::Hu;
    const Volume c = crop(v, {1, 1, 0}, {4, 3, 3});
    EXPECT_EQ(c.grid().size(), (std::array<std::size_t, 3>{4, 3, 3}));
    EXPECT_EQ(find(c, 7.0f), (std::array<std::size_t, 3>{0, 1, 0}));
    const Vec3 before = v.grid().voxelCentre(1, 2, 0);
    const Vec3 after = c.grid().voxelCentre(0, 1, 0);
    EXPECT_LT(norm(after - before), kPositionTolerance);
    EXPECT_EQ(c.meta().unit, ValueUnit::Hu);
    EXPECT_THROW((void)crop(v, {1, 0, 0}, {5, 1, 1}), InvalidArgument) << "past the end";
    EXPECT_THROW((void)crop(v, {0, 0, 3}, {1, 1, 1}), InvalidArgument) << "begins outside";
    EXPECT_THROW((void)crop(v, {0, 0, 0}, {0, 1, 1}), InvalidArgument) << "empty";
}

TEST(Pad, AddsVoxelsAroundAndCropUndoesIt)
{
    const Volume v = markedVolume();
    const Volume p = pad(v, {2, 0, 1}, {1, 3, 0}, -1000.0f);
    EXPECT_EQ(p.grid().size(), (std::array<std::size_t, 3>{8, 7, 4}));
    EXPECT_EQ(find(p, 3.0f), (std::array<std::size_t, 3>{6, 0, 3}));
    EXPECT_LT(norm(p.grid().voxelCentre(6, 0, 3) - v.grid().voxelCentre(4, 0, 2)),
              kPositionTolerance);
    EXPECT_EQ(p.at(0, 0, 0), -1000.0f);
    const Volume back = crop(p, {2, 0, 1}, v.grid().size());
    EXPECT_EQ(back.data().size(), v.data().size());
    EXPECT_TRUE(std::ranges::equal(back.data(), v.data()));
    EXPECT_LT(norm(back.grid().origin() - v.grid().origin()), kPositionTolerance);
}

TEST(Translate, MovesTheGridAndNotTheVoxels)
{
    const Volume v = markedVolume();
    const Volume t = translate(v, {1.5, -2.0, 30.0});
    EXPECT_TRUE(std::ranges::equal(t.data(), v.data()));
    EXPECT_LT(norm(t.grid().voxelCentre(1, 2, 0) -
                   (v.grid().voxelCentre(1, 2, 0) + Vec3{1.5, -2.0, 30.0})),
              kPositionTolerance);
    EXPECT_THROW((void)translate(v, {std::nan(""), 0, 0}), InvalidArgument);
}

TEST(RotateGrid, TurnsEveryVoxelCentreAboutTheAxisThroughTheCentre)
{
    const VolumeGrid g = markedVolume().grid();
    const Vec3 c{1.0, 2.0, 3.0};
    const double angle = 0.3;
    const VolumeGrid r = rotateGrid(g, {0, 0, 2}, angle, c);
    for (const auto& [i, j, k] : {std::array<double, 3>{0, 0, 0}, {4, 3, 2}, {2, 1, 0}}) {
        const Vec3 d = g.voxelCentre(i, j, k) - c;
        const Vec3 expected = c + Vec3{std::cos(angle) * d.x - std::sin(angle) * d.y,
                                       std::sin(angle) * d.x + std::cos(angle) * d.y, d.z};
        EXPECT_LT(norm(r.voxelCentre(i, j, k) - expected), kPositionTolerance);
    }
    // About an oblique axis, points on the axis stay put and distances to it are kept.
    const Vec3 axis{1, 1, 1};
    const VolumeGrid o = rotateGrid(g, axis, 1.1, c);
    const Vec3 p = g.voxelCentre(3, 1, 2);
    const Vec3 q = o.voxelCentre(3, 1, 2);
    const Vec3 k = axis * (1.0 / norm(axis));
    EXPECT_NEAR(dot(p - c, k), dot(q - c, k), kPositionTolerance);
    EXPECT_NEAR(norm(p - c), norm(q - c), kPositionTolerance);
    EXPECT_THROW((void)rotateGrid(g, {0, 0, 0}, 1.0, c), InvalidArgument);
}

TEST(RotateAndScale, MoveABlobToThePredictedPlaceOnItsOwnGrid)
{
    // As in Resample: a tenth of a voxel on a σ = 3 mm blob.
    constexpr double kCentroidTolerance = 0.15; // mm
    const VolumeGrid g = VolumeGrid::make({48, 48, 24}, {1.0, 1.0, 1.5}, {-23.5, -23.5, -17.25});
    const Vec3 p{8.0, -3.0, 2.0};
    Volume v = blob(g, p);
    v.meta().subtype = "blob";
    const Vec3 c{1.0, 1.0, 0.0};
    // 90° about z through c: (x, y) - c -> (-(y - cy), x - cx).
    const Volume r = rotate(v, {0, 0, 1}, M_PI / 2.0, c, Interpolation::Linear);
    EXPECT_EQ(r.grid(), g);
    EXPECT_EQ(r.meta().subtype, "blob");
    const Vec3 turned{c.x - (p.y - c.y), c.y + (p.x - c.x), p.z};
    EXPECT_LT(norm(centroid(r) - turned), kCentroidTolerance);
    // Scaled by 1.5 along x and 0.8 along z about c.
    const Volume s = scale(v, {1.5, 1.0, 0.8}, c, Interpolation::BSpline);
    const Vec3 stretched{c.x + 1.5 * (p.x - c.x), p.y, c.z + 0.8 * (p.z - c.z)};
    EXPECT_LT(norm(centroid(s) - stretched), kCentroidTolerance);
    EXPECT_THROW((void)scale(v, {1.0, 0.0, 1.0}, c, Interpolation::Linear), InvalidArgument);
    EXPECT_LT(norm(gridCentre(g) - Vec3{0.0, 0.0, 0.0}), kPositionTolerance);
}
} // namespace
} // namespace tomo
