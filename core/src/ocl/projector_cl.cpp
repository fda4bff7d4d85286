#include "ocl/cl_runtime.h"
#include "ocl/compute_impl.h"
#include "project/projector_impl.h"
#include "project/siddon_setup.h"
#include "project/view_params.h"
#include "tomo/error.h"
#include "tomo/memory_plan.h"

#include <algorithm>
#include <array>
#include <memory>
#include <string>
#include <vector>

namespace tomo::detail
{
namespace
{
// Host launchers for kernels/project_joseph_2d.cl, project_joseph_3d.cl and
// backproject_voxel_2d.cl. The Joseph transposes are scatters over rays (the forward loop with
// reads turned into additions): atomic on GPUs, into a volume copy per work-item on CPU devices
// (3D); the voxel-driven backprojection is a gather.
// forward() and backAccumulate() split their views and the volume by the memory plan
// (tomo/memory_plan.h): each device call (forwardOnDevice, backOnDevice) works on one z-slab of
// the volume and one batch of views, so the device never holds more than one slab and one batch
// (DESIGN.md §5). A batch is freed on return; forward()'s volume, when it fits whole, is copied
// to the device once per call, or once per hold (Projector::hold) for the calls made while the
// hold lives, and backAccumulate() frees a held copy before it uploads its own. Every operator here
// is a sum over voxels whose terms depend only on each voxel's position, so a slab is projected as
// a volume of its own (voxels outside it count as zero) and the slabs' projections add up to the
// whole volume's.
/// A volume's copy in device memory, in the layout a forward kernel reads: the volume as it is,
/// or z-fastest columns with zero borders (zColumns) for the Joseph kernel of CPU devices.
struct DeviceVolume
{
    enum class Layout
    {
        Plain,
        ZColumns,
    };
    const float* source = nullptr; ///< the host data it was copied from
    std::array<std::size_t, 3> size{};
    Layout layout = Layout::Plain;
    ocl::Buffer<float> buffer; ///< empty until first needed
};

/// What a hold (Projector::hold) keeps: the held volume and, once a forward() call has made it,
/// its copy on the device.
struct HeldVolume
{
    const Volume* volume = nullptr;
    DeviceVolume copy;
};

class OpenClHold final : public VolumeHold
{
public:
    explicit OpenClHold(std::shared_ptr<HeldVolume> held) : m_held(std::move(held)) {}

private:
    std::shared_ptr<HeldVolume> m_held;
};

class OpenClProjector final : public Projector
{
public:
    OpenClProjector(ProjectorModel model, ocl::Runtime& runtime, DeviceInfo device,
                    OpenClKernels kernels)
        : m_model(model), m_runtime(runtime), m_device(std::move(device)),
          m_explicitVectors(kernels == OpenClKernels::ExplicitVectors ||
                            (kernels == OpenClKernels::ForDevice && m_device.type == "CPU"))
    {}

    [[nodiscard]] ProjectorModel model() const override { return m_model; }
    [[nodiscard]] Backend backend() const override { return Backend::OpenCL; }
    [[nodiscard]] bool isMatched() const override { return m_model != ProjectorModel::VoxelDriven; }
    [[nodiscard]] bool hasForward() const override
    {
        return m_model != ProjectorModel::VoxelDriven;
    }

    void forward(const Volume& volume, ProjectionStack& out, std::size_t firstView,
                 std::size_t count) const override
    {
        if (m_model == ProjectorModel::VoxelDriven) {
            throwInvalid("projector", "\"voxel-driven\"",
                         "the voxel-driven model only backprojects; forward project with "
                         "\"joseph\" or \"siddon\"");
        }
        checkViewRange(firstView, count, out.views());
        if (count == 0) {
            return;
        }
        checkProjectable(out.geometry(), volume.grid());
        const MemoryPlan plan =
            planFor(residentGrid(volume.grid(), out.geometry()), out.pixelsPerView(), count);
        const std::size_t pixels = out.pixelsPerView();
        // The volume's device copy: the hold's where `volume` is held, else this call's own,
        // shared by its batches.
        const std::shared_ptr<HeldVolume> held = m_held.lock();
        DeviceVolume own;
        DeviceVolume& copy = held && held->volume == &volume ? held->copy : own;
        if (plan.slabs > 1) {
            copy.buffer = {}; // the slabs take its place
        }
        std::vector<float> sum;
        for (std::size_t first = firstView; first < firstView + count; first += plan.batchViews) {
            const std::size_t views = std::min(plan.batchViews, firstView + count - first);
            if (plan.slabs == 1) {
                forwardOnDevice(volume, out, first, views, copy);
                continue;
            }
            sum.assign(views * pixels, 0.0f);
            for (std::size_t z = 0; z < volume.grid().size()[2]; z += plan.slabSlices) {
                const Volume slab = slabOf(volume, z, plan.slabSlices);
                DeviceVolume slabCopy;
                forwardOnDevice(slab, out, first, views, slabCopy);
                const float* part = out.view(first).data();
                for (std::size_t i = 0; i < sum.size(); ++i) {
                    sum[i] += part[i];
                }
            }
            std::copy(sum.begin(), sum.end(), out.view(first).data());
        }
    }

