#pragma once

#include "tomo/ui/vtk_host_widget.h"
#include "tomo/vec3.h"

#include <QString>

namespace tomo::render
{
class SliceScene;
}

namespace tomo::ui
{
/// One slice view (render::SliceScene) in the window: no camera interaction; a click (or a
/// drag) places the cursor at the world point under the mouse, the wheel moves the slice by one
/// voxel along its normal. The host links the panes (render::SliceViews) on `cursorPicked`.
/// The scene is not owned and must outlive the pane. UI thread only.
class SlicePane : public VtkHostWidget
{
    Q_OBJECT

public:
    SlicePane(render::SliceScene& scene, QString title, QWidget* parent = nullptr);
    ~SlicePane() override;
    SlicePane(const SlicePane&) = delete;
    SlicePane& operator=(const SlicePane&) = delete;

    [[nodiscard]] render::SliceScene& scene() const { return m_scene; }
    [[nodiscard]] const QString& title() const { return m_title; }

    /// The world point (mm) on the slice under widget position `position` (logical pixels), as
    /// of the last render. For tests and the host's picking.
    [[nodiscard]] Vec3 worldAt(QPointF position) const;

signals:
    /// The user clicked or dragged to `worldMm` on this slice.
    void cursorPicked(tomo::Vec3 worldMm);
    /// The wheel asked to move the slice by `steps` voxels along its normal (positive: towards
    /// +x, +y or +z).
    void sliceStepped(int steps);

protected:
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void mouseDoubleClickEvent(QMouseEvent* event) override;
    void wheelEvent(QWheelEvent* event) override;

private:
    render::SliceScene& m_scene;
    QString m_title;
    bool m_dragging = false;
};
} // namespace tomo::ui
