#pragma once

#include "tomo/vec3.h"

#include <array>
#include <cstddef>
#include <span>
#include <utility>
#include <vector>

namespace tomo
{
/// The sampling grid of a volume (DESIGN.md §4). Voxel (i, j, k) has its centre at
/// origin + direction * (i*sx, j*sy, k*sz), in mm. Memory order is x fastest, then y, then z:
/// index = i + nx*(j + ny*k). A 2D image is a grid with nz = 1.
class VolumeGrid
{
public:
    /// A grid of `size` voxels of `spacingMm` centred on the isocentre
    /// (origin = -(n-1)/2 * spacing per axis), identity direction.
    /// Throws InvalidArgument if a size is 0 or a spacing is not finite and positive.
    [[nodiscard]] static VolumeGrid centred(std::array<std::size_t, 3> size,
                                            std::array<double, 3> spacingMm);

    /// A grid with an explicit origin (centre of voxel (0,0,0), mm) and direction cosines
    /// (columns are the world directions of the i, j, k axes; must be orthonormal).
    /// Throws InvalidArgument for a zero size, a non-positive or non-finite spacing, a
    /// non-finite origin or a direction matrix that is not orthonormal.
    [[nodiscard]] static VolumeGrid
    make(std::array<std::size_t, 3> size, std::array<double, 3> spacingMm, Vec3 originMm,
         std::array<double, 9> direction = {1, 0, 0, 0, 1, 0, 0, 0, 1});

    [[nodiscard]] const std::array<std::size_t, 3>& size() const { return m_size; }
    [[nodiscard]] const std::array<double, 3>& spacing() const { return m_spacing; }
    [[nodiscard]] Vec3 origin() const { return m_origin; }
    /// Row-major 3x3 direction matrix; column c is the world direction of index axis c.
    [[nodiscard]] const std::array<double, 9>& direction() const { return m_direction; }
    [[nodiscard]] std::size_t voxelCount() const { return m_size[0] * m_size[1] * m_size[2]; }
    [[nodiscard]] bool is2D() const { return m_size[2] == 1; }

    /// World position (mm) of the centre of voxel (i, j, k); indices may be fractional.
    [[nodiscard]] Vec3 voxelCentre(double i, double j, double k) const;

    [[nodiscard]] std::size_t linearIndex(std::size_t i, std::size_t j, std::size_t k) const
    {
        return i + m_size[0] * (j + m_size[1] * k);
    }

    friend bool operator==(const VolumeGrid&, const VolumeGrid&) = default;

private:
    VolumeGrid() = default;
    std::array<std::size_t, 3> m_size{};
    std::array<double, 3> m_spacing{};
    Vec3 m_origin;
    std::array<double, 9> m_direction{1, 0, 0, 0, 1, 0, 0, 0, 1};
};

/// A float volume on a VolumeGrid, values in the unit the producer states (μ in mm⁻¹ for
/// reconstructions). Regular type; share across threads only as std::shared_ptr<const Volume>.
class Volume
{
public:
    /// A volume of zeros on `grid`.
    [[nodiscard]] static Volume zeros(const VolumeGrid& grid);

    /// A volume taking `data` (size must equal grid.voxelCount()).
    /// Throws InvalidArgument if the sizes differ.
    [[nodiscard]] static Volume fromData(const VolumeGrid& grid, std::vector<float> data);

    [[nodiscard]] const VolumeGrid& grid() const { return m_grid; }
    [[nodiscard]] std::span<float> data() { return m_data; }
    [[nodiscard]] std::span<const float> data() const { return m_data; }
    /// The voxels moved out of a volume about to be dropped (fromData's inverse, no copy).
    [[nodiscard]] std::vector<float> takeData() && { return std::move(m_data); }
    [[nodiscard]] float& at(std::size_t i, std::size_t j, std::size_t k)
    {
        return m_data[m_grid.linearIndex(i, j, k)];
    }
    [[nodiscard]] float at(std::size_t i, std::size_t j, std::size_t k) const
    {
        return m_data[m_grid.linearIndex(i, j, k)];
    }

    friend bool operator==(const Volume&, const Volume&) = default;

private:
    Volume(VolumeGrid grid, std::vector<float> data) : m_grid(grid), m_data(std::move(data)) {}
    VolumeGrid m_grid;
    std::vector<float> m_data;
};
} // namespace tomo
