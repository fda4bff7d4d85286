#include "tomo/render/trajectory_scene.h"

#include "offscreen.h"
#include "tomo/error.h"

#include <vtkActor.h>
#include <vtkAnnotatedCubeActor.h>
#include <vtkCallbackCommand.h>
#include <vtkCamera.h>
#include <vtkCellArray.h>
#include <vtkCellData.h>
#include <vtkFloatArray.h>
#include <vtkImageData.h>
#include <vtkLookupTable.h>
#include <vtkNew.h>
#include <vtkPointData.h>
#include <vtkPoints.h>
#include <vtkPolyData.h>
#include <vtkPolyDataMapper.h>
#include <vtkProperty.h>
#include <vtkRenderWindow.h>
#include <vtkRenderer.h>
#include <vtkSmartPointer.h>
#include <vtkSphereSource.h>
#include <vtkTextProperty.h>
#include <vtkTubeFilter.h>
#include <vtkUnsignedCharArray.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <memory>
#include <numbers>
#include <string>

namespace tomo::render
{
namespace
{
// Sizes of drawn primitives as fractions of the scene's extent (largest distance of anything
// drawn from the isocentre), so that a 50 mm micro-CT and a 1 m gantry look alike.
constexpr double kTubeRadiusFraction = 0.006;
constexpr double kSourceRadiusFraction = 0.02;
constexpr double kAxisLengthFraction = 0.3;
constexpr double kBeamOpacity = 0.22;
constexpr double kGhostOpacity = 0.45;
constexpr double kVolumeFaceOpacity = 0.18;
constexpr double kCameraZoom = 1.4;
constexpr double kFovOpacity = 0.10;
constexpr double kCompletenessOpacity = 0.8;
// Segments of a cylindrical detector's arcs and of the field-of-view circles: smooth at any
// size the views are drawn at.
constexpr int kArcSegments = 24;
constexpr int kCircleSegments = 72;
// The pixel grid and the highlighted pixel sit this fraction of the scene's extent in front of
// the detector surface (towards the source), so they do not fight with it in the depth buffer.
constexpr double kOverlayLift = 0.002;
// The highlighted pixel is drawn at least this fraction of the extent wide, so it can be seen.
constexpr double kMarkerFraction = 0.015;
constexpr double kPointRadiusFraction = 0.008;
// The orientation marker's viewport: the lower-left corner of the window.
constexpr std::array<double, 4> kMarkerViewport{0.0, 0.0, 0.16, 0.22};

// Edges of a detector frame, for truncation: which side of the detector each is.
enum Side : unsigned
{
    kBottom = 1U, // row -0.5
    kRight = 2U,  // column nu - 0.5
    kTop = 4U,    // row nv - 0.5
    kLeft = 8U,   // column -0.5
};

void insertColour(vtkUnsignedCharArray* colours, std::array<double, 3> rgb)
{
    const std::array<unsigned char, 3> c{static_cast<unsigned char>(std::lround(255.0 * rgb[0])),
                                         static_cast<unsigned char>(std::lround(255.0 * rgb[1])),
                                         static_cast<unsigned char>(std::lround(255.0 * rgb[2]))};
    colours->InsertNextTypedTuple(c.data());
}

/// Completeness colour: red (0), yellow (0.5), green (1).
std::array<double, 3> completenessColour(double value)
{
    const double t = std::clamp(value, 0.0, 1.0);
    if (t < 0.5) {
        return {0.9, 0.2 + 1.4 * t, 0.15};
    }
    return {0.9 - 1.5 * (t - 0.5), 0.9, 0.15 + 0.3 * (t - 0.5)};
}

void addLine(vtkPoints* points, vtkCellArray* lines, Vec3 a, Vec3 b)
{
    std::array<vtkIdType, 2> ids{points->InsertNextPoint(a.x, a.y, a.z),
                                 points->InsertNextPoint(b.x, b.y, b.z)};
    lines->InsertNextCell(2, ids.data());
}

/// A direct-colour polydata mapper setup: cell colours as RGB bytes.
void useCellColours(vtkActor* actor)
{
    auto* mapper = vtkPolyDataMapper::SafeDownCast(actor->GetMapper());
    mapper->ScalarVisibilityOn();
    mapper->SetScalarModeToUseCellData();
    mapper->SetColorModeToDirectScalars();
}

using Quad = std::array<Vec3, 4>;

vtkIdType insertPoint(vtkPoints* points, Vec3 p)
{
    return points->InsertNextPoint(p.x, p.y, p.z);
}

void addClosedFrame(vtkPoints* points, vtkCellArray* lines, const Quad& q)
{
    std::array<vtkIdType, 5> ids{};
    for (std::size_t i = 0; i < 4; ++i) {
        ids[i] = insertPoint(points, q[i]);
    }
    ids[4] = ids[0];
    lines->InsertNextCell(5, ids.data());
}

void addPolygon(vtkPoints* points, vtkCellArray* polys, std::span<const Vec3> corners)
{
    std::vector<vtkIdType> ids;
    ids.reserve(corners.size());
    for (const Vec3& c : corners) {
        ids.push_back(insertPoint(points, c));
    }
    polys->InsertNextCell(static_cast<vtkIdType>(ids.size()), ids.data());
}

vtkSmartPointer<vtkActor> makeActor(vtkPolyData* data)
{
    vtkNew<vtkPolyDataMapper> mapper;
    mapper->SetInputData(data);
    mapper->ScalarVisibilityOff();
    auto actor = vtkSmartPointer<vtkActor>::New();
    actor->SetMapper(mapper);
    return actor;
}

void setColour(vtkActor* actor, double r, double g, double b, double opacity = 1.0)
{
    actor->GetProperty()->SetColor(r, g, b);
    actor->GetProperty()->SetOpacity(opacity);
}
} // namespace

struct TrajectoryScene::Impl
{
    Geometry geometry;
    std::optional<VolumeGrid> grid;
    std::size_t current = 0;
    std::size_t ghostStep = 0; ///< 0: automatic
    double extent = 1.0;
    std::optional<Vec3> highlighted;
    std::optional<std::array<double, 2>> highlightedHit;
    std::shared_ptr<const Volume> completeness;
    std::vector<unsigned> truncation; ///< per view: the Side bits whose edge is truncated
    std::vector<std::size_t> truncated;

