#pragma once

// ImageMeta as the flat text dictionary every file format stores (header keys, a JSON sidecar,
// DICOM's Image Comments). No ITK here.
#include "tomo/volume.h"

#include <filesystem>
#include <map>
#include <string>

namespace tomo::detail
{
using TextDictionary = std::map<std::string, std::string>;

/// Keys of the flat dictionary besides ImageMeta::dictionary. (Not "Modality": MetaImage
/// reserves that header field for its own codes; a BIDS sidecar's "Modality" is read too.)
inline constexpr const char* kModalityKey = "tomoscope_modality";
inline constexpr const char* kBidsModalityKey = "Modality";
inline constexpr const char* kSubtypeKey = "tomoscope_subtype";
inline constexpr const char* kUnitKey = "tomoscope_unit";

/// `meta` as one flat dictionary, with meta_key::kVersion set to this program's version when
/// the producer did not set it (every output says which Tomoscope wrote it).
[[nodiscard]] TextDictionary flatten(const ImageMeta& meta);

/// The inverse of flatten. An unknown modality or unit text stays in the dictionary under its
/// key and leaves the field Unknown (a file from another tool is not an error).
[[nodiscard]] ImageMeta unflatten(TextDictionary entries);

/// The dictionary as a JSON object of strings (sidecars, DICOM Image Comments).
[[nodiscard]] std::string toJsonText(const TextDictionary& entries);

/// A JSON object read back: strings as they are, other values as their JSON text (a BIDS
/// sidecar's numbers and arrays). Throws IoError naming `source` if it is not a JSON object.
[[nodiscard]] TextDictionary fromJsonText(const std::string& text, const std::string& source);

/// A value as a line-based header (MetaImage, NRRD) can hold it: as it is, unless it has a line
/// break, leading or trailing blanks or starts with a double quote; then as a JSON string
/// literal. decodeHeaderValue undoes it exactly.
[[nodiscard]] std::string encodeHeaderValue(const std::string& value);
[[nodiscard]] std::string decodeHeaderValue(const std::string& value);

/// The sidecar of an image file: its name with the image extension (.nii.gz, .nii, .raw)
/// replaced by .json, as BIDS names them.
[[nodiscard]] std::filesystem::path sidecarPath(const std::filesystem::path& image);

/// Throws IoError if writing `image` would replace a companion file of another image beside it:
/// X.raw and X.nii or X.nii.gz name the same X.json (the raw voxels' header, the NIfTI's
/// metadata), and X.raw is also where X.mhd and X.nhdr keep their voxels. Nothing is written
/// then.
void checkSidecarIsFree(const std::filesystem::path& image);
} // namespace tomo::detail
