#pragma once

#include "tomo/compute.h"
#include "tomo/projector.h"

#include <memory>

namespace tomo::detail
{
/// The C++ reference implementations (joseph_cpu.cpp, voxel_cpu.cpp).
std::unique_ptr<Projector> makeCpuProjector(ProjectorModel model);

/// The OpenCL implementations (ocl/projector_cl.cpp). Throws DeviceError if this build has no
/// OpenCL backend.
std::unique_ptr<Projector> makeOpenClProjector(ProjectorModel model, ComputeContext& compute);
} // namespace tomo::detail
