#include "tomo/ui/main_window.h"

#include "tomo/error.h"
#include "tomo/render/image_rgb.h"
#include "tomo/render/trajectory_scene.h"
#include "tomo/ui/image_view.h"
#include "tomo/ui/vtk_host_widget.h"

#include <QAction>
#include <QCloseEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QPainter>
#include <QProgressBar>
#include <QSlider>
#include <QSplitter>
#include <QStatusBar>
#include <QToolBar>
#include <QVBoxLayout>
#include <vtkRenderWindow.h>
#include <vtkRenderer.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numbers>
#include <span>

namespace tomo::ui
{
namespace
{
// Closing the window waits this long for a cancelled run to return (it polls per batch).
constexpr std::chrono::milliseconds kCloseTimeout{3000};
// Sinogram rows not yet simulated are drawn in this colour, distinct from any grey level.
constexpr QRgb kPendingRow = 0xFF283040;

QImage grayImage(const std::vector<std::uint8_t>& grey, std::size_t width, std::size_t height)
{
    QImage image(static_cast<int>(width), static_cast<int>(height), QImage::Format_Grayscale8);
    for (std::size_t y = 0; y < height; ++y) {
        std::copy_n(grey.begin() + static_cast<std::ptrdiff_t>(y * width), width,
                    image.scanLine(static_cast<int>(y)));
    }
    return image;
}
} // namespace

MainWindow::MainWindow(QString deviceChoice, QWidget* parent)
    : QMainWindow(parent), m_deviceChoice(std::move(deviceChoice)),
      m_computeSlot(std::make_shared<std::shared_ptr<ComputeContext>>()),
      m_runner(new JobRunner(this)), m_trajectory(std::make_unique<render::TrajectoryScene>(
                                         m_scene.geometry(), m_scene.reconstructionGrid()))
{
    buildUi();
    setScene(m_scene, tr("default scene"));
    openDevice();
}

MainWindow::~MainWindow()
{
    shutDownJobs();
    for (vtkRenderer* renderer : m_trajectory->renderers()) {
        m_view3d->renderWindow()->RemoveRenderer(renderer);
    }
}

void MainWindow::buildUi()
{
    setWindowTitle(tr("Tomoscope"));
    resize(1280, 800);

    m_openAction = new QAction(tr("&Open scene…"), this);
    m_openAction->setShortcut(QKeySequence::Open);
    connect(m_openAction, &QAction::triggered, this, &MainWindow::onOpenTriggered);
    m_runAction = new QAction(tr("&Run"), this);
    m_runAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_R));
    connect(m_runAction, &QAction::triggered, this, [this] { (void)startRun(); });
    m_cancelAction = new QAction(tr("&Cancel"), this);
    m_cancelAction->setShortcut(QKeySequence(Qt::Key_Escape));
    connect(m_cancelAction, &QAction::triggered, this, &MainWindow::cancelRun);
    auto* quitAction = new QAction(tr("&Quit"), this);
    quitAction->setShortcut(QKeySequence::Quit);
    connect(quitAction, &QAction::triggered, this, &QWidget::close);

    QMenu* fileMenu = menuBar()->addMenu(tr("&File"));
    fileMenu->addAction(m_openAction);
    fileMenu->addSeparator();
    fileMenu->addAction(quitAction);
    QMenu* runMenu = menuBar()->addMenu(tr("&Run"));
    runMenu->addAction(m_runAction);
    runMenu->addAction(m_cancelAction);

    QToolBar* toolbar = addToolBar(tr("Main"));
    toolbar->setMovable(false);
    toolbar->setToolButtonStyle(Qt::ToolButtonTextOnly);
    toolbar->addAction(m_openAction);
    toolbar->addAction(m_runAction);
    toolbar->addAction(m_cancelAction);

    m_view3d = new VtkHostWidget;
    // The scene's main renderer and its orientation marker (layer 1).
    m_view3d->renderWindow()->SetNumberOfLayers(2);
    for (vtkRenderer* renderer : m_trajectory->renderers()) {
        m_view3d->renderWindow()->AddRenderer(renderer);
    }
    m_viewSlider = new QSlider(Qt::Horizontal);
    m_viewSlider->setToolTip(tr("Current view shown in 3D"));
    m_viewLabel = new QLabel;
    m_viewLabel->setMinimumWidth(170);
    connect(m_viewSlider, &QSlider::valueChanged, this,
            [this](int value) { setCurrentView(static_cast<std::size_t>(std::max(0, value))); });

    auto* left = new QWidget;
    auto* leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 0, 0);
    leftLayout->addWidget(m_view3d, 1);
    auto* sliderRow = new QHBoxLayout;
    sliderRow->setContentsMargins(6, 0, 6, 4);
    sliderRow->addWidget(m_viewLabel);
    sliderRow->addWidget(m_viewSlider, 1);
    leftLayout->addLayout(sliderRow);

    m_sinogram = new ImageView(tr("Sinogram"));
    m_slice = new ImageView(tr("Reconstruction"));
    auto* right = new QSplitter(Qt::Vertical);
    right->addWidget(m_sinogram);
    right->addWidget(m_slice);

    auto* split = new QSplitter(Qt::Horizontal);
    split->addWidget(left);
    split->addWidget(right);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    split->setSizes({760, 500});
    setCentralWidget(split);

    m_deviceLabel = new QLabel(tr("Device: opening…"));
    m_stageLabel = new QLabel(tr("Idle"));
    m_progress = new QProgressBar;
    m_progress->setRange(0, 1000);
    m_progress->setValue(0);
    m_progress->setMaximumWidth(260);
    m_progress->setTextVisible(true);
    m_metricsLabel = new QLabel;
    m_metricsLabel->setMinimumWidth(260);
    m_stageLabel->setMinimumWidth(120);
    statusBar()->addWidget(m_deviceLabel);
    statusBar()->addWidget(m_stageLabel, 1);
    statusBar()->addPermanentWidget(m_metricsLabel);
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
        return (*slot)->device().label();
    });
    connect(job, &Job::finished, this, [this, job](JobState state) {
        if (state == JobState::Succeeded) {
            m_deviceLabel->setText(
                tr("Device: %1")
                    .arg(QString::fromStdString(std::any_cast<std::string>(job->result()))));
        } else if (state == JobState::Failed) {
            m_deviceLabel->setText(tr("Device: unavailable"));
            showError(tr("No compute device"), job->errorMessage());
        }
        job->deleteLater();
    });
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
    return setScene(scene, QFileInfo(path).fileName());
}

