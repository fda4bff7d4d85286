// Geometry import and export: Tomoscope JSON, RTK XML, ASTRA *_vec rows, projection-matrix CSV
// and plastimatch projection-matrix folders. docs/geometry.md derives every mapping used here.
#include "tomo/geometry_io.h"

#include "common/atomic_file.h"
#include "tomo/error.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <numbers>
#include <pugixml.hpp>
#include <sstream>
#include <string>
#include <vector>

namespace tomo
{
namespace
{
namespace fs = std::filesystem;
using Json = nlohmann::json;

constexpr double kDegree = std::numbers::pi / 180.0;
// RTK's own XML reader accepts a stored <Matrix> that differs this much (absolute) from the one
// its parameters give; we accept the same files.
constexpr double kRtkMatrixTolerance = 1e-3;
// Rebuilt rotation matrices and orthogonality of decomposed axes: far above double rounding of
// unit vectors, far below any real tilt.
constexpr double kRotationTolerance = 1e-9;
// Relative agreement asked of quantities a file stores twice (pixel sizes per view, a matrix's
// pixel aspect against the detector's): files written with 8 significant digits pass.
constexpr double kRelativeTolerance = 1e-6;

using Matrix34 = std::array<double, 12>;
using Matrix33 = std::array<double, 9>;

std::string formatVec(Vec3 a)
{
    return "(" + formatValue(a.x) + ", " + formatValue(a.y) + ", " + formatValue(a.z) + ")";
}

std::string readText(const fs::path& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw IoError("cannot read " + path.string() +
                      ": the file does not exist or is not "
                      "readable");
    }
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

void writeText(const fs::path& path, const std::string& text)
{
    detail::writeTextAtomically(path, text);
}

// Shortest text that reads back as the same double.
std::string number(double v)
{
    return formatValue(v);
}

// Parses one number; `where` names file and line (and column) for messages.
double parseNumber(std::string_view text, const std::string& where)
{
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t' || text.front() == '\n' ||
                             text.front() == '\r')) {
        text.remove_prefix(1);
    }
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\n' ||
                             text.back() == '\r')) {
        text.remove_suffix(1);
    }
    if (!text.empty() && text.front() == '+') {
        text.remove_prefix(1);
    }
    double value = 0.0;
    const auto result = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || result.ec != std::errc() || result.ptr != text.data() + text.size()) {
        throwInvalid(where, "\"" + std::string(text) + "\"", "must be a number");
    }
    if (!std::isfinite(value)) {
        throwInvalid(where, formatValue(value), "must be a finite number");
    }
    return value;
}

// A text table: numbers separated by whitespace and/or commas, '#' comments, optionally a
// first header line of names. Each row remembers its 1-based line number.
struct Row
{
    std::size_t line = 0;
    std::vector<double> values;
};

std::vector<std::string> splitFields(const std::string& line)
{
    std::vector<std::string> fields;
    std::string current;
    for (char c : line) {
        if (c == ',' || c == ' ' || c == '\t' || c == '\r') {
            if (!current.empty()) {
                fields.push_back(current);
                current.clear();
            }
        } else {
            current += c;
        }
    }
    if (!current.empty()) {
        fields.push_back(current);
    }
    return fields;
}

std::vector<Row> readTable(const fs::path& path, std::size_t columns, const std::string& what,
                           std::vector<std::string>* comments)
{
    std::istringstream in(readText(path));
    std::vector<Row> rows;
    std::string line;
    std::size_t number = 0;
    bool headerAllowed = true;
    while (std::getline(in, line)) {
        ++number;
        const auto first = line.find_first_not_of(" \t\r");
        if (first == std::string::npos) {
            continue;
        }
        if (line[first] == '#') {
            if (comments != nullptr) {
                comments->push_back(line.substr(first + 1));
            }
            continue;
        }
        const std::vector<std::string> fields = splitFields(line);
        const std::string where = path.string() + ": line " + std::to_string(number);
        // A first line whose first field is not a number is the column-name header.
        if (headerAllowed) {
            headerAllowed = false;
            double probe = 0.0;
            const std::string& f = fields.front();
            const char* begin = f.data() + (f.front() == '+' ? 1 : 0);
            const auto r = std::from_chars(begin, f.data() + f.size(), probe);
            if (r.ec != std::errc() && f != "nan" && f != "inf" && f != "-inf") {
                continue;
            }
        }
        if (fields.size() != columns) {
            throwInvalid(where + ": column count", std::to_string(fields.size()),
                         "each line needs " + std::to_string(columns) + " numbers (" + what + ")");
        }
        Row row;
        row.line = number;
        for (std::size_t c = 0; c < fields.size(); ++c) {
            row.values.push_back(
                parseNumber(fields[c], where + ", column " + std::to_string(c + 1)));
        }
        rows.push_back(std::move(row));
    }
    if (rows.empty()) {
        throwInvalid(path.string() + ": views", "0", "the file holds no data line (" + what + ")");
    }
    return rows;
}

Vec3 at3(const std::vector<double>& v, std::size_t i)
{
    return {v[i], v[i + 1], v[i + 2]};
}

Vec3 normalized(Vec3 a)
{
    return (1.0 / norm(a)) * a;
}

// A 2D or 3D beam of the kind the file describes; 2D only if the hint asks for it and the poses
// and detector allow it.
BeamType chooseBeam(bool parallel, const GeometryImportHints& hints, const Detector& detector,
                    const std::vector<ViewPose>& poses)
{
    const BeamType threeD = parallel ? BeamType::Parallel3D : BeamType::Cone3D;
    const BeamType twoD = parallel ? BeamType::Parallel2D : BeamType::Fan2D;
    if (hints.beam != twoD || detector.rows != 1) {
        return threeD;
    }
    for (const ViewPose& p : poses) {
        if (std::abs(p.u.z) > kRelativeTolerance || std::abs(p.v.z - 1.0) > kRelativeTolerance) {
            return threeD;
        }
    }
    return twoD;
}

void requireHintDetector(const GeometryImportHints& hints, std::string_view format)
{
    if (hints.detector.columns == 0 || hints.detector.rows == 0) {
        throwInvalid("detector size",
                     std::to_string(hints.detector.columns) + " x " +
                         std::to_string(hints.detector.rows),
                     std::string(format) +
                         " files do not store the detector size: give the columns and rows");
    }
}

// Offset of the detector's nominal centre d from the centre of its pixel grid (mm, world).
Vec3 offsetVector(const Detector& det, const ViewPose& p)
{
    return (det.offsetU * det.pixelU) * p.u + (det.offsetV * det.pixelV) * p.v;
}

