#pragma once

// Helpers of the 2D view tests (slice views, projection view): display check, debug dumps and
// looking for coloured pixels in a panel of a rendering.

#include "tomo/render/image_rgb.h"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <string>

namespace tomo::render::testing
{
inline bool haveDisplay()
{
    const char* display = std::getenv("DISPLAY");
    return display != nullptr && *display != '\0';
}

/// With TOMO_TEST_DUMP=dir set, writes `image` to dir/<name>.ppm (STYLE.md B.6).
inline void dumpImage(const RgbImage& image, const std::string& name)
{
    const char* dir = std::getenv("TOMO_TEST_DUMP");
    if (dir == nullptr || *dir == '\0') {
        return;
    }
    std::ofstream out(std::string(dir) + "/" + name + ".ppm", std::ios::binary);
    out << "P6\n" << image.width << " " << image.height << "\n255\n";
    out.write(reinterpret_cast<const char*>(image.rgb.data()),
              static_cast<std::streamsize>(image.rgb.size()));
}

/// Whether two 0xRRGGBB colours differ by at most `tolerance` in every channel.
inline bool near(std::uint32_t a, std::uint32_t b, int tolerance)
{
    for (unsigned shift : {0U, 8U, 16U}) {
        const int ca = static_cast<int>((a >> shift) & 0xFFU);
        const int cb = static_cast<int>((b >> shift) & 0xFFU);
        if (std::abs(ca - cb) > tolerance) {
            return false;
        }
    }
    return true;
}

/// Where the pixels of a panel [x0, x0 + width) × [0, height) that satisfy a predicate lie:
/// their count, centroid and bounding box (panel coordinates, y = 0 at the top).
struct PixelSet
{
    int count = 0;
    double cx = 0.0;
    double cy = 0.0;
    int minX = 0;
    int maxX = -1;
    int minY = 0;
    int maxY = -1;
};

inline PixelSet findPixels(const RgbImage& image, int x0, int width,
                           const std::function<bool(std::uint32_t)>& wanted)
{
    PixelSet set;
    set.minX = width;
    set.minY = image.height;
    for (int y = 0; y < image.height; ++y) {
        for (int x = 0; x < width; ++x) {
            if (wanted(image.pixel(x0 + x, y))) {
                ++set.count;
                set.cx += x;
                set.cy += y;
                set.minX = std::min(set.minX, x);
                set.maxX = std::max(set.maxX, x);
                set.minY = std::min(set.minY, y);
                set.maxY = std::max(set.maxY, y);
            }
        }
    }
    if (set.count > 0) {
        set.cx /= set.count;
        set.cy /= set.count;
    }
    return set;
}

/// The pixels of colour `colour` (within `tolerance` per channel) in a panel.
inline PixelSet findColour(const RgbImage& image, int x0, int width, std::uint32_t colour,
                           int tolerance)
{
    return findPixels(image, x0, width,
                      [&](std::uint32_t p) { return near(p, colour, tolerance); });
}

/// The row (panel y) holding the most pixels of `colour`, and the column likewise: where a
/// horizontal and a vertical line of that colour lie.
struct LineCross
{
    int row = -1;
    int column = -1;
};

inline LineCross findLines(const RgbImage& image, int x0, int width, std::uint32_t colour,
                           int tolerance)
{
    LineCross cross;
    int bestRow = 0;
    for (int y = 0; y < image.height; ++y) {
        int n = 0;
        for (int x = 0; x < width; ++x) {
            n += near(image.pixel(x0 + x, y), colour, tolerance) ? 1 : 0;
        }
        if (n > bestRow) {
            bestRow = n;
            cross.row = y;
        }
    }
    int bestColumn = 0;
    for (int x = 0; x < width; ++x) {
        int n = 0;
        for (int y = 0; y < image.height; ++y) {
            n += near(image.pixel(x0 + x, y), colour, tolerance) ? 1 : 0;
        }
        if (n > bestColumn) {
            bestColumn = n;
            cross.column = x;
        }
    }
    return cross;
}
} // namespace tomo::render::testing
