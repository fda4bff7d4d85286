#pragma once

// Raw voxels with a JSON header (docs/io.md "Raw with a JSON sidecar"). No ITK here.
#include "tomo/volume.h"

#include <filesystem>

namespace tomo::detail
{
/// Writes `volume` as little-endian float32 `path` (.raw) and its header `sidecarPath(path)`
/// (.json): size, data type, byte order, spacing, origin, direction and the flat metadata.
void writeRaw(const Volume& volume, const std::filesystem::path& path);

/// Reads `path` (.raw) through its JSON header: any of int8..uint32, float32, float64, little or
/// big endian, after `header_bytes`. Throws IoError naming the file and the field for a missing
/// or bad header, a data file of the wrong length (truncated), an unknown data type.
[[nodiscard]] Volume readRaw(const std::filesystem::path& path);
} // namespace tomo::detail
