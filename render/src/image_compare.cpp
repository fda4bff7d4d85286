#include "tomo/render/image_compare.h"

#include "tomo/error.h"
#include "tomo/io.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
#include <vector>

namespace tomo::render
{
namespace
{
constexpr int kRadius = 5;                              // 11×11 window
constexpr double kSigma = 1.5;                          // Wang et al. 2004
constexpr double kC1 = (0.01 * 255.0) * (0.01 * 255.0); // (K1 L)², L = 255
constexpr double kC2 = (0.03 * 255.0) * (0.03 * 255.0); // (K2 L)²

std::vector<double> luminance(const RgbImage& image)
{
    std::vector<double> y(static_cast<std::size_t>(image.width) *
                          static_cast<std::size_t>(image.height));
    for (std::size_t i = 0; i < y.size(); ++i) {
        y[i] =
            0.299 * image.rgb[3 * i] + 0.587 * image.rgb[3 * i + 1] + 0.114 * image.rgb[3 * i + 2];
    }
    return y;
}

/// Separable Gaussian blur with clamped edges.
std::vector<double> blur(const std::vector<double>& in, int width, int height,
                         const std::array<double, 2 * kRadius + 1>& weights)
{
    std::vector<double> rows(in.size());
    std::vector<double> out(in.size());
    const auto at = [width](int x, int y) {
        return static_cast<std::size_t>(y) * static_cast<std::size_t>(width) +
               static_cast<std::size_t>(x);
    };
    for (int y = 0; y < height; ++y) {
        for (int x = 0; x < width; ++x) {
            double sum = 0.0;
            for (int k = -kRadius; k <= kRadius; ++k) {
                sum += weights[static_cast<std::size_t>(k + kRadius)] *
                       in[at(std::clamp(x + k, 0, width - 1), y)];
            }
            rows[at(x, y)] = sum;
        }
    }
    for (int y = 0; y < height; ++y) {
        for (int x = 0; x < width; ++x) {
            double sum = 0.0;
            for (int k = -kRadius; k <= kRadius; ++k) {
                sum += weights[static_cast<std::size_t>(k + kRadius)] *
                       rows[at(x, std::clamp(y + k, 0, height - 1))];
            }
            out[at(x, y)] = sum;
        }
    }
    return out;
}
} // namespace

ImageDifference compareImages(const RgbImage& expected, const RgbImage& actual)
{
    ImageDifference result;
    if (expected.width != actual.width || expected.height != actual.height || expected.empty()) {
        result.sizesDiffer = true;
        return result;
    }
    const int w = expected.width;
    const int h = expected.height;

    std::array<double, 2 * kRadius + 1> weights{};
    double total = 0.0;
    for (int k = -kRadius; k <= kRadius; ++k) {
        const double g = std::exp(-0.5 * k * k / (kSigma * kSigma));
        weights[static_cast<std::size_t>(k + kRadius)] = g;
        total += g;
    }
    for (double& g : weights) {
        g /= total;
    }

    const std::vector<double> a = luminance(expected);
    const std::vector<double> b = luminance(actual);
    std::vector<double> aa(a.size());
    std::vector<double> bb(a.size());
    std::vector<double> ab(a.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
        aa[i] = a[i] * a[i];
        bb[i] = b[i] * b[i];
        ab[i] = a[i] * b[i];
    }
    const auto muA = blur(a, w, h, weights);
    const auto muB = blur(b, w, h, weights);
    const auto mAA = blur(aa, w, h, weights);
    const auto mBB = blur(bb, w, h, weights);
    const auto mAB = blur(ab, w, h, weights);
    double ssimSum = 0.0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        const double varA = mAA[i] - muA[i] * muA[i];
        const double varB = mBB[i] - muB[i] * muB[i];
        const double cov = mAB[i] - muA[i] * muB[i];
        ssimSum += ((2.0 * muA[i] * muB[i] + kC1) * (2.0 * cov + kC2)) /
                   ((muA[i] * muA[i] + muB[i] * muB[i] + kC1) * (varA + varB + kC2));
    }
    result.error = std::clamp(1.0 - ssimSum / static_cast<double>(a.size()), 0.0, 1.0);

    result.diff.width = w;
    result.diff.height = h;
    result.diff.rgb.resize(expected.rgb.size());
    for (std::size_t i = 0; i < expected.rgb.size(); ++i) {
        const int d = std::abs(int{expected.rgb[i]} - int{actual.rgb[i]});
        result.diff.rgb[i] =
            static_cast<std::uint8_t>(std::min(255, d * ImageDifference::kDiffGain));
    }
    return result;
}

void writePng(const RgbImage& image, const std::filesystem::path& path)
{
    if (image.empty()) {
        throwInvalid("image for " + path.string(),
                     std::to_string(image.width) + "x" + std::to_string(image.height),
                     "a positive width and height");
    }
    RgbPixels pixels;
    pixels.width = static_cast<std::size_t>(image.width);
    pixels.height = static_cast<std::size_t>(image.height);
    pixels.rgb = image.rgb;
    writeRgbPng(pixels, path);
}

RgbImage readPng(const std::filesystem::path& path)
{
    RgbPixels pixels = readRgbPng(path);
    RgbImage image;
    image.width = static_cast<int>(pixels.width);
    image.height = static_cast<int>(pixels.height);
    image.rgb = std::move(pixels.rgb);
    return image;
}
} // namespace tomo::render
