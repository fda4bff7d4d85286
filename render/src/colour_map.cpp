#include "tomo/render/colour_map.h"

#include "lookup_table.h"

#include <vtkLookupTable.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <limits>
#include <string>

namespace tomo::render
{
namespace
{
using Rgb = std::array<double, 3>;

/// matplotlib's viridis at t = 0, 1/8, …, 1 (sRGB), linearly interpolated in between: within one
/// 8-bit step of the 256-entry original everywhere.
constexpr std::array<Rgb, 9> kViridis{{{68, 1, 84},
                                       {72, 40, 120},
                                       {62, 73, 137},
                                       {49, 104, 142},
                                       {38, 130, 142},
                                       {31, 158, 137},
                                       {53, 183, 121},
                                       {109, 205, 89},
                                       {253, 231, 37}}};

double clamp01(double t)
{
    return std::isnan(t) ? 0.0 : std::clamp(t, 0.0, 1.0);
}

Rgb colourAt(ColourMap map, double t)
{
    t = clamp01(t);
    switch (map) {
    case ColourMap::Grey:
        return {t, t, t};
    case ColourMap::Inverted:
        return {1.0 - t, 1.0 - t, 1.0 - t};
    case ColourMap::Hot:
        // matplotlib's "hot": red rises over the first 3/8, green over the next 3/8, blue last.
        return {clamp01(t / 0.375), clamp01((t - 0.375) / 0.375), clamp01((t - 0.75) / 0.25)};
    case ColourMap::Viridis: {
        const double x = t * static_cast<double>(kViridis.size() - 1);
        const auto i = std::min(static_cast<std::size_t>(x), kViridis.size() - 2);
        const double f = x - static_cast<double>(i);
        Rgb c{};
        for (std::size_t k = 0; k < 3; ++k) {
            c[k] = ((1.0 - f) * kViridis[i][k] + f * kViridis[i + 1][k]) / 255.0;
        }
        return c;
    }
    }
    return {t, t, t};
}

std::uint32_t pack(const Rgb& c)
{
    const auto byte = [](double v) {
        return static_cast<std::uint32_t>(std::lround(std::clamp(v, 0.0, 1.0) * 255.0));
    };
    return (byte(c[0]) << 16U) | (byte(c[1]) << 8U) | byte(c[2]);
}
} // namespace

std::string_view toString(ColourMap map)
{
    switch (map) {
    case ColourMap::Grey:
        return "grey";
    case ColourMap::Inverted:
        return "inverted";
    case ColourMap::Hot:
        return "hot";
    case ColourMap::Viridis:
        return "viridis";
    }
    return "grey";
}

std::optional<ColourMap> parseColourMap(std::string_view text)
{
    std::string lower(text);
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (lower == "gray") {
        return ColourMap::Grey;
    }
    for (ColourMap map :
         {ColourMap::Grey, ColourMap::Inverted, ColourMap::Hot, ColourMap::Viridis}) {
        if (lower == toString(map)) {
            return map;
        }
    }
    return std::nullopt;
}

std::uint32_t mapColour(ColourMap map, double t)
{
    return pack(colourAt(map, t));
}

namespace detail
{
void fillLookupTable(vtkLookupTable* table, ColourMap map, Window window)
{
    double low = window.low;
    double high = window.high;
    if (!(high > low)) {
        high = std::nextafter(static_cast<float>(low), std::numeric_limits<float>::infinity());
    }
    table->SetNumberOfTableValues(kColourMapEntries);
    table->SetTableRange(low, high);
    table->SetRampToLinear();
    table->SetScaleToLinear();
    // Build first, then overwrite: entries inserted after the last Build() are kept by later
    // Build() calls (the mappers call it), the documented vtkLookupTable idiom.
    table->Build();
    for (int i = 0; i < kColourMapEntries; ++i) {
        // Entry i is the map at i/(N−1): the ends are the map's ends exactly (grey: low is
        // pure black, high pure white).
        const double t = static_cast<double>(i) / static_cast<double>(kColourMapEntries - 1);
        const Rgb c = colourAt(map, t);
        table->SetTableValue(i, c[0], c[1], c[2], 1.0);
    }
    table->SetNanColor(0.0, 0.0, 0.0, 0.0);
    table->UseBelowRangeColorOff();
    table->UseAboveRangeColorOff();
}
} // namespace detail
} // namespace tomo::render
