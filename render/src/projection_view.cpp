#include "tomo/render/projection_view.h"

#include "image_view.h"
#include "lookup_table.h"
#include "offscreen.h"
#include "tomo/error.h"

#include <vtkActor.h>
#include <vtkCallbackCommand.h>
#include <vtkFloatArray.h>
#include <vtkImageActor.h>
#include <vtkImageData.h>
#include <vtkImageMapper3D.h>
#include <vtkImageProperty.h>
#include <vtkLookupTable.h>
#include <vtkNew.h>
#include <vtkPointData.h>
#include <vtkPolyData.h>
#include <vtkRenderWindow.h>
#include <vtkRenderer.h>
#include <vtkSmartPointer.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

namespace tomo::render
{
namespace
{
/// One image in a renderer: the float image (zero-copy or owned values), its actor through the
/// shared lookup table, a frame around its full extent and one marker line.
struct ImagePanel
{
    vtkNew<vtkRenderer> renderer;
    vtkNew<vtkFloatArray> values;
    vtkNew<vtkImageData> image;
    vtkNew<vtkImageActor> actor;
    vtkNew<vtkPolyData> frame;
    vtkNew<vtkPolyData> marker;
    vtkSmartPointer<vtkActor> frameActor;
    vtkSmartPointer<vtkActor> markerActor;
    vtkNew<vtkCallbackCommand> fitCamera;
    /// The image's full extent in scene coordinates (pixel edges).
    std::array<double, 4> bounds{0.0, 0.0, 1.0, 1.0};
    bool yDown = false;
    bool hasData = false;

    ImagePanel(vtkLookupTable* table, bool viewsDownwards) : yDown(viewsDownwards)
    {
        detail::setBackground(renderer);
        values->SetNumberOfComponents(1);
        image->GetPointData()->SetScalars(values);
        actor->GetMapper()->SetInputData(image);
        actor->GetMapper()->BorderOn(); // edge pixels drawn whole
        actor->GetProperty()->SetLookupTable(table);
        actor->GetProperty()->UseLookupTableScalarRangeOn();
        actor->GetProperty()->SetInterpolationTypeToNearest();
        actor->SetVisibility(false);
        renderer->AddViewProp(actor);
        frameActor = detail::makeLineActor(frame, ProjectionView::kFrameColour);
        frameActor->SetVisibility(false);
        renderer->AddActor(frameActor);
        markerActor = detail::makeLineActor(marker, ProjectionView::kMarkerColour);
        markerActor->SetVisibility(false);
        renderer->AddActor(markerActor);
        fitCamera->SetClientData(this);
        fitCamera->SetCallback([](vtkObject*, unsigned long, void* self, void*) {
            auto* panel = static_cast<ImagePanel*>(self);
            if (panel->hasData) {
                const auto& b = panel->bounds;
                detail::fitImageCamera(panel->renderer, b[0], b[1], b[2], b[3], panel->yDown);
            }
        });
        renderer->AddObserver(vtkCommand::StartEvent, fitCamera);
    }

    ~ImagePanel() { renderer->RemoveObserver(fitCamera); }
    ImagePanel(const ImagePanel&) = delete;
    ImagePanel& operator=(const ImagePanel&) = delete;

    /// Depth of overlays on the camera's side of the image.
    [[nodiscard]] double overlayDepth() const
    {
        const double size = std::max(bounds[2] - bounds[0], bounds[3] - bounds[1]);
        return (yDown ? -1.0 : 1.0) * 1e-3 * size;
    }

    /// Points the image at `count` values from `data` laid out columns × rows (x fastest), drawn
    /// with pixels dx × dy from (0, 0).
    void setValues(const float* data, std::size_t columns, std::size_t rows, double dx, double dy)
    {
        // VTK only reads the values; save = 1: their owner (a snapshot, or the view's gathered
        // sinogram) keeps them.
        values->SetArray(const_cast<float*>(data), static_cast<vtkIdType>(columns * rows), 1);
        values->Modified();
        image->SetDimensions(static_cast<int>(columns), static_cast<int>(rows), 1);
        image->SetSpacing(dx, dy, 1.0);
        image->SetOrigin(0.0, 0.0, 0.0);
        image->Modified();
        bounds = {-0.5 * dx, -0.5 * dy, (static_cast<double>(columns) - 0.5) * dx,
                  (static_cast<double>(rows) - 0.5) * dy};
        detail::setFrame(frame, bounds[0], bounds[1], bounds[2], bounds[3], overlayDepth());
        frameActor->SetVisibility(true);
        hasData = true;
    }

