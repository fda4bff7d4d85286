#pragma once

#include "tomo/compute.h"
#include "tomo/projector.h"

#include <memory>

namespace tomo::detail
{
/// The C++ reference implementations (joseph_cpu.cpp, voxel_cpu.cpp).
std::unique_ptr<Projector> makeCpuProjector(ProjectorModel model);

/// Which kernel an OpenCL voxel-driven projector runs for flat detectors
/// (kernels/backproject_voxel_3d.cl): the one its device type calls for, or either by name
/// (tests run both on whichever device they have).
enum class OpenClVoxelKernel
{
    ForDevice, ///< Columns on CPU devices, PerVoxel elsewhere
    Columns,   ///< backproject_voxel_3d_columns: explicit vectors along z, for CPU devices
    PerVoxel,  ///< backproject_voxel_3d: one work-item per voxel, for GPUs
};

/// The OpenCL implementations (ocl/projector_cl.cpp). Throws DeviceError if this build has no
/// OpenCL backend.
std::unique_ptr<Projector>
makeOpenClProjector(ProjectorModel model, ComputeContext& compute,
                    OpenClVoxelKernel voxelKernel = OpenClVoxelKernel::ForDevice);
} // namespace tomo::detail
