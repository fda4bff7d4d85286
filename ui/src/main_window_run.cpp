// MainWindow: running the scene and showing what it produces (sinogram, projection, slices,
// volume, plots, status). Construction and files are in main_window.cpp.
#include "geometry_tools.h"
#include "plot_images.h"
#include "tomo/error.h"
#include "tomo/memory_plan.h"
#include "tomo/metrics.h"
#include "tomo/render/image_rgb.h"
#include "tomo/render/trajectory_scene.h"
#include "tomo/render/volume_scene.h"
#include "tomo/ui/compare_panel.h"
#include "tomo/ui/geometry_check_panel.h"
#include "tomo/ui/image_view.h"
#include "tomo/ui/log_panel.h"
#include "tomo/ui/main_window.h"
#include "tomo/ui/plot_panel.h"
#include "tomo/ui/scene_document.h"
#include "tomo/ui/slice_pane.h"
#include "tomo/ui/tuning_panel.h"
#include "tomo/ui/vtk_host_widget.h"

#include <QAction>
#include <QLabel>
#include <QProgressBar>
#include <QSignalBlocker>
#include <QSlider>
#include <QTimer>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numbers>
#include <optional>

namespace tomo::ui
{
namespace
{
// The volume view re-renders at most this often during a run (ray casting on a software
// renderer takes up to a second at 128³; the slices follow every preview).
constexpr qint64 kVolumeRefreshMs = 1500;
// While the sinogram fills, the 3D view follows the current view at most this often (each
// follow re-renders the scan).
constexpr qint64 kFollowRefreshMs = 250;
// The progress bar and the stage follow the run at most this often when no preview comes.
constexpr int kStatusRefreshMs = 200;
// The 3D view follows a preview this much later: after the preview's own repaint (some 30 ms
// on Mesa's software OpenGL at 1100 × 720), well before the next preview.
constexpr int kFollowDelayMs = 60;
// The result is shown this long after the run ends: any delay makes it a timer, which the event
// loop runs after the repaints already queued (a zero delay would queue it among them).
constexpr int kFinishDelayMs = 10;
// The profile plot follows the estimate at most this often during a run.
constexpr qint64 kProfileRefreshMs = 500;
// The time left is estimated once the stage has run this long and moved this far.
constexpr qint64 kMinEstimateMs = 400;
constexpr double kMinEstimateFraction = 0.02;

QString formatSeconds(double seconds)
{
    if (seconds < 60.0) {
        return QObject::tr("%1 s").arg(std::max(1.0, std::round(seconds)), 0, 'f', 0);
    }
    return QObject::tr("%1 min %2 s")
        .arg(std::floor(seconds / 60.0), 0, 'f', 0)
        .arg(std::fmod(std::round(seconds), 60.0), 0, 'f', 0);
}
} // namespace

void MainWindow::onSceneChanged()
{
    const Scene& scene = m_document->scene();
    if (m_document->isValid()) {
        try {
            Geometry geometry = scene.geometry();
            VolumeGrid grid = scene.reconstructionGrid();
            m_check->showFindings(geometry, grid);
            m_trajectory->setGeometry(geometry, grid);
            m_geometry = std::move(geometry);
            m_grid = grid;
        } catch (const std::exception& e) {
            // validate() passed, so this is not expected; say so rather than hide it.
            m_geometry.reset();
            m_check->showError(QString::fromUtf8(e.what()));
            m_log->appendLine(QStringLiteral("error"), QString::fromUtf8(e.what()));
        }
    } else {
        m_check->showError(m_document->validationError());
    }
    if (m_geometry) {
        const int last = static_cast<int>(m_trajectory->viewCount()) - 1;
        const int keep = std::min(m_viewSlider->value(), last);
        {
            const QSignalBlocker blocker(m_viewSlider);
            m_viewSlider->setRange(0, last);
            m_viewSlider->setValue(keep);
        }
        setCurrentView(static_cast<std::size_t>(keep));
    }
    applyLayout();
    updateMemoryEstimate();
    updateTitle();
    updateActions();
    setMetrics(m_metrics);
    m_view3d->update();
}

bool MainWindow::resultIsStale() const
{
    return m_result && toJson(m_document->scene()) != toJson(m_resultScene);
}

void MainWindow::setMetrics(const QString& text)
{
    m_metrics = text;
    const bool stale = !text.isEmpty() && !m_run && resultIsStale();
    m_metricsLabel->setText(stale ? tr("%1 (stale: the scene changed)").arg(text) : text);
}

void MainWindow::setTruth(std::shared_ptr<const Volume> truth)
{
    if (truth == m_truth) {
        return;
    }
    m_truth = std::move(truth);
    m_truthWindow.reset();
    if (m_truth) {
        m_truthWindow = render::autoWindow(m_truth->data());
    }
}

void MainWindow::updateMemoryEstimate()
{
    if (!m_geometry || !m_grid) {
        m_memoryLabel->clear();
        return;
    }
    const Detector& d = m_geometry->detector();
    const HostMemoryEstimate estimate = estimateHostMemory(
        *m_grid, d.columns * d.rows, m_geometry->viewCount(), m_document->scene().isIterative());
    const std::uint64_t host = hostMemoryBytes();
    constexpr double kMiB = 1024.0 * 1024.0;
    const double mb = static_cast<double>(estimate.bytes) / kMiB;
    const QString need = mb < 1024.0 ? tr("%1 MB").arg(std::max(1.0, std::round(mb)), 0, 'f', 0)
                                     : tr("%1 GB").arg(mb / 1024.0, 0, 'f', 1);
    const QString text = host > 0 ? tr("Memory ≈ %1 of %2 GB")
                                        .arg(need)
                                        .arg(static_cast<double>(host) / kMiB / 1024.0, 0, 'f', 0)
                                  : tr("Memory ≈ %1").arg(need);
    QString tip = tr("Host memory this run needs at its peak, of this machine's.");
    bool tooMuch = host > 0 && estimate.bytes > host;
    QString deviceText;
    if (m_deviceInfo && m_deviceInfo->backend == Backend::OpenCL) {
        // How the OpenCL projectors will split the work to fit the device (DESIGN.md §5).
        const std::size_t batch =
            std::max<std::size_t>(1, std::min(m_document->scene().reconstruction.fbp.batchViews,
                                              m_geometry->viewCount()));
        try {
            const MemoryPlan plan = planMemory(
                *m_grid, d.columns * d.rows, batch, batch, deviceMemoryBudget(*m_deviceInfo),
                m_deviceInfo->maxAllocationBytes, m_deviceInfo->label());
            deviceText = plan.slabs == 1
                             ? tr("device: whole volume, %1 views per batch").arg(plan.batchViews)
                             : tr("device: %1 slabs, %2 views per batch")
                                   .arg(plan.slabs)
                                   .arg(plan.batchViews);
            tip += tr("\nDevice memory plan on %1: %2.")
                       .arg(QString::fromStdString(m_deviceInfo->label()),
                            QString::fromStdString(plan.summary(*m_grid)));
        } catch (const Error& e) {
            deviceText = tr("does not fit the device");
            tip += QStringLiteral("\n") + QString::fromUtf8(e.what());
            tooMuch = true;
        }
    } else if (m_deviceInfo) {
        tip += tr("\nThe CPU backend works in host memory: there is no device plan.");
    }
    m_memoryLabel->setText(deviceText.isEmpty() ? text : tr("%1 · %2").arg(text, deviceText));
    m_memoryLabel->setToolTip(tip);
    m_memoryLabel->setStyleSheet(tooMuch ? QStringLiteral("color: #d33;") : QString());
}

Job* MainWindow::startRun()
{
    if (m_run) {
        return nullptr;
    }
    if (!m_document->isValid()) {
        showError(tr("The scene cannot run"), m_document->validationError());
        return nullptr;
    }
    m_afterRun = nullptr;
    return startRunOf(m_document->scene());
}

Job* MainWindow::startRunOf(const Scene& scene)
{
    if (m_run) {
        return nullptr;
    }
    const auto slot = m_computeSlot;
    const std::string choice = m_deviceChoice.toStdString();
    m_runScene = scene;
    m_keepOnStop = false;
    setTruth(nullptr);
    m_livePsnr.clear();
    m_liveSsim.clear();
    m_run = m_runner->start(tr("run"), [slot, choice, scene](RunContext& ctx) -> std::any {
        if (!*slot) {
            *slot = ComputeContext::create(choice);
        }
        ComputeContext& compute = **slot;
        RunOutcome outcome;
        outcome.result = runScene(scene, compute, ctx);
        outcome.deviceLabel = compute.device().label();
        return outcome;
    });
    connect(m_run, &Job::previewReady, this, &MainWindow::onPreviewReady);
    connect(m_run, &Job::progressChanged, this, &MainWindow::onProgress);
    connect(m_run, &Job::finished, this, [this, job = QPointer<Job>(m_run)](JobState state) {
        // The last preview usually arrives just before the end: its repaint goes first, on its
        // own turn of the event loop, and the result is shown on a later one.
        QTimer::singleShot(kFinishDelayMs, this, [this, job, state] {
            if (job && m_run == job) {
                onRunFinished(state);
            }
        });
    });
    setShownProjections(nullptr, 0);
    clearSinogram();
    m_projection->clear();
    m_plots->clearConvergence();
    m_plots->showTab(scene.isIterative() ? 0 : 1);
    setMetrics({});
    dropPendingStatus();
    m_timeLabel->clear();
    setProgress(0);
    m_lastFraction = 0.0;
    m_stageClock.invalidate();
    m_stageLabel->setText(tr("Queued"));
    m_log->appendLine(QStringLiteral("info"), tr("run: %1, %2 views, %3")
                                                  .arg(QString::fromStdString(scene.name))
                                                  .arg(scene.trajectory.views)
                                                  .arg(QString::fromStdString(scene.algorithm())));
    updateActions();
    return m_run;
}

void MainWindow::cancelRun()
{
    if (m_run) {
        m_keepOnStop = false;
        m_run->cancel();
        showPendingStatus();
        m_stageLabel->setText(tr("Cancelling…"));
    }
}

void MainWindow::stopAndKeep()
{
    if (m_run) {
        m_keepOnStop = true;
        m_run->cancel();
        showPendingStatus();
        m_stageLabel->setText(tr("Stopping; the current estimate will be kept…"));
    }
}

void MainWindow::setPaused(bool paused)
{
    if (!m_run) {
        return;
    }
    m_run->setPaused(paused);
    {
        const QSignalBlocker blocker(m_pauseAction);
        m_pauseAction->setChecked(paused);
    }
    showPendingStatus();
    m_stageLabel->setText(paused ? tr("Paused: Step runs one batch or iteration, Pause again "
                                      "resumes")
                                 : tr("Resumed"));
    if (paused) {
        m_timeLabel->setText(tr("paused"));
    }
    updateActions();
}

void MainWindow::step()
{
    if (m_run && m_run->isPaused()) {
        m_run->step();
    }
}

void MainWindow::discardRun()
{
    m_afterRun = nullptr;
    if (m_run) {
        // The old run's results would not match the new scene: stop it and forget it.
        disconnect(m_run, nullptr, this, nullptr);
        m_run->cancel();
        connect(m_run, &Job::finished, m_run, &QObject::deleteLater);
        m_run = nullptr;
    }
    m_result.reset();
    setTruth(nullptr);
    setShownProjections(nullptr, 0);
    m_shownVolume.reset();
    clearSinogram();
    m_projection->clear();
    m_slices->setVolume(nullptr);
    m_slices->setProfileLine(std::nullopt);
    m_volumeScene->setVolume(nullptr);
    m_plots->clearConvergence();
    m_plots->clearProfile();
    setMetrics({});
    dropPendingStatus();
    m_timeLabel->clear();
    setProgress(0);
    m_stageLabel->setText(tr("Idle"));
    {
        const QSignalBlocker blocker(m_pauseAction);
        m_pauseAction->setChecked(false);
    }
    for (SlicePane* pane : {m_axial, m_coronal, m_sagittal}) {
        pane->update();
    }
    m_volumeView->update();
    updateActions();
}

void MainWindow::onProgress(double fraction, const QString& message)
{
    fraction = std::clamp(fraction, 0.0, 1.0);
    // A new stage starts from zero: restart its clock.
    if (!m_stageClock.isValid() || fraction + kMinEstimateFraction < m_lastFraction) {
        m_stageClock.start();
        m_stageStartFraction = fraction;
    }
    m_lastFraction = fraction;
    // Later notices update the values not yet shown (a notice without a message keeps the stage).
    PendingStatus& status = m_pendingStatus ? *m_pendingStatus : m_pendingStatus.emplace();
    status.progress = static_cast<int>(std::lround(fraction * 1000.0));
    const bool paused = m_run && m_run->isPaused();
    if (!message.isEmpty() && !paused) {
        status.stage = message;
    }
    const double moved = fraction - m_stageStartFraction;
    const qint64 elapsed = m_stageClock.elapsed();
    if (paused) {
        status.timeLeft = tr("paused");
    } else if (elapsed > kMinEstimateMs && moved > kMinEstimateFraction) {
        const double left = static_cast<double>(elapsed) / 1000.0 * (1.0 - fraction) / moved;
        status.timeLeft = tr("≈ %1 left").arg(formatSeconds(left));
        status.timeTip = tr("Time left in this stage (%1)").arg(message);
    }
    // Each repaint of the window recomposes its OpenGL views, so the status bar is not drawn on
    // its own for every notice: it follows with the next preview, or kStatusRefreshMs after the
    // first notice not yet shown.
    if (!m_statusTimer->isActive()) {
        m_statusTimer->start(kStatusRefreshMs);
    }
}

void MainWindow::showPendingStatus()
{
    m_statusTimer->stop();
    if (!m_pendingStatus) {
        return;
    }
    const PendingStatus status = std::move(*m_pendingStatus);
    m_pendingStatus.reset();
    setProgress(status.progress);
    if (status.stage) {
        m_stageLabel->setText(*status.stage);
    }
    if (status.timeLeft) {
        m_timeLabel->setText(*status.timeLeft);
    }
    if (status.timeTip) {
        m_timeLabel->setToolTip(*status.timeTip);
    }
}

void MainWindow::followView(int view)
{
    // The 3D view re-renders the scan: on a later turn of the event loop than the repaint on
    // its way, so that the two do not keep the UI thread busy back to back.
    QTimer::singleShot(kFollowDelayMs, this, [this, view, run = QPointer<Job>(m_run)] {
        if (m_run == run) {
            m_viewSlider->setValue(view);
        }
    });
}

void MainWindow::setProgress(int value)
{
    // QProgressBar::setValue repaints at once (not at the next turn of the event loop), and in
    // a window with OpenGL views every repaint recomposes the whole window: on Mesa's software
    // OpenGL some 15 ms more for every change. Updates off for the call, the bar is drawn with
    // the rest of the window.
    m_progress->setUpdatesEnabled(false);
    m_progress->setValue(value);
    m_progress->setUpdatesEnabled(true);
}

void MainWindow::dropPendingStatus()
{
    m_statusTimer->stop();
    m_pendingStatus.reset();
}

void MainWindow::onPreviewReady()
{
    if (!m_run) {
        return;
    }
    std::optional<Preview> preview = m_run->takePreview();
    if (!preview) {
        return;
    }
    std::size_t views = 0;
    showPendingStatus(); // drawn with the preview: one repaint for both
    if (preview->truth) {
        setTruth(preview->truth);
    }
    if (preview->projections) {
        views = preview->projections->views();
        showSinogram(preview->projections, preview->viewsDone);
        const std::size_t before = m_shownViewsDone;
        setShownProjections(preview->projections, preview->viewsDone);
        const std::size_t current = m_trajectory->currentView();
        if (current >= before && current < m_shownViewsDone) {
            showProjection(); // the view on show has just been simulated
        }
        if (preview->viewsDone > 0 && !preview->volume &&
            (!m_followClock.isValid() || m_followClock.elapsed() > kFollowRefreshMs)) {
            // Follow the scan in 3D while the sinogram fills.
            m_followClock.start();
            followView(static_cast<int>(preview->viewsDone - 1));
        }
    }
    if (preview->residual) {
        if (preview->psnr) {
            m_livePsnr[preview->iterate] = *preview->psnr;
        }
        if (preview->ssim) {
            m_liveSsim[preview->iterate] = *preview->ssim;
        }
        m_plots->addIterate(preview->iterate, *preview->residual, preview->psnr, preview->ssim);
        if (preview->psnr) {
            setMetrics(tr("iteration %1 · PSNR %2 dB")
                           .arg(preview->iterate)
                           .arg(*preview->psnr, 0, 'f', 2));
        }
    }
    if (preview->volume) {
        showVolume(preview->volume, false);
    }
    emit previewShown(preview->viewsDone, views);
}

void MainWindow::onRunFinished(JobState state)
{
    Job* job = m_run;
    if (job == nullptr) {
        return;
    }
    m_run = nullptr;
    {
        const QSignalBlocker blocker(m_pauseAction);
        m_pauseAction->setChecked(false);
    }
    dropPendingStatus();
    m_timeLabel->clear();
    const bool discarded = !m_keepOnStop && state == JobState::Succeeded &&
                           std::any_cast<const RunOutcome&>(job->result()).result.stopped;
    if (state == JobState::Succeeded && !discarded) {
        const auto& outcome = std::any_cast<const RunOutcome&>(job->result());
        const RunResult& r = outcome.result;
        m_result = r;
        m_resultScene = m_runScene;
        setTruth(r.truth);
        if (r.projections) {
            showSinogram(r.projections, r.projections->views());
            setShownProjections(r.projections, r.projections->views());
            showProjection();
        }
        if (!r.history.empty()) {
            // The whole residual history (live previews may have skipped iterations), with the
            // PSNR of every iterate, and the SSIM of the iterates seen live and of the last one.
            m_plots->clearConvergence();
            for (std::size_t i = 0; i < r.history.size(); ++i) {
                const std::size_t iterate = i + 1;
                std::optional<double> psnrDb;
                std::optional<double> ssim;
                if (i < r.iterateMetrics.size() && !std::isnan(r.iterateMetrics[i].psnr)) {
                    psnrDb = r.iterateMetrics[i].psnr; // every iterate, not only those seen
                } else if (const auto it = m_livePsnr.find(iterate); it != m_livePsnr.end()) {
                    psnrDb = it->second;
                }
                if (const auto it = m_liveSsim.find(iterate); it != m_liveSsim.end()) {
                    ssim = it->second;
                }
                if (iterate == r.history.size() && !m_resultScene.reconstruction.fbp.hu &&
                    !std::isnan(r.psnr)) {
                    psnrDb = r.psnr;
                    ssim = r.ssim;
                }
                m_plots->addIterate(iterate, r.history[i].residual, psnrDb, ssim);
            }
        }
        if (r.reconstruction) {
            showVolume(r.reconstruction, true);
        }
        retune(); // the Tune panel shows this result's slice with its current settings
        // An analytic run has no convergence curve: show its profile instead.
        m_plots->showTab(r.history.empty() ? 1 : 0);
        setProgress(m_progress->maximum());
        followView(m_viewSlider->maximum());
        m_deviceLabel->setText(tr("Device: %1").arg(QString::fromStdString(outcome.deviceLabel)));
        const QString stopped = r.stopped ? tr(", stopped after %n iteration(s)", nullptr,
                                               static_cast<int>(r.history.size()))
                                          : QString();
        m_stageLabel->setText(tr("Done: simulated in %1 s, reconstructed in %2 s%3")
                                  .arg(r.simulateSeconds, 0, 'f', 2)
                                  .arg(r.reconstructSeconds, 0, 'f', 2)
                                  .arg(stopped));
        setMetrics(std::isnan(r.psnr)
                       ? tr("RMSE %1 · no PSNR: the truth is constant").arg(r.rmse, 0, 'g', 3)
                       : tr("RMSE %1 · PSNR %2 dB").arg(r.rmse, 0, 'g', 3).arg(r.psnr, 0, 'f', 2));
        m_log->appendLine(QStringLiteral("info"),
                          m_stageLabel->text() + QStringLiteral("; ") + m_metrics);
        if (m_compare->hasA() && r.reconstruction) {
            m_compare->setB(r.reconstruction, r.truth, describeScene(m_resultScene),
                            QString::fromStdString(toJson(m_resultScene)));
            m_compare->setCursor(m_slices->cursor());
        }
    } else if (state == JobState::Cancelled || discarded) {
        if (m_keepOnStop && m_shownVolume) {
            // Not an iterate (a partial backprojection, or stopped in the simulation): keep what
            // is on screen as the result, with its metrics where the truth is known.
            RunResult kept;
            kept.projections = m_shownProjections;
            kept.reconstruction = m_shownVolume;
            kept.truth = m_truth;
            kept.stopped = true;
            if (m_truth && m_truth->grid() == m_shownVolume->grid() && hasContrast(*m_truth)) {
                kept.rmse = rmse(*m_shownVolume, *m_truth);
                kept.psnr = psnr(*m_shownVolume, *m_truth);
                setMetrics(tr("RMSE %1 · PSNR %2 dB (partial)")
                               .arg(kept.rmse, 0, 'g', 3)
                               .arg(kept.psnr, 0, 'f', 2));
            }
            m_result = std::move(kept);
            m_resultScene = m_runScene;
            m_stageLabel->setText(tr("Stopped: the last estimate is kept"));
        } else {
            m_stageLabel->setText(tr("Cancelled: the last preview stays on screen"));
        }
        m_log->appendLine(QStringLiteral("info"), m_stageLabel->text());
    } else {
        m_stageLabel->setText(tr("Failed"));
        showError(tr("Run failed"), job->errorMessage());
    }
    job->deleteLater();
    updateActions();
    emit runFinished(discarded ? JobState::Cancelled : state);
    if (m_afterRun) {
        // The second half of a chained run goes on only after a success.
        auto next = std::move(m_afterRun);
        m_afterRun = nullptr;
        if (state == JobState::Succeeded && !discarded) {
            next();
        }
    }
}

void MainWindow::showSinogram(std::shared_ptr<const ProjectionStack> stack, std::size_t viewsDone)
{
    const std::size_t views = stack->views();
    const std::size_t columns = stack->columns();
    const std::size_t rows = stack->rows();
    const std::size_t done = std::min(viewsDone, views);
    SinogramImage& shown = m_sinogramImage;
    if (stack != shown.stack || done < shown.rows) {
        shown = {};
        shown.stack = stack;
        shown.image =
            QImage(static_cast<int>(columns), static_cast<int>(views), QImage::Format_RGB32);
        shown.image.fill(kPendingSinogramRow);
    }
    // One detector row per view: the middle one for a 3D stack.
    const std::size_t midRow = rows / 2;
    const auto sinogramRow = [&](std::size_t v) {
        return stack->view(v).subspan(midRow * columns, columns);
    };
    for (std::size_t v = shown.rows; v < done; ++v) {
        shown.range.add(sinogramRow(v));
    }
    // The rows on show keep their grey levels while the window stays: only new rows are drawn.
    const render::Window window = shown.range.window();
    const bool sameWindow = window.low == shown.window.low && window.high == shown.window.high;
    const std::size_t first = sameWindow ? shown.rows : 0; // shown.rows <= done, see above
    std::vector<float> values((done - first) * columns);
    for (std::size_t v = first; v < done; ++v) {
        std::ranges::copy(sinogramRow(v),
                          values.begin() + static_cast<std::ptrdiff_t>((v - first) * columns));
    }
    const auto grey = render::toGray8(values, columns, done - first, window, false);
    for (std::size_t v = first; v < done; ++v) {
        auto* line = reinterpret_cast<QRgb*>(shown.image.scanLine(static_cast<int>(v)));
        const std::uint8_t* g = grey.data() + (v - first) * columns;
        for (std::size_t u = 0; u < columns; ++u) {
            line[u] = qRgb(g[u], g[u], g[u]);
        }
    }
    shown.window = window;
    shown.rows = done;
    m_sinogram->setImage(shown.image);
    m_sinogram->setCaption(
        rows > 1 ? tr("Sinogram of row %1: %2 of %3 views (down), u across")
                       .arg(midRow)
                       .arg(done)
                       .arg(views)
                 : tr("Sinogram: %1 of %2 views (down), u across").arg(done).arg(views));
}

void MainWindow::clearSinogram()
{
    m_sinogramImage = {};
    m_sinogram->clear();
}

void MainWindow::setShownProjections(std::shared_ptr<const ProjectionStack> stack,
                                     std::size_t viewsDone)
{
    if (stack != m_shownProjections) {
        m_projectionRange = {};
    }
    m_shownViewsDone = stack ? std::min(viewsDone, stack->views()) : 0;
    m_shownProjections = std::move(stack);
}

void MainWindow::showProjection()
{
    const std::size_t view = m_trajectory->currentView();
    if (!m_shownProjections || view >= m_shownViewsDone || view >= m_shownProjections->views()) {
        m_projection->clear();
        m_projection->setCaption(tr("Projection of view %1: not simulated yet").arg(view + 1));
        return;
    }
    const ProjectionStack& stack = *m_shownProjections;
    const auto pixels = stack.view(view);
    m_projectionRange.grow(stack, m_shownViewsDone);
    const render::Window window = m_projectionRange.window();
    if (stack.rows() == 1) {
        m_projection->setImage(detail::curveImage(pixels, window));
        m_projection->setCaption(tr("Projection of view %1: line integrals along u, 0 to %2")
                                     .arg(view + 1)
                                     .arg(window.high, 0, 'g', 3));
        return;
    }
    // v grows upwards on the detector: the top image row is the last detector row.
    m_projection->setImage(detail::greyImage(pixels, stack.columns(), stack.rows(), window, true));
    m_projection->setCaption(tr("Projection of view %1 (u across, v up), [%2, %3]")
                                 .arg(view + 1)
                                 .arg(window.low, 0, 'g', 3)
                                 .arg(window.high, 0, 'g', 3));
}

void MainWindow::showVolume(std::shared_ptr<const Volume> volume, bool final)
{
    const bool sameGrid = m_shownVolume && m_shownVolume->grid() == volume->grid();
    m_shownVolume = volume;
    m_slices->setVolume(volume);
    // The truth's range, so that iterates brighten towards it and over- and undershoots clip
    // visibly; without a truth, the estimate's own range.
    const bool sameUnit =
        m_truth && m_truth->grid() == volume->grid() && m_truth->meta().unit == volume->meta().unit;
    m_slices->setWindow(sameUnit ? *m_truthWindow : render::autoWindow(volume->data()));
    for (SlicePane* pane : {m_axial, m_coronal, m_sagittal}) {
        pane->update();
    }
    const bool threeD = !volume->grid().is2D();
    if (threeD && m_volumeView->isVisible() &&
        (final || !m_volumeClock.isValid() || m_volumeClock.elapsed() > kVolumeRefreshMs)) {
        const bool first = !m_volumeScene->volume();
        m_volumeScene->setVolume(volume);
        if (first || !sameGrid) {
            m_volumeScene->resetCamera();
        }
        m_volumeClock.start();
        m_volumeView->update();
    }
    // The profile chart redraws its axes and series: at most every kProfileRefreshMs during a
    // run, always at the end.
    if (final || !m_profileClock.isValid() || m_profileClock.elapsed() > kProfileRefreshMs) {
        m_profileClock.start();
        updateProfile();
    }
}

void MainWindow::updateProfile()
{
    if (!m_shownVolume) {
        return;
    }
    // Along x through the cursor, across the whole grid: the classic central-row profile.
    const VolumeGrid& grid = m_shownVolume->grid();
    const Vec3 cursor = m_slices->cursor();
    const Vec3 first = grid.voxelCentre(0.0, 0.0, 0.0);
    const Vec3 last = grid.voxelCentre(static_cast<double>(grid.size()[0] - 1), 0.0, 0.0);
    const Vec3 from{first.x, cursor.y, cursor.z};
    const Vec3 to{last.x, cursor.y, cursor.z};
    const std::size_t samples = std::max<std::size_t>(2, 2 * grid.size()[0]);
    const std::vector<double> recon = m_slices->sampleProfile(from, to, samples);
    std::vector<double> truth;
    if (m_truth && m_truth->meta().unit == m_shownVolume->meta().unit) {
        truth = lineProfile(*m_truth, from, to, samples);
    }
    m_slices->setProfileLine(std::make_pair(from, to));
    const bool hu = m_shownVolume->meta().unit == ValueUnit::Hu;
    m_plots->setProfile(recon, truth, std::abs(to.x - from.x), hu ? tr("HU") : tr("μ (mm⁻¹)"),
                        tr("Profile along x at y = %1 mm, z = %2 mm")
                            .arg(cursor.y, 0, 'f', 1)
                            .arg(cursor.z, 0, 'f', 1));
}

void MainWindow::setCursor(Vec3 worldMm)
{
    m_slices->setCursor(worldMm);
    m_compare->setCursor(m_slices->cursor());
    m_trajectory->setHighlightedPoint(worldMm);
    for (SlicePane* pane : {m_axial, m_coronal, m_sagittal}) {
        pane->update();
    }
    m_view3d->update();
    updateProfile();
}

void MainWindow::stepSlice(render::SliceOrientation orientation, int steps)
{
    if (!m_grid) {
        return;
    }
    Vec3 cursor = m_slices->cursor();
    const auto& spacing = m_grid->spacing();
    switch (orientation) {
    case render::SliceOrientation::Axial:
        cursor.z += steps * spacing[2];
        break;
    case render::SliceOrientation::Coronal:
        cursor.y += steps * spacing[1];
        break;
    case render::SliceOrientation::Sagittal:
        cursor.x += steps * spacing[0];
        break;
    }
    setCursor(cursor);
}

void MainWindow::setCurrentView(std::size_t view)
{
    m_trajectory->setCurrentView(view);
    const std::size_t shown = m_trajectory->currentView();
    const double angleDeg =
        m_geometry ? m_geometry->viewAngle(shown) * 180.0 / std::numbers::pi : 0.0;
    m_viewLabel->setText(tr("View %1 / %2 (θ = %3°)")
                             .arg(shown + 1)
                             .arg(m_trajectory->viewCount())
                             .arg(angleDeg, 0, 'f', 1));
    showProjection();
    m_view3d->update();
}

void MainWindow::updateActions()
{
    const bool running = !m_run.isNull();
    const bool paused = running && m_run->isPaused();
    m_runAction->setEnabled(!running && m_document->isValid());
    m_runAction->setToolTip(
        m_document->isValid() ? tr("Simulate the projections and reconstruct them (Ctrl+R)")
                              : tr("The scene cannot run: %1").arg(m_document->validationError()));
    m_pauseAction->setEnabled(running);
    m_stepAction->setEnabled(paused);
    m_stopKeepAction->setEnabled(running);
    m_cancelAction->setEnabled(running);
    m_teachFbpAction->setEnabled(m_result.has_value() && m_result->projections != nullptr);
    m_keepAAction->setEnabled(m_result.has_value() && m_result->reconstruction != nullptr);
    m_duplicateAAction->setEnabled(m_document->isValid());
    m_runBothAction->setEnabled(!running && m_sceneA.has_value() && m_document->isValid());
    for (QAction* action : m_exportActions) {
        action->setEnabled(action == m_exportActions.back() ? m_document->isValid()
                                                            : m_result.has_value());
    }
}
} // namespace tomo::ui

