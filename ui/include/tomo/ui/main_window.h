#pragma once

#include "tomo/compute.h"
#include "tomo/pipeline.h"
#include "tomo/scene.h"
#include "tomo/ui/job_runner.h"

#include <QImage>
#include <QMainWindow>
#include <QPointer>
#include <QString>

#include <cstddef>
#include <memory>
#include <optional>
#include <string>

class QAction;
class QLabel;
class QProgressBar;
class QSlider;

namespace tomo::render
{
class TrajectoryScene;
}

namespace tomo::ui
{
class ImageView;
class VtkHostWidget;

/// What a finished run job returns (Job::result() holds one).
struct RunOutcome
{
    RunResult result;
    std::string deviceLabel;
};

/// The walking-skeleton main window: the scan in 3D (source path, detector, beam, volume box),
/// the sinogram filling view by view, the reconstruction forming, Open / Run / Cancel, a progress
/// bar and a status bar with the device, the stage and, after a run, RMSE and PSNR.
/// All work runs on its JobRunner; the UI thread never waits for a job (except, bounded, when
/// the window closes). Errors a user causes open a message box (non-blocking) and are kept in
/// lastError().
class MainWindow : public QMainWindow
{
    Q_OBJECT

public:
    /// `deviceChoice` as ComputeContext::create takes it (empty: TOMO_CL_DEVICE or "auto").
    /// The device is opened at once, off the UI thread.
    explicit MainWindow(QString deviceChoice = {}, QWidget* parent = nullptr);
    ~MainWindow() override;
    MainWindow(const MainWindow&) = delete;
    MainWindow& operator=(const MainWindow&) = delete;

    /// Loads a scene file; on failure shows a message box, keeps the current scene and returns
    /// false.
    bool openSceneFile(const QString& path);
    /// Shows `scene` (cancelling a run in progress). Returns false (with a message box) if its
    /// geometry or grid is invalid.
    bool setScene(const Scene& scene, const QString& sourceName);
    [[nodiscard]] const Scene& scene() const { return m_scene; }

    /// Starts simulating and reconstructing the scene; returns the job, or nullptr if a run is
    /// already going.
    Job* startRun();
    /// Asks the current run to stop; what is displayed stays.
    void cancelRun();
    [[nodiscard]] Job* currentRun() const { return m_run; }

    [[nodiscard]] VtkHostWidget* trajectoryView() const { return m_view3d; }
    [[nodiscard]] ImageView* sinogramView() const { return m_sinogram; }
    [[nodiscard]] ImageView* sliceView() const { return m_slice; }
    [[nodiscard]] render::TrajectoryScene& trajectoryScene() const { return *m_trajectory; }
    [[nodiscard]] QString deviceText() const;
    [[nodiscard]] QString metricsText() const;
    [[nodiscard]] const QString& lastError() const { return m_lastError; }

    /// The whole window as an image, the OpenGL view included.
    [[nodiscard]] QImage grabWindow();

signals:
    /// A run reached a final state (after the display was updated).
    void runFinished(tomo::ui::JobState state);
    /// A preview was displayed; `viewsDone` of `views` sinogram rows are final.
    void previewShown(std::size_t viewsDone, std::size_t views);

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    void buildUi();
    void openDevice();
    void onOpenTriggered();
    void onPreviewReady();
    void onRunFinished(JobState state);
    void onProgress(double fraction, const QString& message);
    void showSinogram(const ProjectionStack& stack, std::size_t viewsDone);
    void showSlice(const Volume& volume);
    void setCurrentView(std::size_t view);
    void updateActions();
    void showError(const QString& title, const QString& text);
    void shutDownJobs();

    QString m_deviceChoice;
    Scene m_scene;
    std::optional<Geometry> m_geometry; ///< m_scene.geometry(), computed once per scene
    /// Filled by the first job that opens the device, read by later jobs; touched only on the
    /// worker thread (jobs run one at a time), never on the UI thread.
    std::shared_ptr<std::shared_ptr<ComputeContext>> m_computeSlot;
    JobRunner* m_runner = nullptr;
    QPointer<Job> m_run;
    std::unique_ptr<render::TrajectoryScene> m_trajectory;

    VtkHostWidget* m_view3d = nullptr;
    ImageView* m_sinogram = nullptr;
    ImageView* m_slice = nullptr;
    QSlider* m_viewSlider = nullptr;
    QLabel* m_viewLabel = nullptr;
    QAction* m_openAction = nullptr;
    QAction* m_runAction = nullptr;
    QAction* m_cancelAction = nullptr;
    QProgressBar* m_progress = nullptr;
    QLabel* m_deviceLabel = nullptr;
    QLabel* m_stageLabel = nullptr;
    QLabel* m_metricsLabel = nullptr;
    QString m_lastError;
};
} // namespace tomo::ui
