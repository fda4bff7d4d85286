#pragma once

#include "tomo/geometry_check.h"

#include <QString>
#include <QStringList>
#include <QWidget>

#include <vector>

class QLabel;
class QListWidget;

namespace tomo::ui
{
/// The geometry sanity panel, always visible: checkGeometry's findings for the scene being
/// edited (magnification, fan and cone angle, pixel size at the isocentre, field of view against
/// the object, truncation, angular coverage, completeness), one line each with a warning or an
/// information icon and the views concerned in the tooltip. For an invalid scene it shows the
/// validation message instead, in red. UI thread only.
class GeometryCheckPanel : public QWidget
{
    Q_OBJECT

public:
    explicit GeometryCheckPanel(QWidget* parent = nullptr);

    /// Shows checkGeometry's findings for `geometry` scanning the box of `grid`.
    void showFindings(const Geometry& geometry, const VolumeGrid& grid);
    /// Shows why the scene cannot run (its validation message) instead of findings.
    void showError(const QString& error);

    /// The codes of the findings shown ("summary", "truncation", ...); empty for an invalid scene.
    [[nodiscard]] QStringList findingCodes() const;
    /// The validation message shown, or empty.
    [[nodiscard]] QString errorText() const;
    /// How many findings are warnings.
    [[nodiscard]] int warningCount() const { return m_warnings; }

private:
    QLabel* m_header = nullptr;
    QLabel* m_error = nullptr;
    QListWidget* m_list = nullptr;
    std::vector<Finding> m_findings;
    int m_warnings = 0;
};
} // namespace tomo::ui
