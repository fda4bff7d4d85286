#pragma once

#include "tomo/projections.h"
#include "tomo/volume.h"

#include <cstddef>

namespace tomo::detail
{
class ZColumnCache;

/// Joseph forward projection of views [firstView, firstView + count) for 3D beams (CPU).
/// `cache` (may be null) keeps the volume's z-fastest copy between calls (joseph3d_avx2.h).
void josephForward3D(const Volume& volume, ProjectionStack& out, std::size_t firstView,
                     std::size_t count, ZColumnCache* cache);

/// Its exact transpose, accumulated with `weight` into `volume` (CPU).
void josephBack3D(const ProjectionStack& projections, std::size_t firstView, std::size_t count,
                  float weight, Volume& volume);
} // namespace tomo::detail