// ------------------------------------------------------------------------------------------
// Tomoscope JSON.

Json vecJson(Vec3 a)
{
    return Json::array({a.x, a.y, a.z});
}

class JsonReader
{
public:
    explicit JsonReader(std::string source) : m_source(std::move(source)) {}

    [[noreturn]] void fail(const std::string& path, const std::string& value,
                           const std::string& accepted) const
    {
        throwInvalid(m_source + ": " + path, value, accepted);
    }

    const Json& field(const Json& object, const std::string& key, const std::string& path) const
    {
        if (!object.is_object()) {
            fail(path, object.dump(), "must be a JSON object");
        }
        if (!object.contains(key)) {
            fail(path + (path.empty() ? "" : ".") + key, "missing", "this field is required");
        }
        return object.at(key);
    }

    double number(const Json& v, const std::string& path) const
    {
        if (!v.is_number()) {
            fail(path, v.dump(), "must be a finite number");
        }
        const double d = v.get<double>();
        if (!std::isfinite(d)) {
            fail(path, formatValue(d), "must be a finite number");
        }
        return d;
    }

    std::size_t count(const Json& v, const std::string& path) const
    {
        if (!v.is_number_integer() || v.get<long long>() < 0) {
            fail(path, v.dump(), "must be a whole number >= 0");
        }
        return static_cast<std::size_t>(v.get<long long>());
    }

    Vec3 vec(const Json& v, const std::string& path) const
    {
        if (!v.is_array() || v.size() != 3) {
            fail(path, v.dump(), "must be an array of 3 finite numbers [x, y, z] (mm)");
        }
        return {number(v[0], path + "[0]"), number(v[1], path + "[1]"), number(v[2], path + "[2]")};
    }

    std::string text(const Json& v, const std::string& path) const
    {
        if (!v.is_string()) {
            fail(path, v.dump(), "must be a string");
        }
        return v.get<std::string>();
    }

private:
    std::string m_source;
};

// ------------------------------------------------------------------------------------------
// RTK.

Matrix33 multiply(const Matrix33& a, const Matrix33& b)
{
    Matrix33 c{};
    for (int i = 0; i < 3; ++i) {
        for (int j = 0; j < 3; ++j) {
            for (int k = 0; k < 3; ++k) {
                c[3 * i + j] += a[3 * i + k] * b[3 * k + j];
            }
        }
    }
    return c;
}

Matrix33 rotX(double a)
{
    const double c = std::cos(a);
    const double s = std::sin(a);
    return {1, 0, 0, 0, c, -s, 0, s, c};
}

Matrix33 rotY(double a)
{
    const double c = std::cos(a);
    const double s = std::sin(a);
    return {c, 0, s, 0, 1, 0, -s, 0, c};
}

Matrix33 rotZ(double a)
{
    const double c = std::cos(a);
    const double s = std::sin(a);
    return {c, -s, 0, s, c, 0, 0, 0, 1};
}

// ITK's Euler3DTransform in its default ZXY mode: M = Rz(angleZ)·Rx(angleX)·Ry(angleY).
Matrix33 eulerZXY(double angleX, double angleY, double angleZ)
{
    return multiply(rotZ(angleZ), multiply(rotX(angleX), rotY(angleY)));
}

// RTK's world-to-detector rotation of one projection (rows: detector u, v, normal).
Matrix33 rtkRotation(double gantry, double outOfPlane, double inPlane)
{
    return eulerZXY(-outOfPlane, -gantry, -inPlane);
}

Vec3 row(const Matrix33& m, int i)
{
    return {m[3 * i], m[3 * i + 1], m[3 * i + 2]};
}

struct RtkProjection
{
    double sid = 0.0;
    double sdd = 0.0;
    double gantry = 0.0;     // radians
    double outOfPlane = 0.0; // radians
    double inPlane = 0.0;    // radians
    double projOffsetX = 0.0;
    double projOffsetY = 0.0;
    double sourceOffsetX = 0.0;
    double sourceOffsetY = 0.0;
};

// Angles (x, y, z) with m = Rz(z)·Rx(x)·Ry(y); false if none reproduces m.
bool extractZXY(const Matrix33& m, double& x, double& y, double& z)
{
    x = std::asin(std::clamp(m[7], -1.0, 1.0));
    if (std::abs(std::cos(x)) > kRotationTolerance) {
        y = std::atan2(-m[6], m[8]);
        z = std::atan2(-m[1], m[4]);
    } else {
        // Gimbal lock (out-of-plane ±90°): only y ± z is defined; take z = 0 as RTK does.
        z = 0.0;
        y = std::atan2(m[2], m[0]);
    }
    const Matrix33 back = eulerZXY(x, y, z);
    for (std::size_t i = 0; i < 9; ++i) {
        if (std::abs(back[i] - m[i]) > kRotationTolerance) {
            return false;
        }
    }
    return true;
}

RtkProjection toRtk(const Geometry& g, std::size_t k)
{
    const ViewPose& p = g.poses()[k];
    const std::string where = "views[" + std::to_string(k) + "]";
    const Vec3 r = toRtkFrame(p.u);
    const Vec3 c = toRtkFrame(p.v);
    const Vec3 n = cross(r, c);
    const Matrix33 m{r.x, r.y, r.z, c.x, c.y, c.z, n.x, n.y, n.z};
    double ax = 0.0;
    double ay = 0.0;
    double az = 0.0;
    if (!extractZXY(m, ax, ay, az)) {
        throwInvalid(where + ".u/v", formatVec(p.u) + "/" + formatVec(p.v),
                     "RTK cannot express this detector orientation as gantry, out-of-plane and "
                     "in-plane angles");
    }
    RtkProjection out;
    out.gantry = -ay;
    out.outOfPlane = -ax;
    out.inPlane = -az;
    // RTK's projection coordinates are 0 at the centre of the pixel grid (docs/geometry.md).
    const Vec3 origin = toRtkFrame(p.detector + offsetVector(g.detector(), p));
    if (isParallel(g.beam())) {
        const Vec3 ray = toRtkFrame(p.source);
        if (norm(ray + n) > kRelativeTolerance) {
            throwInvalid(where + ".ray", formatVec(p.source),
                         "RTK's parallel geometry needs rays perpendicular to the detector, "
                         "along -(u x v)");
        }
        out.sdd = 0.0;
        out.sid = -dot(n, origin);
    } else {
        const Vec3 s = toRtkFrame(p.source);
        out.sid = dot(n, s);
        out.sdd = dot(n, s - origin);
        if (out.sdd <= 0.0) {
            throwInvalid(where + ".u/v", formatVec(p.u) + "/" + formatVec(p.v),
                         "RTK needs the detector normal u x v to point towards the source; "
                         "flip v (and the row order) first");
        }
        out.sourceOffsetX = dot(r, s);
        out.sourceOffsetY = dot(c, s);
    }
    out.projOffsetX = dot(r, origin);
    out.projOffsetY = dot(c, origin);
    return out;
}

