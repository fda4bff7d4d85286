#include "tomo/io.h"
#include "tomo/phantom_io.h"
#include "tomo/recon.h"
#include "tomo/scene.h"
#include "tomo/ui/scene_document.h"
#include "tomo/ui/scene_panel.h"
#include "ui_test_util.h"

#include <QAbstractItemView>
#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFile>
#include <QFileDialog>
#include <QGroupBox>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPointer>
#include <QPushButton>
#include <QScrollArea>
#include <QSpinBox>
#include <QStandardItemModel>
#include <QTabBar>
#include <QTabWidget>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QUndoStack>
#include <gtest/gtest.h>

#include <array>
#include <functional>
#include <memory>
#include <numbers>

namespace tomo::ui
{
namespace
{
// Degrees become radians by one multiplication and one division: 180° is π to a few ulps.
constexpr double kAngleTolerance = 1e-12;

Scene parallelScene()
{
    return loadScene(TOMO_SOURCE_RESOURCES "/scenes/shepp-logan-2d-parallel.json");
}

Scene coneScene()
{
    return loadScene(TOMO_SOURCE_RESOURCES "/scenes/cone-circular.json");
}

template <typename T> T* control(const ScenePanel& panel, const char* name)
{
    return panel.findChild<T*>(QString::fromUtf8(name));
}

// The index of the combo entry whose data is `data`.
int entry(const QComboBox* combo, const QVariant& data)
{
    return combo->findData(data);
}

bool isEntryEnabled(const QComboBox* combo, int index)
{
    const auto* model = qobject_cast<const QStandardItemModel*>(combo->model());
    return model != nullptr && model->item(index)->isEnabled();
}

struct Fixture
{
    SceneDocument document;
    ScenePanel panel{document};

