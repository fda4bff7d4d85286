#include "tomo/run_context.h"

#include "tomo/error.h"

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

void RunContext::publishProjections(const ProjectionStack& partial, std::size_t viewsDone,
                                    std::string_view stage)
{
    if (!wantsPreviews()) {
        return;
    }
    Preview preview;
    preview.projections = std::make_shared<const ProjectionStack>(partial);
    preview.viewsDone = viewsDone;
    preview.stage = std::string(stage);
    publishPreview(std::move(preview));
}
} // namespace tomo
