#include "tomo/run_context.h"

#include "tomo/error.h"

#include <algorithm>
#include <cstddef>
#include <memory>
#include <string>

namespace tomo
{
RunContext::~RunContext() = default;

void RunContext::throwIfCancelled() const
{
    if (isCancelled()) {
        throw Cancelled();
    }
}

void RunContext::publishPreview(Preview /*preview*/) {}

ProjectionPreviews::ProjectionPreviews(RunContext& ctx, std::string stage)
    : m_ctx(ctx), m_stage(std::move(stage))
{}

void ProjectionPreviews::publish(const ProjectionStack& partial, std::size_t viewsDone)
{
    if (!m_ctx.wantsPreviews()) {
        return;
    }
    // Views below m_copied are in receivers' hands and never written again.
    viewsDone = std::max(std::min(viewsDone, partial.views()), m_copied);
    if (!m_buffer) {
        m_buffer = std::make_shared<ProjectionStack>(ProjectionStack::zeros(partial.geometry()));
    }
    const std::size_t pixels = partial.pixelsPerView();
    const auto from = partial.data().subspan(m_copied * pixels, (viewsDone - m_copied) * pixels);
    std::copy(from.begin(), from.end(),
              m_buffer->data().begin() + static_cast<std::ptrdiff_t>(m_copied * pixels));
    m_copied = viewsDone;
    Preview preview;
    preview.projections = m_buffer;
    preview.viewsDone = m_copied;
    preview.stage = m_stage;
    m_ctx.publishPreview(std::move(preview));
}
} // namespace tomo
