// tomoscope-cli info and convert: what an image file holds and where it sits in the world; the
// same voxels in another format or orientation.
#include "cli_commands.h"
#include "tomo/attenuation.h"
#include "tomo/dicom.h"
#include "tomo/error.h"
#include "tomo/io.h"
#include "tomo/recon.h"
#include "tomo/simulate.h"
#include "tomo/spatial.h"

#include <nlohmann/json.hpp>

#include <charconv>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <numbers>
#include <string>
#include <vector>

namespace tomo::cli
{
int infoCommand(const std::string& path, bool json)
{
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec) && !json) {
        const std::vector<DicomSeriesInfo> series = listDicomSeries(path);
        if (series.size() > 1) {
            std::printf("%s holds %zu DICOM series; pick one with convert --series UID:\n",
                        path.c_str(), series.size());
            for (const DicomSeriesInfo& s : series) {
                std::printf("  %s  %s, %zu files, \"%s\"\n", s.seriesUid.c_str(),
                            s.modality.c_str(), s.files, s.description.c_str());
            }
            return kExitSuccess;
        }
    }
    const ImageInfo info = readImageInfo(path);
    const bool hasRange = !std::isnan(info.minimum);
    if (json) {
        nlohmann::json out = {{"file", path},
                              {"dimensions", info.dimensions},
                              {"components", info.components},
                              {"component_type", info.componentType},
                              {"size", info.size},
                              {"spacing_mm", info.spacing},
                              {"origin_mm", {info.origin.x, info.origin.y, info.origin.z}},
                              {"direction", info.direction},
                              {"orientation", info.orientation}};
        if (hasRange) {
            out["minimum"] = info.minimum;
            out["maximum"] = info.maximum;
        }
        out["modality"] = toString(info.meta.modality);
        out["unit"] = toString(info.meta.unit);
        out["subtype"] = info.meta.subtype;
        out["metadata"] = info.meta.dictionary;
        std::printf("%s\n", out.dump(2).c_str());
        return kExitSuccess;
    }
    const auto& n = info.size;
    const auto& s = info.spacing;
    const auto& d = info.direction;
    std::printf("file:        %s\n", path.c_str());
    std::printf("image:       %uD, %u component%s of %s\n", info.dimensions, info.components,
                info.components == 1 ? "" : "s", info.componentType.c_str());
    std::printf("size:        %zu x %zu x %zu\n", n[0], n[1], n[2]);
    std::printf("spacing:     %g x %g x %g mm\n", s[0], s[1], s[2]);
    std::printf("origin:      (%g, %g, %g) mm (centre of voxel 0)\n", info.origin.x, info.origin.y,
                info.origin.z);
    std::printf("direction:   [%g %g %g; %g %g %g; %g %g %g] (columns: the index axes)\n", d[0],
                d[1], d[2], d[3], d[4], d[5], d[6], d[7], d[8]);
    std::printf("orientation: %s (axes towards; ITK names it by the opposite letters)\n",
                info.orientation.c_str());
    if (hasRange) {
        std::printf("values:      %g to %g %s\n", info.minimum, info.maximum,
                    info.meta.unit == ValueUnit::Unknown
                        ? "(unit not stated)"
                        : std::string(toString(info.meta.unit)).c_str());
    }
    std::printf("modality:    %s%s%s\n", std::string(toString(info.meta.modality)).c_str(),
                info.meta.subtype.empty() ? "" : ", ", info.meta.subtype.c_str());
    for (const auto& [key, value] : info.meta.dictionary) {
        // Long values (a scene's parameters, a geometry) shortened to a line.
        constexpr std::size_t kShown = 100;
        std::printf("  %s: %s%s\n", key.c_str(), value.substr(0, kShown).c_str(),
                    value.size() > kShown ? " ..." : "");
    }
    return kExitSuccess;
}
namespace
{
/// "A,B,..." as N finite numbers (any sign).
template <std::size_t N>
std::array<double, N> parseNumbers(const std::string& text, const std::string& field,
                                   const std::string& accepted)
{
    std::array<double, N> out{};
    std::size_t start = 0;
    for (std::size_t a = 0; a < N; ++a) {
        const std::size_t comma = a + 1 < N ? text.find(',', start) : text.size();
        if (comma == std::string::npos) {
            throwInvalid(field, "\"" + text + "\"", accepted);
        }
        const char* first = text.data() + start;
        const char* last = text.data() + comma;
        const auto result = std::from_chars(first, last, out[a]);
        if (result.ec != std::errc() || result.ptr != last || !std::isfinite(out[a])) {
            throwInvalid(field, "\"" + text + "\"", accepted);
        }
        start = comma + 1;
    }
    return out;
}

} // namespace

