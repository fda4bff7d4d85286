#pragma once

#include "tomo/render/image_rgb.h"

#include <filesystem>

namespace tomo::render
{
/// Error above which two renderings of the same scene count as different (STYLE.md B.6, F3D's
/// default). On the error scale of compareImages, 0.05 is a mean structural similarity of 0.95.
/// Measured: ±2 grey levels of noise on every channel stays below 0.025 (a unit test holds it);
/// the current view of the 360-view trajectory baselines moved by 2° gives 0.07–0.09.
inline constexpr double kDefaultImageErrorThreshold = 0.05;

/// How far `actual` is from `expected`.
struct ImageDifference
{
    /// 1 − mean SSIM of the luminance (Rec. 601) over every pixel, with an 11×11 Gaussian
    /// window of σ = 1.5 pixels (Wang et al. 2004; edges clamped). 0 for identical images,
    /// about 1 for unrelated ones; exactly 1 when the sizes differ.
    double error = 1.0;
    bool sizesDiffer = false;
    /// |expected − actual| per channel, times kDiffGain and clamped: a picture of where they
    /// differ (black where they agree). Empty when the sizes differ.
    RgbImage diff;

    static constexpr int kDiffGain = 4;
};

/// Compares two renderings (see ImageDifference).
[[nodiscard]] ImageDifference compareImages(const RgbImage& expected, const RgbImage& actual);

/// Writes `image` as an RGB PNG, atomically. Throws InvalidArgument for an empty image, IoError
/// naming the path if it cannot be written.
void writePng(const RgbImage& image, const std::filesystem::path& path);

/// Reads a PNG as RGB (alpha dropped). Throws IoError naming the path.
[[nodiscard]] RgbImage readPng(const std::filesystem::path& path);
} // namespace tomo::render
