#include "tomo/iterative.h"

#include "recon/tv.h"
#include "tomo/error.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

namespace tomo
{
namespace
{
using Clock = std::chrono::steady_clock;

// Row sums (ray lengths through the grid) and column sums below this fraction of their largest
// value count as zero: such a ray or voxel is not seen, and 1/sum would only amplify float
// rounding. The SIRT convergence argument holds for any positive weights, so the cut changes
// nothing else.
constexpr double kSumFloor = 1e-6;
// MLEM/OSEM: a forward projection at or below this (line integral, dimensionless) means every
// voxel on the ray is 0, which the multiplicative update cannot change; its ratio is set to 0.
constexpr float kEmProjectionFloor = 1e-20f;
// OS-SART and OSEM keep each subset's column sums when all of them fit in this much memory
// (SART on 256² from 360 views: 94 MB); otherwise they are recomputed per subset, one extra
// backprojection each.
constexpr std::size_t kColumnSumCacheBytes = std::size_t{512} << 20;
// FISTA's L = ‖AᵀA‖ by the power method from the constant volume, whose iterates converge
// fast for CT (the top eigenvector is smooth and positive). 12 steps give L to a few 0.1%
// (measured on the test cases); the estimate approaches from below, so it is raised by 5%.
constexpr std::size_t kPowerIterations = 12;
constexpr double kLipschitzSafety = 1.05;
// Element loops shorter than this (a 64³ volume, a 512² image) run on one thread: an OpenMP
// region costs microseconds, and whole scheduler slices when the cores are shared (two test
// processes on two CI cores: the sparse-view test took 58 s instead of 5 s with every loop
// parallel), while a serial pass over 2^18 floats takes ~0.1 ms.
constexpr std::ptrdiff_t kParallelMinimum = std::ptrdiff_t{1} << 18;
// Multi-resolution: axes longer than this are halved per coarser level.
constexpr std::size_t kCoarsestEdge = 64;

struct AlgorithmName
{
    IterativeAlgorithm algorithm;
    std::string_view id;
    std::string_view label;
};

constexpr std::array<AlgorithmName, 10> kAlgorithms = {{
    {IterativeAlgorithm::Sirt, "sirt", "SIRT"},
    {IterativeAlgorithm::Sart, "sart", "SART"},
    {IterativeAlgorithm::OsSart, "os-sart", "OS-SART"},
    {IterativeAlgorithm::Cgls, "cgls", "CGLS"},
    {IterativeAlgorithm::Mlem, "mlem", "MLEM"},
    {IterativeAlgorithm::Osem, "osem", "OSEM"},
    {IterativeAlgorithm::FistaTv, "fista-tv", "FISTA-TV"},
    {IterativeAlgorithm::TvPocs, "tv-pocs", "TV-POCS"},
    {IterativeAlgorithm::AsdPocs, "asd-pocs", "ASD-POCS"},
    {IterativeAlgorithm::AwtvPocs, "awtv-pocs", "AwTV-POCS"},
}};

std::string_view labelOf(IterativeAlgorithm algorithm)
{
    for (const AlgorithmName& a : kAlgorithms) {
        if (a.algorithm == algorithm) {
            return a.label;
        }
    }
    return "iterative";
}

bool isEm(IterativeAlgorithm a)
{
    return a == IterativeAlgorithm::Mlem || a == IterativeAlgorithm::Osem;
}

// Host volume arithmetic: plain loops, OpenMP over elements, double accumulation.
template <class F> void parallelFor(std::size_t n, F&& f)
{
    const auto count = static_cast<std::ptrdiff_t>(n);
#pragma omp parallel for schedule(static) if (count >= kParallelMinimum)
    for (std::ptrdiff_t i = 0; i < count; ++i) {
        f(static_cast<std::size_t>(i));
    }
}

template <class F> double parallelSum(std::size_t n, F&& f)
{
    const auto count = static_cast<std::ptrdiff_t>(n);
    double sum = 0.0;
#pragma omp parallel for schedule(static) reduction(+ : sum) if (count >= kParallelMinimum)
    for (std::ptrdiff_t i = 0; i < count; ++i) {
        sum += f(static_cast<std::size_t>(i));
    }
    return sum;
}

double squaredNorm(std::span<const float> a)
{
    return parallelSum(a.size(), [&](std::size_t i) {
        const auto v = static_cast<double>(a[i]);
        return v * v;
    });
}

double squaredDistance(std::span<const float> a, std::span<const float> b)
{
    return parallelSum(a.size(), [&](std::size_t i) {
        const double d = static_cast<double>(a[i]) - static_cast<double>(b[i]);
        return d * d;
    });
}

void clampNonNegative(std::span<float> x)
{
    parallelFor(x.size(), [&](std::size_t i) { x[i] = std::max(x[i], 0.0f); });
}

// 1/v where v is above kSumFloor of the largest value, else 0.
void invertAboveFloor(std::span<float> v)
{
    float peak = 0.0f;
    for (float s : v) {
        peak = std::max(peak, s);
    }
    const auto floor = static_cast<float>(kSumFloor * static_cast<double>(peak));
    parallelFor(v.size(), [&](std::size_t i) { v[i] = v[i] > floor ? 1.0f / v[i] : 0.0f; });
}

std::string describeGrid(const VolumeGrid& grid)
{
    const auto& n = grid.size();
    const auto& s = grid.spacing();
    return std::to_string(n[0]) + "x" + std::to_string(n[1]) + "x" + std::to_string(n[2]) +
           " voxels of " + formatValue(s[0]) + "x" + formatValue(s[1]) + "x" + formatValue(s[2]) +
           " mm";
}

std::string gridShape(const VolumeGrid& grid)
{
    const auto& n = grid.size();
    return std::to_string(n[0]) + "x" + std::to_string(n[1]) + "x" + std::to_string(n[2]);
}

std::string formatResidual(double r)
{
    char buffer[32];
    std::snprintf(buffer, sizeof(buffer), "%.4g", r);
    return buffer;
}

// Throws InvalidArgument naming the first pixel that is not finite (or negative, when
// `nonNegative`).
void checkProjections(const ProjectionStack& p, bool nonNegative, IterativeAlgorithm algorithm)
{
    const std::span<const float> data = p.data();
    for (std::size_t i = 0; i < data.size(); ++i) {
        const float v = data[i];
        const bool bad = !std::isfinite(v) || (nonNegative && v < 0.0f);
        if (!bad) {
            continue;
        }
        const std::size_t view = i / p.pixelsPerView();
        const std::size_t row = (i % p.pixelsPerView()) / p.columns();
        const std::size_t column = i % p.columns();
        const std::string where = "projections (view " + std::to_string(view) + ", row " +
                                  std::to_string(row) + ", column " + std::to_string(column) + ")";
        if (!std::isfinite(v)) {
            throwInvalid(where, formatValue(static_cast<double>(v)),
                         "projection values must be finite");
        }
        throwInvalid(where, formatValue(static_cast<double>(v)),
                     std::string(labelOf(algorithm)) +
                         " needs non-negative line integrals (Poisson model); use SIRT, CGLS or "
                         "a TV method for data with negative values");
    }
}

// The next coarser multi-resolution grid: every axis longer than kCoarsestEdge halved (rounding
// up) with its extent n·s kept and its centre in place.
VolumeGrid coarsen(const VolumeGrid& grid)
{
    std::array<std::size_t, 3> size = grid.size();
    std::array<double, 3> spacing = grid.spacing();
    std::array<double, 3> shift{}; // coarse origin − fine origin, in fine voxels per axis
    for (std::size_t a = 0; a < 3; ++a) {
        const std::size_t n = grid.size()[a];
        if (n <= kCoarsestEdge) {
            continue;
        }
        size[a] = (n + 1) / 2;
        spacing[a] = grid.spacing()[a] * static_cast<double>(n) / static_cast<double>(size[a]);
        const double fineHalf = 0.5 * (static_cast<double>(n) - 1.0) * grid.spacing()[a];
        const double coarseHalf = 0.5 * (static_cast<double>(size[a]) - 1.0) * spacing[a];
        shift[a] = (fineHalf - coarseHalf) / grid.spacing()[a];
    }
    return VolumeGrid::make(size, spacing, grid.voxelCentre(shift[0], shift[1], shift[2]),
                            grid.direction());
}

// A projection stack binned fu × fv (columns × rows), every viewStride-th view: each new pixel
// the mean of a block of fu × fv, with the new detector's pixels fu·du × fv·dv centred where
// their blocks were (the offsets adjusted; columns beyond the last whole block dropped). Line
// integrals keep their values; the coarse levels of a multi-resolution run trace
// fu·fv·viewStride times fewer rays.
ProjectionStack binProjections(const ProjectionStack& p, std::size_t fu, std::size_t fv,
                               std::size_t viewStride)
{
    const Detector& d = p.geometry().detector();
    Detector b = d;
    b.columns = d.columns / fu;
    b.rows = d.rows / fv;
    b.pixelU = d.pixelU * static_cast<double>(fu);
    b.pixelV = d.pixelV * static_cast<double>(fv);
    // Block c's centre, column c·fu + (fu − 1)/2 of the old detector, is column c of the new.
    const auto offset = [](double oldOffset, std::size_t n, std::size_t nb, std::size_t f) {
        return (0.5 * static_cast<double>(f - 1) - 0.5 * static_cast<double>(n - 1) + oldOffset) /
                   static_cast<double>(f) +
               0.5 * static_cast<double>(nb - 1);
    };
    b.offsetU = offset(d.offsetU, d.columns, b.columns, fu);
    b.offsetV = offset(d.offsetV, d.rows, b.rows, fv);
    const Geometry& g = p.geometry();
    std::vector<ViewPose> poses;
    for (std::size_t view = 0; view < p.views(); view += viewStride) {
        poses.push_back(g.poses()[view]);
    }
    ProjectionStack out =
        ProjectionStack::zeros(Geometry::fromPoses(g.beam(), b, std::move(poses)));
    const float scale = 1.0f / static_cast<float>(fu * fv);
    for (std::size_t view = 0; view < out.views(); ++view) {
        const float* from = p.view(view * viewStride).data();
        float* to = out.view(view).data();
        for (std::size_t r = 0; r < b.rows; ++r) {
            for (std::size_t c = 0; c < b.columns; ++c) {
                float sum = 0.0f;
                for (std::size_t dv = 0; dv < fv; ++dv) {
                    for (std::size_t du = 0; du < fu; ++du) {
                        sum += from[(r * fv + dv) * d.columns + c * fu + du];
                    }
                }
                to[r * b.columns + c] = sum * scale;
            }
        }
    }
    return out;
}

// How much a coarse level's projections are binned: detector pixels at the isocentre brought up
// to about the level's voxel size (never more than the detector has), and every stride-th view
// kept so that at least two views per voxel of the level's width remain (a grid of n voxels
// across needs about π/2·n views over 180°).
struct Binning
{
    std::size_t fu = 1;
    std::size_t fv = 1;
    std::size_t viewStride = 1;
};

Binning binFactors(const Geometry& g, const VolumeGrid& level)
{
    Binning bin;
    const std::size_t width = std::max(level.size()[0], level.size()[1]);
    bin.viewStride = std::max<std::size_t>(1, g.viewCount() / (2 * width));
    double pu = g.detector().pixelU;
    double pv = g.detector().pixelV;
    if (!isParallel(g.beam())) {
        try {
            std::tie(pu, pv) = g.pixelSizeAtIsocentre(0);
        } catch (const InvalidArgument&) {
            return bin; // no magnification defined (the isocentre in the source's plane)
        }
    }
    const auto factor = [](double voxel, double pixel, std::size_t n) {
        const double f = std::floor(voxel / pixel + 1e-9);
        return std::clamp<std::size_t>(f >= 1.0 ? static_cast<std::size_t>(f) : 1, 1, n);
    };
    bin.fu = factor(level.spacing()[0], pu, g.detector().columns);
    bin.fv = is2D(g.beam()) ? 1 : factor(level.spacing()[2], pv, g.detector().rows);
    return bin;
}

// Trilinear prolongation of `coarse` onto `fine` (same direction cosines): the value at each fine
// voxel centre interpolated between the eight surrounding coarse voxel centres, positions beyond
// the outermost coarse centres clamped to them.
Volume prolong(const Volume& coarse, const VolumeGrid& fine)
{
    const VolumeGrid& cg = coarse.grid();
    struct Tap
    {
        std::size_t i0 = 0;
        std::size_t i1 = 0;
        float w1 = 0.0f;
    };
    std::array<std::vector<Tap>, 3> taps;
    const Vec3 offset = fine.origin() - cg.origin();
    const auto& m = fine.direction();
    for (std::size_t a = 0; a < 3; ++a) {
        // Fine origin relative to the coarse origin along index axis a (column a of direction).
        const double start = offset.x * m[a] + offset.y * m[3 + a] + offset.z * m[6 + a];
        const std::size_t nc = cg.size()[a];
        for (std::size_t i = 0; i < fine.size()[a]; ++i) {
            double u = (start + static_cast<double>(i) * fine.spacing()[a]) / cg.spacing()[a];
            u = std::clamp(u, 0.0, static_cast<double>(nc - 1));
            const auto i0 = static_cast<std::size_t>(u);
            const std::size_t i1 = std::min(i0 + 1, nc - 1);
            taps[a].push_back({i0, i1, static_cast<float>(u - static_cast<double>(i0))});
        }
    }
    Volume out = Volume::zeros(fine);
    const std::span<float> dst = out.data();
    const std::size_t nx = fine.size()[0];
    const std::size_t ny = fine.size()[1];
    parallelFor(fine.size()[1] * fine.size()[2], [&](std::size_t line) {
        const Tap& ty = taps[1][line % ny];
        const Tap& tz = taps[2][line / ny];
        for (std::size_t i = 0; i < nx; ++i) {
            const Tap& tx = taps[0][i];
            const auto lerpX = [&](std::size_t j, std::size_t k) {
                return (1.0f - tx.w1) * coarse.at(tx.i0, j, k) + tx.w1 * coarse.at(tx.i1, j, k);
            };
            const float y0 = (1.0f - ty.w1) * lerpX(ty.i0, tz.i0) + ty.w1 * lerpX(ty.i1, tz.i0);
            const float y1 = (1.0f - ty.w1) * lerpX(ty.i0, tz.i1) + ty.w1 * lerpX(ty.i1, tz.i1);
            dst[i + nx * line] = (1.0f - tz.w1) * y0 + tz.w1 * y1;
        }
    });
    return out;
}

// The split of the views into subsets. When the membership is interleaved the projections are
// copied once in subset order (views of a subset contiguous), because the projectors take
// contiguous view ranges.
class SubsetPlan
{
public:
    SubsetPlan(const ProjectionStack& projections, std::size_t subsets, SubsetOrder order,
               std::uint64_t seed)
        : m_original(projections), m_order(order), m_seed(seed)
    {
        const std::size_t views = projections.views();
        const std::size_t count = std::clamp<std::size_t>(subsets, 1, views);
        std::vector<std::size_t> viewOrder;
        viewOrder.reserve(views);
        for (std::size_t s = 0; s < count; ++s) {
            const std::size_t begin = viewOrder.size();
            if (order == SubsetOrder::Sequential) {
                for (std::size_t k = s * views / count; k < (s + 1) * views / count; ++k) {
                    viewOrder.push_back(k);
                }
            } else {
                for (std::size_t k = s; k < views; k += count) {
                    viewOrder.push_back(k);
                }
            }
            m_first.push_back(begin);
            m_count.push_back(viewOrder.size() - begin);
        }
        bool identity = true;
        for (std::size_t k = 0; k < views; ++k) {
            identity = identity && viewOrder[k] == k;
        }
        if (identity) {
            return;
        }
        const Geometry& g = projections.geometry();
        std::vector<ViewPose> poses;
        poses.reserve(views);
        std::vector<float> data;
        data.reserve(projections.data().size());
        for (std::size_t k : viewOrder) {
            poses.push_back(g.poses()[k]);
            const auto view = projections.view(k);
            data.insert(data.end(), view.begin(), view.end());
        }
        m_permuted = ProjectionStack::fromData(
            Geometry::fromPoses(g.beam(), g.detector(), std::move(poses)), std::move(data));
    }
    SubsetPlan(const SubsetPlan&) = delete;
    SubsetPlan& operator=(const SubsetPlan&) = delete;

