#include "tomo/phantom_io.h"

#include "common/atomic_file.h"
#include "common/json_reader.h"
#include "phantom/phantom_objects.h"
#include "tomo/error.h"
#include "tomo/materials.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <fstream>
#include <limits>
#include <numbers>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace tomo
{
namespace
{
using Json = nlohmann::json;

constexpr double kDegree = std::numbers::pi / 180.0;
constexpr int kFormatVersion = 1;
constexpr const char* kInfinity = "infinity";

using Reader = detail::JsonReader;

double toNumber(const Json& v, const std::string& path)
{
    return Reader::toNumber(v, path);
}

std::vector<double> toNumbers(const Json& v, const std::string& path, std::size_t count,
                              const std::string& shape)
{
    if (!v.is_array() || v.size() != count) {
        throwInvalid(path, v.dump(), "must be an array of " + shape);
    }
    std::vector<double> out;
    for (std::size_t a = 0; a < count; ++a) {
        out.push_back(toNumber(v[a], path + "[" + std::to_string(a) + "]"));
    }
    return out;
}

Vec3 readSemiAxes(const Json& v, const std::string& path, ShapeKind kind)
{
    const bool mayBeInfinite = kind != ShapeKind::Ellipsoid;
    if (!v.is_array() || v.size() != 3) {
        throwInvalid(path, v.dump(),
                     mayBeInfinite ? "must be an array of 3 lengths in mm [a, b, c], c may be "
                                     "\"infinity\""
                                   : "must be an array of 3 lengths in mm [a, b, c]");
    }
    double axes[3] = {};
    for (std::size_t a = 0; a < 3; ++a) {
        const std::string at = path + "[" + std::to_string(a) + "]";
        if (a == 2 && mayBeInfinite && v[a].is_string() && v[a].get<std::string>() == kInfinity) {
            axes[a] = std::numeric_limits<double>::infinity();
            continue;
        }
        axes[a] = toNumber(v[a], at);
        if (axes[a] <= 0.0) {
            throwInvalid(at, v[a].dump(),
                         a == 2 && mayBeInfinite ? "must be a length > 0 mm or \"infinity\""
                                                 : "must be a length > 0 mm");
        }
    }
    return {axes[0], axes[1], axes[2]};
}

AnalyticObject readObject(const Json& j, const std::string& path, const std::string& document)
{
    Reader r(j, path, document);
    AnalyticObject o;
    o.kind = parseShapeKind(r.text("kind", ""), r.where("kind"));
    const std::vector<double> c =
        toNumbers(r.raw("centre_mm"), r.where("centre_mm"), 3, "3 numbers in mm [x, y, z]");
    o.centre = {c[0], c[1], c[2]};
    o.semiAxes = readSemiAxes(r.raw("semi_axes_mm"), r.where("semi_axes_mm"), o.kind);
    if (r.has("euler_deg") && r.has("rotation")) {
        throwInvalid(r.where("rotation"), "given with euler_deg",
                     "give either euler_deg [phi, theta, psi] or rotation (9 numbers)");
    }
    if (r.has("rotation")) {
        const std::vector<double> m = toNumbers(r.raw("rotation"), r.where("rotation"), 9,
                                                "9 numbers (row-major 3x3 rotation matrix)");
        std::copy(m.begin(), m.end(), o.rotation.begin());
    } else if (r.has("euler_deg")) {
        const std::vector<double> e = toNumbers(r.raw("euler_deg"), r.where("euler_deg"), 3,
                                                "3 angles in degrees [phi, theta, psi]");
        o.rotation = rotationFromEuler(e[0] * kDegree, e[1] * kDegree, e[2] * kDegree);
    }
    o.value = toNumber(r.raw("value_per_mm"), r.where("value_per_mm"));
    if (r.has("material")) {
        // Checked here, where the path can be named; kept as the name the file gives.
        o.material = findMaterial(r.text("material", ""), r.where("material")).name;
    }
    r.finish();
    return o;
}

// Euler angles in degrees that rebuild `rotation` bit for bit, if one of a few candidates does.
bool exactEulerDeg(const Rotation& rotation, std::array<double, 3>& out)
{
    const std::array<double, 3> rad = eulerFromRotation(rotation);
    std::array<double, 3> deg{rad[0] / kDegree, rad[1] / kDegree, rad[2] / kDegree};
    const auto rebuilds = [&](const std::array<double, 3>& d) {
        return rotationFromEuler(d[0] * kDegree, d[1] * kDegree, d[2] * kDegree) == rotation;
    };
    if (rebuilds(deg)) {
        out = deg;
        return true;
    }
    // Angles typed in degrees ("-18") usually come back a few ulps away; try them rounded.
    constexpr double kRoundingScale = 1e9;
    for (double& d : deg) {
        d = std::round(d * kRoundingScale) / kRoundingScale;
    }
    if (rebuilds(deg)) {
        out = deg;
        return true;
    }
    return false;
}

Json fromSemiAxes(Vec3 s)
{
    Json j = Json::array({s.x, s.y});
    if (std::isinf(s.z)) {
        j.push_back(kInfinity);
    } else {
        j.push_back(s.z);
    }
    return j;
}
} // namespace

namespace detail
{
std::vector<AnalyticObject> readPhantomObjects(const Json& objects, const std::string& path,
                                               const std::string& document)
{
    if (!objects.is_array()) {
        throwInvalid(path, objects.dump().substr(0, 40),
                     "must be an array of {kind, centre_mm, semi_axes_mm, euler_deg, "
                     "value_per_mm}");
    }
    Phantom p;
    for (std::size_t n = 0; n < objects.size(); ++n) {
        p.objects.push_back(readObject(objects[n], path + "[" + std::to_string(n) + "]", document));
    }
    p.validate(path);
    return std::move(p.objects);
}

Json phantomObjectsJson(const std::vector<AnalyticObject>& objects)
{
    Json out = Json::array();
    for (const AnalyticObject& o : objects) {
        Json j;
        j["kind"] = std::string(toString(o.kind));
        j["centre_mm"] = Json::array({o.centre.x, o.centre.y, o.centre.z});
        j["semi_axes_mm"] = fromSemiAxes(o.semiAxes);
        std::array<double, 3> deg{};
        if (exactEulerDeg(o.rotation, deg)) {
            j["euler_deg"] = deg;
        } else {
            j["rotation"] = o.rotation;
        }
        j["value_per_mm"] = o.value;
        if (!o.material.empty()) {
            j["material"] = o.material;
        }
        out.push_back(std::move(j));
    }
    return out;
}
} // namespace detail

Phantom parsePhantom(std::string_view json, std::string_view source)
{
    return detail::readVersionedDocument(
        json, source, "tomoscope-phantom", kFormatVersion, "phantom", [](Reader& root) {
            Phantom p;
            p.name = root.text("name", "");
            p.objects = detail::readPhantomObjects(root.raw("objects"), "objects", "phantom");
            root.finish();
            return p;
        });
}

std::string toJson(const Phantom& phantom)
{
    Json doc;
    doc["format"] = "tomoscope-phantom";
    doc["version"] = kFormatVersion;
    doc["name"] = phantom.name;
    doc["objects"] = detail::phantomObjectsJson(phantom.objects);
    return doc.dump(2) + "\n";
}

Phantom parseCtsimPhantom(std::string_view text, std::string_view source)
{
    Phantom p;
    std::istringstream in{std::string(text)};
    std::string line;
    std::size_t lineNumber = 0;
    while (std::getline(in, line)) {
        ++lineNumber;
        const std::string where = std::string(source) + " line " + std::to_string(lineNumber);
        std::istringstream fields(line);
        std::string type;
        if (!(fields >> type) || type.front() == '#') {
            continue;
        }
        if (type != "ellipse" && type != "rectangle") {
            throwInvalid(where, "\"" + type + "\"",
                         "Tomoscope reads the CTSim types ellipse and rectangle; triangle, "
                         "sector and segment are not supported");
        }
        std::vector<double> v;
        std::string token;
        while (fields >> token) {
            double d = 0.0;
            std::size_t used = 0;
            try {
                d = std::stod(token, &used);
            } catch (const std::exception&) {
                used = 0;
            }
            if (used != token.size() || !std::isfinite(d)) {
                throwInvalid(where, "\"" + token + "\"", "every field after the type is a number");
            }
            v.push_back(d);
        }
        if (v.size() != 6) {
            throwInvalid(where, std::to_string(v.size()) + " numbers",
                         "expected \"" + type + " cx cy u v rot atten\" (6 numbers)");
        }
        if (!(v[2] > 0.0) || !(v[3] > 0.0)) {
            throwInvalid(where, formatValue(v[2]) + " " + formatValue(v[3]),
                         "the half-widths u and v must be > 0");
        }
        AnalyticObject o;
        o.kind = type == "ellipse" ? ShapeKind::Cylinder : ShapeKind::Box;
        o.centre = {v[0], v[1], 0.0};
        o.semiAxes = {v[2], v[3], std::numeric_limits<double>::infinity()};
        o.rotation = rotationFromEuler(v[4] * kDegree, 0.0, 0.0);
        o.value = v[5];
        p.objects.push_back(o);
    }
    return p;
}

Phantom readPhantom(const std::filesystem::path& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw IoError("cannot read phantom " + path.string() +
                      ": the file does not exist or is not readable");
    }
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad()) {
        throw IoError("cannot read phantom " + path.string() + ": read error");
    }
    if (path.extension() == ".phm") {
        Phantom p = parseCtsimPhantom(text.str(), path.string());
        p.name = path.stem().string();
        return p;
    }
    return parsePhantom(text.str(), path.string());
}

void writePhantom(const Phantom& phantom, const std::filesystem::path& path)
{
    phantom.validate();
    const std::string text = toJson(phantom);
    detail::writeTextAtomically(path, text);
}
} // namespace tomo
