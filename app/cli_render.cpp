// tomoscope-cli render: the scenes of render/ drawn offscreen into a PNG (documentation, users,
// the same pictures the app shows).
#include "cli_commands.h"
#include "tomo/error.h"
#include "tomo/geometry_check.h"
#include "tomo/io.h"
#include "tomo/phantom.h"
#include "tomo/scene.h"

#ifdef TOMO_HAVE_RENDER
#include "tomo/render/image_compare.h"
#include "tomo/render/trajectory_scene.h"
#endif

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
} // namespace

#ifdef TOMO_HAVE_RENDER
namespace
{
render::RgbImage renderTrajectory(const Scene& scene, const RenderOptions& options, int width,
                                  int height)
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
    std::printf("trajectory: %zu views, current %zu, ghost frames every %zu views",
                geometry.viewCount(), options.current, view.ghostEvery());
    if (!view.truncatedViews().empty()) {
        std::printf(", %zu views truncated (red edges)", view.truncatedViews().size());
    }
    if (const auto pixel = view.highlightedPixel()) {
        std::printf(", ray lands on column %.2f row %.2f", (*pixel)[0], (*pixel)[1]);
    } else if (!options.ray.empty()) {
        std::printf(", ray misses the detector");
    }
    std::printf("\n");
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
    if (options.view != "trajectory") {
        throwInvalid("--view", "\"" + options.view + "\"", "trajectory, volume or slices");
    }
    const Scene scene = loadScene(options.scene);
    requireDisplay();
    const render::RgbImage image = renderTrajectory(scene, options, width, height);
    render::writePng(image, out);
    std::printf("wrote %s (%d x %d)\n", options.output.c_str(), image.width, image.height);
    return kExitSuccess;
}
#else
int renderCommand(const RenderOptions& /*options*/)
{
    throw Error("this tomoscope-cli was built without render/ (TOMO_BUILD_GUI=OFF): rebuild with "
                "-DTOMO_BUILD_GUI=ON to render scenes");
}
#endif
} // namespace tomo::cli