ViewPose fromRtk(const RtkProjection& q, const Detector& det)
{
    const Matrix33 m = rtkRotation(q.gantry, q.outOfPlane, q.inPlane);
    const Vec3 r = row(m, 0);
    const Vec3 c = row(m, 1);
    const Vec3 n = row(m, 2);
    ViewPose p;
    p.u = fromRtkFrame(r);
    p.v = fromRtkFrame(c);
    Vec3 origin;
    if (q.sdd == 0.0) {
        p.source = fromRtkFrame(-1.0 * n);
        origin = q.projOffsetX * r + q.projOffsetY * c - q.sid * n;
    } else {
        p.source = fromRtkFrame(q.sourceOffsetX * r + q.sourceOffsetY * c + q.sid * n);
        origin = q.projOffsetX * r + q.projOffsetY * c + (q.sid - q.sdd) * n;
    }
    p.detector = fromRtkFrame(origin) - offsetVector(det, p);
    return p;
}

void exportRtk(const Geometry& g, const fs::path& path)
{
    if (g.detector().shape != DetectorShape::Flat) {
        throwInvalid("detector.shape", "\"cylindrical\"",
                     "the RTK export writes flat detectors only");
    }
    std::string xml = "<?xml version=\"1.0\"?>\n<!DOCTYPE RTKGEOMETRY>\n"
                      "<RTKThreeDCircularGeometry version=\"3\">\n";
    const auto element = [&](const char* name, double value) {
        xml += std::string("    <") + name + ">" + number(value) + "</" + name + ">\n";
    };
    for (std::size_t k = 0; k < g.viewCount(); ++k) {
        const RtkProjection q = toRtk(g, k);
        xml += "  <Projection>\n";
        element("GantryAngle", q.gantry / kDegree);
        element("SourceToIsocenterDistance", q.sid);
        element("SourceToDetectorDistance", q.sdd);
        element("SourceOffsetX", q.sourceOffsetX);
        element("SourceOffsetY", q.sourceOffsetY);
        element("ProjectionOffsetX", q.projOffsetX);
        element("ProjectionOffsetY", q.projOffsetY);
        element("InPlaneAngle", q.inPlane / kDegree);
        element("OutOfPlaneAngle", q.outOfPlane / kDegree);
        const Matrix34 m =
            rtkProjectionMatrix(q.sid, q.sdd, q.gantry, q.projOffsetX, q.projOffsetY, q.outOfPlane,
                                q.inPlane, q.sourceOffsetX, q.sourceOffsetY);
        xml += "    <Matrix>\n";
        for (int i = 0; i < 3; ++i) {
            xml += "      ";
            for (int j = 0; j < 4; ++j) {
                xml += number(m[static_cast<std::size_t>(4 * i + j)]) + (j < 3 ? " " : "\n");
            }
        }
        xml += "    </Matrix>\n  </Projection>\n";
    }
    xml += "</RTKThreeDCircularGeometry>\n";
    writeText(path, xml);
}

Geometry importRtk(const fs::path& path, const GeometryImportHints& hints)
{
    requireHintDetector(hints, "RTK");
    hints.detector.validate();
    const std::string text = readText(path);
    pugi::xml_document doc;
    const pugi::xml_parse_result parsed = doc.load_string(text.c_str());
    if (!parsed) {
        throwInvalid(path.string() + ": XML", "offset " + std::to_string(parsed.offset),
                     std::string("not well-formed XML (") + parsed.description() + ")");
    }
    const pugi::xml_node root = doc.child("RTKThreeDCircularGeometry");
    if (!root) {
        throwInvalid(path.string() + ": root element",
                     "<" + std::string(doc.first_child().name()) + ">",
                     "an RTK geometry file has a <RTKThreeDCircularGeometry> root");
    }
    const int version = root.attribute("version").as_int(0);
    if (version != 2 && version != 3) {
        throwInvalid(path.string() + ": RTKThreeDCircularGeometry.version",
                     root.attribute("version").value(), "accepted: 2, 3");
    }
    // RTK's reader keeps the last value of each parameter, whether set at the top level or in an
    // earlier <Projection>; so do we.
    RtkProjection state;
    bool haveSid = false;
    bool haveMatrix = false;
    Matrix34 stored{};
    const auto apply = [&](const pugi::xml_node& node, const std::string& where) {
        const std::string name = node.name();
        const auto value = [&](double scale) {
            return scale * parseNumber(node.child_value(), where + "." + name);
        };
        if (name == "SourceToIsocenterDistance") {
            state.sid = value(1.0);
            haveSid = true;
        } else if (name == "SourceToDetectorDistance") {
            state.sdd = value(1.0);
        } else if (name == "GantryAngle" || name == "Angle") {
            state.gantry = value(kDegree);
        } else if (name == "OutOfPlaneAngle") {
            state.outOfPlane = value(kDegree);
        } else if (name == "InPlaneAngle") {
            state.inPlane = value(kDegree);
        } else if (name == "SourceOffsetX") {
            state.sourceOffsetX = value(1.0);
        } else if (name == "SourceOffsetY") {
            state.sourceOffsetY = value(1.0);
        } else if (name == "ProjectionOffsetX") {
            state.projOffsetX = value(1.0);
        } else if (name == "ProjectionOffsetY") {
            state.projOffsetY = value(1.0);
        } else if (name == "RadiusCylindricalDetector") {
            if (value(1.0) != 0.0) {
                throwInvalid(where + ".RadiusCylindricalDetector", node.child_value(),
                             "the RTK import reads flat detectors only (radius 0)");
            }
        } else if (name == "Matrix") {
            const std::vector<std::string> fields = splitFields(node.child_value());
            std::vector<std::string> clean;
            for (const std::string& f : fields) {
                std::string g;
                for (char ch : f) {
                    if (ch != '\n') {
                        g += ch;
                    }
                }
                std::istringstream parts(g);
                std::string piece;
                while (parts >> piece) {
                    clean.push_back(piece);
                }
            }
            if (clean.size() != 12) {
                throwInvalid(where + ".Matrix: number count", std::to_string(clean.size()),
                             "a <Matrix> holds 12 numbers (3 rows of 4)");
            }
            for (std::size_t i = 0; i < 12; ++i) {
                stored[i] = parseNumber(clean[i], where + ".Matrix[" + std::to_string(i) + "]");
            }
            haveMatrix = true;
        }
        // Collimation and unknown elements do not change the geometry.
    };
    std::vector<ViewPose> poses;
    bool parallel = false;
    for (const pugi::xml_node& node : root.children()) {
        if (node.type() != pugi::node_element) {
            continue;
        }
        if (std::string(node.name()) != "Projection") {
            apply(node, path.string() + ": RTKThreeDCircularGeometry");
            continue;
        }
        const std::string where =
            path.string() + ": Projection[" + std::to_string(poses.size()) + "]";
        if (!node.child("GantryAngle") && !node.child("Angle")) {
            throwInvalid(where + ".GantryAngle", "missing", "every <Projection> needs one");
        }
        haveMatrix = false;
        for (const pugi::xml_node& child : node.children()) {
            if (child.type() == pugi::node_element) {
                apply(child, where);
            }
        }
        if (!haveSid) {
            throwInvalid(where + ".SourceToIsocenterDistance", "missing",
                         "RTK geometries need a source-isocentre distance (mm)");
        }
        if (haveMatrix) {
            const Matrix34 m = rtkProjectionMatrix(
                state.sid, state.sdd, state.gantry, state.projOffsetX, state.projOffsetY,
                state.outOfPlane, state.inPlane, state.sourceOffsetX, state.sourceOffsetY);
            for (std::size_t i = 0; i < 12; ++i) {
                if (std::abs(m[i] - stored[i]) > kRtkMatrixTolerance) {
                    throwInvalid(where + ".Matrix[" + std::to_string(i) + "]",
                                 formatValue(stored[i]),
                                 "does not match the parameters, which give " + formatValue(m[i]));
                }
            }
        }
        if (!poses.empty() && parallel != (state.sdd == 0.0)) {
            throwInvalid(where + ".SourceToDetectorDistance", formatValue(state.sdd),
                         "parallel (0) and divergent projections cannot be mixed");
        }
        parallel = state.sdd == 0.0;
        poses.push_back(fromRtk(state, hints.detector));
    }
    if (poses.empty()) {
        throwInvalid(path.string() + ": Projection", "missing",
                     "an RTK geometry file needs at least one <Projection>");
    }
    const BeamType beam = chooseBeam(parallel, hints, hints.detector, poses);
    return Geometry::fromPoses(beam, hints.detector, std::move(poses));
}