    void clear()
    {
        values->SetArray(nullptr, 0, 1);
        values->Modified();
        image->SetDimensions(0, 0, 0);
        image->Modified();
        actor->SetVisibility(false);
        frameActor->SetVisibility(false);
        markerActor->SetVisibility(false);
        hasData = false;
    }

    /// The marker: a horizontal line across the image at height y, or none.
    void setMarker(std::optional<double> y)
    {
        markerActor->SetVisibility(hasData && y.has_value());
        if (hasData && y) {
            detail::setSegments(marker, {{bounds[0], *y, bounds[2], *y}}, 2.0 * overlayDepth());
        }
    }
};
} // namespace

struct ProjectionView::Impl
{
    std::shared_ptr<const ProjectionStack> stack;
    std::size_t viewsDone = 0;
    std::size_t current = 0;
    std::size_t row = 0;
    std::optional<Window> fixedWindow;
    ColourMap colourMap = ColourMap::Grey;
    Window window;
    /// The window of the acquired views of autoGeometry.
    std::optional<Geometry> autoGeometry;
    StackRange autoRange;
    /// The gathered sinogram of a row of a multi-row detector (views × columns).
    std::vector<float> gathered;

    vtkNew<vtkLookupTable> table;
    ImagePanel projection{table, false};
    ImagePanel sinogram{table, true};
    vtkSmartPointer<vtkRenderWindow> offscreen;

    Impl()
    {
        detail::fillLookupTable(table, colourMap, window);
        projection.renderer->SetViewport(0.0, 0.0, 0.5, 1.0);
        sinogram.renderer->SetViewport(0.5, 0.0, 1.0, 1.0);
    }

    ~Impl()
    {
        detail::releaseOffscreen(offscreen, {projection.renderer.Get(), sinogram.renderer.Get()});
    }
    Impl(const Impl&) = delete;
    Impl& operator=(const Impl&) = delete;

    void updateAutoWindow()
    {
        if (!stack) {
            return;
        }
        if (!autoGeometry || *autoGeometry != stack->geometry() || viewsDone < autoRange.views()) {
            autoGeometry = stack->geometry();
            autoRange = {};
        }
        autoRange.grow(*stack, viewsDone);
    }

    void applyWindow()
    {
        window = fixedWindow ? *fixedWindow : autoRange.window();
        detail::fillLookupTable(table, colourMap, window);
    }

    void updateProjection()
    {
        if (!stack) {
            projection.clear();
            return;
        }
        const Detector& det = stack->geometry().detector();
        const std::size_t nu = stack->columns();
        const std::size_t nv = stack->rows();
        const double dv =
            nv == 1 ? ProjectionView::kMin2DStripAspect * static_cast<double>(nu) * det.pixelU
                    : det.pixelV;
        projection.setValues(stack->view(current).data(), nu, nv, det.pixelU, dv);
        projection.actor->SetVisibility(current < viewsDone);
        projection.setMarker(nv > 1 ? std::optional<double>(static_cast<double>(row) * dv)
                                    : std::nullopt);
    }

