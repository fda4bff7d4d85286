#include "tomo/spatial.h"

#include "tomo/error.h"
#include "tomo/io.h"

#include <array>
#include <cstddef>
#include <string>
#include <vector>

namespace tomo
{
namespace
{
// World axis and sign of a code letter in ITK's LPS frame: x to the left, y posterior, z up.
bool letterAxis(char letter, std::size_t& axis, bool& positive)
{
    constexpr std::string_view kPositive = "LPS";
    constexpr std::string_view kNegative = "RAI";
    for (std::size_t a = 0; a < 3; ++a) {
        if (letter == kPositive[a] || letter == kNegative[a]) {
            axis = a;
            positive = letter == kPositive[a];
            return true;
        }
    }
    return false;
}
} // namespace

Volume reorient(const Volume& volume, std::string_view code)
{
    const std::string accepted =
        "three letters naming where the index axes point, one of L/R, one of P/A and one of S/I "
        "(e.g. RAS, LPS, RAI, LPI, RPS, LAS, RPI, LAI)";
    std::array<std::size_t, 3> targetAxis{};
    std::array<bool, 3> targetPositive{};
    std::array<bool, 3> used{};
    bool valid = code.size() == 3;
    for (std::size_t t = 0; valid && t < 3; ++t) {
        valid = letterAxis(code[t], targetAxis[t], targetPositive[t]) && !used[targetAxis[t]];
        if (valid) {
            used[targetAxis[t]] = true;
        }
    }
    if (!valid) {
        throwInvalid("orientation", "\"" + std::string(code) + "\"", accepted);
    }
    const VolumeGrid& g = volume.grid();
    const auto& m = g.direction();
    const std::string own = orientationCode(m);
    // Source axis c serves the target axis t whose world axis its own letter names.
    std::array<std::size_t, 3> source{};
    std::array<bool, 3> flip{};
    for (std::size_t c = 0; c < 3; ++c) {
        std::size_t axis = 0;
        bool positive = true;
        (void)letterAxis(own[c], axis, positive);
        for (std::size_t t = 0; t < 3; ++t) {
            if (targetAxis[t] == axis) {
                source[t] = c;
                flip[t] = positive != targetPositive[t];
            }
        }
    }
    std::array<std::size_t, 3> size{};
    std::array<double, 3> spacing{};
    std::array<double, 9> direction{};
    std::array<double, 3> firstIndex{}; // source index of the new voxel (0, 0, 0)
    for (std::size_t t = 0; t < 3; ++t) {
        const std::size_t c = source[t];
        size[t] = g.size()[c];
        spacing[t] = g.spacing()[c];
        for (std::size_t r = 0; r < 3; ++r) {
            direction[3 * r + t] = (flip[t] ? -1.0 : 1.0) * m[3 * r + c];
        }
        firstIndex[c] = flip[t] ? static_cast<double>(g.size()[c] - 1) : 0.0;
    }
    const VolumeGrid out = VolumeGrid::make(
        size, spacing, g.voxelCentre(firstIndex[0], firstIndex[1], firstIndex[2]), direction);
    std::vector<float> data(volume.data().size());
    std::array<std::size_t, 3> i{};
    for (i[2] = 0; i[2] < size[2]; ++i[2]) {
        for (i[1] = 0; i[1] < size[1]; ++i[1]) {
            for (i[0] = 0; i[0] < size[0]; ++i[0]) {
                std::array<std::size_t, 3> from{};
                for (std::size_t t = 0; t < 3; ++t) {
                    from[source[t]] = flip[t] ? size[t] - 1 - i[t] : i[t];
                }
                data[out.linearIndex(i[0], i[1], i[2])] = volume.at(from[0], from[1], from[2]);
            }
        }
    }
    return Volume::fromData(out, std::move(data));
}
} // namespace tomo