// ------------------------------------------------------------------------------------------
// ASTRA.

enum class AstraKind
{
    ParallelVec,   // 2D: ray(2) d(2) u(2)
    FanflatVec,    // 2D: src(2) d(2) u(2)
    Parallel3dVec, // ray(3) d(3) u(3) v(3)
    ConeVec,       // src(3) d(3) u(3) v(3)
};

std::string_view astraName(AstraKind k)
{
    switch (k) {
    case AstraKind::ParallelVec:
        return "parallel_vec";
    case AstraKind::FanflatVec:
        return "fanflat_vec";
    case AstraKind::Parallel3dVec:
        return "parallel3d_vec";
    case AstraKind::ConeVec:
        return "cone_vec";
    }
    return "unknown";
}

AstraKind astraKindOf(BeamType beam)
{
    switch (beam) {
    case BeamType::Parallel2D:
        return AstraKind::ParallelVec;
    case BeamType::Fan2D:
        return AstraKind::FanflatVec;
    case BeamType::Parallel3D:
        return AstraKind::Parallel3dVec;
    case BeamType::Cone3D:
        return AstraKind::ConeVec;
    }
    return AstraKind::ConeVec;
}

std::string_view astraColumns(AstraKind k)
{
    switch (k) {
    case AstraKind::ParallelVec:
        return "rayX rayY dX dY uX uY";
    case AstraKind::FanflatVec:
        return "srcX srcY dX dY uX uY";
    case AstraKind::Parallel3dVec:
        return "rayX rayY rayZ dX dY dZ uX uY uZ vX vY vZ";
    case AstraKind::ConeVec:
        return "srcX srcY srcZ dX dY dZ uX uY uZ vX vY vZ";
    }
    return "";
}

void exportAstra(const Geometry& g, const fs::path& path)
{
    const Detector& det = g.detector();
    if (det.shape != DetectorShape::Flat) {
        throwInvalid("detector.shape", "\"cylindrical\"",
                     "ASTRA *_vec rows describe flat detectors only (use cyl_cone_vec)");
    }
    const AstraKind kind = astraKindOf(g.beam());
    std::string text = "# astra " + std::string(astraName(kind)) + ": " +
                       std::string(astraColumns(kind)) + " (mm; u and v are pixel steps)\n" +
                       "# detector: " + std::to_string(det.columns) + " columns x " +
                       std::to_string(det.rows) + " rows\n";
    for (std::size_t k = 0; k < g.viewCount(); ++k) {
        const ViewPose& p = g.poses()[k];
        // ASTRA's d is the centre of the pixel grid: our d plus the offset.
        const Vec3 d = p.detector + offsetVector(det, p);
        const Vec3 u = det.pixelU * p.u;
        const Vec3 v = det.pixelV * p.v;
        std::vector<double> values;
        if (is2D(g.beam())) {
            values = {p.source.x, p.source.y, d.x, d.y, u.x, u.y};
        } else {
            values = {p.source.x, p.source.y, p.source.z, d.x, d.y, d.z,
                      u.x,        u.y,        u.z,        v.x, v.y, v.z};
        }
        for (std::size_t i = 0; i < values.size(); ++i) {
            text += number(values[i]) + (i + 1 < values.size() ? " " : "\n");
        }
    }
    writeText(path, text);
}

