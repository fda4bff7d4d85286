#pragma once

#include "tomo/geometry.h"
#include "tomo/projections.h"
#include "tomo/scene.h"
#include "tomo/volume.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <numbers>
#include <random>
#include <span>
#include <stdexcept>
#include <string>

namespace tomo::test
{
/// True when TOMO_TEST_SMALL=1 (sanitizer runs): tests shrink their problem sizes but keep
/// every check.
inline bool smallProblems()
{
    const char* v = std::getenv("TOMO_TEST_SMALL");
    return v != nullptr && std::string(v) == "1";
}

/// The source tree's resources/ folder: compiled in (TOMO_TEST_RESOURCES) or from
/// TOMO_SOURCE_RESOURCES, which ctest sets. Throws, naming the variable, if neither is there, so a
/// test binary run by hand fails with a message instead of crashing.
inline std::string resourcesDir()
{
#ifdef TOMO_TEST_RESOURCES
    return TOMO_TEST_RESOURCES;
#else
    const char* resources = std::getenv("TOMO_SOURCE_RESOURCES");
    if (resources == nullptr) {
        throw std::runtime_error("TOMO_SOURCE_RESOURCES is not set: set it to the source tree's "
                                 "resources/ folder, or run the test through ctest");
    }
    return resources;
#endif
}

/// The default example scene (TOMO_SOURCE_RESOURCES/scenes/shepp-logan-2d-parallel.json), shrunk
/// to 64², 90 views when smallProblems().
inline Scene defaultScene()
{
    Scene s = loadScene(resourcesDir() + "/scenes/shepp-logan-2d-parallel.json");
    if (smallProblems()) {
        s.trajectory.views = 90;
        s.detector.columns = 96;
        s.detector.pixelU = 3.2;
        s.reconstruction.gridSize = {64, 64, 1};
        s.reconstruction.gridSpacingMm = {3.2, 3.2, 3.2};
    }
    return s;
}

/// A circular 2D geometry with the given beam over `rangeRad`.
inline Geometry circular2D(BeamType beam, std::size_t views, std::size_t columns, double pixelMm,
                           double rangeRad = std::numbers::pi, double sid = 500.0,
                           double sdd = 1000.0)
{
    Detector det{.columns = columns, .rows = 1, .pixelU = pixelMm, .pixelV = pixelMm};
    CircularTrajectory traj{.views = views,
                            .startAngle = 0.0,
                            .angularRange = rangeRad,
                            .sourceIsocentre = sid,
                            .sourceDetector = sdd};
    return Geometry::circular(beam, det, traj);
}

/// Uniform random values in [0, 1) from a fixed seed.
template <class Span> void fillRandom(Span data, unsigned seed)
{
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> dist(0.0f, 1.0f);
    for (auto& v : data) {
        v = dist(rng);
    }
}

/// RMS of (estimate − reference) divided by the largest |reference| value: the error measure the
/// projector tests bound.
inline double relativeRms(std::span<const float> estimate, std::span<const float> reference)
{
    double sumSq = 0.0;
    double peak = 0.0;
    for (std::size_t i = 0; i < reference.size(); ++i) {
        const double e = static_cast<double>(estimate[i]) - static_cast<double>(reference[i]);
        sumSq += e * e;
        peak = std::max(peak, std::abs(static_cast<double>(reference[i])));
    }
    return std::sqrt(sumSq / static_cast<double>(reference.size())) / peak;
}

inline double dotProduct(std::span<const float> a, std::span<const float> b)
{
    double sum = 0.0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        sum += static_cast<double>(a[i]) * static_cast<double>(b[i]);
    }
    return sum;
}
} // namespace tomo::test
