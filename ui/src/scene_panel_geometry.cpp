// The Trajectory and Detector pages of ScenePanel.

#include "scene_panel_widgets.h"
#include "tomo/ui/scene_document.h"

#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QRegularExpression>
#include <QSpinBox>
#include <QVBoxLayout>

#include <climits>
#include <exception>
#include <optional>

namespace tomo::ui::detail
{
namespace
{
constexpr double kPi = std::numbers::pi;

QString beamName(BeamType beam)
{
    switch (beam) {
    case BeamType::Parallel2D:
        return tr("2D parallel");
    case BeamType::Fan2D:
        return tr("2D fan");
    case BeamType::Parallel3D:
        return tr("3D parallel");
    case BeamType::Cone3D:
        return tr("Cone");
    }
    return {};
}

/// The angular range of a short scan with this scene's detector and distances: first and last
/// views π + fan angle apart (Parker's condition; the fan angle from the outer column edges),
/// so the range is (π + fan)·n/(n − 1) for n views spaced without the end point. Parallel beams:
/// exactly π. nullopt, with the reason in `why`, where the geometry cannot be built.
std::optional<double> shortScanRange(const Scene& s, QString& why)
{
    if (isParallel(s.beam)) {
        return kPi;
    }
    const std::size_t n = s.trajectory.views;
    if (n < 2) {
        why = tr("a short scan needs at least 2 views");
        return std::nullopt;
    }
    try {
        const Geometry g = Geometry::circular(
            s.beam, s.detector,
            {n, 0.0, 2.0 * kPi, s.trajectory.sourceIsocentre, s.trajectory.sourceDetector});
        const double fan = g.fanAngle(0);
        return (kPi + fan) * static_cast<double>(n) / static_cast<double>(n - 1);
    } catch (const std::exception& e) {
        why = QString::fromUtf8(e.what());
        return std::nullopt;
    }
}

QString formatPlanes(const std::vector<double>& planes)
{
    QStringList parts;
    for (double z : planes) {
        // The typographic minus, as the field's label shows it; parsePlanes takes both.
        parts << formatNumber(z).replace(u'-', QChar(0x2212));
    }
    return parts.join(QStringLiteral(", "));
}

QString parsePlanes(const QString& text, std::vector<double>& planes)
{
    QString normalised = text;
    normalised.replace(QChar(0x2212), u'-');
    const QStringList parts =
        normalised.split(QRegularExpression(QStringLiteral("[,;\\s]+")), Qt::SkipEmptyParts);
    std::vector<double> values;
    for (const QString& part : parts) {
        bool ok = false;
        const double z = part.toDouble(&ok);
        if (!ok || !std::isfinite(z)) {
            return tr("z planes: \"%1\" is not a number; give the planes' z in mm, separated "
                      "by commas (\"-20, 0, 20\")")
                .arg(part);
        }
        values.push_back(z);
    }
    if (values.empty()) {
        return tr("z planes: empty; a multi-circle scan needs at least one plane (z in mm, "
                  "separated by commas)");
    }
    planes = std::move(values);
    return {};
}

// A muparser formula of t for a custom trajectory; the scene's validation reports syntax errors.
QString setFormula(std::string& field, const QString& text, const char* what)
{
    if (text.trimmed().isEmpty()) {
        return tr("%1: empty; give a formula of t, such as \"2*_pi*t\"").arg(tr(what));
    }
    field = text.trimmed().toStdString();
    return {};
}
} // namespace

QWidget* makeTrajectoryPage(SceneBinder& binder)
{
    PageBuilder page("trajectoryPage");

    // Beam and orbit.
    QFormLayout* orbit = page.addGroup(tr("Scan"), "scanGroup");
    QComboBox* beam = makeCombo(
        "beamCombo",
        {{beamName(BeamType::Parallel2D), static_cast<int>(BeamType::Parallel2D)},
         {beamName(BeamType::Fan2D), static_cast<int>(BeamType::Fan2D)},
         {beamName(BeamType::Parallel3D), static_cast<int>(BeamType::Parallel3D)},
         {beamName(BeamType::Cone3D), static_cast<int>(BeamType::Cone3D)}},
        tr("How rays leave the source. A 2D beam has one detector row, a one-slice grid and no "
           "tilt or z offset, so choosing one sets them; choosing a 3D beam for a 2D scene "
           "gives it a cubic grid of at most %1 voxels a side over the same field, detector "
           "rows that cover it and the 3D version of a built-in phantom")
            .arg(kBeamSwitchGridSide));
    orbit->addRow(tr("Beam"), beam);
    binder.bindCombo(
        beam, tr("Beam"), [](const Scene& s) { return QVariant(static_cast<int>(s.beam)); },
        [](Scene& s, const QVariant& v) { s = withBeam(s, static_cast<BeamType>(v.toInt())); });

    std::vector<std::pair<QString, QVariant>> kinds;
    for (TrajectoryKind k :
         {TrajectoryKind::Circular, TrajectoryKind::Helical, TrajectoryKind::Sinusoidal,
          TrajectoryKind::Saddle, TrajectoryKind::MultiCircle, TrajectoryKind::RandomCircular,
          TrajectoryKind::Tomosynthesis, TrajectoryKind::Custom, TrajectoryKind::Explicit}) {
        kinds.emplace_back(QString::fromUtf8(toString(k).data(), toString(k).size()),
                           static_cast<int>(k));
    }
    QComboBox* kind =
        makeCombo("trajectoryKindCombo", kinds, tr("The scan path: its parameters appear below"));
    orbit->addRow(tr("Trajectory"), kind);
    binder.bindCombo(
        kind, tr("Trajectory"),
        [](const Scene& s) { return QVariant(static_cast<int>(s.trajectory.kind)); },
        [](Scene& s, const QVariant& v) {
            s.trajectory.kind = static_cast<TrajectoryKind>(v.toInt());
        });

    QSpinBox* views = makeIntSpin("viewsSpin", 1, 1'000'000,
                                  tr("Number of projections, spaced evenly over the range "
                                     "without the end point"));
    orbit->addRow(tr("Views"), views);
    binder.bindInt(
        views, tr("Views"), [](const Scene& s) { return static_cast<double>(s.trajectory.views); },
        [](Scene& s, int v) { s.trajectory.views = static_cast<std::size_t>(v); });

    QDoubleSpinBox* start = makeDoubleSpin({"startAngleSpin", -3600.0, 3600.0, 2, 1.0, " °",
                                            tr("Angle θ₀ of the first view, counter-clockwise "
                                               "about +z")});
    orbit->addRow(tr("Start angle"), start);
    binder.bindDouble(
        start, tr("Start angle"), [](const Scene& s) { return toDegrees(s.trajectory.startAngle); },
        [](Scene& s, double v) { s.trajectory.startAngle = toRadians(v); });

    QDoubleSpinBox* range = makeDoubleSpin({"angularRangeSpin", 0.01, 36000.0, 2, 1.0, " °",
                                            tr("Angle swept by the views, [θ₀, θ₀ + range); "
                                               "above 360° for several turns")});
    orbit->addRow(tr("Angular range"), range);
    binder.bindDouble(
        range, tr("Angular range"),
        [](const Scene& s) { return toDegrees(s.trajectory.angularRange); },
        [](Scene& s, double v) { s.trajectory.angularRange = toRadians(v); });

    auto* shortScan = new QPushButton(tr("Short scan (180° + fan)"));
    shortScan->setObjectName(QStringLiteral("shortScanButton"));
    orbit->addRow(QString(), shortScan);
    QObject::connect(shortScan, &QPushButton::clicked, shortScan, [&binder] {
        QString why;
        const std::optional<double> r = shortScanRange(binder.scene(), why);
        if (!r) {
            return;
        }
        binder.apply(tr("Short scan: %1°").arg(formatNumber(toDegrees(*r))), [r](Scene& s) {
            s.trajectory.kind = TrajectoryKind::Circular;
            s.trajectory.angularRange = *r;
        });
    });

    QDoubleSpinBox* sid =
        makeDoubleSpin({"sidSpin", 0.1, 100000.0, 2, 10.0, " mm", tr("Source–isocentre distance")});
    orbit->addRow(tr("SID"), sid);
    binder.bindDouble(
        sid, tr("SID"), [](const Scene& s) { return s.trajectory.sourceIsocentre; },
        [](Scene& s, double v) { s.trajectory.sourceIsocentre = v; });

    QDoubleSpinBox* sdd = makeDoubleSpin(
        {"sddSpin", 0.1, 200000.0, 2, 10.0, " mm", tr("Source–detector distance; more than SID")});
    orbit->addRow(tr("SDD"), sdd);
    binder.bindDouble(
        sdd, tr("SDD"), [](const Scene& s) { return s.trajectory.sourceDetector; },
        [](Scene& s, double v) { s.trajectory.sourceDetector = v; });

    QDoubleSpinBox* zOffset =
        makeDoubleSpin({"zOffsetSpin", -10000.0, 10000.0, 2, 1.0, " mm",
                        tr("Height z of the (first) orbit plane; 3D beams only")});
    orbit->addRow(tr("z offset"), zOffset);
    binder.bindDouble(
        zOffset, tr("z offset"), [](const Scene& s) { return s.trajectory.zOffset; },
        [](Scene& s, double v) { s.trajectory.zOffset = v; });

    // Detector tilt (3D beams).
    QGroupBox* tiltGroup = nullptr;
    QFormLayout* tilt = page.addGroup(tr("Detector tilt"), "tiltGroup", &tiltGroup);
    const auto tiltSpin = [&](const char* name, const QString& label, const QString& tip,
                              double DetectorTilt::*field) {
        QDoubleSpinBox* spin = makeDoubleSpin({name, -90.0, 90.0, 2, 0.5, " °", tip});
        tilt->addRow(label, spin);
        binder.bindDouble(
            spin, tr("Tilt %1").arg(label.toLower()),
            [field](const Scene& s) { return toDegrees(s.trajectory.tilt.*field); },
            [field](Scene& s, double v) { s.trajectory.tilt.*field = toRadians(v); });
    };
    tiltSpin("tiltInPlaneSpin", tr("In plane"),
             tr("Rotation about the detector normal, turning û towards v̂"), &DetectorTilt::inPlane);
    tiltSpin("tiltAboutUSpin", tr("About u"),
             tr("Out-of-plane rotation about û (turns v̂ towards the source)"),
             &DetectorTilt::aboutU);
    tiltSpin("tiltAboutVSpin", tr("About v"),
             tr("Out-of-plane rotation about v̂ (slant: turns û towards the source)"),
             &DetectorTilt::aboutV);

    // Helical.
    QGroupBox* helicalGroup = nullptr;
    QFormLayout* helical = page.addGroup(tr("Helix"), "helicalGroup", &helicalGroup);
    QDoubleSpinBox* pitch =
        makeDoubleSpin({"pitchSpin", -10000.0, 10000.0, 2, 1.0, " mm",
                        tr("z advance per full turn; negative moves downwards")});
    helical->addRow(tr("Pitch"), pitch);
    binder.bindDouble(
        pitch, tr("Pitch"), [](const Scene& s) { return s.trajectory.pitchMm; },
        [](Scene& s, double v) { s.trajectory.pitchMm = v; });

    // Sinusoidal and saddle.
    QGroupBox* waveGroup = nullptr;
    QFormLayout* wave = page.addGroup(tr("Oscillation"), "oscillationGroup", &waveGroup);
    QDoubleSpinBox* sidAmplitude =
        makeDoubleSpin({"sidAmplitudeSpin", -10000.0, 10000.0, 2, 1.0, " mm",
                        tr("Amplitude of the SID oscillation (the detector keeps its distance "
                           "from the isocentre)")});
    wave->addRow(tr("SID amplitude"), sidAmplitude);
    binder.bindDouble(
        sidAmplitude, tr("SID amplitude"), [](const Scene& s) { return s.trajectory.sidAmplitude; },
        [](Scene& s, double v) { s.trajectory.sidAmplitude = v; });
    QDoubleSpinBox* zAmplitude = makeDoubleSpin(
        {"zAmplitudeSpin", -10000.0, 10000.0, 2, 1.0, " mm", tr("Amplitude of the z oscillation")});
    wave->addRow(tr("z amplitude"), zAmplitude);
    binder.bindDouble(
        zAmplitude, tr("z amplitude"), [](const Scene& s) { return s.trajectory.zAmplitude; },
        [](Scene& s, double v) { s.trajectory.zAmplitude = v; });
    QDoubleSpinBox* frequency = makeDoubleSpin(
        {"frequencySpin", 0.0, 1000.0, 2, 1.0, "", tr("Oscillations per full turn")});
    wave->addRow(tr("Frequency"), frequency);
    binder.bindDouble(
        frequency, tr("Frequency"), [](const Scene& s) { return s.trajectory.frequency; },
        [](Scene& s, double v) { s.trajectory.frequency = v; });

    // Multi-circle.
    QGroupBox* planesGroup = nullptr;
    QFormLayout* planesForm = page.addGroup(tr("Circles"), "multiCircleGroup", &planesGroup);
    auto* planes = new QLineEdit;
    planes->setObjectName(QStringLiteral("zPlanesEdit"));
    planes->setToolTip(tr("z of each circle's plane in mm, separated by commas; applied when you "
                          "press Enter or leave the field"));
    planesForm->addRow(tr("z planes (mm)"), planes);
    QLabel* planesError = makeErrorLabel("zPlanesError");
    planesForm->addRow(planesError);
    binder.bindText(
        planes, planesError, tr("z planes"),
        [](const Scene& s) { return formatPlanes(s.trajectory.zPlanes); },
        [](Scene& s, const QString& text) { return parsePlanes(text, s.trajectory.zPlanes); });

    // Random-perturbed circular.
    QGroupBox* randomGroup = nullptr;
    QFormLayout* randomForm = page.addGroup(tr("Perturbations"), "randomGroup", &randomGroup);
    QSpinBox* seed = makeIntSpin("trajectorySeedSpin", 0, INT_MAX,
                                 tr("Seed of the random perturbations: a seed gives the same "
                                    "scan on every platform"));
    randomForm->addRow(tr("Seed"), seed);
    binder.bindInt(
        seed, tr("Trajectory seed"),
        [](const Scene& s) { return static_cast<double>(s.trajectory.seed); },
        [](Scene& s, int v) { s.trajectory.seed = static_cast<std::uint64_t>(v); });
    const auto sigmaSpin = [&](const char* name, const QString& label, const QString& tip,
                               double TrajectorySpec::*field) {
        QDoubleSpinBox* spin = makeDoubleSpin({name, 0.0, 1000.0, 3, 0.1, " mm", tip});
        randomForm->addRow(label, spin);
        binder.bindDouble(
            spin, label, [field](const Scene& s) { return s.trajectory.*field; },
            [field](Scene& s, double v) { s.trajectory.*field = v; });
    };
    sigmaSpin("sigmaSourceSpin", tr("σ source"),
              tr("Standard deviation of an isotropic shift of the source"),
              &TrajectorySpec::sigmaSourceMm);
    sigmaSpin("sigmaSidSpin", tr("σ SID"),
              tr("Standard deviation of SID (the source moves radially)"),
              &TrajectorySpec::sigmaSidMm);
    QDoubleSpinBox* sigmaRotation =
        makeDoubleSpin({"sigmaDetectorRotationSpin", 0.0, 90.0, 3, 0.1, " °",
                        tr("Standard deviation of an in-plane detector rotation; 3D beams only")});
    randomForm->addRow(tr("σ rotation"), sigmaRotation);
    binder.bindDouble(
        sigmaRotation, tr("σ detector rotation"),
        [](const Scene& s) { return toDegrees(s.trajectory.sigmaDetectorRotation); },
        [](Scene& s, double v) { s.trajectory.sigmaDetectorRotation = toRadians(v); });

    // Custom formulas.
    QGroupBox* customGroup = nullptr;
    QFormLayout* custom = page.addGroup(tr("Formulas of t"), "customGroup", &customGroup);
    const auto tSpin = [&](const char* name, const QString& label, const QString& tip,
                           double TrajectorySpec::*field) {
        QDoubleSpinBox* spin = makeDoubleSpin({name, -1e6, 1e6, 4, 0.1, "", tip});
        custom->addRow(label, spin);
        binder.bindDouble(
            spin, label, [field](const Scene& s) { return s.trajectory.*field; },
            [field](Scene& s, double v) { s.trajectory.*field = v; });
    };
    tSpin("tStartSpin", tr("t start"), tr("t of the first view"), &TrajectorySpec::tStart);
    tSpin("tEndSpin", tr("t end"), tr("t after the last view (views are spaced without it)"),
          &TrajectorySpec::tEnd);
    QLabel* formulaError = makeErrorLabel("formulaError");
    const auto formula = [&](const char* name, const QString& label, const char* what,
                             const QString& tip, std::string TrajectorySpec::*field) {
        auto* edit = new QLineEdit;
        edit->setObjectName(QString::fromUtf8(name));
        edit->setToolTip(tip);
        custom->addRow(label, edit);
        binder.bindText(
            edit, formulaError, label,
            [field](const Scene& s) { return QString::fromStdString(s.trajectory.*field); },
            [field, what](Scene& s, const QString& text) {
                return setFormula(s.trajectory.*field, text, what);
            });
    };
    formula("angleFormulaEdit", tr("Angle (rad)"), "angle formula",
            tr("Source angle in radians as a muparser formula of t (constants _pi, _e)"),
            &TrajectorySpec::angleFormula);
    formula("zFormulaEdit", tr("z (mm)"), "z formula", tr("Source and detector height in mm"),
            &TrajectorySpec::zFormula);
    formula("sidFormulaEdit", tr("SID (mm)"), "SID formula", tr("Source–isocentre distance in mm"),
            &TrajectorySpec::sidFormula);
    formula("sddFormulaEdit", tr("SDD (mm)"), "SDD formula", tr("Source–detector distance in mm"),
            &TrajectorySpec::sddFormula);
    custom->addRow(formulaError);

    // Explicit poses.
    QGroupBox* explicitGroup = nullptr;
    QFormLayout* poses = page.addGroup(tr("Poses"), "explicitGroup", &explicitGroup);
    auto* importButton = new QPushButton(tr("Import poses…"));
    importButton->setObjectName(QStringLiteral("importPosesButton"));
    importButton->setToolTip(tr("Read one pose per view from a CSV file: a header line, then "
                                "sx,sy,sz,dx,dy,dz,ux,uy,uz,vx,vy,vz per line (mm)"));
    QLabel* poseCount = makeInfoLabel("poseCountLabel");
    poses->addRow(importButton);
    poses->addRow(poseCount);
    QObject::connect(importButton, &QPushButton::clicked, importButton, [&binder, importButton] {
        const QString path =
            QFileDialog::getOpenFileName(importButton, tr("Import poses"), QString(),
                                         tr("Pose CSV files (*.csv);;All files (*)"));
        if (path.isEmpty()) {
            return;
        }
        std::vector<ViewPose> read;
        try {
            read = readPoseCsv(path.toStdString());
        } catch (const std::exception& e) {
            QMessageBox::warning(
                importButton, tr("Import poses"),
                tr("Cannot import poses from %1:\n%2")
                    .arg(QDir::toNativeSeparators(path), QString::fromUtf8(e.what())));
            return;
        }
        binder.apply(
            tr("Import poses: %1 (%2 views)").arg(QFileInfo(path).fileName()).arg(read.size()),
            [&read](Scene& s) {
                s.trajectory.kind = TrajectoryKind::Explicit;
                s.trajectory.poses = read;
            });
    });

    binder.onRefresh([=](const Scene& s) {
        const TrajectoryKind k = s.trajectory.kind;
        const bool generated = k != TrajectoryKind::Explicit;
        const bool formulas = k == TrajectoryKind::Custom;
        const bool threeD = !is2D(s.beam);
        setRowVisible(orbit, views, generated);
        for (QWidget* field : {static_cast<QWidget*>(start), static_cast<QWidget*>(range),
                               static_cast<QWidget*>(sid), static_cast<QWidget*>(sdd)}) {
            setRowVisible(orbit, field, generated && !formulas);
        }
        setRowVisible(orbit, zOffset, generated && !formulas && threeD);
        setRowVisible(orbit, shortScan, k == TrajectoryKind::Circular);
        setRowLabel(orbit, views,
                    k == TrajectoryKind::MultiCircle ? tr("Views per circle") : tr("Views"));
        QString why;
        const std::optional<double> r = shortScanRange(s, why);
        shortScan->setEnabled(r.has_value());
        shortScan->setToolTip(
            r ? tr("Sets the range to %1°: first and last views 180° plus the fan angle apart, "
                   "the least a circular scan needs; keeps the start angle")
                    .arg(formatNumber(toDegrees(*r)))
              : tr("No short scan for this geometry: %1").arg(why));
        tiltGroup->setVisible(generated && threeD);
        helicalGroup->setVisible(k == TrajectoryKind::Helical);
        const bool saddle = k == TrajectoryKind::Saddle;
        waveGroup->setVisible(k == TrajectoryKind::Sinusoidal || saddle);
        setRowVisible(wave, frequency, !saddle);
        setRowLabel(wave, sidAmplitude, saddle ? tr("Radial amplitude") : tr("SID amplitude"));
        planesGroup->setVisible(k == TrajectoryKind::MultiCircle);
        randomGroup->setVisible(k == TrajectoryKind::RandomCircular);
        setRowVisible(randomForm, sigmaRotation, threeD);
        customGroup->setVisible(formulas);
        explicitGroup->setVisible(!generated);
        poseCount->setText(s.trajectory.poses.empty()
                               ? tr("No poses: import a CSV file of one pose per view.")
                               : tr("%1 poses.").arg(s.trajectory.poses.size()));
    });
    return page.finish();
}

QWidget* makeDetectorPage(SceneBinder& binder)
{
    PageBuilder page("detectorPage");
    QFormLayout* form = page.addGroup(tr("Detector"), "detectorGroup");

    QSpinBox* columns = makeIntSpin("columnsSpin", 1, 65536, tr("Pixels along û (a detector row)"));
    form->addRow(tr("Columns"), columns);
    binder.bindInt(
        columns, tr("Columns"),
        [](const Scene& s) { return static_cast<double>(s.detector.columns); },
        [](Scene& s, int v) { s.detector.columns = static_cast<std::size_t>(v); });
    QSpinBox* rows = makeIntSpin("rowsSpin", 1, 65536, QString());
    form->addRow(tr("Rows"), rows);
    binder.bindInt(
        rows, tr("Rows"), [](const Scene& s) { return static_cast<double>(s.detector.rows); },
        [](Scene& s, int v) { s.detector.rows = static_cast<std::size_t>(v); });

    QDoubleSpinBox* pixelU =
        makeDoubleSpin({"pixelUSpin", 0.0001, 100.0, 4, 0.1, " mm",
                        tr("Pixel width du (an arc length on a cylindrical detector)")});
    form->addRow(tr("Pixel u"), pixelU);
    binder.bindDouble(
        pixelU, tr("Pixel u"), [](const Scene& s) { return s.detector.pixelU; },
        [](Scene& s, double v) { s.detector.pixelU = v; });
    QDoubleSpinBox* pixelV = makeDoubleSpin(
        {"pixelVSpin", 0.0001, 100.0, 4, 0.1, " mm", tr("Pixel height dv (row pitch)")});
    form->addRow(tr("Pixel v"), pixelV);
    binder.bindDouble(
        pixelV, tr("Pixel v"), [](const Scene& s) { return s.detector.pixelV; },
        [](Scene& s, double v) { s.detector.pixelV = v; });

    QDoubleSpinBox* offsetU =
        makeDoubleSpin({"offsetUSpin", -100000.0, 100000.0, 2, 1.0, " px",
                        tr("Sideways shift of the detector along û in pixels (half-fan scans)")});
    form->addRow(tr("Offset u"), offsetU);
    binder.bindDouble(
        offsetU, tr("Offset u"), [](const Scene& s) { return s.detector.offsetU; },
        [](Scene& s, double v) { s.detector.offsetU = v; });
    QDoubleSpinBox* offsetV = makeDoubleSpin({"offsetVSpin", -100000.0, 100000.0, 2, 1.0, " px",
                                              tr("Shift of the detector along v̂ in pixels")});
    form->addRow(tr("Offset v"), offsetV);
    binder.bindDouble(
        offsetV, tr("Offset v"), [](const Scene& s) { return s.detector.offsetV; },
        [](Scene& s, double v) { s.detector.offsetV = v; });

    QComboBox* shape =
        makeCombo("detectorShapeCombo",
                  {{tr("flat"), static_cast<int>(DetectorShape::Flat)},
                   {tr("cylindrical"), static_cast<int>(DetectorShape::Cylindrical)}},
                  tr("Flat panel, or a cylinder about v̂ with equal-arc columns (fan and cone "
                     "beams); choosing cylindrical sets the radius to SDD if it has none"));
    form->addRow(tr("Shape"), shape);
    binder.bindCombo(
        shape, tr("Detector shape"),
        [](const Scene& s) { return QVariant(static_cast<int>(s.detector.shape)); },
        [](Scene& s, const QVariant& v) {
            s.detector.shape = static_cast<DetectorShape>(v.toInt());
            if (s.detector.shape == DetectorShape::Cylindrical && !(s.detector.radius > 0.0)) {
                s.detector.radius = s.trajectory.sourceDetector;
            }
        });
    QDoubleSpinBox* radius = makeDoubleSpin(
        {"detectorRadiusSpin", 0.1, 200000.0, 2, 10.0, " mm",
         tr("Cylinder radius; equal to SDD for equiangular columns (what FBP and FDK need)")});
    form->addRow(tr("Radius"), radius);
    binder.bindDouble(
        radius, tr("Detector radius"), [](const Scene& s) { return s.detector.radius; },
        [](Scene& s, double v) { s.detector.radius = v; });

    QLabel* size = makeInfoLabel("detectorSizeLabel");
    size->setToolTip(tr("Columns × pixel u by rows × pixel v"));
    form->addRow(tr("Size"), size);

    binder.onRefresh([=](const Scene& s) {
        const Detector& d = s.detector;
        const bool twoD = is2D(s.beam);
        rows->setEnabled(!twoD);
        rows->setToolTip(twoD ? tr("A 2D beam has one detector row; choose a 3D beam for more")
                              : tr("Pixels along v̂ (rows)"));
        setRowVisible(form, radius, d.shape == DetectorShape::Cylindrical);
        const double width = static_cast<double>(d.columns) * d.pixelU;
        const double height = static_cast<double>(d.rows) * d.pixelV;
        size->setText(
            tr("%1 × %2 mm%3")
                .arg(formatNumber(width), formatNumber(height),
                     d.shape == DetectorShape::Cylindrical ? tr(" (arc × height)") : QString()));
    });
    return page.finish();
}
} // namespace tomo::ui::detail