Geometry importAstra(const fs::path& path, const GeometryImportHints& hints)
{
    requireHintDetector(hints, "ASTRA");
    // The kind: from our "# astra <kind>" comment if there is one, else from the hint.
    std::vector<std::string> comments;
    AstraKind kind = astraKindOf(hints.beam);
    {
        std::istringstream in(readText(path));
        std::string line;
        while (std::getline(in, line)) {
            const auto first = line.find_first_not_of(" \t");
            if (first == std::string::npos || line[first] != '#') {
                continue;
            }
            std::istringstream words(line.substr(first + 1));
            std::string tag;
            std::string name;
            words >> tag >> name;
            if (tag != "astra") {
                continue;
            }
            if (!name.empty() && name.back() == ':') {
                name.pop_back();
            }
            bool known = false;
            for (AstraKind k : {AstraKind::ParallelVec, AstraKind::FanflatVec,
                                AstraKind::Parallel3dVec, AstraKind::ConeVec}) {
                if (name == astraName(k)) {
                    kind = k;
                    known = true;
                }
            }
            if (!known) {
                throwInvalid(path.string() + ": astra kind", "\"" + name + "\"",
                             "accepted: parallel_vec, fanflat_vec, parallel3d_vec, cone_vec");
            }
            break;
        }
    }
    const bool twoD = kind == AstraKind::ParallelVec || kind == AstraKind::FanflatVec;
    const bool parallel = kind == AstraKind::ParallelVec || kind == AstraKind::Parallel3dVec;
    const std::vector<Row> rows =
        readTable(path, twoD ? 6 : 12,
                  std::string(astraName(kind)) + ": " + std::string(astraColumns(kind)), &comments);
    Detector det = hints.detector;
    std::vector<ViewPose> poses;
    for (const Row& r : rows) {
        const std::string where = path.string() + ": line " + std::to_string(r.line);
        Vec3 source;
        Vec3 d;
        Vec3 u;
        Vec3 v;
        if (twoD) {
            source = {r.values[0], r.values[1], 0.0};
            d = {r.values[2], r.values[3], 0.0};
            u = {r.values[4], r.values[5], 0.0};
            v = Vec3{0.0, 0.0, det.pixelV > 0.0 ? det.pixelV : 1.0};
        } else {
            source = at3(r.values, 0);
            d = at3(r.values, 3);
            u = at3(r.values, 6);
            v = at3(r.values, 9);
        }
        if (norm(u) == 0.0 || norm(v) == 0.0 || (parallel && norm(source) == 0.0)) {
            throwInvalid(where + ": u/v" + (parallel ? "/ray" : ""),
                         formatVec(u) + "/" + formatVec(v) +
                             (parallel ? "/" + formatVec(source) : ""),
                         "pixel-step vectors (and a ray direction) must not be zero");
        }
        if (poses.empty()) {
            det.pixelU = norm(u);
            det.pixelV = norm(v);
        } else if (std::abs(norm(u) - det.pixelU) > kRelativeTolerance * det.pixelU ||
                   std::abs(norm(v) - det.pixelV) > kRelativeTolerance * det.pixelV) {
            throwInvalid(where + ": |u|, |v|", formatValue(norm(u)) + ", " + formatValue(norm(v)),
                         "every view must have the pixel size of the first (" +
                             formatValue(det.pixelU) + ", " + formatValue(det.pixelV) + " mm)");
        }
        ViewPose p;
        p.source = parallel ? normalized(source) : source;
        p.u = normalized(u);
        p.v = normalized(v);
        p.detector = d - offsetVector(det, p);
        poses.push_back(p);
    }
    const BeamType beam = twoD ? (parallel ? BeamType::Parallel2D : BeamType::Fan2D)
                               : (parallel ? BeamType::Parallel3D : BeamType::Cone3D);
    return Geometry::fromPoses(beam, det, std::move(poses));
}

// ------------------------------------------------------------------------------------------
// Projection matrices (ours: pixel indices; plastimatch: pixel offsets from its image centre).

double det33(const Matrix34& p)
{
    return p[0] * (p[5] * p[10] - p[6] * p[9]) - p[1] * (p[4] * p[10] - p[6] * p[8]) +
           p[2] * (p[4] * p[9] - p[5] * p[8]);
}

// Source = the null vector of P: s = -A⁻¹·p4 (Cramer's rule).
Vec3 nullPoint(const Matrix34& p)
{
    const Vec3 a0{p[0], p[1], p[2]};
    const Vec3 a1{p[4], p[5], p[6]};
    const Vec3 a2{p[8], p[9], p[10]};
    const double det = dot(a0, cross(a1, a2));
    // Rows of A⁻¹ are the columns of adj(A)/det: x = (b0 (a1×a2) + b1 (a2×a0) + b2 (a0×a1))/det.
    const Vec3 b{-p[3], -p[7], -p[11]};
    return (1.0 / det) * (b.x * cross(a1, a2) + b.y * cross(a2, a0) + b.z * cross(a0, a1));
}

// The pose whose projectionMatrix() is P (up to scale), for a divergent beam. `distance` is the
// source-plane distance D when the file gives it (plastimatch), else 0 and D follows from the
// detector's du. `where` names the line or file in messages.
ViewPose decomposeDivergent(const Matrix34& raw, const Detector& det, double distance,
                            const std::string& where)
{
    Matrix34 p = raw;
    const Vec3 a2{p[8], p[9], p[10]};
    double scale = norm(a2);
    // The isocentre (origin) lies in front of the source: w(origin) = P[2][3] > 0.
    if (p[11] < 0.0) {
        scale = -scale;
    }
    for (double& x : p) {
        x /= scale;
    }
    const Vec3 s = nullPoint(p);
    const Vec3 m{p[8], p[9], p[10]};
    const Vec3 r0{p[0], p[1], p[2]};
    const Vec3 r1{p[4], p[5], p[6]};
    const double au = dot(r0, m);
    const double av = dot(r1, m);
    const Vec3 gu = r0 - au * m; // (D/du)·û
    const Vec3 gv = r1 - av * m; // (D/dv)·v̂
    if (norm(gu) == 0.0 || norm(gv) == 0.0) {
        throwInvalid(where + ": matrix rows", "degenerate",
                     "the first two rows must not be parallel to the third");
    }
    const Vec3 u = normalized(gu);
    const Vec3 v = normalized(gv);
    if (std::abs(dot(u, v)) > kRelativeTolerance) {
        throwInvalid(where + ": skew (cosine between pixel axes)", formatValue(dot(u, v)),
                     "the detector's rows and columns must be perpendicular");
    }
    const double depth = distance > 0.0 ? distance : det.pixelU * norm(gu);
    const double du = depth / norm(gu);
    const double dv = depth / norm(gv);
    if (std::abs(du - det.pixelU) > kRelativeTolerance * det.pixelU ||
        std::abs(dv - det.pixelV) > kRelativeTolerance * det.pixelV) {
        throwInvalid(where + ": pixel size", formatValue(du) + " x " + formatValue(dv) + " mm",
                     "the matrix must fit the detector's " + formatValue(det.pixelU) + " x " +
                         formatValue(det.pixelV) + " mm pixels");
    }
    const double cu = 0.5 * (static_cast<double>(det.columns) - 1.0) - det.offsetU;
    const double cv = 0.5 * (static_cast<double>(det.rows) - 1.0) - det.offsetV;
    ViewPose pose;
    pose.source = s;
    pose.u = u;
    pose.v = v;
    pose.detector = s + depth * m + (du * (cu - au)) * u + (dv * (cv - av)) * v;
    return pose;
}