    explicit Fixture(const Scene& scene) { document.reset(scene); }
};

TEST(ScenePanel, ViewsSpinEditsTheSceneAndUndoRedoShowInIt)
{
    Fixture f(parallelScene());
    auto* views = control<QSpinBox>(f.panel, "viewsSpin");
    ASSERT_NE(views, nullptr);
    const int before = static_cast<int>(f.document.scene().trajectory.views);
    EXPECT_EQ(views->value(), before);

    views->setValue(720);
    EXPECT_EQ(f.document.scene().trajectory.views, 720u);
    ASSERT_EQ(f.document.undoStack()->count(), 1);
    EXPECT_EQ(f.document.undoStack()->undoText(), QStringLiteral("Views: 720"));

    f.document.undoStack()->undo();
    EXPECT_EQ(f.document.scene().trajectory.views, static_cast<std::size_t>(before));
    EXPECT_EQ(views->value(), before);

    f.document.undoStack()->redo();
    EXPECT_EQ(f.document.scene().trajectory.views, 720u);
    EXPECT_EQ(views->value(), 720);
}

TEST(ScenePanel, HoldingASpinBoxIsOneUndoStep)
{
    Fixture f(parallelScene());
    auto* sid = control<QDoubleSpinBox>(f.panel, "sidSpin");
    ASSERT_NE(sid, nullptr);
    const double before = f.document.scene().trajectory.sourceIsocentre;
    for (int step = 1; step <= 5; ++step) {
        sid->setValue(before + 10.0 * step);
    }
    EXPECT_DOUBLE_EQ(f.document.scene().trajectory.sourceIsocentre, before + 50.0);
    ASSERT_EQ(f.document.undoStack()->count(), 1);
    EXPECT_EQ(f.document.undoStack()->undoText(), QStringLiteral("SID: %1 mm").arg(before + 50.0));

    // Another control starts a step of its own.
    control<QDoubleSpinBox>(f.panel, "sddSpin")->setValue(1500.0);
    EXPECT_EQ(f.document.undoStack()->count(), 2);

    f.document.undoStack()->undo();
    f.document.undoStack()->undo();
    EXPECT_DOUBLE_EQ(f.document.scene().trajectory.sourceIsocentre, before);
    EXPECT_DOUBLE_EQ(sid->value(), before);
}

TEST(ScenePanel, ShowsOnlyTheParametersOfTheChosenTrajectoryKind)
{
    Fixture f(coneScene());
    auto* kind = control<QComboBox>(f.panel, "trajectoryKindCombo");
    auto* pitch = control<QDoubleSpinBox>(f.panel, "pitchSpin");
    auto* frequency = control<QDoubleSpinBox>(f.panel, "frequencySpin");
    auto* planes = control<QLineEdit>(f.panel, "zPlanesEdit");
    auto* formula = control<QLineEdit>(f.panel, "angleFormulaEdit");
    auto* import = control<QPushButton>(f.panel, "importPosesButton");
    auto* sid = control<QDoubleSpinBox>(f.panel, "sidSpin");
    ASSERT_TRUE(kind && pitch && frequency && planes && formula && import && sid);
    EXPECT_FALSE(pitch->isVisibleTo(&f.panel)) << "circular has no pitch";

    kind->setCurrentIndex(entry(kind, static_cast<int>(TrajectoryKind::Helical)));
    EXPECT_EQ(f.document.scene().trajectory.kind, TrajectoryKind::Helical);
    EXPECT_TRUE(pitch->isVisibleTo(&f.panel));
    pitch->setValue(42.0);
    EXPECT_DOUBLE_EQ(f.document.scene().trajectory.pitchMm, 42.0);

    kind->setCurrentIndex(entry(kind, static_cast<int>(TrajectoryKind::Saddle)));
    EXPECT_FALSE(pitch->isVisibleTo(&f.panel));
    EXPECT_FALSE(frequency->isVisibleTo(&f.panel)) << "a saddle has no frequency";
    kind->setCurrentIndex(entry(kind, static_cast<int>(TrajectoryKind::Sinusoidal)));
    EXPECT_TRUE(frequency->isVisibleTo(&f.panel));
    kind->setCurrentIndex(entry(kind, static_cast<int>(TrajectoryKind::MultiCircle)));
    EXPECT_TRUE(planes->isVisibleTo(&f.panel));
    kind->setCurrentIndex(entry(kind, static_cast<int>(TrajectoryKind::Custom)));
    EXPECT_TRUE(formula->isVisibleTo(&f.panel));
    EXPECT_FALSE(sid->isVisibleTo(&f.panel)) << "custom orbits take SID from a formula";
    kind->setCurrentIndex(entry(kind, static_cast<int>(TrajectoryKind::Explicit)));
    EXPECT_TRUE(import->isVisibleTo(&f.panel));
    EXPECT_FALSE(sid->isVisibleTo(&f.panel));

    kind->setCurrentIndex(entry(kind, static_cast<int>(TrajectoryKind::Circular)));
    EXPECT_FALSE(pitch->isVisibleTo(&f.panel));
    EXPECT_FALSE(import->isVisibleTo(&f.panel));
    EXPECT_TRUE(sid->isVisibleTo(&f.panel));
    EXPECT_EQ(f.document.undoStack()->count(), 8) << "one step per kind and the pitch";

    // Undo brings the kind back into the combo and the pitch back into view.
    for (int i = 0; i < 6; ++i) {
        f.document.undoStack()->undo();
    }
    EXPECT_EQ(kind->currentData().toInt(), static_cast<int>(TrajectoryKind::Helical));
    EXPECT_TRUE(pitch->isVisibleTo(&f.panel));
    EXPECT_DOUBLE_EQ(pitch->value(), 42.0);
}

TEST(ScenePanel, DegreesInThePanelAreRadiansInTheScene)
{
    Fixture f(coneScene());
    auto* range = control<QDoubleSpinBox>(f.panel, "angularRangeSpin");
    auto* start = control<QDoubleSpinBox>(f.panel, "startAngleSpin");
    auto* tilt = control<QDoubleSpinBox>(f.panel, "tiltAboutUSpin");
    ASSERT_TRUE(range && start && tilt);
    EXPECT_EQ(range->suffix(), QStringLiteral(" °"));

    range->setValue(180.0);
    EXPECT_NEAR(f.document.scene().trajectory.angularRange, std::numbers::pi, kAngleTolerance);
    start->setValue(-90.0);
    EXPECT_NEAR(f.document.scene().trajectory.startAngle, -0.5 * std::numbers::pi, kAngleTolerance);
    tilt->setValue(2.5);
    EXPECT_NEAR(f.document.scene().trajectory.tilt.aboutU, 2.5 * std::numbers::pi / 180.0,
                kAngleTolerance);

    // And back: a scene in radians shows in degrees.
    Scene other = coneScene();
    other.trajectory.angularRange = 1.5 * std::numbers::pi;
    f.document.reset(other);
    EXPECT_DOUBLE_EQ(range->value(), 270.0);
}

TEST(ScenePanel, AlgorithmsThatCannotReconstructTheScanAreDisabledWithTheReason)
{
    Fixture f(parallelScene());
    auto* algorithm = control<QComboBox>(f.panel, "algorithmCombo");
    ASSERT_NE(algorithm, nullptr);
    const int fbp = entry(algorithm, QStringLiteral("fbp"));
    const int fdk = entry(algorithm, QStringLiteral("fdk"));
    const int sirt = entry(algorithm, QStringLiteral("sirt"));
    ASSERT_GE(fbp, 0);
    ASSERT_GE(fdk, 0);
    ASSERT_GE(sirt, 0);
    EXPECT_GE(entry(algorithm, QString()), 0) << "an automatic entry";

    EXPECT_TRUE(isEntryEnabled(algorithm, fbp));
    EXPECT_FALSE(isEntryEnabled(algorithm, fdk));
    const QString why = algorithm->itemData(fdk, Qt::ToolTipRole).toString();
    EXPECT_TRUE(why.contains(QStringLiteral("2D"))) << why.toStdString();
    EXPECT_TRUE(isEntryEnabled(algorithm, sirt));

    f.document.reset(coneScene());
    EXPECT_FALSE(isEntryEnabled(algorithm, fbp));
    EXPECT_FALSE(algorithm->itemData(fbp, Qt::ToolTipRole).toString().isEmpty());
    EXPECT_TRUE(isEntryEnabled(algorithm, fdk));
    EXPECT_TRUE(isEntryEnabled(algorithm, sirt));

    // A helix: FDK runs, but says it is not exact.
    auto* kind = control<QComboBox>(f.panel, "trajectoryKindCombo");
    kind->setCurrentIndex(entry(kind, static_cast<int>(TrajectoryKind::Helical)));
    EXPECT_TRUE(isEntryEnabled(algorithm, fdk));
    EXPECT_TRUE(algorithm->itemData(fdk, Qt::ToolTipRole)
                    .toString()
                    .contains(QStringLiteral("non-circular")))
        << algorithm->itemData(fdk, Qt::ToolTipRole).toString().toStdString();
}

TEST(ScenePanel, AlgorithmFamilyDecidesWhichIterativeSettingsShow)
{
    Fixture f(parallelScene());
    f.panel.findChild<QTabWidget*>()->setCurrentIndex(4);
    auto* algorithm = control<QComboBox>(f.panel, "algorithmCombo");
    auto* cutoff = control<QDoubleSpinBox>(f.panel, "cutoffSpin");
    auto* iterations = control<QSpinBox>(f.panel, "iterationsSpin");
    auto* relaxation = control<QDoubleSpinBox>(f.panel, "relaxationSpin");
    auto* tvWeight = control<QDoubleSpinBox>(f.panel, "tvWeightSpin");
    auto* delta = control<QDoubleSpinBox>(f.panel, "deltaSpin");
    ASSERT_TRUE(algorithm && cutoff && iterations && relaxation && tvWeight && delta);
    EXPECT_TRUE(cutoff->isVisibleTo(&f.panel));
    EXPECT_FALSE(iterations->isVisibleTo(&f.panel));

    algorithm->setCurrentIndex(entry(algorithm, QStringLiteral("sirt")));
    EXPECT_EQ(f.document.scene().reconstruction.algorithm, "sirt");
    EXPECT_FALSE(cutoff->isVisibleTo(&f.panel));
    EXPECT_TRUE(relaxation->isVisibleTo(&f.panel));
    EXPECT_FALSE(tvWeight->isVisibleTo(&f.panel));
    iterations->setValue(7);
    EXPECT_EQ(f.document.scene().reconstruction.iterative.iterations, 7u);

    algorithm->setCurrentIndex(entry(algorithm, QStringLiteral("cgls")));
    EXPECT_FALSE(relaxation->isVisibleTo(&f.panel)) << "CGLS has no relaxation";
    algorithm->setCurrentIndex(entry(algorithm, QStringLiteral("fista-tv")));
    EXPECT_TRUE(tvWeight->isVisibleTo(&f.panel));
    EXPECT_FALSE(delta->isVisibleTo(&f.panel));
    tvWeight->setValue(3e-6);
    EXPECT_DOUBLE_EQ(f.document.scene().reconstruction.iterative.tvWeight, 3e-6);
    algorithm->setCurrentIndex(entry(algorithm, QStringLiteral("awtv-pocs")));
    EXPECT_TRUE(delta->isVisibleTo(&f.panel));
}

TEST(ScenePanel, ResetRefreshesEveryControlAndPushesNoUndoStep)
{
    Fixture f(parallelScene());
    Scene other = coneScene();
    other.trajectory.sourceIsocentre = 612.5;
    other.trajectory.views = 123;
    other.detector.columns = 321;
    other.object.radiusMm = 77.0;
    other.physics.photonsPerPixel = 2e4;
    other.reconstruction.algorithm = "os-sart";
    other.reconstruction.gridSize = {64, 80, 96};
    f.document.reset(other);

    EXPECT_EQ(f.document.undoStack()->count(), 0);
    EXPECT_FALSE(f.document.isModified());
    EXPECT_DOUBLE_EQ(control<QDoubleSpinBox>(f.panel, "sidSpin")->value(), 612.5);
    EXPECT_EQ(control<QSpinBox>(f.panel, "viewsSpin")->value(), 123);
    EXPECT_EQ(control<QSpinBox>(f.panel, "columnsSpin")->value(), 321);
    EXPECT_EQ(control<QSpinBox>(f.panel, "rowsSpin")->value(), 200);
    EXPECT_DOUBLE_EQ(control<QDoubleSpinBox>(f.panel, "phantomRadiusSpin")->value(), 77.0);
    EXPECT_EQ(control<QComboBox>(f.panel, "phantomCombo")->currentData().toString(),
              QStringLiteral("shepp-logan-3d"));
    EXPECT_EQ(control<QComboBox>(f.panel, "beamCombo")->currentData().toInt(),
              static_cast<int>(BeamType::Cone3D));
    EXPECT_TRUE(control<QGroupBox>(f.panel, "noiseGroup")->isChecked());
    EXPECT_DOUBLE_EQ(control<QDoubleSpinBox>(f.panel, "photonsSpin")->value(), 2e4);
    EXPECT_EQ(control<QComboBox>(f.panel, "algorithmCombo")->currentData().toString(),
              QStringLiteral("os-sart"));
    EXPECT_EQ(control<QSpinBox>(f.panel, "gridNzSpin")->value(), 96);
    EXPECT_TRUE(control<QLabel>(f.panel, "fieldOfViewLabel")->text().contains(u"105.6"))
        << "96 × 1.1 mm";
    EXPECT_EQ(f.document.undoStack()->count(), 0) << "refreshing wrote nothing back";
}

TEST(ScenePanel, AnEditThatMakesTheSceneInvalidIsKeptAndNamed)
{
    Fixture f(coneScene());
    ASSERT_TRUE(f.document.isValid());
    auto* sdd = control<QDoubleSpinBox>(f.panel, "sddSpin");
    sdd->setValue(400.0); // SID is 500
    EXPECT_DOUBLE_EQ(f.document.scene().trajectory.sourceDetector, 400.0);
    EXPECT_DOUBLE_EQ(sdd->value(), 400.0);
    EXPECT_FALSE(f.document.isValid());
    EXPECT_TRUE(f.document.validationError().contains(QStringLiteral("sdd_mm")))
        << f.document.validationError().toStdString();
    sdd->setValue(1000.0);
    EXPECT_TRUE(f.document.isValid()) << f.document.validationError().toStdString();
}

TEST(ScenePanel, ShortScanCoversHalfATurnPlusTheFanForParkerWeights)
{
    Fixture f(coneScene());
    auto* button = control<QPushButton>(f.panel, "shortScanButton");
    ASSERT_NE(button, nullptr);
    ASSERT_TRUE(button->isEnabled()) << button->toolTip().toStdString();
    QTest::mouseClick(button, Qt::LeftButton);

    const Scene& s = f.document.scene();
    const Geometry full =
        Geometry::circular(s.beam, s.detector,
                           {s.trajectory.views, 0.0, 2.0 * std::numbers::pi,
                            s.trajectory.sourceIsocentre, s.trajectory.sourceDetector});
    const double n = static_cast<double>(s.trajectory.views);
    EXPECT_NEAR(s.trajectory.angularRange, (std::numbers::pi + full.fanAngle(0)) * n / (n - 1.0),
                kAngleTolerance);
    EXPECT_EQ(planAnalytic(s.geometry(), s.reconstructionGrid()).weighting,
              RedundancyWeighting::Parker);
    EXPECT_EQ(f.document.undoStack()->count(), 1);
}

TEST(ScenePanel, EffectGroupsSwitchPhysicsOnAndOff)
{
    Fixture f(parallelScene());
    auto* noise = control<QGroupBox>(f.panel, "noiseGroup");
    auto* scatter = control<QGroupBox>(f.panel, "scatterGroup");
    auto* spectrum = control<QComboBox>(f.panel, "spectrumCombo");
    auto* kvp = control<QDoubleSpinBox>(f.panel, "kvpSpin");
    ASSERT_TRUE(noise && scatter && spectrum && kvp);
    f.panel.findChild<QTabWidget*>()->setCurrentIndex(3);
    EXPECT_FALSE(noise->isChecked());
    EXPECT_FALSE(kvp->isVisibleTo(&f.panel));

    noise->setChecked(true);
    EXPECT_GT(f.document.scene().physics.photonsPerPixel, 0.0);
    control<QDoubleSpinBox>(f.panel, "electronicNoiseSpin")->setValue(5.0);
    EXPECT_TRUE(f.document.isValid()) << f.document.validationError().toStdString();
    noise->setChecked(false);
    EXPECT_EQ(f.document.scene().physics.photonsPerPixel, 0.0);
    EXPECT_EQ(f.document.scene().physics.electronicNoise, 0.0) << "read noise needs photons";
    EXPECT_TRUE(f.document.isValid()) << f.document.validationError().toStdString();

    scatter->setChecked(true);
    EXPECT_GT(f.document.scene().physics.scatter.spr, 0.0);

    spectrum->setCurrentIndex(entry(spectrum, true));
    EXPECT_FALSE(f.document.scene().physics.spectrum.isMonochromatic());
    EXPECT_TRUE(kvp->isVisibleTo(&f.panel));
    kvp->setValue(100.0);
    EXPECT_DOUBLE_EQ(f.document.scene().physics.spectrum.kvp, 100.0);
    EXPECT_EQ(f.document.undoStack()->count(), 6);
}

TEST(ScenePanel, TextFieldsParseOrSayWhatIsWrong)
{
    Scene scene = coneScene();
    scene.trajectory.kind = TrajectoryKind::MultiCircle;
    Fixture f(scene);
    auto* planes = control<QLineEdit>(f.panel, "zPlanesEdit");
    auto* error = control<QLabel>(f.panel, "zPlanesError");
    ASSERT_TRUE(planes && error);

    planes->setText(QStringLiteral("−30, 0 ,30.5"));
    emit planes->editingFinished();
    EXPECT_EQ(f.document.scene().trajectory.zPlanes, (std::vector<double>{-30.0, 0.0, 30.5}));
    EXPECT_FALSE(error->isVisibleTo(&f.panel));
    EXPECT_EQ(f.document.undoStack()->count(), 1);

    planes->setText(QStringLiteral("-30, ten"));
    emit planes->editingFinished();
    EXPECT_EQ(f.document.scene().trajectory.zPlanes, (std::vector<double>{-30.0, 0.0, 30.5}));
    EXPECT_EQ(f.document.undoStack()->count(), 1) << "a bad list changes nothing";
    EXPECT_TRUE(error->isVisibleTo(&f.panel));
    EXPECT_TRUE(error->text().contains(QStringLiteral("\"ten\""))) << error->text().toStdString();

    auto* filtration = control<QLineEdit>(f.panel, "filtrationEdit");
    auto* filtrationError = control<QLabel>(f.panel, "filtrationError");
    ASSERT_TRUE(filtration && filtrationError);
    filtration->setText(QStringLiteral("aluminium 3 mm, copper 0.2"));
    emit filtration->editingFinished();
    ASSERT_EQ(f.document.scene().physics.spectrum.filtration.size(), 2u);
    EXPECT_EQ(f.document.scene().physics.spectrum.filtration[1].material.name, "copper");
    EXPECT_DOUBLE_EQ(f.document.scene().physics.spectrum.filtration[1].thicknessMm, 0.2);
    filtration->setText(QStringLiteral("unobtainium 1 mm"));
    emit filtration->editingFinished();
    EXPECT_TRUE(filtrationError->text().contains(QStringLiteral("filtration[0]")))
        << filtrationError->text().toStdString();
    EXPECT_EQ(f.document.scene().physics.spectrum.filtration.size(), 2u);
}

TEST(ScenePanel, ObjectPageShowsTheFieldsOfThePhantom)
{
    Fixture f(parallelScene());
    f.panel.findChild<QTabWidget*>()->setCurrentIndex(2);
    auto* phantom = control<QComboBox>(f.panel, "phantomCombo");
    auto* variant = control<QComboBox>(f.panel, "variantCombo");
    auto* height = control<QDoubleSpinBox>(f.panel, "phantomHeightSpin");
    auto* path = control<QLineEdit>(f.panel, "phantomPathEdit");
    ASSERT_TRUE(phantom && variant && height && path);
    for (const std::string& name : builtInPhantomNames()) {
        EXPECT_GE(entry(phantom, QString::fromStdString(name)), 0) << name;
    }
    EXPECT_TRUE(variant->isVisibleTo(&f.panel));
    EXPECT_FALSE(height->isVisibleTo(&f.panel));

    phantom->setCurrentIndex(entry(phantom, QStringLiteral("water-cylinder")));
    EXPECT_EQ(f.document.scene().object.phantom, "water-cylinder");
    EXPECT_FALSE(variant->isVisibleTo(&f.panel));
    EXPECT_TRUE(height->isVisibleTo(&f.panel));

    phantom->setCurrentIndex(entry(phantom, QStringLiteral("file")));
    EXPECT_TRUE(path->isVisibleTo(&f.panel));
    EXPECT_FALSE(f.document.isValid()) << "a file phantom without a file";
    path->setText(QStringLiteral(TOMO_SOURCE_RESOURCES "/phantoms/none-such.json"));
    emit path->editingFinished();
    EXPECT_EQ(f.document.scene().object.path.filename(), "none-such.json");
}

TEST(ScenePanel, ObjectPageTakesACtVolumeWithItsUnitAndPlacement)
{
    QTemporaryDir dir;
    ASSERT_TRUE(dir.isValid());
    const QString file = dir.filePath(QStringLiteral("ct.mha"));
    writeVolume(Volume::zeros(VolumeGrid::centred({8, 8, 4}, {1, 1, 1})), file.toStdString());

    Fixture f(parallelScene());
    f.panel.findChild<QTabWidget*>()->setCurrentIndex(2);
    auto* phantom = control<QComboBox>(f.panel, "phantomCombo");
    auto* path = control<QLineEdit>(f.panel, "phantomPathEdit");
    auto* dicom = control<QPushButton>(f.panel, "volumeDicomButton");
    auto* unit = control<QComboBox>(f.panel, "volumeUnitCombo");
    auto* placement = control<QComboBox>(f.panel, "volumePlacementCombo");
    auto* radius = control<QDoubleSpinBox>(f.panel, "phantomRadiusSpin");
    ASSERT_TRUE(phantom && path && dicom && unit && placement && radius);
    EXPECT_FALSE(unit->isVisibleTo(&f.panel)) << "a phantom has no unit to choose";
    EXPECT_FALSE(dicom->isVisibleTo(&f.panel));

    phantom->setCurrentIndex(entry(phantom, QStringLiteral("volume")));
    EXPECT_EQ(f.document.scene().object.phantom, "volume");
    EXPECT_TRUE(path->isVisibleTo(&f.panel));
    EXPECT_TRUE(dicom->isVisibleTo(&f.panel));
    EXPECT_TRUE(unit->isVisibleTo(&f.panel));
    EXPECT_TRUE(placement->isVisibleTo(&f.panel));
    EXPECT_FALSE(radius->isVisibleTo(&f.panel)) << "a volume has no analytic size";
    EXPECT_FALSE(f.document.isValid()) << "a volume without a file";
    EXPECT_TRUE(f.document.validationError().contains(QStringLiteral("object.path")))
        << f.document.validationError().toStdString();

    path->setText(file);
    emit path->editingFinished();
    EXPECT_EQ(f.document.scene().object.path, file.toStdString());
    EXPECT_TRUE(f.document.isValid()) << f.document.validationError().toStdString();

    unit->setCurrentIndex(entry(unit, QStringLiteral("HU")));
    ASSERT_TRUE(f.document.scene().object.unit.has_value());
    EXPECT_EQ(*f.document.scene().object.unit, ValueUnit::Hu);
    placement->setCurrentIndex(entry(placement, true));
    EXPECT_TRUE(f.document.scene().object.centred);

    // The scene file holds what the page shows, and undo walks back through it.
    const Scene saved = parseScene(toJson(f.document.scene()));
    EXPECT_EQ(saved.object.unit, f.document.scene().object.unit);
    EXPECT_TRUE(saved.object.centred);
    f.document.undoStack()->undo();
    EXPECT_FALSE(f.document.scene().object.centred);
    EXPECT_EQ(placement->currentData().toBool(), false);
    f.document.undoStack()->undo();
    EXPECT_FALSE(f.document.scene().object.unit.has_value());
    EXPECT_EQ(unit->currentData().toString(), QString());
}

TEST(ScenePanel, ObjectTableListsThePhantomAndAnEditMakesItAnInlinePhantom)
{
    Fixture f(parallelScene());
    f.panel.findChild<QTabWidget*>()->setCurrentIndex(2);
    auto* table = control<QTableWidget>(f.panel, "phantomObjectsTable");
    auto* error = control<QLabel>(f.panel, "phantomObjectsError");
    auto* add = control<QPushButton>(f.panel, "phantomObjectAddButton");
    auto* remove = control<QPushButton>(f.panel, "phantomObjectRemoveButton");
    ASSERT_TRUE(table && error && add && remove);

    // The built-in phantom, object by object, as the scene scans it.
    const Phantom builtIn = f.document.scene().phantom();
    ASSERT_EQ(table->rowCount(), static_cast<int>(builtIn.objects.size()));
    ASSERT_EQ(table->columnCount(), 12);
    EXPECT_EQ(table->item(1, 0)->text(), QStringLiteral("cylinder"));
    EXPECT_EQ(table->item(1, 4)->text(), QString::number(builtIn.objects[1].semiAxes.x, 'g', 10));
    EXPECT_EQ(table->item(1, 6)->text(), QStringLiteral("∞")) << "a 2D ellipse is infinitely long";
    EXPECT_EQ(table->item(2, 10)->text(), QString::number(builtIn.objects[2].value, 'g', 10));

    // Editing a value makes the phantom inline: the built-in's objects, one of them changed.
    table->item(2, 10)->setText(QStringLiteral("-0.005"));
    const Scene& scene = f.document.scene();
    EXPECT_EQ(scene.object.phantom, "inline");
    ASSERT_EQ(scene.object.objects.size(), builtIn.objects.size());
    EXPECT_EQ(scene.object.objects[2].value, -0.005);
    for (std::size_t n = 0; n < builtIn.objects.size(); ++n) {
        if (n != 2) {
            EXPECT_EQ(scene.object.objects[n], builtIn.objects[n]) << "object " << n;
        }
    }
    EXPECT_EQ(f.document.undoStack()->undoText(), QStringLiteral("Object 2 μ: -0.005"));
    EXPECT_TRUE(f.document.isValid()) << f.document.validationError().toStdString();
    EXPECT_EQ(parseScene(toJson(scene)).object.objects, scene.object.objects);

    // An angle: the other two keep their exact values.
    const std::array<double, 3> before = eulerFromRotation(scene.object.objects[2].rotation);
    table->item(2, 7)->setText(QStringLiteral("30"));
    const std::array<double, 3> after = eulerFromRotation(scene.object.objects[2].rotation);
    EXPECT_NEAR(after[0], std::numbers::pi / 6.0, kAngleTolerance);
    EXPECT_NEAR(after[1], before[1], kAngleTolerance);
    EXPECT_NEAR(after[2], before[2], kAngleTolerance);

    // Refused edits change nothing, say why, and show the scene's value again.
    const Scene kept = scene;
    const QString axis = table->item(2, 4)->text();
    table->item(2, 4)->setText(QStringLiteral("wide"));
    EXPECT_EQ(toJson(f.document.scene()), toJson(kept));
    EXPECT_TRUE(error->isVisibleTo(&f.panel));
    EXPECT_TRUE(error->text().contains(
        QStringLiteral("object.objects[2].semi_axes_mm[0] = \"wide\" is invalid")))
        << error->text().toStdString();
    EXPECT_EQ(table->item(2, 4)->text(), axis);
    table->item(2, 4)->setText(QStringLiteral("0"));
    EXPECT_EQ(toJson(f.document.scene()), toJson(kept));
    EXPECT_TRUE(error->text().contains(QStringLiteral("must be a length > 0 mm")));
    table->item(2, 0)->setText(QStringLiteral("ellipsoid"));
    EXPECT_EQ(toJson(f.document.scene()), toJson(kept)) << "an ellipsoid cannot be infinite";
    EXPECT_TRUE(error->text().contains(QStringLiteral("object.objects[2].kind")));
    table->item(2, 11)->setText(QStringLiteral("unobtainium"));
    EXPECT_EQ(toJson(f.document.scene()), toJson(kept));
    EXPECT_TRUE(error->text().contains(QStringLiteral("object.objects[2].material")));
    table->item(2, 11)->setText(QStringLiteral("water"));
    EXPECT_FALSE(error->isVisibleTo(&f.panel)) << "a good edit clears the message";
    EXPECT_EQ(f.document.scene().object.objects[2].material, "water");

    // Add copies the selected object; Remove takes the selected one out.
    table->selectRow(4);
    QTest::mouseClick(add, Qt::LeftButton);
    ASSERT_EQ(table->rowCount(), static_cast<int>(builtIn.objects.size()) + 1);
    EXPECT_EQ(f.document.scene().object.objects.back(), f.document.scene().object.objects[4]);
    table->selectRow(0);
    QTest::mouseClick(remove, Qt::LeftButton);
    ASSERT_EQ(table->rowCount(), static_cast<int>(builtIn.objects.size()));
    EXPECT_EQ(f.document.scene().object.objects[0], builtIn.objects[1]);

    // Undo walks back to the built-in phantom, and the table shows it again.
    while (f.document.undoStack()->canUndo()) {
        f.document.undoStack()->undo();
    }
    EXPECT_EQ(f.document.scene().object.phantom, "shepp-logan-2d");
    EXPECT_EQ(table->item(2, 10)->text(), QString::number(builtIn.objects[2].value, 'g', 10));

    // Choosing "objects in the scene" starts from the phantom chosen so far.
    auto* phantom = control<QComboBox>(f.panel, "phantomCombo");
    phantom->setCurrentIndex(entry(phantom, QStringLiteral("forbild-head-2d")));
    const Phantom forbild = f.document.scene().phantom();
    phantom->setCurrentIndex(entry(phantom, QStringLiteral("inline")));
    EXPECT_EQ(f.document.scene().object.objects, forbild.objects);
    EXPECT_EQ(table->rowCount(), static_cast<int>(forbild.objects.size()));
    EXPECT_FALSE(control<QDoubleSpinBox>(f.panel, "phantomRadiusSpin")->isVisibleTo(&f.panel));

    // A CT volume has no analytic objects to list.
    phantom->setCurrentIndex(entry(phantom, QStringLiteral("volume")));
    EXPECT_FALSE(control<QGroupBox>(f.panel, "phantomObjectsGroup")->isVisibleTo(&f.panel));
}

TEST(ScenePanel, ObjectTableSavesItsObjectsAsAPhantomFile)
{
    QTemporaryDir dir;
    ASSERT_TRUE(dir.isValid());
    Fixture f(coneScene());
    f.panel.findChild<QTabWidget*>()->setCurrentIndex(2);
    auto* save = control<QPushButton>(f.panel, "phantomObjectsSaveButton");
    ASSERT_NE(save, nullptr);
    const QString file = dir.filePath(QStringLiteral("edited.json"));
    test::onNextModal<QFileDialog>([file](QFileDialog* dialog) {
        auto* name = dialog->findChild<QLineEdit*>(QStringLiteral("fileNameEdit"));
        ASSERT_NE(name, nullptr);
        name->setText(file);
        QTest::keyClick(name, Qt::Key_Return);
    });
    QTest::mouseClick(save, Qt::LeftButton);
    const Phantom written = readPhantom(file.toStdString());
    EXPECT_EQ(written.objects, f.document.scene().phantom().objects);

    // The file, used as the scene's phantom, is the same object.
    Scene scene = f.document.scene();
    scene.object = ObjectSpec{};
    scene.object.phantom = "file";
    scene.object.path = file.toStdString();
    EXPECT_EQ(scene.phantom().objects, written.objects);
}

TEST(ScenePanel, ImportPosesReadsACsvAndNamesTheFileOfAnError)
{
    QTemporaryDir dir;
    ASSERT_TRUE(dir.isValid());
    const Scene cone = coneScene();
    const Geometry geometry = cone.geometry();
    const std::vector<ViewPose> poses(geometry.poses().begin(), geometry.poses().begin() + 12);
    const QString good = dir.filePath(QStringLiteral("poses.csv"));
    writePoseCsv(poses, good.toStdString());
    const QString bad = dir.filePath(QStringLiteral("broken.csv"));
    {
        QFile file(bad);
        ASSERT_TRUE(file.open(QIODevice::WriteOnly));
        file.write("sx,sy,sz,dx,dy,dz,ux,uy,uz,vx,vy,vz\n1,2,3\n");
    }

    Fixture f(cone);
    auto* kind = control<QComboBox>(f.panel, "trajectoryKindCombo");
    kind->setCurrentIndex(entry(kind, static_cast<int>(TrajectoryKind::Explicit)));
    auto* button = control<QPushButton>(f.panel, "importPosesButton");
    ASSERT_NE(button, nullptr);

    const auto choose = [](const QString& file) {
        test::onNextModal<QFileDialog>([file](QFileDialog* dialog) {
            // As a user would: type the path into the file name field and press Enter.
            auto* name = dialog->findChild<QLineEdit*>(QStringLiteral("fileNameEdit"));
            ASSERT_NE(name, nullptr);
            name->setText(file);
            QTest::keyClick(name, Qt::Key_Return);
        });
    };
    choose(good);
    QTest::mouseClick(button, Qt::LeftButton);
    EXPECT_EQ(f.document.scene().trajectory.kind, TrajectoryKind::Explicit);
    EXPECT_EQ(f.document.scene().trajectory.poses, poses);
    EXPECT_TRUE(control<QLabel>(f.panel, "poseCountLabel")->text().contains(u"12"));
    EXPECT_TRUE(f.document.isValid()) << f.document.validationError().toStdString();

    QString message;
    choose(bad);
    test::onNextModal<QMessageBox>([&message](QMessageBox* box) {
        message = box->text();
        box->accept();
    });
    QTest::mouseClick(button, Qt::LeftButton);
    EXPECT_TRUE(message.contains(QStringLiteral("broken.csv"))) << message.toStdString();
    EXPECT_EQ(f.document.scene().trajectory.poses, poses) << "a failed import changes nothing";
}

TEST(ScenePanel, EveryEditingControlHasAnObjectName)
{
    Fixture f(coneScene());
    int controls = 0;
    for (QWidget* w : f.panel.findChildren<QWidget*>()) {
        // Parts of a control (a spin box's line edit, a tab bar's scroll arrows, a table's
        // corner button) are not controls of their own.
        QWidget* parent = w->parentWidget();
        if (qobject_cast<QAbstractSpinBox*>(parent) != nullptr ||
            qobject_cast<QAbstractItemView*>(parent) != nullptr ||
            qobject_cast<QComboBox*>(parent) != nullptr ||
            qobject_cast<QTabBar*>(parent) != nullptr) {
            continue;
        }
        const auto* group = qobject_cast<QGroupBox*>(w);
        const bool editing = qobject_cast<QAbstractSpinBox*>(w) != nullptr ||
                             qobject_cast<QComboBox*>(w) != nullptr ||
                             qobject_cast<QLineEdit*>(w) != nullptr ||
                             qobject_cast<QAbstractButton*>(w) != nullptr ||
                             (group != nullptr && group->isCheckable());
        if (editing) {
            ++controls;
            EXPECT_FALSE(w->objectName().isEmpty()) << w->metaObject()->className();
            EXPECT_FALSE(w->toolTip().isEmpty()) << w->objectName().toStdString();
        }
    }
    EXPECT_GT(controls, 80);
}

TEST(ScenePanel, EveryVisibleSpinBoxIsOneUndoableEditOfTheScene)
{
    Fixture f(coneScene());
    auto* tabs = f.panel.findChild<QTabWidget*>();
    ASSERT_NE(tabs, nullptr);
    int tried = 0;
    for (int page = 0; page < tabs->count(); ++page) {
        tabs->setCurrentIndex(page);
        for (QDoubleSpinBox* spin : tabs->widget(page)->findChildren<QDoubleSpinBox*>()) {
            if (!spin->isVisibleTo(&f.panel) || !spin->isEnabled()) {
                continue;
            }
            ++tried;
            const std::string before = toJson(f.document.scene());
            const double old = spin->value();
            const double next = old + spin->singleStep() <= spin->maximum()
                                    ? old + spin->singleStep()
                                    : old - spin->singleStep();
            spin->setValue(next);
            EXPECT_EQ(f.document.undoStack()->count(), 1) << spin->objectName().toStdString();
            EXPECT_NE(toJson(f.document.scene()), before) << spin->objectName().toStdString();
            f.document.undoStack()->undo();
            EXPECT_EQ(toJson(f.document.scene()), before) << spin->objectName().toStdString();
            EXPECT_DOUBLE_EQ(spin->value(), old) << spin->objectName().toStdString();
            f.document.reset(f.document.scene());
        }
        for (QSpinBox* spin : tabs->widget(page)->findChildren<QSpinBox*>()) {
            if (!spin->isVisibleTo(&f.panel) || !spin->isEnabled()) {
                continue;
            }
            ++tried;
            const std::string before = toJson(f.document.scene());
            const int old = spin->value();
            spin->setValue(old < spin->maximum() ? old + spin->singleStep()
                                                 : old - spin->singleStep());
            EXPECT_EQ(f.document.undoStack()->count(), 1) << spin->objectName().toStdString();
            f.document.undoStack()->undo();
            EXPECT_EQ(toJson(f.document.scene()), before) << spin->objectName().toStdString();
            EXPECT_EQ(spin->value(), old) << spin->objectName().toStdString();
            f.document.reset(f.document.scene());
        }
    }
    EXPECT_GT(tried, 25);
}

TEST(ScenePanel, PagesFitThePanelWidthAndAreDumpedOnRequest)
{
    Fixture f(coneScene());
    f.panel.resize(f.panel.sizeHint().width(), 900);
    f.panel.show();
    ASSERT_TRUE(QTest::qWaitForWindowExposed(&f.panel));
    auto* tabs = f.panel.findChild<QTabWidget*>();
    ASSERT_NE(tabs, nullptr);
    ASSERT_EQ(tabs->count(), 5);
    int tabsWidth = 0;
    for (int i = 0; i < tabs->count(); ++i) {
        tabsWidth += tabs->tabBar()->tabRect(i).width();
    }
    QTabBar probe; // the same titles at their natural width
    probe.setStyleSheet(tabs->styleSheet());
    probe.setElideMode(Qt::ElideNone);
    for (int i = 0; i < tabs->count(); ++i) {
        probe.addTab(tabs->tabText(i));
    }
    const int wanted = probe.sizeHint().width();
    EXPECT_LE(wanted, tabs->width()) << "every tab title shows in full";
    EXPECT_LE(tabsWidth, tabs->width());
    const char* names[] = {"panel-trajectory", "panel-detector", "panel-object", "panel-physics",
                           "panel-reconstruction"};
    const char* titles[] = {"Trajectory", "Detector", "Object", "Physics", "Reconstruction"};
    for (int i = 0; i < tabs->count(); ++i) {
        EXPECT_EQ(tabs->tabText(i), QString::fromUtf8(titles[i]));
        tabs->setCurrentIndex(i);
        QApplication::processEvents();
        auto* scroll = qobject_cast<QScrollArea*>(tabs->currentWidget());
        ASSERT_NE(scroll, nullptr);
        // No page needs more width than the panel gives it (there is no horizontal scroll bar).
        EXPECT_LE(scroll->widget()->minimumSizeHint().width(), scroll->viewport()->width())
            << titles[i];
        test::dumpImage(f.panel.grab().toImage(), names[i]);
    }

    // The groups that only some choices show: a helix with its pitch, an adaptive TV method.
    Scene other = coneScene();
    other.trajectory.kind = TrajectoryKind::Helical;
    other.reconstruction.algorithm = "asd-pocs";
    f.document.reset(other);
    for (int i : {0, 4}) {
        tabs->setCurrentIndex(i);
        QApplication::processEvents();
        auto* scroll = qobject_cast<QScrollArea*>(tabs->currentWidget());
        EXPECT_LE(scroll->widget()->minimumSizeHint().width(), scroll->viewport()->width())
            << titles[i];
        test::dumpImage(f.panel.grab().toImage(), i == 0 ? "panel-helical" : "panel-asd-pocs");
    }
}
} // namespace
} // namespace tomo::ui
