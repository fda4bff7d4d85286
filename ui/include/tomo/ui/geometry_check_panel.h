#pragma once

#include "tomo/geometry_check.h"

#include <QString>
#include <QStringList>
#include <QWidget>

#include <vector>

class QLabel;
class QListWidget;

namespace tomo
{
struct Scene;
}

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

    /// Re-analyses `scene` (its geometry against its reconstruction grid). A non-empty
    /// `validationError` is shown instead of an analysis.
    void setScene(const Scene& scene, const QString& validationError);

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
