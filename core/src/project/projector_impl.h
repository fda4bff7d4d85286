#pragma once

#include "tomo/compute.h"
#include "tomo/projector.h"

#include <memory>

namespace tomo::detail
{
/// The C++ reference implementations (joseph_cpu.cpp, voxel_cpu.cpp).
std::unique_ptr<Projector> makeCpuProjector(ProjectorModel model);

/// Which kernels an OpenCL projector runs where it has two: the voxel-driven backprojection on
/// flat detectors (2D and 3D) and the 3D Joseph forward projection. Either the set its device
/// type calls for, or one by name (tests run both on whichever device they have).
enum class OpenClKernels
{
    ForDevice,       ///< ExplicitVectors on CPU devices, PerItem elsewhere
    ExplicitVectors, ///< *_rows and *_columns kernels: eight voxels or rays per work-item in
                     ///< float8, windows read by permutes; for CPU devices (PoCL)
    PerItem,         ///< one work-item per voxel or ray, for GPUs
};

/// The OpenCL implementations (ocl/projector_cl.cpp). Throws DeviceError if this build has no
/// OpenCL backend.
std::unique_ptr<Projector> makeOpenClProjector(ProjectorModel model, ComputeContext& compute,
                                               OpenClKernels kernels = OpenClKernels::ForDevice);
} // namespace tomo::detail
