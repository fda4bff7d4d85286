#include "tomo/ui/job_runner.h"

#include "tomo/error.h"

#include <QMetaObject>
#include <QThreadPool>
#include <QtGlobal>

#include <exception>
#include <utility>

#ifdef __linux__
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

namespace tomo::ui
{
namespace
{
/// Lowers the calling worker thread's scheduling priority once (Linux: nice is per thread, and
/// threads it starts, such as OpenMP's team, inherit it), so that a run using every core still
/// leaves the UI thread the CPU whenever it has work: the window keeps answering.
void lowerWorkerPriority()
{
#ifdef __linux__
    thread_local bool lowered = false;
    if (!lowered) {
        lowered = true;
        const auto tid = static_cast<id_t>(::syscall(SYS_gettid));
        (void)::setpriority(PRIO_PROCESS, tid, JobRunner::kWorkerNice);
    }
#endif
}
} // namespace

QString toString(JobState state)
{
    switch (state) {
    case JobState::Queued:
        return QStringLiteral("queued");
    case JobState::Running:
        return QStringLiteral("running");
    case JobState::Succeeded:
        return QStringLiteral("succeeded");
    case JobState::Failed:
        return QStringLiteral("failed");
    case JobState::Cancelled:
        return QStringLiteral("cancelled");
    }
    return QStringLiteral("unknown");
}

bool QtRunContext::isCancelled() const
{
    return m_cancelled.load(std::memory_order_relaxed);
}

void QtRunContext::cancel()
{
    m_cancelled.store(true, std::memory_order_relaxed);
    std::lock_guard lock(m_mutex);
    m_resume.notify_all();
}

void QtRunContext::setPaused(bool paused)
{
    std::lock_guard lock(m_mutex);
    m_paused = paused;
    m_steps = 0;
    m_resume.notify_all();
}

bool QtRunContext::isPaused() const
{
    std::lock_guard lock(m_mutex);
    return m_paused;
}

void QtRunContext::step()
{
    std::lock_guard lock(m_mutex);
    if (m_paused) {
        ++m_steps;
        m_resume.notify_all();
    }
}

void QtRunContext::waitWhilePaused(std::unique_lock<std::mutex>& lock)
{
    m_resume.wait(lock, [this] { return !m_paused || m_steps > 0 || isCancelled(); });
}

void QtRunContext::reportProgress(std::size_t done, std::size_t total, std::string_view message)
{
    m_done.store(done, std::memory_order_relaxed);
    m_total.store(total, std::memory_order_relaxed);
    const auto now = std::chrono::steady_clock::now();
    std::unique_lock lock(m_mutex);
    if (m_message != message) {
        m_message.assign(message);
    }
    // Otherwise the pending notice (or the next one) reads the newest values.
    if (!m_progressNoticePending && now - m_lastProgressPost >= kProgressInterval) {
        m_lastProgressPost = now;
        postProgressLocked();
    }
    waitWhilePaused(lock);
}

void QtRunContext::flushProgress()
{
    std::lock_guard lock(m_mutex);
    if (!m_progressNoticePending) {
        m_lastProgressPost = std::chrono::steady_clock::now();
        postProgressLocked();
    }
}

void QtRunContext::postProgressLocked()
{
    if (m_job == nullptr) {
        return;
    }
    m_progressNoticePending = true;
    Job* job = m_job;
    QMetaObject::invokeMethod(
        job, [job] { job->deliverProgress(); }, Qt::QueuedConnection);
}

bool QtRunContext::wantsPreviews() const
{
    std::lock_guard lock(m_mutex);
    if (m_paused || m_steps > 0) {
        return true;
    }
    const std::size_t total = m_total.load(std::memory_order_relaxed);
    if (total > 0 && m_done.load(std::memory_order_relaxed) >= total) {
        return true;
    }
    return std::chrono::steady_clock::now() - m_lastPreview >= kPreviewInterval;
}

void QtRunContext::publishPreview(Preview preview)
{
    std::unique_lock lock(m_mutex);
    m_lastPreview = std::chrono::steady_clock::now();
    m_mailbox = std::move(preview); // newest wins: an untaken older snapshot is dropped
    if (!m_previewNoticePending && m_job != nullptr) {
        m_previewNoticePending = true;
        Job* job = m_job;
        QMetaObject::invokeMethod(
            job, [job] { job->deliverPreviewNotice(); }, Qt::QueuedConnection);
    }
    if (m_steps > 0) {
        --m_steps; // a step ends here
    }
    waitWhilePaused(lock);
}

std::optional<Preview> QtRunContext::takePreview()
{
    std::lock_guard lock(m_mutex);
    std::optional<Preview> out = std::move(m_mailbox);
    m_mailbox.reset();
    return out;
}

void QtRunContext::progress(std::size_t& done, std::size_t& total, std::string& message) const
{
    std::lock_guard lock(m_mutex);
    done = m_done.load(std::memory_order_relaxed);
    total = m_total.load(std::memory_order_relaxed);
    message = m_message;
}

void QtRunContext::attach(Job* job)
{
    std::lock_guard lock(m_mutex);
    m_job = job;
}

void QtRunContext::detach()
{
    std::lock_guard lock(m_mutex);
    m_job = nullptr;
}

Job::Job(QString name, QObject* parent)
    : QObject(parent), m_name(std::move(name)), m_context(std::make_shared<QtRunContext>())
{
    m_context->attach(this);
}

Job::~Job()
{
    // After this no worker posts to us; notices already posted die with the QObject.
    m_context->detach();
}

std::optional<Preview> Job::takePreview()
{
    return m_context->takePreview();
}

void Job::cancel()
{
    m_context->cancel();
}

void Job::setPaused(bool paused)
{
    m_context->setPaused(paused);
}

bool Job::isPaused() const
{
    return m_context->isPaused();
}

void Job::step()
{
    m_context->step();
}

void Job::deliverRunning()
{
    if (m_state != JobState::Queued) {
        return;
    }
    m_state = JobState::Running;
    emit stateChanged(m_state);
}

void Job::deliverProgress()
{
    std::size_t done = 0;
    std::size_t total = 0;
    std::string message;
    {
        std::lock_guard lock(m_context->m_mutex);
        m_context->m_progressNoticePending = false;
    }
    m_context->progress(done, total, message);
    m_progress = total > 0 ? static_cast<double>(done) / static_cast<double>(total) : 0.0;
    m_progressMessage = QString::fromStdString(message);
    emit progressChanged(m_progress, m_progressMessage);
}

void Job::deliverPreviewNotice()
{
    {
        std::lock_guard lock(m_context->m_mutex);
        m_context->m_previewNoticePending = false;
    }
    emit previewReady();
}

void Job::deliverFinished(JobState state, const QString& error, std::any result)
{
    if (m_state == JobState::Queued) {
        m_state = JobState::Running;
        emit stateChanged(m_state);
    }
    m_state = state;
    m_error = error;
    m_result = std::move(result);
    emit stateChanged(m_state);
    emit finished(m_state);
}

JobRunner::JobRunner(QObject* parent) : QObject(parent), m_pool(std::make_unique<QThreadPool>())
{
    qRegisterMetaType<tomo::ui::JobState>("tomo::ui::JobState");
    // One thread: device work is serial, and a ComputeContext serves one thread at a time.
    m_pool->setMaxThreadCount(1);
    m_pool->setObjectName(QStringLiteral("tomo-jobs"));
}

JobRunner::~JobRunner()
{
    cancelAll();
    if (!waitForIdle(kShutdownTimeout)) {
        // A job ignores cancellation. Its worker holds only shared state (its QtRunContext, which
        // no longer reaches any Job, and what its Work captured), so the pool is left to finish
        // it rather than blocking the UI thread for good.
        qWarning("tomoscope: a job did not stop within %lld ms of cancel; leaving it running",
                 static_cast<long long>(kShutdownTimeout.count()));
        (void)m_pool.release();
    }
}

Job* JobRunner::start(const QString& name, Work work)
{
    auto* job = new Job(name, this);
    std::shared_ptr<QtRunContext> context = job->m_context;
    m_pool->start([context, work = std::move(work)]() mutable {
        lowerWorkerPriority();
        {
            std::lock_guard lock(context->m_mutex);
            if (context->m_job != nullptr) {
                Job* target = context->m_job;
                QMetaObject::invokeMethod(
                    target, [target] { target->deliverRunning(); }, Qt::QueuedConnection);
            }
        }
        JobState state = JobState::Succeeded;
        QString error;
        std::any result;
        // The top level catches everything: no exception leaves the worker (STYLE.md B.4).
        if (context->isCancelled()) {
            state = JobState::Cancelled;
        } else {
            try {
                result = work(*context);
            } catch (const Cancelled&) {
                state = JobState::Cancelled;
            } catch (const std::exception& e) {
                state = JobState::Failed;
                error = QString::fromUtf8(e.what());
            } catch (...) {
                state = JobState::Failed;
                error = QStringLiteral("the job failed with an unknown exception");
            }
        }
        // Free what the work captured (device contexts, data) on this thread, now.
        work = nullptr;
        context->flushProgress();
        std::lock_guard lock(context->m_mutex);
        if (context->m_job != nullptr) {
            Job* target = context->m_job;
            QMetaObject::invokeMethod(
                target,
                [target, state, error, result = std::move(result)]() mutable {
                    target->deliverFinished(state, error, std::move(result));
                },
                Qt::QueuedConnection);
        }
    });
    return job;
}

void JobRunner::cancelAll()
{
    for (Job* job : findChildren<Job*>(Qt::FindDirectChildrenOnly)) {
        job->cancel();
    }
}

bool JobRunner::waitForIdle(std::chrono::milliseconds timeout)
{
    return m_pool->waitForDone(static_cast<int>(timeout.count()));
}
} // namespace tomo::ui
