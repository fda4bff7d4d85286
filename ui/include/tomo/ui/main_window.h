#pragma once

#include "tomo/compute.h"
#include "tomo/geometry_io.h"
#include "tomo/pipeline.h"
#include "tomo/render/projection_view.h"
#include "tomo/render/slice_views.h"
#include "tomo/scene.h"
#include "tomo/ui/job_runner.h"

#include <QElapsedTimer>
#include <QImage>
#include <QMainWindow>
#include <QPointer>
#include <QString>
#include <QStringList>

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

class QAction;
class QActionGroup;
class QComboBox;
class QDialog;
class QLabel;
class QMenu;
class QProgressBar;
class QSlider;
class QSplitter;
class QTimer;

namespace tomo::render
{
class TrajectoryScene;
class VolumeScene;
} // namespace tomo::render

namespace tomo::ui
{
class ComparePanel;
class GeometryCheckPanel;
class ImageView;
class LogPanel;
class PlotPanel;
class SceneDocument;
class ScenePanel;
class SlicePane;
class TuningPanel;
class VtkHostWidget;

/// What a finished run job returns (Job::result() holds one).
struct RunOutcome
{
    RunResult result;
    std::string deviceLabel;
};

/// How the central area is split (View → Layout).
enum class ViewLayout
{
    ScanAndSlices, ///< the 3D scan with its projections beside the slice views (default)
    Slices,        ///< the slice views (and the volume view of a 3D grid) only
    Scan,          ///< the 3D scan and its projections only
};

/// The geometry format the Export → Geometry action writes to `path`: a folder of plastimatch
/// matrix files where the dialog's plastimatchExportFilter() was chosen, the path ends in '/' or
/// names an existing folder; else by suffix: .xml RTK, .astra ASTRA vectors, .csv projection
/// matrices, anything else Tomoscope's JSON.
[[nodiscard]] GeometryFormat geometryExportFormat(const QString& path,
                                                  const QString& selectedFilter = {});
/// The file-dialog filter of the geometry export that chooses a plastimatch folder.
[[nodiscard]] QString plastimatchExportFilter();

/// The main window (issue 9): a scene panel (Trajectory, Detector, Object, Physics,
/// Reconstruction) and the geometry check on the left; the 3D scan with its view scrubber, the
/// current projection and the sinogram; three linked slice views and a volume view; plots
/// (convergence, profile) and the log below; a toolbar with Run, Pause, Step, Stop and keep,
/// Cancel; a status bar with the device, the memory estimate, the stage, the time left and the
/// metrics.
///
/// The scene lives in a SceneDocument (undo/redo of every edit, New/Open/Save/Save As, recent
/// files, autosave). All work runs on the window's JobRunner; the UI thread never waits for a
/// job (except, bounded, when the window closes). Editing the scene during a run is allowed: the
/// run goes on with the scene it started from and its result is marked stale. Errors a user
/// causes open a message box (non-blocking) and are kept in lastError().
class MainWindow : public QMainWindow
{
    Q_OBJECT

public:
    /// Sinogram rows not yet simulated are drawn in this colour, distinct from any grey level.
    static constexpr QRgb kPendingSinogramRow = 0xFF283040;

    /// `deviceChoice` as ComputeContext::create takes it (empty: TOMO_CL_DEVICE or "auto").
    /// The device is opened at once, off the UI thread.
    explicit MainWindow(QString deviceChoice = {}, QWidget* parent = nullptr);
    ~MainWindow() override;
    MainWindow(const MainWindow&) = delete;
    MainWindow& operator=(const MainWindow&) = delete;

    /// Loads a scene file into a fresh document (undo history emptied) and adds it to the recent
    /// files; on failure shows a message box, keeps the current scene and returns false.
    bool openSceneFile(const QString& path);
    /// Saves the scene to `path` (atomically); on failure shows a message box and returns false.
    bool saveSceneFile(const QString& path);
    /// Shows `scene` in a fresh, unsaved document (cancelling a run in progress). Returns false
    /// (with a message box) and keeps the current scene if it is invalid.
    bool setScene(const Scene& scene, const QString& sourceName);
    [[nodiscard]] const Scene& scene() const;
    [[nodiscard]] SceneDocument& document() const { return *m_document; }

