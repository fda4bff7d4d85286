#pragma once

#include <QOpenGLWidget>
#include <QSurfaceFormat>
#include <vtkSmartPointer.h>

class vtkGenericOpenGLRenderWindow;
class vtkGenericRenderWindowInteractor;
class vtkRenderWindow;
class vtkRenderWindowInteractor;

namespace tomo::ui
{
/// A QOpenGLWidget that hosts a vtkGenericOpenGLRenderWindow (STYLE.md B.5). Debian's VTK Qt
/// module is built for Qt5, so Tomoscope hosts VTK itself: VTK renders into the widget's
/// framebuffer object inside paintGL, and mouse, wheel and key events are forwarded to a
/// vtkRenderWindowInteractor with a trackball-camera style.
///
/// Call `QSurfaceFormat::setDefaultFormat(VtkHostWidget::defaultFormat())` before the
/// QApplication is created. UI thread only. Add renderers with
/// `renderWindow()->AddRenderer(r)`, then call update() (or render()) after changing the scene.
class VtkHostWidget : public QOpenGLWidget
{
    Q_OBJECT

public:
    /// OpenGL 3.2 core profile with a depth buffer: what VTK 9.1's OpenGL2 backend needs.
    [[nodiscard]] static QSurfaceFormat defaultFormat();

    explicit VtkHostWidget(QWidget* parent = nullptr);
    ~VtkHostWidget() override;
    VtkHostWidget(const VtkHostWidget&) = delete;
    VtkHostWidget& operator=(const VtkHostWidget&) = delete;

    [[nodiscard]] vtkRenderWindow* renderWindow() const;
    [[nodiscard]] vtkRenderWindowInteractor* interactor() const;

    /// How many frames VTK has rendered into this widget (for tests and diagnostics).
    [[nodiscard]] int renderedFrames() const { return m_renderedFrames; }

protected:
    void initializeGL() override;
    void resizeGL(int width, int height) override;
    void paintGL() override;

    void mousePressEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseDoubleClickEvent(QMouseEvent* event) override;
    void wheelEvent(QWheelEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;
    void keyReleaseEvent(QKeyEvent* event) override;
    void enterEvent(QEnterEvent* event) override;
    void leaveEvent(QEvent* event) override;

private:
    void releaseGraphics();
    /// Sets the alpha of the whole framebuffer to 1 (after VTK rendered into it).
    void makeAlphaOpaque();
    /// Sets the interactor's position, modifiers and key from a Qt event (in device pixels,
    /// y flipped to VTK's bottom-up convention).
    void setEventInformation(QPointF position, Qt::KeyboardModifiers modifiers, char key = 0,
                             const char* keySym = nullptr, bool repeat = false);

    vtkSmartPointer<vtkGenericOpenGLRenderWindow> m_window;
    vtkSmartPointer<vtkGenericRenderWindowInteractor> m_interactor;
    bool m_initialized = false;
    int m_renderedFrames = 0;
};
} // namespace tomo::ui