    void backAccumulate(const ProjectionStack& projections, std::size_t firstView,
                        std::size_t count, float weight, Volume& volume) const override
    {
        checkViewRange(firstView, count, projections.views());
        if (count == 0) {
            return;
        }
        checkProjectable(projections.geometry(), volume.grid());
        if (const std::shared_ptr<HeldVolume> held = m_held.lock()) {
            held->copy.buffer = {}; // one volume on the device at a time
        }
        const MemoryPlan plan = planFor(residentBackGrid(volume.grid(), projections.geometry()),
                                        residentPixelsPerView(projections), count);
        auto allBatches = [&](Volume& target) {
            for (std::size_t first = firstView; first < firstView + count;
                 first += plan.batchViews) {
                const std::size_t views = std::min(plan.batchViews, firstView + count - first);
                backOnDevice(projections, first, views, weight, target);
            }
        };
        if (plan.slabs == 1) {
            allBatches(volume);
            return;
        }
        const auto size = volume.grid().size();
        for (std::size_t z = 0; z < size[2]; z += plan.slabSlices) {
            Volume slab = slabOf(volume, z, plan.slabSlices);
            allBatches(slab);
            std::copy(slab.data().begin(), slab.data().end(),
                      volume.data().begin() + static_cast<std::ptrdiff_t>(z * size[0] * size[1]));
        }
    }

    [[nodiscard]] std::unique_ptr<VolumeHold> hold(const Volume& volume) const override
    {
        auto held = std::make_shared<HeldVolume>();
        held->volume = &volume;
        m_held = held;
        return std::make_unique<OpenClHold>(std::move(held));
    }

private:
    /// `volume` on the device in `layout`: the copy `copy` holds when it was made from the same
    /// data in the same layout, else a new one, which `copy` then holds.
    const ocl::Buffer<float>& resident(const Volume& volume, DeviceVolume::Layout layout,
                                       DeviceVolume& copy) const
    {
        const float* source = volume.data().data();
        const auto size = volume.grid().size();
        if (copy.buffer.get() != nullptr && copy.source == source && copy.size == size &&
            copy.layout == layout) {
            return copy.buffer;
        }
        copy.buffer = {}; // the old copy goes before the new one comes
        if (layout == DeviceVolume::Layout::ZColumns) {
            std::size_t count = 0;
            const auto columns = zColumns(volume, count);
            copy.buffer = m_runtime.upload(columns.get(), count, CL_MEM_READ_ONLY);
        } else {
            copy.buffer = m_runtime.upload(source, volume.data().size(), CL_MEM_READ_ONLY);
        }
        copy.source = source;
        copy.size = size;
        copy.layout = layout;
        return copy.buffer;
    }

    [[nodiscard]] MemoryPlan planFor(const VolumeGrid& grid, std::size_t pixelsPerView,
                                     std::size_t views) const
    {
        return planMemory(grid, pixelsPerView, views, views, deviceMemoryBudget(m_device),
                          m_device.maxAllocationBytes, m_device.label());
    }

    /// Floats per view a batch holds on the device while backprojecting: the voxel-driven
    /// kernels of flat detectors read zero-bordered copies, larger than the views.
    [[nodiscard]] std::size_t residentPixelsPerView(const ProjectionStack& projections) const
    {
        const std::size_t nu = projections.columns();
        const std::size_t nv = projections.rows();
        if (m_model != ProjectorModel::VoxelDriven ||
            projections.geometry().detector().shape != DetectorShape::Flat) {
            return projections.pixelsPerView();
        }
        if (is2D(projections.geometry().beam())) {
            return m_explicitVectors ? nu + 1 + kRowPadAfter : nu;
        }
        return m_explicitVectors ? (nu + kColumnsAround) * (nv + 1 + kColumnPadAfter)
                                 : (nu + kPadExtra) * (nv + kPadExtra);
    }

    /// The grid whose size a slab takes on the device while projecting forward: the Joseph
    /// kernel of CPU devices reads a z-fastest copy with a zero border (zColumns).
    [[nodiscard]] VolumeGrid residentGrid(const VolumeGrid& grid, const Geometry& geometry) const
    {
        if (!m_explicitVectors || m_model != ProjectorModel::Joseph || is2D(geometry.beam())) {
            return grid;
        }
        const auto n = grid.size();
        return VolumeGrid::centred(
            {n[0] + kColumnsAround, n[1] + kColumnsAround, n[2] + 1 + kZColumnPadAfter},
            grid.spacing());
    }

