// MainWindow: construction, actions, menus, files, settings, layout. Running and displaying
// results is in main_window_run.cpp.
#include "tomo/ui/main_window.h"

#include "tomo/error.h"
#include "tomo/geometry_io.h"
#include "tomo/io.h"
#include "tomo/memory_plan.h"
#include "tomo/render/image_rgb.h"
#include "tomo/render/trajectory_scene.h"
#include "tomo/render/volume_scene.h"
#include "tomo/ui/compare_panel.h"
#include "tomo/ui/fbp_teaching_dialog.h"
#include "tomo/ui/geometry_check_panel.h"
#include "tomo/ui/image_view.h"
#include "tomo/ui/log_panel.h"
#include "tomo/ui/plot_panel.h"
#include "tomo/ui/scene_document.h"
#include "tomo/ui/scene_panel.h"
#include "tomo/ui/slice_pane.h"
#include "tomo/ui/tuning_panel.h"
#include "tomo/ui/vtk_host_widget.h"
#include "volume_files.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QCloseEvent>
#include <QComboBox>
#include <QDateTime>
#include <QDir>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QPainter>
#include <QProgressBar>
#include <QSettings>
#include <QSlider>
#include <QSplitter>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTabWidget>
#include <QTimer>
#include <QToolBar>
#include <QUndoStack>
#include <QVBoxLayout>
#include <vtkRenderWindow.h>
#include <vtkRenderer.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <exception>

namespace tomo::ui
{
namespace
{
// Closing the window waits this long for a cancelled run to return (it polls per batch).
constexpr std::chrono::milliseconds kCloseTimeout{3000};
// The scene is written to the autosave file this often while it has unsaved edits.
constexpr int kAutosaveIntervalMs = 60'000;
// File → Open Recent holds this many files.
constexpr int kMaxRecentFiles = 8;

const QString kRecentKey = QStringLiteral("files/recent");
const QString kLastDirKey = QStringLiteral("files/lastDirectory");
// The geometry export's choice of a plastimatch folder (one .txt matrix file per view).
const QString kPlastimatchFilter =
    QStringLiteral("plastimatch matrices (a folder name ending in /)");
const QString kGeometryKey = QStringLiteral("window/geometry");
const QString kStateKey = QStringLiteral("window/state");
const QString kLayoutKey = QStringLiteral("window/layout");

/// The example scenes: installed next to the executable, else in the source tree.
QString examplesFolder()
{
    const QStringList candidates{QDir(QCoreApplication::applicationDirPath())
                                     .filePath(QStringLiteral("../share/tomoscope/scenes")),
                                 QStringLiteral(TOMO_SOURCE_RESOURCES "/scenes")};
    for (const QString& path : candidates) {
        if (QFileInfo(path).isDir()) {
            return QDir::cleanPath(path);
        }
    }
    return {};
}

} // namespace

MainWindow::MainWindow(QString deviceChoice, QWidget* parent)
    : QMainWindow(parent), m_deviceChoice(std::move(deviceChoice)),
      m_document(new SceneDocument(this)),
      m_computeSlot(std::make_shared<std::shared_ptr<ComputeContext>>()),
      m_runner(new JobRunner(this)),
      m_trajectory(std::make_unique<render::TrajectoryScene>(
          m_document->scene().geometry(), m_document->scene().reconstructionGrid())),
      m_slices(std::make_unique<render::SliceViews>()),
      m_volumeScene(std::make_unique<render::VolumeScene>())
{
    setWindowTitle(tr("Tomoscope"));
    setAcceptDrops(true);
    resize(1440, 900);
    buildActions();
    buildCentral();
    buildDocks();
    buildMenus();
    buildStatusBar();
    connect(m_document, &SceneDocument::sceneChanged, this, &MainWindow::onSceneChanged);
    connect(m_document, &SceneDocument::modifiedChanged, this, &MainWindow::updateTitle);
    connect(m_document, &SceneDocument::filePathChanged, this, &MainWindow::updateTitle);
    m_statusTimer = new QTimer(this);
    m_statusTimer->setSingleShot(true);
    connect(m_statusTimer, &QTimer::timeout, this, &MainWindow::showPendingStatus);
    m_autosaveTimer = new QTimer(this);
    m_autosaveTimer->setInterval(kAutosaveIntervalMs);
    connect(m_autosaveTimer, &QTimer::timeout, this, [this] {
        if (m_document->isModified()) {
            (void)writeAutosave();
        }
    });
    m_autosaveTimer->start();
    restoreSettings();
    onSceneChanged();
    openDevice();
}

MainWindow::~MainWindow()
{
    shutDownJobs();
    for (vtkRenderer* renderer : m_trajectory->renderers()) {
        m_view3d->renderWindow()->RemoveRenderer(renderer);
    }
    m_volumeView->renderWindow()->RemoveRenderer(m_volumeScene->renderer());
    // The slice panes detach their renderers themselves; they die before m_slices (children are
    // deleted by ~QWidget, after this body, so detach them now).
    delete m_axial;
    delete m_coronal;
    delete m_sagittal;
}

void MainWindow::buildActions()
{
    m_newAction = new QAction(tr("&New scene"), this);
    m_newAction->setShortcut(QKeySequence::New);
    connect(m_newAction, &QAction::triggered, this, &MainWindow::onNewTriggered);
    m_openAction = new QAction(tr("&Open scene…"), this);
    m_openAction->setShortcut(QKeySequence::Open);
    connect(m_openAction, &QAction::triggered, this, &MainWindow::onOpenTriggered);
    m_saveAction = new QAction(tr("&Save"), this);
    m_saveAction->setShortcut(QKeySequence::Save);
    connect(m_saveAction, &QAction::triggered, this, [this] { (void)onSaveTriggered(); });
    m_saveAsAction = new QAction(tr("Save &as…"), this);
    m_saveAsAction->setShortcut(QKeySequence::SaveAs);
    connect(m_saveAsAction, &QAction::triggered, this, [this] { (void)onSaveAsTriggered(); });

    m_undoAction = m_document->undoStack()->createUndoAction(this, tr("&Undo"));
    m_undoAction->setShortcut(QKeySequence::Undo);
    m_redoAction = m_document->undoStack()->createRedoAction(this, tr("&Redo"));
    m_redoAction->setShortcut(QKeySequence::Redo);

    m_runAction = new QAction(tr("&Run"), this);
    m_runAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_R));
    m_runAction->setToolTip(tr("Simulate the projections and reconstruct them (Ctrl+R)"));
    connect(m_runAction, &QAction::triggered, this, [this] { (void)startRun(); });
    m_pauseAction = new QAction(tr("&Pause"), this);
    m_pauseAction->setCheckable(true);
    m_pauseAction->setShortcut(QKeySequence(Qt::Key_F8));
    m_pauseAction->setToolTip(tr("Hold the run at its next view batch or iteration (F8)"));
    connect(m_pauseAction, &QAction::toggled, this, &MainWindow::setPaused);
    m_stepAction = new QAction(tr("S&tep"), this);
    m_stepAction->setShortcut(QKeySequence(Qt::Key_F10));
    m_stepAction->setToolTip(tr("While paused: run one more view batch or iteration (F10)"));
    connect(m_stepAction, &QAction::triggered, this, &MainWindow::step);
    m_stopKeepAction = new QAction(tr("Stop and &keep"), this);
    m_stopKeepAction->setShortcut(QKeySequence(Qt::SHIFT | Qt::Key_Escape));
    m_stopKeepAction->setToolTip(
        tr("Stop now and keep the current estimate as the result (Shift+Esc)"));
    connect(m_stopKeepAction, &QAction::triggered, this, &MainWindow::stopAndKeep);
    m_cancelAction = new QAction(tr("&Cancel"), this);
    m_cancelAction->setShortcut(QKeySequence(Qt::Key_Escape));
    m_cancelAction->setToolTip(tr("Stop now and discard the run (Esc)"));
    connect(m_cancelAction, &QAction::triggered, this, &MainWindow::cancelRun);

    m_teachFbpAction = new QAction(tr("&Filtered backprojection, step by step…"), this);
    m_teachFbpAction->setToolTip(
        tr("Step view by view through the raw and filtered projections of the last run and the "
           "image accumulating"));
    connect(m_teachFbpAction, &QAction::triggered, this, [this] { (void)openFbpTeaching(); });

    m_keepAAction = new QAction(tr("Keep as &A"), this);
    m_keepAAction->setToolTip(tr("Keep this result as A in the Compare panel; change one thing "
                                 "and run again to see B beside it"));
    connect(m_keepAAction, &QAction::triggered, this, [this] { (void)keepAsReference(); });
    m_duplicateAAction = new QAction(tr("&Duplicate as A"), this);
    m_duplicateAAction->setToolTip(tr("Take the current experiment as A in the Compare panel; "
                                      "change one thing, then Run A and B"));
    connect(m_duplicateAAction, &QAction::triggered, this, &MainWindow::duplicateAsReference);
    m_runBothAction = new QAction(tr("Run A a&nd B"), this);
    m_runBothAction->setToolTip(tr("Run A's scene (unless its result is kept) and then the "
                                   "current scene as B, side by side in the Compare panel"));
    connect(m_runBothAction, &QAction::triggered, this, [this] { (void)runAAndB(); });

    const QStringList exports{tr("Reconstruction volume…"), tr("Projections…"), tr("Truth volume…"),
                              tr("Axial slice image (PNG)…"), tr("Geometry…")};
    for (const QString& what : exports) {
        auto* action = new QAction(what, this);
        connect(action, &QAction::triggered, this, [this, what] { onExportTriggered(what); });
        m_exportActions << action;
    }
}

