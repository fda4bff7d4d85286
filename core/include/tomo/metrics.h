#pragma once

#include "tomo/volume.h"

#include <vector>

namespace tomo
{
/// Root-mean-square error between two volumes on the same grid, in their unit.
/// Throws InvalidArgument if the grids differ.
[[nodiscard]] double rmse(const Volume& estimate, const Volume& reference);

/// Peak signal-to-noise ratio in dB: 20·log10(range / RMSE), with range = max − min of
/// `reference`. Returns +inf for identical volumes. Throws InvalidArgument if the grids differ or
/// the reference is constant.
[[nodiscard]] double psnr(const Volume& estimate, const Volume& reference);
/// Structural similarity (Wang, Bovik, Sheikh & Simoncelli 2004): the mean over voxels of
/// SSIM computed with a Gaussian window of σ = 1.5 voxels (truncated at 3σ), in 3D on a 3D
/// grid and in the plane on a 2D one, with C1 = (0.01·L)², C2 = (0.03·L)², L = max − min of
/// `reference`. 1 for identical volumes. Throws InvalidArgument if the grids differ or the
/// reference is constant.
[[nodiscard]] double ssim(const Volume& estimate, const Volume& reference);
/// Whether `reference` has max > min: what psnr and ssim need of their reference. An empty
/// phantom, or one outside the grid, has a constant truth.
[[nodiscard]] bool hasContrast(const Volume& reference);

/// SSIM (as above, 2D window) of each z-slice; L is the whole reference's range.
/// Throws as ssim.
[[nodiscard]] std::vector<double> ssimPerSlice(const Volume& estimate, const Volume& reference);

/// The distance measures CTSim reports (after Herman, "Image Reconstruction from Projections",
/// 1980, ch. 5): d, the normalised root-mean-square distance √(Σ(e−r)² / Σ(r−r̄)²); r, the
/// normalised mean absolute distance Σ|e−r| / Σ|r|; e, the worst-case distance, the largest
/// |mean(e) − mean(r)| over the 2×2 blocks of each slice.
struct HermanDistances
{
    double d = 0.0;
    double r = 0.0;
    double e = 0.0;
};

/// Throws InvalidArgument if the grids differ, or the reference is constant (d) or zero (r).
[[nodiscard]] HermanDistances hermanDistances(const Volume& estimate, const Volume& reference);

/// Values of `volume` sampled trilinearly at `samples` equally spaced points from world point
/// `from` to `to` (mm, both included); points outside the grid give 0.
/// Throws InvalidArgument for fewer than 2 samples.
[[nodiscard]] std::vector<double> lineProfile(const Volume& volume, Vec3 from, Vec3 to,
                                              std::size_t samples);
} // namespace tomo
