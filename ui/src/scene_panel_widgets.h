#pragma once

// Private to ScenePanel: the binding of widgets to scene fields, the widget factories every page
// uses, and the five page builders (scene_panel_geometry.cpp, scene_panel_physics.cpp,
// scene_panel_recon.cpp).

#include "tomo/scene.h"

#include <QCoreApplication>
#include <QDoubleSpinBox>
#include <QString>
#include <QVariant>

#include <functional>
#include <numbers>
#include <utility>
#include <vector>

class QAbstractButton;
class QComboBox;
class QFormLayout;
class QGroupBox;
class QLabel;
class QLineEdit;
class QSpinBox;
class QVBoxLayout;
class QWidget;

namespace tomo::ui
{
class SceneDocument;

namespace detail
{
/// Text shown to the user, translatable in the panel's context.
[[nodiscard]] inline QString tr(const char* text)
{
    return QCoreApplication::translate("tomo::ui::ScenePanel", text);
}

/// Degrees in the UI, radians in the scene (DESIGN.md §4): exact conversions, so that 180° is
/// π to the last bit that deg·π/180 gives.
[[nodiscard]] inline double toRadians(double degrees)
{
    return degrees * std::numbers::pi / 180.0;
}
[[nodiscard]] inline double toDegrees(double radians)
{
    return radians * 180.0 / std::numbers::pi;
}

/// A value for an undo label: at most 10 significant digits, no trailing zeros ("600", "0.02").
[[nodiscard]] QString formatNumber(double value);

/// Ties widgets to fields of the document's scene. Each bind*() connects the widget's edit signal
/// to SceneDocument::modify (one undo step named "<name>: <value>"; spin boxes merge by object
/// name, so that holding an arrow is one step) and registers a refresher that sets the widget
/// from the scene with its signals blocked. refresh() runs every refresher; ScenePanel calls it
/// on SceneDocument::sceneChanged, so undo, redo and reset show in the widgets and no refresh
/// writes back. UI thread only.
class SceneBinder
{
public:
    explicit SceneBinder(SceneDocument& document) : m_document(document) {}

    [[nodiscard]] SceneDocument& document() const { return m_document; }
    [[nodiscard]] const Scene& scene() const;

    /// Adds a refresher (visibility, labels, derived read-only lines).
    void onRefresh(std::function<void(const Scene&)> refresher);
    /// Runs every refresher on the document's scene, in the order they were added.
    void refresh() const;
    /// From now on edits are dropped and refreshes skipped: the panel is being destroyed and a
    /// line edit losing focus must not edit the scene.
    void detach() { m_detached = true; }

    /// One undoable edit; where it changes nothing (the value equals the scene's, or the scene
    /// file does not hold the field for this scene) the widgets are refreshed instead, so that
    /// they show the scene.
    void apply(const QString& text, const std::function<void(Scene&)>& change,
               const QString& mergeKey = {}) const;

    void bindDouble(QDoubleSpinBox* spin, const QString& name,
                    std::function<double(const Scene&)> get,
                    std::function<void(Scene&, double)> set);
    void bindInt(QSpinBox* spin, const QString& name, std::function<double(const Scene&)> get,
                 std::function<void(Scene&, int)> set);
    /// A check box, or a checkable group box (checked: the effect is on).
    void bindBool(QAbstractButton* button, const QString& name,
                  std::function<bool(const Scene&)> get, std::function<void(Scene&, bool)> set);
    void bindGroup(QGroupBox* group, const QString& name, std::function<bool(const Scene&)> get,
                   std::function<void(Scene&, bool)> set);
    /// A combo box whose items carry their value as item data.
    void bindCombo(QComboBox* combo, const QString& name, std::function<QVariant(const Scene&)> get,
                   std::function<void(Scene&, const QVariant&)> set);
    /// A line edit applied on editingFinished. `set` parses the text into the scene and returns
    /// an error message (naming the field, the text and what is accepted), or an empty string;
    /// on an error nothing is pushed and `error` shows the message until the next refresh.
    void bindText(QLineEdit* edit, QLabel* error, const QString& name,
                  std::function<QString(const Scene&)> get,
                  std::function<QString(Scene&, const QString&)> set);

private:
    SceneDocument& m_document;
    std::vector<std::function<void(const Scene&)>> m_refreshers;
    bool m_detached = false;
};

/// A QDoubleSpinBox that shows its value in %g notation and steps along 1, 2, 5, 10, 20, …:
/// for values that span decades (photons per pixel, TV weights).
class ScientificSpinBox : public QDoubleSpinBox
{
public:
    explicit ScientificSpinBox(QWidget* parent = nullptr);
    [[nodiscard]] QString textFromValue(double value) const override;
    [[nodiscard]] double valueFromText(const QString& text) const override;
    QValidator::State validate(QString& text, int& pos) const override;
    void stepBy(int steps) override;
};

struct DoubleSpec
{
    const char* objectName;
    double min;
    double max;
    int decimals;
    double step;
    const char* suffix; ///< " mm", " °", …; empty for none
    QString toolTip;
};
[[nodiscard]] QDoubleSpinBox* makeDoubleSpin(const DoubleSpec& spec);
[[nodiscard]] ScientificSpinBox* makeScientificSpin(const char* objectName, double min, double max,
                                                    const QString& toolTip);
[[nodiscard]] QSpinBox* makeIntSpin(const char* objectName, int min, int max,
                                    const QString& toolTip, const char* suffix = "");
/// A combo box of (text, data) items.
[[nodiscard]] QComboBox* makeCombo(const char* objectName,
                                   const std::vector<std::pair<QString, QVariant>>& items,
                                   const QString& toolTip);
/// A read-only line for derived values (detector size, field of view).
[[nodiscard]] QLabel* makeInfoLabel(const char* objectName);
/// A red message line under a text field, hidden while empty.
[[nodiscard]] QLabel* makeErrorLabel(const char* objectName);

/// A page: a scroll area (no horizontal scrolling) whose body stacks group boxes.
class PageBuilder
{
public:
    explicit PageBuilder(const char* objectName);
    /// A group box with a form layout, added to the page.
    QFormLayout* addGroup(const QString& title, const char* objectName,
                          QGroupBox** group = nullptr);
    [[nodiscard]] QVBoxLayout* body() const { return m_body; }
    /// The finished page (a stretch closes the body; every group's labels take the width of the
    /// page's widest, so that fields line up from group to group).
    [[nodiscard]] QWidget* finish();

private:
    QWidget* m_page = nullptr;
    QVBoxLayout* m_body = nullptr;
    std::vector<QFormLayout*> m_forms;
};

/// Shows or hides the row of `field` in `form` (label and field).
void setRowVisible(QFormLayout* form, QWidget* field, bool visible);
/// Sets the text of the label of `field`'s row.
void setRowLabel(QFormLayout* form, QWidget* field, const QString& text);

[[nodiscard]] QWidget* makeTrajectoryPage(SceneBinder& binder);
[[nodiscard]] QWidget* makeDetectorPage(SceneBinder& binder);
[[nodiscard]] QWidget* makeObjectPage(SceneBinder& binder);
/// The Object page's "Objects" group: the phantom's analytic objects in an editable table
/// (scene_panel_objects.cpp).
void addPhantomObjectsTable(PageBuilder& page, SceneBinder& binder);
[[nodiscard]] QWidget* makePhysicsPage(SceneBinder& binder);
[[nodiscard]] QWidget* makeReconstructionPage(SceneBinder& binder);
} // namespace detail
} // namespace tomo::ui