    /// The projections in subset order.
    const ProjectionStack& data() const { return m_permuted ? *m_permuted : m_original; }
    std::size_t count() const { return m_first.size(); }
    std::size_t first(std::size_t s) const { return m_first[s]; }
    std::size_t views(std::size_t s) const { return m_count[s]; }

    /// The order in which one iteration visits the subsets. `rng` is only drawn from for
    /// SubsetOrder::Random.
    std::vector<std::size_t> visitOrder(std::mt19937_64& rng) const
    {
        const std::size_t n = count();
        std::vector<std::size_t> out;
        out.reserve(n);
        if (m_order == SubsetOrder::Interleaved) {
            // Bit-reversed order over the next power of two, skipping indices ≥ n.
            std::size_t bits = 0;
            while ((std::size_t{1} << bits) < n) {
                ++bits;
            }
            for (std::size_t i = 0; i < (std::size_t{1} << bits); ++i) {
                std::size_t r = 0;
                for (std::size_t b = 0; b < bits; ++b) {
                    r |= ((i >> b) & 1u) << (bits - 1 - b);
                }
                if (r < n) {
                    out.push_back(r);
                }
            }
            return out;
        }
        for (std::size_t i = 0; i < n; ++i) {
            out.push_back(i);
        }
        if (m_order == SubsetOrder::Random) {
            // Fisher–Yates on the raw engine output (std::shuffle's use of it is unspecified).
            for (std::size_t i = n; i > 1; --i) {
                std::swap(out[i - 1], out[static_cast<std::size_t>(rng() % i)]);
            }
        }
        return out;
    }
    std::uint64_t seed() const { return m_seed; }

private:
    const ProjectionStack& m_original;
    std::optional<ProjectionStack> m_permuted;
    SubsetOrder m_order;
    std::uint64_t m_seed;
    std::vector<std::size_t> m_first;
    std::vector<std::size_t> m_count;
};

// What every level shares: the clock, the history, the level being run.
struct RunState
{
    Clock::time_point start;
    std::vector<IterationRecord> history;
    std::size_t level = 0;
    bool coarse = false; ///< a grid coarser than the requested one
};

struct Outcome
{
    Volume volume;
    bool stopped = false;
};

// One level of a reconstruction: the chosen algorithm on one grid.
class LevelSolver
{
public:
    LevelSolver(const SubsetPlan& plan, double dataNorm, const VolumeGrid& grid,
                IterativeAlgorithm algorithm, const IterativeOptions& options,
                ComputeContext& compute, RunContext& ctx, RunState& state)
        : m_plan(plan), m_b(plan.data()), m_dataNorm(dataNorm), m_grid(grid),
          m_algorithm(algorithm), m_o(options), m_ctx(ctx), m_state(state),
          m_projector(makeProjector(options.projector, compute)), m_rng(plan.seed())
    {}

