// Digitally reconstructed radiographs: one cone-beam view of a CT volume through the Joseph
// projector, and the pixel-wise comparison with an X-ray image.
#include "tomo/drr.h"

#include "common/text.h"
#include "tomo/attenuation.h"
#include "tomo/error.h"
#include "tomo/geometry_io.h"
#include "tomo/io.h"
#include "tomo/projector.h"
#include "tomo/recon.h"
#include "tomo/spatial.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstddef>
#include <limits>
#include <numbers>
#include <span>
#include <string>
#include <vector>

namespace tomo
{
namespace
{
constexpr double kMinEnergyKeV = 1.0;
constexpr double kMaxEnergyKeV = 1000.0;
constexpr std::array<double, 9> kIdentity{1, 0, 0, 0, 1, 0, 0, 0, 1};

std::string sizeText(const VolumeGrid& grid)
{
    const auto& n = grid.size();
    return std::to_string(n[0]) + " x " + std::to_string(n[1]) + " x " + std::to_string(n[2]);
}

/// Mᵀ·a for a row-major direction matrix M (column c is index axis c's world direction): a
/// world vector in the frame of the grid's index axes.
Vec3 turnBack(const std::array<double, 9>& m, Vec3 a)
{
    return {m[0] * a.x + m[3] * a.y + m[6] * a.z, m[1] * a.x + m[4] * a.y + m[7] * a.z,
            m[2] * a.x + m[5] * a.y + m[8] * a.z};
}

/// The pose of the DRR's one view, in world mm.
ViewPose drrPose(const VolumeGrid& grid, const DrrOptions& options)
{
    const Vec3 iso = options.isocentreMm.value_or(gridCentre(grid));
    const double sid = options.sourceIsocentreMm;
    const double sdd = options.sourceDetectorMm;
    return {iso + rotateZ({0.0, -sid, 0.0}, options.angle),
            iso + rotateZ({0.0, sdd - sid, 0.0}, options.angle),
            rotateZ({1.0, 0.0, 0.0}, options.angle),
            {0.0, 0.0, 1.0}};
}

/// Detector pixels along one axis that cover a shadow reaching `halfExtentMm` either side of
/// the centre, with a pixel to spare on each side.
std::size_t coveringPixels(double halfExtentMm, double pixelMm, const char* axis)
{
    const double pixels = std::ceil(2.0 * halfExtentMm / pixelMm) + 2.0;
    if (!(pixels <= static_cast<double>(kMaxDrrPixels))) {
        throwInvalid("pixel_mm", formatValue(pixelMm),
                     "the volume's shadow would need " + formatValue(pixels) + " detector " + axis +
                         " of that size, more than " + std::to_string(kMaxDrrPixels) +
                         "; give a larger pixel or the detector size (columns and rows)");
    }
    return static_cast<std::size_t>(pixels);
}

void checkVolume(const Volume& volume)
{
    if (volume.grid().is2D()) {
        throwInvalid("volume size", sizeText(volume.grid()),
                     "a 3D volume (nz > 1); a DRR projects a CT volume, not a 2D image");
    }
    const ValueUnit unit = volume.meta().unit;
    if (unit != ValueUnit::Hu && unit != ValueUnit::MuPerMm) {
        throwInvalid("volume unit", "\"" + std::string(toString(unit)) + "\"",
                     unit == ValueUnit::LineIntegral
                         ? "HU or mu_per_mm; line integrals are projections already, not a CT "
                           "volume"
                         : "HU or mu_per_mm; the volume does not say what its values are: set "
                           "its unit (on the command line: --unit HU or --unit mu_per_mm)");
    }
}

/// The volume's μ (mm⁻¹) on `grid`, negative values (below air) set to 0.
Volume attenuationOf(const Volume& volume, const VolumeGrid& grid, double energyKeV)
{
    Volume mu = Volume::fromData(grid, {volume.data().begin(), volume.data().end()});
    if (volume.meta().unit == ValueUnit::Hu) {
        // One definition of HU for the whole core (recon.h), at the DRR's energy.
        convertToMu(mu, waterMuPerMm(energyKeV));
    }
    for (float& value : mu.data()) {
        value = std::max(value, 0.0f);
    }
    return mu;
}

struct Moments
{
    double mean = 0.0;
    double deviation = 0.0; ///< population standard deviation
};

Moments momentsOf(std::span<const float> data, const char* name)
{
    double sum = 0.0;
    for (std::size_t i = 0; i < data.size(); ++i) {
        if (!std::isfinite(data[i])) {
            throwInvalid(name, formatValue(data[i]) + " at pixel " + std::to_string(i),
                         "finite values in every pixel");
        }
        sum += data[i];
    }
    const double mean = sum / static_cast<double>(data.size());
    double squares = 0.0;
    for (float value : data) {
        squares += (value - mean) * (value - mean);
    }
    const double deviation = std::sqrt(squares / static_cast<double>(data.size()));
    if (!(deviation > 0.0)) {
        throwInvalid(name, "constant (every pixel " + formatValue(data[0]) + ")",
                     "an image with contrast: NCC and the normalised L1 divide by its standard "
                     "deviation");
    }
    return {mean, deviation};
}

bool isPng(const std::filesystem::path& path)
{
    return detail::asciiLower(path.extension().string()) == ".png";
}
} // namespace

void DrrOptions::validate() const
{
    if (!std::isfinite(angle)) {
        throwInvalid("angle", formatValue(angle), "a finite view angle in radians (AP: 0)");
    }
    if (!std::isfinite(sourceIsocentreMm) || sourceIsocentreMm <= 0.0) {
        throwInvalid("sid_mm", formatValue(sourceIsocentreMm),
                     "a finite source-isocentre distance above 0 mm (1000 is usual)");
    }
    if (!std::isfinite(sourceDetectorMm) || sourceDetectorMm <= sourceIsocentreMm) {
        throwInvalid("sdd_mm", formatValue(sourceDetectorMm),
                     "a finite source-detector distance above the source-isocentre distance (" +
                         formatValue(sourceIsocentreMm) + " mm)");
    }
    if (!std::isfinite(pixelMm) || pixelMm <= 0.0) {
        throwInvalid("pixel_mm", formatValue(pixelMm), "a finite detector pixel size above 0 mm");
    }
    if (columns > kMaxDrrPixels) {
        throwInvalid("columns", std::to_string(columns),
                     "0 (fit the volume) up to " + std::to_string(kMaxDrrPixels));
    }
    if (rows > kMaxDrrPixels) {
        throwInvalid("rows", std::to_string(rows),
                     "0 (fit the volume) up to " + std::to_string(kMaxDrrPixels));
    }
    if (!std::isfinite(energyKeV) || energyKeV < kMinEnergyKeV || energyKeV > kMaxEnergyKeV) {
        throwInvalid("energy_kev", formatValue(energyKeV),
                     "an effective photon energy from 1 to 1000 keV (70 for a 120 kVp CT)");
    }
    if (isocentreMm && !isFinite(*isocentreMm)) {
        throwInvalid("isocentre_mm",
                     formatValue(isocentreMm->x) + "," + formatValue(isocentreMm->y) + "," +
                         formatValue(isocentreMm->z),
                     "a finite point in world mm");
    }
}

Geometry drrGeometry(const VolumeGrid& grid, const DrrOptions& options)
{
    options.validate();
    const ViewPose pose = drrPose(grid, options);
    const Vec3 iso = options.isocentreMm.value_or(gridCentre(grid));
    const Vec3 normal = rotateZ({0.0, 1.0, 0.0}, options.angle); // source towards detector
    const auto& n = grid.size();
    double reach = -std::numeric_limits<double>::infinity(); // towards the source, from iso
    double halfU = 0.0;
    double halfV = 0.0;
    for (int corner = 0; corner < 8; ++corner) {
        // Index `grow` beyond the first and last voxel centres: ½ for the box's outer faces,
        // 1 for where the projector's linear interpolation still reaches.
        const auto corner3 = [&](double grow) {
            const auto edge = [&](int axis) {
                return (corner >> axis & 1) != 0
                           ? static_cast<double>(n[static_cast<std::size_t>(axis)]) - 1.0 + grow
                           : -grow;
            };
            return grid.voxelCentre(edge(0), edge(1), edge(2));
        };
        reach = std::max(reach, dot(iso - corner3(0.5), normal));
        const Vec3 fromSource = corner3(1.0) - pose.source;
        const double depth = dot(fromSource, normal);
        if (depth > 0.0) {
            const double scale = options.sourceDetectorMm / depth;
            halfU = std::max(halfU, std::abs(dot(fromSource, pose.u)) * scale);
            halfV = std::max(halfV, std::abs(dot(fromSource, pose.v)) * scale);
        }
    }
    if (!(reach < options.sourceIsocentreMm)) {
        throwInvalid("sid_mm", formatValue(options.sourceIsocentreMm),
                     "a source outside the volume: its box reaches " + formatValue(reach) +
                         " mm from the isocentre towards the source; give more than that");
    }
    Detector detector{.columns = options.columns,
                      .rows = options.rows,
                      .pixelU = options.pixelMm,
                      .pixelV = options.pixelMm};
    if (detector.columns == 0) {
        detector.columns = coveringPixels(halfU, options.pixelMm, "columns");
    }
    if (detector.rows == 0) {
        detector.rows = coveringPixels(halfV, options.pixelMm, "rows");
    }
    return Geometry::fromPoses(BeamType::Cone3D, detector, {pose});
}

Volume computeDrr(const Volume& volume, const DrrOptions& options, ComputeContext& compute,
                  RunContext& ctx)
{
    checkVolume(volume);
    const Geometry geometry = drrGeometry(volume.grid(), options);
    ctx.throwIfCancelled();

    // A grid with direction cosines M is the axis-aligned grid of origin Mᵀ·o in a world turned
    // by Mᵀ (as the FBP backprojection does): turning the pose the same way keeps every ray's
    // path through the voxels, so nothing is resampled.
    const VolumeGrid& grid = volume.grid();
    const std::array<double, 9>& m = grid.direction();
    const bool turned = m != kIdentity;
    const VolumeGrid aligned =
        turned ? VolumeGrid::make(grid.size(), grid.spacing(), turnBack(m, grid.origin())) : grid;
    const ViewPose& p = geometry.poses()[0];
    const Geometry projected =
        turned ? Geometry::fromPoses(BeamType::Cone3D, geometry.detector(),
                                     {{turnBack(m, p.source), turnBack(m, p.detector),
                                       turnBack(m, p.u), turnBack(m, p.v)}})
               : geometry;

    const Volume mu = attenuationOf(volume, aligned, options.energyKeV);
    ctx.throwIfCancelled();
    const auto projector = makeProjector(ProjectorModel::Joseph, compute);
    const ProjectionStack lines = forwardProject(*projector, mu, projected, ctx, 1);

    const Detector& d = geometry.detector();
    std::vector<float> image(lines.view(0).begin(), lines.view(0).end());
    if (options.transmission) {
        for (float& value : image) {
            value = std::exp(-value);
        }
    }
    const VolumeGrid imageGrid =
        VolumeGrid::make({d.columns, d.rows, 1}, {d.pixelU, d.pixelV, d.pixelU},
                         {-0.5 * (static_cast<double>(d.columns) - 1.0) * d.pixelU,
                          -0.5 * (static_cast<double>(d.rows) - 1.0) * d.pixelV, 0.0});
    Volume drr = Volume::fromData(imageGrid, std::move(image));

    const Vec3 iso = options.isocentreMm.value_or(gridCentre(grid));
    nlohmann::json parameters = {
        {"view_angle_deg", options.angle * 180.0 / std::numbers::pi},
        {"sid_mm", options.sourceIsocentreMm},
        {"sdd_mm", options.sourceDetectorMm},
        {"pixel_mm", options.pixelMm},
        {"isocentre_mm", {iso.x, iso.y, iso.z}},
        {"input_unit", std::string(toString(volume.meta().unit))},
        {"values", options.transmission ? "transmission" : "line_integral"}};
    ImageMeta& meta = drr.meta();
    meta.unit = options.transmission ? ValueUnit::Unknown : ValueUnit::LineIntegral;
    meta.subtype = "drr";
    meta.dictionary[std::string(meta_key::kAlgorithm)] = "drr";
    if (volume.meta().unit == ValueUnit::Hu) {
        parameters["energy_kev"] = options.energyKeV;
        parameters["mu_water_per_mm"] = waterMuPerMm(options.energyKeV);
    }
    meta.dictionary[std::string(meta_key::kParameters)] = parameters.dump();
    meta.dictionary["tomoscope_geometry"] = geometryToJson(geometry);
    return drr;
}

ImageComparison compareImages(const Volume& drr, const Volume& xray)
{
    if (drr.grid().size() != xray.grid().size()) {
        throwInvalid("image sizes",
                     "DRR " + sizeText(drr.grid()) + ", X-ray " + sizeText(xray.grid()),
                     "equal sizes: give the DRR the X-ray's size (DrrOptions columns and rows; "
                     "--size on the command line)");
    }
    const auto a = drr.data();
    const auto b = xray.data();
    const Moments ma = momentsOf(a, "DRR");
    const Moments mb = momentsOf(b, "X-ray");
    double cross = 0.0;
    double absolute = 0.0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        const double za = (a[i] - ma.mean) / ma.deviation;
        const double zb = (b[i] - mb.mean) / mb.deviation;
        cross += za * zb;
        absolute += std::abs(za - zb);
    }
    const auto count = static_cast<double>(a.size());
    // Σ za·zb / N is the NCC; clamped against rounding just past ±1.
    return {.l1 = absolute / count, .ncc = std::clamp(cross / count, -1.0, 1.0)};
}

Volume readXrayImage(const std::filesystem::path& path)
{
    Volume image = readVolume(path);
    const VolumeGrid& grid = image.grid();
    if (!grid.is2D()) {
        throwInvalid("X-ray image " + path.string(), sizeText(grid),
                     "a 2D image (nz = 1), as a radiograph is");
    }
    if (!isPng(path)) {
        return image;
    }
    const auto [nx, ny, nz] = grid.size();
    std::vector<float> flipped(image.data().size());
    for (std::size_t j = 0; j < ny; ++j) {
        std::ranges::copy(image.data().subspan((ny - 1 - j) * nx, nx),
                          flipped.begin() + static_cast<std::ptrdiff_t>(j * nx));
    }
    std::ranges::copy(flipped, image.data().begin());
    return image;
}
} // namespace tomo
