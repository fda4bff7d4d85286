#include "tomo/render/colour_map.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace tomo::render
{
namespace
{
TEST(ColourMap, ParsesEveryNameItPrints)
{
    for (ColourMap map :
         {ColourMap::Grey, ColourMap::Inverted, ColourMap::Hot, ColourMap::Viridis}) {
        EXPECT_EQ(parseColourMap(toString(map)), map) << toString(map);
    }
    EXPECT_EQ(parseColourMap("GRAY"), ColourMap::Grey);
    EXPECT_EQ(parseColourMap("Viridis"), ColourMap::Viridis);
    EXPECT_EQ(parseColourMap("jet"), std::nullopt);
    EXPECT_EQ(parseColourMap(""), std::nullopt);
}

TEST(ColourMap, RunsFromItsFirstToItsLastColourOverTheWindow)
{
    EXPECT_EQ(mapColour(ColourMap::Grey, 0.0), 0x000000U);
    EXPECT_EQ(mapColour(ColourMap::Grey, 1.0), 0xFFFFFFU);
    EXPECT_EQ(mapColour(ColourMap::Grey, -3.0), 0x000000U) << "clamped below";
    EXPECT_EQ(mapColour(ColourMap::Grey, 7.0), 0xFFFFFFU) << "clamped above";
    EXPECT_EQ(mapColour(ColourMap::Inverted, 0.0), 0xFFFFFFU);
    EXPECT_EQ(mapColour(ColourMap::Inverted, 1.0), 0x000000U);
    EXPECT_EQ(mapColour(ColourMap::Hot, 0.0), 0x000000U);
    EXPECT_EQ(mapColour(ColourMap::Hot, 0.375), 0xFF0000U) << "red, then yellow";
    EXPECT_EQ(mapColour(ColourMap::Hot, 0.75), 0xFFFF00U);
    EXPECT_EQ(mapColour(ColourMap::Hot, 1.0), 0xFFFFFFU);
    EXPECT_EQ(mapColour(ColourMap::Viridis, 0.0), 0x440154U); // matplotlib's ends
    EXPECT_EQ(mapColour(ColourMap::Viridis, 1.0), 0xFDE725U);
    EXPECT_EQ(mapColour(ColourMap::Grey, std::numeric_limits<double>::quiet_NaN()), 0x000000U);
}

TEST(ColourMap, ConvertsLevelAndWidthToAWindowAndBack)
{
    const Window w = WindowLevel{40.0F, 400.0F}.toWindow(); // a CT soft-tissue window
    EXPECT_EQ(w.low, -160.0F);
    EXPECT_EQ(w.high, 240.0F);
    const WindowLevel back = WindowLevel::fromWindow(w);
    EXPECT_EQ(back.level, 40.0F);
    EXPECT_EQ(back.width, 400.0F);
}
} // namespace
} // namespace tomo::render