std::array<double, 3> parseTriple(const std::string& text, const std::string& field,
                                  const std::string& accepted)
{
    return parseNumbers<3>(text, field, accepted);
}

namespace
{

/// "N" (every axis) or "NX,NY,NZ" as whole numbers >= 0 (0 allowed, unlike parseSize).
std::array<std::size_t, 3> parseCounts(const std::string& text, const std::string& field,
                                       const std::string& accepted)
{
    std::vector<std::size_t> values;
    std::size_t start = 0;
    while (start <= text.size()) {
        const std::size_t comma = std::min(text.find(',', start), text.size());
        std::size_t value = 0;
        const auto result = std::from_chars(text.data() + start, text.data() + comma, value);
        if (result.ec != std::errc() || result.ptr != text.data() + comma) {
            throwInvalid(field, "\"" + text + "\"", accepted);
        }
        values.push_back(value);
        start = comma + 1;
    }
    if (values.size() == 1) {
        return {values[0], values[0], values[0]};
    }
    if (values.size() != 3) {
        throwInvalid(field, "\"" + text + "\"", accepted);
    }
    return {values[0], values[1], values[2]};
}

/// The value for new voxels: --fill, or what nothing is in the volume's unit.
float fillValue(const ConvertOptions& options, const Volume& volume, const char* operation)
{
    if (!options.fill.empty()) {
        float value = 0.0f;
        const auto result =
            std::from_chars(options.fill.data(), options.fill.data() + options.fill.size(), value);
        if (result.ec != std::errc() || result.ptr != options.fill.data() + options.fill.size() ||
            !std::isfinite(value)) {
            throwInvalid("--fill", "\"" + options.fill + "\"", "a finite number");
        }
        return value;
    }
    switch (volume.meta().unit) {
    case ValueUnit::MuPerMm:
    case ValueUnit::LineIntegral:
    case ValueUnit::Counts:
        return 0.0f;
    case ValueUnit::Hu:
        return -1000.0f;
    case ValueUnit::Unknown:
        break;
    }
    throwInvalid("--fill", "(not given)",
                 std::string("a value for the voxels ") + operation +
                     " adds: the input does not say its unit (give --unit mu_per_mm or HU, "
                     "or --fill V)");
}
} // namespace