    Outcome run(std::optional<Volume> start)
    {
        switch (m_algorithm) {
        case IterativeAlgorithm::Sirt:
        case IterativeAlgorithm::Sart:
        case IterativeAlgorithm::OsSart:
            return runSart(std::move(start));
        case IterativeAlgorithm::Cgls:
            return runCgls(std::move(start));
        case IterativeAlgorithm::Mlem:
        case IterativeAlgorithm::Osem:
            return runEm(std::move(start));
        case IterativeAlgorithm::FistaTv:
            return runFista(std::move(start));
        case IterativeAlgorithm::TvPocs:
        case IterativeAlgorithm::AsdPocs:
        case IterativeAlgorithm::AwtvPocs:
            return runPocs(std::move(start));
        }
        return {Volume::zeros(m_grid), false};
    }

private:
    // State of the SART family's data step (also the POCS family's), kept across iterations.
    struct SartState
    {
        ProjectionStack work;                        ///< Ax, then the weighted residual
        std::vector<float> inverseRowSums;           ///< R per pixel of m_b
        std::vector<std::vector<float>> columnCache; ///< C per subset, when cached
        std::vector<float> columnScratch;            ///< C of one subset, when not cached
        std::optional<ProjectionStack> ones;         ///< for column sums on demand
        Volume update;                               ///< Aᵀ of the weighted residual
        bool workHoldsAx = false; ///< work = A·x for every view (one subset only)
    };