void MainWindow::buildMenus()
{
    QMenu* fileMenu = menuBar()->addMenu(tr("&File"));
    fileMenu->addAction(m_newAction);
    fileMenu->addAction(m_openAction);
    m_recentMenu = fileMenu->addMenu(tr("Open &recent"));
    m_examplesMenu = fileMenu->addMenu(tr("&Examples"));
    fileMenu->addAction(m_saveAction);
    fileMenu->addAction(m_saveAsAction);
    fileMenu->addSeparator();
    QMenu* exportMenu = fileMenu->addMenu(tr("&Export"));
    exportMenu->addActions(m_exportActions);
    fileMenu->addSeparator();
    auto* quitAction = fileMenu->addAction(tr("&Quit"));
    quitAction->setShortcut(QKeySequence::Quit);
    connect(quitAction, &QAction::triggered, this, &QWidget::close);
    rebuildRecentMenu();
    rebuildExamplesMenu();

    QMenu* editMenu = menuBar()->addMenu(tr("&Edit"));
    editMenu->addAction(m_undoAction);
    editMenu->addAction(m_redoAction);

    QMenu* runMenu = menuBar()->addMenu(tr("&Run"));
    runMenu->addActions(
        {m_runAction, m_pauseAction, m_stepAction, m_stopKeepAction, m_cancelAction});
    QMenu* compareMenu = runMenu->addMenu(tr("C&ompare"));
    compareMenu->addActions({m_keepAAction, m_duplicateAAction, m_runBothAction});

    QMenu* teachMenu = menuBar()->addMenu(tr("&Teach"));
    teachMenu->addAction(m_teachFbpAction);
    m_artefactMenu = teachMenu->addMenu(tr("&Why this artefact"));
    connect(m_artefactMenu, &QMenu::aboutToShow, this, &MainWindow::rebuildArtefactMenu);
    rebuildArtefactMenu();

    m_viewMenu = menuBar()->addMenu(tr("&View"));
    QMenu* layoutMenu = m_viewMenu->addMenu(tr("&Layout"));
    m_layoutGroup = new QActionGroup(this);
    const std::array<std::pair<ViewLayout, QString>, 3> layouts{
        {{ViewLayout::ScanAndSlices, tr("Scan and slices")},
         {ViewLayout::Slices, tr("Slices and volume")},
         {ViewLayout::Scan, tr("Scan and projections")}}};
    int key = Qt::Key_1;
    for (const auto& [layout, name] : layouts) {
        QAction* action = layoutMenu->addAction(name);
        action->setCheckable(true);
        action->setShortcut(QKeySequence(Qt::CTRL | static_cast<Qt::Key>(key++)));
        action->setData(static_cast<int>(layout));
        m_layoutGroup->addAction(action);
        connect(action, &QAction::triggered, this,
                [this, layout = layout] { setViewLayout(layout); });
    }
    m_viewMenu->addSeparator();
    for (QDockWidget* dock : findChildren<QDockWidget*>()) {
        m_viewMenu->addAction(dock->toggleViewAction());
    }

    QToolBar* toolbar = addToolBar(tr("Main"));
    toolbar->setObjectName(QStringLiteral("mainToolBar"));
    toolbar->setMovable(false);
    toolbar->setToolButtonStyle(Qt::ToolButtonTextOnly);
    toolbar->addActions({m_newAction, m_openAction, m_saveAction});
    toolbar->addSeparator();
    toolbar->addActions({m_undoAction, m_redoAction});
    toolbar->addSeparator();
    toolbar->addActions(
        {m_runAction, m_pauseAction, m_stepAction, m_stopKeepAction, m_cancelAction});
    toolbar->addSeparator();
    auto* layoutCombo = new QComboBox;
    layoutCombo->setObjectName(QStringLiteral("layoutCombo"));
    for (const auto& [layout, name] : layouts) {
        layoutCombo->addItem(name, static_cast<int>(layout));
    }
    layoutCombo->setToolTip(tr("Which views fill the window (Ctrl+1, 2, 3)"));
    connect(layoutCombo, &QComboBox::activated, this, [this, layoutCombo](int index) {
        setViewLayout(static_cast<ViewLayout>(layoutCombo->itemData(index).toInt()));
    });
    connect(m_layoutGroup, &QActionGroup::triggered, layoutCombo, [layoutCombo](QAction* a) {
        layoutCombo->setCurrentIndex(layoutCombo->findData(a->data()));
    });
    toolbar->addWidget(new QLabel(tr("  Layout ")));
    toolbar->addWidget(layoutCombo);
}

