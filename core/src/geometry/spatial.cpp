#include "tomo/spatial.h"

#include "tomo/error.h"
#include "tomo/io.h"

#include <algorithm>
#include <array>
#include <cmath>
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
    Volume result = Volume::fromData(out, std::move(data));
    result.meta() = volume.meta();
    return result;
}

namespace
{
const char* const kAxis[3] = {"x", "y", "z"};

Volume withMeta(Volume volume, const ImageMeta& meta)
{
    volume.meta() = meta;
    return volume;
}

void checkFinite(Vec3 v, const std::string& field)
{
    if (!isFinite(v)) {
        throwInvalid(field, formatValue(v.x) + "," + formatValue(v.y) + "," + formatValue(v.z),
                     "three finite numbers in mm");
    }
}
} // namespace

Vec3 gridCentre(const VolumeGrid& grid)
{
    const auto& n = grid.size();
    return grid.voxelCentre(0.5 * (static_cast<double>(n[0]) - 1.0),
                            0.5 * (static_cast<double>(n[1]) - 1.0),
                            0.5 * (static_cast<double>(n[2]) - 1.0));
}

Volume crop(const Volume& volume, std::array<std::size_t, 3> begin, std::array<std::size_t, 3> size)
{
    const VolumeGrid& g = volume.grid();
    for (std::size_t a = 0; a < 3; ++a) {
        if (size[a] == 0 || begin[a] >= g.size()[a] || size[a] > g.size()[a] - begin[a]) {
            throwInvalid(std::string("crop.") + kAxis[a],
                         "first " + std::to_string(begin[a]) + ", size " + std::to_string(size[a]),
                         "a box of at least one voxel inside the volume's " +
                             std::to_string(g.size()[a]) + " voxels");
        }
    }
    const VolumeGrid out =
        VolumeGrid::make(size, g.spacing(),
                         g.voxelCentre(static_cast<double>(begin[0]), static_cast<double>(begin[1]),
                                       static_cast<double>(begin[2])),
                         g.direction());
    std::vector<float> data(out.voxelCount());
    for (std::size_t k = 0; k < size[2]; ++k) {
        for (std::size_t j = 0; j < size[1]; ++j) {
            const float* row =
                volume.data().data() + g.linearIndex(begin[0], begin[1] + j, begin[2] + k);
            std::copy(row, row + size[0],
                      data.begin() + static_cast<std::ptrdiff_t>(out.linearIndex(0, j, k)));
        }
    }
    return withMeta(Volume::fromData(out, std::move(data)), volume.meta());
}

Volume pad(const Volume& volume, std::array<std::size_t, 3> lower, std::array<std::size_t, 3> upper,
           float value)
{
    const VolumeGrid& g = volume.grid();
    std::array<std::size_t, 3> size{};
    for (std::size_t a = 0; a < 3; ++a) {
        size[a] = g.size()[a] + lower[a] + upper[a];
    }
    const VolumeGrid out = VolumeGrid::make(size, g.spacing(),
                                            g.voxelCentre(-static_cast<double>(lower[0]),
                                                          -static_cast<double>(lower[1]),
                                                          -static_cast<double>(lower[2])),
                                            g.direction());
    std::vector<float> data(out.voxelCount(), value);
    const auto& n = g.size();
    for (std::size_t k = 0; k < n[2]; ++k) {
        for (std::size_t j = 0; j < n[1]; ++j) {
            const float* row = volume.data().data() + g.linearIndex(0, j, k);
            std::copy(row, row + n[0],
                      data.begin() + static_cast<std::ptrdiff_t>(
                                         out.linearIndex(lower[0], lower[1] + j, lower[2] + k)));
        }
    }
    return withMeta(Volume::fromData(out, std::move(data)), volume.meta());
}

Volume withGrid(Volume volume, const VolumeGrid& grid)
{
    ImageMeta meta = std::move(volume.meta());
    return withMeta(Volume::fromData(grid, std::move(volume).takeData()), meta);
}

