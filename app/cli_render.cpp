// tomoscope-cli render: the scenes of render/ drawn offscreen into a PNG (documentation, users,
// the same pictures the app shows). Built into the render helper, tomoscope-cli-render, which
// tomoscope-cli runs for this command (cli_render_forward.cpp).
#include "cli_commands.h"
#include "tomo/error.h"
#include "tomo/geometry_check.h"
#include "tomo/io.h"
#include "tomo/phantom.h"
#include "tomo/pipeline.h"
#include "tomo/render/colour_map.h"
#include "tomo/render/image_compare.h"
#include "tomo/render/projection_view.h"
#include "tomo/render/slice_views.h"
#include "tomo/render/trajectory_scene.h"
#include "tomo/render/volume_scene.h"
#include "tomo/scene.h"

#include <nlohmann/json.hpp>

#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

namespace tomo::cli
{
namespace
{
// Offscreen windows far larger than a screen cost seconds and memory for nothing.
constexpr int kMaxRenderPixels = 8192;

/// "WxH" (or W,H) pixels, each 1 to kMaxRenderPixels.
std::pair<int, int> parseRenderSize(const std::string& text)
{
    const std::size_t split = text.find_first_of("x,");
    int w = 0;
    int h = 0;
    const auto whole = [](std::string_view part, int& value) {
        const auto result = std::from_chars(part.data(), part.data() + part.size(), value);
        return result.ec == std::errc() && result.ptr == part.data() + part.size();
    };
    if (split == std::string::npos || !whole(std::string_view(text).substr(0, split), w) ||
        !whole(std::string_view(text).substr(split + 1), h) || w < 1 || h < 1 ||
        w > kMaxRenderPixels || h > kMaxRenderPixels) {
        throwInvalid("--size", "\"" + text + "\"",
                     "WxH pixels, each 1 to " + std::to_string(kMaxRenderPixels) +
                         ", e.g. 800x600");
    }
    return {w, h};
}

void requireDisplay()
{
    const char* display = std::getenv("DISPLAY");
    if (display == nullptr || *display == '\0') {
        throwInvalid("DISPLAY", "(not set)",
                     "an X display for the OpenGL context render needs; Xvfb is enough: "
                     "xvfb-run -a tomoscope-cli render ...");
    }
}

render::RgbImage renderTrajectory(const Scene& scene, const RenderOptions& options, int width,
                                  int height, nlohmann::json& summary)
{
    const Geometry geometry = scene.geometry();
    if (options.current >= geometry.viewCount()) {
        throwInvalid("--current", std::to_string(options.current),
                     "a view index from 0 to " + std::to_string(geometry.viewCount() - 1));
    }
    render::TrajectoryScene view(geometry, scene.reconstructionGrid());
    view.setCurrentView(options.current);
    view.setGhostEvery(options.ghostEvery);
    if (options.completeness) {
        if (isParallel(geometry.beam())) {
            throwInvalid("--completeness", "a parallel beam",
                         "a fan or cone beam (Tuy's condition is about a source path)");
        }
        view.setCompleteness(std::make_shared<const Volume>(
            completenessMap(geometry, coarseGridOver(scene.reconstructionGrid()))));
    }
    if (!options.ray.empty()) {
        const auto p = parseTriple(options.ray, "--ray", "X,Y,Z in mm, e.g. 20,0,10");
        view.setHighlightedPoint(Vec3{p[0], p[1], p[2]});
    }
    const render::RgbImage image = view.renderOffscreen(width, height);
    summary["views"] = geometry.viewCount();
    summary["current"] = options.current;
    summary["ghost_every"] = view.ghostEvery();
    summary["truncated_views"] = view.truncatedViews().size();
    const auto pixel = view.highlightedPixel();
    if (pixel) {
        summary["ray_pixel"] = {(*pixel)[0], (*pixel)[1]};
    } else if (!options.ray.empty()) {
        summary["ray_pixel"] = nullptr;
    }
    if (options.json) {
        return image;
    }
    std::printf("trajectory: %zu views, current %zu, ghost frames every %zu views",
                geometry.viewCount(), options.current, view.ghostEvery());
    if (!view.truncatedViews().empty()) {
        std::printf(", %zu views truncated (red edges)", view.truncatedViews().size());
    }
    if (pixel) {
        std::printf(", ray lands on column %.2f row %.2f", (*pixel)[0], (*pixel)[1]);
    } else if (!options.ray.empty()) {
        std::printf(", ray misses the detector");
    }
    std::printf("\n");
    return image;
}
/// The volume the volume and slice views show: --volume, or the scene's object on its grid.
std::shared_ptr<const Volume> objectVolume(const Scene& scene, const RenderOptions& options)
{
    // Two samples per voxel axis: what `project` uses for the scene's phantom; edges smooth
    // enough for a picture.
    constexpr unsigned kSupersampling = 2;
    if (!options.volume.empty()) {
        return std::make_shared<const Volume>(readVolume(options.volume));
    }
    return std::make_shared<const Volume>(
        SceneObject::load(scene).sample(scene.reconstructionGrid(), kSupersampling));
}

render::RgbImage renderSlices(const Scene& scene, const RenderOptions& options, int width,
                              int height, nlohmann::json& summary)
{
    render::SliceViews views;
    if (!options.colourMap.empty()) {
        const auto map = render::parseColourMap(options.colourMap);
        if (!map) {
            throwInvalid("--colour-map", "\"" + options.colourMap + "\"",
                         "grey, inverted, hot or viridis");
        }
        views.setColourMap(*map);
    }
    std::optional<render::Window> window;
    if (!options.window.empty()) {
        const auto [low, high] = parseWindow(options.window, "0,0.04");
        window = render::Window{static_cast<float>(low), static_cast<float>(high)};
    }
    std::optional<Vec3> cursor;
    if (!options.cursor.empty()) {
        const auto c = parseTriple(options.cursor, "--cursor", "X,Y,Z in mm, e.g. 0,0,10");
        cursor = Vec3{c[0], c[1], c[2]};
    }
    const auto volume = objectVolume(scene, options);
    views.setVolume(volume);
    if (window) {
        views.setWindow(*window);
    }
    if (cursor) {
        views.setCursor(*cursor);
    }
    const render::RgbImage image = views.renderOffscreen(width, height);
    const render::Window used = views.scene(render::SliceOrientation::Axial).window();
    const Vec3 at = views.cursor();
    const std::string colourMap(
        render::toString(views.scene(render::SliceOrientation::Axial).colourMap()));
    summary["cursor_mm"] = {at.x, at.y, at.z};
    summary["window"] = {used.low, used.high};
    summary["colour_map"] = colourMap;
    if (options.json) {
        return image;
    }
    std::printf("slices of %s through (%.1f, %.1f, %.1f) mm, window %.4g to %.4g, %s\n",
                options.volume.empty() ? "the scene's object" : options.volume.c_str(), at.x, at.y,
                at.z, static_cast<double>(used.low), static_cast<double>(used.high),
                colourMap.c_str());
    return image;
}

render::RgbImage renderVolume(const Scene& scene, const RenderOptions& options, int width,
                              int height, nlohmann::json& summary)
{
    render::VolumePreset preset = render::VolumePreset::MuGrey;
    if (!options.preset.empty()) {
        const auto parsed = render::parseVolumePreset(options.preset);
        if (!parsed) {
            throwInvalid("--preset", "\"" + options.preset + "\"",
                         "ct-bone, soft-tissue, mip or mu-grey");
        }
        preset = *parsed;
    }
    const auto volume = objectVolume(scene, options);
    if (volume->grid().is2D()) {
        throwInvalid("--view", "\"volume\"",
                     "a 3D volume; this one is 2D (nz = 1): use --view slices");
    }
    render::VolumeScene view(volume, preset);
    const render::RgbImage image = view.renderOffscreen(width, height);
    summary["preset"] = std::string(render::toString(preset));
    if (options.json) {
        return image;
    }
    std::printf("volume rendering of %s, preset %s\n",
                options.volume.empty() ? "the scene's object" : options.volume.c_str(),
                std::string(render::toString(preset)).c_str());
    return image;
}

render::RgbImage renderProjections(const Scene& scene, const RenderOptions& options, int width,
                                   int height, nlohmann::json& summary)
{
    if (options.projections.empty()) {
        throwInvalid("--projections", "(not given)",
                     "a projection stack of the scene (e.g. from tomoscope-cli project or "
                     "simulate) for --view projections");
    }
    const Geometry geometry = scene.geometry();
    if (options.current >= geometry.viewCount()) {
        throwInvalid("--current", std::to_string(options.current),
                     "a view index from 0 to " + std::to_string(geometry.viewCount() - 1));
    }
    auto stack =
        std::make_shared<const ProjectionStack>(readProjections(options.projections, geometry));
    render::ProjectionView view;
    view.setProjections(stack, stack->views());
    view.setCurrentView(options.current);
    view.setSinogramRow(options.row.value_or(stack->rows() / 2));
    const render::RgbImage image = view.renderOffscreen(width, height);
    summary["current"] = options.current;
    summary["row"] = view.sinogramRow();
    summary["views"] = stack->views();
    if (options.json) {
        return image;
    }
    std::printf("projection of view %zu and the sinogram of row %zu (%zu views)\n", options.current,
                view.sinogramRow(), stack->views());
    return image;
}
} // namespace

int renderCommand(const RenderOptions& options)
{
    const auto [width, height] = parseRenderSize(options.size);
    const std::filesystem::path out = options.output;
    if (out.extension() != ".png") {
        throwInvalid("--output", "\"" + options.output + "\"", "a .png file");
    }
    if (options.view != "trajectory" && options.view != "slices" && options.view != "volume" &&
        options.view != "projections") {
        throwInvalid("--view", "\"" + options.view + "\"",
                     "trajectory, volume, slices or projections");
    }
    const Scene scene = loadScene(options.scene);
    requireDisplay();
    nlohmann::json summary = {{"output", options.output}, {"view", options.view}};
    if (options.view == "slices" || options.view == "volume") {
        summary["volume"] =
            options.volume.empty() ? nlohmann::json(nullptr) : nlohmann::json(options.volume);
    }
    const render::RgbImage image =
        options.view == "trajectory" ? renderTrajectory(scene, options, width, height, summary)
        : options.view == "slices"   ? renderSlices(scene, options, width, height, summary)
        : options.view == "volume"   ? renderVolume(scene, options, width, height, summary)
                                     : renderProjections(scene, options, width, height, summary);
    render::writePng(image, out);
    if (options.json) {
        summary["width"] = image.width;
        summary["height"] = image.height;
        std::printf("%s\n", summary.dump(2).c_str());
        return kExitSuccess;
    }
    std::printf("wrote %s (%d x %d)\n", options.output.c_str(), image.width, image.height);
    return kExitSuccess;
}
} // namespace tomo::cli