void MainWindow::buildCentral()
{
    // The scan: 3D view, view scrubber, current projection and sinogram.
    m_view3d = new VtkHostWidget;
    m_view3d->setObjectName(QStringLiteral("trajectoryView"));
    m_view3d->renderWindow()->SetNumberOfLayers(2); // the scene and its orientation marker
    for (vtkRenderer* renderer : m_trajectory->renderers()) {
        m_view3d->renderWindow()->AddRenderer(renderer);
    }
    m_viewSlider = new QSlider(Qt::Horizontal);
    m_viewSlider->setObjectName(QStringLiteral("viewSlider"));
    m_viewSlider->setToolTip(tr("The current view: its detector and beam in 3D, its projection "
                                "below"));
    m_viewLabel = new QLabel;
    m_viewLabel->setMinimumWidth(190);
    connect(m_viewSlider, &QSlider::valueChanged, this,
            [this](int value) { setCurrentView(static_cast<std::size_t>(std::max(0, value))); });
    m_projection = new ImageView(tr("Projection"));
    m_sinogram = new ImageView(tr("Sinogram"));
    auto* images = new QSplitter(Qt::Horizontal);
    images->addWidget(m_projection);
    images->addWidget(m_sinogram);

    auto* top = new QWidget;
    auto* topLayout = new QVBoxLayout(top);
    topLayout->setContentsMargins(0, 0, 0, 0);
    topLayout->addWidget(m_view3d, 1);
    auto* sliderRow = new QHBoxLayout;
    sliderRow->setContentsMargins(6, 0, 6, 2);
    sliderRow->addWidget(m_viewLabel);
    sliderRow->addWidget(m_viewSlider, 1);
    topLayout->addLayout(sliderRow);
    auto* scanSplit = new QSplitter(Qt::Vertical);
    scanSplit->addWidget(top);
    scanSplit->addWidget(images);
    scanSplit->setStretchFactor(0, 3);
    scanSplit->setStretchFactor(1, 2);
    m_scanPane = scanSplit;

    // The slices and the volume, 2 x 2.
    using render::SliceOrientation;
    m_axial = new SlicePane(m_slices->scene(SliceOrientation::Axial), tr("Axial"));
    m_coronal = new SlicePane(m_slices->scene(SliceOrientation::Coronal), tr("Coronal"));
    m_sagittal = new SlicePane(m_slices->scene(SliceOrientation::Sagittal), tr("Sagittal"));
    for (SlicePane* pane : {m_axial, m_coronal, m_sagittal}) {
        const SliceOrientation orientation = pane->scene().orientation();
        pane->setObjectName(QString::fromUtf8(render::toString(orientation).data()) +
                            QStringLiteral("Slice"));
        connect(pane, &SlicePane::cursorPicked, this, &MainWindow::setCursor);
        connect(pane, &SlicePane::sliceStepped, this,
                [this, orientation](int steps) { stepSlice(orientation, steps); });
    }
    m_volumeView = new VtkHostWidget;
    m_volumeView->setObjectName(QStringLiteral("volumeView"));
    m_volumeView->renderWindow()->AddRenderer(m_volumeScene->renderer());
    auto* grid = new QWidget;
    auto* gridLayout = new QGridLayout(grid);
    gridLayout->setContentsMargins(0, 0, 0, 0);
    gridLayout->setSpacing(2);
    gridLayout->addWidget(m_axial, 0, 0);
    gridLayout->addWidget(m_coronal, 0, 1);
    gridLayout->addWidget(m_sagittal, 1, 0);
    gridLayout->addWidget(m_volumeView, 1, 1);
    m_slicesPane = grid;

    m_centralSplit = new QSplitter(Qt::Horizontal);
    m_centralSplit->addWidget(m_scanPane);
    m_centralSplit->addWidget(m_slicesPane);
    m_centralSplit->setStretchFactor(0, 1);
    m_centralSplit->setStretchFactor(1, 1);
    m_centralSplit->setSizes({560, 560});
    setCentralWidget(m_centralSplit);
}

