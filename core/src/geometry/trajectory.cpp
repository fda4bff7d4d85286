#include "tomo/trajectory.h"

#include "common/atomic_file.h"
#include "tomo/error.h"

#include <cmath>
#include <fstream>
#include <iomanip>
#include <limits>
#include <muParser.h>
#include <numbers>
#include <random>
#include <sstream>
#include <string>

namespace tomo
{
namespace
{
constexpr double kTwoPi = 2.0 * std::numbers::pi;

struct OrbitPoint
{
    double theta = 0.0;
    double z = 0.0;
    double sid = 0.0;
    double sdd = 0.0;
    Vec3 sourceShift;              ///< added to the source (random perturbation), mm
    double detectorRotation = 0.0; ///< extra in-plane detector rotation, radians
};

std::string viewField(std::size_t view, const std::string& field)
{
    return "trajectory." + field + " (view " + std::to_string(view) + ")";
}

// Rotates a about the unit axis k by angle (Rodrigues).
Vec3 rotateAbout(Vec3 a, Vec3 k, double angle)
{
    const double c = std::cos(angle);
    const double s = std::sin(angle);
    return c * a + s * cross(k, a) + (1.0 - c) * dot(k, a) * k;
}

void applyTilt(ViewPose& p, const DetectorTilt& tilt, double extraInPlane)
{
    const double inPlane = tilt.inPlane + extraInPlane;
    if (inPlane != 0.0) {
        const Vec3 n = cross(p.u, p.v);
        p.u = rotateAbout(p.u, n, inPlane);
        p.v = rotateAbout(p.v, n, inPlane);
    }
    if (tilt.aboutU != 0.0) {
        p.v = rotateAbout(p.v, p.u, tilt.aboutU); // turns v̂ towards n̂ = û×v̂ (the source)
    }
    if (tilt.aboutV != 0.0) {
        p.u = rotateAbout(p.u, p.v, -tilt.aboutV); // turns û towards n̂
    }
}

ViewPose poseAt(BeamType beam, const OrbitPoint& o, const DetectorTilt& tilt)
{
    ViewPose p;
    p.source = isParallel(beam) ? rotateZ({0.0, 1.0, 0.0}, o.theta)
                                : rotateZ({0.0, -o.sid, o.z}, o.theta) + o.sourceShift;
    p.detector = rotateZ({0.0, o.sdd - o.sid, o.z}, o.theta);
    p.u = rotateZ({1.0, 0.0, 0.0}, o.theta);
    p.v = {0.0, 0.0, 1.0};
    applyTilt(p, tilt, o.detectorRotation);
    return p;
}

// Uniform in (0, 1) from the 53 high bits of a 64-bit draw: exactly defined for mt19937_64.
double uniformOpen(std::mt19937_64& rng)
{
    return (static_cast<double>(rng() >> 11) + 0.5) * 0x1.0p-53;
}

double gaussian(std::mt19937_64& rng)
{
    const double r = std::sqrt(-2.0 * std::log(uniformOpen(rng)));
    return r * std::cos(kTwoPi * uniformOpen(rng));
}

void checkCommon(BeamType beam, const TrajectorySpec& t)
{
    if (t.views == 0) {
        throwInvalid("trajectory.views", "0", "a scan needs at least 1 view");
    }
    auto finite = [](const char* field, double v, const char* what) {
        if (!std::isfinite(v)) {
            throwInvalid(std::string("trajectory.") + field, formatValue(v), what);
        }
    };
    finite("start_angle_deg", t.startAngle, "must be a finite angle");
    finite("z_offset_mm", t.zOffset, "must be finite (mm)");
    finite("tilt.in_plane_deg", t.tilt.inPlane, "must be a finite angle");
    finite("tilt.about_u_deg", t.tilt.aboutU, "must be a finite angle");
    finite("tilt.about_v_deg", t.tilt.aboutV, "must be a finite angle");
    if (!std::isfinite(t.angularRange) || t.angularRange <= 0.0) {
        throwInvalid("trajectory.range_deg", formatValue(t.angularRange * 180.0 / std::numbers::pi),
                     "must be a finite angle > 0");
    }
    if (t.kind != TrajectoryKind::Custom) {
        if (!std::isfinite(t.sourceIsocentre) || t.sourceIsocentre <= 0.0) {
            throwInvalid("trajectory.sid_mm", formatValue(t.sourceIsocentre),
                         "the source-isocentre distance must be a finite length > 0 mm");
        }
        if (!std::isfinite(t.sourceDetector) || t.sourceDetector <= t.sourceIsocentre) {
            throwInvalid("trajectory.sdd_mm", formatValue(t.sourceDetector),
                         "the source-detector distance must be finite and greater than sid_mm = " +
                             formatValue(t.sourceIsocentre) +
                             " (the detector lies beyond the isocentre)");
        }
    }
    if (is2D(beam)) {
        if (t.zOffset != 0.0) {
            throwInvalid("trajectory.z_offset_mm", formatValue(t.zOffset),
                         "a 2D beam stays in the z = 0 plane");
        }
        if (t.tilt != DetectorTilt{}) {
            throwInvalid("trajectory.tilt", "non-zero",
                         "a 2D detector stays in the scan plane; tilt needs a 3D beam");
        }
    }
}

void checkDistances(BeamType beam, std::size_t view, double sid, double sdd)
{
    if (!std::isfinite(sid) || sid <= 0.0) {
        throwInvalid(viewField(view, "sid_mm"), formatValue(sid),
                     "the source-isocentre distance must be a finite length > 0 mm");
    }
    if (!std::isfinite(sdd) || sdd <= sid) {
        throwInvalid(viewField(view, "sdd_mm"), formatValue(sdd),
                     "the source-detector distance must be finite and greater than the "
                     "source-isocentre distance " +
                         formatValue(sid) + " mm");
    }
    (void)beam;
}

double angleOf(const TrajectorySpec& t, std::size_t k)
{
    return t.startAngle + t.angularRange * static_cast<double>(k) / static_cast<double>(t.views);
}

// One muparser expression of t, checked once at parse time and at every evaluation.
class Formula
{
public:
    Formula(const std::string& text, std::string field) : m_field(std::move(field))
    {
        try {
            m_parser.DefineVar("t", &m_t);
            m_parser.SetExpr(text);
            m_parser.Eval();
        } catch (const mu::Parser::exception_type& e) {
            throwInvalid(m_field, "\"" + text + "\"",
                         "muparser could not evaluate it: " + e.GetMsg() +
                             " (formulas use the variable t, the constants _pi and _e, and "
                             "functions such as sin, cos, sqrt)");
        }
        m_text = text;
    }