    vtkNew<vtkRenderer> renderer;
    vtkNew<vtkRenderer> markerRenderer;
    vtkNew<vtkCallbackCommand> markerSync;
    vtkNew<vtkAnnotatedCubeActor> marker;
    vtkNew<vtkLookupTable> viewColours;

    vtkNew<vtkPolyData> path;
    vtkNew<vtkTubeFilter> tube;
    vtkNew<vtkPolyData> ghosts;
    vtkNew<vtkPolyData> detector;
    vtkNew<vtkPolyData> detectorFrame;
    vtkNew<vtkPolyData> pixelGrid;
    vtkNew<vtkPolyData> beam;
    vtkNew<vtkPolyData> beamEdges;
    vtkNew<vtkPolyData> volumeFaces;
    vtkNew<vtkPolyData> volumeEdges;
    vtkNew<vtkPolyData> fovSurface;
    vtkNew<vtkPolyData> fovEdges;
    vtkNew<vtkPolyData> axes;
    vtkNew<vtkPolyData> completenessCells;
    vtkNew<vtkPolyData> ray;
    vtkNew<vtkPolyData> rayPixel;
    vtkNew<vtkSphereSource> source;
    vtkNew<vtkSphereSource> rayPoint;

    vtkSmartPointer<vtkActor> pathActor;
    vtkSmartPointer<vtkActor> sourceActor;
    vtkSmartPointer<vtkActor> ghostActor;
    vtkSmartPointer<vtkActor> detectorActor;
    vtkSmartPointer<vtkActor> detectorFrameActor;
    vtkSmartPointer<vtkActor> pixelGridActor;
    vtkSmartPointer<vtkActor> beamActor;
    vtkSmartPointer<vtkActor> beamEdgesActor;
    vtkSmartPointer<vtkActor> volumeFacesActor;
    vtkSmartPointer<vtkActor> volumeEdgesActor;
    vtkSmartPointer<vtkActor> fovSurfaceActor;
    vtkSmartPointer<vtkActor> fovEdgesActor;
    vtkSmartPointer<vtkActor> axesActor;
    vtkSmartPointer<vtkActor> completenessActor;
    vtkSmartPointer<vtkActor> rayActor;
    vtkSmartPointer<vtkActor> rayPixelActor;
    vtkSmartPointer<vtkActor> rayPointActor;

    vtkSmartPointer<vtkRenderWindow> offscreen;

    Impl(const Geometry& g, const std::optional<VolumeGrid>& volumeGrid)
        : geometry(g), grid(volumeGrid)
    {
        detail::setBackground(renderer);
        viewColours->SetHueRange(0.667, 0.0);
        viewColours->SetSaturationRange(0.85, 0.85);
        viewColours->SetValueRange(1.0, 1.0);
        viewColours->Build();

        tube->SetInputData(path);
        tube->SetNumberOfSides(12);
        tube->CappingOn();
        vtkNew<vtkPolyDataMapper> pathMapper;
        pathMapper->SetInputConnection(tube->GetOutputPort());
        pathMapper->SetLookupTable(viewColours);
        pathMapper->SetScalarModeToUsePointData();
        pathMapper->ScalarVisibilityOn();
        pathActor = vtkSmartPointer<vtkActor>::New();
        pathActor->SetMapper(pathMapper);

        vtkNew<vtkPolyDataMapper> sourceMapper;
        sourceMapper->SetInputConnection(source->GetOutputPort());
        source->SetThetaResolution(24);
        source->SetPhiResolution(16);
        sourceActor = vtkSmartPointer<vtkActor>::New();
        sourceActor->SetMapper(sourceMapper);
        setColour(sourceActor, 1.0, 0.95, 0.55);

        ghostActor = makeActor(ghosts);
        useCellColours(ghostActor);
        ghostActor->GetProperty()->SetOpacity(kGhostOpacity);
        ghostActor->GetProperty()->SetLineWidth(1.5F);

        detectorActor = makeActor(detector);
        setColour(detectorActor, 0.35, 0.75, 0.95);
        detectorActor->GetProperty()->LightingOff();
        detectorFrameActor = makeActor(detectorFrame);
        useCellColours(detectorFrameActor);
        detectorFrameActor->GetProperty()->SetLineWidth(2.5F);
        pixelGridActor = makeActor(pixelGrid);
        setColour(pixelGridActor, 0.12, 0.35, 0.5);
        pixelGridActor->GetProperty()->LightingOff();

        beamActor = makeActor(beam);
        setColour(beamActor, 1.0, 0.85, 0.3, kBeamOpacity);
        beamActor->GetProperty()->LightingOff();
        beamEdgesActor = makeActor(beamEdges);
        setColour(beamEdgesActor, 1.0, 0.85, 0.3, 0.8);

        volumeFacesActor = makeActor(volumeFaces);
        setColour(volumeFacesActor, 0.6, 0.9, 0.6, kVolumeFaceOpacity);
        volumeFacesActor->GetProperty()->LightingOff();
        volumeEdgesActor = makeActor(volumeEdges);
        setColour(volumeEdgesActor, 0.6, 1.0, 0.6);
        volumeEdgesActor->GetProperty()->SetLineWidth(1.5F);

        fovSurfaceActor = makeActor(fovSurface);
        setColour(fovSurfaceActor, 0.4, 0.85, 1.0, kFovOpacity);
        fovSurfaceActor->GetProperty()->LightingOff();
        fovEdgesActor = makeActor(fovEdges);
        setColour(fovEdgesActor, 0.4, 0.85, 1.0, 0.7);

        axesActor = makeActor(axes);
        useCellColours(axesActor);
        axesActor->GetProperty()->SetLineWidth(2.0F);

        completenessActor = makeActor(completenessCells);
        useCellColours(completenessActor);
        completenessActor->GetProperty()->SetOpacity(kCompletenessOpacity);
        completenessActor->GetProperty()->LightingOff();

        rayActor = makeActor(ray);
        setColour(rayActor, 1.0, 0.3, 1.0);
        rayActor->GetProperty()->SetLineWidth(3.0F);
        rayPixelActor = makeActor(rayPixel);
        setColour(rayPixelActor, 1.0, 0.3, 1.0);
        rayPixelActor->GetProperty()->LightingOff();
        vtkNew<vtkPolyDataMapper> pointMapper;
        pointMapper->SetInputConnection(rayPoint->GetOutputPort());
        rayPoint->SetThetaResolution(16);
        rayPoint->SetPhiResolution(12);
        rayPointActor = vtkSmartPointer<vtkActor>::New();
        rayPointActor->SetMapper(pointMapper);
        setColour(rayPointActor, 1.0, 0.3, 1.0);

        for (vtkActor* a :
             {volumeFacesActor.Get(), volumeEdgesActor.Get(), completenessActor.Get(),
              fovEdgesActor.Get(), axesActor.Get(), pathActor.Get(), ghostActor.Get(),
              detectorActor.Get(), pixelGridActor.Get(), detectorFrameActor.Get(),
              sourceActor.Get(), rayActor.Get(), rayPixelActor.Get(), rayPointActor.Get(),
              beamEdgesActor.Get(), beamActor.Get(), fovSurfaceActor.Get()}) {
            renderer->AddActor(a);
        }
        buildMarker();
        rebuild();
    }

