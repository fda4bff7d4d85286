#include "tomo/run_context.h"

#include "tomo/error.h"

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
} // namespace tomo
