#include "tomo/ui/slice_pane.h"

#include "tomo/render/slice_views.h"

#include <QLabel>
#include <QMouseEvent>
#include <QWheelEvent>
#include <vtkRenderWindow.h>
#include <vtkRenderer.h>

namespace tomo::ui
{
namespace
{
// Qt's wheel delta of one notch.
constexpr int kWheelNotch = 120;
} // namespace

SlicePane::SlicePane(render::SliceScene& scene, QString title, QWidget* parent)
    : VtkHostWidget(parent), m_scene(scene), m_title(std::move(title))
{
    renderWindow()->AddRenderer(m_scene.renderer());
    setToolTip(tr("%1: click to place the cursor, wheel to move through the slices").arg(m_title));
    setMinimumSize(120, 120);
    // The view's name in its corner: a child label (composited by Qt), not a QPainter over the
    // GL frame, which costs a GL paint engine set-up at every frame.
    auto* label = new QLabel(m_title, this);
    label->setStyleSheet(QStringLiteral("color: #d0d4dc; background: transparent;"));
    label->setAttribute(Qt::WA_TransparentForMouseEvents);
    label->move(6, 4);
}

SlicePane::~SlicePane()
{
    renderWindow()->RemoveRenderer(m_scene.renderer());
}

Vec3 SlicePane::worldAt(QPointF position) const
{
    vtkRenderer* renderer = m_scene.renderer();
    const double ratio = devicePixelRatioF();
    // VTK's display coordinates: device pixels from the bottom-left corner.
    const double x = position.x() * ratio;
    const double y = (static_cast<double>(height()) - position.y()) * ratio;
    renderer->SetDisplayPoint(x, y, 0.0);
    renderer->DisplayToWorld();
    const double* w = renderer->GetWorldPoint();
    const double h = w[3] != 0.0 ? w[3] : 1.0;
    return m_scene.worldFromDisplay(w[0] / h, w[1] / h);
}

void SlicePane::mousePressEvent(QMouseEvent* event)
{
    if (event->button() == Qt::LeftButton) {
        m_dragging = true;
        emit cursorPicked(worldAt(event->position()));
    }
    event->accept();
}

void SlicePane::mouseMoveEvent(QMouseEvent* event)
{
    if (m_dragging) {
        emit cursorPicked(worldAt(event->position()));
    }
    event->accept();
}

void SlicePane::mouseReleaseEvent(QMouseEvent* event)
{
    m_dragging = false;
    event->accept();
}

void SlicePane::mouseDoubleClickEvent(QMouseEvent* event)
{
    event->accept();
}

void SlicePane::wheelEvent(QWheelEvent* event)
{
    const int steps = event->angleDelta().y() / kWheelNotch;
    if (steps != 0) {
        emit sliceStepped(steps);
    }
    event->accept();
}

} // namespace tomo::ui
