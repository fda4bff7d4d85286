#pragma once

#include "tomo/projections.h"
#include "tomo/volume.h"

#include <filesystem>

namespace tomo
{
/// Writes a float32 volume with spacing, origin and direction through ITK; the format follows
/// the extension (.nii, .nii.gz, .mha, .mhd, .nrrd), gzip-compressed only for .nii.gz. The file
/// is written to a temporary name and renamed, so a failure never leaves a half-written file.
/// Throws IoError naming the path for an unknown extension or a failed write.
void writeVolume(const Volume& volume, const std::filesystem::path& path);

/// Reads a scalar volume (any pixel type, converted to float32) with its spatial metadata.
/// Throws IoError naming the path if it is missing, unreadable or not a 2D/3D scalar image.
[[nodiscard]] Volume readVolume(const std::filesystem::path& path);

/// Writes a projection stack as a 3D image (u, v, view) with spacing (du, dv, 1) and origin
/// (−(nu−1)/2·du, −(nv−1)/2·dv, 0): u and v are mm from the centre of the pixel grid, as RTK's
/// centred projections (docs/geometry.md).
void writeProjections(const ProjectionStack& projections, const std::filesystem::path& path);

/// Reads a projection stack written by writeProjections (or any 3D image of columns × rows ×
/// views) for `geometry`. Throws IoError as readVolume, InvalidArgument naming the file, its
/// size and the size the geometry needs when they differ.
[[nodiscard]] ProjectionStack readProjections(const std::filesystem::path& path,
                                              const Geometry& geometry);

/// Writes slice `k` of `volume` as an 8-bit greyscale PNG, mapping [low, high] to [0, 255]
/// (clamped). With `yUp` +y of the volume points up in the picture (images); without it row 0
/// is the top row (sinograms: view 0 at the top). Throws IoError as writeVolume,
/// InvalidArgument if k is out of range or high <= low.
void writePng(const Volume& volume, std::size_t k, double low, double high,
              const std::filesystem::path& path, bool yUp = true);
} // namespace tomo