    /// The grid whose size a slab takes on the device while backprojecting: the Joseph
    /// transpose of CPU devices adds into josephParts() z-fastest copies with zero borders
    /// besides the slab itself.
    [[nodiscard]] VolumeGrid residentBackGrid(const VolumeGrid& grid,
                                              const Geometry& geometry) const
    {
        if (!m_explicitVectors || m_model != ProjectorModel::Joseph || is2D(geometry.beam())) {
            return grid;
        }
        const auto n = grid.size();
        return VolumeGrid::centred({n[0] + kColumnsAround,
                                    (josephParts() + 1) * (n[1] + kColumnsAround),
                                    n[2] + 1 + kZColumnPadAfter},
                                   grid.spacing());
    }

    /// Copies of the volume backproject_joseph_3d_columns adds into: one per compute unit, so
    /// that each of the device's worker threads has one of its own, at most kMaxJosephParts.
    [[nodiscard]] std::size_t josephParts() const
    {
        return std::clamp<std::size_t>(m_device.computeUnits, 1, kMaxJosephParts);
    }

    /// The volume as project_joseph_3d_columns reads it: z-fastest columns with one zero before
    /// and kZColumnPadAfter after, and one column of zeros before and two after in x and y.
    static std::unique_ptr<float[]> zColumns(const Volume& volume, std::size_t& count)
    {
        const auto n = volume.grid().size();
        const std::size_t pitch = n[2] + 1 + kZColumnPadAfter;
        const std::size_t columnsX = n[0] + kColumnsAround;
        const std::size_t columnsY = n[1] + kColumnsAround;
        count = columnsX * columnsY * pitch;
        auto out = std::make_unique_for_overwrite<float[]>(count);
        float* base = out.get();
        const float* data = volume.data().data();
        const auto rowsY = static_cast<std::ptrdiff_t>(columnsY);
#pragma omp parallel for schedule(static)
        for (std::ptrdiff_t row = 0; row < rowsY; ++row) {
            const auto cy = static_cast<std::size_t>(row);
            for (std::size_t cx = 0; cx < columnsX; ++cx) {
                float* column = base + (cy * columnsX + cx) * pitch;
                if (cx == 0 || cy == 0 || cx > n[0] || cy > n[1]) {
                    std::fill(column, column + pitch, 0.0f);
                    continue;
                }
                const float* from = data + (cy - 1) * n[0] + (cx - 1);
                column[0] = 0.0f;
                for (std::size_t z = 0; z < n[2]; ++z) {
                    column[z + 1] = from[z * n[0] * n[1]];
                }
                std::fill(column + n[2] + 1, column + pitch, 0.0f);
            }
        }
        return out;
    }

    /// z-slices [z, z + slices) of `volume` (fewer at the end) as a volume of their own, placed
    /// where they are in the scanner.
    static Volume slabOf(const Volume& volume, std::size_t z, std::size_t slices)
    {
        const VolumeGrid& grid = volume.grid();
        const auto size = grid.size();
        const std::size_t nz = std::min(slices, size[2] - z);
        const auto& dir = grid.direction();
        const double dz = static_cast<double>(z) * grid.spacing()[2];
        const Vec3 origin = grid.origin() + Vec3{dir[2] * dz, dir[5] * dz, dir[8] * dz};
        const VolumeGrid part =
            VolumeGrid::make({size[0], size[1], nz}, grid.spacing(), origin, dir);
        const auto begin =
            volume.data().begin() + static_cast<std::ptrdiff_t>(z * size[0] * size[1]);
        return Volume::fromData(
            part,
            std::vector<float>(begin, begin + static_cast<std::ptrdiff_t>(nz * size[0] * size[1])));
    }

    /// Views [first, first + count) with the zero border backproject_voxel_3d.cl reads:
    /// one pixel before and kPadExtra - 1 after every row and column.
    static std::vector<float> padViews(const ProjectionStack& projections, std::size_t first,
                                       std::size_t count)
    {
        const std::size_t nu = projections.columns();
        const std::size_t nv = projections.rows();
        const std::size_t width = nu + kPadExtra;
        const std::size_t pixels = width * (nv + kPadExtra);
        std::vector<float> padded(count * pixels, 0.0f);
        for (std::size_t view = 0; view < count; ++view) {
            const float* from = projections.view(first + view).data();
            for (std::size_t v = 0; v < nv; ++v) {
                std::copy(from + v * nu, from + (v + 1) * nu,
                          padded.begin() +
                              static_cast<std::ptrdiff_t>(view * pixels + (v + 1) * width + 1));
            }
        }
        return padded;
    }

