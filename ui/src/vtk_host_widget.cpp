#include "tomo/ui/vtk_host_widget.h"

#include <QKeyEvent>
#include <QMouseEvent>
#include <QOpenGLContext>
#include <QOpenGLFunctions>
#include <QWheelEvent>
#include <vtkCallbackCommand.h>
#include <vtkCommand.h>
#include <vtkGenericOpenGLRenderWindow.h>
#include <vtkGenericRenderWindowInteractor.h>
#include <vtkInteractorStyleTrackballCamera.h>
#include <vtkNew.h>
#include <vtkOpenGLState.h>

#include <array>
#include <cmath>
#include <string>

namespace tomo::ui
{
namespace
{
// VTK asks its host to make the context current (e.g. when it frees graphics resources outside
// paintGL) and whether it is current; the host answers through these observers.
void onMakeCurrent(vtkObject*, unsigned long, void* clientData, void*)
{
    // VTK asks for this in the middle of rendering, with its own framebuffer bound and cached
    // in its state. QOpenGLWidget::makeCurrent() would also bind the widget's framebuffer
    // behind VTK's back, and VTK would then attach its textures to Qt's framebuffer (which
    // becomes GL_FRAMEBUFFER_UNSUPPORTED: a blank view). So: only when not current already.
    auto* widget = static_cast<QOpenGLWidget*>(clientData);
    if (widget->context() == nullptr || QOpenGLContext::currentContext() != widget->context()) {
        widget->makeCurrent();
    }
}

void onIsCurrent(vtkObject*, unsigned long, void* clientData, void* callData)
{
    auto* widget = static_cast<QOpenGLWidget*>(clientData);
    *static_cast<bool*>(callData) =
        widget->context() != nullptr && QOpenGLContext::currentContext() == widget->context();
}

// The interactor does not render by itself (EnableRenderOff): it asks for a repaint, and Qt
// calls paintGL with the widget's framebuffer bound.
void onRenderRequest(vtkObject*, unsigned long, void* clientData, void*)
{
    static_cast<QOpenGLWidget*>(clientData)->update();
}

int toInt(double value)
{
    return static_cast<int>(std::lround(value));
}
} // namespace

QSurfaceFormat VtkHostWidget::defaultFormat()
{
    QSurfaceFormat format;
    format.setRenderableType(QSurfaceFormat::OpenGL);
    format.setVersion(3, 2);
    format.setProfile(QSurfaceFormat::CoreProfile);
    format.setDepthBufferSize(24);
    format.setStencilBufferSize(8);
    format.setRedBufferSize(8);
    format.setGreenBufferSize(8);
    format.setBlueBufferSize(8);
    format.setAlphaBufferSize(8);
    format.setSwapBehavior(QSurfaceFormat::DoubleBuffer);
    return format;
}

VtkHostWidget::VtkHostWidget(QWidget* parent)
    : QOpenGLWidget(parent), m_window(vtkSmartPointer<vtkGenericOpenGLRenderWindow>::New()),
      m_interactor(vtkSmartPointer<vtkGenericRenderWindowInteractor>::New())
{
    setFocusPolicy(Qt::StrongFocus);
    setMouseTracking(true);
    setMinimumSize(160, 120);

    // Until initializeGL there is no context: VTK must not try to render or read pixels.
    m_window->SetReadyForRendering(false);
    m_window->SetOwnContext(0);
    m_window->SetMultiSamples(0);

    vtkNew<vtkCallbackCommand> makeCurrent;
    makeCurrent->SetCallback(&onMakeCurrent);
    makeCurrent->SetClientData(this);
    m_window->AddObserver(vtkCommand::WindowMakeCurrentEvent, makeCurrent);
    vtkNew<vtkCallbackCommand> isCurrent;
    isCurrent->SetCallback(&onIsCurrent);
    isCurrent->SetClientData(this);
    m_window->AddObserver(vtkCommand::WindowIsCurrentEvent, isCurrent);

    m_interactor->SetRenderWindow(m_window);
    m_interactor->EnableRenderOff();
    vtkNew<vtkInteractorStyleTrackballCamera> style;
    m_interactor->SetInteractorStyle(style);
    vtkNew<vtkCallbackCommand> renderRequest;
    renderRequest->SetCallback(&onRenderRequest);
    renderRequest->SetClientData(this);
    m_interactor->AddObserver(vtkCommand::RenderEvent, renderRequest);
    // The trackball style quits the event loop on 'q' / 'e' unless someone handles ExitEvent;
    // a host widget must not end the application.
    vtkNew<vtkCallbackCommand> ignoreExit;
    m_interactor->AddObserver(vtkCommand::ExitEvent, ignoreExit);
    m_interactor->Initialize();
}

VtkHostWidget::~VtkHostWidget()
{
    releaseGraphics();
    m_interactor->RemoveAllObservers();
    m_window->RemoveAllObservers();
}

vtkRenderWindow* VtkHostWidget::renderWindow() const
{
    return m_window;
}

vtkRenderWindowInteractor* VtkHostWidget::interactor() const
{
    return m_interactor;
}

void VtkHostWidget::releaseGraphics()
{
    if (!m_initialized) {
        return;
    }
    m_initialized = false;
    if (context() != nullptr) {
        makeCurrent();
        m_window->Finalize();
        doneCurrent();
    }
    m_window->SetReadyForRendering(false);
}

void VtkHostWidget::initializeGL()
{
    // A new context (first show, or the widget moved to another top-level window).
    if (m_initialized) {
        m_window->Finalize();
    }
    // The context can go away before the widget (reparenting, window close): free VTK's
    // resources while it still exists.
    connect(context(), &QOpenGLContext::aboutToBeDestroyed, this, &VtkHostWidget::releaseGraphics,
            Qt::UniqueConnection);
    m_window->SetOwnContext(0);
    m_window->SetFrameBlitModeToBlitToCurrent();
    m_window->SetIsCurrent(true);
    m_window->SetMapped(1);
    m_window->OpenGLInitContext();
    m_initialized = true;
    const qreal ratio = devicePixelRatioF();
    m_window->SetSize(toInt(width() * ratio), toInt(height() * ratio));
}

void VtkHostWidget::resizeGL(int width, int height)
{
    const qreal ratio = devicePixelRatioF();
    const int w = toInt(width * ratio);
    const int h = toInt(height * ratio);
    m_window->SetSize(w, h);
    m_interactor->UpdateSize(w, h);
}

void VtkHostWidget::paintGL()
{
    if (!m_initialized) {
        return;
    }
    vtkOpenGLState* state = m_window->GetState();
    // Qt changed GL state behind VTK's back: resynchronise VTK's cache, and restore Qt's state
    // afterwards.
    state->Reset();
    state->Push();
    // Qt leaves GL_LESS; VTK's shaders expect GL_LEQUAL.
    state->vtkglDepthFunc(GL_LEQUAL);
    m_window->SetReadyForRendering(true);
    m_window->Render();
    m_window->SetReadyForRendering(false);
    state->Pop();
    makeAlphaOpaque();
    ++m_renderedFrames;
}

void VtkHostWidget::makeAlphaOpaque()
{
    // VTK leaves alpha 0 in the framebuffer with Mesa; Qt composes the widget's texture with
    // that alpha (the view shows through as the window background) and grabFramebuffer()
    // returns transparent pixels. Clear only the alpha channel to 1.
    QOpenGLFunctions* f = context()->functions();
    std::array<GLboolean, 4> mask{};
    f->glGetBooleanv(GL_COLOR_WRITEMASK, mask.data());
    std::array<GLfloat, 4> clear{};
    f->glGetFloatv(GL_COLOR_CLEAR_VALUE, clear.data());
    const GLboolean scissor = f->glIsEnabled(GL_SCISSOR_TEST);
    if (scissor == GL_TRUE) {
        f->glDisable(GL_SCISSOR_TEST);
    }
    f->glColorMask(GL_FALSE, GL_FALSE, GL_FALSE, GL_TRUE);
    f->glClearColor(0.0F, 0.0F, 0.0F, 1.0F);
    f->glClear(GL_COLOR_BUFFER_BIT);
    f->glColorMask(mask[0], mask[1], mask[2], mask[3]);
    f->glClearColor(clear[0], clear[1], clear[2], clear[3]);
    if (scissor == GL_TRUE) {
        f->glEnable(GL_SCISSOR_TEST);
    }
}

void VtkHostWidget::setEventInformation(QPointF position, Qt::KeyboardModifiers modifiers, char key,
                                        const char* keySym, bool repeat)
{
    const qreal ratio = devicePixelRatioF();
    m_interactor->SetEventInformationFlipY(toInt(position.x() * ratio), toInt(position.y() * ratio),
                                           modifiers.testFlag(Qt::ControlModifier) ? 1 : 0,
                                           modifiers.testFlag(Qt::ShiftModifier) ? 1 : 0, key,
                                           repeat ? 1 : 0, keySym);
    m_interactor->SetAltKey(modifiers.testFlag(Qt::AltModifier) ? 1 : 0);
}

void VtkHostWidget::mousePressEvent(QMouseEvent* event)
{
    setEventInformation(event->position(), event->modifiers());
    switch (event->button()) {
    case Qt::LeftButton:
        m_interactor->InvokeEvent(vtkCommand::LeftButtonPressEvent);
        break;
    case Qt::MiddleButton:
        m_interactor->InvokeEvent(vtkCommand::MiddleButtonPressEvent);
        break;
    case Qt::RightButton:
        m_interactor->InvokeEvent(vtkCommand::RightButtonPressEvent);
        break;
    default:
        break;
    }
    event->accept();
}

void VtkHostWidget::mouseDoubleClickEvent(QMouseEvent* event)
{
    setEventInformation(event->position(), event->modifiers(), 0, nullptr, true);
    if (event->button() == Qt::LeftButton) {
        m_interactor->InvokeEvent(vtkCommand::LeftButtonPressEvent);
    }
    event->accept();
}

void VtkHostWidget::mouseReleaseEvent(QMouseEvent* event)
{
    setEventInformation(event->position(), event->modifiers());
    switch (event->button()) {
    case Qt::LeftButton:
        m_interactor->InvokeEvent(vtkCommand::LeftButtonReleaseEvent);
        break;
    case Qt::MiddleButton:
        m_interactor->InvokeEvent(vtkCommand::MiddleButtonReleaseEvent);
        break;
    case Qt::RightButton:
        m_interactor->InvokeEvent(vtkCommand::RightButtonReleaseEvent);
        break;
    default:
        break;
    }
    event->accept();
}

void VtkHostWidget::mouseMoveEvent(QMouseEvent* event)
{
    setEventInformation(event->position(), event->modifiers());
    m_interactor->InvokeEvent(vtkCommand::MouseMoveEvent);
    event->accept();
}

void VtkHostWidget::wheelEvent(QWheelEvent* event)
{
    setEventInformation(event->position(), event->modifiers());
    const int delta = event->angleDelta().y();
    if (delta > 0) {
        m_interactor->InvokeEvent(vtkCommand::MouseWheelForwardEvent);
    } else if (delta < 0) {
        m_interactor->InvokeEvent(vtkCommand::MouseWheelBackwardEvent);
    }
    event->accept();
}

void VtkHostWidget::keyPressEvent(QKeyEvent* event)
{
    const QByteArray text = event->text().toLatin1();
    const char key = text.isEmpty() ? '\0' : text.at(0);
    const std::string keySym = text.isEmpty() ? std::string() : std::string(1, key);
    const QPointF position = mapFromGlobal(QCursor::pos());
    setEventInformation(position, event->modifiers(), key,
                        keySym.empty() ? nullptr : keySym.c_str(), event->isAutoRepeat());
    m_interactor->InvokeEvent(vtkCommand::KeyPressEvent);
    if (key != '\0') {
        m_interactor->InvokeEvent(vtkCommand::CharEvent);
    }
    event->accept();
}

void VtkHostWidget::keyReleaseEvent(QKeyEvent* event)
{
    const QByteArray text = event->text().toLatin1();
    const char key = text.isEmpty() ? '\0' : text.at(0);
    setEventInformation(mapFromGlobal(QCursor::pos()), event->modifiers(), key);
    m_interactor->InvokeEvent(vtkCommand::KeyReleaseEvent);
    event->accept();
}

void VtkHostWidget::enterEvent(QEnterEvent* event)
{
    m_interactor->InvokeEvent(vtkCommand::EnterEvent);
    QOpenGLWidget::enterEvent(event);
}

void VtkHostWidget::leaveEvent(QEvent* event)
{
    m_interactor->InvokeEvent(vtkCommand::LeaveEvent);
    QOpenGLWidget::leaveEvent(event);
}
} // namespace tomo::ui
