#include "tomo/volume.h"

#include "tomo/error.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <string>

namespace tomo
{
namespace
{
const char* const kAxisNames[3] = {"x", "y", "z"};

void validateSizeAndSpacing(const std::array<std::size_t, 3>& size,
                            const std::array<double, 3>& spacing)
{
    for (int a = 0; a < 3; ++a) {
        if (size[a] == 0) {
            throwInvalid(std::string("grid.size.") + kAxisNames[a], "0",
                         "each grid size must be at least 1 voxel");
        }
        if (!std::isfinite(spacing[a]) || spacing[a] <= 0.0) {
            throwInvalid(std::string("grid.spacing.") + kAxisNames[a] + " (mm)",
                         formatValue(spacing[a]), "spacing must be a finite length > 0 mm");
        }
    }
}
} // namespace

VolumeGrid VolumeGrid::centred(std::array<std::size_t, 3> size, std::array<double, 3> spacingMm)
{
    validateSizeAndSpacing(size, spacingMm);
    Vec3 origin;
    origin.x = -0.5 * (static_cast<double>(size[0]) - 1.0) * spacingMm[0];
    origin.y = -0.5 * (static_cast<double>(size[1]) - 1.0) * spacingMm[1];
    origin.z = -0.5 * (static_cast<double>(size[2]) - 1.0) * spacingMm[2];
    return make(size, spacingMm, origin);
}

VolumeGrid VolumeGrid::make(std::array<std::size_t, 3> size, std::array<double, 3> spacingMm,
                            Vec3 originMm, std::array<double, 9> direction)
{
    validateSizeAndSpacing(size, spacingMm);
    if (!isFinite(originMm)) {
        throwInvalid("grid.origin (mm)",
                     formatValue(originMm.x) + "," + formatValue(originMm.y) + "," +
                         formatValue(originMm.z),
                     "the origin must be finite");
    }
    // Columns of the row-major matrix must be orthonormal.
    constexpr double kOrthonormalTolerance = 1e-6; // direction cosines from files carry ~1e-7
    for (int a = 0; a < 3; ++a) {
        for (int b = a; b < 3; ++b) {
            double d = 0.0;
            for (int r = 0; r < 3; ++r) {
                d += direction[static_cast<std::size_t>(3 * r + a)] *
                     direction[static_cast<std::size_t>(3 * r + b)];
            }
            const double expected = a == b ? 1.0 : 0.0;
            if (!(std::abs(d - expected) <= kOrthonormalTolerance)) {
                throwInvalid("grid.direction", "column dot product " + formatValue(d),
                             "direction cosines must form an orthonormal matrix");
            }
        }
    }
    VolumeGrid grid;
    grid.m_size = size;
    grid.m_spacing = spacingMm;
    grid.m_origin = originMm;
    grid.m_direction = direction;
    return grid;
}

Vec3 VolumeGrid::voxelCentre(double i, double j, double k) const
{
    const double a = i * m_spacing[0];
    const double b = j * m_spacing[1];
    const double c = k * m_spacing[2];
    const auto& m = m_direction;
    return {m_origin.x + m[0] * a + m[1] * b + m[2] * c,
            m_origin.y + m[3] * a + m[4] * b + m[5] * c,
            m_origin.z + m[6] * a + m[7] * b + m[8] * c};
}

Volume Volume::zeros(const VolumeGrid& grid)
{
    return Volume(grid, std::vector<float>(grid.voxelCount(), 0.0f));
}

Volume Volume::fromData(const VolumeGrid& grid, std::vector<float> data)
{
    if (data.size() != grid.voxelCount()) {
        throwInvalid("volume data size", std::to_string(data.size()),
                     "must equal nx*ny*nz = " + std::to_string(grid.voxelCount()));
    }
    return Volume(grid, std::move(data));
}

std::string_view toString(Modality modality)
{
    switch (modality) {
    case Modality::CT:
        return "CT";
    case Modality::MR:
        return "MR";
    case Modality::PET:
        return "PET";
    case Modality::Unknown:
        break;
    }
    return "unknown";
}

std::string_view toString(ValueUnit unit)
{
    switch (unit) {
    case ValueUnit::MuPerMm:
        return "mu_per_mm";
    case ValueUnit::Hu:
        return "HU";
    case ValueUnit::LineIntegral:
        return "line_integral";
    case ValueUnit::Counts:
        return "counts";
    case ValueUnit::Unknown:
        break;
    }
    return "unknown";
}

namespace
{
bool equalsIgnoringCase(std::string_view a, std::string_view b)
{
    return std::ranges::equal(a, b, [](char x, char y) {
        return std::tolower(static_cast<unsigned char>(x)) ==
               std::tolower(static_cast<unsigned char>(y));
    });
}
} // namespace

std::optional<Modality> parseModality(std::string_view text)
{
    for (Modality m : {Modality::Unknown, Modality::CT, Modality::MR, Modality::PET}) {
        if (equalsIgnoringCase(text, toString(m))) {
            return m;
        }
    }
    // DICOM writes PET as "PT".
    if (equalsIgnoringCase(text, "PT")) {
        return Modality::PET;
    }
    return std::nullopt;
}

std::optional<ValueUnit> parseValueUnit(std::string_view text)
{
    for (ValueUnit u : {ValueUnit::Unknown, ValueUnit::MuPerMm, ValueUnit::Hu,
                        ValueUnit::LineIntegral, ValueUnit::Counts}) {
        if (equalsIgnoringCase(text, toString(u))) {
            return u;
        }
    }
    return std::nullopt;
}
} // namespace tomo