bool MainWindow::setScene(const Scene& scene, const QString& sourceName)
{
    try {
        const Geometry geometry = scene.geometry();
        const VolumeGrid grid = scene.reconstructionGrid();
        if (m_run) {
            // The old run's results would not match the new scene: stop it and forget it.
            disconnect(m_run, nullptr, this, nullptr);
            m_run->cancel();
            connect(m_run, &Job::finished, m_run, &QObject::deleteLater);
            m_run = nullptr;
        }
        m_scene = scene;
        m_geometry = geometry;
        m_trajectory->setGeometry(geometry, grid);
    } catch (const std::exception& e) {
        showError(tr("Invalid scene"), QString::fromUtf8(e.what()));
        return false;
    }
    m_viewSlider->blockSignals(true);
    m_viewSlider->setRange(0, static_cast<int>(m_trajectory->viewCount()) - 1);
    m_viewSlider->setValue(0);
    m_viewSlider->blockSignals(false);
    setCurrentView(0);
    m_sinogram->clear();
    m_slice->clear();
    m_progress->setValue(0);
    m_metricsLabel->clear();
    m_stageLabel->setText(tr("Scene: %1").arg(sourceName));
    setWindowTitle(tr("Tomoscope — %1").arg(QString::fromStdString(m_scene.name)));
    updateActions();
    return true;
}

Job* MainWindow::startRun()
{
    if (m_run) {
        return nullptr;
    }
    const auto slot = m_computeSlot;
    const std::string choice = m_deviceChoice.toStdString();
    const Scene scene = m_scene;
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
    connect(m_run, &Job::finished, this, &MainWindow::onRunFinished);
    m_sinogram->clear();
    m_slice->clear();
    m_metricsLabel->clear();
    m_progress->setValue(0);
    m_stageLabel->setText(tr("Queued"));
    updateActions();
    return m_run;
}

void MainWindow::cancelRun()
{
    if (m_run) {
        m_run->cancel();
        m_stageLabel->setText(tr("Cancelling…"));
    }
}

