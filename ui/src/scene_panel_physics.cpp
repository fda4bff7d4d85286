// The Object and Physics pages of ScenePanel.

#include "scene_panel_widgets.h"
#include "tomo/error.h"
#include "tomo/materials.h"
#include "tomo/ui/scene_document.h"
#include "volume_files.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QSpinBox>

#include <climits>
#include <map>
#include <memory>

namespace tomo::ui::detail
{
namespace
{
// What switching an effect on starts from (each a moderate, visible amount; the spin boxes
// then set it). Their "off" values are the PhysicsSpec defaults, 0.
constexpr double kPhotonsWhenOn = 1.0e5;   // a low-dose CT count per pixel and view
constexpr double kScatterWhenOn = 0.1;     // SPR of a head-sized object
constexpr double kGainSigmaWhenOn = 0.005; // "0.005 gives faint rings" (RingSpec)
constexpr double kMotionWhenOnMm = 1.0;    // a 1 mm sideways sway
constexpr double kKvpWhenOn = 120.0;       // the usual CT tube voltage

/// Which optional keys the scene file writes for a phantom (so the panel shows the same fields
/// that the file holds, from core's own table).
struct PhantomFields
{
    bool variant = false;
    bool height = false;
    bool size = false; // radius_mm and mu_per_unit
};

PhantomFields fieldsOf(const std::string& phantom)
{
    Scene s;
    s.object.phantom = phantom;
    const QJsonObject object = QJsonDocument::fromJson(QByteArray::fromStdString(toJson(s)))
                                   .object()[u"object"]
                                   .toObject();
    return {object.contains(u"variant"), object.contains(u"height_mm"),
            object.contains(u"radius_mm")};
}

QString radiusLabel(const std::string& phantom)
{
    if (phantom.starts_with("shepp-logan")) {
        return tr("Scale");
    }
    if (phantom.starts_with("forbild")) {
        return tr("Skull semi-axis");
    }
    return tr("Radius");
}

QString muLabel(const std::string& phantom)
{
    if (phantom.starts_with("shepp-logan")) {
        return tr("μ per unit");
    }
    if (phantom.starts_with("forbild")) {
        return tr("μ per density");
    }
    return tr("μ of water");
}

QString formatFiltration(const std::vector<Filter>& filters)
{
    QStringList parts;
    for (const Filter& f : filters) {
        parts << QStringLiteral("%1 %2 mm")
                     .arg(QString::fromStdString(f.material.name), formatNumber(f.thicknessMm));
    }
    return parts.join(QStringLiteral(", "));
}

QString parseFiltration(const QString& text, std::vector<Filter>& filters)
{
    std::vector<Filter> parsed;
    const QString trimmed = text.trimmed();
    if (!trimmed.isEmpty() && trimmed != QStringLiteral("none")) {
        static const QRegularExpression slab(
            QStringLiteral("^\\s*(\\S+)\\s+([-+0-9.eE]+)\\s*(mm)?\\s*$"));
        const QStringList parts = trimmed.split(u',', Qt::SkipEmptyParts);
        for (qsizetype i = 0; i < parts.size(); ++i) {
            const QRegularExpressionMatch m = slab.match(parts[i]);
            bool ok = false;
            const double mm = m.hasMatch() ? m.captured(2).toDouble(&ok) : 0.0;
            if (!ok || !(mm >= 0.0)) {
                return tr("filtration: \"%1\" is not \"material thickness mm\"; give slabs such "
                          "as \"aluminium 2.5 mm, copper 0.1 mm\", or none")
                    .arg(parts[i].trimmed());
            }
            try {
                const std::string field = "spectrum.filtration[" + std::to_string(i) + "].material";
                parsed.push_back({findMaterial(m.captured(1).toStdString(), field), mm});
            } catch (const InvalidArgument& e) {
                return QString::fromUtf8(e.what());
            }
        }
    }
    filters = std::move(parsed);
    return {};
}

QString libraryNames()
{
    QStringList names;
    for (const Material& m : materialLibrary()) {
        names << QString::fromStdString(m.name);
    }
    return names.join(QStringLiteral(", "));
}
} // namespace

QWidget* makeObjectPage(SceneBinder& binder)
{
    PageBuilder page("objectPage");
    QFormLayout* form = page.addGroup(tr("Phantom"), "phantomGroup");

    std::vector<std::pair<QString, QVariant>> names;
    auto fields = std::make_shared<std::map<std::string, PhantomFields>>();
    for (const std::string& name : builtInPhantomNames()) {
        names.emplace_back(QString::fromStdString(name), QString::fromStdString(name));
        (*fields)[name] = fieldsOf(name);
    }
    names.emplace_back(tr("file"), QStringLiteral("file"));
    (*fields)["file"] = fieldsOf("file");
    names.emplace_back(tr("objects in the scene"), QStringLiteral("inline"));
    (*fields)["inline"] = fieldsOf("inline");
    names.emplace_back(tr("CT volume"), QStringLiteral("volume"));
    (*fields)["volume"] = fieldsOf("volume");
    QComboBox* phantom = makeCombo(
        "phantomCombo", names,
        tr("A built-in analytic phantom (docs/phantoms.md), a phantom "
           "file, objects listed in the scene, or a CT volume (NIfTI, MHA, NRRD, DICOM folder)"));
    form->addRow(tr("Phantom"), phantom);
    binder.bindCombo(
        phantom, tr("Phantom"),
        [](const Scene& s) { return QVariant(QString::fromStdString(s.object.phantom)); },
        [](Scene& s, const QVariant& v) {
            const std::string chosen = v.toString().toStdString();
            if (chosen == "inline" && s.object.objects.empty() && !s.object.isVolume()) {
                // Start from the objects of the phantom chosen so far, for the table to edit.
                try {
                    s.object.objects = makePhantom(s.object).objects;
                } catch (const Error&) {
                    // An unreadable phantom file: start from an empty list.
                }
            }
            s.object.phantom = chosen;
        });

    QComboBox* variant =
        makeCombo("variantCombo",
                  {{tr("modified"), static_cast<int>(SheppLoganVariant::Modified)},
                   {tr("original"), static_cast<int>(SheppLoganVariant::Original)}},
                  tr("Shepp & Logan's 1974 intensities, or Toft's higher-contrast modified ones"));
    form->addRow(tr("Variant"), variant);
    binder.bindCombo(
        variant, tr("Shepp–Logan variant"),
        [](const Scene& s) { return QVariant(static_cast<int>(s.object.variant)); },
        [](Scene& s, const QVariant& v) {
            s.object.variant = static_cast<SheppLoganVariant>(v.toInt());
        });

    QDoubleSpinBox* radius = makeDoubleSpin(
        {"phantomRadiusSpin", 0.01, 10000.0, 2, 5.0, " mm",
         tr("Shepp–Logan: scale of the unit definition; FORBILD: skull semi-axis along y "
            "(120 mm published); others: radius of the water disc or cylinder")});
    form->addRow(tr("Radius"), radius);
    binder.bindDouble(
        radius, tr("Phantom radius"), [](const Scene& s) { return s.object.radiusMm; },
        [](Scene& s, double v) { s.object.radiusMm = v; });

    QDoubleSpinBox* mu = makeDoubleSpin(
        {"muPerUnitSpin", 0.0, 10.0, 6, 0.001, " /mm",
         tr("Shepp–Logan: μ per table unit; FORBILD: μ per density unit; others: μ of their "
            "water (about 0.019 /mm at 70 keV)")});
    form->addRow(tr("μ per unit"), mu);
    binder.bindDouble(
        mu, tr("μ per unit"), [](const Scene& s) { return s.object.muPerUnit; },
        [](Scene& s, double v) { s.object.muPerUnit = v; });

    QDoubleSpinBox* height = makeDoubleSpin(
        {"phantomHeightSpin", 0.01, 10000.0, 2, 5.0, " mm", tr("Length along z of the cylinder")});
    form->addRow(tr("Height"), height);
    binder.bindDouble(
        height, tr("Phantom height"), [](const Scene& s) { return s.object.heightMm; },
        [](Scene& s, double v) { s.object.heightMm = v; });

    auto* fileRow = new QWidget;
    auto* fileLayout = new QHBoxLayout(fileRow);
    fileLayout->setContentsMargins(0, 0, 0, 0);
    auto* path = new QLineEdit;
    path->setObjectName(QStringLiteral("phantomPathEdit"));
    auto* browse = new QPushButton(tr("Browse…"));
    browse->setObjectName(QStringLiteral("phantomBrowseButton"));
    auto* dicom = new QPushButton(tr("DICOM…"));
    dicom->setObjectName(QStringLiteral("volumeDicomButton"));
    dicom->setToolTip(tr("Choose a folder holding one DICOM CT series"));
    fileLayout->addWidget(path, 1);
    fileLayout->addWidget(browse);
    fileLayout->addWidget(dicom);
    form->addRow(tr("File"), fileRow);
    QLabel* pathError = makeErrorLabel("phantomPathError");
    form->addRow(pathError);
    binder.bindText(
        path, pathError, tr("Phantom file"),
        [](const Scene& s) { return QString::fromStdString(s.object.path.string()); },
        [](Scene& s, const QString& text) {
            s.object.path = text.trimmed().toStdString();
            return QString();
        });
    QObject::connect(browse, &QPushButton::clicked, browse, [&binder, browse] {
        const bool volume = binder.scene().object.isVolume();
        const QString file =
            volume ? QFileDialog::getOpenFileName(browse, tr("CT volume"), QString(),
                                                  volumeFileFilter())
                   : QFileDialog::getOpenFileName(browse, tr("Phantom file"), QString(),
                                                  tr("Phantoms (*.json *.phm);;All files (*)"));
        if (file.isEmpty()) {
            return;
        }
        binder.apply((volume ? tr("CT volume: %1") : tr("Phantom file: %1"))
                         .arg(QDir::toNativeSeparators(file)),
                     [&file, volume](Scene& s) {
                         s.object.phantom = volume ? "volume" : "file";
                         s.object.path = file.toStdString();
                     });
    });
    QObject::connect(dicom, &QPushButton::clicked, dicom, [&binder, dicom] {
        const QString folder = QFileDialog::getExistingDirectory(dicom, tr("DICOM series folder"));
        if (folder.isEmpty()) {
            return;
        }
        binder.apply(tr("CT volume: %1").arg(QDir::toNativeSeparators(folder)),
                     [&folder](Scene& s) {
                         s.object.phantom = "volume";
                         s.object.path = folder.toStdString();
                     });
    });

    QComboBox* unit = makeCombo(
        "volumeUnitCombo",
        {{tr("as the file says"), QString()},
         {tr("HU"), QStringLiteral("HU")},
         {tr("μ (mm⁻¹)"), QStringLiteral("mu_per_mm")}},
        tr("What the volume's values are. DICOM CT and Tomoscope's own files say; for other "
           "files choose HU or μ. HU become μ with water's μ at the materials' reference energy"));
    form->addRow(tr("Values"), unit);
    binder.bindCombo(
        unit, tr("Volume values"),
        [](const Scene& s) {
            if (!s.object.unit) {
                return QVariant(QString());
            }
            const std::string_view name = toString(*s.object.unit);
            return QVariant(QString::fromUtf8(name.data(), static_cast<qsizetype>(name.size())));
        },
        [](Scene& s, const QVariant& v) {
            const std::string text = v.toString().toStdString();
            s.object.unit =
                text.empty() ? std::nullopt : std::optional(parseObjectUnit(text, "object.unit"));
        });

    QComboBox* placement = makeCombo(
        "volumePlacementCombo", {{tr("as in the file"), false}, {tr("centred"), true}},
        tr("as in the file: where its origin and direction put it (its patient frame is the "
           "scanner's, (0, 0, 0) at the isocentre); centred: its middle at the isocentre. A 2D "
           "scan sees the plane z = 0"));
    form->addRow(tr("Placement"), placement);
    binder.bindCombo(
        placement, tr("Volume placement"),
        [](const Scene& s) { return QVariant(s.object.centred); },
        [](Scene& s, const QVariant& v) { s.object.centred = v.toBool(); });

    binder.onRefresh([=](const Scene& s) {
        const std::string& name = s.object.phantom;
        const auto known = fields->find(name);
        const PhantomFields f = known != fields->end() ? known->second : PhantomFields{};
        setRowVisible(form, variant, f.variant);
        setRowVisible(form, radius, f.size);
        setRowVisible(form, mu, f.size);
        setRowVisible(form, height, f.height);
        const bool volume = name == "volume";
        setRowVisible(form, fileRow, name == "file" || volume);
        setRowLabel(form, fileRow, volume ? tr("Volume") : tr("File"));
        dicom->setVisible(volume);
        path->setToolTip(volume ? tr("CT volume: a NIfTI, MHA, MHD, NRRD or HDF5 file or a DICOM "
                                     "folder; applied when you press Enter or leave the field")
                                : tr("Phantom file (.json or CTSim .phm); applied when you press "
                                     "Enter or leave the field"));
        path->setPlaceholderText(volume ? tr("volume file or DICOM folder") : tr("phantom file"));
        browse->setToolTip(volume ? tr("Choose a volume file") : tr("Choose a phantom file"));
        setRowVisible(form, unit, volume);
        setRowVisible(form, placement, volume);
        setRowLabel(form, radius, radiusLabel(name));
        setRowLabel(form, mu, muLabel(name));
    });
    addPhantomObjectsTable(page, binder);
    return page.finish();
}

QWidget* makePhysicsPage(SceneBinder& binder)
{
    PageBuilder page("physicsPage");

    QFormLayout* model = page.addGroup(tr("Simulation"), "simulationGroup");
    QComboBox* simulation = makeCombo(
        "simulationCombo",
        {{QStringLiteral("joseph"), QStringLiteral("joseph")},
         {QStringLiteral("analytic"), QStringLiteral("analytic")}},
        tr("joseph: ray-driven projector on a 2× finer grid (any spectrum); analytic: exact "
           "line integrals (monochromatic at the reference energy only)"));
    model->addRow(tr("Model"), simulation);
    binder.bindCombo(
        simulation, tr("Simulation"),
        [](const Scene& s) { return QVariant(QString::fromStdString(s.simulation)); },
        [](Scene& s, const QVariant& v) { s.simulation = v.toString().toStdString(); });
    QSpinBox* seed =
        makeIntSpin("physicsSeedSpin", 0, INT_MAX, tr("Seed of every random draw (noise, gains)"));
    model->addRow(tr("Seed"), seed);
    binder.bindInt(
        seed, tr("Simulation seed"),
        [](const Scene& s) { return static_cast<double>(s.physics.seed); },
        [](Scene& s, int v) { s.physics.seed = static_cast<std::uint64_t>(v); });

    // Source: spectrum and focal spot.
    QFormLayout* source = page.addGroup(tr("Source"), "sourceGroup");
    QComboBox* spectrum =
        makeCombo("spectrumCombo", {{tr("monochromatic"), false}, {tr("polychromatic"), true}},
                  tr("One energy, or a tungsten-anode tube spectrum (beam hardening)"));
    source->addRow(tr("Spectrum"), spectrum);
    auto lastKvp = std::make_shared<double>(kKvpWhenOn);
    binder.bindCombo(
        spectrum, tr("Spectrum"),
        [](const Scene& s) { return QVariant(!s.physics.spectrum.isMonochromatic()); },
        [lastKvp](Scene& s, const QVariant& v) {
            s.physics.spectrum.kvp = v.toBool() ? *lastKvp : 0.0;
        });
    QDoubleSpinBox* energy =
        makeDoubleSpin({"energySpin", 1.0, 1000.0, 1, 1.0, " keV",
                        tr("The beam's energy; at the materials' reference energy (70 keV) the "
                           "projections are the plain line integrals")});
    source->addRow(tr("Energy"), energy);
    binder.bindDouble(
        energy, tr("Energy"), [](const Scene& s) { return s.physics.spectrum.energyKeV; },
        [](Scene& s, double v) { s.physics.spectrum.energyKeV = v; });
    QDoubleSpinBox* kvp = makeDoubleSpin(
        {"kvpSpin", 20.0, 150.0, 1, 5.0, " kV", tr("Tube voltage: the highest photon energy")});
    source->addRow(tr("Tube voltage"), kvp);
    binder.bindDouble(
        kvp, tr("Tube voltage"), [](const Scene& s) { return s.physics.spectrum.kvp; },
        [](Scene& s, double v) { s.physics.spectrum.kvp = v; });
    QDoubleSpinBox* anode = makeDoubleSpin(
        {"anodeAngleSpin", 1.0, 45.0, 1, 1.0, " °", tr("Tungsten anode (target) angle")});
    source->addRow(tr("Anode angle"), anode);
    binder.bindDouble(
        anode, tr("Anode angle"), [](const Scene& s) { return s.physics.spectrum.anodeAngleDeg; },
        [](Scene& s, double v) { s.physics.spectrum.anodeAngleDeg = v; });
    QDoubleSpinBox* bin = makeDoubleSpin(
        {"energyBinSpin", 0.1, 10.0, 2, 0.5, " keV", tr("Width of the spectrum's energy bins")});
    source->addRow(tr("Energy bin"), bin);
    binder.bindDouble(
        bin, tr("Energy bin"), [](const Scene& s) { return s.physics.spectrum.binKeV; },
        [](Scene& s, double v) { s.physics.spectrum.binKeV = v; });
    auto* filtration = new QLineEdit;
    filtration->setObjectName(QStringLiteral("filtrationEdit"));
    filtration->setPlaceholderText(tr("none"));
    filtration->setToolTip(tr("Slabs in the beam, \"material thickness mm\" separated by commas; "
                              "materials: %1")
                               .arg(libraryNames()));
    source->addRow(tr("Filtration"), filtration);
    QLabel* filtrationError = makeErrorLabel("filtrationError");
    source->addRow(filtrationError);
    binder.bindText(
        filtration, filtrationError, tr("Filtration"),
        [](const Scene& s) { return formatFiltration(s.physics.spectrum.filtration); },
        [](Scene& s, const QString& text) {
            return parseFiltration(text, s.physics.spectrum.filtration);
        });
    QDoubleSpinBox* focal = makeDoubleSpin(
        {"focalSpotSpin", 0.0, 10.0, 3, 0.1, " mm",
         tr("Focal spot size (FWHM); blurs by its magnified image; 0 is a point source")});
    focal->setSpecialValueText(tr("point"));
    source->addRow(tr("Focal spot"), focal);
    binder.bindDouble(
        focal, tr("Focal spot"), [](const Scene& s) { return s.physics.focalSpotMm; },
        [](Scene& s, double v) { s.physics.focalSpotMm = v; });

    // Detector response and lag.
    QFormLayout* response = page.addGroup(tr("Detector response"), "responseGroup");
    QComboBox* mode =
        makeCombo("detectorModeCombo",
                  {{QStringLiteral("ideal"), static_cast<int>(DetectorMode::Ideal)},
                   {QStringLiteral("counting"), static_cast<int>(DetectorMode::Counting)},
                   {QStringLiteral("integrating"), static_cast<int>(DetectorMode::Integrating)}},
                  tr("ideal: every photon counted; counting: photons absorbed in the "
                     "scintillator; integrating: absorbed energy"));
    response->addRow(tr("Mode"), mode);
    binder.bindCombo(
        mode, tr("Detector mode"),
        [](const Scene& s) { return QVariant(static_cast<int>(s.physics.detector.mode)); },
        [](Scene& s, const QVariant& v) {
            s.physics.detector.mode = static_cast<DetectorMode>(v.toInt());
        });
    std::vector<std::pair<QString, QVariant>> materials;
    for (const Material& m : materialLibrary()) {
        materials.emplace_back(QString::fromStdString(m.name), QString::fromStdString(m.name));
    }
    QComboBox* scintillator =
        makeCombo("scintillatorCombo", materials, tr("The absorbing layer's material"));
    response->addRow(tr("Scintillator"), scintillator);
    binder.bindCombo(
        scintillator, tr("Scintillator"),
        [](const Scene& s) {
            return QVariant(QString::fromStdString(s.physics.detector.scintillator.name));
        },
        [](Scene& s, const QVariant& v) {
            s.physics.detector.scintillator = findMaterial(v.toString().toStdString());
        });
    QDoubleSpinBox* thickness =
        makeDoubleSpin({"scintillatorThicknessSpin", 0.001, 100.0, 3, 0.1, " mm",
                        tr("Scintillator thickness: absorption efficiency 1 − exp(−μ·t)")});
    response->addRow(tr("Thickness"), thickness);
    binder.bindDouble(
        thickness, tr("Scintillator thickness"),
        [](const Scene& s) { return s.physics.detector.thicknessMm; },
        [](Scene& s, double v) { s.physics.detector.thicknessMm = v; });
    QDoubleSpinBox* blur = makeDoubleSpin({"detectorBlurSpin", 0.0, 50.0, 2, 0.1, " px",
                                           tr("Gaussian light spread σ in the scintillator")});
    response->addRow(tr("Blur σ"), blur);
    binder.bindDouble(
        blur, tr("Detector blur"), [](const Scene& s) { return s.physics.detector.blurSigmaPx; },
        [](Scene& s, double v) { s.physics.detector.blurSigmaPx = v; });
    QDoubleSpinBox* lag = makeDoubleSpin(
        {"lagSpin", 0.0, 0.9, 3, 0.01, "",
         tr("Fraction of a view's signal left in the next view (afterglow), 0 to 0.9")});
    response->addRow(tr("Lag"), lag);
    binder.bindDouble(
        lag, tr("Lag"), [](const Scene& s) { return s.physics.lag; },
        [](Scene& s, double v) { s.physics.lag = v; });

    // Noise.
    QGroupBox* noiseGroup = nullptr;
    QFormLayout* noise = page.addGroup(tr("Quantum noise"), "noiseGroup", &noiseGroup);
    noiseGroup->setToolTip(tr("Poisson noise of a finite photon count; off: noise-free"));
    binder.bindGroup(
        noiseGroup, tr("Noise"), [](const Scene& s) { return s.physics.photonsPerPixel > 0.0; },
        [](Scene& s, bool on) {
            s.physics.photonsPerPixel = on ? kPhotonsWhenOn : 0.0;
            if (!on) {
                // Read noise and dark current are in photons: they need a count to compare with.
                s.physics.electronicNoise = 0.0;
                s.physics.darkCurrent = 0.0;
            }
        });
    ScientificSpinBox* photons =
        makeScientificSpin("photonsSpin", 1.0, 1e12,
                           tr("Mean photons reaching a pixel per view without the object "
                              "(1e3 low dose … 1e6)"));
    noise->addRow(tr("Photons/pixel"), photons);
    binder.bindDouble(
        photons, tr("Photons per pixel"), [](const Scene& s) { return s.physics.photonsPerPixel; },
        [](Scene& s, double v) { s.physics.photonsPerPixel = v; });
    QDoubleSpinBox* electronic =
        makeDoubleSpin({"electronicNoiseSpin", 0.0, 1e9, 2, 1.0, "",
                        tr("Gaussian read noise: standard deviation in photons")});
    noise->addRow(tr("Read noise"), electronic);
    binder.bindDouble(
        electronic, tr("Read noise"), [](const Scene& s) { return s.physics.electronicNoise; },
        [](Scene& s, double v) { s.physics.electronicNoise = v; });
    QDoubleSpinBox* dark = makeDoubleSpin(
        {"darkCurrentSpin", 0.0, 1e9, 2, 1.0, "", tr("Offset added to every reading, in photons")});
    noise->addRow(tr("Dark current"), dark);
    binder.bindDouble(
        dark, tr("Dark current"), [](const Scene& s) { return s.physics.darkCurrent; },
        [](Scene& s, double v) { s.physics.darkCurrent = v; });

    // Scatter.
    QGroupBox* scatterGroup = nullptr;
    QFormLayout* scatter = page.addGroup(tr("Scatter"), "scatterGroup", &scatterGroup);
    scatterGroup->setToolTip(tr("Scatter by convolution kernels; off: no scatter"));
    binder.bindGroup(
        scatterGroup, tr("Scatter"), [](const Scene& s) { return s.physics.scatter.spr > 0.0; },
        [](Scene& s, bool on) { s.physics.scatter.spr = on ? kScatterWhenOn : 0.0; });
    QDoubleSpinBox* spr = makeDoubleSpin({"sprSpin", 0.0, 20.0, 3, 0.05, "",
                                          tr("Scatter-to-primary ratio over the object's shadow")});
    scatter->addRow(tr("SPR"), spr);
    binder.bindDouble(
        spr, tr("SPR"), [](const Scene& s) { return s.physics.scatter.spr; },
        [](Scene& s, double v) { s.physics.scatter.spr = v; });
    QDoubleSpinBox* scatterSigma =
        makeDoubleSpin({"scatterSigmaSpin", 0.001, 10000.0, 3, 5.0, " mm",
                        tr("Width σ of the scatter kernel on the detector (tens of mm)")});
    scatter->addRow(tr("Kernel σ"), scatterSigma);
    binder.bindDouble(
        scatterSigma, tr("Scatter kernel σ"),
        [](const Scene& s) { return s.physics.scatter.sigmaMm; },
        [](Scene& s, double v) { s.physics.scatter.sigmaMm = v; });

    // Rings.
    QGroupBox* ringsGroup = nullptr;
    QFormLayout* rings = page.addGroup(tr("Ring artefacts"), "ringsGroup", &ringsGroup);
    ringsGroup->setToolTip(tr("Pixel gains that drifted after calibration; off: perfect gains"));
    binder.bindGroup(
        ringsGroup, tr("Rings"),
        [](const Scene& s) {
            return s.physics.rings.gainSigma > 0.0 || s.physics.rings.deadFraction > 0.0;
        },
        [](Scene& s, bool on) {
            s.physics.rings.gainSigma = on ? kGainSigmaWhenOn : 0.0;
            s.physics.rings.deadFraction = 0.0;
        });
    QDoubleSpinBox* gain =
        makeDoubleSpin({"gainSigmaSpin", 0.0, 0.5, 4, 0.001, "",
                        tr("Standard deviation of the pixel gains around 1 (0.005: faint)")});
    rings->addRow(tr("Gain σ"), gain);
    binder.bindDouble(
        gain, tr("Gain σ"), [](const Scene& s) { return s.physics.rings.gainSigma; },
        [](Scene& s, double v) { s.physics.rings.gainSigma = v; });
    QDoubleSpinBox* dead = makeDoubleSpin(
        {"deadFractionSpin", 0.0, 0.5, 4, 0.001, "", tr("Fraction of pixels that read 0")});
    rings->addRow(tr("Dead pixels"), dead);
    binder.bindDouble(
        dead, tr("Dead pixels"), [](const Scene& s) { return s.physics.rings.deadFraction; },
        [](Scene& s, double v) { s.physics.rings.deadFraction = v; });

    // Motion.
    QGroupBox* motionGroup = nullptr;
    QFormLayout* motion = page.addGroup(tr("Motion"), "motionGroup", &motionGroup);
    motionGroup->setToolTip(tr("A rigid motion of the object during the scan; off: still"));
    binder.bindGroup(
        motionGroup, tr("Motion"), [](const Scene& s) { return s.physics.motion.active(); },
        [](Scene& s, bool on) {
            s.physics.motion.translationMm = {on ? kMotionWhenOnMm : 0.0, 0.0, 0.0};
            s.physics.motion.rotationRad = 0.0;
        });
    QComboBox* profile =
        makeCombo("motionProfileCombo",
                  {{QStringLiteral("sine"), static_cast<int>(MotionProfile::Sine)},
                   {QStringLiteral("linear"), static_cast<int>(MotionProfile::Linear)},
                   {QStringLiteral("step"), static_cast<int>(MotionProfile::Step)}},
                  tr("sine: breathing, tremor; linear: a slow drift; step: one move halfway"));
    motion->addRow(tr("Profile"), profile);
    binder.bindCombo(
        profile, tr("Motion profile"),
        [](const Scene& s) { return QVariant(static_cast<int>(s.physics.motion.profile)); },
        [](Scene& s, const QVariant& v) {
            s.physics.motion.profile = static_cast<MotionProfile>(v.toInt());
        });
    std::vector<QDoubleSpinBox*> shifts;
    for (const auto& [name, label, axis] : {std::tuple{"motionXSpin", "Shift x", &Vec3::x},
                                            std::tuple{"motionYSpin", "Shift y", &Vec3::y},
                                            std::tuple{"motionZSpin", "Shift z", &Vec3::z}}) {
        QDoubleSpinBox* spin = makeDoubleSpin(
            {name, -1000.0, 1000.0, 2, 0.5, " mm", tr("Translation amplitude along this axis")});
        motion->addRow(tr(label), spin);
        binder.bindDouble(
            spin, tr("Motion %1").arg(tr(label).toLower()),
            [axis](const Scene& s) { return s.physics.motion.translationMm.*axis; },
            [axis](Scene& s, double v) { s.physics.motion.translationMm.*axis = v; });
        shifts.push_back(spin);
    }
    QDoubleSpinBox* rotation = makeDoubleSpin({"motionRotationSpin", -360.0, 360.0, 2, 0.5, " °",
                                               tr("Rotation amplitude about the z axis")});
    motion->addRow(tr("Rotation"), rotation);
    binder.bindDouble(
        rotation, tr("Motion rotation"),
        [](const Scene& s) { return toDegrees(s.physics.motion.rotationRad); },
        [](Scene& s, double v) { s.physics.motion.rotationRad = toRadians(v); });
    QDoubleSpinBox* cycles = makeDoubleSpin(
        {"motionCyclesSpin", 0.0, 10000.0, 2, 0.5, "", tr("Sine periods over the whole scan")});
    motion->addRow(tr("Cycles"), cycles);
    binder.bindDouble(
        cycles, tr("Motion cycles"), [](const Scene& s) { return s.physics.motion.cycles; },
        [](Scene& s, double v) { s.physics.motion.cycles = v; });

    // Corrections.
    QFormLayout* corrections = page.addGroup(tr("Corrections"), "correctionsGroup");
    auto* water = new QCheckBox(tr("Water beam hardening"));
    water->setObjectName(QStringLiteral("waterCorrectionCheck"));
    water->setToolTip(tr("Linearise with the polynomial that maps water's polychromatic line "
                         "integral to its monochromatic one"));
    corrections->addRow(water);
    binder.bindBool(
        water, tr("Water correction"),
        [](const Scene& s) { return s.physics.corrections.waterBeamHardening; },
        [](Scene& s, bool on) { s.physics.corrections.waterBeamHardening = on; });
    QSpinBox* degree = makeIntSpin("waterDegreeSpin", 1, 8, tr("Degree of that polynomial"));
    corrections->addRow(tr("Degree"), degree);
    binder.bindInt(
        degree, tr("Water polynomial degree"),
        [](const Scene& s) {
            return static_cast<double>(s.physics.corrections.waterPolynomialDegree);
        },
        [](Scene& s, int v) {
            s.physics.corrections.waterPolynomialDegree = static_cast<std::size_t>(v);
        });
    auto* ringRemoval = new QCheckBox(tr("Ring removal"));
    ringRemoval->setObjectName(QStringLiteral("ringRemovalCheck"));
    ringRemoval->setToolTip(tr("Subtract each pixel's deviation from the median of its "
                               "neighbours, averaged over the views"));
    corrections->addRow(ringRemoval);
    binder.bindBool(
        ringRemoval, tr("Ring removal"),
        [](const Scene& s) { return s.physics.corrections.ringRemoval; },
        [](Scene& s, bool on) { s.physics.corrections.ringRemoval = on; });
    QSpinBox* width = makeIntSpin("ringFilterWidthSpin", 3, 999,
                                  tr("Median width in columns: odd, 3 or more"), " px");
    width->setSingleStep(2);
    corrections->addRow(tr("Median width"), width);
    binder.bindInt(
        width, tr("Ring filter width"),
        [](const Scene& s) { return static_cast<double>(s.physics.corrections.ringFilterWidth); },
        [](Scene& s, int v) {
            s.physics.corrections.ringFilterWidth = static_cast<std::size_t>(v);
        });

    auto* materialsNote = new QLabel(tr("Materials: defaults (edit in the scene file)."));
    materialsNote->setObjectName(QStringLiteral("materialsNote"));
    materialsNote->setWordWrap(true);
    page.body()->addWidget(materialsNote);

    binder.onRefresh([=](const Scene& s) {
        const PhysicsSpec& p = s.physics;
        if (!p.spectrum.isMonochromatic()) {
            *lastKvp = p.spectrum.kvp;
        }
        const bool poly = !p.spectrum.isMonochromatic();
        setRowVisible(source, energy, !poly);
        for (QWidget* field : {static_cast<QWidget*>(kvp), static_cast<QWidget*>(anode),
                               static_cast<QWidget*>(bin), static_cast<QWidget*>(filtration)}) {
            setRowVisible(source, field, poly);
        }
        const bool absorbing = p.detector.mode != DetectorMode::Ideal;
        setRowVisible(response, scintillator, absorbing);
        setRowVisible(response, thickness, absorbing);
        setRowVisible(motion, shifts[2], !is2D(s.beam));
        setRowVisible(motion, cycles, p.motion.profile == MotionProfile::Sine);
        degree->setEnabled(p.corrections.waterBeamHardening);
        width->setEnabled(p.corrections.ringRemoval);
    });
    return page.finish();
}
} // namespace tomo::ui::detail
