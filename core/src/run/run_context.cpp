#include "tomo/error.h"
#include "tomo/run_context.h"

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