    ~Impl()
    {
        renderer->RemoveObserver(markerSync);
        detail::releaseOffscreen(offscreen, {renderer.Get(), markerRenderer.Get()});
    }

    Impl(const Impl&) = delete;
    Impl& operator=(const Impl&) = delete;

    /// The patient-direction cube (LPS world frame) in its own corner renderer, turned with the
    /// main camera before every frame.
    void buildMarker()
    {
        marker->SetXPlusFaceText("L");
        marker->SetXMinusFaceText("R");
        marker->SetYPlusFaceText("P");
        marker->SetYMinusFaceText("A");
        marker->SetZPlusFaceText("S");
        marker->SetZMinusFaceText("I");
        marker->SetFaceTextScale(0.6);
        marker->GetCubeProperty()->SetColor(0.32, 0.36, 0.44);
        marker->GetTextEdgesProperty()->SetColor(0.9, 0.9, 0.9);
        marker->GetTextEdgesProperty()->SetLineWidth(1.0F);
        for (vtkProperty* face :
             {marker->GetXPlusFaceProperty(), marker->GetXMinusFaceProperty(),
              marker->GetYPlusFaceProperty(), marker->GetYMinusFaceProperty(),
              marker->GetZPlusFaceProperty(), marker->GetZMinusFaceProperty()}) {
            face->SetColor(1.0, 1.0, 1.0);
            face->SetInterpolationToFlat();
        }
        markerRenderer->AddActor(marker);
        markerRenderer->SetLayer(1);
        markerRenderer->InteractiveOff();
        markerRenderer->SetViewport(kMarkerViewport.data());
        markerSync->SetClientData(this);
        markerSync->SetCallback([](vtkObject*, unsigned long, void* self, void*) {
            static_cast<Impl*>(self)->syncMarkerCamera();
        });
        renderer->AddObserver(vtkCommand::StartEvent, markerSync);
        syncMarkerCamera();
    }

    void syncMarkerCamera()
    {
        vtkCamera* main = renderer->GetActiveCamera();
        double position[3];
        double focal[3];
        double up[3];
        main->GetPosition(position);
        main->GetFocalPoint(focal);
        main->GetViewUp(up);
        Vec3 dir{position[0] - focal[0], position[1] - focal[1], position[2] - focal[2]};
        const double length = norm(dir);
        if (!(length > 0.0)) {
            return;
        }
        dir = (1.0 / length) * dir;
        vtkCamera* camera = markerRenderer->GetActiveCamera();
        // The unit cube seen from 4 units away fills the corner with a little margin.
        constexpr double kMarkerDistance = 4.0;
        camera->SetFocalPoint(0.0, 0.0, 0.0);
        camera->SetPosition(kMarkerDistance * dir.x, kMarkerDistance * dir.y,
                            kMarkerDistance * dir.z);
        camera->SetViewUp(up);
        camera->SetViewAngle(30.0);
        markerRenderer->ResetCameraClippingRange();
    }

    [[nodiscard]] bool parallel() const { return isParallel(geometry.beam()); }

    /// Where the source of view `i` is drawn (see the class comment for parallel beams).
    [[nodiscard]] Vec3 drawnSource(std::size_t i) const
    {
        const ViewPose& pose = geometry.poses()[i];
        if (!parallel()) {
            return pose.source;
        }
        const Vec3 r = pose.source;
        const double t = dot(pose.detector, r);
        const double behind = std::abs(t) > 1e-9 ? std::abs(t) : detectorWidth();
        return pose.detector - (t + behind) * r;
    }

    [[nodiscard]] double detectorWidth() const
    {
        const Detector& det = geometry.detector();
        return static_cast<double>(det.columns) * det.pixelU;
    }