    std::size_t subsets() const { return m_plan.count(); }
    std::size_t pixelBegin(std::size_t s) const { return m_plan.first(s) * m_b.pixelsPerView(); }
    std::size_t pixelEnd(std::size_t s) const
    {
        return (m_plan.first(s) + m_plan.views(s)) * m_b.pixelsPerView();
    }

    ProjectionStack onesStack() const
    {
        ProjectionStack ones = ProjectionStack::zeros(m_b.geometry());
        std::fill(ones.data().begin(), ones.data().end(), 1.0f);
        return ones;
    }

    Volume startOrZeros(std::optional<Volume>& start) const
    {
        return start ? std::move(*start) : Volume::zeros(m_grid);
    }

    std::string stage(std::size_t iteration) const
    {
        std::string s = std::string(labelOf(m_algorithm)) + " iteration " +
                        std::to_string(iteration) + "/" + std::to_string(m_o.iterations);
        if (m_state.coarse) {
            s += " on the " + gridShape(m_grid) + " grid";
        }
        return s;
    }

    void reportSubset(std::size_t iteration, std::size_t done)
    {
        m_ctx.reportProgress((iteration - 1) * subsets() + done, m_o.iterations * subsets(),
                             stage(iteration));
    }

    // ‖ax − b‖/‖b‖ over every view (absolute when b = 0).
    double residualOf(const ProjectionStack& ax) const
    {
        const double r = std::sqrt(squaredDistance(ax.data(), m_b.data()));
        return m_dataNorm > 0.0 ? r / m_dataNorm : r;
    }

    // A·x for every view into `out`; returns the relative residual.
    double forwardAll(const Volume& x, ProjectionStack& out) const
    {
        m_projector->forward(x, out, 0, m_b.views());
        return residualOf(out);
    }

    void finishIteration(std::size_t iteration, const Volume& x, double residual)
    {
        const double seconds = std::chrono::duration<double>(Clock::now() - m_state.start).count();
        m_state.history.push_back({iteration, residual, seconds, m_state.level});
        if (m_ctx.wantsPreviews() || m_ctx.wantsEveryIterate()) {
            Preview preview;
            preview.volume = std::make_shared<const Volume>(x);
            preview.residual = residual;
            preview.iterate = m_state.history.size();
            preview.stage = stage(iteration) + ", residual " + formatResidual(residual);
            m_ctx.publishPreview(std::move(preview));
        }
    }

    SartState makeSartState()
    {
        SartState st{
            ProjectionStack::zeros(m_b.geometry()), {}, {}, {}, {}, Volume::zeros(m_grid), false};
        // R: row sums A·1, computed into `work` (overwritten by the first subset).
        m_projector->forward(constantVolume(1.0f), st.work, 0, m_b.views());
        st.inverseRowSums.assign(st.work.data().begin(), st.work.data().end());
        invertAboveFloor(st.inverseRowSums);
        st.ones = onesStack();
        const std::size_t bytes = subsets() * m_grid.voxelCount() * sizeof(float);
        if (bytes <= kColumnSumCacheBytes) {
            st.columnCache.resize(subsets());
        }
        return st;
    }

