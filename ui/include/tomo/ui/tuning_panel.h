#pragma once

#include "tomo/volume.h"

#include <QString>
#include <QWidget>

#include <optional>

class QDoubleSpinBox;
class QLabel;
class QSlider;

namespace tomo::ui
{
class ImageView;

/// Live geometry tuning: a centre-of-rotation offset (the detector moved along û, mm) and an
/// in-plane detector tilt (degrees) applied to the reconstruction geometry only, as when the
/// scanner's calibration is in doubt; the host reconstructs one slice of the last run with them
/// at every change and shows it here, with its PSNR against the truth. Dragging a slider emits
/// `changed` at every step; the host coalesces the reconstructions.
class TuningPanel : public QWidget
{
    Q_OBJECT

public:
    /// Slider ranges: ± this many mm and degrees.
    static constexpr double kMaxOffsetMm = 5.0;
    static constexpr double kMaxTiltDeg = 3.0;

    explicit TuningPanel(QWidget* parent = nullptr);

    [[nodiscard]] double offsetMm() const;
    [[nodiscard]] double tiltDeg() const;
    /// Sets both values (emits `changed` once if they differ).
    void setValues(double offsetMm, double tiltDeg);

    /// Shows a tuned slice (μ, mm⁻¹; 2D or one-slice volume) on `window`, with its PSNR against
    /// the truth where known and the time the reconstruction took.
    void showSlice(const Volume& slice, std::pair<float, float> window,
                   std::optional<double> psnrDb, double milliseconds);
    /// Shows a message instead of a slice ("Run the scene first").
    void showMessage(const QString& text);
    [[nodiscard]] const QImage& image() const;
    [[nodiscard]] QString statusText() const;

signals:
    void changed(double offsetMm, double tiltDeg);

private:
    QSlider* m_offsetSlider = nullptr;
    QSlider* m_tiltSlider = nullptr;
    QDoubleSpinBox* m_offset = nullptr;
    QDoubleSpinBox* m_tilt = nullptr;
    ImageView* m_view = nullptr;
    QLabel* m_status = nullptr;
};
} // namespace tomo::ui
