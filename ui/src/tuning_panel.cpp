#include "tomo/ui/tuning_panel.h"

#include "plot_images.h"
#include "tomo/render/image_rgb.h"
#include "tomo/ui/image_view.h"

#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSignalBlocker>
#include <QSlider>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace tomo::ui
{
namespace
{
// Slider steps: 0.02 mm and 0.01 degree.
constexpr double kOffsetStep = 0.02;
constexpr double kTiltStep = 0.01;

int toSlider(double value, double step)
{
    return static_cast<int>(std::lround(value / step));
}
} // namespace

TuningPanel::TuningPanel(QWidget* parent) : QWidget(parent)
{
    m_offset = new QDoubleSpinBox;
    m_offset->setObjectName(QStringLiteral("tuneOffset"));
    m_offset->setRange(-kMaxOffsetMm, kMaxOffsetMm);
    m_offset->setDecimals(2);
    m_offset->setSingleStep(kOffsetStep);
    m_offset->setSuffix(tr(" mm"));
    m_offset->setToolTip(tr("Centre-of-rotation offset: the detector moved along u in the "
                            "reconstruction only"));
    m_tilt = new QDoubleSpinBox;
    m_tilt->setObjectName(QStringLiteral("tuneTilt"));
    m_tilt->setRange(-kMaxTiltDeg, kMaxTiltDeg);
    m_tilt->setDecimals(2);
    m_tilt->setSingleStep(kTiltStep);
    m_tilt->setSuffix(tr(" °"));
    m_tilt->setToolTip(tr("In-plane detector tilt about its normal, in the reconstruction only"));
    m_offsetSlider = new QSlider(Qt::Horizontal);
    m_offsetSlider->setRange(toSlider(-kMaxOffsetMm, kOffsetStep),
                             toSlider(kMaxOffsetMm, kOffsetStep));
    m_tiltSlider = new QSlider(Qt::Horizontal);
    m_tiltSlider->setRange(toSlider(-kMaxTiltDeg, kTiltStep), toSlider(kMaxTiltDeg, kTiltStep));
    auto* reset = new QPushButton(tr("Reset"));

    auto emitChanged = [this] {
        emit changed(offsetMm(), tiltDeg());
    };
    connect(m_offsetSlider, &QSlider::valueChanged, this, [this, emitChanged](int v) {
        const QSignalBlocker blocker(m_offset);
        m_offset->setValue(v * kOffsetStep);
        emitChanged();
    });
    connect(m_tiltSlider, &QSlider::valueChanged, this, [this, emitChanged](int v) {
        const QSignalBlocker blocker(m_tilt);
        m_tilt->setValue(v * kTiltStep);
        emitChanged();
    });
    connect(m_offset, &QDoubleSpinBox::valueChanged, this, [this, emitChanged](double v) {
        const QSignalBlocker blocker(m_offsetSlider);
        m_offsetSlider->setValue(toSlider(v, kOffsetStep));
        emitChanged();
    });
    connect(m_tilt, &QDoubleSpinBox::valueChanged, this, [this, emitChanged](double v) {
        const QSignalBlocker blocker(m_tiltSlider);
        m_tiltSlider->setValue(toSlider(v, kTiltStep));
        emitChanged();
    });
    connect(reset, &QPushButton::clicked, this, [this] { setValues(0.0, 0.0); });

    auto* form = new QFormLayout;
    auto* offsetRow = new QHBoxLayout;
    offsetRow->addWidget(m_offsetSlider, 1);
    offsetRow->addWidget(m_offset);
    auto* tiltRow = new QHBoxLayout;
    tiltRow->addWidget(m_tiltSlider, 1);
    tiltRow->addWidget(m_tilt);
    form->addRow(tr("Rotation centre"), offsetRow);
    form->addRow(tr("Detector tilt"), tiltRow);
    m_view = new ImageView(tr("Tuned slice"));
    m_status = new QLabel;
    m_status->setWordWrap(true);
    auto* controls = new QVBoxLayout;
    controls->addLayout(form);
    controls->addWidget(m_status);
    controls->addWidget(reset, 0, Qt::AlignLeft);
    controls->addStretch(1);
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    layout->addLayout(controls, 1);
    layout->addWidget(m_view, 1);
    showMessage(tr("Run the scene, then drag a slider: one slice is reconstructed with the "
                   "changed geometry at every step."));
}

double TuningPanel::offsetMm() const
{
    return m_offset->value();
}

double TuningPanel::tiltDeg() const
{
    return m_tilt->value();
}

void TuningPanel::setValues(double offsetMm, double tiltDeg)
{
    const bool same = offsetMm == m_offset->value() && tiltDeg == m_tilt->value();
    {
        const QSignalBlocker b1(m_offset);
        const QSignalBlocker b2(m_tilt);
        const QSignalBlocker b3(m_offsetSlider);
        const QSignalBlocker b4(m_tiltSlider);
        m_offset->setValue(offsetMm);
        m_tilt->setValue(tiltDeg);
        m_offsetSlider->setValue(toSlider(offsetMm, kOffsetStep));
        m_tiltSlider->setValue(toSlider(tiltDeg, kTiltStep));
    }
    if (!same) {
        emit changed(this->offsetMm(), this->tiltDeg());
    }
}

void TuningPanel::showSlice(const Volume& slice, std::pair<float, float> window,
                            std::optional<double> psnrDb, double milliseconds)
{
    const auto& size = slice.grid().size();
    // Turned as the axial slice view turns it: +x right, −y (anterior) up.
    m_view->setImage(detail::greyImage(slice.data().subspan(0, size[0] * size[1]), size[0], size[1],
                                       {window.first, window.second}, false));
    m_view->setCaption(tr("Slice z = %1 mm, centre %2 mm, tilt %3°")
                           .arg(slice.grid().origin().z, 0, 'f', 1)
                           .arg(offsetMm(), 0, 'f', 2)
                           .arg(tiltDeg(), 0, 'f', 2));
    m_status->setText(psnrDb ? tr("PSNR against the truth %1 dB (reconstructed in %2 ms). The "
                                  "right geometry gives the highest.")
                                   .arg(*psnrDb, 0, 'f', 2)
                                   .arg(milliseconds, 0, 'f', 0)
                             : tr("Reconstructed in %1 ms.").arg(milliseconds, 0, 'f', 0));
}

void TuningPanel::showMessage(const QString& text)
{
    m_view->clear();
    m_status->setText(text);
}

const QImage& TuningPanel::image() const
{
    return m_view->image();
}

QString TuningPanel::statusText() const
{
    return m_status->text();
}
} // namespace tomo::ui