    /// The rows of views [first, first + count) (2D) with the zero border
    /// backproject_voxel_2d_rows reads: one zero before each and kRowPadAfter after.
    static std::vector<float> paddedRows(const ProjectionStack& projections, std::size_t first,
                                         std::size_t count)
    {
        const std::size_t nu = projections.columns();
        const std::size_t width = nu + 1 + kRowPadAfter;
        std::vector<float> rows(count * width, 0.0f);
        for (std::size_t view = 0; view < count; ++view) {
            const float* from = projections.view(first + view).data();
            std::copy(from, from + nu,
                      rows.begin() + static_cast<std::ptrdiff_t>(view * width + 1));
        }
        return rows;
    }

    /// Views [first, first + count) in the layout backproject_voxel_3d_columns reads: each
    /// detector column v-fastest, one zero before it and kColumnPadAfter after, one column of
    /// zeros before and two after each view, and one more column of zeros before the first view:
    /// count * residentPixelsPerView + nv + 1 + kColumnPadAfter floats.
    static std::unique_ptr<float[]> columnViews(const ProjectionStack& projections,
                                                std::size_t first, std::size_t count)
    {
        const std::size_t nu = projections.columns();
        const std::size_t nv = projections.rows();
        const std::size_t height = nv + 1 + kColumnPadAfter;
        const std::size_t pixels = height * (nu + kColumnsAround);
        auto out = std::make_unique_for_overwrite<float[]>(height + count * pixels);
        std::fill(out.get(), out.get() + height, 0.0f);
        float* base = out.get() + height;
        const auto views = static_cast<std::ptrdiff_t>(count);
#pragma omp parallel for schedule(static)
        for (std::ptrdiff_t t = 0; t < views; ++t) {
            const float* from = projections.view(first + static_cast<std::size_t>(t)).data();
            float* view = base + static_cast<std::size_t>(t) * pixels;
            std::fill(view, view + height, 0.0f);
            std::fill(view + (nu + 1) * height, view + pixels, 0.0f);
            for (std::size_t u = 0; u < nu; ++u) {
                float* column = view + (u + 1) * height;
                column[0] = 0.0f;
                for (std::size_t v = 0; v < nv; ++v) {
                    column[v + 1] = from[v * nu + u];
                }
                std::fill(column + nv + 1, column + height, 0.0f);
            }
        }
        return out;
    }

    void forwardOnDevice(const Volume& volume, ProjectionStack& out, std::size_t firstView,
                         std::size_t count, DeviceVolume& copy) const
    {
        if (m_model == ProjectorModel::Siddon) {
            siddon(volume, out, firstView, count, copy);
            return;
        }
        if (!is2D(out.geometry().beam())) {
            forward3D(volume, out, firstView, count, copy);
            return;
        }
        const Setup2D s = makeSetup2D(out.geometry(), volume.grid());
        checkViewRange(firstView, count, out.views());
        if (count == 0) {
            return;
        }
        const auto params = makeViewParams2D(out.geometry(), firstView, count);
        const auto& vol = resident(volume, DeviceVolume::Layout::Plain, copy);
        auto views = m_runtime.upload(reinterpret_cast<const float*>(params.data()),
                                      params.size() * kViewParamFloats, CL_MEM_READ_ONLY);
        const std::size_t pixels = count * static_cast<std::size_t>(s.nu);
        auto proj = m_runtime.allocate<float>(pixels, CL_MEM_WRITE_ONLY);
        constexpr const char* kEntry = "project_joseph_2d";
        auto kernel = m_runtime.kernel("project_joseph_2d", kEntry, options(s));
        ocl::setArgs(kernel.get(), kEntry, vol.get(), proj.get(), views.get(), s.nx, s.ny,
                     s.originX, s.originY, s.spacingX, s.spacingY, s.nu, s.pixelU, s.centreColumn,
                     s.radius);
        m_runtime.launch(kernel.get(), kEntry, static_cast<std::size_t>(s.nu), count);
        m_runtime.download(proj, out.view(firstView).data(), pixels);
    }