void MainWindow::buildDocks()
{
    setDockOptions(QMainWindow::AnimatedDocks | QMainWindow::AllowTabbedDocks);
    auto addDock = [this](const QString& title, const QString& name, QWidget* widget,
                          Qt::DockWidgetArea area) {
        auto* dock = new QDockWidget(title, this);
        dock->setObjectName(name);
        dock->setWidget(widget);
        addDockWidget(area, dock);
        return dock;
    };
    m_scenePanel = new ScenePanel(*m_document);
    m_scenePanel->setObjectName(QStringLiteral("scenePanel"));
    addDock(tr("Scene"), QStringLiteral("sceneDock"), m_scenePanel, Qt::LeftDockWidgetArea);
    m_check = new GeometryCheckPanel;
    m_check->setObjectName(QStringLiteral("geometryCheck"));
    addDock(tr("Geometry check"), QStringLiteral("checkDock"), m_check, Qt::LeftDockWidgetArea);
    m_plots = new PlotPanel;
    m_plots->setObjectName(QStringLiteral("plots"));
    QDockWidget* plotDock =
        addDock(tr("Plots"), QStringLiteral("plotDock"), m_plots, Qt::BottomDockWidgetArea);
    m_compare = new ComparePanel;
    m_compare->setObjectName(QStringLiteral("compare"));
    connect(m_compare, &ComparePanel::duplicateRequested, this, &MainWindow::duplicateAsReference);
    connect(m_compare, &ComparePanel::runBothRequested, this, [this] { (void)runAAndB(); });
    QDockWidget* compareDock =
        addDock(tr("Compare"), QStringLiteral("compareDock"), m_compare, Qt::BottomDockWidgetArea);
    m_tune = new TuningPanel;
    m_tune->setObjectName(QStringLiteral("tune"));
    connect(m_tune, &TuningPanel::changed, this, &MainWindow::retune);
    QDockWidget* tuneDock =
        addDock(tr("Tune"), QStringLiteral("tuneDock"), m_tune, Qt::BottomDockWidgetArea);
    m_log = new LogPanel;
    m_log->setObjectName(QStringLiteral("log"));
    QDockWidget* logDock =
        addDock(tr("Log"), QStringLiteral("logDock"), m_log, Qt::BottomDockWidgetArea);
    splitDockWidget(plotDock, logDock, Qt::Horizontal);
    tabifyDockWidget(plotDock, compareDock);
    tabifyDockWidget(plotDock, tuneDock);
    plotDock->raise();
    resizeDocks({plotDock, logDock}, {3, 2}, Qt::Horizontal);
    resizeDocks({plotDock}, {230}, Qt::Vertical);
}

void MainWindow::buildStatusBar()
{
    m_deviceLabel = new QLabel(tr("Device: opening…"));
    m_memoryLabel = new QLabel;
    m_stageLabel = new QLabel(tr("Idle"));
    m_stageLabel->setMinimumWidth(160);
    m_timeLabel = new QLabel;
    m_timeLabel->setMinimumWidth(110);
    m_progress = new QProgressBar;
    m_progress->setRange(0, 1000);
    m_progress->setValue(0);
    m_progress->setMaximumWidth(220);
    m_metricsLabel = new QLabel;
    m_metricsLabel->setMinimumWidth(230);
    statusBar()->addWidget(m_deviceLabel);
    statusBar()->addWidget(m_memoryLabel);
    statusBar()->addWidget(m_stageLabel, 1);
    statusBar()->addPermanentWidget(m_metricsLabel);
    statusBar()->addPermanentWidget(m_timeLabel);
    statusBar()->addPermanentWidget(m_progress);
    updateActions();
}

void MainWindow::openDevice()
{
    const auto slot = m_computeSlot;
    const std::string choice = m_deviceChoice.toStdString();
    Job* job = m_runner->start(tr("open device"), [slot, choice](RunContext&) -> std::any {
        if (!*slot) {
            *slot = ComputeContext::create(choice);
        }
        return (*slot)->device();
    });
    connect(job, &Job::finished, this, [this, job](JobState state) {
        if (state == JobState::Succeeded) {
            m_deviceInfo = std::any_cast<DeviceInfo>(job->result());
            const QString label = QString::fromStdString(m_deviceInfo->label());
            m_deviceLabel->setText(tr("Device: %1").arg(label));
            updateMemoryEstimate();
            m_log->appendLine(QStringLiteral("info"), tr("compute device: %1").arg(label));
        } else if (state == JobState::Failed) {
            m_deviceLabel->setText(tr("Device: unavailable"));
            showError(tr("No compute device"), job->errorMessage());
        }
        job->deleteLater();
    });
}

// ---- Settings and files ------------------------------------------------------------------

void MainWindow::restoreSettings()
{
    QSettings settings;
    if (settings.contains(kGeometryKey)) {
        restoreGeometry(settings.value(kGeometryKey).toByteArray());
    }
    if (settings.contains(kStateKey)) {
        restoreState(settings.value(kStateKey).toByteArray());
    }
    const int layout =
        settings.value(kLayoutKey, static_cast<int>(ViewLayout::ScanAndSlices)).toInt();
    setViewLayout(layout >= 0 && layout <= static_cast<int>(ViewLayout::Scan)
                      ? static_cast<ViewLayout>(layout)
                      : ViewLayout::ScanAndSlices);
}