    /// The drawn row range (fractional row indices): the detector's edges, or for a one-row
    /// detector a band kMin2DDetectorAspect times its width high so that it can be seen.
    [[nodiscard]] std::array<double, 2> drawnRows() const
    {
        const Detector& det = geometry.detector();
        const double last = static_cast<double>(det.rows) - 0.5;
        const double minRows = TrajectoryScene::kMin2DDetectorAspect * detectorWidth() / det.pixelV;
        if (det.rows == 1 && 1.0 < minRows) {
            return {-0.5 * minRows, 0.5 * minRows};
        }
        return {-0.5, last};
    }

    [[nodiscard]] bool curved() const
    {
        return geometry.detector().shape == DetectorShape::Cylindrical;
    }

    /// The detector outline of view `i` as four edges (bottom, right, top, left, in the Side
    /// order), each a polyline of points on the detector surface.
    [[nodiscard]] std::array<std::vector<Vec3>, 4> detectorEdges(std::size_t i) const
    {
        const Detector& det = geometry.detector();
        const auto [v0, v1] = drawnRows();
        const double u0 = -0.5;
        const double u1 = static_cast<double>(det.columns) - 0.5;
        const int segments = curved() ? kArcSegments : 1;
        std::array<std::vector<Vec3>, 4> edges;
        for (int k = 0; k <= segments; ++k) {
            const double f = static_cast<double>(k) / segments;
            edges[0].push_back(geometry.pixelCentre(i, u0 + f * (u1 - u0), v0));
            edges[2].push_back(geometry.pixelCentre(i, u1 - f * (u1 - u0), v1));
        }
        edges[1] = {geometry.pixelCentre(i, u1, v0), geometry.pixelCentre(i, u1, v1)};
        edges[3] = {geometry.pixelCentre(i, u0, v1), geometry.pixelCentre(i, u0, v0)};
        return edges;
    }

    /// The outline as one closed loop of points (no repeated corners).
    [[nodiscard]] std::vector<Vec3> detectorLoop(std::size_t i) const
    {
        std::vector<Vec3> loop;
        for (const auto& edge : detectorEdges(i)) {
            loop.insert(loop.end(), edge.begin(), edge.end() - 1);
        }
        return loop;
    }

    [[nodiscard]] Vec3 towardsSource(std::size_t i) const
    {
        const ViewPose& pose = geometry.poses()[i];
        const Vec3 n = cross(pose.u, pose.v);
        return dot(drawnSource(i) - pose.detector, n) >= 0.0 ? n : -1.0 * n;
    }

    void rebuild()
    {
        const std::size_t views = geometry.viewCount();
        current = std::min(current, views - 1);
        extent = 1.0;
        for (std::size_t i = 0; i < views; ++i) {
            extent = std::max(extent, norm(drawnSource(i)));
            for (const auto& edge : detectorEdges(i)) {
                for (const Vec3& c : edge) {
                    extent = std::max(extent, norm(c));
                }
            }
        }
        viewColours->SetTableRange(0.0, std::max(1.0, static_cast<double>(views - 1)));
        findTruncation();
        buildVolume();
        buildFieldOfView();
        buildPath();
        buildGhosts();
        buildAxes();
        buildCompleteness();
        source->SetRadius(kSourceRadiusFraction * extent);
        rayPoint->SetRadius(kPointRadiusFraction * extent);
        updateCurrent();
    }

    /// Per view, the sides of the detector that the volume box's shadow (from its corners)
    /// crosses; a corner with no shadow (behind the source) truncates every side.
    void findTruncation()
    {
        const std::size_t views = geometry.viewCount();
        truncation.assign(views, 0U);
        truncated.clear();
        if (!grid) {
            return;
        }
        const auto& n = grid->size();
        std::array<Vec3, 8> corners{};
        for (std::size_t k = 0; k < 8; ++k) {
            corners[k] = grid->voxelCentre((k & 1U) ? static_cast<double>(n[0]) - 0.5 : -0.5,
                                           (k & 2U) ? static_cast<double>(n[1]) - 0.5 : -0.5,
                                           (k & 4U) ? static_cast<double>(n[2]) - 0.5 : -0.5);
        }
        const Detector& det = geometry.detector();
        const double lastU = static_cast<double>(det.columns) - 0.5;
        const double lastV = static_cast<double>(det.rows) - 0.5;
        const bool rowsMatter = !is2D(geometry.beam());
        for (std::size_t i = 0; i < views; ++i) {
            unsigned sides = 0U;
            for (const Vec3& c : corners) {
                const auto hit = geometry.projectPoint(i, c);
                if (!hit) {
                    sides = kBottom | kRight | kTop | kLeft;
                    break;
                }
                sides |= (*hit)[0] < -0.5 ? kLeft : 0U;
                sides |= (*hit)[0] > lastU ? kRight : 0U;
                if (rowsMatter) {
                    sides |= (*hit)[1] < -0.5 ? kBottom : 0U;
                    sides |= (*hit)[1] > lastV ? kTop : 0U;
                }
            }
            truncation[i] = sides;
            if (sides != 0U) {
                truncated.push_back(i);
            }
        }
    }

    void buildPath()
    {
        const std::size_t views = geometry.viewCount();
        vtkNew<vtkPoints> points;
        vtkNew<vtkFloatArray> index;
        index->SetName("view");
        vtkNew<vtkCellArray> lines;
        std::vector<vtkIdType> ids;
        for (std::size_t i = 0; i < views; ++i) {
            ids.push_back(insertPoint(points, drawnSource(i)));
            index->InsertNextValue(static_cast<float>(i));
        }
        if (views >= 2) {
            lines->InsertNextCell(static_cast<vtkIdType>(ids.size()), ids.data());
        }
        path->Initialize();
        path->SetPoints(points);
        path->SetLines(lines);
        path->GetPointData()->SetScalars(index);
        tube->SetRadius(kTubeRadiusFraction * extent);
        path->Modified();
        pathActor->SetVisibility(views >= 2);
        auto* mapper = pathActor->GetMapper();
        mapper->SetScalarRange(0.0, std::max(1.0, static_cast<double>(views - 1)));
    }

