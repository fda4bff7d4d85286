#pragma once

#include "tomo/volume.h"

#include <string_view>

namespace tomo
{
/// The same voxels re-indexed so that the index axes point towards `code` (orientationCode in
/// io.h: three letters, one of L/R, one of P/A, one of S/I, e.g. "RAS", "LPS", "RAI"): axes
/// permuted and flipped, spacing permuted, direction and origin set so that every voxel keeps
/// its world position. Exact (no interpolation). The volume's own axes are matched to the code
/// by orientationCode's nearest assignment, so an oblique volume stays oblique.
/// Throws InvalidArgument naming the code and what is accepted.
[[nodiscard]] Volume reorient(const Volume& volume, std::string_view code);
} // namespace tomo
