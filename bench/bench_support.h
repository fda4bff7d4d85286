#pragma once

// What the benchmark executables share: the device a benchmark runs on.
#include "tomo/compute.h"

#include <benchmark/benchmark.h>

#include <memory>

namespace tomo::bench
{
/// The C++ backend, or the first OpenCL device (nullptr where there is none).
inline std::shared_ptr<ComputeContext> contextFor(Backend backend)
{
    if (backend == Backend::Cpu) {
        return ComputeContext::create("cpu");
    }
    for (const DeviceInfo& d : listDevices()) {
        if (d.backend == Backend::OpenCL) {
            return ComputeContext::create(d.id);
        }
    }
    return nullptr;
}
/// contextFor(backend), or nullptr with the benchmark marked skipped ("no OpenCL device").
inline std::shared_ptr<ComputeContext> contextOrSkip(benchmark::State& state, Backend backend)
{
    auto compute = contextFor(backend);
    if (!compute) {
        state.SkipWithError("no OpenCL device");
    }
    return compute;
}
} // namespace tomo::bench