    /// Starts simulating and reconstructing the scene; returns the job, or nullptr if a run is
    /// already going or the scene is invalid (with a message box).
    Job* startRun();
    /// Keeps the last result as side A of the compare panel; the next runs show as B.
    bool keepAsReference();
    /// "Duplicate as A": the current experiment becomes A, with its result when that is up to
    /// date (not stale), else to be run by runAAndB. The user then changes one thing.
    void duplicateAsReference();
    /// "Run A and B": runs A's scene (unless its result is already kept) and then the current
    /// scene as B, which the compare panel shows beside A. Returns false (with a message) if a
    /// run is going, there is no A, or the scene cannot run.
    bool runAAndB();
    /// "Why this artefact": runs the scene with physics effect `key` (activeEffects) switched
    /// off, keeps that as A, then runs the scene as it is as B. Returns false (with a message)
    /// if a run is going or the effect is not on.
    bool explainEffect(const QString& key);
    /// Stops the run and discards its result; what is displayed stays.
    void cancelRun();
    /// Stops the run and keeps its current estimate as the result (an iterative run returns
    /// its last iterate; elsewhere the last preview is kept).
    void stopAndKeep();
    /// Pauses or resumes the run at its next safe point.
    void setPaused(bool paused);
    /// While paused: runs on to the next view batch or iteration.
    void step();
    [[nodiscard]] Job* currentRun() const { return m_run; }
    /// The result of the last run that succeeded or was stopped and kept.
    [[nodiscard]] const std::optional<RunResult>& lastResult() const { return m_result; }
    /// Whether the scene was edited since the run that made lastResult() started.
    [[nodiscard]] bool resultIsStale() const;

    [[nodiscard]] VtkHostWidget* trajectoryView() const { return m_view3d; }
    [[nodiscard]] ImageView* sinogramView() const { return m_sinogram; }
    [[nodiscard]] ImageView* projectionView() const { return m_projection; }
    [[nodiscard]] SlicePane* slicePane(render::SliceOrientation orientation) const;
    [[nodiscard]] VtkHostWidget* volumeView() const { return m_volumeView; }
    [[nodiscard]] render::SliceViews& sliceViews() const { return *m_slices; }
    [[nodiscard]] render::TrajectoryScene& trajectoryScene() const { return *m_trajectory; }
    [[nodiscard]] ScenePanel* scenePanel() const { return m_scenePanel; }
    [[nodiscard]] GeometryCheckPanel* checkPanel() const { return m_check; }
    [[nodiscard]] PlotPanel* plotPanel() const { return m_plots; }
    [[nodiscard]] ComparePanel* comparePanel() const { return m_compare; }
    [[nodiscard]] TuningPanel* tuningPanel() const { return m_tune; }
    [[nodiscard]] LogPanel* logPanel() const { return m_log; }
    [[nodiscard]] QSlider* viewSlider() const { return m_viewSlider; }
    [[nodiscard]] QString deviceText() const;
    /// The status bar's memory text: the host estimate and, on an OpenCL device, its memory plan
    /// (MemoryPlan: slabs and batches); the whole plan is in its tooltip.
    [[nodiscard]] QString memoryText() const;
    [[nodiscard]] QString memoryToolTip() const;
    [[nodiscard]] QString metricsText() const;
    [[nodiscard]] QString stageText() const;
    [[nodiscard]] const QString& lastError() const { return m_lastError; }
    [[nodiscard]] QStringList recentFiles() const;

    /// Opens the filtered-backprojection teaching view on the last result's projections (the
    /// axial slice through the cursor). Returns it, or nullptr with a message box where there is
    /// no result or its geometry has no analytic reconstruction.
    QDialog* openFbpTeaching();

    void setViewLayout(ViewLayout layout);
    [[nodiscard]] ViewLayout viewLayout() const { return m_layout; }

    /// Where the autosave of an unsaved or modified scene goes (the app's data folder).
    [[nodiscard]] static QString autosavePath();
    /// Writes the scene to autosavePath() (atomically). Done every kAutosaveInterval while the
    /// document is modified, and removed when the window closes normally.
    bool writeAutosave();

    /// Loads the autosave (after a crash) as a modified, unsaved scene. Returns false (with a
    /// message box) if it cannot be read; the file stays until the window closes normally.
    bool recoverAutosave();

    /// The whole window as an image, the OpenGL views included.
    [[nodiscard]] QImage grabWindow();

