#include "tomo/projector.h"

#include "project/projector_impl.h"
#include "project/view_params.h"
#include "tomo/error.h"

#include <algorithm>
#include <memory>
#include <string>

namespace tomo
{
Projector::~Projector() = default;

VolumeHold::~VolumeHold() = default;

std::unique_ptr<VolumeHold> Projector::hold(const Volume& /*volume*/) const
{
    return std::make_unique<VolumeHold>();
}

std::string_view toString(ProjectorModel model)
{
    switch (model) {
    case ProjectorModel::Joseph:
        return "joseph";
    case ProjectorModel::Siddon:
        return "siddon";
    case ProjectorModel::VoxelDriven:
        return "voxel-driven";
    }
    return "unknown";
}

ProjectorModel parseProjectorModel(std::string_view text, std::string_view field)
{
    for (ProjectorModel m :
         {ProjectorModel::Joseph, ProjectorModel::Siddon, ProjectorModel::VoxelDriven}) {
        if (text == toString(m)) {
            return m;
        }
    }
    throwInvalid(std::string(field), "\"" + std::string(text) + "\"",
                 "accepted: joseph, siddon, voxel-driven");
}

std::unique_ptr<Projector> makeProjector(ProjectorModel model, ComputeContext& compute)
{
    if (compute.backend() == Backend::OpenCL) {
        return detail::makeOpenClProjector(model, compute);
    }
    return detail::makeCpuProjector(model);
}

void checkProjectable(const Geometry& geometry, const VolumeGrid& grid)
{
    if (is2D(geometry.beam())) {
        (void)detail::makeSetup2D(geometry, grid);
    } else {
        (void)detail::makeSetup3D(geometry, grid);
    }
}

ProjectionStack forwardProject(const Projector& projector, const Volume& volume,
                               const Geometry& geometry, RunContext& ctx, std::size_t batchViews)
{
    checkProjectable(geometry, volume.grid());
    batchViews = std::max<std::size_t>(batchViews, 1);
    ProjectionStack out = ProjectionStack::zeros(geometry);
    ProjectionPreviews previews(ctx, "forward projection");
    const auto held = projector.hold(volume);
    const std::size_t views = geometry.viewCount();
    for (std::size_t first = 0; first < views; first += batchViews) {
        ctx.throwIfCancelled();
        const std::size_t count = std::min(batchViews, views - first);
        projector.forward(volume, out, first, count);
        ctx.reportProgress(first + count, views, "forward projection");
        previews.publish(out, first + count);
    }
    return out;
}

Volume backProject(const Projector& projector, const ProjectionStack& projections,
                   const VolumeGrid& grid, RunContext& ctx, std::size_t batchViews)
{
    checkProjectable(projections.geometry(), grid);
    batchViews = std::max<std::size_t>(batchViews, 1);
    Volume out = Volume::zeros(grid);
    const std::size_t views = projections.views();
    for (std::size_t first = 0; first < views; first += batchViews) {
        ctx.throwIfCancelled();
        const std::size_t count = std::min(batchViews, views - first);
        projector.backAccumulate(projections, first, count, 1.0f, out);
        ctx.reportProgress(first + count, views, "backprojection");
    }
    return out;
}

namespace detail
{
namespace
{
void checkAxisAligned(const VolumeGrid& grid)
{
    const auto& m = grid.direction();
    if (m != std::array<double, 9>{1, 0, 0, 0, 1, 0, 0, 0, 1}) {
        throwInvalid("grid.direction", "not identity",
                     "the projectors need an axis-aligned grid; resample the volume first");
    }
}
} // namespace

Setup3D makeSetup3D(const Geometry& geometry, const VolumeGrid& grid)
{
    if (is2D(geometry.beam())) {
        throwInvalid("geometry.beam", "\"" + std::string(toString(geometry.beam())) + "\"",
                     "the 3D projectors take parallel3d or cone3d");
    }
    checkAxisAligned(grid);
    const Detector& det = geometry.detector();
    Setup3D s{};
    const Vec3 origin = grid.origin();
    const double o[3] = {origin.x, origin.y, origin.z};
    for (int a = 0; a < 3; ++a) {
        s.n[a] = static_cast<int>(grid.size()[static_cast<std::size_t>(a)]);
        s.origin[a] = static_cast<float>(o[a]);
        s.spacing[a] = static_cast<float>(grid.spacing()[static_cast<std::size_t>(a)]);
    }
    s.nu = static_cast<int>(det.columns);
    s.nv = static_cast<int>(det.rows);
    s.pixelU = static_cast<float>(det.pixelU);
    s.pixelV = static_cast<float>(det.pixelV);
    s.centreU = static_cast<float>(0.5 * (static_cast<double>(det.columns) - 1.0) - det.offsetU);
    s.centreV = static_cast<float>(0.5 * (static_cast<double>(det.rows) - 1.0) - det.offsetV);
    s.radius = det.shape == DetectorShape::Cylindrical ? static_cast<float>(det.radius) : 0.0f;
    s.parallel = isParallel(geometry.beam());
    return s;
}

std::vector<float> makeViewParams3D(const Geometry& geometry, std::size_t first, std::size_t count)
{
    std::vector<float> out;
    out.reserve(count * kViewParam3DFloats);
    for (std::size_t k = first; k < first + count; ++k) {
        const ViewPose& p = geometry.poses()[k];
        for (const Vec3& a : {p.source, p.detector, p.u, p.v}) {
            out.push_back(static_cast<float>(a.x));
            out.push_back(static_cast<float>(a.y));
            out.push_back(static_cast<float>(a.z));
        }
    }
    return out;
}

Setup2D makeSetup2D(const Geometry& geometry, const VolumeGrid& grid)
{
    if (!is2D(geometry.beam())) {
        throwInvalid("geometry.beam", "\"" + std::string(toString(geometry.beam())) + "\"",
                     "the 2D projectors take parallel2d or fan2d");
    }
    checkAxisAligned(grid);
    if (!grid.is2D()) {
        throwInvalid("grid.size.z", std::to_string(grid.size()[2]),
                     "a 2D beam needs a 2D grid (nz = 1)");
    }
    const Detector& det = geometry.detector();
    Setup2D s{};
    s.nx = static_cast<int>(grid.size()[0]);
    s.ny = static_cast<int>(grid.size()[1]);
    s.originX = static_cast<float>(grid.origin().x);
    s.originY = static_cast<float>(grid.origin().y);
    s.spacingX = static_cast<float>(grid.spacing()[0]);
    s.spacingY = static_cast<float>(grid.spacing()[1]);
    s.nu = static_cast<int>(det.columns);
    s.pixelU = static_cast<float>(det.pixelU);
    s.centreColumn =
        static_cast<float>(0.5 * (static_cast<double>(det.columns) - 1.0) - det.offsetU);
    s.radius = det.shape == DetectorShape::Cylindrical ? static_cast<float>(det.radius) : 0.0f;
    s.parallel = isParallel(geometry.beam());
    return s;
}

std::vector<ViewParams2D> makeViewParams2D(const Geometry& geometry, std::size_t first,
                                           std::size_t count)
{
    std::vector<ViewParams2D> out;
    out.reserve(count);
    for (std::size_t k = first; k < first + count; ++k) {
        const ViewPose& p = geometry.poses()[k];
        out.push_back({static_cast<float>(p.source.x), static_cast<float>(p.source.y),
                       static_cast<float>(p.detector.x), static_cast<float>(p.detector.y),
                       static_cast<float>(p.u.x), static_cast<float>(p.u.y)});
    }
    return out;
}

std::vector<float> makeProjectionMatrices(const Geometry& geometry, std::size_t first,
                                          std::size_t count)
{
    std::vector<float> out;
    out.reserve(count * 12);
    for (std::size_t k = first; k < first + count; ++k) {
        for (double value : geometry.projectionMatrix(k)) {
            out.push_back(static_cast<float>(value));
        }
    }
    return out;
}

void checkViewRange(std::size_t first, std::size_t count, std::size_t views)
{
    if (first > views || count > views - first) {
        throwInvalid("view range",
                     "[" + std::to_string(first) + ", " + std::to_string(first + count) + ")",
                     "must lie inside [0, " + std::to_string(views) + ")");
    }
}
} // namespace detail
} // namespace tomo

#ifndef TOMO_HAVE_OPENCL
namespace tomo::detail
{
std::unique_ptr<Projector> makeOpenClProjector(ProjectorModel, ComputeContext&, OpenClKernels)
{
    throw DeviceError("this build of Tomoscope has no OpenCL backend (configured with "
                      "TOMO_ENABLE_OPENCL=OFF); use --device cpu");
}
} // namespace tomo::detail
#endif