    void backOnDevice(const ProjectionStack& projections, std::size_t firstView, std::size_t count,
                      float weight, Volume& volume) const
    {
        if (m_model == ProjectorModel::Siddon) {
            siddonTranspose(projections, firstView, count, weight, volume);
            return;
        }
        if (!is2D(projections.geometry().beam())) {
            back3D(projections, firstView, count, weight, volume);
            return;
        }
        const Setup2D s = makeSetup2D(projections.geometry(), volume.grid());
        checkViewRange(firstView, count, projections.views());
        if (count == 0) {
            return;
        }
        const auto params = makeViewParams2D(projections.geometry(), firstView, count);
        const std::size_t pixels = count * static_cast<std::size_t>(s.nu);
        auto proj = m_runtime.upload(projections.view(firstView).data(), pixels, CL_MEM_READ_ONLY);
        auto views = m_runtime.upload(reinterpret_cast<const float*>(params.data()),
                                      params.size() * kViewParamFloats, CL_MEM_READ_ONLY);
        auto vol = m_runtime.upload(volume.data().data(), volume.data().size(), CL_MEM_READ_WRITE);
        if (m_model == ProjectorModel::Joseph) {
            // A scatter: one work-item per ray, atomic additions into the volume.
            constexpr const char* kEntry = "backproject_joseph_2d";
            auto kernel = m_runtime.kernel("project_joseph_2d", kEntry, options(s));
            ocl::setArgs(kernel.get(), kEntry, vol.get(), proj.get(), views.get(), s.nx, s.ny,
                         s.originX, s.originY, s.spacingX, s.spacingY, s.nu, s.pixelU,
                         s.centreColumn, s.radius, weight);
            m_runtime.launch(kernel.get(), kEntry, static_cast<std::size_t>(s.nu), count);
        } else if (m_explicitVectors && !(s.radius > 0.0f)) {
            // A gather for CPU devices on a flat detector: one work-item per segment of a grid
            // row, explicit vectors, reading zero-bordered rows.
            constexpr const char* kEntry = "backproject_voxel_2d_rows";
            const std::vector<float> rows = paddedRows(projections, firstView, count);
            auto rowBuffer = m_runtime.upload(rows.data(), rows.size(), CL_MEM_READ_ONLY);
            auto kernel = m_runtime.kernel("backproject_voxel_2d", kEntry, options(s));
            const int viewCount = static_cast<int>(count);
            ocl::setArgs(kernel.get(), kEntry, vol.get(), rowBuffer.get(), views.get(), viewCount,
                         s.nx, s.ny, s.originX, s.originY, s.spacingX, s.spacingY, s.nu, s.pixelU,
                         s.centreColumn, weight);
            const auto nx = static_cast<std::size_t>(s.nx);
            m_runtime.launch(
                kernel.get(), kEntry,
                {(nx + kRowVoxels - 1) / kRowVoxels, static_cast<std::size_t>(s.ny), 1},
                {kRowGroup, 1, 1});
        } else {
            // A gather: one work-item per voxel.
            constexpr const char* kEntry = "backproject_voxel_2d";
            auto kernel = m_runtime.kernel(kEntry, kEntry, options(s));
            const int viewCount = static_cast<int>(count);
            ocl::setArgs(kernel.get(), kEntry, vol.get(), proj.get(), views.get(), viewCount, s.nx,
                         s.ny, s.originX, s.originY, s.spacingX, s.spacingY, s.nu, s.pixelU,
                         s.centreColumn, s.radius, weight);
            m_runtime.launch(kernel.get(), kEntry, static_cast<std::size_t>(s.nx),
                             static_cast<std::size_t>(s.ny));
        }
        m_runtime.download(vol, volume.data().data(), volume.data().size());
    }

    template <class Setup> static std::string options(const Setup& s)
    {
        return std::string("-DTOMO_PARALLEL=") + (s.parallel ? "1" : "0");
    }

    void forward3D(const Volume& volume, ProjectionStack& out, std::size_t firstView,
                   std::size_t count, DeviceVolume& copy) const
    {
        const Setup3D s = makeSetup3D(out.geometry(), volume.grid());
        checkViewRange(firstView, count, out.views());
        if (count == 0) {
            return;
        }
        const std::vector<float> params = makeViewParams3D(out.geometry(), firstView, count);
        auto views = m_runtime.upload(params.data(), params.size(), CL_MEM_READ_ONLY);
        const std::size_t pixels = count * out.pixelsPerView();
        auto proj = m_runtime.allocate<float>(pixels, CL_MEM_WRITE_ONLY);
        if (m_explicitVectors) {
            // CPU devices: eight rows of a detector column per work-item, explicit vectors.
            constexpr const char* kEntry = "project_joseph_3d_columns";
            const auto& columns = resident(volume, DeviceVolume::Layout::ZColumns, copy);
            auto kernel = m_runtime.kernel("project_joseph_3d", kEntry, options(s));
            ocl::setArgs(kernel.get(), kEntry, columns.get(), proj.get(), views.get(), s.n[0],
                         s.n[1], s.n[2], s.origin[0], s.origin[1], s.origin[2], s.spacing[0],
                         s.spacing[1], s.spacing[2], s.nu, s.nv, s.pixelU, s.pixelV, s.centreU,
                         s.centreV, s.radius);
            const auto nv = static_cast<std::size_t>(s.nv);
            // Small groups: PoCL keeps each work-item's private arrays (about 10 KB here) for
            // the whole group on its worker's stack, and a group it chose itself (32 x 1 x 90
            // at 64^3) overflowed it.
            m_runtime.launch(
                kernel.get(), kEntry,
                {static_cast<std::size_t>(s.nu), (nv + kRaysPerItem - 1) / kRaysPerItem, count},
                {kRayGroup, 1, 1});
            m_runtime.download(proj, out.view(firstView).data(), pixels);
            return;
        }
        const auto& vol = resident(volume, DeviceVolume::Layout::Plain, copy);
        constexpr const char* kEntry = "project_joseph_3d";
        auto kernel = m_runtime.kernel("project_joseph_3d", kEntry, options(s));
        ocl::setArgs(kernel.get(), kEntry, vol.get(), proj.get(), views.get(), s.n[0], s.n[1],
                     s.n[2], s.origin[0], s.origin[1], s.origin[2], s.spacing[0], s.spacing[1],
                     s.spacing[2], s.nu, s.nv, s.pixelU, s.pixelV, s.centreU, s.centreV, s.radius);
        m_runtime.launch(kernel.get(), kEntry, static_cast<std::size_t>(s.nu),
                         static_cast<std::size_t>(s.nv), count);
        m_runtime.download(proj, out.view(firstView).data(), pixels);
    }

