#include "tomo/ui/geometry_check_panel.h"

#include <QApplication>
#include <QLabel>
#include <QListWidget>
#include <QStyle>
#include <QVBoxLayout>

#include <algorithm>

namespace tomo::ui
{
namespace
{
// A tooltip lists at most this many of the views a finding concerns, then "… and N more".
constexpr std::size_t kViewsInTooltip = 12;

QString viewList(const std::vector<std::size_t>& views)
{
    QStringList shown;
    const std::size_t n = std::min(views.size(), kViewsInTooltip);
    for (std::size_t i = 0; i < n; ++i) {
        shown << QString::number(views[i]);
    }
    QString text = shown.join(QStringLiteral(", "));
    if (views.size() > n) {
        text += QObject::tr(" … and %1 more").arg(views.size() - n);
    }
    return text;
}
} // namespace

GeometryCheckPanel::GeometryCheckPanel(QWidget* parent) : QWidget(parent)
{
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    m_header = new QLabel;
    m_header->setWordWrap(true);
    m_error = new QLabel;
    m_error->setWordWrap(true);
    m_error->setStyleSheet(QStringLiteral("color: #d33; font-weight: bold;"));
    m_error->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_error->hide();
    m_list = new QListWidget;
    m_list->setObjectName(QStringLiteral("geometryFindings"));
    m_list->setWordWrap(true);
    m_list->setSelectionMode(QAbstractItemView::NoSelection);
    m_list->setFocusPolicy(Qt::NoFocus);
    m_list->setVerticalScrollMode(QAbstractItemView::ScrollPerPixel);
    layout->addWidget(m_header);
    layout->addWidget(m_error);
    layout->addWidget(m_list, 1);
}

void GeometryCheckPanel::showError(const QString& error)
{
    m_list->clear();
    m_findings.clear();
    m_warnings = 0;
    m_header->setText(tr("The scene cannot run yet:"));
    m_error->setText(error);
    m_error->show();
    m_list->hide();
}

void GeometryCheckPanel::showFindings(const Geometry& geometry, const VolumeGrid& grid)
{
    m_list->clear();
    m_findings = checkGeometry(geometry, grid);
    m_warnings = 0;
    m_error->clear();
    m_error->hide();
    m_list->show();
    const QIcon info = QApplication::style()->standardIcon(QStyle::SP_MessageBoxInformation);
    const QIcon warning = QApplication::style()->standardIcon(QStyle::SP_MessageBoxWarning);
    for (const Finding& f : m_findings) {
        const bool isWarning = f.severity == Severity::Warning;
        m_warnings += isWarning ? 1 : 0;
        auto* item = new QListWidgetItem(isWarning ? warning : info,
                                         QString::fromStdString(f.message), m_list);
        QString tip = QString::fromStdString(f.code);
        if (!f.views.empty()) {
            tip +=
                tr("\n%n view(s): ", nullptr, static_cast<int>(f.views.size())) + viewList(f.views);
        }
        item->setToolTip(tip);
        item->setData(Qt::UserRole, QString::fromStdString(f.code));
    }
    m_header->setText(m_warnings == 0 ? tr("Geometry: no warnings")
                                      : tr("Geometry: %n warning(s)", nullptr, m_warnings));
}

QStringList GeometryCheckPanel::findingCodes() const
{
    QStringList codes;
    for (const Finding& f : m_findings) {
        codes << QString::fromStdString(f.code);
    }
    return codes;
}

QString GeometryCheckPanel::errorText() const
{
    return m_error->text();
}
} // namespace tomo::ui