    [[nodiscard]] std::size_t ghostStepInUse() const
    {
        if (ghostStep > 0) {
            return ghostStep;
        }
        return std::max<std::size_t>(1, geometry.viewCount() / TrajectoryScene::kGhostCount);
    }

    /// Adds the four edges of view `i`'s frame as line cells, each coloured `colour` unless it
    /// is truncated (then kTruncationColour).
    void addFrame(vtkPoints* points, vtkCellArray* lines, vtkUnsignedCharArray* colours,
                  std::size_t i, std::array<double, 3> colour) const
    {
        const auto edges = detectorEdges(i);
        for (std::size_t e = 0; e < 4; ++e) {
            std::vector<vtkIdType> ids;
            ids.reserve(edges[e].size());
            for (const Vec3& p : edges[e]) {
                ids.push_back(insertPoint(points, p));
            }
            lines->InsertNextCell(static_cast<vtkIdType>(ids.size()), ids.data());
            const bool cut = (truncation[i] & (1U << e)) != 0U;
            insertColour(colours,
                         cut ? detail::unitRgb(TrajectoryScene::kTruncationColour) : colour);
        }
    }

    void buildGhosts()
    {
        const std::size_t views = geometry.viewCount();
        const std::size_t every = ghostStepInUse();
        vtkNew<vtkPoints> points;
        vtkNew<vtkCellArray> lines;
        vtkNew<vtkUnsignedCharArray> colours;
        colours->SetNumberOfComponents(3);
        for (std::size_t i = 0; i < views; i += every) {
            std::array<double, 3> rgb{};
            viewColours->GetColor(static_cast<double>(i), rgb.data());
            addFrame(points, lines, colours, i, rgb);
        }
        ghosts->Initialize();
        ghosts->SetPoints(points);
        ghosts->SetLines(lines);
        ghosts->GetCellData()->SetScalars(colours);
        ghosts->Modified();
    }

    void buildVolume()
    {
        volumeFaces->Initialize();
        volumeEdges->Initialize();
        volumeFacesActor->SetVisibility(grid.has_value());
        volumeEdgesActor->SetVisibility(grid.has_value());
        if (!grid) {
            return;
        }
        const auto& n = grid->size();
        std::array<Vec3, 8> c{};
        for (std::size_t k = 0; k < 8; ++k) {
            const double i = (k & 1U) ? static_cast<double>(n[0]) - 0.5 : -0.5;
            const double j = (k & 2U) ? static_cast<double>(n[1]) - 0.5 : -0.5;
            const double z = (k & 4U) ? static_cast<double>(n[2]) - 0.5 : -0.5;
            c[k] = grid->voxelCentre(i, j, z);
            extent = std::max(extent, norm(c[k]));
        }
        vtkNew<vtkPoints> points;
        vtkNew<vtkCellArray> lines;
        constexpr std::array<std::array<std::size_t, 2>, 12> kEdges{{{0, 1},
                                                                     {2, 3},
                                                                     {4, 5},
                                                                     {6, 7},
                                                                     {0, 2},
                                                                     {1, 3},
                                                                     {4, 6},
                                                                     {5, 7},
                                                                     {0, 4},
                                                                     {1, 5},
                                                                     {2, 6},
                                                                     {3, 7}}};
        for (const auto& e : kEdges) {
            addLine(points, lines, c[e[0]], c[e[1]]);
        }
        volumeEdges->SetPoints(points);
        volumeEdges->SetLines(lines);
        volumeEdges->Modified();

        vtkNew<vtkPoints> facePoints;
        vtkNew<vtkCellArray> polys;
        constexpr std::array<std::array<std::size_t, 4>, 6> kFaces{
            {{0, 1, 3, 2}, {4, 5, 7, 6}, {0, 1, 5, 4}, {2, 3, 7, 6}, {0, 2, 6, 4}, {1, 3, 7, 5}}};
        for (const auto& f : kFaces) {
            const std::array<Vec3, 4> q{c[f[0]], c[f[1]], c[f[2]], c[f[3]]};
            addPolygon(facePoints, polys, q);
        }
        volumeFaces->SetPoints(facePoints);
        volumeFaces->SetPolys(polys);
        volumeFaces->Modified();
    }

    /// The cylinder about z of radius fieldOfViewRadius over the z range the detector's rows
    /// cover at the isocentre along the orbit (a circle in z = 0 for 2D beams).
    void buildFieldOfView()
    {
        fovSurface->Initialize();
        fovEdges->Initialize();
        const double radius = geometry.fieldOfViewRadius();
        const bool shown = radius > 0.0;
        fovSurfaceActor->SetVisibility(shown && !is2D(geometry.beam()));
        fovEdgesActor->SetVisibility(shown);
        if (!shown) {
            return;
        }
        double zLow = 0.0;
        double zHigh = 0.0;
        if (!is2D(geometry.beam())) {
            zLow = std::numeric_limits<double>::infinity();
            zHigh = -zLow;
            const Detector& det = geometry.detector();
            const double halfHeight = 0.5 * static_cast<double>(det.rows) * det.pixelV;
            for (std::size_t i = 0; i < geometry.viewCount(); ++i) {
                const ViewPose& pose = geometry.poses()[i];
                const double m = parallel() ? 1.0 : geometry.magnification(i);
                // Height at the isocentre of the detector's centre row, along the orbit.
                const double centre = parallel()
                                          ? pose.detector.z
                                          : pose.source.z + (pose.detector.z - pose.source.z) / m;
                zLow = std::min(zLow, centre - halfHeight / m);
                zHigh = std::max(zHigh, centre + halfHeight / m);
            }
        }
        vtkNew<vtkPoints> points;
        vtkNew<vtkCellArray> lines;
        vtkNew<vtkPoints> surfacePoints;
        vtkNew<vtkCellArray> polys;
        const auto ring = [&](double angle, double z) {
            return Vec3{radius * std::cos(angle), radius * std::sin(angle), z};
        };
        for (int k = 0; k < kCircleSegments; ++k) {
            const double a0 = 2.0 * std::numbers::pi * k / kCircleSegments;
            const double a1 = 2.0 * std::numbers::pi * (k + 1) / kCircleSegments;
            addLine(points, lines, ring(a0, zLow), ring(a1, zLow));
            if (zHigh > zLow) {
                addLine(points, lines, ring(a0, zHigh), ring(a1, zHigh));
                const std::array<Vec3, 4> q{ring(a0, zLow), ring(a1, zLow), ring(a1, zHigh),
                                            ring(a0, zHigh)};
                addPolygon(surfacePoints, polys, q);
            }
        }
        fovEdges->SetPoints(points);
        fovEdges->SetLines(lines);
        fovEdges->Modified();
        fovSurface->SetPoints(surfacePoints);
        fovSurface->SetPolys(polys);
        fovSurface->Modified();
    }

