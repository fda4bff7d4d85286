#pragma once

#include "tomo/geometry.h"

#include <array>
#include <filesystem>
#include <string>
#include <string_view>

namespace tomo
{
/// Geometry file formats Tomoscope reads and writes (docs/geometry.md gives every mapping).
enum class GeometryFormat
{
    Json,           ///< "tomoscope-geometry" JSON: beam, detector and every per-view vector
    Rtk,            ///< RTK ThreeDCircularProjectionGeometry XML (version 3)
    Astra,          ///< ASTRA *_vec rows as text, one view per line
    Matrices,       ///< CSV of per-view 3×4 projection matrices (pixel indices), one per line
    PlastimatchDir, ///< a folder of plastimatch per-view projection-matrix .txt files
};

[[nodiscard]] std::string_view toString(GeometryFormat format);
/// Parses "json", "rtk", "astra", "matrices", "plastimatch-dir".
/// Throws InvalidArgument naming `field` otherwise.
[[nodiscard]] GeometryFormat parseGeometryFormat(std::string_view text,
                                                 std::string_view field = "format");

/// What an import needs that a format may not store.
struct GeometryImportHints
{
    /// Used where the file does not say: the ASTRA kind when the file has no "# astra <kind>"
    /// comment, and the choice between a 2D and a 3D beam of the kind (parallel or divergent)
    /// that the file describes (a 2D beam is kept only if the poses are 2D poses).
    BeamType beam = BeamType::Cone3D;
    /// Columns, rows and offsets always come from here for RTK, ASTRA, matrices and plastimatch
    /// (none of them stores the detector size); pixel sizes too for RTK and matrices. Ignored
    /// for JSON, which stores the whole detector.
    Detector detector;
};

/// The geometry as "tomoscope-geometry" JSON text (version 1; every double written so that it
/// reads back exactly).
[[nodiscard]] std::string geometryToJson(const Geometry& geometry);

/// Parses "tomoscope-geometry" JSON. `source` names the text in messages.
/// Throws InvalidArgument naming the source and the JSON path of a missing, mistyped,
/// non-finite or invalid field.
[[nodiscard]] Geometry geometryFromJson(std::string_view json,
                                        std::string_view source = "<string>");

/// The RTK projection matrix (row-major 3×4, RTK's world frame, detector coordinates in mm) of
/// the RTK parameters of one projection, composed exactly as
/// rtk::ThreeDCircularProjectionGeometry::AddProjectionInRadians does. Angles in radians,
/// lengths in mm; sdd = 0 means a parallel projection.
[[nodiscard]] std::array<double, 12> rtkProjectionMatrix(double sid, double sdd, double gantryAngle,
                                                         double projOffsetX, double projOffsetY,
                                                         double outOfPlaneAngle,
                                                         double inPlaneAngle, double sourceOffsetX,
                                                         double sourceOffsetY);

/// Maps a point from RTK's world frame (rotation about +y) to Tomoscope's (rotation about +z):
/// ours = (x, -z, y). RTK's gantry angle equals Tomoscope's θ under this map.
[[nodiscard]] Vec3 fromRtkFrame(Vec3 rtk);
/// The inverse of fromRtkFrame: rtk = (x, z, -y).
[[nodiscard]] Vec3 toRtkFrame(Vec3 ours);

/// Writes `geometry` to `path` in `format` (for PlastimatchDir `path` is a folder, created if
/// missing, holding proj0000.txt, proj0001.txt, ...). Files are written atomically.
/// Throws InvalidArgument naming the view for a geometry the format cannot express (RTK: a
/// cylindrical detector, a detector normal û×v̂ pointing away from the source, parallel rays
/// not perpendicular to the detector; matrices and plastimatch: a cylindrical detector;
/// plastimatch: a parallel beam), IoError if the file cannot be written.
void exportGeometry(const Geometry& geometry, const std::filesystem::path& path,
                    GeometryFormat format);

/// Reads a geometry written by Tomoscope or by the other tool. Export followed by import with
/// the exporting geometry's detector in `hints` gives back the same poses (to rounding), except
/// for parallel-beam matrices, which cannot tell where the detector plane lies along the rays
/// (the import puts it through the origin, perpendicular to the rays).
/// Throws IoError if the file cannot be read, InvalidArgument naming the file, the line (or XML
/// element, or JSON path), the value and what is accepted for a bad value, a wrong column
/// count, a missing field or a matrix that is not a projection.
[[nodiscard]] Geometry importGeometry(const std::filesystem::path& path, GeometryFormat format,
                                      const GeometryImportHints& hints);
} // namespace tomo
