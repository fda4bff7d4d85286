#pragma once

#include "tomo/run_context.h"

#include <QObject>
#include <QString>

#include <any>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

class QThreadPool;

namespace tomo::ui
{
/// Life of a job (kept in the UI layer, STYLE.md B.4): Queued → Running → one final state.
enum class JobState
{
    Queued,
    Running,
    Succeeded,
    Failed,
    Cancelled,
};

[[nodiscard]] QString toString(JobState state);
[[nodiscard]] constexpr bool isFinal(JobState state)
{
    return state == JobState::Succeeded || state == JobState::Failed ||
           state == JobState::Cancelled;
}

class Job;

/// The Qt side of tomo::RunContext (STYLE.md B.4), shared by a Job (UI thread) and the worker
/// running it. Thread contract: the worker calls reportProgress / publishPreview; anyone may call
/// cancel() and isCancelled(). It never touches a QObject directly: it posts queued calls to its
/// Job, under a mutex that the Job's destructor also takes, so nothing is posted to a dead Job.
///  - cancel: a std::atomic<bool>;
///  - progress: stored atomically, posted at most every kProgressInterval;
///  - previews: asked for (wantsPreviews) at most every kPreviewInterval, and at every safe point
///    while paused or stepping and at the end of a stage; a one-slot mailbox, newest wins, at
///    most one "preview ready" notice in flight;
///  - pause: while paused, the worker waits (on a condition variable, not in Qt) at its next safe
///    point: a progress report or a published preview. step() lets it run to its next preview
///    (one view batch or one iteration) and wait again. cancel() always wakes it.
class QtRunContext final : public RunContext
{
public:
    /// Shortest time between two progress notices posted to the UI thread.
    static constexpr std::chrono::milliseconds kProgressInterval{200};
    /// Shortest time between two previews the work is asked for while it runs freely. Each
    /// preview costs the worker a copy (a volume, new projection views) and the UI thread a
    /// redraw of the sinogram, slices and plots; five a second follow a run smoothly. Publishing
    /// every batch instead made the helical example (1080 views of 256 x 200, batches of 24) take
    /// twice as long in the app as in the CLI on two cores (2026-11-21).
    static constexpr std::chrono::milliseconds kPreviewInterval{200};

    QtRunContext() = default;

    [[nodiscard]] bool isCancelled() const override;
    void cancel();
    /// Pauses (true) or resumes (false) the work at its next safe point. Any thread.
    void setPaused(bool paused);
    [[nodiscard]] bool isPaused() const;
    /// While paused: lets the work run until it publishes its next preview. Any thread.
    void step();
    void reportProgress(std::size_t done, std::size_t total, std::string_view message) override;
    void publishPreview(Preview preview) override;
    /// True while paused or stepping (each step ends at a preview), once the current stage has
    /// reported its last unit (its final snapshot: the whole sinogram, the last iterate), and
    /// otherwise once kPreviewInterval has passed since the last preview. Worker thread.
    [[nodiscard]] bool wantsPreviews() const override;

    /// The newest preview not yet taken (UI thread); empties the mailbox.
    [[nodiscard]] std::optional<Preview> takePreview();
    /// The latest progress (done, total, message).
    void progress(std::size_t& done, std::size_t& total, std::string& message) const;

private:
    friend class Job;
    friend class JobRunner;
    /// Posts a progress notice now, whatever the interval (end of a job).
    void flushProgress();
    void postProgressLocked();
    void attach(Job* job);
    void detach();
    /// Waits while paused with no step left (and not cancelled); `lock` holds m_mutex.
    void waitWhilePaused(std::unique_lock<std::mutex>& lock);

    std::atomic<bool> m_cancelled{false};
    std::atomic<std::size_t> m_done{0};
    std::atomic<std::size_t> m_total{0};

    mutable std::mutex m_mutex; // guards everything below
    std::string m_message;
    std::optional<Preview> m_mailbox;
    bool m_previewNoticePending = false;
    bool m_progressNoticePending = false;
    std::chrono::steady_clock::time_point m_lastProgressPost{};
    std::chrono::steady_clock::time_point m_lastPreview{};
    Job* m_job = nullptr;
    bool m_paused = false;
    std::size_t m_steps = 0; ///< previews the work may still publish while paused
    std::condition_variable m_resume;
};

/// One unit of work handed to a JobRunner, seen from the UI thread. Created by JobRunner::start,
/// owned by the runner (deleted with it, or by the caller with deleteLater() once final).
class Job : public QObject
{
    Q_OBJECT

public:
    ~Job() override;
    Job(const Job&) = delete;
    Job& operator=(const Job&) = delete;

