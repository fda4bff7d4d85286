// The scene's object as a run uses it: an analytic phantom, or a CT volume read, converted to μ,
// made axis-aligned and placed.
#include "tomo/error.h"
#include "tomo/io.h"
#include "tomo/log.h"
#include "tomo/materials.h"
#include "tomo/pipeline.h"
#include "tomo/recon.h"
#include "tomo/spatial.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <functional>
#include <limits>
#include <string>
#include <utility>

namespace tomo
{
namespace
{
constexpr std::array<double, 9> kIdentity{1, 0, 0, 0, 1, 0, 0, 0, 1};

// DICOM writes direction cosines with about six decimals, so an axial series read back can be
// 1e-7 away from the axes. Within this the direction is taken as exactly the axes: the largest
// voxel shift that causes is kAxisTolerance × the volume's extent (5e-4 mm across 500 mm).
constexpr double kAxisTolerance = 1e-6;

bool nearlyIdentity(const std::array<double, 9>& direction)
{
    for (std::size_t i = 0; i < 9; ++i) {
        if (std::abs(direction[i] - kIdentity[i]) > kAxisTolerance) {
            return false;
        }
    }
    return true;
}

std::string millimetres(double value)
{
    std::array<char, 32> text{};
    std::snprintf(text.data(), text.size(), "%.4g mm", value);
    return text.data();
}

// `mu` on a grid with the identity direction: exactly re-indexed where its axes are the world's up
// to order and sign, else resampled onto the axis-aligned box around it (per world axis the
// spacing of the index axis nearest to it).
Volume axisAligned(Volume mu)
{
    if (!nearlyIdentity(mu.grid().direction())) {
        mu = reorient(mu, "LPS");
    }
    const VolumeGrid& grid = mu.grid();
    if (nearlyIdentity(grid.direction())) {
        if (grid.direction() == kIdentity) {
            return mu;
        }
        const VolumeGrid exact = VolumeGrid::make(grid.size(), grid.spacing(), grid.origin());
        return withGrid(std::move(mu), exact);
    }
    // Oblique: the box around the outer corners of its voxels.
    Vec3 low{std::numeric_limits<double>::max(), std::numeric_limits<double>::max(),
             std::numeric_limits<double>::max()};
    Vec3 high{-low.x, -low.y, -low.z};
    const auto& n = grid.size();
    for (int corner = 0; corner < 8; ++corner) {
        const Vec3 p = grid.voxelCentre((corner & 1) != 0 ? static_cast<double>(n[0]) - 0.5 : -0.5,
                                        (corner & 2) != 0 ? static_cast<double>(n[1]) - 0.5 : -0.5,
                                        (corner & 4) != 0 ? static_cast<double>(n[2]) - 0.5 : -0.5);
        low = {std::min(low.x, p.x), std::min(low.y, p.y), std::min(low.z, p.z)};
        high = {std::max(high.x, p.x), std::max(high.y, p.y), std::max(high.z, p.z)};
    }
    const std::array<double, 3> lows{low.x, low.y, low.z};
    const std::array<double, 3> highs{high.x, high.y, high.z};
    const std::array<double, 3>& spacing = grid.spacing();
    std::array<std::size_t, 3> size{};
    Vec3 origin;
    double* originAxis[3] = {&origin.x, &origin.y, &origin.z};
    for (std::size_t a = 0; a < 3; ++a) {
        const double extent = highs[a] - lows[a];
        size[a] =
            std::max<std::size_t>(1, static_cast<std::size_t>(std::ceil(extent / spacing[a])));
        // Centred on the box: the outer edges of the new voxels enclose it.
        *originAxis[a] =
            0.5 * (lows[a] + highs[a]) - 0.5 * static_cast<double>(size[a] - 1) * spacing[a];
    }
    log(LogLevel::Info, "the volume's axes are oblique to the scanner's: resampled trilinearly "
                        "onto an axis-aligned grid");
    return resample(mu, VolumeGrid::make(size, spacing, origin), Interpolation::Linear, 0.0f);
}

// Moves an axis-aligned volume so that the centre of its box is at the isocentre.
Volume centred(Volume mu)
{
    const VolumeGrid& grid = mu.grid();
    const VolumeGrid moved =
        VolumeGrid::make(grid.size(), grid.spacing(), grid.origin() - gridCentre(grid));
    return withGrid(std::move(mu), moved);
}

// The plane z = 0 of an axis-aligned volume, as the 2D object of a 2D beam.
Volume planeAtIsocentre(const Volume& mu)
{
    const VolumeGrid& grid = mu.grid();
    const auto& n = grid.size();
    const auto& s = grid.spacing();
    const VolumeGrid plane =
        VolumeGrid::make({n[0], n[1], 1}, s, {grid.origin().x, grid.origin().y, 0.0});
    if (n[2] == 1) {
        // A single slice is the plane, wherever the file put it along z.
        return withGrid(mu, plane);
    }
    const double zLow = grid.origin().z - 0.5 * s[2];
    const double zHigh = grid.origin().z + (static_cast<double>(n[2]) - 0.5) * s[2];
    if (!(zLow <= 0.0 && 0.0 <= zHigh)) {
        throwInvalid("object.placement", "\"file\"",
                     "a placement whose volume meets the 2D scan's plane z = 0: this volume spans "
                     "z from " +
                         millimetres(zLow) + " to " + millimetres(zHigh) +
                         "; use \"centred\" (its middle slice), or a 3D beam");
    }
    return resample(mu, plane, Interpolation::Linear, 0.0f);
}
} // namespace

AttenuationImage toAttenuation(Volume image, std::optional<ValueUnit> unit, double referenceKeV,
                               const std::string& source, const std::string& unitField)
{
    const ValueUnit given = unit.value_or(image.meta().unit);
    double muWater = 0.0;
    if (given == ValueUnit::Hu) {
        muWater = muPerMm(findMaterial("water"), referenceKeV);
        const auto& dictionary = image.meta().dictionary;
        if (const auto it = dictionary.find("tomoscope_mu_water_per_mm"); it != dictionary.end()) {
            double value = 0.0;
            try {
                value = std::stod(it->second);
            } catch (const std::exception&) {
                value = 0.0;
            }
            if (!(value > 0.0) || !std::isfinite(value)) {
                throwInvalid("tomoscope_mu_water_per_mm of " + source, "\"" + it->second + "\"",
                             "a positive number in mm^-1 (the μ of water the HU were made with)");
            }
            muWater = value;
        }
        convertToMu(image, muWater);
    } else if (given != ValueUnit::MuPerMm) {
        throwInvalid(unitField, std::string(toString(given)) + " (from " + source + ")",
                     "HU or mu_per_mm: the file does not say what its values are, so say which "
                     "with " +
                         unitField);
    }
    std::size_t clamped = 0;
    for (float& v : image.data()) {
        if (v < 0.0f) {
            v = 0.0f;
            ++clamped;
        }
    }
    image.meta().unit = ValueUnit::MuPerMm;
    return {std::move(image), clamped, muWater};
}

SceneObject SceneObject::load(const Scene& scene)
{
    SceneObject object;
    if (!scene.object.isVolume()) {
        object.m_phantom = scene.phantom();
        return object;
    }
    const std::filesystem::path& path = scene.object.path;
    if (path.empty()) {
        throwInvalid("object.path", "\"\"",
                     "a \"volume\" object needs the path of a volume file or DICOM folder");
    }
    Volume image = [&] {
        try {
            return readVolume(path);
        } catch (const IoError& error) {
            throw IoError("object.path: " + std::string(error.what()));
        }
    }();
    AttenuationImage mu =
        toAttenuation(std::move(image), scene.object.unit, scene.physics.materials.referenceKeV,
                      path.string(), "object.unit");
    object.m_clamped = mu.clampedVoxels;
    if (mu.clampedVoxels > 0) {
        log(LogLevel::Info, std::to_string(mu.clampedVoxels) + " voxels of " + path.string() +
                                " lie below 0 mm^-1 (below -1000 HU: scanner padding) and are "
                                "taken as vacuum");
    }
    Volume placed = axisAligned(std::move(mu.mu));
    if (scene.object.centred) {
        placed = centred(std::move(placed));
    }
    if (is2D(scene.beam)) {
        placed = planeAtIsocentre(placed);
    }
    object.m_volume = std::make_shared<const Volume>(std::move(placed));
    return object;
}

const Phantom& SceneObject::phantom() const
{
    if (!m_phantom) {
        throwInvalid("object.phantom", "\"volume\"",
                     "an analytic phantom: a volume object has no analytic description");
    }
    return *m_phantom;
}

const Volume& SceneObject::volume() const
{
    if (!m_volume) {
        throwInvalid("object.phantom", "an analytic phantom", "\"volume\" (a CT volume)");
    }
    return *m_volume;
}

Volume SceneObject::sample(const VolumeGrid& grid, unsigned supersampling) const
{
    if (!m_volume) {
        return rasterise(*m_phantom, grid, supersampling);
    }
    if (m_volume->grid() == grid) {
        return *m_volume;
    }
    // Where the volume's voxels are finer than the grid's, a sample at each voxel centre would
    // alias its detail. Each voxel of a CT volume is its mean μ over its cube, so the truth is
    // the mean over each grid voxel of that piecewise constant μ: supersampling² (2D) or ³
    // nearest-voxel samples spread evenly over it (a box filter, as rasterise applies to a
    // phantom; trilinear samples would blur it by another voxel's width).
    const bool twoD = grid.is2D();
    bool finer = false;
    for (int axis = 0; axis < (twoD ? 2 : 3); ++axis) {
        finer = finer || m_volume->grid().spacing()[axis] < grid.spacing()[axis];
    }
    if (!finer || supersampling <= 1) {
        return resample(*m_volume, grid, Interpolation::Linear, 0.0f);
    }
    const unsigned s = supersampling;
    const unsigned sz = twoD ? 1 : s;
    // Sub-sample (a, b, c) sits at index offset (a + 1/2)/s - 1/2 within each voxel.
    const auto offset = [](unsigned a, unsigned n) {
        return (static_cast<double>(a) + 0.5) / static_cast<double>(n) - 0.5;
    };
    Volume mean = Volume::zeros(grid);
    mean.meta() = m_volume->meta(); // as resample gives it
    for (unsigned c = 0; c < sz; ++c) {
        for (unsigned b = 0; b < s; ++b) {
            for (unsigned a = 0; a < s; ++a) {
                const VolumeGrid shifted = VolumeGrid::make(
                    grid.size(), grid.spacing(),
                    grid.voxelCentre(offset(a, s), offset(b, s), offset(c, sz)), grid.direction());
                const Volume part = resample(*m_volume, shifted, Interpolation::Nearest, 0.0f);
                std::ranges::transform(mean.data(), part.data(), mean.data().begin(),
                                       std::plus<>());
            }
        }
    }
    const float weight = 1.0f / static_cast<float>(s * s * sz);
    for (float& v : mean.data()) {
        v *= weight;
    }
    return mean;
}
} // namespace tomo