    void back3D(const ProjectionStack& projections, std::size_t firstView, std::size_t count,
                float weight, Volume& volume) const
    {
        const Setup3D s = makeSetup3D(projections.geometry(), volume.grid());
        checkViewRange(firstView, count, projections.views());
        if (count == 0) {
            return;
        }
        const std::size_t pixels = count * projections.pixelsPerView();
        auto proj = m_runtime.upload(projections.view(firstView).data(), pixels, CL_MEM_READ_ONLY);
        auto vol = m_runtime.upload(volume.data().data(), volume.data().size(), CL_MEM_READ_WRITE);
        if (m_model == ProjectorModel::Joseph && m_explicitVectors) {
            // CPU devices: a work-item per compute unit, each adding into its own copy of the
            // volume, then the copies into the volume.
            const std::vector<float> params =
                makeViewParams3D(projections.geometry(), firstView, count);
            auto views = m_runtime.upload(params.data(), params.size(), CL_MEM_READ_ONLY);
            const std::size_t parts = josephParts();
            const auto n = volume.grid().size();
            const std::size_t copy =
                (n[0] + kColumnsAround) * (n[1] + kColumnsAround) * (n[2] + 1 + kZColumnPadAfter);
            auto partials = m_runtime.zeros<float>(parts * copy, CL_MEM_READ_WRITE);
            constexpr const char* kEntry = "backproject_joseph_3d_columns";
            auto kernel = m_runtime.kernel("project_joseph_3d", kEntry, options(s));
            const int viewCount = static_cast<int>(count);
            ocl::setArgs(kernel.get(), kEntry, partials.get(), proj.get(), views.get(), viewCount,
                         s.n[0], s.n[1], s.n[2], s.origin[0], s.origin[1], s.origin[2],
                         s.spacing[0], s.spacing[1], s.spacing[2], s.nu, s.nv, s.pixelU, s.pixelV,
                         s.centreU, s.centreV, s.radius, weight);
            // One work-item per group: the items' copies are theirs alone.
            m_runtime.launch(kernel.get(), kEntry, {parts, 1, 1}, {1, 1, 1});
            constexpr const char* kAdd = "joseph_partials_add";
            auto add = m_runtime.kernel("project_joseph_3d", kAdd, options(s));
            const int partCount = static_cast<int>(parts);
            ocl::setArgs(add.get(), kAdd, vol.get(), partials.get(), partCount, s.n[0], s.n[1],
                         s.n[2]);
            m_runtime.launch(add.get(), kAdd, n[0], n[1]);
        } else if (m_model == ProjectorModel::Joseph) {
            // A scatter: one work-item per ray, atomic additions into the volume.
            const std::vector<float> params =
                makeViewParams3D(projections.geometry(), firstView, count);
            auto views = m_runtime.upload(params.data(), params.size(), CL_MEM_READ_ONLY);
            constexpr const char* kEntry = "backproject_joseph_3d";
            auto kernel = m_runtime.kernel("project_joseph_3d", kEntry, options(s));
            ocl::setArgs(kernel.get(), kEntry, vol.get(), proj.get(), views.get(), s.n[0], s.n[1],
                         s.n[2], s.origin[0], s.origin[1], s.origin[2], s.spacing[0], s.spacing[1],
                         s.spacing[2], s.nu, s.nv, s.pixelU, s.pixelV, s.centreU, s.centreV,
                         s.radius, weight);
            m_runtime.launch(kernel.get(), kEntry, static_cast<std::size_t>(s.nu),
                             static_cast<std::size_t>(s.nv), count);
        } else if (s.radius > 0.0f) {
            // A gather on a cylindrical detector: one work-item per voxel.
            const std::vector<float> params =
                makeViewParams3D(projections.geometry(), firstView, count);
            auto views = m_runtime.upload(params.data(), params.size(), CL_MEM_READ_ONLY);
            constexpr const char* kEntry = "backproject_voxel_3d_curved";
            auto kernel = m_runtime.kernel("backproject_voxel_3d", kEntry, "");
            const int viewCount = static_cast<int>(count);
            const int parallel = s.parallel ? 1 : 0;
            ocl::setArgs(kernel.get(), kEntry, vol.get(), proj.get(), views.get(), viewCount,
                         s.n[0], s.n[1], s.n[2], s.origin[0], s.origin[1], s.origin[2],
                         s.spacing[0], s.spacing[1], s.spacing[2], s.nu, s.nv, s.pixelU, s.pixelV,
                         s.centreU, s.centreV, s.radius, parallel, weight);
            m_runtime.launch(kernel.get(), kEntry, static_cast<std::size_t>(s.n[0]),
                             static_cast<std::size_t>(s.n[1]), static_cast<std::size_t>(s.n[2]));
        } else if (m_explicitVectors) {
            // A gather for CPU devices: one work-item per voxel column, explicit vectors.
            constexpr const char* kEntry = "backproject_voxel_3d_columns";
            const std::size_t resident = count * residentPixelsPerView(projections) +
                                         (projections.rows() + 1 + kColumnPadAfter);
            const auto columns = columnViews(projections, firstView, count);
            auto columnBuffer = m_runtime.upload(columns.get(), resident, CL_MEM_READ_ONLY);
            const std::vector<float> matrices =
                makeProjectionMatrices(projections.geometry(), firstView, count);
            auto matrixBuffer =
                m_runtime.upload(matrices.data(), matrices.size(), CL_MEM_READ_ONLY);
            auto kernel = m_runtime.kernel("backproject_voxel_3d", kEntry, "");
            const int viewCount = static_cast<int>(count);
            ocl::setArgs(kernel.get(), kEntry, vol.get(), columnBuffer.get(), matrixBuffer.get(),
                         viewCount, s.n[0], s.n[1], s.n[2], s.origin[0], s.origin[1], s.origin[2],
                         s.spacing[0], s.spacing[1], s.spacing[2], s.nu, s.nv, weight);
            const auto nz = static_cast<std::size_t>(s.n[2]);
            m_runtime.launch(kernel.get(), kEntry,
                             {static_cast<std::size_t>(s.n[0]), static_cast<std::size_t>(s.n[1]),
                              (nz + kColumnVoxels - 1) / kColumnVoxels},
                             {kColumnGroup, kColumnGroup, 1});
        } else {
            // A gather: one work-item per voxel, reading zero-bordered projections.
            constexpr const char* kEntry = "backproject_voxel_3d";
            const std::vector<float> padded = padViews(projections, firstView, count);
            auto paddedBuffer = m_runtime.upload(padded.data(), padded.size(), CL_MEM_READ_ONLY);
            const std::vector<float> matrices =
                makeProjectionMatrices(projections.geometry(), firstView, count);
            auto matrixBuffer =
                m_runtime.upload(matrices.data(), matrices.size(), CL_MEM_READ_ONLY);
            auto kernel = m_runtime.kernel(kEntry, kEntry, "");
            const int viewCount = static_cast<int>(count);
            ocl::setArgs(kernel.get(), kEntry, vol.get(), paddedBuffer.get(), matrixBuffer.get(),
                         viewCount, s.n[0], s.n[1], s.n[2], s.origin[0], s.origin[1], s.origin[2],
                         s.spacing[0], s.spacing[1], s.spacing[2], s.nu, s.nv, weight);
            m_runtime.launch(kernel.get(), kEntry, static_cast<std::size_t>(s.n[0]),
                             static_cast<std::size_t>(s.n[1]), static_cast<std::size_t>(s.n[2]));
        }
        m_runtime.download(vol, volume.data().data(), volume.data().size());
    }

