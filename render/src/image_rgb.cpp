#include "tomo/render/image_rgb.h"

#include "tomo/error.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <unordered_set>

namespace tomo::render
{
std::uint32_t RgbImage::pixel(int x, int y) const
{
    const std::size_t i = 3 * (static_cast<std::size_t>(y) * static_cast<std::size_t>(width) +
                               static_cast<std::size_t>(x));
    return (std::uint32_t{rgb[i]} << 16U) | (std::uint32_t{rgb[i + 1]} << 8U) |
           std::uint32_t{rgb[i + 2]};
}

std::size_t RgbImage::distinctColours() const
{
    std::unordered_set<std::uint32_t> seen;
    for (int y = 0; y < height; ++y) {
        for (int x = 0; x < width; ++x) {
            seen.insert(pixel(x, y));
        }
    }
    return seen.size();
}

std::size_t RgbImage::countDifferent(std::uint32_t colour, int tolerance) const
{
    const int r = static_cast<int>((colour >> 16U) & 0xFFU);
    const int g = static_cast<int>((colour >> 8U) & 0xFFU);
    const int b = static_cast<int>(colour & 0xFFU);
    std::size_t count = 0;
    for (std::size_t i = 0; i + 2 < rgb.size(); i += 3) {
        if (std::abs(rgb[i] - r) > tolerance || std::abs(rgb[i + 1] - g) > tolerance ||
            std::abs(rgb[i + 2] - b) > tolerance) {
            ++count;
        }
    }
    return count;
}

ValueRange::ValueRange()
    : low(std::numeric_limits<float>::max()), high(std::numeric_limits<float>::lowest())
{}

void ValueRange::add(std::span<const float> values)
{
    for (const float v : values) {
        if (std::isfinite(v)) {
            low = std::min(low, v);
            high = std::max(high, v);
        }
    }
}

Window ValueRange::window() const
{
    if (empty()) {
        return {0.0F, 1.0F};
    }
    if (high <= low) {
        return {low, low + 1.0F};
    }
    return {low, high};
}

Window autoWindow(std::span<const float> values)
{
    ValueRange range;
    range.add(values);
    return range.window();
}

std::vector<std::uint8_t> toGray8(std::span<const float> values, std::size_t width,
                                  std::size_t height, Window window, bool flipY)
{
    if (values.size() != width * height) {
        throwInvalid("image size", std::to_string(values.size()) + " values",
                     "width * height = " + std::to_string(width * height));
    }
    std::vector<std::uint8_t> out(values.size(), 0);
    const float span = window.high > window.low ? window.high - window.low : 1.0F;
    const float scale = 255.0F / span;
    for (std::size_t row = 0; row < height; ++row) {
        const std::size_t outRow = flipY ? height - 1 - row : row;
        for (std::size_t x = 0; x < width; ++x) {
            const float v = values[row * width + x];
            std::uint8_t grey = 0;
            if (std::isfinite(v)) {
                const float scaled = std::clamp((v - window.low) * scale, 0.0F, 255.0F);
                grey = static_cast<std::uint8_t>(std::lround(scaled));
            }
            out[outRow * width + x] = grey;
        }
    }
    return out;
}
} // namespace tomo::render
