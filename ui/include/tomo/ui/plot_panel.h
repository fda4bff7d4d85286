#pragma once

#include <QString>
#include <QWidget>

#include <cstddef>
#include <optional>
#include <vector>

class QChart;
class QChartView;
class QLineSeries;
class QLogValueAxis;
class QTabWidget;
class QValueAxis;

namespace tomo::ui
{
/// The plot panel (QtCharts): the convergence of an iterative run (the relative data residual
/// ‖Ax − b‖/‖b‖ on a log axis, the PSNR against the truth in dB and the SSIM against it, per
/// iteration, growing live)
/// and a line profile of the reconstruction against the truth. UI thread only.
class PlotPanel : public QWidget
{
    Q_OBJECT

public:
    explicit PlotPanel(QWidget* parent = nullptr);

    /// Empties the convergence curves (a new run).
    void clearConvergence();
    /// Adds the point of iteration `iterate` (1-based over the whole run). A residual ≤ 0 is not
    /// drawn on the log axis; a missing PSNR or SSIM leaves a gap in its curve. Iterations
    /// arriving out of order or twice are ignored (previews may be dropped, never reordered).
    void addIterate(std::size_t iterate, double residual, std::optional<double> psnrDb,
                    std::optional<double> ssim = std::nullopt);

    /// Shows a profile: `reconstruction` and `truth` (either may be empty) sampled at equal
    /// steps from 0 to `lengthMm`, in `unit`, under `caption`.
    void setProfile(const std::vector<double>& reconstruction, const std::vector<double>& truth,
                    double lengthMm, const QString& unit, const QString& caption);
    void clearProfile();

    /// Brings the convergence (0) or profile (1) tab to the front.
    void showTab(int index);

    [[nodiscard]] int residualPointCount() const;
    [[nodiscard]] int psnrPointCount() const;
    [[nodiscard]] int ssimPointCount() const;
    [[nodiscard]] int profilePointCount() const;

private:
    void rescaleConvergence();

    QTabWidget* m_tabs = nullptr;
    QChart* m_convergence = nullptr;
    QLineSeries* m_residual = nullptr;
    QLineSeries* m_psnr = nullptr;
    QValueAxis* m_iterationAxis = nullptr;
    QLogValueAxis* m_residualAxis = nullptr;
    QValueAxis* m_psnrAxis = nullptr;
    QLineSeries* m_ssim = nullptr;
    QValueAxis* m_ssimAxis = nullptr;
    QChart* m_profile = nullptr;
    QLineSeries* m_profileRecon = nullptr;
    QLineSeries* m_profileTruth = nullptr;
    QValueAxis* m_positionAxis = nullptr;
    QValueAxis* m_valueAxis = nullptr;
    std::size_t m_lastIterate = 0;
    double m_residualMin = 0.0;
    double m_residualMax = 0.0;
    double m_psnrMin = 0.0;
    double m_psnrMax = 0.0;
    double m_ssimMin = 0.0;
};
} // namespace tomo::ui
