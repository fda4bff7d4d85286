#include "tomo/render/trajectory_scene.h"

#include "offscreen.h"
#include "tomo/error.h"

#include <vtkActor.h>
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
#include <vtkTubeFilter.h>
#include <vtkUnsignedCharArray.h>

#include <algorithm>
#include <array>
#include <cmath>
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
    double extent = 1.0;

    vtkNew<vtkRenderer> renderer;
    vtkNew<vtkLookupTable> viewColours;

    vtkNew<vtkPolyData> path;
    vtkNew<vtkTubeFilter> tube;
    vtkNew<vtkPolyData> ghosts;
    vtkNew<vtkPolyData> detector;
    vtkNew<vtkPolyData> detectorFrame;
    vtkNew<vtkPolyData> beam;
    vtkNew<vtkPolyData> beamEdges;
    vtkNew<vtkPolyData> volumeFaces;
    vtkNew<vtkPolyData> volumeEdges;
    vtkNew<vtkPolyData> axes;
    vtkNew<vtkSphereSource> source;

    vtkSmartPointer<vtkActor> pathActor;
    vtkSmartPointer<vtkActor> sourceActor;
    vtkSmartPointer<vtkActor> ghostActor;
    vtkSmartPointer<vtkActor> detectorActor;
    vtkSmartPointer<vtkActor> detectorFrameActor;
    vtkSmartPointer<vtkActor> beamActor;
    vtkSmartPointer<vtkActor> beamEdgesActor;
    vtkSmartPointer<vtkActor> volumeFacesActor;
    vtkSmartPointer<vtkActor> volumeEdgesActor;
    vtkSmartPointer<vtkActor> axesActor;

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
        auto* ghostMapper = vtkPolyDataMapper::SafeDownCast(ghostActor->GetMapper());
        ghostMapper->SetLookupTable(viewColours);
        ghostMapper->SetScalarModeToUsePointData();
        ghostMapper->ScalarVisibilityOn();
        ghostActor->GetProperty()->SetOpacity(kGhostOpacity);
        ghostActor->GetProperty()->SetLineWidth(1.5F);

        detectorActor = makeActor(detector);
        setColour(detectorActor, 0.35, 0.75, 0.95);
        detectorActor->GetProperty()->LightingOff();
        detectorFrameActor = makeActor(detectorFrame);
        setColour(detectorFrameActor, 1.0, 1.0, 1.0);
        detectorFrameActor->GetProperty()->SetLineWidth(2.5F);

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

        axesActor = makeActor(axes);
        auto* axesMapper = vtkPolyDataMapper::SafeDownCast(axesActor->GetMapper());
        axesMapper->ScalarVisibilityOn();
        axesMapper->SetScalarModeToUseCellData();
        axesMapper->SetColorModeToDirectScalars();
        axesActor->GetProperty()->SetLineWidth(2.0F);

        for (vtkActor* a :
             {volumeFacesActor.Get(), volumeEdgesActor.Get(), axesActor.Get(), pathActor.Get(),
              ghostActor.Get(), detectorActor.Get(), detectorFrameActor.Get(), sourceActor.Get(),
              beamEdgesActor.Get(), beamActor.Get()}) {
            renderer->AddActor(a);
        }
        rebuild();
    }

    ~Impl() { detail::releaseOffscreen(offscreen, {renderer.Get()}); }

    Impl(const Impl&) = delete;
    Impl& operator=(const Impl&) = delete;

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

    /// The detector's outline in view `i`: corners in (u, v) order around the rectangle.
    [[nodiscard]] Quad detectorCorners(std::size_t i) const
    {
        const Detector& det = geometry.detector();
        const ViewPose& pose = geometry.poses()[i];
        const double u0 = det.columnPosition(-0.5);
        const double u1 = det.columnPosition(static_cast<double>(det.columns) - 0.5);
        double v0 = det.rowPosition(-0.5);
        double v1 = det.rowPosition(static_cast<double>(det.rows) - 0.5);
        const double minHeight = kMin2DDetectorAspect * std::abs(u1 - u0);
        if (det.rows == 1 && std::abs(v1 - v0) < minHeight) {
            const double mid = 0.5 * (v0 + v1);
            v0 = mid - 0.5 * minHeight;
            v1 = mid + 0.5 * minHeight;
        }
        const auto at = [&](double u, double v) {
            return pose.detector + u * pose.u + v * pose.v;
        };
        return {at(u0, v0), at(u1, v0), at(u1, v1), at(u0, v1)};
    }

    void rebuild()
    {
        const std::size_t views = geometry.viewCount();
        current = std::min(current, views - 1);
        extent = 1.0;
        for (std::size_t i = 0; i < views; ++i) {
            extent = std::max(extent, norm(drawnSource(i)));
            for (const Vec3& c : detectorCorners(i)) {
                extent = std::max(extent, norm(c));
            }
        }
        viewColours->SetTableRange(0.0, std::max(1.0, static_cast<double>(views - 1)));
        buildVolume();
        buildPath();
        buildGhosts();
        buildAxes();
        source->SetRadius(kSourceRadiusFraction * extent);
        updateCurrent();
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

    void buildGhosts()
    {
        const std::size_t views = geometry.viewCount();
        const std::size_t every = std::max<std::size_t>(1, views / kGhostCount);
        vtkNew<vtkPoints> points;
        vtkNew<vtkCellArray> lines;
        vtkNew<vtkFloatArray> index;
        for (std::size_t i = 0; i < views; i += every) {
            addClosedFrame(points, lines, detectorCorners(i));
            for (int k = 0; k < 4; ++k) {
                index->InsertNextValue(static_cast<float>(i));
            }
        }
        ghosts->Initialize();
        ghosts->SetPoints(points);
        ghosts->SetLines(lines);
        ghosts->GetPointData()->SetScalars(index);
        ghosts->Modified();
        ghostActor->GetMapper()->SetScalarRange(0.0, std::max(1.0, static_cast<double>(views - 1)));
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
            std::array<vtkIdType, 2> ids{insertPoint(points, c[e[0]]),
                                         insertPoint(points, c[e[1]])};
            lines->InsertNextCell(2, ids.data());
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
            std::array<vtkIdType, 2> ids{insertPoint(points, Vec3{}),
                                         insertPoint(points, length * dirs[a])};
            lines->InsertNextCell(2, ids.data());
            colours->InsertNextTypedTuple(rgb[a].data());
        }
        axes->Initialize();
        axes->SetPoints(points);
        axes->SetLines(lines);
        axes->GetCellData()->SetScalars(colours);
        axes->Modified();
    }

    void updateCurrent()
    {
        const Quad det = detectorCorners(current);
        const Vec3 s = drawnSource(current);

        vtkNew<vtkPoints> detPoints;
        vtkNew<vtkCellArray> detPolys;
        addPolygon(detPoints, detPolys, det);
        detector->Initialize();
        detector->SetPoints(detPoints);
        detector->SetPolys(detPolys);
        detector->Modified();

        vtkNew<vtkPoints> framePoints;
        vtkNew<vtkCellArray> frameLines;
        addClosedFrame(framePoints, frameLines, det);
        detectorFrame->Initialize();
        detectorFrame->SetPoints(framePoints);
        detectorFrame->SetLines(frameLines);
        detectorFrame->Modified();

        vtkNew<vtkPoints> beamPoints;
        vtkNew<vtkCellArray> beamPolys;
        vtkNew<vtkPoints> edgePoints;
        vtkNew<vtkCellArray> edgeLines;
        const bool flat = geometry.detector().rows == 1 && is2D(geometry.beam());
        if (parallel()) {
            // A slab: the detector outline swept back to the drawn source plane.
            const Vec3 back = s - geometry.poses()[current].detector;
            Quad src{};
            for (std::size_t k = 0; k < 4; ++k) {
                src[k] = det[k] + back;
            }
            if (flat) {
                // The mid-plane of the (drawn-thick) one-row detector.
                const Vec3 a = 0.5 * (det[0] + det[3]);
                const Vec3 b = 0.5 * (det[1] + det[2]);
                const std::array<Vec3, 4> q{a + back, b + back, b, a};
                addPolygon(beamPoints, beamPolys, q);
                addClosedFrame(edgePoints, edgeLines, q);
            } else {
                for (std::size_t k = 0; k < 4; ++k) {
                    const std::size_t n = (k + 1) % 4;
                    const std::array<Vec3, 4> q{src[k], src[n], det[n], det[k]};
                    addPolygon(beamPoints, beamPolys, q);
                }
                addClosedFrame(edgePoints, edgeLines, src);
            }
        } else if (flat) {
            const Vec3 a = 0.5 * (det[0] + det[3]);
            const Vec3 b = 0.5 * (det[1] + det[2]);
            const std::array<Vec3, 3> tri{s, a, b};
            addPolygon(beamPoints, beamPolys, tri);
            addClosedFrame(edgePoints, edgeLines, Quad{s, a, b, s});
        } else {
            for (std::size_t k = 0; k < 4; ++k) {
                const std::array<Vec3, 3> tri{s, det[k], det[(k + 1) % 4]};
                addPolygon(beamPoints, beamPolys, tri);
                std::array<vtkIdType, 2> ids{insertPoint(edgePoints, s),
                                             insertPoint(edgePoints, det[k])};
                edgeLines->InsertNextCell(2, ids.data());
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

        source->SetCenter(s.x, s.y, s.z);
        // Parallel beams have no point source; the sphere marks the drawn source plane's centre.
        sourceActor->GetProperty()->SetOpacity(parallel() ? 0.6 : 1.0);
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

void TrajectoryScene::resetCamera()
{
    m_impl->resetCamera();
}

vtkRenderer* TrajectoryScene::renderer() const
{
    return m_impl->renderer;
}

RgbImage TrajectoryScene::renderOffscreen(int width, int height)
{
    return detail::renderOffscreen(m_impl->offscreen, {m_impl->renderer.Get()}, width, height,
                                   "TrajectoryScene");
}
} // namespace tomo::render
