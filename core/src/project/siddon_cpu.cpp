// The CPU version of kernels/project_siddon.cl: exact chord lengths by Siddon's traversal
// (kernels/common/siddon.cl, shared with the kernels). Rays in parallel for the forward
// projection; the transpose is the same traversal scattered into per-thread volumes.
#include "project/projector_impl.h"
#include "project/ray_geometry.h"
#include "project/ray_scatter.h"
#include "project/siddon_setup.h"
#include "tomo/error.h"

#include <memory>

namespace tomo::detail
{
SiddonSetup makeSiddonSetup(const Geometry& geometry, const VolumeGrid& grid, std::size_t first,
                            std::size_t count)
{
    SiddonSetup s;
    if (is2D(geometry.beam())) {
        const Setup2D t = makeSetup2D(geometry, grid);
        s.dims = 2;
        s.n[0] = t.nx;
        s.n[1] = t.ny;
        s.origin[0] = t.originX;
        s.origin[1] = t.originY;
        s.origin[2] = static_cast<float>(grid.origin().z);
        s.spacing[0] = t.spacingX;
        s.spacing[1] = t.spacingY;
        s.spacing[2] = static_cast<float>(grid.spacing()[2]);
        s.nu = t.nu;
        s.pixelU = t.pixelU;
        s.centreU = t.centreColumn;
        s.radius = t.radius;
        s.parallel = t.parallel;
        for (const ViewParams2D& p : makeViewParams2D(geometry, first, count)) {
            s.params.insert(s.params.end(), {p.sx, p.sy, p.dx, p.dy, p.ux, p.uy});
        }
        return s;
    }
    const Setup3D t = makeSetup3D(geometry, grid);
    for (int a = 0; a < 3; ++a) {
        s.n[a] = t.n[a];
        s.origin[a] = t.origin[a];
        s.spacing[a] = t.spacing[a];
    }
    s.nu = t.nu;
    s.nv = t.nv;
    s.pixelU = t.pixelU;
    s.pixelV = t.pixelV;
    s.centreU = t.centreU;
    s.centreV = t.centreV;
    s.radius = t.radius;
    s.parallel = t.parallel;
    s.params = makeViewParams3D(geometry, first, count);
    return s;
}

namespace
{
// The ray of batch ray `index` (u fastest, then v, then view), as the kernel builds it.
void siddonRay(const SiddonSetup& s, std::ptrdiff_t index, float* o, float* r)
{
    const auto iu = static_cast<int>(index % s.nu);
    const auto iv = static_cast<int>((index / s.nu) % s.nv);
    const auto view = static_cast<std::size_t>(index / (static_cast<std::ptrdiff_t>(s.nu) * s.nv));
    const float* p = s.params.data() + view * s.paramsPerView();
    if (s.dims == 2) {
        tomo_ray_2d(p[0], p[1], p[2], p[3], p[4], p[5],
                    (static_cast<float>(iu) - s.centreU) * s.pixelU, s.radius, s.parallel, &o[0],
                    &o[1], &r[0], &r[1]);
        o[2] = s.origin[2];
        r[2] = 0.0f;
        return;
    }
    tomo_ray_3d(p, (static_cast<float>(iu) - s.centreU) * s.pixelU,
                (static_cast<float>(iv) - s.centreV) * s.pixelV, s.radius, s.parallel, o, r);
}

// Calls visit(voxel index, chord length in mm) for every voxel ray `index` crosses.
template <class Visit> void traverse(const SiddonSetup& s, std::ptrdiff_t index, Visit visit)
{
    float o[3];
    float r[3];
    siddonRay(s, index, o, r);
    TomoSiddon it{};
    if (tomo_siddon_begin(&it, o, r, s.n, s.origin, s.spacing, !s.parallel) == 0) {
        return;
    }
    int voxel = 0;
    float length = 0.0f;
    while (tomo_siddon_next(&it, s.n, &voxel, &length) != 0) {
        visit(voxel, length);
    }
}

class SiddonCpuProjector final : public Projector
{
public:
    [[nodiscard]] ProjectorModel model() const override { return ProjectorModel::Siddon; }
    [[nodiscard]] Backend backend() const override { return Backend::Cpu; }
    [[nodiscard]] bool isMatched() const override { return true; }
    [[nodiscard]] bool hasForward() const override { return true; }

    void forward(const Volume& volume, ProjectionStack& out, std::size_t firstView,
                 std::size_t count) const override
    {
        checkViewRange(firstView, count, out.views());
        const SiddonSetup s = makeSiddonSetup(out.geometry(), volume.grid(), firstView, count);
        const float* f = volume.data().data();
        float* proj = out.view(firstView).data();
        const auto rays = static_cast<std::ptrdiff_t>(count) * s.nu * s.nv;
#pragma omp parallel for schedule(static)
        for (std::ptrdiff_t ray = 0; ray < rays; ++ray) {
            float sum = 0.0f;
            traverse(s, ray, [&](int voxel, float length) { sum += length * f[voxel]; });
            proj[ray] = sum;
        }
    }

    void backAccumulate(const ProjectionStack& projections, std::size_t firstView,
                        std::size_t count, float weight, Volume& volume) const override
    {
        checkViewRange(firstView, count, projections.views());
        const SiddonSetup s =
            makeSiddonSetup(projections.geometry(), volume.grid(), firstView, count);
        const float* proj = projections.view(firstView).data();
        const auto rays = static_cast<std::ptrdiff_t>(count) * s.nu * s.nv;
        scatterOverRays(
            rays, volume.data().size(), weight, volume.data().data(),
            [&](std::ptrdiff_t ray, float* acc) {
                const float value = proj[ray];
                if (value == 0.0f) {
                    return;
                }
                traverse(s, ray, [&](int voxel, float length) { acc[voxel] += length * value; });
            });
    }
};
} // namespace

std::unique_ptr<Projector> makeSiddonCpuProjector()
{
    return std::make_unique<SiddonCpuProjector>();
}
} // namespace tomo::detail
