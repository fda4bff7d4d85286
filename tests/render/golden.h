#pragma once

// Golden-image checks for render tests (STYLE.md B.6). A rendering is compared with
// tests/baselines/render/<name>.png by compareImages' SSIM-style error. A missing baseline writes
// the candidate to <build>/Testing/Temporary/<name>.png and fails; a mismatch writes
// <name>-actual.png and <name>-diff.png there. Regeneration: docs/dev/testing.md.

#include "tomo/render/image_compare.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

namespace tomo::render::testing
{
inline std::filesystem::path baselineDir()
{
    return TOMO_RENDER_BASELINE_DIR;
}

inline std::filesystem::path outputDir()
{
    std::filesystem::path dir = TOMO_RENDER_OUTPUT_DIR;
    std::filesystem::create_directories(dir);
    return dir;
}

/// Whether `actual` matches the baseline `name` within `threshold` (compareImages' error).
inline ::testing::AssertionResult matchesBaseline(const RgbImage& actual, const std::string& name,
                                                  double threshold = kDefaultImageErrorThreshold)
{
    const std::filesystem::path baseline = baselineDir() / (name + ".png");
    if (!std::filesystem::exists(baseline)) {
        const std::filesystem::path candidate = outputDir() / (name + ".png");
        writePng(actual, candidate);
        return ::testing::AssertionFailure()
               << "no baseline " << baseline << "; the candidate is " << candidate
               << ": look at it, and copy it there if it is right (docs/dev/testing.md)";
    }
    const RgbImage expected = readPng(baseline);
    const ImageDifference difference = compareImages(expected, actual);
    if (!difference.sizesDiffer && difference.error <= threshold) {
        return ::testing::AssertionSuccess() << name << ": error " << difference.error;
    }
    const std::filesystem::path actualPath = outputDir() / (name + "-actual.png");
    writePng(actual, actualPath);
    auto failure = ::testing::AssertionFailure();
    if (difference.sizesDiffer) {
        failure << name << ": size " << actual.width << "x" << actual.height << ", baseline "
                << expected.width << "x" << expected.height;
    } else {
        const std::filesystem::path diffPath = outputDir() / (name + "-diff.png");
        writePng(difference.diff, diffPath);
        failure << name << ": image error " << difference.error << " > threshold " << threshold
                << "; diff " << diffPath;
    }
    return failure << "; actual " << actualPath << ", baseline " << baseline;
}
} // namespace tomo::render::testing