int convertCommand(const ConvertOptions& options)
{
    std::error_code ec;
    if (!options.series.empty() && !std::filesystem::is_directory(options.input, ec)) {
        throwInvalid("--series", options.series, "only with a DICOM folder as input");
    }
    Volume volume = options.series.empty() ? readVolume(options.input)
                                           : readDicomSeries(options.input, options.series);
    const Interpolation interpolation =
        parseInterpolation(options.interpolation, "--interpolation");
    const double muWater =
        options.energyKeV != 0.0 ? waterMuPerMm(options.energyKeV) : options.muWater;
    nlohmann::json done = nlohmann::json::object();

    if (!options.unit.empty()) {
        const auto unit = parseValueUnit(options.unit);
        if (!unit || (*unit != ValueUnit::MuPerMm && *unit != ValueUnit::Hu)) {
            throwInvalid("--unit", "\"" + options.unit + "\"", "mu_per_mm or HU");
        }
        volume.meta().unit = *unit;
        done["unit"] = options.unit;
    }
    if (!options.crop.empty()) {
        const std::string accepted = "I,J,K:NI,NJ,NK (first voxel : voxel counts)";
        const std::size_t colon = options.crop.find(':');
        if (colon == std::string::npos) {
            throwInvalid("--crop", "\"" + options.crop + "\"", accepted);
        }
        const auto begin = parseCounts(options.crop.substr(0, colon), "--crop", accepted);
        const auto size = parseCounts(options.crop.substr(colon + 1), "--crop", accepted);
        volume = crop(volume, begin, size);
        done["crop"] = options.crop;
    }
    if (!options.pad.empty()) {
        const std::string accepted = "N, NX,NY,NZ or X0,Y0,Z0:X1,Y1,Z1 voxels";
        const std::size_t colon = options.pad.find(':');
        const auto lower = parseCounts(options.pad.substr(0, colon), "--pad", accepted);
        const auto upper = colon == std::string::npos
                               ? lower
                               : parseCounts(options.pad.substr(colon + 1), "--pad", accepted);
        volume = pad(volume, lower, upper, fillValue(options, volume, "--pad"));
        done["pad"] = options.pad;
    }
    const Vec3 centre = [&] {
        if (options.centre.empty()) {
            return gridCentre(volume.grid());
        }
        const auto c = parseTriple(options.centre, "--centre", "X,Y,Z in mm");
        return Vec3{c[0], c[1], c[2]};
    }();
    if (!options.scale.empty()) {
        const std::string accepted = "F or FX,FY,FZ: factors above 0";
        const std::string& text = options.scale;
        const auto factors =
            parseTriple(text.find(',') == std::string::npos ? text + "," + text + "," + text : text,
                        "--scale", accepted);
        if (options.moveGrid) {
            const VolumeGrid grid = scaleGrid(volume.grid(), factors, centre);
            volume = withGrid(std::move(volume), grid);
        } else {
            volume = scale(volume, factors, centre, interpolation,
                           fillValue(options, volume, "--scale"));
        }
        done["scale"] = options.scale;
    }
    if (!options.rotate.empty()) {
        const std::string accepted =
            "AXIS:DEGREES with AXIS x, y, z or AX,AY,AZ (e.g. z:15 or 0,1,1:30)";
        const std::size_t colon = options.rotate.find(':');
        if (colon == std::string::npos) {
            throwInvalid("--rotate", "\"" + options.rotate + "\"", accepted);
        }
        const std::string axisText = options.rotate.substr(0, colon);
        const std::string angleText = options.rotate.substr(colon + 1);
        Vec3 axis;
        if (axisText == "x" || axisText == "y" || axisText == "z") {
            axis = axisText == "x"   ? Vec3{1, 0, 0}
                   : axisText == "y" ? Vec3{0, 1, 0}
                                     : Vec3{0, 0, 1};
        } else {
            const auto a = parseTriple(axisText, "--rotate", accepted);
            axis = {a[0], a[1], a[2]};
        }
        double degrees = 0.0;
        const auto result =
            std::from_chars(angleText.data(), angleText.data() + angleText.size(), degrees);
        if (result.ec != std::errc() || result.ptr != angleText.data() + angleText.size()) {
            throwInvalid("--rotate", "\"" + options.rotate + "\"", accepted);
        }
        const double radians = degrees * std::numbers::pi / 180.0;
        if (options.moveGrid) {
            const VolumeGrid grid = rotateGrid(volume.grid(), axis, radians, centre);
            volume = withGrid(std::move(volume), grid);
        } else {
            volume = rotate(volume, axis, radians, centre, interpolation,
                            fillValue(options, volume, "--rotate"));
        }
        done["rotate"] = options.rotate;
    }
    if (!options.scale.empty() || !options.rotate.empty()) {
        done["centre_mm"] = {centre.x, centre.y, centre.z};
        done["move_grid"] = options.moveGrid;
    }
    if (!options.translate.empty()) {
        const auto t = parseTriple(options.translate, "--translate", "X,Y,Z in mm");
        volume = translate(volume, {t[0], t[1], t[2]});
        done["translate"] = options.translate;
    }
    if (!options.like.empty()) {
        volume = resample(volume, readGrid(options.like), interpolation);
        done["like"] = options.like;
    } else if (!options.spacing.empty()) {
        volume =
            resample(volume, withSpacing(volume.grid(), parseSpacing(options.spacing, "--spacing")),
                     interpolation);
        done["spacing"] = options.spacing;
    }
    if (!options.orientation.empty()) {
        volume = reorient(volume, options.orientation);
        done["orientation"] = options.orientation;
    }
    if (!options.calibrateHu.empty()) {
        // WATER:AIR, each X,Y,Z,R in mm: a disc in the slice nearest Z.
        const std::string accepted = "X,Y,Z,R:X,Y,Z,R in mm, a water disc then an air disc";
        const std::size_t colon = options.calibrateHu.find(':');
        if (colon == std::string::npos) {
            throwInvalid("--calibrate-hu", "\"" + options.calibrateHu + "\"", accepted);
        }
        const auto region = [&](const std::string& text) {
            const auto v = parseNumbers<4>(text, "--calibrate-hu", accepted);
            if (!(v[3] > 0.0)) {
                throwInvalid("--calibrate-hu", "\"" + options.calibrateHu + "\"", accepted);
            }
            return RegionOfInterest{{v[0], v[1], v[2]}, v[3]};
        };
        calibrateHu(volume, region(options.calibrateHu.substr(0, colon)),
                    region(options.calibrateHu.substr(colon + 1)));
        done["calibrate_hu"] = options.calibrateHu;
    } else if (options.toHu) {
        convertToHu(volume, muWater);
        done["hu"] = true;
    } else if (options.toMu) {
        convertToMu(volume, muWater);
        done["mu"] = true;
    } else if (isDicomTarget(options.output) && volume.meta().unit == ValueUnit::MuPerMm) {
        // DICOM CT holds HU: convert here with the μ of water asked for, and say so.
        convertToHu(volume, muWater);
        done["hu"] = true;
    }
    if (done.contains("hu") || done.contains("mu")) {
        done["mu_water_per_mm"] = muWater;
        if (options.energyKeV != 0.0) {
            done["energy_kev"] = options.energyKeV;
        }
    }
    // Provenance: where this came from and what was done, beside what the input already said.
    volume.meta().dictionary["tomoscope_converted_from"] = options.input;
    volume.meta().dictionary["tomoscope_conversion"] = done.dump();
    writeVolume(volume, options.output);
    const auto& n = volume.grid().size();
    const auto& s = volume.grid().spacing();
    if (options.json) {
        const nlohmann::json out = {{"output", options.output},
                                    {"size", {n[0], n[1], n[2]}},
                                    {"spacing_mm", {s[0], s[1], s[2]}},
                                    {"orientation", orientationCode(volume.grid().direction())},
                                    {"unit", std::string(toString(volume.meta().unit))},
                                    {"steps", done}};
        std::printf("%s\n", out.dump(2).c_str());
        return kExitSuccess;
    }
    std::printf("wrote %s: %zu x %zu x %zu voxels of %g x %g x %g mm, orientation %s, %s\n",
                options.output.c_str(), n[0], n[1], n[2], s[0], s[1], s[2],
                orientationCode(volume.grid().direction()).c_str(),
                std::string(toString(volume.meta().unit)).c_str());
    return kExitSuccess;
}
} // namespace tomo::cli