    // Sets the arguments the two Siddon kernels share, from index `first` on.
    static void setSiddonArgs(cl_kernel kernel, const char* name, cl_uint first,
                              const SiddonSetup& s)
    {
        cl_uint index = first;
        auto arg = [&](const auto& value) {
            TOMO_CL_CHECK_IN(clSetKernelArg(kernel, index, sizeof(value), &value), name);
            ++index;
        };
        arg(s.dims);
        for (int a = 0; a < 3; ++a) {
            arg(s.n[a]);
        }
        for (int a = 0; a < 3; ++a) {
            arg(s.origin[a]);
        }
        for (int a = 0; a < 3; ++a) {
            arg(s.spacing[a]);
        }
        arg(s.nu);
        arg(s.nv);
        arg(s.pixelU);
        arg(s.pixelV);
        arg(s.centreU);
        arg(s.centreV);
        arg(s.radius);
    }

    void siddon(const Volume& volume, ProjectionStack& out, std::size_t firstView,
                std::size_t count, DeviceVolume& copy) const
    {
        checkViewRange(firstView, count, out.views());
        const SiddonSetup s = makeSiddonSetup(out.geometry(), volume.grid(), firstView, count);
        if (count == 0) {
            return;
        }
        const auto& vol = resident(volume, DeviceVolume::Layout::Plain, copy);
        auto views = m_runtime.upload(s.params.data(), s.params.size(), CL_MEM_READ_ONLY);
        const std::size_t pixels = count * out.pixelsPerView();
        auto proj = m_runtime.allocate<float>(pixels, CL_MEM_WRITE_ONLY);
        constexpr const char* kEntry = "project_siddon";
        auto kernel = m_runtime.kernel("project_siddon", kEntry, options(s));
        ocl::setArgs(kernel.get(), kEntry, vol.get(), proj.get(), views.get());
        setSiddonArgs(kernel.get(), kEntry, 3, s);
        m_runtime.launch(kernel.get(), kEntry, static_cast<std::size_t>(s.nu),
                         static_cast<std::size_t>(s.nv), count);
        m_runtime.download(proj, out.view(firstView).data(), pixels);
    }

