#pragma once

// The lookup table behind a colour map and a window, shared by the slice and projection views.
// Private to tomo_render.

#include "tomo/render/colour_map.h"
#include "tomo/render/image_rgb.h"

class vtkLookupTable;

namespace tomo::render::detail
{
/// Fills `table` with kColourMapEntries samples of `map` over `window` (values ≤ low get the
/// first entry, ≥ high the last), NaN transparent. A window of zero or negative width is widened
/// to the smallest float step above low, so that the table stays valid.
void fillLookupTable(vtkLookupTable* table, ColourMap map, Window window);
} // namespace tomo::render::detail