    Volume constantVolume(float value) const
    {
        Volume v = Volume::zeros(m_grid);
        std::fill(v.data().begin(), v.data().end(), value);
        return v;
    }

    // C of subset s: 1/(Aᵀ1 over the subset's views), from the cache or computed now.
    std::span<const float> inverseColumnSums(SartState& st, std::size_t s)
    {
        std::vector<float>* target = &st.columnScratch;
        if (!st.columnCache.empty()) {
            if (!st.columnCache[s].empty()) {
                return st.columnCache[s];
            }
            target = &st.columnCache[s];
        }
        Volume sums = Volume::zeros(m_grid);
        m_projector->backAccumulate(*st.ones, m_plan.first(s), m_plan.views(s), 1.0f, sums);
        target->assign(sums.data().begin(), sums.data().end());
        invertAboveFloor(*target);
        return *target;
    }

    // One pass over every subset: x += λ·C_s·A_sᵀ·R·(b_s − A_s·x), projected onto x ≥ 0 if
    // asked, per subset. Returns false if cancelled between subsets (x is then partial).
    bool sartSweep(SartState& st, Volume& x, double lambda, std::size_t iteration)
    {
        const std::vector<std::size_t> order = m_plan.visitOrder(m_rng);
        const std::span<const float> b = m_b.data();
        const std::span<float> work = st.work.data();
        for (std::size_t n = 0; n < order.size(); ++n) {
            if (n > 0 && m_ctx.isCancelled()) {
                return false;
            }
            const std::size_t s = order[n];
            if (!st.workHoldsAx) {
                m_projector->forward(x, st.work, m_plan.first(s), m_plan.views(s));
            }
            st.workHoldsAx = false;
            const std::size_t begin = pixelBegin(s);
            parallelFor(pixelEnd(s) - begin, [&](std::size_t i) {
                const std::size_t p = begin + i;
                work[p] = st.inverseRowSums[p] * (b[p] - work[p]);
            });
            std::fill(st.update.data().begin(), st.update.data().end(), 0.0f);
            m_projector->backAccumulate(st.work, m_plan.first(s), m_plan.views(s), 1.0f, st.update);
            const std::span<const float> c = inverseColumnSums(st, s);
            const std::span<const float> u = st.update.data();
            const std::span<float> xs = x.data();
            const auto step = static_cast<float>(lambda);
            const bool clamp = m_o.nonNegative;
            parallelFor(xs.size(), [&](std::size_t j) {
                const float v = xs[j] + step * c[j] * u[j];
                xs[j] = clamp ? std::max(v, 0.0f) : v;
            });
            reportSubset(iteration, n + 1);
        }
        return true;
    }

    // After a sweep: the residual over every view; with one subset, `work` then holds A·x for
    // the next sweep.
    double sartResidual(SartState& st, const Volume& x)
    {
        const double r = forwardAll(x, st.work);
        st.workHoldsAx = subsets() == 1;
        return r;
    }

    Outcome runSart(std::optional<Volume> start)
    {
        Volume x = startOrZeros(start);
        SartState st = makeSartState();
        for (std::size_t it = 1; it <= m_o.iterations; ++it) {
            if (m_ctx.isCancelled()) {
                return {std::move(x), true};
            }
            // The last complete iterate, returned if a cancel comes between subsets.
            std::optional<Volume> previous;
            if (subsets() > 1) {
                previous = x;
            }
            if (!sartSweep(st, x, m_o.relaxation, it)) {
                return {std::move(*previous), true};
            }
            finishIteration(it, x, sartResidual(st, x));
        }
        return {std::move(x), false};
    }

    // CGLS (Björck 1996, Algorithm 7.4.1) from x₀: r = b − Ax, s = Aᵀr, p = s, γ = ‖s‖²;
    // per iteration q = Ap, α = γ/‖q‖², x += αp, r −= αq, s = Aᵀr, p = s + (‖s‖²/γ)p.
    // ‖r‖ = ‖b − Ax‖ never increases; the residual reported is the recurrence's r.
    Outcome runCgls(std::optional<Volume> start)
    {
        Volume x = startOrZeros(start);
        const std::size_t views = m_b.views();
        ProjectionStack r = ProjectionStack::zeros(m_b.geometry());
        m_projector->forward(x, r, 0, views);
        const std::span<const float> b = m_b.data();
        const std::span<float> rs = r.data();
        parallelFor(rs.size(), [&](std::size_t i) { rs[i] = b[i] - rs[i]; });
        Volume s = Volume::zeros(m_grid);
        m_projector->backAccumulate(r, 0, views, 1.0f, s);
        Volume p = s;
        double gamma = squaredNorm(s.data());
        ProjectionStack q = ProjectionStack::zeros(m_b.geometry());
        for (std::size_t it = 1; it <= m_o.iterations; ++it) {
            if (m_ctx.isCancelled()) {
                return {std::move(x), true};
            }
            if (gamma > 0.0) {
                m_projector->forward(p, q, 0, views);
                const double qq = squaredNorm(q.data());
                const auto alpha = static_cast<float>(qq > 0.0 ? gamma / qq : 0.0);
                const std::span<float> xs = x.data();
                const std::span<const float> ps = p.data();
                parallelFor(xs.size(), [&](std::size_t j) { xs[j] += alpha * ps[j]; });
                const std::span<const float> qs = q.data();
                parallelFor(rs.size(), [&](std::size_t i) { rs[i] -= alpha * qs[i]; });
                std::fill(s.data().begin(), s.data().end(), 0.0f);
                m_projector->backAccumulate(r, 0, views, 1.0f, s);
                const double gammaNext = squaredNorm(s.data());
                const auto beta = static_cast<float>(gammaNext / gamma);
                const std::span<float> pw = p.data();
                const std::span<const float> ss = s.data();
                parallelFor(pw.size(), [&](std::size_t j) { pw[j] = ss[j] + beta * pw[j]; });
                gamma = gammaNext;
            }
            m_ctx.reportProgress(it, m_o.iterations, stage(it));
            const double norm = std::sqrt(squaredNorm(r.data()));
            finishIteration(it, x, m_dataNorm > 0.0 ? norm / m_dataNorm : norm);
        }
        return {std::move(x), false};
    }

