#include "common/test_support.h"
#include "tomo/error.h"
#include "tomo/phantom.h"
#include "tomo/projector.h"
#include "tomo/run_context.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

namespace tomo
{
namespace
{
// Records what an algorithm reports and cancels after a given number of previews.
class RecordingContext final : public RunContext
{
public:
    explicit RecordingContext(std::size_t cancelAfter, bool wants = true)
        : m_cancelAfter(cancelAfter), m_wants(wants)
    {}
    [[nodiscard]] bool isCancelled() const override { return previews.size() >= m_cancelAfter; }
    void reportProgress(std::size_t done, std::size_t total, std::string_view) override
    {
        progress.emplace_back(done, total);
    }
    void publishPreview(Preview p) override { previews.push_back(std::move(p)); }
    [[nodiscard]] bool wantsPreviews() const override { return m_wants; }

    std::vector<std::pair<std::size_t, std::size_t>> progress;
    std::vector<Preview> previews;

private:
    std::size_t m_cancelAfter;
    bool m_wants;
};

// The 40-view parallel scan of a 24² square of ones (32 columns), projected in batches of 10
// views with `host` as the context.
ProjectionStack projectSquare(RunContext& host)
{
    const Geometry g = test::circular2D(BeamType::Parallel2D, 40, 32, 1.0);
    Volume v = Volume::zeros(VolumeGrid::centred({24, 24, 1}, {1, 1, 1}));
    std::fill(v.data().begin(), v.data().end(), 1.0f);
    auto compute = ComputeContext::create("cpu");
    return forwardProject(*makeProjector(ProjectorModel::Joseph, *compute), v, g, host, 10);
}

TEST(RunContext, ForwardProjectionPublishesBatchesAndStopsWhenCancelled)
{
    RecordingContext all(1000);
    ProjectionStack full = projectSquare(all);
    ASSERT_EQ(all.previews.size(), 4u);
    EXPECT_EQ(all.progress.back(), (std::pair<std::size_t, std::size_t>{40, 40}));
    // One buffer for the stage, each view copied into it once; every view a snapshot calls done
    // holds the final value.
    for (std::size_t i = 0; i < all.previews.size(); ++i) {
        EXPECT_EQ(all.previews[i].viewsDone, 10 * (i + 1));
        EXPECT_EQ(all.previews[i].projections, all.previews[0].projections);
    }
    const ProjectionStack& shown = *all.previews.back().projections;
    EXPECT_TRUE(std::ranges::equal(shown.data(), full.data()));
    EXPECT_GT(full.view(20)[16], 0.0f);
    // The snapshot is not the producer's stack: changing the result leaves it as published.
    full.view(20)[16] = -1.0f;
    EXPECT_GT(shown.view(20)[16], 0.0f);
    RecordingContext stopAfterTwo(2);
    EXPECT_THROW((void)projectSquare(stopAfterTwo), Cancelled);
    EXPECT_EQ(stopAfterTwo.previews.size(), 2u);
}

// Wants a preview at every other batch: a skipped batch's views arrive with the next snapshot.
class EveryOtherContext final : public RunContext
{
public:
    [[nodiscard]] bool isCancelled() const override { return false; }
    void reportProgress(std::size_t, std::size_t, std::string_view) override {}
    [[nodiscard]] bool wantsPreviews() const override { return (++m_asked % 2) == 0; }
    void publishPreview(Preview p) override { previews.push_back(std::move(p)); }
    std::vector<Preview> previews;

private:
    mutable std::size_t m_asked = 0;
};

TEST(RunContext, ASnapshotAfterSkippedBatchesHoldsTheirViewsToo)
{
    EveryOtherContext host;
    const ProjectionStack full = projectSquare(host);
    ASSERT_EQ(host.previews.size(), 2u);
    EXPECT_EQ(host.previews[0].viewsDone, 20u);
    EXPECT_EQ(host.previews[1].viewsDone, 40u);
    EXPECT_TRUE(std::ranges::equal(host.previews[1].projections->data(), full.data()));
}

// A producer that reports fewer views than before cannot take back what receivers hold.
TEST(RunContext, ASnapshotNeverCallsFewerViewsDoneThanTheOneBefore)
{
    const Geometry g = test::circular2D(BeamType::Parallel2D, 40, 32, 1.0);
    ProjectionStack partial = ProjectionStack::zeros(g);
    std::fill(partial.data().begin(), partial.data().end(), 2.0f);
    RecordingContext host(1000);
    ProjectionPreviews previews(host, "test");
    previews.publish(partial, 20);
    previews.publish(partial, 10);
    previews.publish(partial, 400); // more than the stack holds: all of it
    ASSERT_EQ(host.previews.size(), 3u);
    EXPECT_EQ(host.previews[1].viewsDone, 20u);
    EXPECT_EQ(host.previews[2].viewsDone, 40u);
    EXPECT_TRUE(std::ranges::equal(host.previews[2].projections->data(), partial.data()));
}

TEST(RunContext, NoSnapshotIsBuiltForAHostThatWantsNone)
{
    RecordingContext none(1000, false);
    (void)projectSquare(none);
    EXPECT_TRUE(none.previews.empty());
    EXPECT_EQ(none.progress.size(), 4u);
}

TEST(RunContext, NullContextIsNeverCancelled)
{
    NullRunContext ctx;
    EXPECT_FALSE(ctx.isCancelled());
    EXPECT_NO_THROW(ctx.throwIfCancelled());
}

// Cancels once it has seen `cancelAfter` progress reports.
class ProgressCountingContext final : public RunContext
{
public:
    explicit ProgressCountingContext(std::size_t cancelAfter) : m_cancelAfter(cancelAfter) {}
    [[nodiscard]] bool isCancelled() const override { return reports.size() >= m_cancelAfter; }
    void reportProgress(std::size_t done, std::size_t total, std::string_view) override
    {
        reports.emplace_back(done, total);
    }
    std::vector<std::pair<std::size_t, std::size_t>> reports;

private:
    std::size_t m_cancelAfter;
};

TEST(RunContext, VoxelisingReportsRowsAndStopsWhenCancelled)
{
    const Phantom phantom = sheppLogan3D(SheppLoganVariant::Modified, 30.0, 0.02);
    const VolumeGrid grid = VolumeGrid::centred({32, 32, 24}, {2, 2, 2});
    ProgressCountingContext all(1000000);
    const Volume withContext = rasterise(phantom, grid, 2, all);
    // The same voxels as without a context, and progress that ends at every row done.
    const Volume plain = rasterise(phantom, grid, 2);
    EXPECT_TRUE(std::ranges::equal(withContext.data(), plain.data()));
    ASSERT_FALSE(all.reports.empty());
    EXPECT_EQ(all.reports.back(), std::make_pair(std::size_t{32 * 24}, std::size_t{32 * 24}));
    for (std::size_t r = 1; r < all.reports.size(); ++r) {
        EXPECT_LE(all.reports[r - 1].first, all.reports[r].first) << "progress went back";
    }

    // Cancelled once the first report (before any row) is in: thread 0 stops at its next row,
    // and a cancel it had no row left to see is still honoured at the end. (Cancelling after the
    // third report failed under load: thread 0 may compute fewer than three rows.)
    ProgressCountingContext early(1);
    EXPECT_THROW((void)rasterise(phantom, grid, 2, early), Cancelled);
    EXPECT_LT(early.reports.size(), all.reports.size()) << "it stopped reporting rows early";
}
} // namespace
} // namespace tomo
