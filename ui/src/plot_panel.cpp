#include "tomo/ui/plot_panel.h"

#include <QAbstractAxis>
#include <QChart>
#include <QChartView>
#include <QLineSeries>
#include <QLogValueAxis>
#include <QPen>
#include <QTabWidget>
#include <QVBoxLayout>
#include <QValueAxis>

#include <algorithm>
#include <cmath>

namespace tomo::ui
{
namespace
{
// Curve colours, matching the slice views' overlays: residual orange, PSNR cyan (the profile
// line's colour in the slice views), SSIM violet, reconstruction yellow on truth grey.
const QColor kResidualColour(0xF0, 0x8C, 0x28);
const QColor kPsnrColour(0x00, 0xB8, 0xD4);
const QColor kSsimColour(0xA0, 0x60, 0xE0);
const QColor kReconColour(0xE6, 0xB4, 0x00);
const QColor kTruthColour(0x80, 0x80, 0x80);

QChartView* makeView(QChart* chart)
{
    chart->setMargins(QMargins(2, 2, 2, 2));
    chart->legend()->setAlignment(Qt::AlignTop);
    // Small type: the dock is short, and large labels elide to "…".
    QFont small = chart->legend()->font();
    small.setPointSizeF(small.pointSizeF() * 0.8);
    chart->legend()->setFont(small);
    chart->setTitleFont(small);
    for (QAbstractAxis* axis : chart->axes()) {
        axis->setLabelsFont(small);
        axis->setTitleFont(small);
    }
    auto* view = new QChartView(chart);
    view->setRenderHint(QPainter::Antialiasing);
    view->setMinimumHeight(160);
    return view;
}

QLineSeries* makeSeries(const QString& name, const QColor& colour, Qt::PenStyle style)
{
    auto* series = new QLineSeries;
    series->setName(name);
    QPen pen(colour);
    pen.setWidthF(2.0);
    pen.setStyle(style);
    series->setPen(pen);
    series->setPointsVisible(false);
    return series;
}
} // namespace

PlotPanel::PlotPanel(QWidget* parent) : QWidget(parent)
{
    m_convergence = new QChart;
    m_residual = makeSeries(tr("residual ‖Ax−b‖/‖b‖"), kResidualColour, Qt::SolidLine);
    m_psnr = makeSeries(tr("PSNR vs truth (dB)"), kPsnrColour, Qt::SolidLine);
    m_psnr->setPointsVisible(true);
    m_ssim = makeSeries(tr("SSIM vs truth"), kSsimColour, Qt::DashLine);
    m_ssim->setPointsVisible(true);
    m_convergence->addSeries(m_residual);
    m_convergence->addSeries(m_psnr);
    m_convergence->addSeries(m_ssim);
    m_iterationAxis = new QValueAxis;
    m_iterationAxis->setTitleText(tr("iteration"));
    m_iterationAxis->setLabelFormat(QStringLiteral("%d"));
    m_residualAxis = new QLogValueAxis;
    m_residualAxis->setTitleText(tr("residual"));
    m_residualAxis->setLabelFormat(QStringLiteral("%.0e"));
    m_residualAxis->setBase(10.0);
    m_psnrAxis = new QValueAxis;
    m_psnrAxis->setTitleText(tr("PSNR (dB)"));
    m_psnrAxis->setLabelFormat(QStringLiteral("%.0f"));
    m_convergence->addAxis(m_iterationAxis, Qt::AlignBottom);
    m_convergence->addAxis(m_residualAxis, Qt::AlignLeft);
    m_ssimAxis = new QValueAxis;
    m_ssimAxis->setTitleText(tr("SSIM"));
    m_ssimAxis->setLabelFormat(QStringLiteral("%.2f"));
    m_convergence->addAxis(m_psnrAxis, Qt::AlignRight);
    m_convergence->addAxis(m_ssimAxis, Qt::AlignRight);
    m_residual->attachAxis(m_iterationAxis);
    m_residual->attachAxis(m_residualAxis);
    m_psnr->attachAxis(m_iterationAxis);
    m_psnr->attachAxis(m_psnrAxis);
    m_ssim->attachAxis(m_iterationAxis);
    m_ssim->attachAxis(m_ssimAxis);

    m_profile = new QChart;
    m_profile->setTitle(tr("Profile"));
    m_profileRecon = makeSeries(tr("reconstruction"), kReconColour, Qt::SolidLine);
    m_profileTruth = makeSeries(tr("truth"), kTruthColour, Qt::DashLine);
    m_profile->addSeries(m_profileTruth);
    m_profile->addSeries(m_profileRecon);
    m_positionAxis = new QValueAxis;
    m_positionAxis->setTitleText(tr("distance along the profile from its first point (mm)"));
    m_positionAxis->setLabelFormat(QStringLiteral("%.0f"));
    m_valueAxis = new QValueAxis;
    m_profile->addAxis(m_positionAxis, Qt::AlignBottom);
    m_profile->addAxis(m_valueAxis, Qt::AlignLeft);
    for (QLineSeries* s : {m_profileRecon, m_profileTruth}) {
        s->attachAxis(m_positionAxis);
        s->attachAxis(m_valueAxis);
    }

    m_tabs = new QTabWidget;
    m_tabs->setDocumentMode(true);
    m_tabs->addTab(makeView(m_convergence), tr("Convergence"));
    m_tabs->addTab(makeView(m_profile), tr("Profile"));
    // The profile has a caption as well: its legend goes to the side, or the dock's height is
    // not enough for the axis labels, which would elide to "…".
    m_profile->legend()->setAlignment(Qt::AlignRight);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_tabs);
    clearConvergence();
    clearProfile();
}

