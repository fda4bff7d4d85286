#include "tomo/ui/fbp_teaching_dialog.h"

#include "geometry_tools.h"
#include "plot_images.h"
#include "tomo/render/image_rgb.h"
#include "tomo/ui/image_view.h"

#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSpinBox>
#include <QTimer>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace tomo::ui
{
namespace
{
// Play speed range and default, views per second.
constexpr int kMinSpeed = 1;
constexpr int kMaxSpeed = 500;
constexpr int kDefaultSpeed = 30;
// The timer ticks at most this often; faster speeds accumulate several views per tick.
constexpr int kTickMs = 40;

std::pair<float, float> symmetricRange(std::span<const float> values)
{
    float peak = 0.0F;
    for (float v : values) {
        peak = std::max(peak, std::abs(v));
    }
    return {-peak, peak > 0.0F ? peak : 1.0F};
}
} // namespace

FbpTeachingDialog::FbpTeachingDialog(std::shared_ptr<const ProjectionStack> projections,
                                     const VolumeGrid& grid, const FbpOptions& options,
                                     double sliceZ, std::pair<float, float> window, QWidget* parent)
    : QDialog(parent), m_raw(std::move(projections)), m_compute(ComputeContext::create("cpu")),
      m_projector(makeProjector(ProjectorModel::VoxelDriven, *m_compute)), m_window(window)
{
    m_filtered = std::make_unique<FilteredProjections>(
        filterForBackprojection(*m_raw, detail::axialSliceGrid(grid, sliceZ), options));
    m_image = std::make_unique<Volume>(Volume::zeros(m_filtered->grid));
    m_filteredWindow = symmetricRange(m_filtered->projections.data());

    setWindowTitle(tr("Filtered backprojection, step by step: %1")
                       .arg(QString::fromStdString(m_filtered->plan.method)));
    m_rawView = new ImageView(tr("Raw projection"));
    m_filteredView = new ImageView(tr("Filtered projection"));
    m_imageView = new ImageView(tr("Image"));
    m_status = new QLabel;
    m_play = new QPushButton(tr("Play"));
    m_play->setObjectName(QStringLiteral("teachPlay"));
    m_play->setCheckable(true);
    auto* stepButton = new QPushButton(tr("Step"));
    auto* restartButton = new QPushButton(tr("Restart"));
    auto* finishButton = new QPushButton(tr("All views"));
    m_speed = new QSpinBox;
    m_speed->setObjectName(QStringLiteral("teachSpeed"));
    m_speed->setRange(kMinSpeed, kMaxSpeed);
    m_speed->setValue(kDefaultSpeed);
    m_speed->setSuffix(tr(" views/s"));
    m_timer = new QTimer(this);
    setSpeed(kDefaultSpeed);

    connect(m_play, &QPushButton::toggled, this, &FbpTeachingDialog::setPlaying);
    connect(stepButton, &QPushButton::clicked, this, [this] { step(1); });
    connect(restartButton, &QPushButton::clicked, this, &FbpTeachingDialog::restart);
    connect(finishButton, &QPushButton::clicked, this, [this] { step(viewCount()); });
    connect(m_speed, &QSpinBox::valueChanged, this, &FbpTeachingDialog::setSpeed);
    connect(m_timer, &QTimer::timeout, this, [this] {
        const auto perTick = static_cast<std::size_t>(
            std::max(1.0, std::round(m_speed->value() * m_timer->interval() / 1000.0)));
        step(perTick);
    });

    auto* plots = new QHBoxLayout;
    plots->addWidget(m_rawView);
    plots->addWidget(m_filteredView);
    auto* controls = new QHBoxLayout;
    controls->addWidget(m_play);
    controls->addWidget(stepButton);
    controls->addWidget(finishButton);
    controls->addWidget(restartButton);
    controls->addWidget(new QLabel(tr("Speed")));
    controls->addWidget(m_speed);
    controls->addStretch(1);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(plots, 2);
    layout->addWidget(m_imageView, 3);
    layout->addWidget(m_status);
    layout->addLayout(controls);
    resize(900, 760);
    redraw();
}

FbpTeachingDialog::~FbpTeachingDialog() = default;

std::size_t FbpTeachingDialog::viewCount() const
{
    return m_filtered->projections.views();
}

bool FbpTeachingDialog::isPlaying() const
{
    return m_timer->isActive();
}

void FbpTeachingDialog::step(std::size_t views)
{
    const std::size_t count = std::min(views, viewCount() - m_done);
    if (count > 0) {
        m_projector->backAccumulate(m_filtered->projections, m_done, count, 1.0f, *m_image);
        m_done += count;
    }
    if (m_done == viewCount()) {
        setPlaying(false);
    }
    redraw();
}

void FbpTeachingDialog::restart()
{
    setPlaying(false);
    m_image = std::make_unique<Volume>(Volume::zeros(m_filtered->grid));
    m_done = 0;
    redraw();
}

void FbpTeachingDialog::setPlaying(bool playing)
{
    if (playing && m_done == viewCount()) {
        restart();
    }
    if (playing) {
        m_timer->start();
    } else {
        m_timer->stop();
    }
    const QSignalBlocker blocker(m_play);
    m_play->setChecked(playing);
    m_play->setText(playing ? tr("Pause") : tr("Play"));
}

void FbpTeachingDialog::setSpeed(int viewsPerSecond)
{
    // One view per tick up to 1000/kTickMs views per second, then several views per tick.
    m_timer->setInterval(std::max(kTickMs, 1000 / std::max(1, viewsPerSecond)));
}

void FbpTeachingDialog::redraw()
{
    const ProjectionStack& filtered = m_filtered->projections;
    // The view just added (or the first one before any).
    const std::size_t view = m_done > 0 ? m_done - 1 : 0;
    const std::size_t columns = m_raw->columns();
    const std::size_t rows = m_raw->rows();
    const render::Window rawWindow = render::autoWindow(m_raw->data());
    if (rows == 1) {
        m_rawView->setImage(detail::curveImage(m_raw->view(view), rawWindow));
        m_filteredView->setImage(detail::curveImage(
            filtered.view(view), {m_filteredWindow.first, m_filteredWindow.second},
            QColor(0x00, 0xB8, 0xD4)));
    } else {
        m_rawView->setImage(detail::greyImage(m_raw->view(view), columns, rows, rawWindow, true));
        m_filteredView->setImage(
            detail::greyImage(filtered.view(view), filtered.columns(), filtered.rows(),
                              {m_filteredWindow.first, m_filteredWindow.second}, true));
    }
    m_rawView->setCaption(tr("Raw projection of view %1: line integrals").arg(view + 1));
    m_filteredView->setCaption(
        tr("Filtered projection of view %1: weighted, ramp filtered (negative lobes)")
            .arg(view + 1));
    const auto& size = m_image->grid().size();
    // Turned as the axial slice view turns it: +x right, −y (anterior) up.
    m_imageView->setImage(detail::greyImage(m_image->data(), size[0], size[1],
                                            {m_window.first, m_window.second}, false));
    m_imageView->setCaption(tr("Image after %1 of %2 views (window %3 to %4 mm⁻¹, −y up)")
                                .arg(m_done)
                                .arg(viewCount())
                                .arg(m_window.first, 0, 'g', 3)
                                .arg(m_window.second, 0, 'g', 3));
    m_status->setText(
        m_done == viewCount()
            ? tr("All views backprojected: this is the %1 image of this slice.")
                  .arg(QString::fromStdString(m_filtered->plan.method))
            : tr("Each filtered view is smeared back along its rays and added; the negative "
                 "lobes of the filter cancel the blur of plain backprojection."));
}
} // namespace tomo::ui