    void buildAxes()
    {
        const double length = kAxisLengthFraction * extent;
        vtkNew<vtkPoints> points;
        vtkNew<vtkCellArray> lines;
        vtkNew<vtkUnsignedCharArray> colours;
        colours->SetNumberOfComponents(3);
        const std::array<Vec3, 3> dirs{Vec3{1, 0, 0}, Vec3{0, 1, 0}, Vec3{0, 0, 1}};
        const std::array<std::array<unsigned char, 3>, 3> rgb{
            {{230, 70, 70}, {80, 210, 80}, {90, 130, 255}}};
        for (std::size_t a = 0; a < 3; ++a) {
            addLine(points, lines, Vec3{}, length * dirs[a]);
            colours->InsertNextTypedTuple(rgb[a].data());
        }
        axes->Initialize();
        axes->SetPoints(points);
        axes->SetLines(lines);
        axes->GetCellData()->SetScalars(colours);
        axes->Modified();
    }

    /// The completeness map's plane nearest y = 0 (or its only plane when 2D) as coloured cells.
    void buildCompleteness()
    {
        completenessCells->Initialize();
        completenessActor->SetVisibility(completeness != nullptr);
        if (!completeness) {
            return;
        }
        const VolumeGrid& g = completeness->grid();
        const auto& n = g.size();
        vtkNew<vtkPoints> points;
        vtkNew<vtkCellArray> polys;
        vtkNew<vtkUnsignedCharArray> colours;
        colours->SetNumberOfComponents(3);
        if (n[2] == 1) {
            for (std::size_t j = 0; j < n[1]; ++j) {
                for (std::size_t i = 0; i < n[0]; ++i) {
                    const double x = static_cast<double>(i);
                    const double y = static_cast<double>(j);
                    const std::array<Vec3, 4> q{
                        g.voxelCentre(x - 0.5, y - 0.5, 0.0), g.voxelCentre(x + 0.5, y - 0.5, 0.0),
                        g.voxelCentre(x + 0.5, y + 0.5, 0.0), g.voxelCentre(x - 0.5, y + 0.5, 0.0)};
                    addPolygon(points, polys, q);
                    insertColour(colours, completenessColour(completeness->at(i, j, 0)));
                }
            }
        } else {
            // The row j whose centre is nearest the plane y = 0.
            std::size_t row = 0;
            double best = std::numeric_limits<double>::infinity();
            for (std::size_t j = 0; j < n[1]; ++j) {
                const double distance = std::abs(g.voxelCentre(0.0, static_cast<double>(j), 0.0).y);
                if (distance < best) {
                    best = distance;
                    row = j;
                }
            }
            const double y = static_cast<double>(row);
            for (std::size_t k = 0; k < n[2]; ++k) {
                for (std::size_t i = 0; i < n[0]; ++i) {
                    const double x = static_cast<double>(i);
                    const double z = static_cast<double>(k);
                    const std::array<Vec3, 4> q{
                        g.voxelCentre(x - 0.5, y, z - 0.5), g.voxelCentre(x + 0.5, y, z - 0.5),
                        g.voxelCentre(x + 0.5, y, z + 0.5), g.voxelCentre(x - 0.5, y, z + 0.5)};
                    addPolygon(points, polys, q);
                    insertColour(colours, completenessColour(completeness->at(i, row, k)));
                }
            }
        }
        completenessCells->SetPoints(points);
        completenessCells->SetPolys(polys);
        completenessCells->GetCellData()->SetScalars(colours);
        completenessCells->Modified();
    }

    void updateCurrent()
    {
        const auto edges = detectorEdges(current);
        const Vec3 s = drawnSource(current);
        const Vec3 lift = (kOverlayLift * extent) * towardsSource(current);

        // The detector surface: a strip of quads between the bottom and top edges.
        vtkNew<vtkPoints> detPoints;
        vtkNew<vtkCellArray> detPolys;
        const std::size_t strip = edges[0].size();
        for (std::size_t k = 0; k + 1 < strip; ++k) {
            const std::array<Vec3, 4> q{edges[0][k], edges[0][k + 1], edges[2][strip - 2 - k],
                                        edges[2][strip - 1 - k]};
            addPolygon(detPoints, detPolys, q);
        }
        detector->Initialize();
        detector->SetPoints(detPoints);
        detector->SetPolys(detPolys);
        detector->Modified();

        vtkNew<vtkPoints> framePoints;
        vtkNew<vtkCellArray> frameLines;
        vtkNew<vtkUnsignedCharArray> frameColours;
        frameColours->SetNumberOfComponents(3);
        addFrame(framePoints, frameLines, frameColours, current, {1.0, 1.0, 1.0});
        detectorFrame->Initialize();
        detectorFrame->SetPoints(framePoints);
        detectorFrame->SetLines(frameLines);
        detectorFrame->GetCellData()->SetScalars(frameColours);
        detectorFrame->Modified();

        buildPixelGrid(lift);
        buildBeam(edges, s);
        buildRay(lift);

        source->SetCenter(s.x, s.y, s.z);
        // Parallel beams have no point source; the sphere marks the drawn source plane's centre.
        sourceActor->GetProperty()->SetOpacity(parallel() ? 0.6 : 1.0);
    }

