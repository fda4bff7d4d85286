#pragma once

#include "tomo/render/image_rgb.h"

#include <cstdint>
#include <optional>
#include <string_view>

namespace tomo::render
{
/// Colour maps of the slice and projection views: value → colour through the window
/// (low = the first colour, high = the last; values outside are clamped, NaN is transparent).
enum class ColourMap
{
    Grey,     ///< black → white
    Inverted, ///< white → black
    Hot,      ///< black → red → yellow → white
    Viridis,  ///< dark blue → green → yellow (matplotlib's perceptually uniform map)
};

/// "grey", "inverted", "hot", "viridis".
[[nodiscard]] std::string_view toString(ColourMap map);
/// Parses a toString name (any case; "gray" too). nullopt for anything else.
[[nodiscard]] std::optional<ColourMap> parseColourMap(std::string_view text);

/// The colour (0xRRGGBB) of `map` at `t` ∈ [0, 1] (clamped; NaN gives the colour at 0): t = 0 is
/// the window's low end, 1 its high end. The views' lookup tables are kColourMapEntries samples
/// of it.
[[nodiscard]] std::uint32_t mapColour(ColourMap map, double t);

/// Entries of the lookup tables built from a colour map (8 bits per channel need no more).
inline constexpr int kColourMapEntries = 256;

/// A window given as level (its centre) and width, like a CT console; converts to and from
/// render::Window (low = level − width/2, high = level + width/2).
struct WindowLevel
{
    float level = 0.5F;
    float width = 1.0F;

    [[nodiscard]] Window toWindow() const { return {level - 0.5F * width, level + 0.5F * width}; }
    [[nodiscard]] static WindowLevel fromWindow(Window window)
    {
        return {0.5F * (window.low + window.high), window.high - window.low};
    }
};
} // namespace tomo::render
