// tomoscope-cli drr: a digitally reconstructed radiograph of a CT volume, and its comparison with
// an X-ray image.
#include "cli_commands.h"
#include "terminal_run_context.h"
#include "tomo/compute.h"
#include "tomo/drr.h"
#include "tomo/error.h"
#include "tomo/io.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <numbers>
#include <optional>
#include <string>
#include <utility>

namespace tomo::cli
{
namespace
{
constexpr double kRadiansPerDegree = std::numbers::pi / 180.0;

std::string lower(std::string text)
{
    std::ranges::transform(text, text.begin(),
                           [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
}

/// A whole number of `text`, or nothing if it is not one.
template <class T> bool parseNumber(std::string_view text, T& value)
{
    const auto result = std::from_chars(text.data(), text.data() + text.size(), value);
    return result.ec == std::errc() && result.ptr == text.data() + text.size();
}

/// The core's "<field> = <value> is invalid: <accepted>" said again about the option the value
/// came from.
[[noreturn]] void rethrowFor(const InvalidArgument& e)
{
    static const std::array<std::pair<const char*, const char*>, 6> kOptions{{
        {"sid_mm", "--sid"},
        {"sdd_mm", "--sdd"},
        {"pixel_mm", "--pixel"},
        {"energy_kev", "--energy"},
        {"columns", "--size"},
        {"rows", "--size"},
    }};
    const std::string what = e.what();
    const std::size_t equals = what.find(" = ");
    const std::size_t invalid = what.find(" is invalid: ");
    if (equals != std::string::npos && invalid != std::string::npos && invalid > equals) {
        const std::string field = what.substr(0, equals);
        for (const auto& [name, option] : kOptions) {
            if (field == name) {
                throwInvalid(option, what.substr(equals + 3, invalid - equals - 3),
                             what.substr(invalid + 13));
            }
        }
    }
    throw e;
}

/// The size of `--size WxH` (or W,H).
std::pair<std::size_t, std::size_t> parseDetectorSize(const std::string& text)
{
    const std::size_t split = text.find_first_of("x,");
    std::size_t w = 0;
    std::size_t h = 0;
    if (split == std::string::npos || !parseNumber(std::string_view(text).substr(0, split), w) ||
        !parseNumber(std::string_view(text).substr(split + 1), h) || w == 0 || h == 0 ||
        w > kMaxDrrPixels || h > kMaxDrrPixels) {
        throwInvalid("--size", "\"" + text + "\"",
                     "WxH detector pixels, each 1 to " + std::to_string(kMaxDrrPixels) +
                         ", e.g. 512x512");
    }
    return {w, h};
}

Volume runDrr(const Volume& volume, const DrrOptions& drr, ComputeContext& compute, bool quiet)
{
    TerminalRunContext ctx(quiet);
    try {
        return computeDrr(volume, drr, compute, ctx);
    } catch (const InvalidArgument& e) {
        rethrowFor(e);
    }
}

std::string describeView(double angle)
{
    const double degrees = angle / kRadiansPerDegree;
    if (angle == kDrrApAngle) {
        return "AP";
    }
    if (angle == kDrrLateralAngle) {
        return "left lateral";
    }
    return formatValue(degrees) + " deg";
}
} // namespace

double parseDrrView(const std::string& text)
{
    const std::string name = lower(text);
    if (name == "ap") {
        return kDrrApAngle;
    }
    if (name == "lateral") {
        return kDrrLateralAngle;
    }
    double degrees = 0.0;
    if (parseNumber(std::string_view(text), degrees) && std::isfinite(degrees)) {
        return degrees * kRadiansPerDegree;
    }
    throwInvalid("--view", "\"" + text + "\"",
                 "ap, lateral (left lateral: the source on the patient's right) or an angle in "
                 "degrees about the patient's long axis (0 = ap, -90 = lateral)");
}

int drrCommand(const DrrCommandOptions& options)
{
    DrrOptions drr = options.drr;
    drr.angle = parseDrrView(options.view);
    if (!options.size.empty()) {
        std::tie(drr.columns, drr.rows) = parseDetectorSize(options.size);
    }
    std::pair<double, double> window{0.0, 0.0};
    if (!options.window.empty()) {
        window = parseWindow(options.window, "0,6");
    }
    std::optional<ValueUnit> unit;
    if (!options.unit.empty()) {
        unit = parseValueUnit(options.unit);
        if (unit != ValueUnit::Hu && unit != ValueUnit::MuPerMm) {
            throwInvalid("--unit", "\"" + options.unit + "\"", "HU or mu_per_mm");
        }
    }
    try {
        drr.validate();
    } catch (const InvalidArgument& e) {
        rethrowFor(e);
    }
    // The X-ray first, so that a bad file stops the command before any work; without --size the
    // DRR takes its size.
    std::optional<Volume> xray;
    if (!options.compare.empty()) {
        xray = readXrayImage(options.compare);
        if (options.size.empty()) {
            drr.columns = xray->grid().size()[0];
            drr.rows = xray->grid().size()[1];
        }
    }

    Volume volume = readVolume(options.volume);
    if (unit) {
        volume.meta().unit = *unit;
    }
    if (options.energyGiven && volume.meta().unit == ValueUnit::MuPerMm) {
        std::fprintf(stderr, "note: --energy is not used: %s is in mu_per_mm already\n",
                     options.volume.c_str());
    }
    auto compute = ComputeContext::create(options.device);
    Volume image = runDrr(volume, drr, *compute, options.quiet);
    image.meta().dictionary[std::string(meta_key::kSource)] = options.volume;

    // Compared before anything is written, so that mismatched sizes leave no file behind.
    std::optional<ImageComparison> comparison;
    if (xray) {
        comparison = compareImages(image, *xray);
    }
    const auto [lo, hi] = std::ranges::minmax(image.data());
    if (!options.output.empty()) {
        const std::filesystem::path out = options.output;
        if (lower(out.extension().string()) == ".png") {
            if (options.window.empty()) {
                // Air black (0) up to the strongest attenuation (or full transmission) white.
                window = {std::min(0.0, static_cast<double>(lo)),
                          std::max(static_cast<double>(hi), 1e-6)};
            }
            writePng(image, 0, window.first, window.second, out, true);
        } else {
            writeVolume(image, out);
        }
    }
    const bool png = lower(std::filesystem::path(options.output).extension().string()) == ".png";
    if (options.json) {
        nlohmann::json out = {{"output", options.output.empty() ? nlohmann::json(nullptr)
                                                                : nlohmann::json(options.output)},
                              {"view", describeView(drr.angle)},
                              {"columns", image.grid().size()[0]},
                              {"rows", image.grid().size()[1]},
                              {"pixel_mm", drr.pixelMm},
                              {"sid_mm", drr.sourceIsocentreMm},
                              {"sdd_mm", drr.sourceDetectorMm},
                              {"values", drr.transmission ? "transmission" : "line_integrals"},
                              {"minimum", lo},
                              {"maximum", hi},
                              {"device", compute->device().label()}};
        if (png && !options.output.empty()) {
            out["png_window"] = {window.first, window.second};
        }
        if (comparison) {
            out["compared_with"] = options.compare;
            out["l1"] = comparison->l1;
            out["ncc"] = comparison->ncc;
        }
        std::printf("%s\n", out.dump(2).c_str());
        return kExitSuccess;
    }
    if (!options.output.empty()) {
        const auto& n = image.grid().size();
        std::printf("wrote %s: %s DRR, %zu x %zu pixels of %s mm, SID %s mm, SDD %s mm; %s "
                    "%.4g to %.4g",
                    options.output.c_str(), describeView(drr.angle).c_str(), n[0], n[1],
                    formatValue(drr.pixelMm).c_str(), formatValue(drr.sourceIsocentreMm).c_str(),
                    formatValue(drr.sourceDetectorMm).c_str(),
                    drr.transmission ? "transmission" : "line integrals", static_cast<double>(lo),
                    static_cast<double>(hi));
        if (png) {
            std::printf(" (PNG window %.4g to %.4g)", window.first, window.second);
        }
        std::printf(" (%s)\n", compute->device().label().c_str());
    }
    if (comparison) {
        std::printf("compared with %s: L1 %.4f  NCC %.4f\n", options.compare.c_str(),
                    comparison->l1, comparison->ncc);
    }
    return kExitSuccess;
}
} // namespace tomo::cli