void MainWindow::saveSettings()
{
    QSettings settings;
    settings.setValue(kGeometryKey, saveGeometry());
    settings.setValue(kStateKey, saveState());
    settings.setValue(kLayoutKey, static_cast<int>(m_layout));
}

QStringList MainWindow::recentFiles() const
{
    return QSettings().value(kRecentKey).toStringList();
}

void MainWindow::addRecentFile(const QString& path)
{
    const QString absolute = QFileInfo(path).absoluteFilePath();
    QStringList files = recentFiles();
    files.removeAll(absolute);
    files.prepend(absolute);
    while (files.size() > kMaxRecentFiles) {
        files.removeLast();
    }
    QSettings settings;
    settings.setValue(kRecentKey, files);
    settings.setValue(kLastDirKey, QFileInfo(absolute).absolutePath());
    rebuildRecentMenu();
}

void MainWindow::rebuildRecentMenu()
{
    m_recentMenu->clear();
    const QStringList files = recentFiles();
    for (const QString& file : files) {
        QAction* action = m_recentMenu->addAction(QFileInfo(file).fileName());
        action->setToolTip(file);
        connect(action, &QAction::triggered, this, [this, file] {
            if (maybeSave()) {
                (void)openSceneFile(file);
            }
        });
    }
    m_recentMenu->setEnabled(!files.isEmpty());
}

void MainWindow::rebuildExamplesMenu()
{
    m_examplesMenu->clear();
    const QString folder = examplesFolder();
    const QFileInfoList scenes =
        folder.isEmpty()
            ? QFileInfoList{}
            : QDir(folder).entryInfoList({QStringLiteral("*.json")}, QDir::Files, QDir::Name);
    for (const QFileInfo& info : scenes) {
        QString name = info.fileName();
        try {
            name = QString::fromStdString(loadScene(info.absoluteFilePath().toStdString()).name);
        } catch (const std::exception&) {
            // A broken example is still listed by its file name; opening it says what is wrong.
        }
        QAction* action = m_examplesMenu->addAction(name);
        action->setToolTip(info.fileName());
        const QString path = info.absoluteFilePath();
        connect(action, &QAction::triggered, this, [this, path] {
            if (maybeSave()) {
                (void)openSceneFile(path);
            }
        });
    }
    m_examplesMenu->setEnabled(!scenes.isEmpty());
}

bool MainWindow::openSceneFile(const QString& path)
{
    Scene scene;
    try {
        scene = loadScene(path.toStdString());
    } catch (const std::exception& e) {
        showError(tr("Cannot open scene"),
                  tr("%1\n\n%2").arg(QFileInfo(path).fileName(), QString::fromUtf8(e.what())));
        return false;
    }
    discardRun();
    m_document->reset(scene, QFileInfo(path).absoluteFilePath());
    addRecentFile(path);
    m_log->appendLine(QStringLiteral("info"), tr("opened %1").arg(path));
    if (!m_document->isValid()) {
        showError(tr("The scene cannot run yet"), m_document->validationError());
    }
    return true;
}

bool MainWindow::saveSceneFile(const QString& path)
{
    try {
        m_document->saveAs(path);
    } catch (const std::exception& e) {
        showError(tr("Cannot save scene"), QString::fromUtf8(e.what()));
        return false;
    }
    addRecentFile(path);
    m_log->appendLine(QStringLiteral("info"), tr("saved %1").arg(path));
    return true;
}

bool MainWindow::setScene(const Scene& scene, const QString& sourceName)
{
    try {
        scene.validate();
    } catch (const std::exception& e) {
        showError(tr("Invalid scene"), QString::fromUtf8(e.what()));
        return false;
    }
    discardRun();
    m_document->reset(scene);
    m_stageLabel->setText(tr("Scene: %1").arg(sourceName));
    return true;
}

const Scene& MainWindow::scene() const
{
    return m_document->scene();
}

void MainWindow::onNewTriggered()
{
    if (!maybeSave()) {
        return;
    }
    discardRun();
    m_document->reset(Scene{});
}

void MainWindow::onOpenTriggered()
{
    if (!maybeSave()) {
        return;
    }
    const QString dir = QSettings().value(kLastDirKey, examplesFolder()).toString();
    const QString path =
        QFileDialog::getOpenFileName(this, tr("Open scene"), dir, tr("Tomoscope scenes (*.json)"));
    if (!path.isEmpty()) {
        (void)openSceneFile(path);
    }
}

bool MainWindow::onSaveTriggered()
{
    if (m_document->filePath().isEmpty()) {
        return onSaveAsTriggered();
    }
    return saveSceneFile(m_document->filePath());
}

bool MainWindow::onSaveAsTriggered()
{
    const QString dir = QSettings().value(kLastDirKey, QDir::homePath()).toString();
    QString path = QFileDialog::getSaveFileName(this, tr("Save scene"),
                                                QDir(dir).filePath(m_document->displayName()),
                                                tr("Tomoscope scenes (*.json)"));
    if (path.isEmpty()) {
        return false;
    }
    if (!path.endsWith(QStringLiteral(".json"), Qt::CaseInsensitive)) {
        path += QStringLiteral(".json");
    }
    return saveSceneFile(path);
}

bool MainWindow::maybeSave()
{
    if (!m_document->isModified()) {
        return true;
    }
    const auto answer = QMessageBox::question(
        this, tr("Unsaved scene"),
        tr("%1 has unsaved changes. Save them first?").arg(m_document->displayName()),
        QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel, QMessageBox::Save);
    if (answer == QMessageBox::Cancel) {
        return false;
    }
    return answer == QMessageBox::Discard || onSaveTriggered();
}

void MainWindow::updateTitle()
{
    setWindowTitle(tr("%1%2 — Tomoscope")
                       .arg(m_document->displayName(),
                            m_document->isModified() ? QStringLiteral(" *") : QString()));
    setWindowModified(m_document->isModified());
}

QString MainWindow::autosavePath()
{
    QString dir = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
    if (dir.isEmpty()) {
        dir = QDir::tempPath();
    }
    return QDir(dir).filePath(QStringLiteral("autosave.json"));
}

