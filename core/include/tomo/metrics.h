#pragma once

#include "tomo/volume.h"

namespace tomo
{
/// Root-mean-square error between two volumes on the same grid, in their unit.
/// Throws InvalidArgument if the grids differ.
[[nodiscard]] double rmse(const Volume& estimate, const Volume& reference);

/// Peak signal-to-noise ratio in dB: 20·log10(range / RMSE), with range = max − min of
/// `reference`. Returns +inf for identical volumes. Throws InvalidArgument if the grids differ or
/// the reference is constant.
[[nodiscard]] double psnr(const Volume& estimate, const Volume& reference);
} // namespace tomo