    /// Lines every ceil(n / kMaxGridLines) pixels across the current detector, just in front
    /// of it.
    void buildPixelGrid(Vec3 lift)
    {
        const Detector& det = geometry.detector();
        const auto [v0, v1] = drawnRows();
        const double u1 = static_cast<double>(det.columns) - 0.5;
        const std::size_t stepU =
            (det.columns + TrajectoryScene::kMaxGridLines - 1) / TrajectoryScene::kMaxGridLines;
        const std::size_t stepV =
            (det.rows + TrajectoryScene::kMaxGridLines - 1) / TrajectoryScene::kMaxGridLines;
        vtkNew<vtkPoints> points;
        vtkNew<vtkCellArray> lines;
        for (std::size_t c = stepU; c < det.columns; c += stepU) {
            const double u = static_cast<double>(c) - 0.5;
            addLine(points, lines, geometry.pixelCentre(current, u, v0) + lift,
                    geometry.pixelCentre(current, u, v1) + lift);
        }
        const int segments = curved() ? kArcSegments : 1;
        for (std::size_t r = stepV; r < det.rows; r += stepV) {
            const double v = static_cast<double>(r) - 0.5;
            for (int k = 0; k < segments; ++k) {
                const double a = -0.5 + (u1 + 0.5) * k / segments;
                const double b = -0.5 + (u1 + 0.5) * (k + 1) / segments;
                addLine(points, lines, geometry.pixelCentre(current, a, v) + lift,
                        geometry.pixelCentre(current, b, v) + lift);
            }
        }
        pixelGrid->Initialize();
        pixelGrid->SetPoints(points);
        pixelGrid->SetLines(lines);
        pixelGrid->Modified();
    }

    void buildBeam(const std::array<std::vector<Vec3>, 4>& edges, Vec3 s)
    {
        vtkNew<vtkPoints> beamPoints;
        vtkNew<vtkCellArray> beamPolys;
        vtkNew<vtkPoints> edgePoints;
        vtkNew<vtkCellArray> edgeLines;
        const bool flat2D = geometry.detector().rows == 1 && is2D(geometry.beam());
        if (parallel()) {
            // A slab: the detector outline swept back to the drawn source plane.
            const Vec3 back = s - geometry.poses()[current].detector;
            if (flat2D) {
                // The mid-plane of the (drawn-thick) one-row detector.
                const Vec3 a = geometry.pixelCentre(current, -0.5, 0.0);
                const Vec3 b = geometry.pixelCentre(
                    current, static_cast<double>(geometry.detector().columns) - 0.5, 0.0);
                const std::array<Vec3, 4> q{a + back, b + back, b, a};
                addPolygon(beamPoints, beamPolys, q);
                addClosedFrame(edgePoints, edgeLines, q);
            } else {
                const std::vector<Vec3> loop = detectorLoop(current);
                for (std::size_t k = 0; k < loop.size(); ++k) {
                    const Vec3 p = loop[k];
                    const Vec3 q = loop[(k + 1) % loop.size()];
                    const std::array<Vec3, 4> face{p + back, q + back, q, p};
                    addPolygon(beamPoints, beamPolys, face);
                    addLine(edgePoints, edgeLines, p + back, q + back);
                }
            }
        } else if (flat2D) {
            // A fan: triangles from the source to the mid-row arc (or line) of the detector.
            const double u1 = static_cast<double>(geometry.detector().columns) - 0.5;
            const int segments = curved() ? kArcSegments : 1;
            for (int k = 0; k < segments; ++k) {
                const Vec3 a = geometry.pixelCentre(current, -0.5 + (u1 + 0.5) * k / segments, 0.0);
                const Vec3 b =
                    geometry.pixelCentre(current, -0.5 + (u1 + 0.5) * (k + 1) / segments, 0.0);
                const std::array<Vec3, 3> tri{s, a, b};
                addPolygon(beamPoints, beamPolys, tri);
            }
            addLine(edgePoints, edgeLines, s, geometry.pixelCentre(current, -0.5, 0.0));
            addLine(edgePoints, edgeLines, s, geometry.pixelCentre(current, u1, 0.0));
        } else {
            const std::vector<Vec3> loop = detectorLoop(current);
            for (std::size_t k = 0; k < loop.size(); ++k) {
                const std::array<Vec3, 3> tri{s, loop[k], loop[(k + 1) % loop.size()]};
                addPolygon(beamPoints, beamPolys, tri);
            }
            for (const auto& edge : edges) {
                addLine(edgePoints, edgeLines, s, edge.front());
            }
        }
        beam->Initialize();
        beam->SetPoints(beamPoints);
        beam->SetPolys(beamPolys);
        beam->Modified();
        beamEdges->Initialize();
        beamEdges->SetPoints(edgePoints);
        beamEdges->SetLines(edgeLines);
        beamEdges->Modified();
    }

