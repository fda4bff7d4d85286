#include "cli_commands.h"

#include "terminal_run_context.h"
#include "tomo/compute.h"
#include "tomo/error.h"
#include "tomo/pipeline.h"
#include "tomo/scene.h"

#include <nlohmann/json.hpp>

#include <charconv>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace tomo::cli
{
std::pair<double, double> parseWindow(const std::string& text, const std::string& example)
{
    const auto number = [](std::string_view part, double& value) {
        const auto result = std::from_chars(part.data(), part.data() + part.size(), value);
        return result.ec == std::errc() && result.ptr == part.data() + part.size() &&
               std::isfinite(value);
    };
    const std::size_t comma = text.find(',');
    double low = 0.0;
    double high = 0.0;
    if (comma == std::string::npos || !number(std::string_view(text).substr(0, comma), low) ||
        !number(std::string_view(text).substr(comma + 1), high) || !(high > low)) {
        throwInvalid("--window", "\"" + text + "\"",
                     "LOW,HIGH: the values shown black and white, finite, HIGH > LOW (e.g. " +
                         example + ")");
    }
    return {low, high};
}

int runCommand(const RunOptions& options)
{
    Scene scene = loadScene(options.scene);
    if (options.ideal) {
        scene.physics = PhysicsSpec{};
    }
    if (options.plan) {
        printPlan(scene, scene.reconstructionGrid(), options.device);
        return kExitSuccess;
    }
    auto compute = ComputeContext::create(options.device);
    if (!options.quiet && !options.json) {
        std::cerr << "scene:  " << scene.name << " (" << options.scene << ")\n"
                  << "device: " << compute->device().label() << "\n";
    }
    RunResult result;
    {
        TerminalRunContext ctx(options.quiet || options.json);
        result = runScene(scene, *compute, ctx);
    }
    std::optional<std::pair<double, double>> window;
    if (!options.window.empty()) {
        window = parseWindow(options.window, "0.015,0.025 (mm^-1) or -160,240 (HU)");
    }
    const auto written = writeRunOutputs(result, scene, options.output, window);
    if (options.json) {
        nlohmann::json out = {{"scene", scene.name},
                              {"device", result.device},
                              {"rmse_per_mm", result.rmse},
                              {"psnr_db", result.psnr},
                              {"ssim", result.ssim},
                              {"simulate_seconds", result.simulateSeconds},
                              {"reconstruct_seconds", result.reconstructSeconds},
                              {"outputs", nlohmann::json::array()}};
        for (const auto& p : written) {
            out["outputs"].push_back(p.string());
        }
        std::cout << out.dump(2) << "\n";
        return kExitSuccess;
    }
    if (std::isnan(result.psnr)) {
        std::printf("RMSE %.6g mm^-1   PSNR and SSIM undefined: the truth is constant (an empty "
                    "phantom?)   (simulate %.2f s, reconstruct %.2f s)\n",
                    result.rmse, result.simulateSeconds, result.reconstructSeconds);
    } else {
        std::printf("RMSE %.6g mm^-1   PSNR %.2f dB   SSIM %.4f   (simulate %.2f s, reconstruct "
                    "%.2f s)\n",
                    result.rmse, result.psnr, result.ssim, result.simulateSeconds,
                    result.reconstructSeconds);
    }
    std::printf("wrote:\n");
    for (const auto& p : written) {
        std::printf("  %s\n", p.string().c_str());
    }
    return kExitSuccess;
}

int devicesCommand(bool json)
{
    const auto devices = listDevices();
    if (json) {
        nlohmann::json out = nlohmann::json::array();
        for (const DeviceInfo& d : devices) {
            out.push_back({{"id", d.id},
                           {"backend", std::string(toString(d.backend))},
                           {"name", d.name},
                           {"platform", d.platform},
                           {"vendor", d.vendor},
                           {"driver", d.driver},
                           {"type", d.type},
                           {"global_memory_bytes", d.globalMemoryBytes},
                           {"compute_units", d.computeUnits}});
        }
        std::cout << out.dump(2) << "\n";
        return kExitSuccess;
    }
    std::printf("%-14s %-8s %-12s %10s %5s  %s\n", "ID", "BACKEND", "TYPE", "MEMORY", "CU",
                "NAME (PLATFORM, DRIVER)");
    for (const DeviceInfo& d : devices) {
        std::printf("%-14s %-8s %-12s %7.1f GB %5u  %s (%s, %s)\n", d.id.c_str(),
                    std::string(toString(d.backend)).c_str(), d.type.c_str(),
                    static_cast<double>(d.globalMemoryBytes) / 1e9, d.computeUnits, d.name.c_str(),
                    d.platform.c_str(), d.driver.c_str());
    }
    return kExitSuccess;
}
} // namespace tomo::cli