    void updateSinogram()
    {
        if (!stack) {
            sinogram.clear();
            return;
        }
        const std::size_t nu = stack->columns();
        const std::size_t views = stack->views();
        const float* values = stack->data().data();
        if (stack->rows() > 1) {
            gathered.resize(views * nu);
            for (std::size_t v = 0; v < viewsDone; ++v) {
                const auto pixels = stack->view(v).subspan(row * nu, nu);
                std::copy(pixels.begin(), pixels.end(),
                          gathered.begin() + static_cast<std::ptrdiff_t>(v * nu));
            }
            values = gathered.data();
        } else {
            gathered.clear();
            gathered.shrink_to_fit();
        }
        sinogram.setValues(values, nu, views, 1.0, 1.0);
        sinogram.actor->SetVisibility(viewsDone > 0);
        if (viewsDone > 0) {
            sinogram.actor->SetDisplayExtent(0, static_cast<int>(nu) - 1, 0,
                                             static_cast<int>(viewsDone) - 1, 0, 0);
        }
        sinogram.setMarker(static_cast<double>(current));
    }
};

void StackRange::grow(const ProjectionStack& stack, std::size_t viewsDone)
{
    viewsDone = std::min(viewsDone, stack.views());
    if (viewsDone <= m_views) {
        return;
    }
    const std::size_t pixels = stack.pixelsPerView();
    m_range.add(stack.data().subspan(m_views * pixels, (viewsDone - m_views) * pixels));
    m_views = viewsDone;
}

ProjectionView::ProjectionView() : m_impl(std::make_unique<Impl>()) {}

ProjectionView::~ProjectionView() = default;

void ProjectionView::setProjections(std::shared_ptr<const ProjectionStack> projections,
                                    std::size_t viewsDone)
{
    const std::size_t views = projections ? projections->views() : 0;
    if (viewsDone > views) {
        throwInvalid("viewsDone", std::to_string(viewsDone),
                     projections ? "0 … " + std::to_string(views) + " (the stack's views)"
                                 : "0 without projections");
    }
    Impl& d = *m_impl;
    if (projections && (!d.stack || d.stack->rows() != projections->rows())) {
        d.row = projections->rows() / 2;
    }
    if (projections) {
        d.current = std::min(d.current, views - 1);
    }
    // Point the images at the new snapshot before the old one may be released.
    const std::shared_ptr<const ProjectionStack> previous = std::move(d.stack);
    d.stack = std::move(projections);
    d.viewsDone = viewsDone;
    d.updateAutoWindow();
    d.applyWindow();
    d.updateProjection();
    d.updateSinogram();
}

void ProjectionView::setCurrentView(std::size_t view)
{
    Impl& d = *m_impl;
    d.current = d.stack ? std::min(view, d.stack->views() - 1) : view;
    if (d.stack) {
        d.updateProjection();
        d.sinogram.setMarker(static_cast<double>(d.current));
    }
}

std::size_t ProjectionView::currentView() const
{
    return m_impl->current;
}

void ProjectionView::setSinogramRow(std::size_t row)
{
    Impl& d = *m_impl;
    if (!d.stack) {
        throwInvalid("sinogram row", std::to_string(row),
                     "a detector row of the projections (none are set)");
    }
    if (row >= d.stack->rows()) {
        throwInvalid("sinogram row", std::to_string(row),
                     "0 … " + std::to_string(d.stack->rows() - 1) + " (the detector's rows)");
    }
    d.row = row;
    d.updateProjection();
    d.updateSinogram();
}

std::size_t ProjectionView::sinogramRow() const
{
    return m_impl->row;
}

void ProjectionView::setWindow(std::optional<Window> window)
{
    m_impl->fixedWindow = window;
    m_impl->applyWindow();
}

Window ProjectionView::window() const
{
    return m_impl->window;
}

void ProjectionView::setColourMap(ColourMap map)
{
    m_impl->colourMap = map;
    m_impl->applyWindow();
}

vtkRenderer* ProjectionView::projectionRenderer() const
{
    return m_impl->projection.renderer;
}

vtkRenderer* ProjectionView::sinogramRenderer() const
{
    return m_impl->sinogram.renderer;
}

vtkImageData* ProjectionView::projectionImage() const
{
    return m_impl->projection.image;
}

vtkImageData* ProjectionView::sinogramImage() const
{
    return m_impl->sinogram.image;
}

RgbImage ProjectionView::renderOffscreen(int width, int height)
{
    return detail::renderOffscreen(
        m_impl->offscreen, {m_impl->projection.renderer.Get(), m_impl->sinogram.renderer.Get()},
        width, height, "ProjectionView");
}
} // namespace tomo::render
