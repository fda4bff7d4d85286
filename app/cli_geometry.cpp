// tomoscope-cli geometry: export a scene's geometry to RTK/ASTRA/matrix/plastimatch/JSON files
// and import such a file into a scene as explicit poses.
#include "cli_commands.h"
#include "tomo/error.h"
#include "tomo/geometry_io.h"
#include "tomo/scene.h"

#include <nlohmann/json.hpp>

#include <charconv>
#include <iostream>

namespace tomo::cli
{
namespace
{
// "NU,NV" as two counts > 0.
std::pair<std::size_t, std::size_t> parseDetectorSize(const std::string& text)
{
    const auto comma = text.find(',');
    std::size_t nu = 0;
    std::size_t nv = 0;
    if (comma != std::string::npos) {
        const auto a = std::from_chars(text.data(), text.data() + comma, nu);
        const auto b = std::from_chars(text.data() + comma + 1, text.data() + text.size(), nv);
        if (a.ec == std::errc() && a.ptr == text.data() + comma && b.ec == std::errc() &&
            b.ptr == text.data() + text.size() && nu > 0 && nv > 0) {
            return {nu, nv};
        }
    }
    throwInvalid("--detector", "\"" + text + "\"",
                 "give the detector size as NU,NV: two whole numbers > 0 (columns, rows)");
}
} // namespace

int geometryCommand(const GeometryOptions& options)
{
    const GeometryFormat format = parseGeometryFormat(options.format, "--format");
    Scene scene = loadScene(options.scene);
    if (!options.exportPath.empty()) {
        exportGeometry(scene.geometry(), options.exportPath, format);
        if (options.json) {
            const nlohmann::json out = {{"output", options.exportPath},
                                        {"format", std::string(toString(format))},
                                        {"views", scene.geometry().viewCount()}};
            std::cout << out.dump(2) << "\n";
            return kExitSuccess;
        }
        std::cout << "wrote " << options.exportPath << " (" << toString(format) << ", "
                  << scene.geometry().viewCount() << " views)\n";
        return kExitSuccess;
    }
    GeometryImportHints hints{.beam = scene.beam, .detector = scene.detector};
    if (!options.detector.empty()) {
        const auto [nu, nv] = parseDetectorSize(options.detector);
        hints.detector.columns = nu;
        hints.detector.rows = nv;
    }
    const Geometry geometry = importGeometry(options.importPath, format, hints);
    scene.beam = geometry.beam();
    scene.detector = geometry.detector();
    scene.trajectory.kind = TrajectoryKind::Explicit;
    scene.trajectory.poses.assign(geometry.poses().begin(), geometry.poses().end());
    scene.validate();
    saveScene(scene, options.output);
    if (options.json) {
        const nlohmann::json out = {{"output", options.output},
                                    {"imported", options.importPath},
                                    {"format", std::string(toString(format))},
                                    {"views", geometry.viewCount()}};
        std::cout << out.dump(2) << "\n";
        return kExitSuccess;
    }
    std::cout << "wrote " << options.output << " (" << geometry.viewCount() << " views from "
              << options.importPath << ")\n";
    return kExitSuccess;
}
} // namespace tomo::cli
