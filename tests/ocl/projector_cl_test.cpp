#include "common/test_support.h"
#include "ocl/cl_runtime.h"
#include "ocl/compute_impl.h"
#include "ocl_fixture.h"
#include "project/projector_impl.h"
#include "tomo/memory_plan.h"
#include "tomo/phantom.h"
#include "tomo/pipeline.h"
#include "tomo/projector.h"
#include "tomo/scene.h"
#include "tomo/trajectory.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <tuple>

namespace tomo
{
namespace
{
// Both backends evaluate the same float formulas (kernels/common/ray_geometry.cl); they differ
// only by fused multiply-adds the OpenCL compiler may form and by summation order. Measured
// max difference ~1e-6 of the peak; 1e-4 of the peak flags any real divergence.
constexpr double kAgreementOfPeak = 1e-4;
constexpr double kAdjointTolerance = 1e-4; // see projector_cpu_test.cpp
// The FBP result on OpenCL must reach the same bar as on the CPU (fbp_test.cpp).
constexpr double kMinSheppLoganPsnrDb = 32.0;
constexpr double kMinSheppLoganPsnrDbSmall = 24.0;

struct Comparison
{
    double maxAbs = 0.0;
    double meanAbs = 0.0;
    double peak = 0.0;
};

Comparison compare(std::span<const float> a, std::span<const float> b)
{
    Comparison c;
    for (std::size_t i = 0; i < a.size(); ++i) {
        const double d = std::abs(static_cast<double>(a[i]) - b[i]);
        c.maxAbs = std::max(c.maxAbs, d);
        c.meanAbs += d;
        c.peak = std::max(c.peak, std::abs(static_cast<double>(b[i])));
    }
    c.meanAbs /= static_cast<double>(a.size());
    return c;
}

class OpenClProjector : public test::OpenClTest, public ::testing::WithParamInterface<BeamType>
{};

TEST_P(OpenClProjector, ForwardAgreesWithTheCpuReference)
{
    const Geometry g = test::circular2D(GetParam(), 60, 150, 0.8, 2.0 * std::numbers::pi);
    const VolumeGrid grid = VolumeGrid::centred({96, 90, 1}, {1.1, 1.2, 1.0});
    const Volume object = rasterise(sheppLogan2D(SheppLoganVariant::Modified, 50.0, 0.02), grid, 2);
    auto cpu = ComputeContext::create("cpu");
    NullRunContext ctx;
    const auto pc = makeProjector(ProjectorModel::Joseph, *cpu);
    const auto pcl = makeProjector(ProjectorModel::Joseph, *m_compute);
    const ProjectionStack a = forwardProject(*pc, object, g, ctx, 16);
    const ProjectionStack b = forwardProject(*pcl, object, g, ctx, 16);
    const Comparison c = compare(b.data(), a.data());
    EXPECT_GT(c.peak, 0.0);
    EXPECT_LT(c.maxAbs, kAgreementOfPeak * c.peak)
        << "max " << c.maxAbs << ", mean " << c.meanAbs << ", peak " << c.peak;
}

// The voxel-driven cases run through both kernels (detail::OpenClKernels). Detector columns
// of 0.9 mm step about 1.1 columns per voxel in parallel beams (the row kernel's window) and
// about 2.2 in the fan beam (more than the window reaches: each lane reads its own); columns of
// 2 mm put the fan beam in the window too. 70 voxels per grid row leave a partial segment.
TEST_P(OpenClProjector, BackprojectorsAgreeWithTheCpuReference)
{
    const VolumeGrid grid = VolumeGrid::centred({70, 64, 1}, {1.0, 1.1, 1.0});
    auto cpu = ComputeContext::create("cpu");
    for (const auto& [columns, pixel] : {std::pair{120, 0.9}, std::pair{60, 2.0}}) {
        const Geometry g = test::circular2D(GetParam(), 50, columns, pixel, 2.0 * std::numbers::pi);
        ProjectionStack p = ProjectionStack::zeros(g);
        test::fillRandom(p.data(), 7);
        const std::string detector =
            std::to_string(columns) + " columns of " + std::to_string(pixel) + " mm";
        Volume joseph = Volume::zeros(grid);
        Volume josephCl = Volume::zeros(grid);
        makeProjector(ProjectorModel::Joseph, *cpu)->backAccumulate(p, 0, 50, 0.5f, joseph);
        makeProjector(ProjectorModel::Joseph, *m_compute)->backAccumulate(p, 0, 50, 0.5f, josephCl);
        const Comparison j = compare(josephCl.data(), joseph.data());
        EXPECT_LT(j.maxAbs, kAgreementOfPeak * j.peak)
            << "joseph, " << detector << ": max " << j.maxAbs << ", peak " << j.peak;
        Volume voxel = Volume::zeros(grid);
        makeProjector(ProjectorModel::VoxelDriven, *cpu)->backAccumulate(p, 0, 50, 0.5f, voxel);
        for (const auto kernel :
             {detail::OpenClKernels::ExplicitVectors, detail::OpenClKernels::PerItem}) {
            Volume b = Volume::zeros(grid);
            detail::makeOpenClProjector(ProjectorModel::VoxelDriven, *m_compute, kernel)
                ->backAccumulate(p, 0, 50, 0.5f, b);
            const Comparison c = compare(b.data(), voxel.data());
            EXPECT_GT(c.peak, 0.0);
            EXPECT_LT(c.maxAbs, kAgreementOfPeak * c.peak)
                << "voxel-driven, " << detector
                << (kernel == detail::OpenClKernels::ExplicitVectors ? ", row kernel"
                                                                     : ", per-voxel kernel")
                << ": max " << c.maxAbs << ", mean " << c.meanAbs << ", peak " << c.peak;
        }
    }
}

TEST_P(OpenClProjector, BackIsTheExactTransposeOfForward)
{
    const Geometry g =
        test::circular2D(GetParam(), 41, 64, 1.0, 2.0 * std::numbers::pi, 60.0, 130.0);
    const VolumeGrid grid = VolumeGrid::centred({40, 44, 1}, {0.9, 0.8, 1.0});
    const auto projector = makeProjector(ProjectorModel::Joseph, *m_compute);
    Volume x = Volume::zeros(grid);
    test::fillRandom(x.data(), 3);
    ProjectionStack y = ProjectionStack::zeros(g);
    test::fillRandom(y.data(), 4);
    NullRunContext ctx;
    const double lhs = test::dotProduct(forwardProject(*projector, x, g, ctx, 16).data(), y.data());
    const double rhs = test::dotProduct(x.data(), backProject(*projector, y, grid, ctx, 16).data());
    EXPECT_NEAR(lhs / rhs, 1.0, kAdjointTolerance) << "<Ax,y> = " << lhs << ", <x,A'y> = " << rhs;
}

INSTANTIATE_TEST_SUITE_P(Beams, OpenClProjector,
                         ::testing::Values(BeamType::Parallel2D, BeamType::Fan2D),
                         [](const auto& p) { return std::string(toString(p.param)); });

class OpenClProjector3D : public test::OpenClTest, public ::testing::WithParamInterface<BeamType>
{
protected:
    Geometry geometry() const
    {
        TrajectorySpec t;
        t.views = 7;
        t.angularRange = 2.0 * std::numbers::pi;
        t.sourceIsocentre = 70.0;
        t.sourceDetector = 150.0;
        t.tilt.aboutV = 0.05;
        Detector d{.columns = 36, .rows = 28, .pixelU = 1.2, .pixelV = 1.1, .offsetU = 1.5};
        if (!isParallel(GetParam())) {
            // The cone case runs on a cylindrical detector, so its ray formula is covered too.
            d.shape = DetectorShape::Cylindrical;
            d.radius = t.sourceDetector;
        }
        return makeGeometry(GetParam(), d, t);
    }
    VolumeGrid grid() const { return VolumeGrid::centred({14, 16, 12}, {1.3, 1.1, 1.2}); }
};

// The forward projection runs through both kernel sets (detail::OpenClKernels), and each path of
// the explicit-vector kernel is met: geometry() (rows along z: the window path), a detector
// tilted about u (its rows' rays leave one vertical plane: each lane reads its own voxels), and
// rows of 5 mm seen from 70 mm through a grid 144 mm tall (rays up to 53 degrees from the plane,
// z-dominant in the outer rows, which still cross the grid: blocks walked ray by ray). The
// transpose's window sums (tomo_splat) meet each of their paths: lanes one position apart, in
// rising and in falling order, lanes in order with shared or skipped positions, and in no order.
TEST_P(OpenClProjector3D, ForwardAndTransposeAgreeWithTheCpuReference)
{
    TrajectorySpec t;
    t.views = 7;
    t.angularRange = 2.0 * std::numbers::pi;
    t.sourceIsocentre = 70.0;
    t.sourceDetector = 150.0;
    TrajectorySpec tilted = t;
    tilted.tilt.aboutU = 0.3;
    const Detector flat{.columns = 36, .rows = 28, .pixelU = 1.2, .pixelV = 1.1, .offsetU = 1.5};
    const Detector tall{.columns = 20, .rows = 80, .pixelU = 1.2, .pixelV = 5.0};
    const VolumeGrid tallGrid = VolumeGrid::centred({14, 16, 120}, {1.3, 1.1, 1.2});
    // Rows one voxel apart at the isocentre (exactly, in parallel beam): eight rows land on eight
    // consecutive z-slices, the transpose's shortest path; turned upside down, in falling order.
    const double magnification =
        isParallel(GetParam()) ? 1.0 : t.sourceDetector / t.sourceIsocentre;
    const Detector unit{.columns = 20, .rows = 32, .pixelU = 1.2, .pixelV = 1.0 * magnification};
    TrajectorySpec upsideDown = t;
    upsideDown.tilt.inPlane = std::numbers::pi;
    const VolumeGrid unitGrid = VolumeGrid::centred({14, 16, 40}, {1.3, 1.1, 1.0});
    const std::vector<std::tuple<std::string, Geometry, VolumeGrid>> cases = {
        {"rows along z", geometry(), grid()},
        {"tilted about u", makeGeometry(GetParam(), flat, tilted), grid()},
        {"steep rays", makeGeometry(GetParam(), tall, t), tallGrid},
        {"rows one voxel apart", makeGeometry(GetParam(), unit, t), unitGrid},
        {"rows one voxel apart, upside down", makeGeometry(GetParam(), unit, upsideDown),
         unitGrid}};
    auto cpu = ComputeContext::create("cpu");
    const auto pc = makeProjector(ProjectorModel::Joseph, *cpu);
    NullRunContext ctx;
    for (const auto& [name, g, grid] : cases) {
        Volume x = Volume::zeros(grid);
        test::fillRandom(x.data(), 21);
        ProjectionStack y = ProjectionStack::zeros(g);
        test::fillRandom(y.data(), 22);
        const ProjectionStack reference = forwardProject(*pc, x, g, ctx, 4);
        const Volume back = backProject(*pc, y, grid, ctx, 4);
        for (const auto kernels :
             {detail::OpenClKernels::ExplicitVectors, detail::OpenClKernels::PerItem}) {
            const std::string what = name + (kernels == detail::OpenClKernels::ExplicitVectors
                                                 ? ", explicit-vector kernels"
                                                 : ", one work-item per ray");
            const auto pcl =
                detail::makeOpenClProjector(ProjectorModel::Joseph, *m_compute, kernels);
            const ProjectionStack ax = forwardProject(*pcl, x, g, ctx, 4);
            const Comparison f = compare(ax.data(), reference.data());
            EXPECT_GT(f.peak, 0.0) << what;
            EXPECT_LT(f.maxAbs, kAgreementOfPeak * f.peak)
                << what << ", forward: max " << f.maxAbs << ", mean " << f.meanAbs << ", peak "
                << f.peak;
            const Volume bcl = backProject(*pcl, y, grid, ctx, 4);
            const Comparison b = compare(bcl.data(), back.data());
            EXPECT_LT(b.maxAbs, kAgreementOfPeak * b.peak)
                << what << ", transpose: max " << b.maxAbs << ", mean " << b.meanAbs << ", peak "
                << b.peak;
            const double lhs = test::dotProduct(ax.data(), y.data());
            const double rhs = test::dotProduct(x.data(), bcl.data());
            EXPECT_NEAR(lhs / rhs, 1.0, kAdjointTolerance)
                << what << ": <Ax,y> = " << lhs << ", <x,A'y> = " << rhs;
        }
    }
}

// Every flat-detector case runs through both voxel-driven kernels (the device picks one by its
// type; detail::OpenClKernels names either), and each of the column kernel's paths is met:
// rows of 2 mm step about 1.3 rows per voxel along z (the permuted window), rows of 1.1 mm
// about 2.3 (more than the window reaches, so each voxel on its own), and a detector tilted
// about u, whose columns leave z. Fourteen rows of 2 mm miss the grid's top and bottom voxels
// in most views, so the zero border is read too (rows clamped); forty rows see every voxel
// (the path without the clamp). Turned upside down, the rows run against z, and the kernel
// builds its lines backwards. The cylindrical detector has one kernel.
TEST_P(OpenClProjector3D, VoxelDrivenAgreesWithTheCpuReference)
{
    TrajectorySpec t;
    t.views = 7;
    t.angularRange = 2.0 * std::numbers::pi;
    t.sourceIsocentre = 70.0;
    t.sourceDetector = 150.0;
    t.tilt.aboutV = 0.05;
    const Detector fine{.columns = 36, .rows = 28, .pixelU = 1.2, .pixelV = 1.1, .offsetU = 1.5};
    Detector coarse = fine;
    coarse.rows = 14;
    coarse.pixelV = 2.0;
    TrajectorySpec tilted = t;
    tilted.tilt.aboutU = 0.08;
    // The same views with the detector turned upside down exactly (û and v̂ negated; a tilt of
    // π leaves sin π in the matrices, and rows not quite along z take the general path).
    auto upsideDown = [](const Geometry& g) {
        std::vector<ViewPose> poses(g.poses().begin(), g.poses().end());
        for (ViewPose& p : poses) {
            p.u = -1.0 * p.u;
            p.v = -1.0 * p.v;
        }
        return Geometry::fromPoses(g.beam(), g.detector(), std::move(poses));
    };
    Detector tall = coarse;
    tall.rows = 40;
    const std::vector<std::pair<std::string, Geometry>> cases = {
        {"flat, rows in the window", makeGeometry(GetParam(), coarse, t)},
        {"flat, rows in the window, upside down", upsideDown(makeGeometry(GetParam(), coarse, t))},
        {"flat, rows in the window, every voxel on the detector",
         makeGeometry(GetParam(), tall, t)},
        {"flat, rows in the window, every voxel on the detector, upside down",
         upsideDown(makeGeometry(GetParam(), tall, t))},
        {"flat, rows finer than the window", makeGeometry(GetParam(), fine, t)},
        {"flat, tilted about u", makeGeometry(GetParam(), coarse, tilted)},
        {"cylindrical (cone) or flat", geometry()}};
    auto cpu = ComputeContext::create("cpu");
    for (const auto& [name, g] : cases) {
        ProjectionStack y = ProjectionStack::zeros(g);
        test::fillRandom(y.data(), 23);
        Volume a = Volume::zeros(grid());
        makeProjector(ProjectorModel::VoxelDriven, *cpu)->backAccumulate(y, 0, 7, 0.5f, a);
        for (const auto kernel :
             {detail::OpenClKernels::ExplicitVectors, detail::OpenClKernels::PerItem}) {
            Volume b = Volume::zeros(grid());
            detail::makeOpenClProjector(ProjectorModel::VoxelDriven, *m_compute, kernel)
                ->backAccumulate(y, 0, 7, 0.5f, b);
            const Comparison c = compare(b.data(), a.data());
            const std::string what =
                name + (kernel == detail::OpenClKernels::ExplicitVectors ? ", columns kernel"
                                                                         : ", per-voxel kernel");
            EXPECT_GT(c.peak, 0.0) << what;
            EXPECT_LT(c.maxAbs, kAgreementOfPeak * c.peak)
                << what << ": max " << c.maxAbs << ", mean " << c.meanAbs << ", peak " << c.peak;
        }
    }
}

// The column kernel takes 256 voxels of a column per work-item and 8 x 8 columns per group:
// a grid of 9 x 11 x 300 leaves a second, partial z-segment and partial groups in x and y,
// whose work-items past the grid must write nothing and still meet every barrier.
using OpenClColumnKernel = test::OpenClTest;

TEST_F(OpenClColumnKernel, CoversPartialGroupsAndSegments)
{
    const Geometry g = Geometry::circular(BeamType::Cone3D,
                                          {.columns = 24, .rows = 40, .pixelU = 1.0, .pixelV = 0.8},
                                          {.views = 20,
                                           .angularRange = 2.0 * std::numbers::pi,
                                           .sourceIsocentre = 80.0,
                                           .sourceDetector = 120.0});
    const VolumeGrid grid = VolumeGrid::centred({9, 11, 300}, {1.0, 1.2, 0.1});
    ProjectionStack y = ProjectionStack::zeros(g);
    test::fillRandom(y.data(), 31);
    auto cpu = ComputeContext::create("cpu");
    Volume a = Volume::zeros(grid);
    Volume b = Volume::zeros(grid);
    test::fillRandom(a.data(), 32);
    std::copy(a.data().begin(), a.data().end(), b.data().begin());
    makeProjector(ProjectorModel::VoxelDriven, *cpu)->backAccumulate(y, 0, 20, 0.25f, a);
    detail::makeOpenClProjector(ProjectorModel::VoxelDriven, *m_compute,
                                detail::OpenClKernels::ExplicitVectors)
        ->backAccumulate(y, 0, 20, 0.25f, b);
    const Comparison c = compare(b.data(), a.data());
    EXPECT_LT(c.maxAbs, kAgreementOfPeak * c.peak)
        << "max " << c.maxAbs << ", mean " << c.meanAbs << ", peak " << c.peak;
}

INSTANTIATE_TEST_SUITE_P(Beams, OpenClProjector3D,
                         ::testing::Values(BeamType::Cone3D, BeamType::Parallel3D),
                         [](const auto& p) { return std::string(toString(p.param)); });

using OpenClSlabs = test::OpenClTest;

// Siddon's chords come from ray parameters t in mm from the source (~150 mm here), whose float
// rounding (~1.5e-5 mm) moves a boundary crossing by up to 1e-4 of a 0.5 mm voxel; where a ray
// grazes a voxel's corner the two backends (or two grids, split and whole) can give a chord that
// much different. Measured: mean difference 1e-6 of the peak, worst single pixel or voxel 5e-4.
constexpr double kSiddonAgreementOfPeak = 1e-3;
constexpr double kSiddonMeanAgreementOfPeak = 1e-5;

void expectAgreement(ProjectorModel model, const Comparison& c, const std::string& what)
{
    EXPECT_GT(c.peak, 0.0) << what;
    if (model == ProjectorModel::Siddon) {
        EXPECT_LT(c.maxAbs, kSiddonAgreementOfPeak * c.peak) << what;
        EXPECT_LT(c.meanAbs, kSiddonMeanAgreementOfPeak * c.peak) << what;
    } else {
        EXPECT_LT(c.maxAbs, kAgreementOfPeak * c.peak)
            << what << ": max " << c.maxAbs << ", mean " << c.meanAbs << ", peak " << c.peak;
    }
}

TEST_F(OpenClSlabs, SplittingTheVolumeIntoSlabsChangesNoResult)
{
    // 1 MiB of device memory for a 1.5 MiB grid: the memory plan splits it into two z-slabs.
    // Each operator's result must equal the CPU reference's, as it does unsplit.
    TrajectorySpec t;
    t.views = 5;
    t.angularRange = 2.0 * std::numbers::pi;
    t.sourceIsocentre = 150.0;
    t.sourceDetector = 300.0;
    t.tilt.aboutU = 0.1;
    const VolumeGrid grid = VolumeGrid::centred({128, 128, 24}, {0.5, 0.5, 0.6});
    Detector flat{.columns = 40, .rows = 32, .pixelU = 2.0, .pixelV = 1.2};
    Detector curved = flat;
    curved.shape = DetectorShape::Cylindrical;
    curved.radius = 300.0;
    const MemoryPlan plan =
        planMemory(grid, 40 * 32, 5, 5, 1024 * 1024, m_compute->device().maxAllocationBytes, "");
    ASSERT_EQ(plan.slabs, 2u);
    ::setenv("TOMO_DEVICE_MEMORY_MB", "1", 1);
    auto cpu = ComputeContext::create("cpu");
    for (const Geometry& g :
         {makeGeometry(BeamType::Cone3D, flat, t), makeGeometry(BeamType::Cone3D, curved, t)}) {
        Volume x = Volume::zeros(grid);
        test::fillRandom(x.data(), 41);
        ProjectionStack y = ProjectionStack::zeros(g);
        test::fillRandom(y.data(), 42);
        for (ProjectorModel model :
             {ProjectorModel::Joseph, ProjectorModel::Siddon, ProjectorModel::VoxelDriven}) {
            const auto pc = makeProjector(model, *cpu);
            const auto pcl = makeProjector(model, *m_compute);
            const std::string what =
                std::string(toString(model)) + " on a " + std::string(toString(g.detector().shape));
            if (pc->hasForward()) {
                ProjectionStack a = ProjectionStack::zeros(g);
                ProjectionStack b = ProjectionStack::zeros(g);
                pc->forward(x, a, 0, 5);
                pcl->forward(x, b, 0, 5);
                expectAgreement(model, compare(b.data(), a.data()), what + " forward");
            }
            Volume a = Volume::zeros(grid);
            Volume b = Volume::zeros(grid);
            pc->backAccumulate(y, 0, 5, 0.5f, a);
            pcl->backAccumulate(y, 0, 5, 0.5f, b);
            expectAgreement(model, compare(b.data(), a.data()), what + " back");
        }
    }
    ::unsetenv("TOMO_DEVICE_MEMORY_MB");
}

using OpenClHold = test::OpenClTest;

// Six batches of a held volume upload one copy of it and the same view parameters as one call
// for all views, about as much as that call; without the hold they would upload six copies.
constexpr double kBatchedUploadsOfOneCall = 1.5;

// forwardProject holds its volume (Projector::hold): its batches share one device copy of it,
// made by the first, and give what one unheld call gives, to the bit (the same kernels read the
// same copy). A second volume projected while the first is held is its own, and a
// backprojection in between frees the held copy, so the next forward call makes it again.
TEST_F(OpenClHold, BatchesShareOneDeviceCopyOfTheHeldVolume)
{
    TrajectorySpec t;
    t.views = 12;
    t.angularRange = 2.0 * std::numbers::pi;
    t.sourceIsocentre = 80.0;
    t.sourceDetector = 160.0;
    const Geometry g = makeGeometry(BeamType::Cone3D,
                                    {.columns = 24, .rows = 20, .pixelU = 1.5, .pixelV = 1.5}, t);
    const VolumeGrid grid = VolumeGrid::centred({16, 16, 16}, {1.0, 1.0, 1.0});
    const double volumeBytes = static_cast<double>(grid.voxelCount() * sizeof(float));
    Volume x = Volume::zeros(grid);
    test::fillRandom(x.data(), 51);
    Volume other = Volume::zeros(grid);
    test::fillRandom(other.data(), 52);
    ocl::Runtime& rt = *m_compute->impl().runtime;
    NullRunContext ctx;
    for (ProjectorModel model : {ProjectorModel::Joseph, ProjectorModel::Siddon}) {
        for (const auto kernels :
             {detail::OpenClKernels::ExplicitVectors, detail::OpenClKernels::PerItem}) {
            const std::string what =
                std::string(toString(model)) + (kernels == detail::OpenClKernels::ExplicitVectors
                                                    ? ", explicit-vector kernels"
                                                    : ", one work-item per ray");
            const auto p = detail::makeOpenClProjector(model, *m_compute, kernels);
            ProjectionStack whole = ProjectionStack::zeros(g);
            const std::uint64_t beforeOne = rt.uploadedBytes();
            p->forward(x, whole, 0, t.views);
            const auto oneCall = static_cast<double>(rt.uploadedBytes() - beforeOne);
            ProjectionStack otherWhole = ProjectionStack::zeros(g);
            p->forward(other, otherWhole, 0, t.views);

            const std::uint64_t before = rt.uploadedBytes();
            const ProjectionStack batched = forwardProject(*p, x, g, ctx, 2); // six batches
            const auto uploaded = static_cast<double>(rt.uploadedBytes() - before);
            EXPECT_GE(uploaded, volumeBytes) << what;
            EXPECT_LT(uploaded, kBatchedUploadsOfOneCall * oneCall) << what;
            EXPECT_TRUE(
                std::equal(batched.data().begin(), batched.data().end(), whole.data().begin()))
                << what << ": batches of a held volume differ from one call";

            const auto held = p->hold(x);
            ProjectionStack mixed = ProjectionStack::zeros(g);
            p->forward(x, mixed, 0, 4);
            p->forward(other, mixed, 4, 4); // not the held volume: its own copy
            Volume back = Volume::zeros(grid);
            p->backAccumulate(whole, 0, 2, 1.0f, back); // frees the held copy
            const std::uint64_t beforeLast = rt.uploadedBytes();
            p->forward(x, mixed, 8, 4);
            EXPECT_GE(static_cast<double>(rt.uploadedBytes() - beforeLast), volumeBytes)
                << what << ": the held copy was not made again after the backprojection";
            for (std::size_t v = 0; v < t.views; ++v) {
                const ProjectionStack& expected = v >= 4 && v < 8 ? otherWhole : whole;
                const auto got = mixed.view(v);
                const auto want = expected.view(v);
                EXPECT_TRUE(std::equal(got.begin(), got.end(), want.begin()))
                    << what << ", view " << v;
            }
        }
    }
}

using OpenClSiddon = test::OpenClTest;

TEST_F(OpenClSiddon, AgreesWithTheCpuReferenceAndIsAdjoint)
{
    TrajectorySpec t;
    t.views = 6;
    t.angularRange = 2.0 * std::numbers::pi;
    t.sourceIsocentre = 60.0;
    t.sourceDetector = 130.0;
    Detector curved{.columns = 40, .rows = 30, .pixelU = 1.0, .pixelV = 1.0};
    curved.shape = DetectorShape::Cylindrical;
    curved.radius = 130.0;
    const std::pair<Geometry, VolumeGrid> cases[] = {
        {makeGeometry(BeamType::Cone3D, curved, t),
         VolumeGrid::centred({14, 12, 10}, {1.4, 1.5, 1.6})},
        {makeGeometry(BeamType::Fan2D, {.columns = 50, .rows = 1, .pixelU = 1.0, .pixelV = 1.0}, t),
         VolumeGrid::centred({20, 18, 1}, {1.3, 1.4, 1.0})}};
    auto cpu = ComputeContext::create("cpu");
    const auto pc = makeProjector(ProjectorModel::Siddon, *cpu);
    const auto pcl = makeProjector(ProjectorModel::Siddon, *m_compute);
    for (const auto& [g, grid] : cases) {
        Volume x = Volume::zeros(grid);
        test::fillRandom(x.data(), 51);
        ProjectionStack y = ProjectionStack::zeros(g);
        test::fillRandom(y.data(), 52);
        NullRunContext ctx;
        const ProjectionStack fcl = forwardProject(*pcl, x, g, ctx, 4);
        const Comparison f = compare(fcl.data(), forwardProject(*pc, x, g, ctx, 4).data());
        EXPECT_LT(f.maxAbs, kAgreementOfPeak * f.peak) << toString(g.beam()) << " forward";
        const Volume bcl = backProject(*pcl, y, grid, ctx, 4);
        const Comparison b = compare(bcl.data(), backProject(*pc, y, grid, ctx, 4).data());
        EXPECT_LT(b.maxAbs, kAgreementOfPeak * b.peak) << toString(g.beam()) << " transpose";
        const double lhs = test::dotProduct(fcl.data(), y.data());
        const double rhs = test::dotProduct(x.data(), bcl.data());
        EXPECT_NEAR(lhs / rhs, 1.0, kAdjointTolerance) << toString(g.beam());
    }
}

using OpenClPipeline = test::OpenClTest;

TEST_F(OpenClPipeline, DefaultSceneReachesThePsnrThreshold)
{
    const Scene s = test::defaultScene();
    NullRunContext ctx;
    const RunResult r = runScene(s, *m_compute, ctx);
    EXPECT_GT(r.psnr, test::smallProblems() ? kMinSheppLoganPsnrDbSmall : kMinSheppLoganPsnrDb);
    EXPECT_NE(r.device.find("opencl"), std::string::npos) << r.device;
}
} // namespace
} // namespace tomo