bool MainWindow::writeAutosave()
{
    const QString path = autosavePath();
    try {
        QDir().mkpath(QFileInfo(path).absolutePath());
        saveScene(m_document->scene(), path.toStdString());
    } catch (const std::exception& e) {
        m_log->appendLine(QStringLiteral("warning"),
                          tr("autosave to %1 failed: %2").arg(path, QString::fromUtf8(e.what())));
        return false;
    }
    return true;
}

bool MainWindow::recoverAutosave()
{
    const QString path = autosavePath();
    Scene scene;
    try {
        scene = loadScene(path.toStdString());
    } catch (const std::exception& e) {
        showError(tr("Cannot recover the autosave"), QString::fromUtf8(e.what()));
        return false;
    }
    discardRun();
    m_document->recover(scene);
    m_log->appendLine(QStringLiteral("info"), tr("recovered the unsaved scene from %1").arg(path));
    return true;
}

namespace
{
// What a file dropped on the window becomes: a scene to open, or the scene's object.
enum class DroppedFile
{
    None,
    Scene,   // .json: opened as the scene
    Phantom, // .phm (CTSim): the object becomes this phantom file
    Volume,  // a volume file or a folder (a DICOM series): the object becomes this CT volume
};

DroppedFile classifyDrop(const QUrl& url)
{
    if (!url.isLocalFile()) {
        return DroppedFile::None;
    }
    const QString path = url.toLocalFile();
    const QString lower = path.toLower();
    if (lower.endsWith(QStringLiteral(".json"))) {
        return DroppedFile::Scene;
    }
    if (lower.endsWith(QStringLiteral(".phm"))) {
        return DroppedFile::Phantom;
    }
    if (detail::hasVolumeFileSuffix(path)) {
        return DroppedFile::Volume;
    }
    return QFileInfo(path).isDir() ? DroppedFile::Volume : DroppedFile::None;
}
} // namespace

void MainWindow::dragEnterEvent(QDragEnterEvent* event)
{
    if (event->mimeData()->hasUrls()) {
        for (const QUrl& url : event->mimeData()->urls()) {
            if (classifyDrop(url) != DroppedFile::None) {
                event->acceptProposedAction();
                return;
            }
        }
    }
}

void MainWindow::dropEvent(QDropEvent* event)
{
    for (const QUrl& url : event->mimeData()->urls()) {
        const DroppedFile kind = classifyDrop(url);
        if (kind == DroppedFile::None) {
            continue;
        }
        event->acceptProposedAction();
        const QString path = url.toLocalFile();
        if (kind == DroppedFile::Scene) {
            if (maybeSave()) {
                (void)openSceneFile(path);
            }
            return;
        }
        // A phantom or volume becomes the object of the current scene: one undoable edit.
        const bool volume = kind == DroppedFile::Volume;
        (void)m_document->modify(
            (volume ? tr("Object: CT volume %1") : tr("Object: phantom file %1"))
                .arg(QDir::toNativeSeparators(path)),
            [&path, volume](Scene& s) {
                s.object = {};
                s.object.phantom = volume ? "volume" : "file";
                s.object.path = path.toStdString();
            });
        m_log->appendLine(QStringLiteral("info"),
                          tr("the object is now %1").arg(QDir::toNativeSeparators(path)));
        return;
    }
}

QString plastimatchExportFilter()
{
    return kPlastimatchFilter;
}

GeometryFormat geometryExportFormat(const QString& path, const QString& selectedFilter)
{
    if (selectedFilter == kPlastimatchFilter || path.endsWith(u'/') || QFileInfo(path).isDir()) {
        return GeometryFormat::PlastimatchDir;
    }
    return path.endsWith(QStringLiteral(".xml"))     ? GeometryFormat::Rtk
           : path.endsWith(QStringLiteral(".astra")) ? GeometryFormat::Astra
           : path.endsWith(QStringLiteral(".csv"))   ? GeometryFormat::Matrices
                                                     : GeometryFormat::Json;
}

void MainWindow::onExportTriggered(const QString& what)
{
    const QString dir = QSettings().value(kLastDirKey, QDir::homePath()).toString();
    const bool needsResult = what != m_exportActions.back()->text();
    if (needsResult && !m_result) {
        showError(tr("Nothing to export"),
                  tr("Run the scene first: %1 comes from a run.").arg(what.chopped(1).toLower()));
        return;
    }
    const int index = static_cast<int>(std::find_if(m_exportActions.begin(), m_exportActions.end(),
                                                    [&](QAction* a) { return a->text() == what; }) -
                                       m_exportActions.begin());
    const QStringList filters{
        tr("Volumes (*.nii.gz *.nii *.mha *.nrrd);;DICOM series (a folder name ending in /)"),
        tr("Projections (*.mha *.nii.gz *.nrrd)"), tr("Volumes (*.nii.gz *.nii *.mha *.nrrd)"),
        tr("PNG images (*.png)"),
        tr("Tomoscope geometry (*.json);;RTK geometry (*.xml);;ASTRA vectors (*.astra);;"
           "Projection matrices (*.csv);;%1")
            .arg(kPlastimatchFilter)};
    QString selectedFilter;
    const QString path = QFileDialog::getSaveFileName(this, tr("Export %1").arg(what.chopped(1)),
                                                      dir, filters.value(index), &selectedFilter);
    if (path.isEmpty()) {
        return;
    }
    try {
        const std::filesystem::path target = path.toStdString();
        switch (index) {
        case 0:
            writeVolume(*m_result->reconstruction, target);
            break;
        case 1:
            writeProjections(*m_result->projections, target, m_result->reconstruction->meta());
            break;
        case 2:
            writeVolume(*m_result->truth, target);
            break;
        case 3: {
            const QImage image = m_axial->grabFramebuffer();
            if (image.isNull() || !image.save(path)) {
                throw IoError("cannot write the image " + target.string());
            }
            break;
        }
        default: {
            exportGeometry(m_document->scene().geometry(), target,
                           geometryExportFormat(path, selectedFilter));
            break;
        }
        }
    } catch (const std::exception& e) {
        showError(tr("Export failed"), QString::fromUtf8(e.what()));
        return;
    }
    m_log->appendLine(QStringLiteral("info"), tr("exported %1 to %2").arg(what.chopped(1), path));
}