    [[nodiscard]] const QString& name() const { return m_name; }
    [[nodiscard]] JobState state() const { return m_state; }
    [[nodiscard]] bool isFinished() const { return isFinal(m_state); }
    /// The exception's message when Failed.
    [[nodiscard]] const QString& errorMessage() const { return m_error; }
    /// What the work returned, once Succeeded (empty otherwise).
    [[nodiscard]] const std::any& result() const { return m_result; }
    /// Fraction done (0 to 1) of the current stage and its message, as last delivered.
    [[nodiscard]] double progress() const { return m_progress; }
    [[nodiscard]] const QString& progressMessage() const { return m_progressMessage; }

    /// The newest preview not yet taken; empties the mailbox. Call it on previewReady.
    [[nodiscard]] std::optional<Preview> takePreview();

    /// Asks the work to stop; returns at once. The job ends Cancelled when the work next polls
    /// its RunContext (or at once if it has not started). Wakes a paused job.
    void cancel();
    /// Pauses the work at its next safe point (see QtRunContext), or resumes it.
    void setPaused(bool paused);
    [[nodiscard]] bool isPaused() const;
    /// While paused: runs the work on to its next preview (one batch or iteration).
    void step();

signals:
    void stateChanged(tomo::ui::JobState state);
    void progressChanged(double fraction, const QString& message);
    /// A new preview waits in the mailbox (at most one notice in flight).
    void previewReady();
    /// The job reached a final state; result() / errorMessage() are set.
    void finished(tomo::ui::JobState state);

private:
    friend class JobRunner;
    friend class QtRunContext;
    Job(QString name, QObject* parent);

    // Called on the UI thread through queued invocations posted by the worker.
    void deliverRunning();
    void deliverProgress();
    void deliverPreviewNotice();
    void deliverFinished(JobState state, const QString& error, std::any result);

    QString m_name;
    JobState m_state = JobState::Queued;
    QString m_error;
    std::any m_result;
    double m_progress = 0.0;
    QString m_progressMessage;
    std::shared_ptr<QtRunContext> m_context;
};

/// Runs jobs off the UI thread (STYLE.md B.4) on its own QThreadPool with one thread (device
/// work is serial); the global pool is never used. Jobs run in the order started.
/// A job's work must not touch QObjects or VTK objects; it talks through its RunContext only.
/// On destruction: cancels every job, waits up to kShutdownTimeout, then tears down.
class JobRunner : public QObject
{
    Q_OBJECT

public:
    /// The work of a job. Runs on the worker thread; its return value becomes Job::result().
    /// Throwing tomo::Cancelled ends the job Cancelled; any other exception ends it Failed with
    /// the exception's message.
    using Work = std::function<std::any(RunContext&)>;

    /// The nice value (Linux) of the worker thread and the threads it starts: below the UI
    /// thread's, so the window stays responsive while a run keeps every core busy.
    static constexpr int kWorkerNice = 10;

    /// How long destruction waits for cancelled jobs to return before giving up on them.
    static constexpr std::chrono::milliseconds kShutdownTimeout{5000};

    explicit JobRunner(QObject* parent = nullptr);
    ~JobRunner() override;
    JobRunner(const JobRunner&) = delete;
    JobRunner& operator=(const JobRunner&) = delete;

    /// Queues `work`; returns its Job (owned by the runner), in state Queued.
    Job* start(const QString& name, Work work);

    /// Cancels every job not yet final.
    void cancelAll();

    /// Waits (blocking the caller) until no job runs, at most `timeout`. Returns true if idle.
    /// For shutdown and tests, never for job code.
    bool waitForIdle(std::chrono::milliseconds timeout);

private:
    std::unique_ptr<QThreadPool> m_pool;
};
} // namespace tomo::ui

Q_DECLARE_METATYPE(tomo::ui::JobState)
