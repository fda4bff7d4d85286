#pragma once

#include <QWidget>

#include <memory>

class QTabWidget;

namespace tomo::ui
{
class SceneDocument;

namespace detail
{
class SceneBinder;
}

/// The scene editor (DESIGN.md §7): five pages, "Trajectory", "Detector", "Object", "Physics" and
/// "Reconstruction", with a control for every field of the document's scene that a user sets.
/// Every control writes through SceneDocument::modify, one undo step per edit named after the
/// parameter and its new value ("Views: 720", "SID: 600 mm"); spin boxes merge consecutive
/// changes, so holding an arrow is one step. On SceneDocument::sceneChanged every control is set
/// from the scene with its signals blocked, so undo, redo and reset show in the controls.
/// Lengths are in mm and angles in degrees here; the scene holds radians. Only the controls of
/// the chosen trajectory kind, phantom, spectrum and algorithm family are shown, and the
/// algorithm list disables what cannot reconstruct the scene, saying why (algorithmChoices).
/// Every editing control has an objectName ("viewsSpin", "sidSpin", "algorithmCombo", …) for
/// tests and style sheets. About 340 px wide; each page scrolls vertically. UI thread only; the
/// document must outlive the panel.
class ScenePanel : public QWidget
{
    Q_OBJECT

public:
    explicit ScenePanel(SceneDocument& document, QWidget* parent = nullptr);
    ~ScenePanel() override;
    ScenePanel(const ScenePanel&) = delete;
    ScenePanel& operator=(const ScenePanel&) = delete;

    [[nodiscard]] QSize sizeHint() const override;

private:
    std::unique_ptr<detail::SceneBinder> m_binder;
    QTabWidget* m_tabs = nullptr;
};
} // namespace tomo::ui