QDialog* MainWindow::openFbpTeaching()
{
    if (!m_result || !m_result->projections) {
        showError(tr("Nothing to teach from yet"),
                  tr("Run the scene first: the teaching view steps through its projections."));
        return nullptr;
    }
    // The scene the result came from (the document may have changed since).
    const Scene& scene = m_resultScene;
    // The grey window: the truth's range in μ (the image brightens towards it as views add up).
    std::pair<float, float> window{0.0F, 1.0F};
    if (m_truth && m_truth->meta().unit != ValueUnit::Hu) {
        window = {m_truthWindow->low, m_truthWindow->high};
    } else if (m_result->reconstruction && m_result->reconstruction->meta().unit != ValueUnit::Hu) {
        const render::Window w = render::autoWindow(m_result->reconstruction->data());
        window = {w.low, w.high};
    }
    FbpOptions options = scene.reconstruction.fbp;
    options.hu = false;
    QDialog* dialog = nullptr;
    try {
        dialog = new FbpTeachingDialog(m_result->projections, scene.reconstructionGrid(), options,
                                       m_slices->cursor().z, window, this);
    } catch (const std::exception& e) {
        showError(tr("No filtered backprojection for this scan"), QString::fromUtf8(e.what()));
        return nullptr;
    }
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->show();
    return dialog;
}

bool MainWindow::keepAsReference()
{
    if (!m_result || !m_result->reconstruction) {
        showError(tr("Nothing to keep yet"), tr("Run the scene first: A is a run's result."));
        return false;
    }
    m_compare->setA(m_result->reconstruction, m_result->truth, describeScene(m_resultScene),
                    QString::fromStdString(toJson(m_resultScene)));
    m_compare->setCursor(m_slices->cursor());
    m_sceneA = m_resultScene;
    showCompareDock();
    updateActions();
    return true;
}

void MainWindow::showCompareDock()
{
    if (auto* dock = findChild<QDockWidget*>(QStringLiteral("compareDock"))) {
        dock->show();
        dock->raise();
    }
}

void MainWindow::duplicateAsReference()
{
    if (m_result && m_result->reconstruction && !resultIsStale()) {
        (void)keepAsReference();
        return;
    }
    const Scene& scene = m_document->scene();
    m_sceneA = scene;
    m_compare->setPendingA(describeScene(scene), QString::fromStdString(toJson(scene)));
    showCompareDock();
    m_log->appendLine(
        QStringLiteral("info"),
        tr("compare: A is %1; change one thing, then Run A and B").arg(describeScene(scene)));
    updateActions();
}

bool MainWindow::runAAndB()
{
    if (m_run) {
        showError(tr("A run is going"), tr("Wait for it to finish, or cancel it first."));
        return false;
    }
    if (!m_sceneA) {
        showError(tr("No A to compare with"),
                  tr("Use Run → Compare → Duplicate as A (or Keep as A after a run), change one "
                     "thing, then Run A and B."));
        return false;
    }
    if (!m_document->isValid()) {
        showError(tr("The scene cannot run"), m_document->validationError());
        return false;
    }
    const Scene b = m_document->scene();
    const Scene a = *m_sceneA;
    if (m_compare->hasA() && m_compare->sceneA() == QString::fromStdString(toJson(a))) {
        // A's result is kept: only B needs running; onRunFinished shows it beside A.
        m_log->appendLine(QStringLiteral("info"), tr("compare: A is kept; running B"));
        return startRunOf(b) != nullptr;
    }
    m_log->appendLine(
        QStringLiteral("info"),
        tr("compare: running A (%1), then B (%2)").arg(describeScene(a), describeScene(b)));
    m_afterRun = [this, b] {
        (void)keepAsReference();
        m_afterRun = nullptr;
        if (startRunOf(b) != nullptr) {
            m_stageLabel->setText(tr("Now B…"));
        }
    };
    if (startRunOf(a) == nullptr) {
        m_afterRun = nullptr;
        return false;
    }
    m_stageLabel->setText(tr("First A…"));
    return true;
}

void MainWindow::rebuildArtefactMenu()
{
    m_artefactMenu->clear();
    const std::vector<PhysicsEffect> effects = activeEffects(m_document->scene().physics);
    for (const PhysicsEffect& effect : effects) {
        const QString key = QString::fromStdString(effect.key);
        QAction* action = m_artefactMenu->addAction(
            tr("Run without and with %1").arg(QString::fromStdString(effect.label)));
        connect(action, &QAction::triggered, this, [this, key] { (void)explainEffect(key); });
    }
    if (effects.empty()) {
        m_artefactMenu->addAction(tr("No physics effect is on: switch one on in the Physics page"))
            ->setEnabled(false);
    }
}

bool MainWindow::explainEffect(const QString& key)
{
    if (m_run) {
        showError(tr("A run is going"), tr("Wait for it to finish, or cancel it first."));
        return false;
    }
    const Scene with = m_document->scene();
    Scene without = with;
    const auto effects = activeEffects(with.physics);
    const auto it = std::find_if(effects.begin(), effects.end(), [&](const PhysicsEffect& e) {
        return QString::fromStdString(e.key) == key;
    });
    if (it == effects.end()) {
        showError(tr("Effect not on"), tr("%1 is not switched on in this scene.").arg(key));
        return false;
    }
    const QString label = QString::fromStdString(it->label);
    without.physics = withoutEffect(with.physics, key.toStdString());
    m_log->appendLine(
        QStringLiteral("info"),
        tr("why this artefact: the scene without %1 (A), then with it (B)").arg(label));
    m_afterRun = [this, with, label] {
        (void)keepAsReference();
        m_afterRun = nullptr;
        if (startRunOf(with) != nullptr) {
            m_stageLabel->setText(tr("Now with %1 (B)…").arg(label));
        }
    };
    if (startRunOf(without) == nullptr) {
        m_afterRun = nullptr;
        return false;
    }
    m_stageLabel->setText(tr("First without %1 (A)…").arg(label));
    return true;
}

