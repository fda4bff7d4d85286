#pragma once

#include <array>
#include <cstddef>
#include <span>

namespace tomo::detail
{
/// Total variation and its helpers for the iterative solvers (iterative.cpp). Arrays are volumes
/// of `size` voxels, x fastest (DESIGN.md §4). Differences are taken along every axis with more
/// than one voxel (so a grid with nz = 1 gets 2D TV) in voxel units; the spacing is not applied.

/// The smoothed, optionally adaptive-weighted TV of Liu et al. (2012) with backward differences
/// d_a(v) = x(v) − x(v − e_a) (0 on the first slice of axis a):
///   TV(x) = Σ_v sqrt(η² + Σ_a w_a(v)·d_a(v)²),  w_a(v) = exp(−(d_a(v)/δ)²),
/// with w = 1 (Sidky & Pan's TV) when delta ≤ 0, and η = kTvSmoothing·max|x| so that flat
/// regions have a defined gradient whatever the image's unit.
[[nodiscard]] double totalVariation(std::span<const float> x,
                                    const std::array<std::size_t, 3>& size, double delta);

/// The gradient of totalVariation with respect to x, the weights held fixed at their values
/// for x (Liu et al.'s AwTV gradient). Writes `gradient` (same size as x).
void tvGradient(std::span<const float> x, const std::array<std::size_t, 3>& size, double delta,
                std::span<float> gradient);

/// The TV proximal map: replaces x by argmin_z ½‖z − x‖² + weight·Σ_v ‖D z(v)‖₂ (isotropic TV
/// with forward differences), z ≥ 0 if nonNegative, by `iterations` steps of Beck & Teboulle's
/// fast gradient projection (FGP) on the dual, step 1/(4·d·weight) for d axes (‖D‖² ≤ 4d).
/// Does nothing but the projection when weight is 0.
void tvProximal(std::span<float> x, const std::array<std::size_t, 3>& size, double weight,
                std::size_t iterations, bool nonNegative);
} // namespace tomo::detail
