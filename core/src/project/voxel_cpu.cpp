#include "project/projector_impl.h"
#include "project/ray_geometry.h"
#include "project/view_params.h"
#include "project/voxel2d_avx2.h"
#include "project/voxel3d_avx2.h"
#include "project/voxel_gather.h"
#include "tomo/error.h"

#include <cmath>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

namespace tomo::detail
{
std::unique_ptr<Projector> makeJosephCpuProjector();
std::unique_ptr<Projector> makeSiddonCpuProjector();

namespace
{
// The CPU reference of kernels/backproject_voxel_2d.cl and backproject_voxel_3d.cl: bilinear
// detector samples times the FBP/FDK distance weight (1 for parallel beams).
class VoxelDrivenCpuProjector final : public Projector
{
public:
    [[nodiscard]] ProjectorModel model() const override { return ProjectorModel::VoxelDriven; }
    [[nodiscard]] Backend backend() const override { return Backend::Cpu; }
    [[nodiscard]] bool isMatched() const override { return false; }
    [[nodiscard]] bool hasForward() const override { return false; }

    void forward(const Volume&, ProjectionStack&, std::size_t, std::size_t) const override
    {
        throwInvalid("projector", "\"voxel-driven\"",
                     "the voxel-driven model only backprojects; forward project with \"joseph\"");
    }

    void backAccumulate(const ProjectionStack& projections, std::size_t firstView,
                        std::size_t count, float weight, Volume& volume) const override
    {
        if (!is2D(projections.geometry().beam())) {
            back3D(projections, firstView, count, weight, volume);
            return;
        }
        const Setup2D s = makeSetup2D(projections.geometry(), volume.grid());
        checkViewRange(firstView, count, projections.views());
        const auto params = makeViewParams2D(projections.geometry(), firstView, count);
        const float* proj = projections.data().data();
        if (!(s.radius > 0.0f) && voxelBack2DAvx2(s, makeColumnMaps2D(s, params).data(), count,
                                                  proj + firstView * static_cast<std::size_t>(s.nu),
                                                  weight, volume.data().data())) {
            return;
        }
        gatherOverVoxels(s, weight, volume.data().data(), [&](int, int, float x, float y) {
            float sum = 0.0f;
            for (std::size_t view = 0; view < count; ++view) {
                const ViewParams2D& p = params[view];
                float a = 0.0f;
                if (!tomo_detector_coordinate_2d(p.sx, p.sy, p.dx, p.dy, p.ux, p.uy, x, y, s.radius,
                                                 s.parallel, &a)) {
                    continue;
                }
                const float f = a / s.pixelU + s.centreColumn;
                if (!(f > -1.0f && f < static_cast<float>(s.nu))) {
                    continue;
                }
                const float fl = std::floor(f);
                const float w = f - fl;
                const int lower = static_cast<int>(fl);
                const float* row = proj + (firstView + view) * static_cast<std::size_t>(s.nu);
                float sample = 0.0f;
                if (lower >= 0) {
                    sample += (1.0f - w) * row[lower];
                }
                if (lower + 1 < s.nu) {
                    sample += w * row[lower + 1];
                }
                sum += sample *
                       tomo_distance_weight_2d(p.sx, p.sy, p.ux, p.uy, x, y, s.radius, s.parallel);
            }
            return sum;
        });
    }

private:
    static void back3D(const ProjectionStack& projections, std::size_t firstView, std::size_t count,
                       float weight, Volume& volume)
    {
        const Setup3D s = makeSetup3D(projections.geometry(), volume.grid());
        checkViewRange(firstView, count, projections.views());
        const std::size_t pixels = projections.pixelsPerView();
        const float* proj = projections.data().data() + firstView * pixels;
        float* out = volume.data().data();
        if (s.radius > 0.0f) {
            // Cylindrical detectors: no projection matrix maps a point to an arc length, so each
            // voxel centre is intersected with the cylinder (tomo_project_point_curved).
            const std::vector<float> params =
                makeViewParams3D(projections.geometry(), firstView, count);
            if (voxelBack3DCurvedAvx2(s, params.data(), count, proj, pixels, weight, out)) {
                return;
            }
            gatherOverVoxels3D(s, count, weight, out, [&](const float* x, std::size_t view) {
                float a = 0.0f;
                float b = 0.0f;
                if (!tomo_project_point_curved(params.data() + view * kViewParam3DFloats, s.radius,
                                               s.parallel, x, &a, &b)) {
                    return 0.0f;
                }
                const float* p = params.data() + view * kViewParam3DFloats;
                return sampleView(s, proj + view * pixels, a / s.pixelU + s.centreU,
                                  b / s.pixelV + s.centreV) *
                       tomo_distance_weight_curved(p, s.parallel, x);
            });
            return;
        }
        const std::vector<float> matrices =
            makeProjectionMatrices(projections.geometry(), firstView, count);
        if (voxelBack3DAvx2(s, matrices.data(), count, proj, pixels, weight, out)) {
            return;
        }
        gatherOverVoxels3D(s, count, weight, out, [&](const float* x, std::size_t view) {
            const float* P = matrices.data() + view * 12;
            float fu = 0.0f;
            float fv = 0.0f;
            if (!tomo_project_point(P, x, &fu, &fv)) {
                return 0.0f;
            }
            // FDK's distance weight (D/w)^2, as in backproject_voxel_3d.cl.
            const float distance = P[11] / (P[8] * x[0] + P[9] * x[1] + P[10] * x[2] + P[11]);
            return sampleView(s, proj + view * pixels, fu, fv) * (distance * distance);
        });
    }

    /// The bilinear sample of one view's image at fractional pixel (fu, fv), zero off the
    /// detector.
    static float sampleView(const Setup3D& s, const float* image, float fu, float fv)
    {
        if (!(fu > -1.0f && fu < static_cast<float>(s.nu) && fv > -1.0f &&
              fv < static_cast<float>(s.nv))) {
            return 0.0f;
        }
        float sample = 0.0f;
        TOMO_BILINEAR_SAMPLE(image, s.nu, s.nv, fu, fv, sample);
        return sample;
    }
};
} // namespace

std::unique_ptr<Projector> makeCpuProjector(ProjectorModel model)
{
    if (model == ProjectorModel::Joseph) {
        return makeJosephCpuProjector();
    }
    if (model == ProjectorModel::Siddon) {
        return makeSiddonCpuProjector();
    }
    return std::make_unique<VoxelDrivenCpuProjector>();
}
} // namespace tomo::detail