void PlotPanel::clearConvergence()
{
    m_residual->clear();
    m_psnr->clear();
    m_ssim->clear();
    m_lastIterate = 0;
    m_ssimMin = 0.0;
    m_residualMin = m_residualMax = 0.0;
    m_psnrMin = m_psnrMax = 0.0;
    m_iterationAxis->setRange(0, 10);
    m_residualAxis->setRange(1e-3, 1.0);
    m_psnrAxis->setRange(0, 40);
    m_ssimAxis->setRange(0, 1);
}

void PlotPanel::addIterate(std::size_t iterate, double residual, std::optional<double> psnrDb,
                           std::optional<double> ssim)
{
    if (iterate <= m_lastIterate) {
        return;
    }
    m_lastIterate = iterate;
    const auto x = static_cast<double>(iterate);
    if (residual > 0.0 && std::isfinite(residual)) {
        m_residual->append(x, residual);
        m_residualMin = m_residual->count() == 1 ? residual : std::min(m_residualMin, residual);
        m_residualMax = std::max(m_residualMax, residual);
    }
    if (psnrDb && std::isfinite(*psnrDb)) {
        m_psnr->append(x, *psnrDb);
        m_psnrMin = m_psnr->count() == 1 ? *psnrDb : std::min(m_psnrMin, *psnrDb);
        m_psnrMax = std::max(m_psnrMax, *psnrDb);
    }
    if (ssim && std::isfinite(*ssim)) {
        m_ssim->append(x, *ssim);
        m_ssimMin = m_ssim->count() == 1 ? *ssim : std::min(m_ssimMin, *ssim);
    }
    rescaleConvergence();
}

void PlotPanel::rescaleConvergence()
{
    m_iterationAxis->setRange(0, std::max(10.0, static_cast<double>(m_lastIterate)));
    if (m_residual->count() > 0) {
        // Whole decades around the data, so the log axis labels stay readable.
        const double low = std::pow(10.0, std::floor(std::log10(m_residualMin)));
        const double high = std::pow(10.0, std::ceil(std::log10(m_residualMax)));
        m_residualAxis->setRange(low, high > low ? high : low * 10.0);
    }
    if (m_psnr->count() > 0) {
        m_psnrAxis->setRange(std::floor(m_psnrMin - 1.0), std::ceil(m_psnrMax + 1.0));
    }
    if (m_ssim->count() > 0) {
        // From the lowest tenth below the data to 1, the best possible.
        m_ssimAxis->setRange(std::max(-1.0, std::floor(m_ssimMin * 10.0 - 1.0) / 10.0), 1.0);
    }
}

void PlotPanel::setProfile(const std::vector<double>& reconstruction,
                           const std::vector<double>& truth, double lengthMm, const QString& unit,
                           const QString& caption)
{
    double low = 0.0;
    double high = 0.0;
    bool first = true;
    auto fill = [&](QLineSeries* series, const std::vector<double>& values) {
        QList<QPointF> points;
        points.reserve(static_cast<qsizetype>(values.size()));
        const double step =
            values.size() > 1 ? lengthMm / static_cast<double>(values.size() - 1) : 0.0;
        for (std::size_t i = 0; i < values.size(); ++i) {
            points.append(QPointF(static_cast<double>(i) * step, values[i]));
            low = first ? values[i] : std::min(low, values[i]);
            high = first ? values[i] : std::max(high, values[i]);
            first = false;
        }
        series->replace(points);
    };
    fill(m_profileRecon, reconstruction);
    fill(m_profileTruth, truth);
    m_positionAxis->setRange(0.0, lengthMm > 0.0 ? lengthMm : 1.0);
    const double pad = high > low ? 0.05 * (high - low) : 1e-3;
    m_valueAxis->setRange(low - pad, high + pad);
    m_valueAxis->setTitleText(unit);
    m_profile->setTitle(caption);
}

void PlotPanel::clearProfile()
{
    m_profileRecon->clear();
    m_profileTruth->clear();
    m_profile->setTitle(tr("Profile (click a slice to place it)"));
}

void PlotPanel::showTab(int index)
{
    m_tabs->setCurrentIndex(index);
}

int PlotPanel::residualPointCount() const
{
    return static_cast<int>(m_residual->count());
}

int PlotPanel::psnrPointCount() const
{
    return static_cast<int>(m_psnr->count());
}

int PlotPanel::ssimPointCount() const
{
    return static_cast<int>(m_ssim->count());
}

int PlotPanel::profilePointCount() const
{
    return static_cast<int>(m_profileRecon->count());
}
} // namespace tomo::ui