void checkProjection(const Matrix34& p, const std::string& where)
{
    const Vec3 a0{p[0], p[1], p[2]};
    const Vec3 a1{p[4], p[5], p[6]};
    const double rowScale = std::max({norm(a0), norm(a1), norm(Vec3{p[8], p[9], p[10]})});
    const bool parallel = p[8] == 0.0 && p[9] == 0.0 && p[10] == 0.0;
    const double singular = parallel ? norm(cross(a0, a1)) / (rowScale * rowScale)
                                     : std::abs(det33(p)) / (rowScale * rowScale * rowScale);
    if (!(rowScale > 0.0) || singular < kRotationTolerance) {
        throwInvalid(where + ": left 3x3 block", parallel ? "rank < 2" : "singular",
                     "not a projection matrix: a divergent view needs an invertible left 3x3 "
                     "block, a parallel view the third row 0 0 0 1 and two independent rows");
    }
}

std::string matrixRow(const Matrix34& m)
{
    std::string line;
    for (std::size_t i = 0; i < 12; ++i) {
        line += number(m[i]) + (i < 11 ? "," : "\n");
    }
    return line;
}

void exportMatrices(const Geometry& g, const fs::path& path)
{
    std::string text = "# tomoscope projection matrices: [iu*w, iv*w, w] = P [x, y, z, 1] (mm, "
                       "pixel indices); detector " +
                       std::to_string(g.detector().columns) + " x " +
                       std::to_string(g.detector().rows) + ", " + std::string(toString(g.beam())) +
                       "\np11,p12,p13,p14,p21,p22,p23,p24,p31,p32,p33,p34\n";
    for (std::size_t k = 0; k < g.viewCount(); ++k) {
        text += matrixRow(g.projectionMatrix(k));
    }
    writeText(path, text);
}

Geometry importMatrices(const fs::path& path, const GeometryImportHints& hints)
{
    requireHintDetector(hints, "projection-matrix");
    hints.detector.validate();
    const Detector& det = hints.detector;
    const std::vector<Row> rows =
        readTable(path, 12, "p11..p34 of a row-major 3x4 projection matrix", nullptr);
    std::vector<ViewPose> poses;
    bool parallel = false;
    for (const Row& r : rows) {
        const std::string where = path.string() + ": line " + std::to_string(r.line);
        Matrix34 m{};
        std::copy(r.values.begin(), r.values.end(), m.begin());
        checkProjection(m, where);
        const bool thisParallel = m[8] == 0.0 && m[9] == 0.0 && m[10] == 0.0;
        if (!poses.empty() && thisParallel != parallel) {
            throwInvalid(where + ": third row",
                         formatValue(m[8]) + " " + formatValue(m[9]) + " " + formatValue(m[10]),
                         "parallel (0 0 0 1) and divergent views cannot be mixed");
        }
        parallel = thisParallel;
        if (!parallel) {
            poses.push_back(decomposeDivergent(m, det, 0.0, where));
            continue;
        }
        // Parallel: rows are (û/du, iu offset), (v̂/dv, iv offset) for a detector perpendicular
        // to the rays; its position along the rays is not stored (we put it through the origin).
        const double scale = m[11];
        const Vec3 u = (det.pixelU / scale) * Vec3{m[0], m[1], m[2]};
        const Vec3 v = (det.pixelV / scale) * Vec3{m[4], m[5], m[6]};
        if (std::abs(norm(u) - 1.0) > kRelativeTolerance ||
            std::abs(norm(v) - 1.0) > kRelativeTolerance ||
            std::abs(dot(u, v)) > kRelativeTolerance) {
            throwInvalid(where + ": |row 1|*du, |row 2|*dv, cosine",
                         formatValue(norm(u)) + ", " + formatValue(norm(v)) + ", " +
                             formatValue(dot(u, v)),
                         "a parallel view's first two rows must be perpendicular, of length "
                         "1/du and 1/dv for the detector's pixel sizes");
        }
        const double cu = 0.5 * (static_cast<double>(det.columns) - 1.0) - det.offsetU;
        const double cv = 0.5 * (static_cast<double>(det.rows) - 1.0) - det.offsetV;
        ViewPose p;
        p.u = normalized(u);
        p.v = normalized(v);
        p.source = cross(p.v, p.u);
        p.detector =
            (det.pixelU * (cu - m[3] / scale)) * p.u + (det.pixelV * (cv - m[7] / scale)) * p.v;
        poses.push_back(p);
    }
    const BeamType beam = chooseBeam(parallel, hints, det, poses);
    return Geometry::fromPoses(beam, det, std::move(poses));
}

// plastimatch: ic (2), matrix (3x4), sad, sid, nrm (3), then Extrinsic and Intrinsic blocks.
// Pixel (a, b) = ic + (h0/h2, h1/h2) with h = P·[x, 1]; a runs along our columns, b along rows.
void exportPlastimatch(const Geometry& g, const fs::path& folder)
{
    if (isParallel(g.beam())) {
        throwInvalid("beam", "\"" + std::string(toString(g.beam())) + "\"",
                     "plastimatch projection matrices describe divergent (fan or cone) beams");
    }
    std::error_code ec;
    fs::create_directories(folder, ec);
    if (ec) {
        throw IoError("cannot create the folder " + folder.string() + ": " + ec.message());
    }
    const Detector& det = g.detector();
    const int width = std::max(4, static_cast<int>(std::to_string(g.viewCount() - 1).size()));
    for (std::size_t k = 0; k < g.viewCount(); ++k) {
        const ViewPose& p = g.poses()[k];
        const Matrix34 m = g.projectionMatrix(k); // third row: m̂, w = depth along m̂
        const Vec3 mh{m[8], m[9], m[10]};
        const double depth = dot(p.detector - p.source, mh);
        const double ia = dot(Vec3{m[0], m[1], m[2]}, mh); // pixel index of the principal point
        const double ib = dot(Vec3{m[4], m[5], m[6]}, mh);
        Matrix34 pm{};
        for (std::size_t j = 0; j < 4; ++j) {
            pm[j] = (m[j] - ia * m[8 + j]) / depth;
            pm[4 + j] = (m[4 + j] - ib * m[8 + j]) / depth;
            pm[8 + j] = m[8 + j] / depth;
        }
        // plastimatch's writer fills the "nrm" line with its third extrinsic row, m̂ (from the
        // source towards the detector), although proj_matrix.h calls nrm the ray to the source.
        const Vec3 nrm = mh;
        char buffer[64];
        std::string text;
        const auto put = [&](double v, bool last) {
            std::snprintf(buffer, sizeof(buffer), "%.17g", v);
            text += std::string(buffer) + (last ? "\n" : " ");
        };
        put(ia, false);
        put(ib, true);
        for (std::size_t i = 0; i < 12; ++i) {
            put(pm[i], i % 4 == 3);
        }
        put(norm(p.source), true);
        put(depth, true);
        put(nrm.x, false);
        put(nrm.y, false);
        put(nrm.z, true);
        // Extrinsic [R | -R s] with R's rows û, v̂, m̂; intrinsic diag(1/du, 1/dv, 1/D).
        text += "Extrinsic\n";
        for (const Vec3& axis : {p.u, p.v, mh}) {
            put(axis.x, false);
            put(axis.y, false);
            put(axis.z, false);
            put(-dot(axis, p.source), true);
        }
        text += "0 0 0 1\nIntrinsic\n";
        put(1.0 / det.pixelU, false);
        text += "0 0 0\n0 ";
        put(1.0 / det.pixelV, false);
        text += "0 0\n0 0 ";
        put(1.0 / depth, false);
        text += "0\n";
        std::string index = std::to_string(k);
        index.insert(0,
                     static_cast<std::size_t>(width) -
                         std::min(index.size(), static_cast<std::size_t>(width)),
                     '0');
        writeText(folder / ("proj" + index + ".txt"), text);
    }
}