    // MLEM/OSEM: per subset x ← x · A_sᵀ(b_s / A_s x) / A_sᵀ1. Voxels no ray of a subset sees
    // are set to 0 by that subset.
    Outcome runEm(std::optional<Volume> start)
    {
        SartState st = makeSartState();
        Volume x = Volume::zeros(m_grid);
        if (start) {
            x = std::move(*start);
            clampNonNegative(x.data());
        } else {
            // The constant whose projections carry the data's total: Σb / Σ_ij a_ij, with the
            // row sums that makeSartState left in `work`.
            const double total = parallelSum(m_b.data().size(), [&](std::size_t i) {
                return static_cast<double>(m_b.data()[i]);
            });
            const double weights = parallelSum(st.work.data().size(), [&](std::size_t i) {
                return static_cast<double>(st.work.data()[i]);
            });
            const double c = weights > 0.0 ? total / weights : 0.0;
            std::fill(x.data().begin(), x.data().end(), static_cast<float>(c));
        }
        const std::span<const float> b = m_b.data();
        const std::span<float> work = st.work.data();
        for (std::size_t it = 1; it <= m_o.iterations; ++it) {
            if (m_ctx.isCancelled()) {
                return {std::move(x), true};
            }
            std::optional<Volume> previous;
            if (subsets() > 1) {
                previous = x;
            }
            const std::vector<std::size_t> order = m_plan.visitOrder(m_rng);
            for (std::size_t n = 0; n < order.size(); ++n) {
                if (n > 0 && m_ctx.isCancelled()) {
                    return {std::move(*previous), true};
                }
                const std::size_t s = order[n];
                if (!st.workHoldsAx) {
                    m_projector->forward(x, st.work, m_plan.first(s), m_plan.views(s));
                }
                st.workHoldsAx = false;
                const std::size_t begin = pixelBegin(s);
                parallelFor(pixelEnd(s) - begin, [&](std::size_t i) {
                    const std::size_t p = begin + i;
                    work[p] = work[p] > kEmProjectionFloor ? b[p] / work[p] : 0.0f;
                });
                std::fill(st.update.data().begin(), st.update.data().end(), 0.0f);
                m_projector->backAccumulate(st.work, m_plan.first(s), m_plan.views(s), 1.0f,
                                            st.update);
                const std::span<const float> c = inverseColumnSums(st, s);
                const std::span<const float> u = st.update.data();
                const std::span<float> xs = x.data();
                parallelFor(xs.size(), [&](std::size_t j) { xs[j] *= u[j] * c[j]; });
                reportSubset(it, n + 1);
            }
            finishIteration(it, x, sartResidual(st, x));
        }
        return {std::move(x), false};
    }

    // L ≈ ‖AᵀA‖₂ by the power method (kPowerIterations, kLipschitzSafety); nullopt if cancelled.
    std::optional<double> lipschitz()
    {
        Volume v = constantVolume(static_cast<float>(1.0 / std::sqrt(m_grid.voxelCount())));
        Volume w = Volume::zeros(m_grid);
        ProjectionStack av = ProjectionStack::zeros(m_b.geometry());
        double estimate = 0.0;
        for (std::size_t k = 0; k < kPowerIterations; ++k) {
            if (m_ctx.isCancelled()) {
                return std::nullopt;
            }
            m_projector->forward(v, av, 0, m_b.views());
            std::fill(w.data().begin(), w.data().end(), 0.0f);
            m_projector->backAccumulate(av, 0, m_b.views(), 1.0f, w);
            estimate = std::sqrt(squaredNorm(w.data())); // ‖v‖ = 1
            if (estimate <= 0.0) {
                break;
            }
            const auto scale = static_cast<float>(1.0 / estimate);
            const std::span<float> vs = v.data();
            const std::span<const float> ws = w.data();
            parallelFor(vs.size(), [&](std::size_t j) { vs[j] = ws[j] * scale; });
        }
        // No ray crosses the grid: A = 0, any step is as good.
        return estimate > 0.0 ? kLipschitzSafety * estimate : 1.0;
    }

