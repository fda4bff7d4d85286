#include "tomo/error.h"
#include "tomo/ui/job_runner.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTest>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace tomo::ui
{
namespace
{
using namespace std::chrono_literals;

// Generous bound for a trivial job to start and finish on a loaded CI machine.
constexpr int kFinishTimeoutMs = 10'000;
// DESIGN.md §6 / the walking-skeleton issue: Cancel must stop a polling job within 0.5 s.
constexpr qint64 kMaxCancelLatencyMs = 500;
constexpr int kPreviewCount = 1000;
// A job that never sees cancel gives up after this long, so a broken cancel fails the test
// instead of hanging it.
constexpr auto kRunawayLimit = 20s;

/// A job that runs until cancelled, polling like the core does between batches.
JobRunner::Work pollingJob(std::shared_ptr<std::atomic<bool>> started = {})
{
    return [started](RunContext& ctx) -> std::any {
        if (started) {
            started->store(true);
        }
        const auto begin = std::chrono::steady_clock::now();
        while (std::chrono::steady_clock::now() - begin < kRunawayLimit) {
            ctx.throwIfCancelled();
            std::this_thread::sleep_for(1ms);
        }
        return std::string("ran away");
    };
}

bool waitFinished(Job* job, int timeoutMs = kFinishTimeoutMs)
{
    if (job->isFinished()) {
        return true;
    }
    QSignalSpy spy(job, &Job::finished);
    return spy.wait(timeoutMs) || job->isFinished();
}

TEST(JobRunner, SucceedsAndDeliversTheResult)
{
    JobRunner runner;
    Job* job = runner.start("answer", [](RunContext& ctx) -> std::any {
        ctx.reportProgress(1, 2, "thinking");
        return 42;
    });
    EXPECT_EQ(job->state(), JobState::Queued);
    QSignalSpy states(job, &Job::stateChanged);
    ASSERT_TRUE(waitFinished(job));
    EXPECT_EQ(job->state(), JobState::Succeeded);
    EXPECT_EQ(std::any_cast<int>(job->result()), 42);
    EXPECT_TRUE(job->errorMessage().isEmpty());
    ASSERT_GE(states.count(), 2);
    EXPECT_EQ(states.first().at(0).value<JobState>(), JobState::Running);
    EXPECT_EQ(states.last().at(0).value<JobState>(), JobState::Succeeded);
    EXPECT_EQ(job->progressMessage(), QString("thinking"));
}

TEST(JobRunner, FailsWithTheExceptionMessage)
{
    JobRunner runner;
    Job* job = runner.start("bad", [](RunContext&) -> std::any {
        throw InvalidArgument("geometry.views = 0 is invalid: a positive count");
    });
    ASSERT_TRUE(waitFinished(job));
    EXPECT_EQ(job->state(), JobState::Failed);
    EXPECT_EQ(job->errorMessage(), QString("geometry.views = 0 is invalid: a positive count"));
    EXPECT_FALSE(job->result().has_value());
}

TEST(JobRunner, FailsOnNonStandardExceptions)
{
    JobRunner runner;
    Job* job = runner.start("odd", [](RunContext&) -> std::any { throw 7; });
    ASSERT_TRUE(waitFinished(job));
    EXPECT_EQ(job->state(), JobState::Failed);
    EXPECT_FALSE(job->errorMessage().isEmpty());
}

TEST(JobRunner, CancelStopsAPollingJobWithinHalfASecond)
{
    JobRunner runner;
    auto started = std::make_shared<std::atomic<bool>>(false);
    Job* job = runner.start("poll", pollingJob(started));
    QSignalSpy states(job, &Job::stateChanged);
    ASSERT_TRUE(
        QTest::qWaitFor([&] { return job->state() == JobState::Running; }, kFinishTimeoutMs));
    ASSERT_TRUE(started->load());

    QElapsedTimer timer;
    timer.start();
    job->cancel();
    ASSERT_TRUE(waitFinished(job, static_cast<int>(kMaxCancelLatencyMs)))
        << "not finished " << kMaxCancelLatencyMs << " ms after cancel";
    const qint64 latency = timer.elapsed();
    EXPECT_EQ(job->state(), JobState::Cancelled);
    EXPECT_LT(latency, kMaxCancelLatencyMs) << "cancel latency " << latency << " ms";
}

/// A job that publishes a preview numbered 1, 2, 3, ... every millisecond until cancelled,
/// counting them in `published`.
JobRunner::Work countingJob(std::shared_ptr<std::atomic<int>> published)
{
    return [published](RunContext& ctx) -> std::any {
        const auto begin = std::chrono::steady_clock::now();
        while (std::chrono::steady_clock::now() - begin < kRunawayLimit) {
            ctx.throwIfCancelled();
            ctx.reportProgress(static_cast<std::size_t>(published->load()), 1000, "counting");
            std::this_thread::sleep_for(1ms);
            Preview p;
            p.viewsDone = static_cast<std::size_t>(published->load() + 1);
            ++*published;
            ctx.publishPreview(std::move(p));
        }
        return std::string("ran away");
    };
}

// Pause holds the work at its next safe point, Step runs it to exactly one more preview, Resume
// lets it go on, and Cancel ends a paused job within the cancel latency.
TEST(JobRunner, PauseStepResumeAndCancelWhilePaused)
{
    // Long enough for a running job to publish tens of previews (one per ~1 ms).
    constexpr int kObserveMs = 150;
    JobRunner runner;
    auto published = std::make_shared<std::atomic<int>>(0);
    Job* job = runner.start("count", countingJob(published));
    ASSERT_TRUE(QTest::qWaitFor([&] { return published->load() > 5; }, kFinishTimeoutMs));

    job->setPaused(true);
    EXPECT_TRUE(job->isPaused());
    QTest::qWait(kObserveMs); // the worker reaches its next safe point and waits there
    const int held = published->load();
    QTest::qWait(kObserveMs);
    EXPECT_EQ(published->load(), held) << "the work went on while paused";

    job->step();
    ASSERT_TRUE(QTest::qWaitFor([&] { return published->load() == held + 1; }, kFinishTimeoutMs));
    QTest::qWait(kObserveMs);
    EXPECT_EQ(published->load(), held + 1) << "a step published more than one preview";

    job->setPaused(false);
    ASSERT_TRUE(QTest::qWaitFor([&] { return published->load() > held + 10; }, kFinishTimeoutMs));

    job->setPaused(true);
    QTest::qWait(kObserveMs);
    QElapsedTimer timer;
    timer.start();
    job->cancel();
    ASSERT_TRUE(waitFinished(job, static_cast<int>(kMaxCancelLatencyMs)));
    EXPECT_LT(timer.elapsed(), kMaxCancelLatencyMs);
    EXPECT_EQ(job->state(), JobState::Cancelled);
}

TEST(JobRunner, CancelledBeforeStartNeverRuns)
{
    JobRunner runner;
    Job* blocker = runner.start("blocker", pollingJob());
    auto ran = std::make_shared<std::atomic<bool>>(false);
    Job* queued = runner.start("queued", [ran](RunContext&) -> std::any {
        ran->store(true);
        return 1;
    });
    queued->cancel();
    blocker->cancel();
    ASSERT_TRUE(waitFinished(blocker));
    ASSERT_TRUE(waitFinished(queued));
    EXPECT_EQ(blocker->state(), JobState::Cancelled);
    EXPECT_EQ(queued->state(), JobState::Cancelled);
    EXPECT_FALSE(ran->load());
}

TEST(JobRunner, PreviewsAreCoalescedWhileTheUiIsBusy)
{
    JobRunner runner;
    Job* job = runner.start("previews", [](RunContext& ctx) -> std::any {
        for (int i = 0; i < kPreviewCount; ++i) {
            Preview p;
            p.viewsDone = static_cast<std::size_t>(i);
            p.stage = "preview " + std::to_string(i);
            ctx.publishPreview(std::move(p));
        }
        return kPreviewCount;
    });
    std::vector<std::size_t> delivered;
    int notices = 0;
    QObject::connect(job, &Job::previewReady, [&] {
        ++notices;
        if (auto p = job->takePreview()) {
            delivered.push_back(p->viewsDone);
        }
    });
    // The UI thread is busy (blocked) for the whole job: nothing may pile up meanwhile.
    ASSERT_TRUE(runner.waitForIdle(std::chrono::milliseconds(kFinishTimeoutMs)));
    ASSERT_TRUE(waitFinished(job));
    EXPECT_EQ(notices, 1) << "one notice in flight at most";
    ASSERT_EQ(delivered.size(), 1U);
    EXPECT_EQ(delivered.back(), static_cast<std::size_t>(kPreviewCount - 1)) << "newest wins";
}

TEST(JobRunner, PreviewsEndWithTheNewestWhileTheUiKeepsUp)
{
    JobRunner runner;
    Job* job = runner.start("previews", [](RunContext& ctx) -> std::any {
        for (int i = 0; i < kPreviewCount; ++i) {
            Preview p;
            p.viewsDone = static_cast<std::size_t>(i);
            ctx.publishPreview(std::move(p));
            if (i % 100 == 0) {
                std::this_thread::sleep_for(2ms);
            }
        }
        return 0;
    });
    std::vector<std::size_t> delivered;
    QObject::connect(job, &Job::previewReady, [&] {
        if (auto p = job->takePreview()) {
            delivered.push_back(p->viewsDone);
        }
    });
    ASSERT_TRUE(waitFinished(job));
    QCoreApplication::processEvents();
    ASSERT_FALSE(delivered.empty());
    EXPECT_LT(delivered.size(), static_cast<std::size_t>(kPreviewCount));
    EXPECT_TRUE(std::is_sorted(delivered.begin(), delivered.end()));
    EXPECT_EQ(delivered.back(), static_cast<std::size_t>(kPreviewCount - 1));
}

TEST(JobRunner, ProgressIsThrottledAndEndsWithTheLatestValue)
{
    JobRunner runner;
    constexpr std::size_t kReports = 100'000;
    Job* job = runner.start("progress", [](RunContext& ctx) -> std::any {
        for (std::size_t i = 1; i <= kReports; ++i) {
            ctx.reportProgress(i, kReports, "counting");
        }
        return 0;
    });
    QSignalSpy progress(job, &Job::progressChanged);
    ASSERT_TRUE(runner.waitForIdle(std::chrono::milliseconds(kFinishTimeoutMs)));
    ASSERT_TRUE(waitFinished(job));
    // With the UI thread blocked, one notice was in flight; it reads the newest values.
    EXPECT_EQ(progress.count(), 1);
    EXPECT_DOUBLE_EQ(job->progress(), 1.0);
}

// Work that builds a preview only when its host asks for one (as the core's producers do), in
// batches of about 1 ms, until cancelled; counts batches done and previews published.
struct PoliteCounts
{
    std::atomic<std::size_t> batches{0};
    std::atomic<std::size_t> published{0};
};

JobRunner::Work politeJob(std::shared_ptr<PoliteCounts> counts)
{
    return [counts](RunContext& ctx) -> std::any {
        const auto begin = std::chrono::steady_clock::now();
        while (std::chrono::steady_clock::now() - begin < kRunawayLimit) {
            ctx.throwIfCancelled();
            std::this_thread::sleep_for(1ms);
            const std::size_t done = ++counts->batches;
            ctx.reportProgress(done, 1'000'000, "batch");
            if (ctx.wantsPreviews()) {
                ++counts->published;
                Preview p;
                p.viewsDone = done;
                ctx.publishPreview(std::move(p));
            }
        }
        return std::string("ran away");
    };
}

// Running freely, the work is asked for a preview at most every kPreviewInterval (the first
// batch shows at once) and always for a stage's last unit: the whole sinogram, the last iterate.
TEST(JobRunner, PreviewsAreAskedForAtMostEveryIntervalAndAtTheEndOfAStage)
{
    constexpr std::size_t kBatches = 200;
    JobRunner runner;
    auto wanted = std::make_shared<std::vector<std::size_t>>();
    Job* job = runner.start("batches", [wanted](RunContext& ctx) -> std::any {
        const auto begin = std::chrono::steady_clock::now();
        for (std::size_t i = 1; i <= kBatches; ++i) {
            std::this_thread::sleep_for(1ms);
            ctx.reportProgress(i, kBatches, "batch");
            if (ctx.wantsPreviews()) {
                wanted->push_back(i);
                Preview p;
                p.viewsDone = i;
                ctx.publishPreview(std::move(p));
            }
        }
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
    });
    ASSERT_TRUE(waitFinished(job));
    ASSERT_EQ(job->state(), JobState::Succeeded);
    const double seconds = std::any_cast<double>(job->result());
    const double interval = std::chrono::duration<double>(QtRunContext::kPreviewInterval).count();
    ASSERT_FALSE(wanted->empty());
    EXPECT_EQ(wanted->front(), 1U) << "the first batch shows at once";
    EXPECT_EQ(wanted->back(), kBatches) << "a stage's last unit always shows";
    // One at the start, one per interval, and the last.
    EXPECT_LE(wanted->size(), static_cast<std::size_t>(seconds / interval) + 2)
        << wanted->size() << " previews in " << seconds << " s";
}

// While paused, a step runs the work to its next safe point and that point publishes, however
// short the time since the last preview: a step is one batch, not one kPreviewInterval.
TEST(JobRunner, AStepWhilePausedRunsOneBatchAndShowsIt)
{
    constexpr int kObserveMs = 100;
    JobRunner runner;
    auto counts = std::make_shared<PoliteCounts>();
    Job* job = runner.start("polite", politeJob(counts));
    std::size_t shown = 0;
    QObject::connect(job, &Job::previewReady, [&] {
        if (auto p = job->takePreview()) {
            shown = p->viewsDone;
        }
    });
    ASSERT_TRUE(QTest::qWaitFor([&] { return counts->batches.load() > 5; }, kFinishTimeoutMs));
    job->setPaused(true);
    QTest::qWait(kObserveMs);
    // The first step ends at a preview; the second starts right after it, well inside the
    // interval, so only the pause makes its batch publish.
    for (int step = 0; step < 2; ++step) {
        const std::size_t batches = counts->batches.load();
        const std::size_t published = counts->published.load();
        job->step();
        ASSERT_TRUE(QTest::qWaitFor([&] { return counts->published.load() == published + 1; },
                                    kFinishTimeoutMs));
        if (step == 1) {
            QTest::qWait(kObserveMs);
            EXPECT_EQ(counts->batches.load(), batches + 1) << "the step ran more than one batch";
            EXPECT_EQ(counts->published.load(), published + 1);
            EXPECT_EQ(shown, batches + 1) << "the step's preview shows its batch";
        }
    }
    job->cancel();
    ASSERT_TRUE(waitFinished(job));
}

TEST(JobRunner, DestructionCancelsAndWaitsForRunningJobs)
{
    auto runner = std::make_unique<JobRunner>();
    auto started = std::make_shared<std::atomic<bool>>(false);
    auto stopped = std::make_shared<std::atomic<bool>>(false);
    Job* job = runner->start("poll", [started, stopped](RunContext& ctx) -> std::any {
        started->store(true);
        const auto begin = std::chrono::steady_clock::now();
        while (!ctx.isCancelled() && std::chrono::steady_clock::now() - begin < kRunawayLimit) {
            std::this_thread::sleep_for(1ms);
        }
        stopped->store(ctx.isCancelled());
        return 0;
    });
    (void)job;
    ASSERT_TRUE(QTest::qWaitFor([&] { return started->load(); }, kFinishTimeoutMs));
    QElapsedTimer timer;
    timer.start();
    runner.reset();
    EXPECT_TRUE(stopped->load()) << "the job returned without seeing the cancel";
    EXPECT_LT(timer.elapsed(), kMaxCancelLatencyMs);
}
} // namespace
} // namespace tomo::ui
