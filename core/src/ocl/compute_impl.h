#pragma once

#include "tomo/compute.h"

#include <memory>

namespace tomo::ocl
{
class Runtime;
} // namespace tomo::ocl

namespace tomo
{
/// The state behind a ComputeContext: the device description and, for the OpenCL backend, the
/// runtime (context, queue, program cache). Private to the core.
struct ComputeContext::Impl
{
    DeviceInfo info;
    std::unique_ptr<ocl::Runtime> runtime; ///< null for the CPU backend

    Impl();
    ~Impl();
};
} // namespace tomo