Geometry importPlastimatch(const fs::path& folder, const GeometryImportHints& hints)
{
    requireHintDetector(hints, "plastimatch");
    std::error_code ec;
    if (!fs::is_directory(folder, ec)) {
        throw IoError("cannot read " + folder.string() + ": not a folder");
    }
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(folder, ec)) {
        if (entry.is_regular_file() && entry.path().extension() == ".txt") {
            files.push_back(entry.path());
        }
    }
    std::sort(files.begin(), files.end());
    if (files.empty()) {
        throwInvalid(folder.string() + ": *.txt files", "0",
                     "a plastimatch geometry folder holds one projection-matrix .txt per view");
    }
    Detector det = hints.detector;
    std::vector<ViewPose> poses;
    for (const fs::path& file : files) {
        std::istringstream in(readText(file));
        std::vector<std::string> tokens;
        std::string token;
        while (in >> token && token != "Extrinsic") {
            tokens.push_back(token);
        }
        const std::size_t need = 2 + 12 + 2 + 3;
        if (tokens.size() != need) {
            throwInvalid(file.string() + ": number count", std::to_string(tokens.size()),
                         "a plastimatch projection file starts with 19 numbers: ic (2), the "
                         "3x4 matrix (12), sad, sid, nrm (3)");
        }
        const auto nameOf = [](std::size_t i) -> std::string {
            if (i < 2) {
                return "ic[" + std::to_string(i) + "]";
            }
            if (i < 14) {
                return "matrix[" + std::to_string(i - 2) + "]";
            }
            if (i == 14) {
                return "sad";
            }
            if (i == 15) {
                return "sid";
            }
            return "nrm[" + std::to_string(i - 16) + "]";
        };
        std::vector<double> v;
        for (std::size_t i = 0; i < need; ++i) {
            v.push_back(parseNumber(tokens[i], file.string() + ": " + nameOf(i)));
        }
        const double ia = v[0];
        const double ib = v[1];
        const double sid = v[15];
        if (!(sid > 0.0)) {
            throwInvalid(file.string() + ": sid", formatValue(sid),
                         "the source-image distance must be > 0 mm");
        }
        Matrix34 pm{};
        std::copy(v.begin() + 2, v.begin() + 14, pm.begin());
        checkProjection(pm, file.string());
        Matrix34 pix{};
        for (std::size_t j = 0; j < 4; ++j) {
            pix[j] = pm[j] + ia * pm[8 + j];
            pix[4 + j] = pm[4 + j] + ib * pm[8 + j];
            pix[8 + j] = pm[8 + j];
        }
        if (poses.empty()) {
            // The pixel sizes follow from sid: |row| = D/d after normalising the third row.
            const double w = norm(Vec3{pix[8], pix[9], pix[10]});
            const Vec3 mh = (1.0 / w) * Vec3{pix[8], pix[9], pix[10]};
            const Vec3 r0 = (1.0 / w) * Vec3{pix[0], pix[1], pix[2]};
            const Vec3 r1 = (1.0 / w) * Vec3{pix[4], pix[5], pix[6]};
            det.pixelU = sid / norm(r0 - dot(r0, mh) * mh);
            det.pixelV = sid / norm(r1 - dot(r1, mh) * mh);
        }
        poses.push_back(decomposeDivergent(pix, det, sid, file.string()));
    }
    const BeamType beam = chooseBeam(false, hints, det, poses);
    return Geometry::fromPoses(beam, det, std::move(poses));
}
} // namespace

std::string_view toString(GeometryFormat format)
{
    switch (format) {
    case GeometryFormat::Json:
        return "json";
    case GeometryFormat::Rtk:
        return "rtk";
    case GeometryFormat::Astra:
        return "astra";
    case GeometryFormat::Matrices:
        return "matrices";
    case GeometryFormat::PlastimatchDir:
        return "plastimatch-dir";
    }
    return "unknown";
}

GeometryFormat parseGeometryFormat(std::string_view text, std::string_view field)
{
    for (GeometryFormat f : {GeometryFormat::Json, GeometryFormat::Rtk, GeometryFormat::Astra,
                             GeometryFormat::Matrices, GeometryFormat::PlastimatchDir}) {
        if (text == toString(f)) {
            return f;
        }
    }
    throwInvalid(std::string(field), "\"" + std::string(text) + "\"",
                 "accepted: json, rtk, astra, matrices, plastimatch-dir");
}

std::string geometryToJson(const Geometry& g)
{
    const Detector& d = g.detector();
    Json views = Json::array();
    for (const ViewPose& p : g.poses()) {
        views.push_back({{isParallel(g.beam()) ? "ray" : "source", vecJson(p.source)},
                         {"detector", vecJson(p.detector)},
                         {"u", vecJson(p.u)},
                         {"v", vecJson(p.v)}});
    }
    const Json doc = {{"format", "tomoscope-geometry"},
                      {"version", 1},
                      {"beam", std::string(toString(g.beam()))},
                      {"detector",
                       {{"columns", d.columns},
                        {"rows", d.rows},
                        {"pixel_u_mm", d.pixelU},
                        {"pixel_v_mm", d.pixelV},
                        {"offset_u_px", d.offsetU},
                        {"offset_v_px", d.offsetV},
                        {"shape", std::string(toString(d.shape))},
                        {"radius_mm", d.radius}}},
                      {"views", views}};
    return doc.dump(2) + "\n";
}

