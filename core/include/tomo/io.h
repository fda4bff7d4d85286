#pragma once

#include "tomo/projections.h"
#include "tomo/volume.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace tomo
{
/// Writes a float32 volume with spacing, origin, direction and its ImageMeta (docs/io.md); the
/// format follows the name: .nii/.nii.gz (metadata in a .json sidecar, BIDS-style), .mha/.mhd,
/// .nrrd/.nhdr, .h5/.hdf5 (metadata as header keys), .raw (with a .json header); a path ending
/// in a separator or naming an existing folder is a DICOM CT series (writeDicomSeries, dicom.h;
/// μ converted to HU with the dictionary's "tomoscope_mu_water_per_mm" if the volume has one,
/// else kWaterMuAt70keV). Gzip only for .nii.gz. Every file is written under a temporary name and
/// renamed, so a failure never leaves a half-written file. The dictionary gains meta_key::kVersion
/// when the volume has none. Throws IoError naming the path for an unknown or unsuitable extension
/// or a failed write.
void writeVolume(const Volume& volume, const std::filesystem::path& path);

/// Writes a text file (CSV, JSON, a script) under a temporary name and renames it over `path`,
/// so a failure never leaves a half-written file. Throws IoError naming `path` on failure.
void writeTextFile(const std::filesystem::path& path, const std::string& text);

/// Reads a scalar volume (any pixel type, converted to float32) with its spatial metadata and
/// ImageMeta: any format writeVolume writes, a 3D TIFF, a folder of 2D TIFF files (a stack,
/// in natural name order), or a folder holding one DICOM series (readDicomSeries, dicom.h). Throws
/// IoError naming the path if it is missing, unreadable, truncated or not a 2D/3D scalar image.
[[nodiscard]] Volume readVolume(const std::filesystem::path& path);

/// Whether writeVolume writes `path` as a DICOM series (it ends in a separator or is a folder).
[[nodiscard]] bool isDicomTarget(const std::filesystem::path& path);

/// What `tomoscope-cli info` reports of an image file.
struct ImageInfo
{
    unsigned dimensions = 0;   ///< of the file (2 or 3 for a volume; 4 for a series...)
    unsigned components = 0;   ///< per pixel (1 for scalar images)
    std::string componentType; ///< the file's pixel type: "float", "short", "unsigned char"...
    std::array<std::size_t, 3> size{}; ///< first three axes (1 where the file has fewer)
    std::array<double, 3> spacing{};   ///< mm
    Vec3 origin;                       ///< mm, centre of voxel (0, 0, 0)
    std::array<double, 9> direction{}; ///< row-major, column c is index axis c (VolumeGrid)
    /// orientationCode(direction).
    std::string orientation;
    /// Value range of a 2D/3D scalar image; NaN where the file is not one.
    double minimum = 0.0;
    double maximum = 0.0;
    /// Modality, unit and the dictionary (provenance) the file carries.
    ImageMeta meta;
};

/// The header of an image file and, for a 2D/3D scalar image, its value range.
/// Throws IoError naming the path if it is missing or unreadable.
[[nodiscard]] ImageInfo readImageInfo(const std::filesystem::path& path);

/// The grid (size, spacing, origin, direction) of an image file, from its header alone.
/// Throws IoError naming the path if it is missing or unreadable, InvalidArgument if the header's
/// spacing or direction is not a valid grid.
[[nodiscard]] VolumeGrid readGrid(const std::filesystem::path& path);

/// The three letters naming the patient direction each index axis points towards, in the
/// physical frame ITK reads images into (x to the patient's left, y posterior, z superior;
/// DESIGN.md §4): the identity is "LPS", a volume with x and y flipped "RAS". The index axes take
/// the world axes they are closest to, each a different one (an oblique volume is named by its
/// nearest axis-aligned orientation). This is the
/// convention of NIfTI tools and 3D Slicer; ITK's SpatialOrientation names the same volume by the
/// opposite letters ("RAI" for the identity).
[[nodiscard]] std::string orientationCode(const std::array<double, 9>& direction);

/// Writes a projection stack as a 3D image (u, v, view) with spacing (du, dv, 1) and origin
/// (−(nu−1)/2·du, −(nv−1)/2·dv, 0): u and v are mm from the centre of the pixel grid, as RTK's
/// centred projections (docs/geometry.md). `meta` is stored as writeVolume does, with unit
/// LineIntegral, subtype "projections" and the geometry's JSON (key "tomoscope_geometry") where
/// not given. A .tif name writes one multi-page float32 TIFF; a numbered pattern
/// ("proj_%04d.tif") one 2D float32 TIFF per view (TIFF keeps no metadata).
void writeProjections(const ProjectionStack& projections, const std::filesystem::path& path,
                      const ImageMeta& meta = {});

/// Reads a projection stack written by writeProjections (or any 3D image of columns × rows ×
/// views, a folder of 2D TIFF files, a numbered TIFF pattern counting from 0 or 1) for
/// `geometry`. Throws IoError as readVolume, InvalidArgument naming the file, its
/// size and the size the geometry needs when they differ.
[[nodiscard]] ProjectionStack readProjections(const std::filesystem::path& path,
                                              const Geometry& geometry);

/// Writes slice `k` of `volume` as an 8-bit greyscale PNG, mapping [low, high] to [0, 255]
/// (clamped). With `yUp` +y of the volume points up in the picture (images); without it row 0
/// is the top row (sinograms: view 0 at the top). Throws IoError as writeVolume,
/// InvalidArgument if k is out of range or high <= low.
void writePng(const Volume& volume, std::size_t k, double low, double high,
              const std::filesystem::path& path, bool yUp = true);

/// An 8-bit RGB picture as PNG files hold it: rows top to bottom, r, g, b per pixel.
struct RgbPixels
{
    std::size_t width = 0;
    std::size_t height = 0;
    std::vector<std::uint8_t> rgb; ///< width * height * 3 bytes
};

/// Writes `pixels` as an 8-bit RGB PNG, atomically (a failed write leaves no file).
/// Throws InvalidArgument if rgb.size() != width * height * 3 or a size is 0, IoError as
/// writeVolume.
void writeRgbPng(const RgbPixels& pixels, const std::filesystem::path& path);

/// Reads a PNG (grey, grey+alpha, RGB or RGBA; alpha dropped) as 8-bit RGB.
/// Throws IoError naming the path if it is missing or not a readable PNG.
[[nodiscard]] RgbPixels readRgbPng(const std::filesystem::path& path);
} // namespace tomo
