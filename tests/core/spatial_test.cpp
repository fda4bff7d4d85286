// Reorientation: exact re-indexing that keeps every voxel where it is in the world.
#include "tomo/error.h"
#include "tomo/io.h"
#include "tomo/spatial.h"

#include <gtest/gtest.h>

#include <algorithm>
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