    /// The highlighted ray of the current view and the pixel it lands on.
    void buildRay(Vec3 lift)
    {
        ray->Initialize();
        rayPixel->Initialize();
        highlightedHit.reset();
        const bool shown = highlighted.has_value();
        rayActor->SetVisibility(shown);
        rayPixelActor->SetVisibility(shown);
        rayPointActor->SetVisibility(shown);
        if (!shown) {
            return;
        }
        const Vec3 point = *highlighted;
        rayPoint->SetCenter(point.x, point.y, point.z);
        const ViewPose& pose = geometry.poses()[current];
        const Vec3 start =
            parallel() ? point - dot(point - drawnSource(current), pose.source) * pose.source
                       : drawnSource(current);
        const Detector& det = geometry.detector();
        const auto hit = geometry.projectPoint(current, point);
        vtkNew<vtkPoints> points;
        vtkNew<vtkCellArray> lines;
        const bool onDetector =
            hit && (*hit)[0] >= -0.5 && (*hit)[0] <= static_cast<double>(det.columns) - 0.5 &&
            (*hit)[1] >= -0.5 && (*hit)[1] <= static_cast<double>(det.rows) - 0.5;
        if (hit) {
            addLine(points, lines, start, geometry.pixelCentre(current, (*hit)[0], (*hit)[1]));
        } else {
            addLine(points, lines, start, point);
        }
        ray->SetPoints(points);
        ray->SetLines(lines);
        ray->Modified();
        if (!onDetector) {
            rayPixelActor->SetVisibility(false);
            return;
        }
        highlightedHit = hit;
        // The pixel the ray lands on, widened to at least kMarkerFraction of the extent.
        const double iu = std::round((*hit)[0]);
        const double iv = std::round((*hit)[1]);
        const double halfU = std::max(0.5, 0.5 * kMarkerFraction * extent / det.pixelU);
        const double halfV = std::max(0.5, 0.5 * kMarkerFraction * extent / det.pixelV);
        vtkNew<vtkPoints> quadPoints;
        vtkNew<vtkCellArray> quadPolys;
        const std::array<Vec3, 4> q{geometry.pixelCentre(current, iu - halfU, iv - halfV) + lift,
                                    geometry.pixelCentre(current, iu + halfU, iv - halfV) + lift,
                                    geometry.pixelCentre(current, iu + halfU, iv + halfV) + lift,
                                    geometry.pixelCentre(current, iu - halfU, iv + halfV) + lift};
        addPolygon(quadPoints, quadPolys, q);
        rayPixel->SetPoints(quadPoints);
        rayPixel->SetPolys(quadPolys);
        rayPixel->Modified();
    }

    void resetCamera()
    {
        // Oblique, from the -y side and above, +z up: the rotation plane reads as an ellipse.
        constexpr Vec3 kDirection{0.45, -0.75, 0.6};
        const Vec3 dir = (1.0 / norm(kDirection)) * kDirection;
        vtkCamera* camera = renderer->GetActiveCamera();
        camera->SetFocalPoint(0.0, 0.0, 0.0);
        camera->SetPosition(dir.x, dir.y, dir.z);
        camera->SetViewUp(0.0, 0.0, 1.0);
        camera->SetViewAngle(30.0);
        // Fits the bounding sphere of everything drawn; the zoom takes back part of the margin
        // that sphere leaves around a flat (2D) scan.
        renderer->ResetCamera();
        camera->Zoom(kCameraZoom);
        renderer->ResetCameraClippingRange();
        syncMarkerCamera();
    }
};

TrajectoryScene::TrajectoryScene(const Geometry& geometry, const std::optional<VolumeGrid>& grid)
    : m_impl(std::make_unique<Impl>(geometry, grid))
{
    m_impl->resetCamera();
}

TrajectoryScene::~TrajectoryScene() = default;

void TrajectoryScene::setGeometry(const Geometry& geometry, const std::optional<VolumeGrid>& grid)
{
    m_impl->geometry = geometry;
    m_impl->grid = grid;
    m_impl->rebuild();
    m_impl->resetCamera();
}

void TrajectoryScene::setCurrentView(std::size_t view)
{
    const std::size_t clamped = std::min(view, m_impl->geometry.viewCount() - 1);
    if (clamped == m_impl->current) {
        return;
    }
    m_impl->current = clamped;
    m_impl->updateCurrent();
}

std::size_t TrajectoryScene::currentView() const
{
    return m_impl->current;
}

std::size_t TrajectoryScene::viewCount() const
{
    return m_impl->geometry.viewCount();
}

void TrajectoryScene::setGhostEvery(std::size_t every)
{
    m_impl->ghostStep = every;
    m_impl->buildGhosts();
}

std::size_t TrajectoryScene::ghostEvery() const
{
    return m_impl->ghostStepInUse();
}

void TrajectoryScene::setHighlightedPoint(std::optional<Vec3> pointMm)
{
    m_impl->highlighted = pointMm;
    m_impl->buildRay((kOverlayLift * m_impl->extent) * m_impl->towardsSource(m_impl->current));
}

std::optional<std::array<double, 2>> TrajectoryScene::highlightedPixel() const
{
    return m_impl->highlightedHit;
}

void TrajectoryScene::setCompleteness(std::shared_ptr<const Volume> map)
{
    m_impl->completeness = std::move(map);
    m_impl->buildCompleteness();
}

const std::vector<std::size_t>& TrajectoryScene::truncatedViews() const
{
    return m_impl->truncated;
}

void TrajectoryScene::resetCamera()
{
    m_impl->resetCamera();
}

vtkRenderer* TrajectoryScene::renderer() const
{
    return m_impl->renderer;
}

std::vector<vtkRenderer*> TrajectoryScene::renderers() const
{
    return {m_impl->renderer.Get(), m_impl->markerRenderer.Get()};
}

RgbImage TrajectoryScene::renderOffscreen(int width, int height)
{
    return detail::renderOffscreen(m_impl->offscreen,
                                   {m_impl->renderer.Get(), m_impl->markerRenderer.Get()}, width,
                                   height, "TrajectoryScene");
}
} // namespace tomo::render