// ---- Layout -------------------------------------------------------------------------------

void MainWindow::setViewLayout(ViewLayout layout)
{
    m_layout = layout;
    for (QAction* action : m_layoutGroup->actions()) {
        action->setChecked(action->data().toInt() == static_cast<int>(layout));
    }
    applyLayout();
}

void MainWindow::applyLayout()
{
    const bool threeD = m_grid && !m_grid->is2D();
    m_scanPane->setVisible(m_layout != ViewLayout::Slices);
    m_slicesPane->setVisible(m_layout != ViewLayout::Scan);
    // A 2D grid has only an axial slice: the other panes would be strips one pixel high.
    m_coronal->setVisible(threeD);
    m_sagittal->setVisible(threeD);
    m_volumeView->setVisible(threeD);
}

void MainWindow::showError(const QString& title, const QString& text)
{
    m_lastError = text;
    m_log->appendLine(QStringLiteral("error"), text);
    // Non-blocking: the event loop (and any run) goes on while the box is up.
    auto* box = new QMessageBox(QMessageBox::Warning, title, text, QMessageBox::Ok, this);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
}

QString MainWindow::memoryText() const
{
    return m_memoryLabel->text();
}

QString MainWindow::memoryToolTip() const
{
    return m_memoryLabel->toolTip();
}

QString MainWindow::deviceText() const
{
    return m_deviceLabel->text();
}

QString MainWindow::metricsText() const
{
    return m_metricsLabel->text();
}

QString MainWindow::stageText() const
{
    return m_stageLabel->text();
}

SlicePane* MainWindow::slicePane(render::SliceOrientation orientation) const
{
    switch (orientation) {
    case render::SliceOrientation::Axial:
        return m_axial;
    case render::SliceOrientation::Coronal:
        return m_coronal;
    case render::SliceOrientation::Sagittal:
        return m_sagittal;
    }
    return m_axial;
}

QImage MainWindow::grabWindow()
{
    QImage image = grab().toImage();
    // Some platforms grab an OpenGL child as black; paint its framebuffer over it.
    QPainter painter(&image);
    for (VtkHostWidget* gl : findChildren<VtkHostWidget*>()) {
        if (!gl->isVisible()) {
            continue;
        }
        const QImage frame = gl->grabFramebuffer();
        if (!frame.isNull()) {
            painter.drawImage(QRect(gl->mapTo(this, QPoint(0, 0)), gl->size()), frame);
        }
        // The widgets over the GL frame (the slice panes' titles).
        for (QWidget* child : gl->findChildren<QWidget*>(Qt::FindDirectChildrenOnly)) {
            if (child->isVisible()) {
                painter.drawPixmap(child->mapTo(this, QPoint(0, 0)), child->grab());
            }
        }
    }
    return image;
}

std::vector<std::pair<QString, QImage>> MainWindow::grabPanels()
{
    std::vector<std::pair<QString, QImage>> out;
    const auto settle = [] {
        QCoreApplication::processEvents(QEventLoop::AllEvents, 100);
    };
    const QImage window = grabWindow();
    out.emplace_back(QStringLiteral("window"), window);
    if (QWidget* central = centralWidget()) {
        out.emplace_back(QStringLiteral("views"),
                         window.copy(QRect(central->mapTo(this, QPoint(0, 0)), central->size())));
    }
    const auto grabDock = [this](const QString& dockName) {
        auto* dock = findChild<QDockWidget*>(dockName);
        return dock != nullptr ? dock->grab().toImage() : QImage();
    };
    // Each tab of a tab widget inside `dockName`, named prefix-<tab text>.
    const auto grabTabs = [&](const QString& dockName, QTabWidget* tabs, const QString& prefix) {
        if (tabs == nullptr) {
            return;
        }
        const int before = tabs->currentIndex();
        for (int i = 0; i < tabs->count(); ++i) {
            tabs->setCurrentIndex(i);
            settle();
            out.emplace_back(prefix + tabs->tabText(i).toLower().remove(QLatin1Char('&')),
                             grabDock(dockName));
        }
        tabs->setCurrentIndex(before);
    };
    grabTabs(QStringLiteral("sceneDock"), m_scenePanel->findChild<QTabWidget*>(),
             QStringLiteral("scene-"));
    out.emplace_back(QStringLiteral("geometry-check"), grabDock(QStringLiteral("checkDock")));
    grabTabs(QStringLiteral("plotDock"), m_plots->findChild<QTabWidget*>(),
             QStringLiteral("plots-"));
    for (const auto& [dockName, name] :
         {std::pair{QStringLiteral("compareDock"), QStringLiteral("compare")},
          std::pair{QStringLiteral("tuneDock"), QStringLiteral("tune")}}) {
        if (auto* dock = findChild<QDockWidget*>(dockName)) {
            dock->raise();
            settle();
            out.emplace_back(name, dock->grab().toImage());
        }
    }
    if (auto* plots = findChild<QDockWidget*>(QStringLiteral("plotDock"))) {
        plots->raise();
    }
    out.emplace_back(QStringLiteral("log"), grabDock(QStringLiteral("logDock")));
    return out;
}

void MainWindow::shutDownJobs()
{
    m_runner->cancelAll();
    (void)m_runner->waitForIdle(kCloseTimeout);
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    if (!maybeSave()) {
        event->ignore();
        return;
    }
    saveSettings();
    shutDownJobs();
    QFile::remove(autosavePath());
    event->accept();
}
} // namespace tomo::ui
