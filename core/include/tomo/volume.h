#pragma once

#include "tomo/vec3.h"

#include <array>
#include <cstddef>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
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

/// The imaging modality an image came from (DICOM's (0008,0060) for the three we read).
enum class Modality
{
    Unknown,
    CT,
    MR,
    PET,
};

/// What a volume's values are.
enum class ValueUnit
{
    Unknown,      ///< not stated (a file without Tomoscope's keys; MR and PET images)
    MuPerMm,      ///< linear attenuation coefficient, mm⁻¹ (reconstructions, phantoms)
    Hu,           ///< Hounsfield units (DICOM CT; `--hu` outputs)
    LineIntegral, ///< ∫μ dl, dimensionless (projection stacks)
    Counts,       ///< detector readings in photon units (simulate --raw)
};

[[nodiscard]] std::string_view toString(Modality modality);
[[nodiscard]] std::string_view toString(ValueUnit unit);
/// Parses "CT", "MR", "PET", "unknown" (any case). nullopt for anything else.
[[nodiscard]] std::optional<Modality> parseModality(std::string_view text);
/// Parses "mu_per_mm", "HU", "line_integral", "unknown". nullopt for anything else.
[[nodiscard]] std::optional<ValueUnit> parseValueUnit(std::string_view text);

/// What an image says about itself besides its grid: modality, subtype, value unit and a
/// dictionary of text entries. The writers store it in the file (MetaImage, NRRD, HDF5: header
/// keys; NIfTI: a JSON sidecar; DICOM: tags) and the readers give it back, so provenance (the
/// scene, the algorithm and its parameters, the program version; keys in kProvenanceKeys) survives
/// a round trip.
struct ImageMeta
{
    Modality modality = Modality::Unknown;
    std::string subtype; ///< free text: "reconstruction", "phantom", "projections", "AXIAL"...
    ValueUnit unit = ValueUnit::Unknown;
    std::map<std::string, std::string> dictionary;

    friend bool operator==(const ImageMeta&, const ImageMeta&) = default;
};

/// Dictionary keys Tomoscope writes into every output it makes (provenance).
namespace meta_key
{
inline constexpr std::string_view kVersion = "tomoscope_version";
inline constexpr std::string_view kScene = "tomoscope_scene";
inline constexpr std::string_view kAlgorithm = "tomoscope_algorithm";
inline constexpr std::string_view kParameters = "tomoscope_parameters"; ///< JSON text
inline constexpr std::string_view kSource = "tomoscope_source"; ///< input file(s) it came from
} // namespace meta_key

/// A float volume on a VolumeGrid, values in the unit its meta() states (μ in mm⁻¹ for
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

    [[nodiscard]] const ImageMeta& meta() const { return m_meta; }
    [[nodiscard]] ImageMeta& meta() { return m_meta; }

    friend bool operator==(const Volume&, const Volume&) = default;

private:
    Volume(VolumeGrid grid, std::vector<float> data) : m_grid(grid), m_data(std::move(data)) {}
    VolumeGrid m_grid;
    std::vector<float> m_data;
    ImageMeta m_meta;
};
} // namespace tomo