    // FISTA (Beck & Teboulle 2009) on ½‖Ax − b‖²/L + λ_TV·TV(x), x ≥ 0:
    // y = x + ((t−1)/t')(x − x_prev); x' = prox_TV(y − Aᵀ(Ay − b)/L); Ay is the same
    // combination of Ax and Ax_prev, so each iteration costs one projection and one
    // backprojection and the residual of x' comes for free.
    Outcome runFista(std::optional<Volume> start)
    {
        Volume x = startOrZeros(start);
        clampNonNegative(x.data());
        const std::optional<double> lip = lipschitz();
        if (!lip) {
            return {std::move(x), true};
        }
        const auto step = static_cast<float>(1.0 / *lip);
        const std::size_t views = m_b.views();
        ProjectionStack ax = ProjectionStack::zeros(m_b.geometry());
        m_projector->forward(x, ax, 0, views);
        ProjectionStack axPrev = ax;
        ProjectionStack g = ProjectionStack::zeros(m_b.geometry());
        Volume xPrev = x;
        Volume y = Volume::zeros(m_grid);
        Volume grad = Volume::zeros(m_grid);
        const std::span<const float> b = m_b.data();
        double t = 1.0;
        for (std::size_t it = 1; it <= m_o.iterations; ++it) {
            if (m_ctx.isCancelled()) {
                return {std::move(x), true};
            }
            const double tNext = 0.5 * (1.0 + std::sqrt(1.0 + 4.0 * t * t));
            const auto momentum = static_cast<float>((t - 1.0) / tNext);
            {
                const std::span<const float> xs = x.data();
                const std::span<const float> xp = xPrev.data();
                const std::span<float> ys = y.data();
                parallelFor(ys.size(),
                            [&](std::size_t j) { ys[j] = xs[j] + momentum * (xs[j] - xp[j]); });
                const std::span<const float> a = ax.data();
                const std::span<const float> ap = axPrev.data();
                const std::span<float> gs = g.data();
                parallelFor(gs.size(), [&](std::size_t i) {
                    gs[i] = a[i] + momentum * (a[i] - ap[i]) - b[i];
                });
            }
            std::fill(grad.data().begin(), grad.data().end(), 0.0f);
            m_projector->backAccumulate(g, 0, views, 1.0f, grad);
            {
                const std::span<float> ys = y.data();
                const std::span<const float> gr = grad.data();
                parallelFor(ys.size(), [&](std::size_t j) { ys[j] -= step * gr[j]; });
            }
            detail::tvProximal(y.data(), m_grid.size(), m_o.tvWeight, m_o.tvIterations, true);
            std::swap(xPrev, x);
            std::swap(x, y);
            std::swap(axPrev, ax);
            const double residual = forwardAll(x, ax);
            t = tNext;
            m_ctx.reportProgress(it, m_o.iterations, stage(it));
            finishIteration(it, x, residual);
        }
        return {std::move(x), false};
    }

    // The POCS family (Sidky, Kao & Pan 2006; Sidky & Pan 2008; Liu et al. 2012): per
    // iteration an OS-SART sweep with relaxation β (then β ← β·relaxationReduction), then
    // tvIterations normalised steepest-descent steps on (AW)TV of total length up to n_g·dtvg.
    // TV-POCS sets dtvg = α·dp every iteration (dp = the sweep's change ‖Δx‖); ASD-POCS and
    // AwTV-POCS set it once and multiply it by αReduction whenever the TV change dg exceeds
    // rMax·dp while the residual is above ε. The residual compared with ε is that of the
    // estimate after the TV steps (the one the history reports), not after the sweep as in
    // Sidky & Pan's listing: it saves a projection per iteration.
    Outcome runPocs(std::optional<Volume> start)
    {
        Volume x = startOrZeros(start);
        SartState st = makeSartState();
        const bool adaptive = m_algorithm != IterativeAlgorithm::TvPocs;
        const double delta = m_algorithm == IterativeAlgorithm::AwtvPocs ? m_o.delta : 0.0;
        double beta = m_o.relaxation;
        double dtvg = 0.0;
        Volume before = Volume::zeros(m_grid);
        Volume gradient = Volume::zeros(m_grid);
        for (std::size_t it = 1; it <= m_o.iterations; ++it) {
            if (m_ctx.isCancelled()) {
                return {std::move(x), true};
            }
            std::copy(x.data().begin(), x.data().end(), before.data().begin());
            if (!sartSweep(st, x, beta, it)) {
                return {std::move(before), true};
            }
            const double dp = std::sqrt(squaredDistance(x.data(), before.data()));
            if (!adaptive || it == 1) {
                dtvg = m_o.alpha * dp;
            }
            std::copy(x.data().begin(), x.data().end(), before.data().begin());
            const std::span<float> xs = x.data();
            const std::span<const float> gs = gradient.data();
            for (std::size_t k = 0; k < m_o.tvIterations; ++k) {
                detail::tvGradient(x.data(), m_grid.size(), delta, gradient.data());
                const double norm = std::sqrt(squaredNorm(gradient.data()));
                if (norm <= 0.0) {
                    break;
                }
                const auto scale = static_cast<float>(dtvg / norm);
                parallelFor(xs.size(), [&](std::size_t j) { xs[j] -= scale * gs[j]; });
            }
            const double dg = std::sqrt(squaredDistance(x.data(), before.data()));
            const double residual = sartResidual(st, x);
            if (adaptive && dg > m_o.rMax * dp && residual > m_o.epsilon) {
                dtvg *= m_o.alphaReduction;
            }
            beta *= m_o.relaxationReduction;
            finishIteration(it, x, residual);
        }
        return {std::move(x), false};
    }