Volume translate(const Volume& volume, Vec3 offsetMm)
{
    checkFinite(offsetMm, "translation (mm)");
    const VolumeGrid& g = volume.grid();
    return withGrid(volume,
                    VolumeGrid::make(g.size(), g.spacing(), g.origin() + offsetMm, g.direction()));
}

VolumeGrid rotateGrid(const VolumeGrid& grid, Vec3 axis, double angleRad, Vec3 centreMm)
{
    checkFinite(axis, "rotation axis");
    checkFinite(centreMm, "rotation centre (mm)");
    const double length = norm(axis);
    if (!(length > 0.0)) {
        throwInvalid("rotation axis", "0,0,0", "a direction: x, y, z or three numbers not all 0");
    }
    if (!std::isfinite(angleRad)) {
        throwInvalid("rotation angle", formatValue(angleRad), "a finite angle");
    }
    // Rodrigues: R = cI + s[k]x + (1 - c) k kᵀ.
    const Vec3 k = axis * (1.0 / length);
    const double c = std::cos(angleRad);
    const double s = std::sin(angleRad);
    const std::array<double, 9> r = {
        c + (1 - c) * k.x * k.x,       (1 - c) * k.x * k.y - s * k.z, (1 - c) * k.x * k.z + s * k.y,
        (1 - c) * k.y * k.x + s * k.z, c + (1 - c) * k.y * k.y,       (1 - c) * k.y * k.z - s * k.x,
        (1 - c) * k.z * k.x - s * k.y, (1 - c) * k.z * k.y + s * k.x, c + (1 - c) * k.z * k.z};
    const auto turn = [&](Vec3 v) {
        return Vec3{r[0] * v.x + r[1] * v.y + r[2] * v.z, r[3] * v.x + r[4] * v.y + r[5] * v.z,
                    r[6] * v.x + r[7] * v.y + r[8] * v.z};
    };
    const auto& m = grid.direction();
    std::array<double, 9> direction{};
    for (std::size_t col = 0; col < 3; ++col) {
        const Vec3 turned = turn({m[col], m[3 + col], m[6 + col]});
        direction[col] = turned.x;
        direction[3 + col] = turned.y;
        direction[6 + col] = turned.z;
    }
    return VolumeGrid::make(grid.size(), grid.spacing(), centreMm + turn(grid.origin() - centreMm),
                            direction);
}

VolumeGrid scaleGrid(const VolumeGrid& grid, std::array<double, 3> factors, Vec3 centreMm)
{
    checkFinite(centreMm, "scale centre (mm)");
    const auto& m = grid.direction();
    std::array<double, 3> spacing{};
    const Vec3 offset = grid.origin() - centreMm;
    Vec3 origin = centreMm;
    for (std::size_t a = 0; a < 3; ++a) {
        if (!std::isfinite(factors[a]) || factors[a] <= 0.0) {
            throwInvalid(std::string("scale.") + kAxis[a], formatValue(factors[a]),
                         "a finite factor above 0");
        }
        spacing[a] = grid.spacing()[a] * factors[a];
        // The offset's component along index axis a, scaled along that axis.
        const Vec3 column{m[a], m[3 + a], m[6 + a]};
        origin = origin + column * (factors[a] * dot(column, offset));
    }
    return VolumeGrid::make(grid.size(), spacing, origin, m);
}

Volume rotate(const Volume& volume, Vec3 axis, double angleRad, Vec3 centreMm,
              Interpolation interpolation, float outside)
{
    // resample keeps the meta.
    return resample(withGrid(volume, rotateGrid(volume.grid(), axis, angleRad, centreMm)),
                    volume.grid(), interpolation, outside);
}

Volume scale(const Volume& volume, std::array<double, 3> factors, Vec3 centreMm,
             Interpolation interpolation, float outside)
{
    return resample(withGrid(volume, scaleGrid(volume.grid(), factors, centreMm)), volume.grid(),
                    interpolation, outside);
}
} // namespace tomo
