#pragma once

#include "tomo/phantom.h"

#include <filesystem>
#include <string>
#include <string_view>

namespace tomo
{
/// Parses phantom JSON:
///
///     {"format": "tomoscope-phantom", "version": 1, "name": "...",
///      "objects": [{"kind": "ellipsoid" | "box" | "cylinder",
///                   "centre_mm": [x, y, z],
///                   "semi_axes_mm": [a, b, c],
///                   "euler_deg": [phi, theta, psi],
///                   "value_per_mm": v}, ...]}
///
/// Lengths in mm; "semi_axes_mm" holds the semi-axes of an ellipsoid, the half-sizes of a box,
/// or [a, b, half_length] of a cylinder along its local z, where the half-length may be the
/// string "infinity" (a 2D ellipse). "euler_deg" (optional, default [0, 0, 0]) gives the
/// rotation in degrees in the z-x'-z'' convention of rotationFromEuler; instead of it an object
/// may give "rotation": the row-major 3×3 matrix of Rotation as 9 numbers. "value_per_mm" is
/// the added attenuation in mm⁻¹. `source` names the text in messages (a path or "<string>").
/// Throws InvalidArgument, naming the source, the JSON path ("objects[2].semi_axes_mm[1]"), the
/// value and what is accepted, for invalid JSON, a wrong format or version, a missing, mistyped
/// or out-of-range field, and an unknown key.
[[nodiscard]] Phantom parsePhantom(std::string_view json, std::string_view source = "<string>");

/// The phantom as JSON text in the format parsePhantom reads. A rotation is written as
/// "euler_deg" when those angles rebuild the stored matrix bit for bit, else as "rotation", so
/// that parsePhantom(toJson(p)) == p exactly.
[[nodiscard]] std::string toJson(const Phantom& phantom);

/// Reads a phantom file: CTSim phantom text (".phm", see parseCtsimPhantom) or, for any other
/// extension, phantom JSON (parsePhantom). Throws IoError if the file cannot be read, and
/// InvalidArgument (naming the file) as the parsers do.
[[nodiscard]] Phantom readPhantom(const std::filesystem::path& path);

/// Writes `phantom` as JSON (toJson) atomically: a failed write leaves any existing file as it
/// was. Throws InvalidArgument if the phantom does not validate, IoError if the folder does not
/// exist or is not writable.
void writePhantom(const Phantom& phantom, const std::filesystem::path& path);

/// Parses a CTSim phantom file (the ".phm" text of CTSim's Phantom::createFromFile): one object
/// per line, "ellipse cx cy u v rot atten" or "rectangle cx cy u v rot atten", with centre
/// (cx, cy), half-widths u (along the object's own x before rotation) and v, rot in degrees
/// counter-clockwise, and the added attenuation atten. Blank lines and lines starting with '#'
/// are skipped. CTSim's numbers are kept: lengths are taken as mm and atten as mm⁻¹. A CTSim
/// phantom is 2D: an ellipse becomes an infinitely long elliptic cylinder along z and a
/// rectangle a box of infinite z half-size, so that rays in the z = 0 plane see CTSim's 2D
/// phantom.
/// Throws InvalidArgument naming `source` and the line number for another object type
/// (triangle, sector, segment), a wrong number of fields, a non-number or a non-positive size.
[[nodiscard]] Phantom parseCtsimPhantom(std::string_view text,
                                        std::string_view source = "<string>");
} // namespace tomo