    /// A picture of each part of the window, for the user guide (`tomoscope
    /// --screenshot-panels DIR`): "window", "views" (the central area), "scene-trajectory" ...
    /// "scene-reconstruction" (each page of the scene panel), "geometry-check",
    /// "plots-convergence", "plots-profile", "compare", "tune" and "log", as (name, image). Turns
    /// pages and raises docks to draw them, then puts them back.
    [[nodiscard]] std::vector<std::pair<QString, QImage>> grabPanels();

signals:
    /// A run reached a final state (after the display was updated; the 3D view follows to the
    /// last view a moment later, on its own turn of the event loop).
    void runFinished(tomo::ui::JobState state);
    /// A preview was displayed; `viewsDone` of `views` sinogram rows are final.
    void previewShown(std::size_t viewsDone, std::size_t views);

protected:
    void closeEvent(QCloseEvent* event) override;
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    void buildActions();
    void buildMenus();
    void buildCentral();
    void buildDocks();
    void buildStatusBar();
    void openDevice();
    void restoreSettings();
    void saveSettings();

    void onSceneChanged();
    void onOpenTriggered();
    bool onSaveTriggered();
    bool onSaveAsTriggered();
    void onNewTriggered();
    void onExportTriggered(const QString& what);
    void addRecentFile(const QString& path);
    void rebuildRecentMenu();
    void rebuildExamplesMenu();
    /// Asks to save a modified scene; false if the user cancelled.
    bool maybeSave();
    void updateTitle();

    void onPreviewReady();
    void onRunFinished(JobState state);
    void onProgress(double fraction, const QString& message);
    /// Shows views [0, viewsDone) of `stack`'s middle row as the sinogram, drawing only the rows
    /// not on show yet while the window (their minimum and maximum so far) stays the same.
    void showSinogram(std::shared_ptr<const ProjectionStack> stack, std::size_t viewsDone);
    void clearSinogram();
    /// Shows the pending progress, stage and time left in the status bar.
    void showPendingStatus();
    /// Moves the view slider (the 3D view and the projection follow) to `view` kFollowDelayMs
    /// from now, unless another run has started by then.
    void followView(int view);
    /// m_progress->setValue, drawn at the next repaint of the window rather than at once.
    void setProgress(int value);
    /// Forgets them (the run's state on show replaces them).
    void dropPendingStatus();
    void showProjection();
    /// Sets the stack the sinogram and projection views show, `viewsDone` of its views final
    /// (only those are read: a live stack's later views are being written by the run).
    void setShownProjections(std::shared_ptr<const ProjectionStack> stack, std::size_t viewsDone);
    void showVolume(std::shared_ptr<const Volume> volume, bool final);
    void updateProfile();
    void setCursor(Vec3 worldMm);
    void stepSlice(render::SliceOrientation orientation, int steps);
    void setCurrentView(std::size_t view);
    void updateActions();
    /// Shows and raises the Compare dock (A was just set).
    void showCompareDock();
    void updateMemoryEstimate();
    /// Shows `text` (RMSE, PSNR, …) in the status bar, marked stale while the scene differs from
    /// the one the result was made from; an empty text clears it.
    void setMetrics(const QString& text);
    /// Remembers the truth of the run on show and its grey window (one pass per new truth).
    void setTruth(std::shared_ptr<const Volume> truth);
    void applyLayout();
    void showError(const QString& title, const QString& text);
    void shutDownJobs();
    void discardRun();
    Job* startRunOf(const Scene& scene);
    /// Reconstructs the tuned slice (TuningPanel), one job at a time: changes arriving while
    /// one runs are coalesced into the next.
    void retune();
    void rebuildArtefactMenu();

