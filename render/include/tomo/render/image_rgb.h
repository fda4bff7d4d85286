#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace tomo::render
{
/// Background colour of every scene (0xRRGGBB): a dark blue-grey that black image borders and
/// white frames both stand out from.
inline constexpr std::uint32_t kSceneBackground = 0x1A1D24;

/// An 8-bit RGB image, rows top to bottom, 3 bytes per pixel (r, g, b), no padding.
struct RgbImage
{
    int width = 0;
    int height = 0;
    std::vector<std::uint8_t> rgb; ///< width * height * 3 bytes

    [[nodiscard]] bool empty() const { return width <= 0 || height <= 0; }
    /// Pixel (x, y) packed as 0xRRGGBB; y = 0 is the top row.
    [[nodiscard]] std::uint32_t pixel(int x, int y) const;
    /// How many different colours the image holds.
    [[nodiscard]] std::size_t distinctColours() const;
    /// How many pixels differ from `colour` (0xRRGGBB) in any channel by more than `tolerance`.
    [[nodiscard]] std::size_t countDifferent(std::uint32_t colour, int tolerance = 0) const;
};

/// A grey-level window: values ≤ low map to black, ≥ high to white.
struct Window
{
    float low = 0.0F;
    float high = 1.0F;
};

/// The minimum and maximum of the finite values seen so far (NaN and infinities ignored), grown
/// chunk by chunk: the window of a projection stack that fills view by view costs one pass over
/// each new view rather than over the whole stack.
struct ValueRange
{
    float low;
    float high;

    ValueRange();
    void add(std::span<const float> values);
    [[nodiscard]] bool empty() const { return low > high; }
    /// autoWindow of everything added.
    [[nodiscard]] Window window() const;
};

/// A window from the minimum and maximum of the finite values of `values` (ignores NaN and
/// infinities). An empty or constant input gives a window of width 1 starting at that value.
[[nodiscard]] Window autoWindow(std::span<const float> values);

/// Maps `values` (a width × height image, x fastest, row 0 first) to 8-bit grey through
/// `window`. If `flipY`, row 0 of the input becomes the last output row (so +y points up when
/// the input's row index grows with y). Non-finite values map to black.
/// Throws InvalidArgument if values.size() != width * height.
[[nodiscard]] std::vector<std::uint8_t> toGray8(std::span<const float> values, std::size_t width,
                                                std::size_t height, Window window, bool flipY);
} // namespace tomo::render
