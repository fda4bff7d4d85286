#include "tomo/render/slice_views.h"

#include "image_view.h"
#include "lookup_table.h"
#include "offscreen.h"
#include "tomo/error.h"
#include "tomo/metrics.h"

#include <vtkActor.h>
#include <vtkCallbackCommand.h>
#include <vtkCamera.h>
#include <vtkFloatArray.h>
#include <vtkImageActor.h>
#include <vtkImageData.h>
#include <vtkImageMapper3D.h>
#include <vtkImageProperty.h>
#include <vtkImageReslice.h>
#include <vtkLookupTable.h>
#include <vtkMatrix4x4.h>
#include <vtkNew.h>
#include <vtkPointData.h>
#include <vtkPolyData.h>
#include <vtkProperty.h>
#include <vtkRenderWindow.h>
#include <vtkRenderer.h>
#include <vtkSmartPointer.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace tomo::render
{
namespace
{
// Direction cosines closer than this to ±1 count as a world axis (an axis-aligned grid).
constexpr double kAlignedTolerance = 1e-9;
// Opacity of a profile line that does not lie in the slice (its projection onto it).
constexpr double kFaintProfileOpacity = 0.4;

/// The world directions of screen right and screen up of each orientation (the header's table),
/// and the slice normal right × up, which points towards the viewer.
struct DisplayAxes
{
    Vec3 right;
    Vec3 up;
    Vec3 normal;
};

DisplayAxes displayAxes(SliceOrientation orientation)
{
    switch (orientation) {
    case SliceOrientation::Axial: // from the feet: right = +x, up = −y (anterior)
        return {{1, 0, 0}, {0, -1, 0}, {0, 0, -1}};
    case SliceOrientation::Coronal: // from the front: right = +x, up = +z
        return {{1, 0, 0}, {0, 0, 1}, {0, -1, 0}};
    case SliceOrientation::Sagittal: // from the patient's left: right = +y, up = +z
        return {{0, 1, 0}, {0, 0, 1}, {1, 0, 0}};
    }
    return {{1, 0, 0}, {0, -1, 0}, {0, 0, -1}};
}

/// Column c of the grid's direction matrix: the world direction of index axis c.
Vec3 indexAxis(const VolumeGrid& grid, std::size_t c)
{
    const auto& d = grid.direction();
    return {d[c], d[3 + c], d[6 + c]};
}

/// The index axis lying along world direction `e` (±), if there is one.
std::optional<std::size_t> alignedIndexAxis(const VolumeGrid& grid, Vec3 e)
{
    for (std::size_t c = 0; c < 3; ++c) {
        if (std::abs(std::abs(dot(indexAxis(grid, c), e)) - 1.0) < kAlignedTolerance) {
            return c;
        }
    }
    return std::nullopt;
}

double minSpacing(const VolumeGrid& grid)
{
    const auto& s = grid.spacing();
    return std::min({s[0], s[1], s[2]});
}

/// Sampling of one display axis: `count` pixel centres from `first`, `step` apart (display mm).
struct AxisSampling
{
    double first = 0.0;
    double step = 1.0;
    int count = 1;

    [[nodiscard]] double lowEdge() const { return first - 0.5 * step; }
    [[nodiscard]] double highEdge() const
    {
        return first + (static_cast<double>(count) - 0.5) * step;
    }
};

/// How display axis `e` samples `grid`: the voxel centres themselves when an index axis lies
/// along it, else the grid's box projected onto it at the smallest spacing.
AxisSampling sampleAxis(const VolumeGrid& grid, Vec3 e)
{
    AxisSampling out;
    if (const auto c = alignedIndexAxis(grid, e)) {
        const double s = grid.spacing()[*c];
        const double p0 = dot(grid.origin(), e);
        const double last =
            p0 + dot(indexAxis(grid, *c), e) * s * static_cast<double>(grid.size()[*c] - 1);
        out.first = std::min(p0, last);
        out.step = s;
        out.count = static_cast<int>(grid.size()[*c]);
        return out;
    }
    double lo = std::numeric_limits<double>::infinity();
    double hi = -lo;
    const auto& n = grid.size();
    for (unsigned k = 0; k < 8; ++k) {
        const double i = (k & 1U) != 0 ? static_cast<double>(n[0]) - 0.5 : -0.5;
        const double j = (k & 2U) != 0 ? static_cast<double>(n[1]) - 0.5 : -0.5;
        const double z = (k & 4U) != 0 ? static_cast<double>(n[2]) - 0.5 : -0.5;
        const double p = dot(grid.voxelCentre(i, j, z), e);
        lo = std::min(lo, p);
        hi = std::max(hi, p);
    }
    out.step = minSpacing(grid);
    out.count = std::max(1, static_cast<int>(std::ceil((hi - lo) / out.step)));
    out.first = 0.5 * (lo + hi) - 0.5 * static_cast<double>(out.count - 1) * out.step;
    return out;
}

} // namespace

std::string_view toString(SliceOrientation orientation)
{
    switch (orientation) {
    case SliceOrientation::Axial:
        return "axial";
    case SliceOrientation::Coronal:
        return "coronal";
    case SliceOrientation::Sagittal:
        return "sagittal";
    }
    return "axial";
}

struct SliceScene::Impl
{
    SliceOrientation orientation;
    DisplayAxes axes;
    std::shared_ptr<const Volume> volume;
    Window window;
    bool windowSet = false;
    ColourMap colourMap = ColourMap::Grey;
    Vec3 cursor;
    std::optional<std::pair<Vec3, Vec3>> profile;

    // The current slice: its pixel grid in display mm, its plane (offset along the normal) and
    // the half thickness within which a point counts as lying in it.
    AxisSampling sx;
    AxisSampling sy;
    double planeOffset = 0.0;
    double halfThickness = 0.5;

    vtkNew<vtkRenderer> renderer;
    vtkNew<vtkFloatArray> voxels;
    vtkNew<vtkImageData> image;
    vtkNew<vtkImageReslice> reslice;
    vtkNew<vtkMatrix4x4> resliceAxes;
    vtkNew<vtkLookupTable> table;
    vtkNew<vtkImageActor> slice;
    vtkNew<vtkPolyData> crosshair;
    vtkNew<vtkPolyData> profileLine;
    vtkSmartPointer<vtkActor> crosshairActor;
    vtkSmartPointer<vtkActor> profileActor;
    vtkNew<vtkCallbackCommand> fitCamera;

    vtkSmartPointer<vtkRenderWindow> offscreen;

    explicit Impl(SliceOrientation o) : orientation(o), axes(displayAxes(o))
    {
        detail::setBackground(renderer);
        voxels->SetNumberOfComponents(1);
        image->GetPointData()->SetScalars(voxels);

        reslice->SetInputData(image);
        reslice->SetResliceAxes(resliceAxes);
        reslice->SetOutputDimensionality(2);
        reslice->SetInterpolationModeToNearestNeighbor();
        reslice->SetBackgroundLevel(std::numeric_limits<double>::quiet_NaN());
        reslice->AutoCropOutputOff();

        detail::fillLookupTable(table, colourMap, window);
        slice->GetMapper()->SetInputConnection(reslice->GetOutputPort());
        // Border on: edge pixels are whole voxels (the default stops at their centres).
        slice->GetMapper()->BorderOn();
        slice->GetProperty()->SetLookupTable(table);
        slice->GetProperty()->UseLookupTableScalarRangeOn();
        slice->GetProperty()->SetInterpolationTypeToNearest();
        slice->SetVisibility(false);
        renderer->AddViewProp(slice);

        crosshairActor = detail::makeLineActor(crosshair, SliceScene::kCrosshairColour);
        crosshairActor->SetVisibility(false);
        renderer->AddActor(crosshairActor);
        profileActor = detail::makeLineActor(profileLine, SliceScene::kProfileColour);
        profileActor->SetVisibility(false);
        renderer->AddActor(profileActor);

        vtkCamera* camera = renderer->GetActiveCamera();
        camera->ParallelProjectionOn();
        fitCamera->SetClientData(this);
        fitCamera->SetCallback(
            [](vtkObject*, unsigned long, void* self, void*) { static_cast<Impl*>(self)->fit(); });
        renderer->AddObserver(vtkCommand::StartEvent, fitCamera);
    }

    ~Impl()
    {
        renderer->RemoveObserver(fitCamera);
        detail::releaseOffscreen(offscreen, {renderer.Get()});
    }

    Impl(const Impl&) = delete;
    Impl& operator=(const Impl&) = delete;

    /// Points the image at `v`'s voxels (zero-copy) and keeps the snapshot; nullptr hides the
    /// slice.
    void setVolume(std::shared_ptr<const Volume> v, const std::optional<Window>& autoWindow)
    {
        if (v) {
            const VolumeGrid& grid = v->grid();
            const auto& n = grid.size();
            const auto& s = grid.spacing();
            // VTK only reads the voxels (the reslice is the image's only consumer); save = 1:
            // the snapshot owns them.
            voxels->SetArray(const_cast<float*>(v->data().data()),
                             static_cast<vtkIdType>(v->data().size()), 1);
            voxels->Modified();
            // The image lives in the grid's own frame (index × spacing); the reslice axes take
            // origin and direction cosines into account.
            image->SetDimensions(static_cast<int>(n[0]), static_cast<int>(n[1]),
                                 static_cast<int>(n[2]));
            image->SetSpacing(s[0], s[1], s[2]);
            image->SetOrigin(0.0, 0.0, 0.0);
            image->Modified();
            if (!windowSet) {
                window = autoWindow ? *autoWindow : render::autoWindow(v->data());
                detail::fillLookupTable(table, colourMap, window);
            }
        } else {
            voxels->SetArray(nullptr, 0, 1);
            voxels->Modified();
            image->SetDimensions(0, 0, 0);
            image->Modified();
        }
        volume = std::move(v);
        updateSlice();
    }

    /// Recomputes the slice plane, the reslice and the overlays from volume and cursor.
    void updateSlice()
    {
        const bool visible = volume != nullptr;
        slice->SetVisibility(visible);
        crosshairActor->SetVisibility(visible);
        if (!visible) {
            profileActor->SetVisibility(false);
            return;
        }
        const VolumeGrid& grid = volume->grid();
        sx = sampleAxis(grid, axes.right);
        sy = sampleAxis(grid, axes.up);

        const Vec3 n = axes.normal;
        if (const auto c = alignedIndexAxis(grid, n)) {
            // The voxel layer nearest to the cursor, clamped to the volume.
            const double step = dot(indexAxis(grid, *c), n) * grid.spacing()[*c];
            const double base = dot(grid.origin(), n);
            const double last = static_cast<double>(grid.size()[*c] - 1);
            const double k =
                std::clamp(std::floor((dot(cursor, n) - base) / step + 0.5), 0.0, last);
            planeOffset = base + k * step;
            halfThickness = 0.5 * grid.spacing()[*c];
        } else {
            planeOffset = dot(cursor, n);
            halfThickness = 0.5 * minSpacing(grid);
        }

        // Output (X, Y, Z) display mm → world X·right + Y·up + (Z + offset)·normal → the
        // image's frame Dᵀ(world − origin).
        const std::array<Vec3, 3> a{axes.right, axes.up, axes.normal};
        const Vec3 shift = planeOffset * n - grid.origin();
        for (std::size_t r = 0; r < 3; ++r) {
            const Vec3 dr = indexAxis(grid, r);
            for (std::size_t col = 0; col < 3; ++col) {
                resliceAxes->SetElement(static_cast<int>(r), static_cast<int>(col),
                                        dot(dr, a[col]));
            }
            resliceAxes->SetElement(static_cast<int>(r), 3, dot(dr, shift));
            resliceAxes->SetElement(3, static_cast<int>(r), 0.0);
        }
        resliceAxes->SetElement(3, 3, 1.0);
        resliceAxes->Modified();
        reslice->SetOutputOrigin(sx.first, sy.first, 0.0);
        reslice->SetOutputSpacing(sx.step, sy.step, 1.0);
        reslice->SetOutputExtent(0, sx.count - 1, 0, sy.count - 1, 0, 0);
        reslice->Modified();
        updateOverlays();
    }

    /// Depth of the overlays: half a pixel in front of the slice (the camera looks down −Z).
    [[nodiscard]] double overlayDepth() const { return 0.5 * std::max(sx.step, sy.step); }

    [[nodiscard]] std::array<double, 2> project(Vec3 p) const
    {
        return {dot(p, axes.right), dot(p, axes.up)};
    }

    void updateOverlays()
    {
        if (!volume) {
            return;
        }
        const auto c = project(cursor);
        detail::setSegments(
            crosshair,
            {{sx.lowEdge(), c[1], sx.highEdge(), c[1]}, {c[0], sy.lowEdge(), c[0], sy.highEdge()}},
            overlayDepth());
        profileActor->SetVisibility(profile.has_value());
        if (profile) {
            const auto a = project(profile->first);
            const auto b = project(profile->second);
            detail::setSegments(profileLine, {{a[0], a[1], b[0], b[1]}}, 2.0 * overlayDepth());
            const auto inPlane = [&](Vec3 p) {
                return std::abs(dot(p, axes.normal) - planeOffset) <= halfThickness;
            };
            const bool lies = inPlane(profile->first) && inPlane(profile->second);
            profileActor->GetProperty()->SetOpacity(lies ? 1.0 : kFaintProfileOpacity);
        }
    }

    /// Fits the slice to the viewport (StartEvent of the renderer, so every render).
    void fit()
    {
        if (volume) {
            detail::fitImageCamera(renderer, sx.lowEdge(), sy.lowEdge(), sx.highEdge(),
                                   sy.highEdge(), false);
        }
    }
};

SliceScene::SliceScene(SliceOrientation orientation) : m_impl(std::make_unique<Impl>(orientation))
{}

SliceScene::~SliceScene() = default;

SliceOrientation SliceScene::orientation() const
{
    return m_impl->orientation;
}

void SliceScene::setVolume(std::shared_ptr<const Volume> volume)
{
    m_impl->setVolume(std::move(volume), std::nullopt);
}

void SliceScene::setWindow(Window window)
{
    m_impl->window = window;
    m_impl->windowSet = true;
    detail::fillLookupTable(m_impl->table, m_impl->colourMap, window);
}

Window SliceScene::window() const
{
    return m_impl->window;
}

void SliceScene::setColourMap(ColourMap map)
{
    m_impl->colourMap = map;
    detail::fillLookupTable(m_impl->table, map, m_impl->window);
}

ColourMap SliceScene::colourMap() const
{
    return m_impl->colourMap;
}

void SliceScene::setCursor(Vec3 worldMm)
{
    if (!isFinite(worldMm)) {
        throwInvalid("cursor",
                     formatValue(worldMm.x) + ", " + formatValue(worldMm.y) + ", " +
                         formatValue(worldMm.z),
                     "a finite world position in mm");
    }
    m_impl->cursor = worldMm;
    m_impl->updateSlice();
}

Vec3 SliceScene::cursor() const
{
    return m_impl->cursor;
}

void SliceScene::setProfileLine(std::optional<std::pair<Vec3, Vec3>> line)
{
    m_impl->profile = line;
    m_impl->updateOverlays();
    if (!m_impl->volume) {
        m_impl->profileActor->SetVisibility(false);
    }
}

std::array<double, 2> SliceScene::displayFromWorld(Vec3 worldMm) const
{
    return m_impl->project(worldMm);
}

Vec3 SliceScene::worldFromDisplay(double x, double y) const
{
    const DisplayAxes& a = m_impl->axes;
    return x * a.right + y * a.up + m_impl->planeOffset * a.normal;
}

vtkRenderer* SliceScene::renderer() const
{
    return m_impl->renderer;
}

vtkImageData* SliceScene::volumeImage() const
{
    return m_impl->image;
}

RgbImage SliceScene::renderOffscreen(int width, int height)
{
    return detail::renderOffscreen(m_impl->offscreen, {m_impl->renderer.Get()}, width, height,
                                   "SliceScene");
}

struct SliceViews::Impl
{
    SliceScene axial{SliceOrientation::Axial};
    SliceScene coronal{SliceOrientation::Coronal};
    SliceScene sagittal{SliceOrientation::Sagittal};
    std::shared_ptr<const Volume> volume;
    bool windowSet = false;
    vtkSmartPointer<vtkRenderWindow> offscreen;

    Impl() = default;
    ~Impl()
    {
        detail::releaseOffscreen(offscreen,
                                 {axial.renderer(), coronal.renderer(), sagittal.renderer()});
    }
    Impl(const Impl&) = delete;
    Impl& operator=(const Impl&) = delete;

    [[nodiscard]] std::array<SliceScene*, 3> scenes() { return {&axial, &coronal, &sagittal}; }
};

SliceViews::SliceViews() : m_impl(std::make_unique<Impl>()) {}

SliceViews::~SliceViews() = default;

void SliceViews::setVolume(std::shared_ptr<const Volume> volume)
{
    const bool newGrid = volume && (!m_impl->volume || m_impl->volume->grid() != volume->grid());
    std::optional<Window> autoWin;
    if (volume && !m_impl->windowSet) {
        autoWin = autoWindow(volume->data()); // one pass for the three views
    }
    if (newGrid) {
        const auto& n = volume->grid().size();
        const Vec3 centre = volume->grid().voxelCentre(0.5 * static_cast<double>(n[0] - 1),
                                                       0.5 * static_cast<double>(n[1] - 1),
                                                       0.5 * static_cast<double>(n[2] - 1));
        for (SliceScene* s : m_impl->scenes()) {
            s->m_impl->cursor = centre;
        }
    }
    for (SliceScene* s : m_impl->scenes()) {
        s->m_impl->setVolume(volume, autoWin);
    }
    m_impl->volume = std::move(volume);
}

void SliceViews::setWindow(Window window)
{
    m_impl->windowSet = true;
    for (SliceScene* s : m_impl->scenes()) {
        s->setWindow(window);
    }
}

void SliceViews::setColourMap(ColourMap map)
{
    for (SliceScene* s : m_impl->scenes()) {
        s->setColourMap(map);
    }
}

void SliceViews::setCursor(Vec3 worldMm)
{
    for (SliceScene* s : m_impl->scenes()) {
        s->setCursor(worldMm);
    }
}

Vec3 SliceViews::cursor() const
{
    return m_impl->axial.cursor();
}

void SliceViews::setProfileLine(std::optional<std::pair<Vec3, Vec3>> line)
{
    for (SliceScene* s : m_impl->scenes()) {
        s->setProfileLine(line);
    }
}

SliceScene& SliceViews::scene(SliceOrientation orientation)
{
    switch (orientation) {
    case SliceOrientation::Axial:
        return m_impl->axial;
    case SliceOrientation::Coronal:
        return m_impl->coronal;
    case SliceOrientation::Sagittal:
        return m_impl->sagittal;
    }
    return m_impl->axial;
}

const SliceScene& SliceViews::scene(SliceOrientation orientation) const
{
    return const_cast<SliceViews*>(this)->scene(orientation);
}

std::vector<double> SliceViews::sampleProfile(Vec3 from, Vec3 to, std::size_t samples) const
{
    if (!m_impl->volume) {
        if (samples < 2) {
            throwInvalid("samples", std::to_string(samples), "at least 2");
        }
        return {};
    }
    return lineProfile(*m_impl->volume, from, to, samples);
}

RgbImage SliceViews::renderOffscreen(int width, int height)
{
    const auto scenes = m_impl->scenes();
    // Each renderer is lent to this window for one rendering: out of its scene's own offscreen
    // window first, back to a whole viewport and out of this window afterwards.
    for (SliceScene* s : scenes) {
        detail::releaseOffscreen(s->m_impl->offscreen, {s->renderer()});
    }
    const auto restore = [&] {
        for (SliceScene* s : scenes) {
            if (m_impl->offscreen && m_impl->offscreen->HasRenderer(s->renderer()) != 0) {
                m_impl->offscreen->RemoveRenderer(s->renderer());
            }
            s->renderer()->SetViewport(0.0, 0.0, 1.0, 1.0);
        }
    };
    for (std::size_t i = 0; i < scenes.size(); ++i) {
        scenes[i]->renderer()->SetViewport(static_cast<double>(i) / 3.0, 0.0,
                                           static_cast<double>(i + 1) / 3.0, 1.0);
    }
    RgbImage out;
    try {
        out = detail::renderOffscreen(
            m_impl->offscreen,
            {scenes[0]->renderer(), scenes[1]->renderer(), scenes[2]->renderer()}, width, height,
            "SliceViews");
    } catch (...) {
        restore();
        throw;
    }
    restore();
    return out;
}
} // namespace tomo::render