    QString m_deviceChoice;
    SceneDocument* m_document = nullptr;
    std::optional<Geometry> m_geometry; ///< the document's geometry while it is valid
    std::optional<VolumeGrid> m_grid;   ///< the document's grid while it is valid
    /// Filled by the first job that opens the device, read by later jobs; touched only on the
    /// worker thread (jobs run one at a time), never on the UI thread.
    std::shared_ptr<std::shared_ptr<ComputeContext>> m_computeSlot;
    std::optional<DeviceInfo> m_deviceInfo; ///< the device once opened
    JobRunner* m_runner = nullptr;
    QPointer<Job> m_run;
    bool m_keepOnStop = false;
    Scene m_runScene;    ///< the scene the running (or last) run started from
    Scene m_resultScene; ///< the scene m_result was made from
    std::optional<RunResult> m_result;
    std::shared_ptr<const ProjectionStack> m_shownProjections;
    std::size_t m_shownViewsDone = 0;
    /// The projection view's window: m_shownProjections' views so far.
    render::StackRange m_projectionRange;
    std::shared_ptr<const Volume> m_shownVolume;
    std::shared_ptr<const Volume> m_truth;
    std::optional<render::Window> m_truthWindow; ///< autoWindow of m_truth
    QString m_metrics;                           ///< the status bar's metrics, without "stale"
    QElapsedTimer m_stageClock; ///< since the current stage's first progress notice
    double m_stageStartFraction = 0.0;
    double m_lastFraction = 0.0;
    std::map<std::size_t, double> m_livePsnr; ///< PSNR of the iterates seen live, by iterate
    std::map<std::size_t, double> m_liveSsim; ///< SSIM of the iterates seen live, by iterate
    QElapsedTimer m_volumeClock;              ///< throttles the volume view during a run
    /// The status bar's next values, from the progress notices not yet shown.
    struct PendingStatus
    {
        int progress = 0;
        std::optional<QString> stage;
        std::optional<QString> timeLeft;
        std::optional<QString> timeTip;
    };
    std::optional<PendingStatus> m_pendingStatus;
    /// The sinogram on show: `rows` views of `stack` drawn in `image` through `window`.
    struct SinogramImage
    {
        std::shared_ptr<const ProjectionStack> stack;
        std::size_t rows = 0;
        render::ValueRange range;
        render::Window window;
        QImage image;
    };
    SinogramImage m_sinogramImage;
    QTimer* m_statusTimer = nullptr; ///< shows m_pendingStatus when no preview does
    QElapsedTimer m_profileClock;    ///< throttles the profile plot during a run
    QElapsedTimer m_followClock;     ///< throttles the 3D view following the simulation
    ViewLayout m_layout = ViewLayout::ScanAndSlices;

    std::unique_ptr<render::TrajectoryScene> m_trajectory;
    std::unique_ptr<render::SliceViews> m_slices;
    std::unique_ptr<render::VolumeScene> m_volumeScene;

    VtkHostWidget* m_view3d = nullptr;
    ImageView* m_sinogram = nullptr;
    ImageView* m_projection = nullptr;
    SlicePane* m_axial = nullptr;
    SlicePane* m_coronal = nullptr;
    SlicePane* m_sagittal = nullptr;
    VtkHostWidget* m_volumeView = nullptr;
    QWidget* m_scanPane = nullptr;
    QWidget* m_slicesPane = nullptr;
    QSplitter* m_centralSplit = nullptr;
    ScenePanel* m_scenePanel = nullptr;
    GeometryCheckPanel* m_check = nullptr;
    PlotPanel* m_plots = nullptr;
    ComparePanel* m_compare = nullptr;
    TuningPanel* m_tune = nullptr;
    QPointer<Job> m_tuneJob;
    bool m_tunePending = false;
    QMenu* m_artefactMenu = nullptr;
    QAction* m_keepAAction = nullptr;
    QAction* m_duplicateAAction = nullptr;
    QAction* m_runBothAction = nullptr;
    /// The scene of the compare panel's A (kept or duplicated), if any.
    std::optional<Scene> m_sceneA;
    /// Runs after the current run succeeds (the second half of "why this artefact").
    std::function<void()> m_afterRun;
    LogPanel* m_log = nullptr;
    QSlider* m_viewSlider = nullptr;
    QLabel* m_viewLabel = nullptr;
    QMenu* m_recentMenu = nullptr;
    QMenu* m_examplesMenu = nullptr;
    QMenu* m_viewMenu = nullptr;
    QAction* m_newAction = nullptr;
    QAction* m_openAction = nullptr;
    QAction* m_saveAction = nullptr;
    QAction* m_saveAsAction = nullptr;
    QAction* m_undoAction = nullptr;
    QAction* m_redoAction = nullptr;
    QAction* m_runAction = nullptr;
    QAction* m_pauseAction = nullptr;
    QAction* m_stepAction = nullptr;
    QAction* m_stopKeepAction = nullptr;
    QAction* m_cancelAction = nullptr;
    QActionGroup* m_layoutGroup = nullptr;
    QList<QAction*> m_exportActions;
    QAction* m_teachFbpAction = nullptr;
    QProgressBar* m_progress = nullptr;
    QLabel* m_deviceLabel = nullptr;
    QLabel* m_memoryLabel = nullptr;
    QLabel* m_stageLabel = nullptr;
    QLabel* m_timeLabel = nullptr;
    QLabel* m_metricsLabel = nullptr;
    QTimer* m_autosaveTimer = nullptr;
    QString m_lastError;
};
} // namespace tomo::ui