    void siddonTranspose(const ProjectionStack& projections, std::size_t firstView,
                         std::size_t count, float weight, Volume& volume) const
    {
        checkViewRange(firstView, count, projections.views());
        const SiddonSetup s =
            makeSiddonSetup(projections.geometry(), volume.grid(), firstView, count);
        if (count == 0) {
            return;
        }
        const std::size_t pixels = count * projections.pixelsPerView();
        auto proj = m_runtime.upload(projections.view(firstView).data(), pixels, CL_MEM_READ_ONLY);
        auto views = m_runtime.upload(s.params.data(), s.params.size(), CL_MEM_READ_ONLY);
        auto vol = m_runtime.upload(volume.data().data(), volume.data().size(), CL_MEM_READ_WRITE);
        constexpr const char* kEntry = "backproject_siddon";
        auto kernel = m_runtime.kernel("project_siddon", kEntry, options(s));
        ocl::setArgs(kernel.get(), kEntry, vol.get(), proj.get(), views.get());
        setSiddonArgs(kernel.get(), kEntry, 3, s);
        TOMO_CL_CHECK_IN(clSetKernelArg(kernel.get(), 20, sizeof(weight), &weight), kEntry);
        m_runtime.launch(kernel.get(), kEntry, static_cast<std::size_t>(s.nu),
                         static_cast<std::size_t>(s.nv), count);
        m_runtime.download(vol, volume.data().data(), volume.data().size());
    }

    // Layouts and launch shapes the kernels for CPU devices assume (OpenClKernels).
    static constexpr std::size_t kPadExtra = 3;          // TOMO_PAD_EXTRA
    static constexpr std::size_t kColumnPadAfter = 25;   // TOMO_COLUMN_PAD_AFTER
    static constexpr std::size_t kColumnsAround = 3;     // one zero column before, two after
    static constexpr std::size_t kColumnVoxels = 8 * 32; // 8 * TOMO_COLUMN_BLOCKS
    static constexpr std::size_t kColumnGroup = 8;       // 8 x 8 columns share a view chunk
    static constexpr std::size_t kRowPadAfter = 24;      // TOMO_ROW_PAD_AFTER
    static constexpr std::size_t kZColumnPadAfter = 24;  // TOMO_ZCOLUMN_PAD_AFTER
    static constexpr std::size_t kRaysPerItem = 8 * 32;  // 8 * TOMO_RAY_BLOCKS
    static constexpr std::size_t kRayGroup = 8;          // detector columns per group
    static constexpr std::size_t kMaxJosephParts = 16;   // volume copies of the transpose
    static constexpr std::size_t kRowVoxels = 8 * 8;     // 8 * TOMO_ROW_BLOCKS
    static constexpr std::size_t kRowGroup = 8;          // row segments sharing a view chunk

    ProjectorModel m_model;
    ocl::Runtime& m_runtime;
    DeviceInfo m_device;
    bool m_explicitVectors; ///< the explicit-vector kernels for CPU devices (OpenClKernels)
    /// The latest hold (hold()); the ComputeContext's one thread at a time reads and sets it.
    mutable std::weak_ptr<HeldVolume> m_held;
};
} // namespace

std::unique_ptr<Projector> makeOpenClProjector(ProjectorModel model, ComputeContext& compute,
                                               OpenClKernels kernels)
{
    if (compute.impl().runtime == nullptr) {
        throw DeviceError("the compute context \"" + compute.device().id +
                          "\" has no OpenCL runtime");
    }
    return std::make_unique<OpenClProjector>(model, *compute.impl().runtime, compute.device(),
                                             kernels);
}
} // namespace tomo::detail