Geometry geometryFromJson(std::string_view json, std::string_view source)
{
    Json doc;
    try {
        doc = Json::parse(json);
    } catch (const Json::parse_error& e) {
        throwInvalid(std::string(source), "its text", std::string("not valid JSON: ") + e.what());
    }
    const JsonReader r{std::string(source)};
    const std::string format = r.text(r.field(doc, "format", ""), "format");
    if (format != "tomoscope-geometry") {
        r.fail("format", "\"" + format + "\"", "accepted: \"tomoscope-geometry\"");
    }
    const std::size_t version = r.count(r.field(doc, "version", ""), "version");
    if (version != 1) {
        r.fail("version", std::to_string(version), "accepted: 1");
    }
    const BeamType beam =
        parseBeamType(r.text(r.field(doc, "beam", ""), "beam"), std::string(source) + ": beam");
    const Json& dj = r.field(doc, "detector", "");
    Detector det;
    det.columns = r.count(r.field(dj, "columns", "detector"), "detector.columns");
    det.rows = r.count(r.field(dj, "rows", "detector"), "detector.rows");
    det.pixelU = r.number(r.field(dj, "pixel_u_mm", "detector"), "detector.pixel_u_mm");
    det.pixelV = r.number(r.field(dj, "pixel_v_mm", "detector"), "detector.pixel_v_mm");
    det.offsetU =
        dj.contains("offset_u_px") ? r.number(dj["offset_u_px"], "detector.offset_u_px") : 0.0;
    det.offsetV =
        dj.contains("offset_v_px") ? r.number(dj["offset_v_px"], "detector.offset_v_px") : 0.0;
    det.shape = dj.contains("shape") ? parseDetectorShape(r.text(dj["shape"], "detector.shape"),
                                                          std::string(source) + ": detector.shape")
                                     : DetectorShape::Flat;
    det.radius = dj.contains("radius_mm") ? r.number(dj["radius_mm"], "detector.radius_mm") : 0.0;
    const Json& views = r.field(doc, "views", "");
    if (!views.is_array()) {
        r.fail("views", views.dump(), "must be an array of views");
    }
    std::vector<ViewPose> poses;
    const char* sourceKey = isParallel(beam) ? "ray" : "source";
    for (std::size_t k = 0; k < views.size(); ++k) {
        const std::string path = "views[" + std::to_string(k) + "]";
        const Json& v = views[k];
        ViewPose p;
        p.source = r.vec(r.field(v, sourceKey, path), path + "." + sourceKey);
        p.detector = r.vec(r.field(v, "detector", path), path + ".detector");
        p.u = r.vec(r.field(v, "u", path), path + ".u");
        p.v = r.vec(r.field(v, "v", path), path + ".v");
        poses.push_back(p);
    }
    try {
        return Geometry::fromPoses(beam, det, std::move(poses));
    } catch (const InvalidArgument& e) {
        throw InvalidArgument(std::string(source) + ": " + e.what());
    }
}

std::array<double, 12> rtkProjectionMatrix(double sid, double sdd, double gantryAngle,
                                           double projOffsetX, double projOffsetY,
                                           double outOfPlaneAngle, double inPlaneAngle,
                                           double sourceOffsetX, double sourceOffsetY)
{
    // P = T_proj(sx - px, sy - py) · Mag(-sdd, -sid) · T_src(-sx, -sy, 0) · R, as RTK composes.
    const Matrix33 rot = rtkRotation(gantryAngle, outOfPlaneAngle, inPlaneAngle);
    // T_src·R as 3 rows of a 4-column affine map (the fourth row is 0 0 0 1).
    std::array<double, 12> a{};
    const double shift[3] = {-sourceOffsetX, -sourceOffsetY, 0.0};
    for (std::size_t i = 0; i < 3; ++i) {
        for (std::size_t j = 0; j < 3; ++j) {
            a[4 * i + j] = rot[3 * i + j];
        }
        a[4 * i + 3] = shift[i];
    }
    // Mag(sdd', sid') with sdd' = -sdd, sid' = -sid: diag(sdd', sdd') on x, y; row 3 = (0 0 1 sid')
    // for divergent beams, and identity on x, y with row 3 = (0 0 0 1) for parallel ones.
    std::array<double, 12> b{};
    const bool parallel = sdd == 0.0;
    const double f = parallel ? 1.0 : -sdd;
    for (std::size_t j = 0; j < 4; ++j) {
        b[j] = f * a[j];
        b[4 + j] = f * a[4 + j];
        b[8 + j] = parallel ? (j == 3 ? 1.0 : 0.0) : a[8 + j] + (j == 3 ? -sid : 0.0);
    }
    const double tx = sourceOffsetX - projOffsetX;
    const double ty = sourceOffsetY - projOffsetY;
    std::array<double, 12> m{};
    for (std::size_t j = 0; j < 4; ++j) {
        m[j] = b[j] + tx * b[8 + j];
        m[4 + j] = b[4 + j] + ty * b[8 + j];
        m[8 + j] = b[8 + j];
    }
    return m;
}

Vec3 fromRtkFrame(Vec3 rtk)
{
    return {rtk.x, -rtk.z, rtk.y};
}

Vec3 toRtkFrame(Vec3 ours)
{
    return {ours.x, ours.z, -ours.y};
}

void exportGeometry(const Geometry& geometry, const fs::path& path, GeometryFormat format)
{
    switch (format) {
    case GeometryFormat::Json:
        writeText(path, geometryToJson(geometry));
        return;
    case GeometryFormat::Rtk:
        exportRtk(geometry, path);
        return;
    case GeometryFormat::Astra:
        exportAstra(geometry, path);
        return;
    case GeometryFormat::Matrices:
        exportMatrices(geometry, path);
        return;
    case GeometryFormat::PlastimatchDir:
        exportPlastimatch(geometry, path);
        return;
    }
}

Geometry importGeometry(const fs::path& path, GeometryFormat format,
                        const GeometryImportHints& hints)
{
    switch (format) {
    case GeometryFormat::Json:
        return geometryFromJson(readText(path), path.string());
    case GeometryFormat::Rtk:
        return importRtk(path, hints);
    case GeometryFormat::Astra:
        return importAstra(path, hints);
    case GeometryFormat::Matrices:
        return importMatrices(path, hints);
    case GeometryFormat::PlastimatchDir:
        return importPlastimatch(path, hints);
    }
    throwInvalid("format", std::to_string(static_cast<int>(format)), "unknown geometry format");
}
} // namespace tomo