    double operator()(double t, std::size_t view)
    {
        m_t = t;
        double value = std::numeric_limits<double>::quiet_NaN();
        try {
            value = m_parser.Eval();
        } catch (const mu::Parser::exception_type& e) {
            throwInvalid(m_field, "\"" + m_text + "\" at t = " + formatValue(t),
                         "muparser: " + e.GetMsg());
        }
        if (!std::isfinite(value)) {
            throwInvalid(m_field,
                         "\"" + m_text + "\" = " + formatValue(value) +
                             " at t = " + formatValue(t) + " (view " + std::to_string(view) + ")",
                         "a formula must give a finite number for every view");
        }
        return value;
    }

private:
    mu::Parser m_parser;
    double m_t = 0.0;
    std::string m_text;
    std::string m_field;
};

std::vector<OrbitPoint> orbit(BeamType beam, const TrajectorySpec& t)
{
    std::vector<OrbitPoint> points;
    const double sid = t.sourceIsocentre;
    const double sdd = t.sourceDetector;
    auto base = [&](std::size_t k) {
        OrbitPoint o;
        o.theta = angleOf(t, k);
        o.z = t.zOffset;
        o.sid = sid;
        o.sdd = sdd;
        return o;
    };
    switch (t.kind) {
    case TrajectoryKind::Circular:
    case TrajectoryKind::Tomosynthesis:
        for (std::size_t k = 0; k < t.views; ++k) {
            points.push_back(base(k));
        }
        break;
    case TrajectoryKind::Helical:
        if (!std::isfinite(t.pitchMm)) {
            throwInvalid("trajectory.pitch_mm", formatValue(t.pitchMm), "must be finite (mm)");
        }
        for (std::size_t k = 0; k < t.views; ++k) {
            OrbitPoint o = base(k);
            o.z += t.pitchMm * (o.theta - t.startAngle) / kTwoPi;
            points.push_back(o);
        }
        break;
    case TrajectoryKind::Sinusoidal:
    case TrajectoryKind::Saddle: {
        const bool saddle = t.kind == TrajectoryKind::Saddle;
        if (!std::isfinite(t.sidAmplitude) || !std::isfinite(t.zAmplitude) ||
            !std::isfinite(t.frequency)) {
            throwInvalid(saddle ? "trajectory.radial_amplitude_mm/z_amplitude_mm"
                                : "trajectory.sid_amplitude_mm/z_amplitude_mm/frequency",
                         "non-finite", "amplitudes and frequency must be finite");
        }
        for (std::size_t k = 0; k < t.views; ++k) {
            OrbitPoint o = base(k);
            const double phase = o.theta - t.startAngle;
            const double wave = saddle ? std::cos(2.0 * phase) : std::sin(t.frequency * phase);
            o.z += t.zAmplitude * wave;
            o.sid = sid + t.sidAmplitude * wave;
            o.sdd = o.sid + (sdd - sid); // the detector keeps its distance from the isocentre
            points.push_back(o);
        }
        break;
    }
    case TrajectoryKind::MultiCircle:
        if (t.zPlanes.empty()) {
            throwInvalid("trajectory.z_planes_mm", "[]",
                         "a multi-circle scan needs at least one "
                         "plane");
        }
        for (std::size_t plane = 0; plane < t.zPlanes.size(); ++plane) {
            if (!std::isfinite(t.zPlanes[plane])) {
                throwInvalid("trajectory.z_planes_mm[" + std::to_string(plane) + "]",
                             formatValue(t.zPlanes[plane]), "must be finite (mm)");
            }
            for (std::size_t k = 0; k < t.views; ++k) {
                OrbitPoint o = base(k);
                o.z = t.zOffset + t.zPlanes[plane];
                points.push_back(o);
            }
        }
        break;
    case TrajectoryKind::RandomCircular: {
        for (const auto& [name, sigma] :
             {std::pair{"sigma_source_mm", t.sigmaSourceMm},
              {"sigma_sid_mm", t.sigmaSidMm},
              {"sigma_detector_rotation_deg", t.sigmaDetectorRotation}}) {
            if (!std::isfinite(sigma) || sigma < 0.0) {
                throwInvalid(std::string("trajectory.") + name, formatValue(sigma),
                             "a standard deviation must be finite and >= 0");
            }
        }
        if (is2D(beam) && t.sigmaDetectorRotation != 0.0) {
            throwInvalid("trajectory.sigma_detector_rotation_deg",
                         formatValue(t.sigmaDetectorRotation * 180.0 / std::numbers::pi),
                         "a 2D detector cannot rotate out of the scan plane; use 0");
        }
        std::mt19937_64 rng(t.seed);
        for (std::size_t k = 0; k < t.views; ++k) {
            OrbitPoint o = base(k);
            // Draw every component for every view, in a fixed order, so changing one σ does
            // not reshuffle the others.
            const double gx = gaussian(rng);
            const double gy = gaussian(rng);
            const double gz = gaussian(rng);
            const double gSid = gaussian(rng);
            const double gRot = gaussian(rng);
            o.sourceShift = {t.sigmaSourceMm * gx, t.sigmaSourceMm * gy,
                             is2D(beam) ? 0.0 : t.sigmaSourceMm * gz};
            const double dSid = t.sigmaSidMm * gSid;
            o.sid = sid + dSid;
            o.sdd = sdd + dSid; // the source moves radially, the detector stays
            o.detectorRotation = t.sigmaDetectorRotation * gRot;
            points.push_back(o);
        }
        break;
    }
    case TrajectoryKind::Custom: {
        if (!std::isfinite(t.tStart) || !std::isfinite(t.tEnd) || t.tEnd == t.tStart) {
            throwInvalid("trajectory.t_start/t_end",
                         formatValue(t.tStart) + ", " + formatValue(t.tEnd),
                         "must be finite and different");
        }
        Formula angle(t.angleFormula, "trajectory.angle_formula");
        Formula z(t.zFormula, "trajectory.z_formula");
        Formula sidF(t.sidFormula, "trajectory.sid_formula");
        Formula sddF(t.sddFormula, "trajectory.sdd_formula");
        for (std::size_t k = 0; k < t.views; ++k) {
            const double tk = t.tStart + (t.tEnd - t.tStart) * static_cast<double>(k) /
                                             static_cast<double>(t.views);
            OrbitPoint o;
            o.theta = angle(tk, k);
            o.z = z(tk, k);
            o.sid = sidF(tk, k);
            o.sdd = sddF(tk, k);
            points.push_back(o);
        }
        break;
    }
    case TrajectoryKind::Explicit:
        break;
    }
    return points;
}
} // namespace

std::string_view toString(TrajectoryKind kind)
{
    switch (kind) {
    case TrajectoryKind::Circular:
        return "circular";
    case TrajectoryKind::Helical:
        return "helical";
    case TrajectoryKind::Sinusoidal:
        return "sinusoidal";
    case TrajectoryKind::Saddle:
        return "saddle";
    case TrajectoryKind::MultiCircle:
        return "multi-circle";
    case TrajectoryKind::RandomCircular:
        return "random-circular";
    case TrajectoryKind::Tomosynthesis:
        return "tomosynthesis";
    case TrajectoryKind::Custom:
        return "custom";
    case TrajectoryKind::Explicit:
        return "explicit";
    }
    return "unknown";
}

TrajectoryKind parseTrajectoryKind(std::string_view text, std::string_view field)
{
    for (TrajectoryKind k :
         {TrajectoryKind::Circular, TrajectoryKind::Helical, TrajectoryKind::Sinusoidal,
          TrajectoryKind::Saddle, TrajectoryKind::MultiCircle, TrajectoryKind::RandomCircular,
          TrajectoryKind::Tomosynthesis, TrajectoryKind::Custom, TrajectoryKind::Explicit}) {
        if (text == toString(k)) {
            return k;
        }
    }
    throwInvalid(std::string(field), "\"" + std::string(text) + "\"",
                 "accepted: circular, helical, sinusoidal, saddle, multi-circle, "
                 "random-circular, tomosynthesis, custom, explicit");
}

Geometry makeGeometry(BeamType beam, const Detector& detector, const TrajectorySpec& spec)
{
    if (spec.kind == TrajectoryKind::Explicit) {
        return Geometry::fromPoses(beam, detector, spec.poses);
    }
    detector.validate();
    checkCommon(beam, spec);
    const std::vector<OrbitPoint> points = orbit(beam, spec);
    std::vector<ViewPose> poses;
    poses.reserve(points.size());
    for (std::size_t k = 0; k < points.size(); ++k) {
        const OrbitPoint& o = points[k];
        checkDistances(beam, k, o.sid, o.sdd);
        if (is2D(beam) && o.z != 0.0) {
            throwInvalid(viewField(k, "z"), formatValue(o.z),
                         "a 2D beam stays in the z = 0 plane; use a 3D beam for " +
                             std::string(toString(spec.kind)) + " scans that leave it");
        }
        poses.push_back(poseAt(beam, o, spec.tilt));
    }
    if (spec.kind == TrajectoryKind::Tomosynthesis) {
        OrbitPoint centre;
        centre.theta = spec.startAngle + 0.5 * spec.angularRange;
        centre.z = spec.zOffset;
        centre.sid = spec.sourceIsocentre;
        centre.sdd = spec.sourceDetector;
        const ViewPose fixed = poseAt(beam, centre, spec.tilt);
        for (ViewPose& p : poses) {
            p.detector = fixed.detector;
            p.u = fixed.u;
            p.v = fixed.v;
        }
    }
    return Geometry::fromPoses(beam, detector, std::move(poses));
}

std::vector<ViewPose> readPoseCsv(const std::filesystem::path& path)
{
    std::ifstream in(path);
    if (!in) {
        throw IoError("cannot read pose CSV " + path.string() +
                      ": the file does not exist or is not readable");
    }
    std::vector<ViewPose> poses;
    std::string line;
    std::size_t lineNumber = 0;
    bool header = true;
    while (std::getline(in, line)) {
        ++lineNumber;
        const auto first = line.find_first_not_of(" \t\r");
        if (first == std::string::npos || line[first] == '#') {
            continue;
        }
        if (header) {
            header = false; // the column names
            continue;
        }
        std::vector<double> values;
        std::stringstream fields(line);
        std::string field;
        while (std::getline(fields, field, ',')) {
            const std::string where = path.string() + " line " + std::to_string(lineNumber) +
                                      " column " + std::to_string(values.size() + 1);
            std::size_t used = 0;
            double v = 0.0;
            try {
                v = std::stod(field, &used);
            } catch (const std::exception&) {
                throwInvalid(where, "\"" + field + "\"", "must be a number");
            }
            if (field.find_first_not_of(" \t\r", used) != std::string::npos || !std::isfinite(v)) {
                throwInvalid(where, "\"" + field + "\"", "must be a finite number");
            }
            values.push_back(v);
        }
        if (values.size() != 12) {
            throwInvalid(path.string() + " line " + std::to_string(lineNumber),
                         std::to_string(values.size()) + " values",
                         "each view has 12: sx,sy,sz,dx,dy,dz,ux,uy,uz,vx,vy,vz");
        }
        poses.push_back({{values[0], values[1], values[2]},
                         {values[3], values[4], values[5]},
                         {values[6], values[7], values[8]},
                         {values[9], values[10], values[11]}});
    }
    if (poses.empty()) {
        throwInvalid(path.string(), "no views",
                     "a pose CSV has a header line and one line per "
                     "view");
    }
    return poses;
}

void writePoseCsv(const std::vector<ViewPose>& poses, const std::filesystem::path& path)
{
    std::ostringstream out;
    out << std::setprecision(std::numeric_limits<double>::max_digits10);
    out << "sx,sy,sz,dx,dy,dz,ux,uy,uz,vx,vy,vz\n";
    for (const ViewPose& p : poses) {
        out << p.source.x << ',' << p.source.y << ',' << p.source.z << ',' << p.detector.x << ','
            << p.detector.y << ',' << p.detector.z << ',' << p.u.x << ',' << p.u.y << ',' << p.u.z
            << ',' << p.v.x << ',' << p.v.y << ',' << p.v.z << '\n';
    }
    const std::string text = out.str();
    detail::writeTextAtomically(path, text);
}
} // namespace tomo