namespace tomo::ui
{
namespace
{
/// What a tuning job returns.
struct TunedSlice
{
    Volume slice;
    std::optional<double> psnr;
    double milliseconds = 0.0;
};
} // namespace

void MainWindow::retune()
{
    if (!m_result || !m_result->projections) {
        m_tune->showMessage(tr("Run the scene first: tuning reconstructs a slice of its "
                               "projections."));
        return;
    }
    if (m_tuneJob) {
        m_tunePending = true;
        return;
    }
    m_tunePending = false;
    const Scene& scene = m_resultScene;
    const VolumeGrid grid =
        detail::axialSliceGrid(scene.reconstructionGrid(), m_slices->cursor().z);
    FbpOptions options = scene.reconstruction.fbp;
    options.hu = false;
    // The truth's slice (μ) where the truth is known on the result's grid.
    std::shared_ptr<const Volume> truth;
    if (m_truth && m_truth->meta().unit != ValueUnit::Hu &&
        m_truth->grid() == scene.reconstructionGrid()) {
        truth = std::make_shared<const Volume>(detail::axialSliceOf(*m_truth, grid.origin().z));
    }
    const auto projections = m_result->projections;
    const double offset = m_tune->offsetMm();
    const double tilt = m_tune->tiltDeg() * std::numbers::pi / 180.0;
    const auto slot = m_computeSlot;
    const std::string choice = m_deviceChoice.toStdString();
    m_tuneJob = m_runner->start(
        tr("tune"),
        [slot, choice, projections, grid, options, truth, offset,
         tilt](RunContext& ctx) -> std::any {
            if (!*slot) {
                *slot = ComputeContext::create(choice);
            }
            const auto start = std::chrono::steady_clock::now();
            const ProjectionStack tuned = ProjectionStack::fromData(
                detail::tunedGeometry(projections->geometry(), offset, tilt),
                std::vector<float>(projections->data().begin(), projections->data().end()));
            TunedSlice out{reconstructAnalytic(tuned, grid, options, **slot, ctx), {}, 0.0};
            if (truth && hasContrast(*truth)) {
                out.psnr = psnr(out.slice, *truth);
            }
            out.milliseconds =
                std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                    .count();
            return std::make_shared<const TunedSlice>(std::move(out));
        });
    const std::pair<float, float> window = [&] {
        const Volume* reference = truth ? truth.get() : m_result->reconstruction.get();
        const render::Window w = render::autoWindow(reference->data());
        return std::make_pair(w.low, w.high);
    }();
    Job* job = m_tuneJob;
    connect(job, &Job::finished, this, [this, job, window](JobState state) {
        if (state == JobState::Succeeded) {
            const auto tuned = std::any_cast<std::shared_ptr<const TunedSlice>>(job->result());
            m_tune->showSlice(tuned->slice, window, tuned->psnr, tuned->milliseconds);
        } else if (state == JobState::Failed) {
            m_tune->showMessage(job->errorMessage());
        }
        job->deleteLater();
        m_tuneJob = nullptr;
        if (m_tunePending) {
            retune();
        }
    });
}
} // namespace tomo::ui