void MainWindow::onProgress(double fraction, const QString& message)
{
    m_progress->setValue(static_cast<int>(std::lround(std::clamp(fraction, 0.0, 1.0) * 1000.0)));
    if (!message.isEmpty()) {
        m_stageLabel->setText(message);
    }
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
    if (preview->projections) {
        views = preview->projections->views();
        showSinogram(*preview->projections, preview->viewsDone);
        if (preview->viewsDone > 0 && !preview->volume) {
            // Follow the scan in 3D while the sinogram fills.
            m_viewSlider->setValue(static_cast<int>(preview->viewsDone - 1));
        }
    }
    if (preview->volume) {
        showSlice(*preview->volume);
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
    if (state == JobState::Succeeded) {
        const auto& outcome = std::any_cast<const RunOutcome&>(job->result());
        const RunResult& r = outcome.result;
        if (r.projections) {
            showSinogram(*r.projections, r.projections->views());
        }
        if (r.reconstruction) {
            showSlice(*r.reconstruction);
        }
        m_progress->setValue(m_progress->maximum());
        m_viewSlider->setValue(m_viewSlider->maximum());
        m_deviceLabel->setText(tr("Device: %1").arg(QString::fromStdString(outcome.deviceLabel)));
        m_stageLabel->setText(tr("Done: simulated in %1 s, reconstructed in %2 s")
                                  .arg(r.simulateSeconds, 0, 'f', 2)
                                  .arg(r.reconstructSeconds, 0, 'f', 2));
        m_metricsLabel->setText(
            tr("RMSE %1 mm⁻¹ · PSNR %2 dB").arg(r.rmse, 0, 'g', 3).arg(r.psnr, 0, 'f', 2));
    } else if (state == JobState::Cancelled) {
        m_stageLabel->setText(tr("Cancelled — the last preview stays on screen"));
    } else {
        m_stageLabel->setText(tr("Failed"));
        showError(tr("Run failed"), job->errorMessage());
    }
    job->deleteLater();
    updateActions();
    emit runFinished(state);
}

void MainWindow::showSinogram(const ProjectionStack& stack, std::size_t viewsDone)
{
    const std::size_t views = stack.views();
    const std::size_t columns = stack.columns();
    const std::size_t rows = stack.rows();
    const std::size_t done = std::min(viewsDone, views);
    // One detector row per view: the middle one for a 3D stack.
    std::vector<float> values(done * columns);
    const std::size_t midRow = rows / 2;
    for (std::size_t v = 0; v < done; ++v) {
        const auto pixels = stack.view(v).subspan(midRow * columns, columns);
        std::copy(pixels.begin(), pixels.end(),
                  values.begin() + static_cast<std::ptrdiff_t>(v * columns));
    }
    const render::Window window = render::autoWindow(values);
    const auto grey = render::toGray8(values, columns, done, window, false);
    QImage image(static_cast<int>(columns), static_cast<int>(views), QImage::Format_RGB32);
    image.fill(kPendingRow);
    for (std::size_t v = 0; v < done; ++v) {
        auto* line = reinterpret_cast<QRgb*>(image.scanLine(static_cast<int>(v)));
        for (std::size_t u = 0; u < columns; ++u) {
            const int g = grey[v * columns + u];
            line[u] = qRgb(g, g, g);
        }
    }
    m_sinogram->setImage(std::move(image));
    m_sinogram->setCaption(
        tr("Sinogram — %1 of %2 views (rows = views, columns = detector u)").arg(done).arg(views));
}

void MainWindow::showSlice(const Volume& volume)
{
    const auto& size = volume.grid().size();
    const std::size_t slice = size[2] / 2;
    const std::size_t count = size[0] * size[1];
    const auto values = volume.data().subspan(slice * count, count);
    const render::Window window = render::autoWindow(values);
    // Row j grows with +y; flipped so that +y points up on screen.
    const auto grey = render::toGray8(values, size[0], size[1], window, true);
    m_slice->setImage(grayImage(grey, size[0], size[1]));
    m_slice->setCaption(tr("Reconstruction — slice z = %1, +y up, window [%2, %3] mm⁻¹")
                            .arg(slice)
                            .arg(window.low, 0, 'g', 3)
                            .arg(window.high, 0, 'g', 3));
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
    m_view3d->update();
}

void MainWindow::updateActions()
{
    const bool running = !m_run.isNull();
    m_runAction->setEnabled(!running);
    m_cancelAction->setEnabled(running);
}

void MainWindow::showError(const QString& title, const QString& text)
{
    m_lastError = text;
    // Non-blocking: the event loop (and any run) goes on while the box is up.
    auto* box = new QMessageBox(QMessageBox::Warning, title, text, QMessageBox::Ok, this);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
}

void MainWindow::onOpenTriggered()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Open scene"), QString(),
                                                      tr("Tomoscope scenes (*.json)"));
    if (!path.isEmpty()) {
        (void)openSceneFile(path);
    }
}

QString MainWindow::deviceText() const
{
    return m_deviceLabel->text();
}

QString MainWindow::metricsText() const
{
    return m_metricsLabel->text();
}

QImage MainWindow::grabWindow()
{
    QImage image = grab().toImage();
    // Some platforms grab an OpenGL child as black; paint its framebuffer over it.
    const QImage gl = m_view3d->grabFramebuffer();
    if (!gl.isNull()) {
        QPainter painter(&image);
        const QPoint at = m_view3d->mapTo(this, QPoint(0, 0));
        painter.drawImage(QRect(at, m_view3d->size()), gl);
    }
    return image;
}

void MainWindow::shutDownJobs()
{
    m_runner->cancelAll();
    (void)m_runner->waitForIdle(kCloseTimeout);
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    shutDownJobs();
    event->accept();
}
} // namespace tomo::ui