    const SubsetPlan& m_plan;
    const ProjectionStack& m_b;
    double m_dataNorm;
    VolumeGrid m_grid;
    IterativeAlgorithm m_algorithm;
    const IterativeOptions& m_o;
    RunContext& m_ctx;
    RunState& m_state;
    std::unique_ptr<Projector> m_projector;
    std::mt19937_64 m_rng;
};

std::size_t subsetCount(IterativeAlgorithm algorithm, const IterativeOptions& o, std::size_t views)
{
    switch (algorithm) {
    case IterativeAlgorithm::Sart:
        return views;
    case IterativeAlgorithm::OsSart:
    case IterativeAlgorithm::Osem:
    case IterativeAlgorithm::TvPocs:
    case IterativeAlgorithm::AsdPocs:
    case IterativeAlgorithm::AwtvPocs:
        return o.subsets;
    default:
        return 1;
    }
}
} // namespace

std::string_view toString(IterativeAlgorithm algorithm)
{
    for (const AlgorithmName& a : kAlgorithms) {
        if (a.algorithm == algorithm) {
            return a.id;
        }
    }
    return "unknown";
}

IterativeAlgorithm parseIterativeAlgorithm(std::string_view text, std::string_view field)
{
    std::string accepted = "accepted:";
    for (const AlgorithmName& a : kAlgorithms) {
        if (text == a.id) {
            return a.algorithm;
        }
        accepted += (accepted.back() == ':' ? " " : ", ") + std::string(a.id);
    }
    throwInvalid(std::string(field), "\"" + std::string(text) + "\"", accepted);
}

std::string_view toString(SubsetOrder order)
{
    switch (order) {
    case SubsetOrder::Sequential:
        return "sequential";
    case SubsetOrder::Interleaved:
        return "interleaved";
    case SubsetOrder::Random:
        return "random";
    }
    return "unknown";
}

SubsetOrder parseSubsetOrder(std::string_view text, std::string_view field)
{
    for (SubsetOrder o : {SubsetOrder::Sequential, SubsetOrder::Interleaved, SubsetOrder::Random}) {
        if (text == toString(o)) {
            return o;
        }
    }
    throwInvalid(std::string(field), "\"" + std::string(text) + "\"",
                 "accepted: sequential, interleaved, random");
}

void IterativeOptions::validate() const
{
    const auto within = [](double v, double lo, double hi) {
        return std::isfinite(v) && v > lo && v < hi;
    };
    if (iterations == 0) {
        throwInvalid("reconstruction.iterations", "0", "must be at least 1");
    }
    if (!within(relaxation, 0.0, 2.0)) {
        throwInvalid("reconstruction.relaxation", formatValue(relaxation),
                     "must lie in (0, 2), where the SIRT/SART family converges");
    }
    if (!within(relaxationReduction, 0.0, 1.0) && relaxationReduction != 1.0) {
        throwInvalid("reconstruction.relaxation_reduction", formatValue(relaxationReduction),
                     "must lie in (0, 1]");
    }
    if (subsets == 0) {
        throwInvalid("reconstruction.subsets", "0", "must be at least 1");
    }
    if (projector != ProjectorModel::Joseph && projector != ProjectorModel::Siddon) {
        throwInvalid("reconstruction.projector", "\"" + std::string(toString(projector)) + "\"",
                     "accepted: joseph, siddon (iterative methods need a forward projector and "
                     "its exact transpose)");
    }
    if (!std::isfinite(tvWeight) || tvWeight < 0.0) {
        throwInvalid("reconstruction.tv_weight", formatValue(tvWeight),
                     "must be finite and at least 0 (mm^-1)");
    }
    if (tvIterations == 0) {
        throwInvalid("reconstruction.tv_iterations", "0", "must be at least 1");
    }
    if (!within(alpha, 0.0, HUGE_VAL)) {
        throwInvalid("reconstruction.alpha", formatValue(alpha), "must be finite and above 0");
    }
    if (!within(alphaReduction, 0.0, 1.0) && alphaReduction != 1.0) {
        throwInvalid("reconstruction.alpha_reduction", formatValue(alphaReduction),
                     "must lie in (0, 1]");
    }
    if (!within(rMax, 0.0, HUGE_VAL)) {
        throwInvalid("reconstruction.r_max", formatValue(rMax), "must be finite and above 0");
    }
    if (!std::isfinite(epsilon) || epsilon < 0.0) {
        throwInvalid("reconstruction.epsilon", formatValue(epsilon),
                     "must be finite and at least 0 (a relative residual)");
    }
    if (!within(delta, 0.0, HUGE_VAL)) {
        throwInvalid("reconstruction.delta", formatValue(delta),
                     "must be finite and above 0 (mm^-1)");
    }
    if (multiResolution && initial) {
        throwInvalid("reconstruction.multi_resolution", "true",
                     "cannot be combined with a warm start (reconstruction.initial): the coarse "
                     "levels would discard it");
    }
}

IterativeResult reconstructIterative(const ProjectionStack& projections, const VolumeGrid& grid,
                                     IterativeAlgorithm algorithm, const IterativeOptions& options,
                                     ComputeContext& compute, RunContext& ctx)
{
    RunState state{Clock::now(), {}, 0, false};
    options.validate();
    checkProjectable(projections.geometry(), grid);
    checkProjections(projections, isEm(algorithm), algorithm);
    if (options.initial && options.initial->grid() != grid) {
        throwInvalid("reconstruction.initial",
                     "a volume of " + describeGrid(options.initial->grid()),
                     "a warm start must lie on the reconstruction grid (" + describeGrid(grid) +
                         ", origin and direction equal)");
    }
    std::vector<VolumeGrid> levels{grid};
    if (options.multiResolution) {
        const auto tooLarge = [](const VolumeGrid& g) {
            return std::any_of(g.size().begin(), g.size().end(),
                               [](std::size_t n) { return n > kCoarsestEdge; });
        };
        while (tooLarge(levels.back())) {
            levels.push_back(coarsen(levels.back()));
        }
    }
    std::optional<Volume> start;
    if (options.initial) {
        start = *options.initial;
    }
    const std::size_t subsets = subsetCount(algorithm, options, projections.views());
    for (std::size_t level = levels.size(); level-- > 0;) {
        state.level = level;
        state.coarse = level > 0;
        // Coarse levels work on binned projections (binProjections).
        std::optional<ProjectionStack> binned;
        if (level > 0) {
            const Binning bin = binFactors(projections.geometry(), levels[level]);
            if (bin.fu > 1 || bin.fv > 1 || bin.viewStride > 1) {
                binned = binProjections(projections, bin.fu, bin.fv, bin.viewStride);
            }
        }
        const ProjectionStack& data = binned ? *binned : projections;
        const SubsetPlan plan(data, subsets, options.order, options.seed);
        const double dataNorm = std::sqrt(squaredNorm(data.data()));
        LevelSolver solver(plan, dataNorm, levels[level], algorithm, options, compute, ctx, state);
        Outcome outcome = solver.run(std::move(start));
        if (level == 0 || outcome.stopped) {
            Volume volume = level == 0 ? std::move(outcome.volume) : prolong(outcome.volume, grid);
            return {std::move(volume), std::move(state.history), outcome.stopped};
        }
        start = prolong(outcome.volume, levels[level - 1]);
    }
    return {Volume::zeros(grid), std::move(state.history), false};
}
} // namespace tomo
